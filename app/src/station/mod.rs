//! The station desk (`/station`): staff only. What each staff member sees is limited to
//! their scope; later features add the work-item board here.

use crate::community::{station_overview, StationDesk};
use crate::error::AppError;
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::shell::{current_user, redirect_to_login, ErrorPage, StationFrame};
use leptos::prelude::*;

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
    let overview = Resource::new(|| (), |_| station_overview());
    view! {
        <StationFrame title=lang.t(T::StationWelcome).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => view! { <Overview o=o lang=lang /> }.into_any(),
                        Err(e) => view! { <StationError e=e lang=lang /> }.into_any(),
                    }
                })}
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
