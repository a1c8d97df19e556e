//! The residents' partner directory (服务伙伴, `/partners`): the community's partners and
//! its subdistrict's shared ones (social organisations, convenience outlets, institutes,
//! volunteer teams) with what they offer, hours and contact, searchable. "向它求助" opens
//! the post form with the partner named; the station then hands the case to it.

use crate::error::AppError;
use crate::i18n::{Lang, Named, T};
use crate::paging::failed;
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, Page, Tab};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

pub const KINDS: [&str; 4] = ["agency", "handy_help", "institute", "voluntary"];

/// How the directory names a stored kind.
pub fn kind_label(code: &str) -> Option<T> {
    match code {
        "agency" => Some(T::PartnerAgency),
        "handy_help" => Some(T::PartnerHandyHelp),
        "institute" => Some(T::PartnerInstitute),
        "voluntary" => Some(T::PartnerVoluntary),
        _ => None,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    pub code: String,
    pub kind: String,
    pub name: Named,
    pub serves: Named,
    pub phone: String,
    pub address: String,
    pub hours: String,
    /// Shared by the subdistrict with all its communities.
    pub shared: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub entries: Vec<DirectoryEntry>,
    /// A resident may ask a partner (staff file at the window instead).
    pub may_ask: bool,
}

/// The directory, filtered by kind and by words in the name or the offer.
#[server(endpoint = "partners/directory")]
pub async fn load_directory(q: Option<String>, kind: Option<String>) -> Result<Directory, AppError> {
    let user = crate::auth::server::require_user()?;
    let store = crate::request::store()?;
    let (q, kind) = (q.unwrap_or_default(), kind.unwrap_or_default());
    server::directory(&store, &user, q.trim(), kind.trim(), None).await
}

/// One partner of the viewer's directory, by code (the post form's "asking X").
#[server(endpoint = "partners/one")]
pub async fn load_partner(code: String) -> Result<Option<DirectoryEntry>, AppError> {
    let user = crate::auth::server::require_user()?;
    let store = crate::request::store()?;
    Ok(server::directory(&store, &user, "", "", Some(code.trim())).await?.entries.into_iter().next())
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::auth::{Level, SessionUser};
    use crate::store::Store;

    /// The community's and its subdistrict's partners for a resident or the station team.
    pub async fn directory(
        store: &Store,
        user: &SessionUser,
        q: &str,
        kind: &str,
        code: Option<&str>,
    ) -> Result<Directory, AppError> {
        if user.role.home_level() != Level::Community {
            return Err(AppError::Forbidden);
        }
        if !kind.is_empty() && !KINDS.contains(&kind) {
            return Err(AppError::BadRequest);
        }
        let q: String = q.chars().take(40).collect::<String>().to_lowercase();
        let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let pattern = if q.is_empty() { String::new() } else { format!("%{escaped}%") };
        let subdistrict: Option<i64> = sqlx::query_scalar("SELECT parent_id FROM regions WHERE id = $1")
            .bind(user.region_id)
            .fetch_optional(store.pool())
            .await?
            .flatten();
        #[allow(clippy::type_complexity)]
        let rows: Vec<(String, String, String, String, String, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT code, kind, name_zh, name_en, serves_zh, serves_en, phone, address, hours, community_id FROM partners \
             WHERE community_id IN ($1, $2) AND ($3 = '' OR kind = $3) AND ($4 = '' OR code = $4) \
             AND ($5 = '' OR LOWER(name_zh) LIKE $5 ESCAPE '\\' OR LOWER(serves_zh) LIKE $5 ESCAPE '\\' \
                  OR LOWER(name_en) LIKE $5 ESCAPE '\\' OR LOWER(serves_en) LIKE $5 ESCAPE '\\') \
             ORDER BY kind, community_id DESC, code LIMIT 200",
        )
        .bind(user.region_id)
        .bind(subdistrict.unwrap_or(user.region_id))
        .bind(kind)
        .bind(code.unwrap_or(""))
        .bind(&pattern)
        .fetch_all(store.pool())
        .await?;
        // The community's own partner wins over a shared one with the same code.
        let mut entries: Vec<DirectoryEntry> = Vec::with_capacity(rows.len());
        for (code, kind, nz, ne, sz, se, phone, address, hours, community) in rows {
            if entries.iter().any(|e| e.code == code) {
                continue;
            }
            entries.push(DirectoryEntry {
                code,
                kind,
                name: Named { zh: nz, en: ne },
                serves: Named { zh: sz, en: se },
                phone,
                address,
                hours,
                shared: community != user.region_id,
            });
        }
        Ok(Directory { entries, may_ask: user.role == crate::auth::Role::Resident })
    }

    /// The partner a resident asked for, by code: the community's own first, else the
    /// subdistrict's shared one. `None`: no such partner for this community.
    pub async fn asked(store: &Store, community: i64, code: &str) -> Result<Option<i64>, AppError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM partners WHERE code = $1 AND community_id IN ($2, (SELECT parent_id FROM regions WHERE id = $2)) \
             ORDER BY CASE WHEN community_id = $2 THEN 0 ELSE 1 END LIMIT 1",
        )
        .bind(code.trim())
        .bind(community)
        .fetch_optional(store.pool())
        .await?)
    }
}

#[component]
pub fn PartnersPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/partners");
    }
    let query = use_query_map().get_untracked();
    let (q, kind) = (query.get("q").unwrap_or_default(), query.get("kind").unwrap_or_default());
    let (q2, k2) = (q.clone(), kind.clone());
    let data = Resource::new(move || (q2.clone(), k2.clone()), |(q, k)| load_directory(Some(q), Some(k)));
    view! {
        <Page tab=Tab::Services title=lang.t(T::PartnersTitle).to_string()>
            <p class="lead">{lang.t(T::PartnersIntro)}</p>
            <form method="get" action="/partners" class="search" role="search">
                <label for="p-q" class="visually-hidden">{lang.t(T::Search)}</label>
                <input id="p-q" name="q" type="search" value=q.clone() placeholder=lang.t(T::PartnersSearchHint) maxlength="40" />
                <label for="p-kind" class="visually-hidden">{lang.t(T::SpaceKindLabel)}</label>
                <select id="p-kind" name="kind">
                    <option value="">{lang.t(T::AllFamilies)}</option>
                    {KINDS.into_iter().map(|k| view! {
                        <option value=k selected=kind == k>{kind_label(k).map(|t| lang.t(t)).unwrap_or(k)}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="button primary">{lang.t(T::Search)}</button>
            </form>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <DirectoryList d=d lang=lang /> }.into_any(),
                        Err(e) => failed(e, lang),
                    }
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}

#[component]
fn DirectoryList(d: Directory, lang: Lang) -> impl IntoView {
    let may_ask = d.may_ask;
    view! {
        {d.entries.is_empty().then(|| view! { <p class="empty" data-testid="no-partners">{lang.t(T::PartnersNone)}</p> })}
        <ul class="plain partner-list">
            {d.entries.into_iter().map(|p| {
                let tel = format!("tel:{}", p.phone.replace([' ', '-'], ""));
                view! {
                    <li class="card" data-partner=p.code.clone()>
                        <h2 class="card-title">{p.name.get(lang).to_string()}</h2>
                        <p class="meta">
                            <span class="tag">{kind_label(&p.kind).map(|t| lang.t(t)).unwrap_or("")}</span>
                            {p.shared.then(|| view! { <span class="tag">{lang.t(T::PartnerShared)}</span> })}
                        </p>
                        <p>{p.serves.get(lang).to_string()}</p>
                        {(!p.hours.is_empty()).then(|| view! { <p class="small">{lang.t(T::PartnerHours)} ": " {p.hours.clone()}</p> })}
                        <p class="small">{p.address.clone()} " · " <a href=tel>{p.phone.clone()}</a></p>
                        {may_ask.then(|| view! {
                            <p><a class="button secondary" href=format!("/post?partner={}", crate::ui::urlencode(&p.code))>{lang.t(T::PartnerAsk)}</a></p>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
