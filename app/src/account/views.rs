//! Log in and register.

use crate::account::api::{Activate, Login, Register, SendCode};
use crate::account::verify_views::{waiting, AskCode, CodeSent, ResendCode};
use crate::community::{community_buildings, list_communities, CommunityOption};
use crate::form::{load_state, EnhancedForm, Field, FormBanner, FormState, SubmitButton};
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::ui::{current_user, Page, Tab};
use crate::verify::{Pending, Purpose};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let next = use_query_map().get_untracked().get("next").unwrap_or_default();
    let was_reset = use_query_map().get_untracked().get("reset").is_some();
    let activated = use_query_map().get_untracked().get("activated").is_some();
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
                            {was_reset.then(|| view! { <p class="notice" role="status">{lang.t(T::ResetDone)}</p> })}
                            {activated.then(|| view! { <p class="notice" role="status">{lang.t(T::ActivatedLogIn)}</p> })}
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
                                <a href="/forgot">{lang.t(T::ForgotPassword)}</a>
                            </p>
                            <p class="aside">
                                <a href="/activate">{lang.t(T::ActivateLink)}</a>
                            </p>
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

/// `/activate`: a new staff account's holder sets their password with the one-time code
/// their admin handed them in person.
#[component]
pub fn ActivatePage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_some() {
        #[cfg(feature = "ssr")]
        crate::request::page_redirect("/me");
    }
    let state = Resource::new(|| (), |_| load_state("activate", Activate::PATH));
    view! {
        <Page tab=Tab::Me title=lang.t(T::ActivateTitle).to_string()>
            <p class="lead">{lang.t(T::ActivateIntro)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let s = state.await;
                    view! {
                        <EnhancedForm lang=lang>
                            <form method="post" action=Activate::url() class="card form" novalidate>
                                <FormBanner error=s.error.clone() />
                                <Field name="phone" label=T::Phone kind="tel" value=s.value("phone") problem=s.problem("phone")
                                    autocomplete="username" inputmode="numeric" maxlength=20 />
                                <Field name="code" label=T::ActivationCode problem=s.problem("code") autocomplete="one-time-code"
                                    inputmode="numeric" maxlength=8 />
                                <Field name="new" label=T::NewPassword hint=T::PasswordHint kind="password" problem=s.problem("new")
                                    autocomplete="new-password" />
                                <Field name="confirm" label=T::PasswordConfirm kind="password" problem=s.problem("confirm")
                                    autocomplete="new-password" />
                                <SubmitButton label=T::Activate />
                            </form>
                        </EnhancedForm>
                    }
                })}
            </Suspense>
            <p class="aside"><a href="/login">{lang.t(T::Login)}</a></p>
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
    let other = query.get("other").is_some();
    let state = Resource::new(
        || (),
        move |_| async move {
            let ask = load_state("register", SendCode::PATH).await;
            let form = load_state("register", Register::PATH).await;
            (ask, form, waiting(Purpose::Register, other).await)
        },
    );
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
                    let (ask, s, pending) = state.await;
                    let (communities, mut chosen) = data.await;
                    if chosen.is_empty() {
                        chosen = s.value("community");
                    }
                    let community = communities.iter().find(|c| c.code == chosen).cloned();
                    match (community, pending) {
                        (None, _) => view! { <CommunityPicker communities=communities lang=lang /> }.into_any(),
                        (Some(c), None) => {
                            let next = format!("/register?community={}", c.code);
                            view! { <AskCode purpose=Purpose::Register next=next state=ask lang=lang /> }.into_any()
                        }
                        (Some(c), Some(p)) => view! { <RegisterForm community=c pending=p state=s lang=lang /> }.into_any(),
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
fn RegisterForm(community: CommunityOption, pending: Pending, state: FormState, lang: Lang) -> impl IntoView {
    let s = state;
    let code = community.code.clone();
    let here = format!("/register?community={}", community.code);
    let other = format!("{here}&other=1");
    let for_form = pending.clone();
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
                <CodeSent pending=for_form other_href=Some(other) problem=s.problem("sms_code") lang=lang />
                <p class="field-error" data-error-for="phone">{s.problem("phone").map(|p| lang.t(p))}</p>
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
                <Field
                    name="claim_code"
                    label=T::ClaimCode
                    hint=T::ClaimCodeHint
                    problem=s.problem("claim_code")
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    maxlength=8
                    required=false
                />
                <div class="field check">
                    <label>
                        <input type="checkbox" name="consent" value="yes" required />
                        " " <a href="/privacy" target="_blank">{lang.t(T::ConsentLabel)}</a>
                    </label>
                    <p class="hint">{lang.t(T::AgreePrivacy)}</p>
                    <p class="field-error" data-error-for="consent">{s.problem("consent").map(|p| lang.t(p))}</p>
                </div>
                <SubmitButton label=T::Register />
            </form>
        </EnhancedForm>
        <ResendCode purpose=Purpose::Register pending=pending next=here lang=lang />
    }
}
