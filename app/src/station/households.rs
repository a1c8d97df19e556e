//! Households (住户核实): station staff confirm the addresses residents registered with,
//! one at the window (the intake card) or many from a building's list. Only verified
//! households count toward a deliberation's threshold.

use crate::error::AppError;
use crate::form::{EnhancedForm, FormBanner};
use crate::i18n::{Named, T};
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, ErrorPage, StationFrame};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
use server_fn::ServerFn;

#[cfg(feature = "ssr")]
const PAGE: i64 = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnverifiedLine {
    pub id: i64,
    pub name: String,
    pub building: String,
    pub unit_no: String,
    pub room: String,
    pub registered: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdsList {
    pub buildings: Vec<(i64, Named)>,
    pub lines: Vec<UnverifiedLine>,
    /// The id to continue after, when there are more.
    pub next: Option<i64>,
}

#[server(endpoint = "station/households")]
pub async fn households(building: Option<i64>, after: Option<i64>) -> Result<HouseholdsList, AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    let rows =
        crate::auth::server::households::unverified(&store, &user, building, after.unwrap_or(0), PAGE + 1).await?;
    let buildings: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, name_zh, name_en FROM buildings WHERE community_id = $1 ORDER BY id")
            .bind(user.region_id)
            .fetch_all(store.pool())
            .await?;
    let name_of = |id: i64| buildings.iter().find(|b| b.0 == id).map(|b| b.1.clone()).unwrap_or_default();
    let next = (rows.len() as i64 > PAGE).then(|| rows[PAGE as usize - 1].id);
    let lines = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|r| UnverifiedLine {
            id: r.id,
            name: r.display_name,
            building: name_of(r.building_id),
            unit_no: r.unit_no.unwrap_or_default(),
            room: r.room.unwrap_or_default(),
            registered: crate::time::format_local(r.created_at),
        })
        .collect();
    Ok(HouseholdsList {
        buildings: buildings.into_iter().map(|(id, zh, en)| (id, Named { zh, en })).collect(),
        lines,
        next,
    })
}

/// Confirms the ticked residents' addresses (the form posts `ids[i]`), then goes back.
#[server(endpoint = "station/households/confirm")]
pub async fn confirm_addresses(ids: Option<Vec<i64>>, back: Option<String>) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let ids = ids.unwrap_or_default();
    let done = crate::auth::server::households::confirm_addresses(&crate::request::store()?, &user, &ids).await?;
    let back = crate::request::safe_next(back.as_deref()).unwrap_or_else(|| "/station/households".into());
    let sep = if back.contains('?') { '&' } else { '?' };
    crate::request::redirect(&format!("{back}{sep}confirmed={done}"));
    Ok(())
}

#[component]
pub fn HouseholdsPage() -> impl IntoView {
    let lang = use_lang();
    let Some(user) = current_user() else { return redirect_to_login("/station/households") };
    if !user.role.is_station_team() {
        return view! { <ErrorPage status=403 title=T::ErrForbiddenTitle body=T::ErrForbiddenBody /> }.into_any();
    }
    let query = use_query_map().get_untracked();
    let building: Option<i64> = query.get("building").and_then(|b| b.parse().ok());
    let after: Option<i64> = query.get("after").and_then(|b| b.parse().ok());
    let confirmed = query.get("confirmed");
    let data = Resource::new(|| (), move |_| households(building, after));
    let back = match building {
        Some(b) => format!("/station/households?building={b}"),
        None => "/station/households".to_string(),
    };
    view! {
        <StationFrame title=lang.t(T::HouseholdsDesk).to_string()>
            <p class="lead">{lang.t(T::HouseholdsIntro)}</p>
            {confirmed.map(|n| view! { <p class="notice" role="status">{lang.t(T::AddressesConfirmed)} " " {n}</p> })}
            <Suspense fallback=|| ()>
                {move || {
                    let back = back.clone();
                    Suspend::new(async move {
                        let list = match data.await {
                            Ok(l) => l,
                            Err(e) => return view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                        };
                        let chosen = building.unwrap_or(0);
                        view! {
                            <form method="get" action="/station/households" class="search card">
                                <label for="f-building">{lang.t(T::Building)}</label>
                                <select id="f-building" name="building">
                                    <option value="">{lang.t(T::AllBuildings)}</option>
                                    {list.buildings.iter().map(|(id, name)| view! {
                                        <option value=id.to_string() selected=*id == chosen>{name.get(lang).to_string()}</option>
                                    }).collect_view()}
                                </select>
                                <button type="submit" class="button">{lang.t(T::Search)}</button>
                            </form>
                            {if list.lines.is_empty() {
                                view! { <p class="card hint">{lang.t(T::NoUnverified)}</p> }.into_any()
                            } else {
                                let lines = list.lines.clone();
                                view! {
                                    <EnhancedForm lang=lang>
                                        <form method="post" action=ConfirmAddresses::url() class="card form">
                                            <FormBanner error=None />
                                            <input type="hidden" name="back" value=back.clone() />
                                            <ul class="plain households">
                                                {lines.into_iter().enumerate().map(|(i, l)| view! {
                                                    <li data-household=l.id.to_string()>
                                                        <label>
                                                            <input type="checkbox" name=format!("ids[{i}]") value=l.id.to_string() />
                                                            " " <strong>{l.name}</strong> " · " {l.building} " " {l.unit_no} "-" {l.room}
                                                            " · " <span class="muted small">{l.registered}</span>
                                                        </label>
                                                    </li>
                                                }).collect_view()}
                                            </ul>
                                            <button type="submit" class="button primary">{lang.t(T::ConfirmAddresses)}</button>
                                        </form>
                                    </EnhancedForm>
                                }.into_any()
                            }}
                            {list.next.map(|n| {
                                let href = match building {
                                    Some(b) => format!("/station/households?building={b}&after={n}"),
                                    None => format!("/station/households?after={n}"),
                                };
                                view! { <a class="button" href=href>{lang.t(T::NextPage)}</a> }
                            })}
                        }
                        .into_any()
                    })
                }}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}
