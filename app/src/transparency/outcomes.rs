//! Outcomes the station chooses to show the public (办理结果公开): a resolved case, told in
//! one line the station writes without anything personal, listed on `/transparency`. The
//! station team of the case's community publishes, changes or withdraws it on the case page.

use crate::error::AppError;
use crate::i18n::{Lang, Named, T};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const MAX_SUMMARY: usize = 80;
/// How many chosen outcomes the public page lists (newest first).
pub const LISTED: i64 = 20;

/// A public line: the station's summary, the affair, when it was resolved and in how long.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeLine {
    pub summary: String,
    pub affair: Option<Named>,
    pub resolved_on: String,
    pub days: i64,
}

/// The case page's part: what is published, and whether this viewer may publish.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOutcome {
    pub may_publish: bool,
    pub summary: Option<String>,
}

/// A summary as the station wrote it, checked: one line, short, and nothing that looks
/// personal (a run of seven digits or more: a phone or an ID; an e-mail address; the
/// requester's name, checked by the caller).
pub fn check_summary(summary: &str) -> Result<String, T> {
    let s: String = summary.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string();
    let n = s.chars().count();
    if n < 4 {
        return Err(T::ErrOutcomeShort);
    }
    if n > MAX_SUMMARY {
        return Err(T::ErrTooLong);
    }
    let mut run = 0;
    for c in s.chars() {
        run = if c.is_ascii_digit() || ('０'..='９').contains(&c) { run + 1 } else { 0 };
        if run >= 7 {
            return Err(T::ErrOutcomePersonal);
        }
    }
    if s.contains('@') {
        return Err(T::ErrOutcomePersonal);
    }
    Ok(s)
}

#[server(endpoint = "transparency/case")]
pub async fn load_case_outcome(demand: i64) -> Result<CaseOutcome, AppError> {
    let user = crate::auth::server::require_staff()?;
    server::of_case(&crate::request::store()?, &user, demand).await
}

/// Publishes (or changes) the case's public line; an empty summary withdraws it.
#[server(endpoint = "transparency/publish")]
pub async fn publish_outcome(demand: i64, summary: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    match server::publish(&store, &user, demand, &summary).await {
        Ok(()) => {
            crate::form::server::forget("outcome").await;
            crate::request::redirect(&format!("/demands/{demand}"));
            Ok(())
        }
        Err(e) => {
            crate::form::server::keep_input("outcome", &[("summary", &summary)]).await;
            Err(e)
        }
    }
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::auth::SessionUser;
    use crate::store::{Millis, Store};
    use crate::work::rules::State;
    use crate::work::server::{item_of_demand, relation, ItemRow, Relation};

    async fn station_item(store: &Store, user: &SessionUser, demand: i64) -> Result<(ItemRow, bool), AppError> {
        let item = item_of_demand(store, demand).await?.ok_or(AppError::NotFound)?;
        match relation(store, user, &item).await? {
            Relation::Station => Ok((item, true)),
            Relation::None => Err(AppError::NotFound),
            _ => Ok((item, false)),
        }
    }

    fn publishable(item: &ItemRow) -> bool {
        matches!(item.state(), State::Resolved | State::Closed) && item.resolved_at.is_some()
    }

    pub async fn of_case(store: &Store, user: &SessionUser, demand: i64) -> Result<CaseOutcome, AppError> {
        let (item, station) = station_item(store, user, demand).await?;
        let summary: Option<String> = sqlx::query_scalar("SELECT summary FROM public_outcomes WHERE work_item_id = $1")
            .bind(item.id)
            .fetch_optional(store.pool())
            .await?;
        Ok(CaseOutcome { may_publish: station && publishable(&item), summary })
    }

    pub async fn publish(store: &Store, user: &SessionUser, demand: i64, summary: &str) -> Result<(), AppError> {
        let (item, station) = station_item(store, user, demand).await?;
        if !station {
            return Err(AppError::Forbidden);
        }
        if !publishable(&item) {
            return Err(AppError::WrongState);
        }
        if summary.trim().is_empty() {
            sqlx::query("DELETE FROM public_outcomes WHERE work_item_id = $1")
                .bind(item.id)
                .execute(store.pool())
                .await?;
            return Ok(());
        }
        let summary = check_summary(summary).map_err(|t| AppError::invalid("summary", t))?;
        // Never the requester's name (a found case's "requester" is the worker: not shown either).
        let name: String = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
            .bind(item.requester_id)
            .fetch_one(store.pool())
            .await?;
        let name = name.trim();
        if name.chars().count() >= 2 && summary.contains(name) {
            return Err(AppError::invalid("summary", T::ErrOutcomePersonal));
        }
        sqlx::query(
            "INSERT INTO public_outcomes (community_id, work_item_id, summary, chosen_by, chosen_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (work_item_id) DO UPDATE SET summary = excluded.summary, chosen_by = excluded.chosen_by, chosen_at = excluded.chosen_at",
        )
        .bind(item.community_id)
        .bind(item.id)
        .bind(&summary)
        .bind(user.id)
        .bind(Millis::now())
        .execute(store.pool())
        .await?;
        Ok(())
    }

    /// The community's chosen outcomes, newest first.
    pub async fn listed(store: &Store, community: i64) -> Result<Vec<OutcomeLine>, AppError> {
        let rows: Vec<(String, Option<String>, Option<String>, i64, i64)> = sqlx::query_as(
            "SELECT o.summary, a.name_zh, a.name_en, w.created_at, w.resolved_at FROM public_outcomes o \
             JOIN work_items w ON w.id = o.work_item_id JOIN demands d ON d.id = w.demand_id \
             LEFT JOIN affairs a ON a.id = d.affair_id \
             WHERE o.community_id = $1 AND w.resolved_at IS NOT NULL ORDER BY o.chosen_at DESC, o.id DESC LIMIT $2",
        )
        .bind(community)
        .bind(LISTED)
        .fetch_all(store.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(summary, zh, en, posted, resolved)| OutcomeLine {
                summary,
                affair: zh.zip(en).map(|(zh, en)| Named { zh, en }),
                resolved_on: crate::time::to_local(resolved).format("%Y-%m-%d").to_string(),
                days: ((resolved - posted).max(0) + 86_399_999) / 86_400_000,
            })
            .collect())
    }
}

/// The case page's form (station team, resolved or closed cases) and what is published.
#[component]
pub fn CaseOutcomeSection(demand_id: i64, lang: Lang) -> impl IntoView {
    use crate::form::{error_from_url, state_after, EnhancedForm, FormBanner};
    use server_fn::ServerFn;
    let error = error_from_url(PublishOutcome::PATH);
    let data = Resource::new(
        move || demand_id,
        move |d| {
            let error = error.clone();
            async move { (load_case_outcome(d).await, state_after("outcome", error).await) }
        },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    (Ok(o), state) if o.may_publish || o.summary.is_some() => {
                        let value = if state.error.is_some() { state.value("summary") } else { o.summary.clone().unwrap_or_default() };
                        view! {
                            <section class="card" aria-labelledby="outcome-h" data-testid="public-outcome">
                                <h2 id="outcome-h">{lang.t(T::OutcomePublic)}</h2>
                                {o.summary.clone().map(|s| view! { <p data-testid="outcome-summary">"“" {s} "”"</p> })}
                                {o.may_publish.then(|| view! {
                                    <EnhancedForm lang=lang>
                                        <form method="post" action=PublishOutcome::url() class="form">
                                            <FormBanner error=state.error.clone() />
                                            <input type="hidden" name="demand" value=demand_id />
                                            <div class="field">
                                                <label for="f-outcome">{lang.t(T::OutcomeSummary)}</label>
                                                <input id="f-outcome" name="summary" maxlength=MAX_SUMMARY.to_string() value=value />
                                                <p class="hint">{lang.t(T::OutcomeHint)}</p>
                                                <p class="field-error" data-error-for="summary">{state.problem("summary").map(|p| lang.t(p))}</p>
                                            </div>
                                            <button type="submit" class="button secondary" data-busy-label=lang.t(T::Sending)>{lang.t(T::OutcomePublish)}</button>
                                        </form>
                                    </EnhancedForm>
                                })}
                            </section>
                        }.into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_summary_is_short_and_impersonal() {
        assert_eq!(check_summary(" 3号楼楼道灯已更换，夜间照明恢复 "), Ok("3号楼楼道灯已更换，夜间照明恢复".into()));
        assert_eq!(check_summary("修好了"), Err(T::ErrOutcomeShort));
        assert_eq!(check_summary(&"灯".repeat(81)), Err(T::ErrTooLong));
        assert_eq!(check_summary("已联系13812345678的住户"), Err(T::ErrOutcomePersonal));
        assert_eq!(check_summary("已联系１３８１２３４５６的住户"), Err(T::ErrOutcomePersonal));
        assert_eq!(check_summary("请发邮件 a@b.cn 咨询"), Err(T::ErrOutcomePersonal));
        assert_eq!(check_summary("2026年12月修复了12处路灯"), Ok("2026年12月修复了12处路灯".into()));
    }
}
