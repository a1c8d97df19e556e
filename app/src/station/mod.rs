//! The station desk (`/station`): staff only. What each staff member sees is limited to
//! their scope; later features add the work-item board here.

use crate::auth::Role;
use crate::error::AppError;
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, ErrorPage, StationFrame};
use crate::work::api::{department_board, station_board, BoardFilter};
use crate::work::board::{DepartmentBoard, StationBoard};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use overview::{station_overview, StationDesk};

pub mod found;
pub mod households;
pub mod intake;
pub mod overview;

/// The board's filters from the page's query string.
fn filter_from_query() -> BoardFilter {
    let q = use_query_map().get_untracked();
    let get = |k: &str| q.get(k).filter(|v| !v.is_empty());
    BoardFilter {
        state: get("state"),
        area: get("area"),
        family: get("family"),
        urgency: get("urgency"),
        overdue: get("overdue").is_some_and(|v| v == "true"),
        mine: get("mine").is_some_and(|v| v == "true"),
        after: get("after"),
    }
}

#[component]
pub fn StationPage() -> impl IntoView {
    let lang = use_lang();
    let Some(user) = current_user() else {
        return redirect_to_login("/station");
    };
    // The server function checks the role again; this only picks the right page.
    if !user.scope().may_enter_station() {
        return view! { <ErrorPage status=403 title=T::ErrForbiddenTitle body=T::ErrForbiddenBody /> }.into_any();
    }
    let role = user.role;
    let filter = filter_from_query();
    let f = filter.clone();
    let work = Resource::new(
        || (),
        move |_| {
            let f = f.clone();
            async move {
                if role.is_station_team() {
                    station_board(f.state, f.area, f.family, f.urgency, Some(f.overdue), Some(f.mine), f.after)
                        .await
                        .map(Some)
                } else {
                    Ok(None)
                }
            }
        },
    );
    let whistles = Resource::new(
        || (),
        move |_| async move {
            if role == Role::Department {
                department_board().await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    let overview = Resource::new(|| (), |_| station_overview());
    view! {
        <StationFrame title=lang.t(T::StationWelcome).to_string()>
            <Suspense fallback=|| ()>
                {move || {
                    let filter = filter.clone();
                    Suspend::new(async move {
                        let board = match work.await {
                            Ok(b) => b,
                            Err(e) => return view! { <StationError e=e lang=lang /> }.into_any(),
                        };
                        let whistles = whistles.await.ok().flatten();
                        let overview = overview.await;
                        view! {
                            {board.map(|b| view! { <StationBoard board=b filter=filter lang=lang /> })}
                            {whistles.map(|w| view! {
                                <h2>{lang.t(T::WhistlesToUs)}</h2>
                                <DepartmentBoard lines=w lang=lang />
                            })}
                            {match overview {
                                Ok(o) => view! { <Overview o=o lang=lang /> }.into_any(),
                                Err(e) => view! { <StationError e=e lang=lang /> }.into_any(),
                            }}
                        }
                        .into_any()
                    })
                }}
            </Suspense>
        </StationFrame>
    }
    .into_any()
}

#[component]
fn StationError(e: AppError, lang: Lang) -> impl IntoView {
    view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }
}

#[component]
fn Overview(o: StationDesk, lang: Lang) -> impl IntoView {
    view! {
        <section class="card">
            <p class="lead">
                <strong>{o.display_name.clone()}</strong> " · " {lang.t(o.role.label())}
            </p>
            <dl class="facts">
                <dt>{lang.t(T::StationScope)}</dt>
                <dd data-testid="scope">{o.scope_name.get(lang).to_string()}</dd>
                {o.department.as_ref().map(|d| view! {
                    <dt>{lang.t(T::RoleDepartment)}</dt>
                    <dd>{d.get(lang).to_string()}</dd>
                })}
            </dl>
        </section>
        {o.community.map(|c| view! {
            <section class="card">
                <h2>{lang.t(T::StationTeam)}</h2>
                <ul class="plain">
                    {c.staff.into_iter().map(|s| view! {
                        <li>{s.display_name} " · " <span class="muted">{lang.t(s.role.label())}</span></li>
                    }).collect_view()}
                </ul>
            </section>
            <section class="card">
                <h2>{lang.t(T::StationTeamAndAreas)}</h2>
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{lang.t(T::GridArea)}</th>
                            <th scope="col">{lang.t(T::AreaDirector)}</th>
                            <th scope="col">{lang.t(T::Buildings)}</th>
                            <th scope="col">{lang.t(T::Households)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {c.areas.into_iter().map(|a| {
                            let buildings = a.buildings.iter().map(|b| b.get(lang).to_string()).collect::<Vec<_>>().join("、");
                            view! {
                                <tr>
                                    <th scope="row">{a.name.get(lang).to_string()}</th>
                                    <td>{a.director.unwrap_or_else(|| lang.t(T::NoDirector).to_string())}</td>
                                    <td>{buildings}</td>
                                    <td>{a.households}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
        {(!o.below.is_empty()).then(|| view! {
            <section class="card">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{lang.t(T::Subdistricts)} " / " {lang.t(T::Communities)}</th>
                            <th scope="col">{lang.t(T::Communities)}</th>
                            <th scope="col">{lang.t(T::RoleResident)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {o.below.into_iter().map(|r| view! {
                            <tr>
                                <th scope="row">{r.name.get(lang).to_string()}</th>
                                <td>{r.children}</td>
                                <td>{r.residents}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
        {(!o.departments.is_empty()).then(|| view! {
            <section class="card">
                <h2>{lang.t(T::Departments)}</h2>
                <ul class="plain">
                    {o.departments.into_iter().map(|d| view! { <li>{d.get(lang).to_string()}</li> }).collect_view()}
                </ul>
            </section>
        })}
    }
}
