//! A demand's affair after filing: chosen by the server when the post chose none (the best
//! match for its words), changed in one tap by the requester while the station has not
//! taken the case up, corrected by the station team while it is open. A person's choice
//! clears the "matched" mark, so the suggestions learn from it and never from their own
//! guess.

use crate::affairs::AffairSummary;
use crate::auth::SessionUser;
use crate::error::AppError;
use crate::i18n::{Named, T};
use crate::store::Store;
use crate::work::rules::{self, AffairLimits, Place, State, Urgency};
use crate::work::server::change::{amend, retriage, Amend, Event};
use crate::work::server::{self as work, Relation, WorkTx};
use crate::work::EventKind;

/// The affair a post that chose none is filed under, if its words say one clearly enough.
pub async fn matched(
    store: &Store,
    community: i64,
    description: &str,
) -> Result<Option<(i64, AffairSummary)>, AppError> {
    let Some(code) = crate::intake::server::best(store, community, description).await? else { return Ok(None) };
    Ok(crate::affairs::server::row_by_code(store, community, &code).await?.map(|r| r.summary_with_id()))
}

/// The affairs the requester may switch to in one tap (the next best for the words, then
/// "other"), while the server's choice stands and the station has not taken the case up.
pub async fn choices(
    store: &Store,
    community: i64,
    current: Option<&str>,
    description: &str,
) -> Result<Vec<(String, Named)>, AppError> {
    let ranked = crate::intake::server::suggest(store, community, description, 4).await?;
    let mut out = Vec::new();
    for r in ranked.into_iter().filter(|r| Some(r.code.as_str()) != current).take(2) {
        if let Some(row) = crate::affairs::server::row_by_code(store, community, &r.code).await? {
            out.push((r.code, row.summary().name));
        }
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct Filed {
    community_id: i64,
    affair_id: Option<i64>,
    affair_matched: i64,
    urgency: Urgency,
    place: Place,
    created_at: i64,
}

/// Changes a demand's affair: `code` is one of the community's affairs or "other".
pub async fn change(
    store: &Store,
    user: &SessionUser,
    demand: i64,
    code: &str,
    seen: Option<i64>,
) -> Result<(), AppError> {
    let item = work::item_of_demand(store, demand).await?.ok_or(AppError::NotFound)?;
    let rel = work::relation(store, user, &item).await?;
    let d: Filed = sqlx::query_as(
        "SELECT community_id, affair_id, affair_matched, urgency, place, created_at FROM demands WHERE id = $1",
    )
    .bind(demand)
    .fetch_one(store.pool())
    .await?;
    match rel {
        // The requester undoes the server's guess, before anyone acted on it.
        Relation::Requester if d.affair_matched == 1 && item.state == State::Received => {}
        Relation::Station if item.state.is_open() => {}
        Relation::None => return Err(AppError::NotFound),
        _ => return Err(AppError::Forbidden),
    }
    let new = match code.trim() {
        "other" => None,
        c => Some(
            crate::affairs::server::row_by_code(store, d.community_id, c)
                .await?
                .map(|r| r.summary_with_id())
                .ok_or_else(|| AppError::invalid("affair", T::ErrUnknownAffair))?,
        ),
    };
    let new_id = new.as_ref().map(|(id, _)| *id);
    if new_id == d.affair_id && d.affair_matched == 0 {
        return Ok(());
    }
    let requester = rel == Relation::Requester;
    if new_id == d.affair_id {
        // The server's guess confirmed by a person: it teaches now; nothing else changes,
        // so the timeline says nothing ("X → X").
        sqlx::query("UPDATE demands SET affair_matched = 0 WHERE id = $1 AND affair_matched = 1")
            .bind(demand)
            .execute(store.pool())
            .await?;
        return Ok(());
    }
    let old_name: Option<String> = match d.affair_id {
        Some(id) => {
            sqlx::query_scalar("SELECT name_zh FROM affairs WHERE id = $1")
                .bind(id)
                .fetch_optional(store.pool())
                .await?
        }
        None => None,
    };
    let other = T::OtherAffair;
    let name = |n: Option<String>| n.unwrap_or_else(|| crate::i18n::Lang::Zh.t(other).to_string());
    let note = format!("{} → {}", name(old_name), name(new.as_ref().map(|(_, s)| s.name.zh.clone())));
    let mut w = WorkTx::begin(store).await?;
    // The requester's tap holds only while the server's choice stands and nobody took the
    // case up (a double tap, a second tab, the station accepting meanwhile: refused).
    let changed = sqlx::query(
        "UPDATE demands SET affair_id = $1, affair_matched = 0 WHERE id = $2 AND ($3 = 0 OR affair_matched = 1)",
    )
    .bind(new_id)
    .bind(demand)
    .bind(requester as i64)
    .execute(&mut **w.tx())
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::WrongState);
    }
    // Not yet taken up: triage and deadlines follow the affair, as if filed under it.
    let mode = new.as_ref().map(|(_, s)| s.mode);
    let limits = new
        .as_ref()
        .map(|(_, s)| AffairLimits { response_hours: s.response_hours, completion_hours: s.completion_hours });
    let policy = crate::request::config().deadlines;
    let due = rules::deadlines(d.created_at, d.urgency, limits, &policy);
    let retriaged = retriage(&mut w, item.id, rules::triage(mode, d.urgency, d.place), due).await?;
    if requester && !retriaged {
        return Err(AppError::WrongState);
    }
    let event = Event { kind: EventKind::AffairChanged, actor: Some(user.id), note: &note, public: true };
    // The station's form carries the version it was shown (another worker's move since: a
    // conflict, nothing changed); the requester's tap is guarded by the mark above.
    let seen = if requester { None } else { seen };
    amend(&mut w, item.id, Amend { seen, bump: true, event: Some(event), ..Default::default() }).await?;
    w.commit(store).await?;
    Ok(())
}
