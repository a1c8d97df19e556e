//! Log in, register, and the Me page.

use super::api::{my_account, ChangePassword, Login, Logout, Register};
use crate::community::{community_buildings, list_communities, CommunityOption};
use crate::form::{load_state, EnhancedForm, Field, FormBanner, FormState, SubmitButton};
use crate::i18n::{Lang, T};
use crate::prefs::{use_lang, ElderSwitch, LanguageSwitch};
use crate::shell::{current_user, redirect_to_login, Page, Tab};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let next = use_query_map().get_untracked().get("next").unwrap_or_default();
    if current_user().is_some() {
        #[cfg(feature = "ssr")]
        crate::request::page_redirect(crate::request::safe_next(Some(&next)).as_deref().unwrap_or("/me"));
    }
    let state = Resource::new(|| (), |_| load_state("login", Login::PATH));
    view! {
        <Page tab=Tab::Me title=lang.t(T::LoginTitle).to_string()>
            <Suspense fallback=|| ()>
                {move || {
                    let next = next.clone();
                    Suspend::new(async move {
                        let s = state.await;
                        view! {
                            <EnhancedForm lang=lang>
                                <form method="post" action=Login::url() class="card form" novalidate>
                                    <FormBanner error=s.error.clone() />
                                    <input type="hidden" name="next" value=next />
                                    <Field
                                        name="phone"
                                        label=T::Phone
                                        kind="tel"
                                        value=s.value("phone")
                                        problem=s.problem("phone")
                                        autocomplete="username"
                                        inputmode="numeric"
                                        maxlength=20
                                    />
                                    <Field
                                        name="password"
                                        label=T::Password
                                        kind="password"
                                        problem=s.problem("password")
                                        autocomplete="current-password"
                                    />
                                    <SubmitButton label=T::Login />
                                </form>
                            </EnhancedForm>
                            <p class="aside">
                                {lang.t(T::NoAccountYet)} " " <a href="/register">{lang.t(T::Register)}</a>
                            </p>
                        }
                    })
                }}
            </Suspense>
        </Page>
    }
}

/// Registration in two steps that both work without JavaScript: pick the community (a GET
/// form), then the account form with that community's buildings.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_some() {
        #[cfg(feature = "ssr")]
        crate::request::page_redirect("/me");
    }
    let query = use_query_map().get_untracked();
    let state = Resource::new(|| (), |_| load_state("register", Register::PATH));
    let data = Resource::new(
        move || query.get("community").unwrap_or_default(),
        |chosen| async move {
            let communities = list_communities().await.unwrap_or_default();
            (communities, chosen)
        },
    );
    view! {
        <Page tab=Tab::Me title=lang.t(T::RegisterTitle).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let s = state.await;
                    let (communities, mut chosen) = data.await;
                    if chosen.is_empty() {
                        chosen = s.value("community");
                    }
                    let community = communities.iter().find(|c| c.code == chosen).cloned();
                    match community {
                        None => view! { <CommunityPicker communities=communities lang=lang /> }.into_any(),
                        Some(c) => view! { <RegisterForm community=c state=s lang=lang /> }.into_any(),
                    }
                })}
            </Suspense>
            <p class="aside">{lang.t(T::HaveAccount)} " " <a href="/login">{lang.t(T::Login)}</a></p>
        </Page>
    }
}

#[component]
fn CommunityPicker(communities: Vec<CommunityOption>, lang: Lang) -> impl IntoView {
    view! {
        <form method="get" action="/register" class="card form">
            <div class="field">
                <label for="f-community">{lang.t(T::Community)}</label>
                <select id="f-community" name="community" required>
                    <option value="">{lang.t(T::ChooseCommunity)}</option>
                    {communities
                        .into_iter()
                        .map(|c| {
                            view! {
                                <option value=c.code>
                                    {c.name.get(lang).to_string()} " · " {c.subdistrict.get(lang).to_string()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <button type="submit" class="button primary">{lang.t(T::Submit)}</button>
        </form>
    }
}

#[component]
fn RegisterForm(community: CommunityOption, state: FormState, lang: Lang) -> impl IntoView {
    let s = state;
    let code = community.code.clone();
    let buildings = Resource::new(move || code.clone(), community_buildings);
    let chosen_building = s.value("building");
    let building_problem = s.problem("building");
    view! {
        <EnhancedForm lang=lang>
            <form method="post" action=Register::url() class="card form" novalidate>
                <FormBanner error=s.error.clone() />
                <input type="hidden" name="community" value=community.code.clone() />
                <div class="field">
                    <span class="label">{lang.t(T::Community)}</span>
                    <p class="value">
                        {community.name.get(lang).to_string()} " · " {community.subdistrict.get(lang).to_string()} " "
                        <a href="/register">{lang.t(T::ChooseCommunity)}</a>
                    </p>
                    <p class="field-error" data-error-for="community">{s.problem("community").map(|p| lang.t(p))}</p>
                </div>
                <Field
                    name="phone"
                    label=T::Phone
                    hint=T::PhoneHint
                    kind="tel"
                    value=s.value("phone")
                    problem=s.problem("phone")
                    autocomplete="tel"
                    inputmode="numeric"
                    maxlength=20
                />
                <Field
                    name="display_name"
                    label=T::DisplayName
                    hint=T::DisplayNameHint
                    value=s.value("display_name")
                    problem=s.problem("display_name")
                    autocomplete="nickname"
                    maxlength=20
                />
                <fieldset class="address">
                    <legend>{lang.t(T::Address)}</legend>
                    <div class="field">
                        <label for="f-building">{lang.t(T::Building)}</label>
                        <Suspense fallback=|| ()>
                            {move || {
                                let chosen = chosen_building.clone();
                                Suspend::new(async move {
                                    let list = buildings.await.unwrap_or_default();
                                    view! {
                                        <select
                                            id="f-building"
                                            name="building"
                                            required
                                            aria-invalid=building_problem.map(|_| "true")
                                            aria-describedby="f-building-error"
                                        >
                                            <option value="">{lang.t(T::ChooseBuilding)}</option>
                                            {list
                                                .into_iter()
                                                .map(|b| {
                                                    let id = b.id.to_string();
                                                    let selected = id == chosen;
                                                    view! {
                                                        <option value=id selected=selected>
                                                            {b.name.get(lang).to_string()}
                                                        </option>
                                                    }
                                                })
                                                .collect_view()}
                                        </select>
                                    }
                                })
                            }}
                        </Suspense>
                        <p class="field-error" id="f-building-error" data-error-for="building">
                            {building_problem.map(|p| lang.t(p))}
                        </p>
                    </div>
                    <div class="row">
                        <Field name="unit_no" label=T::UnitNo value=s.value("unit_no") problem=s.problem("unit_no") maxlength=10 />
                        <Field name="room" label=T::Room value=s.value("room") problem=s.problem("room") maxlength=10 />
                    </div>
                </fieldset>
                <Field
                    name="password"
                    label=T::Password
                    hint=T::PasswordHint
                    kind="password"
                    problem=s.problem("password")
                    autocomplete="new-password"
                />
                <Field
                    name="password_confirm"
                    label=T::PasswordConfirm
                    kind="password"
                    problem=s.problem("password_confirm")
                    autocomplete="new-password"
                />
                <p class="hint">{lang.t(T::AgreePrivacy)}</p>
                <SubmitButton label=T::Register />
            </form>
        </EnhancedForm>
    }
}

#[component]
pub fn MePage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/me");
    }
    let changed = use_query_map().get_untracked().get("changed").is_some();
    let account = Resource::new(|| (), |_| my_account());
    let family = Resource::new(|| (), |_| crate::family::family_links());
    let password_state = Resource::new(|| (), |_| load_state("password", ChangePassword::PATH));
    view! {
        <Page tab=Tab::Me title=lang.t(T::TabMe).to_string()>
            {changed.then(|| view! { <p class="notice" role="status">{lang.t(T::PasswordChanged)}</p> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let a = match account.await {
                        Ok(a) => a,
                        Err(e) => return view! { <p class="form-banner" role="alert">{e.message(lang)}</p> }.into_any(),
                    };
                    let ps = password_state.await;
                    let address = a
                        .building
                        .as_ref()
                        .map(|b| {
                            format!(
                                "{} {} {}{} {}",
                                a.region.get(lang),
                                b.get(lang),
                                a.unit_no.clone().unwrap_or_default(),
                                if lang == Lang::Zh { "单元" } else { "" },
                                a.room.clone().unwrap_or_default(),
                            )
                        });
                    view! {
                        <section class="card account">
                            <h2>{lang.t(T::AccountDetails)}</h2>
                            <dl class="facts">
                                <dt>{lang.t(T::DisplayName)}</dt>
                                <dd data-testid="display-name">{a.display_name.clone()}</dd>
                                <dt>{lang.t(T::Phone)}</dt>
                                <dd data-testid="phone">{a.phone_masked.clone()}</dd>
                                <dt>{lang.t(T::SignedInAs)}</dt>
                                <dd>{lang.t(a.role.label())} " · " {a.region.get(lang).to_string()}</dd>
                                {address.map(|addr| view! {
                                    <dt>{lang.t(T::MyAddress)}</dt>
                                    <dd>{addr}</dd>
                                })}
                                {a.volunteer_hours.clone().map(|h| view! {
                                    <dt>{lang.t(T::VolunteerHours)}</dt>
                                    <dd data-testid="volunteer-hours">{format!("{h} {}", lang.t(T::HoursUnit))}</dd>
                                })}
                            </dl>
                            {a.role.is_staff().then(|| view! {
                                <p><a class="button primary" href="/station">{lang.t(T::StationTitle)}</a></p>
                            })}
                        </section>
                        <nav class="card me-links" aria-label=lang.t(T::TabMe)>
                            <a href="/demands">{lang.t(T::MyDemands)}</a>
                            <a href="/appointments">{lang.t(T::MyBookings)}</a>
                            <a href="/activities">{lang.t(T::VolunteerActivities)}</a>
                            <a href="/visits/new">{lang.t(T::HomeVisitTitle)}</a>
                            <a href="/surveys">{lang.t(T::Surveys)}</a>
                            <a href="/notifications">{lang.t(T::Notifications)}</a>
                            <a href="/post">{lang.t(T::PostDemand)}</a>
                        </nav>
                        {(a.role == crate::auth::Role::Resident).then(|| view! {
                            <Suspense fallback=|| ()>
                                {move || Suspend::new(async move {
                                    let links = family.await.unwrap_or_default();
                                    view! { <crate::family::FamilySection links=links lang=lang /> }
                                })}
                            </Suspense>
                        })}
                        <section class="card settings">
                            <h2>{lang.t(T::Settings)}</h2>
                            <div class="setting">
                                <span>{lang.t(T::Language)}</span>
                                <LanguageSwitch />
                            </div>
                            <div class="setting">
                                <span>{lang.t(T::ElderMode)}</span>
                                <ElderSwitch />
                            </div>
                            <p class="hint">{lang.t(T::ElderModeHint)}</p>
                        </section>
                        <section class="card">
                            <h2>{lang.t(T::ChangePassword)}</h2>
                            <EnhancedForm lang=lang>
                                <form method="post" action=ChangePassword::url() class="form" novalidate>
                                    <FormBanner error=ps.error.clone() />
                                    <Field name="current" label=T::CurrentPassword kind="password" problem=ps.problem("current") autocomplete="current-password" />
                                    <Field name="new" label=T::NewPassword hint=T::PasswordHint kind="password" problem=ps.problem("new") autocomplete="new-password" />
                                    <Field name="confirm" label=T::PasswordConfirm kind="password" problem=ps.problem("confirm") autocomplete="new-password" />
                                    <SubmitButton label=T::ChangePassword />
                                </form>
                            </EnhancedForm>
                        </section>
                        <form method="post" action=Logout::url() class="logout">
                            <button type="submit" class="button danger">{lang.t(T::Logout)}</button>
                        </form>
                    }
                    .into_any()
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}
