//! The steps that prove a phone: ask for a code, see where it went, type it. Used by
//! registration (`/register`) and the forgotten password (`/forgot`); every step is a
//! plain form that works without JavaScript.

use crate::account::api::{ResetPassword, SendCode};
use crate::form::{load_state, EnhancedForm, Field, FormBanner, FormState, SubmitButton};
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::ui::{current_user, Page, Tab};
use crate::verify::{Pending, Purpose};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

/// The code waiting for this browser, unless the person asked to use another number.
pub async fn waiting(purpose: Purpose, other: bool) -> Option<Pending> {
    if other {
        return None;
    }
    crate::account::api::pending_code(purpose.as_str().to_string()).await.ok().flatten()
}

/// Step one: the number to send a code to.
#[component]
pub fn AskCode(purpose: Purpose, next: String, state: FormState, lang: Lang) -> impl IntoView {
    let s = state;
    view! {
        <EnhancedForm lang=lang>
            <form method="post" action=SendCode::url() class="card form" novalidate>
                <FormBanner error=s.error.clone() />
                <p class="hint">{lang.t(T::VerifyPhoneFirst)}</p>
                <input type="hidden" name="purpose" value=purpose.as_str() />
                <input type="hidden" name="next" value=next />
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
                <SubmitButton label=T::SendCode />
            </form>
        </EnhancedForm>
    }
}

/// Where the code went (and, on a demo site, the code itself), with the code's field.
#[component]
pub fn CodeSent(pending: Pending, other_href: Option<String>, problem: Option<T>, lang: Lang) -> impl IntoView {
    // A number typed in may not be able to use this (the answer never says); the
    // account's own number always gets its code, and cannot be swapped for another.
    let said = if other_href.is_some() { T::CodeSentTo } else { T::CodeSentToYours };
    view! {
        <p class="notice" data-code-sent="">
            {lang.t(said)} " " <strong>{pending.phone_masked.clone()}</strong>
            {other_href.map(|href| view! { " · " <a href=href>{lang.t(T::OtherNumber)}</a> })}
        </p>
        {pending
            .demo_code
            .clone()
            .map(|code| {
                let attr = code.clone();
                view! {
                    <p class="notice demo" data-demo-code=attr>
                        <span class="badge">{lang.t(T::DemoBadge)}</span> " " {lang.t(T::DemoCodeNote)} " "
                        <strong>{code}</strong>
                    </p>
                }
            })}
        <input type="hidden" name="phone" value=pending.phone.clone() />
        <Field
            name="sms_code"
            label=T::SmsCode
            hint=T::SmsCodeHint
            problem=problem
            inputmode="numeric"
            autocomplete="one-time-code"
            maxlength=7
        />
    }
}

/// Sends another code to the same number (its own small form, after the main one).
#[component]
pub fn ResendCode(purpose: Purpose, pending: Pending, next: String, lang: Lang) -> impl IntoView {
    let wait = pending.resend_in_secs;
    view! {
        <EnhancedForm lang=lang>
            <form method="post" action=SendCode::url() class="inline-form">
                <input type="hidden" name="purpose" value=purpose.as_str() />
                <input type="hidden" name="phone" value=pending.phone.clone() />
                <input type="hidden" name="next" value=next />
                <FormBanner error=None />
                <button type="submit" class="button link">{lang.t(T::ResendCode)}</button>
                {(wait > 0).then(|| view! { <span class="hint">" " {wait} " " {lang.t(T::ResendWait)}</span> })}
            </form>
        </EnhancedForm>
    }
}

/// `/forgot`: a forgotten password, reset with a code sent to the phone.
#[component]
pub fn ForgotPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_some() {
        #[cfg(feature = "ssr")]
        crate::request::page_redirect("/me");
    }
    let other = use_query_map().get_untracked().get("other").is_some();
    let data = Resource::new(
        || (),
        move |_| async move {
            let ask = load_state("forgot", SendCode::PATH).await;
            let reset = load_state("forgot", ResetPassword::PATH).await;
            (waiting(Purpose::Reset, other).await, ask, reset)
        },
    );
    view! {
        <Page tab=Tab::Me title=lang.t(T::ResetTitle).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let (pending, ask, reset) = data.await;
                    match pending {
                        None => view! { <AskCode purpose=Purpose::Reset next="/forgot".into() state=ask lang=lang /> }.into_any(),
                        Some(p) => view! { <ResetForm pending=p state=reset lang=lang /> }.into_any(),
                    }
                })}
            </Suspense>
            <p class="aside"><a href="/login">{lang.t(T::Login)}</a></p>
        </Page>
    }
}

#[component]
fn ResetForm(pending: Pending, state: FormState, lang: Lang) -> impl IntoView {
    let s = state;
    let for_form = pending.clone();
    view! {
        <EnhancedForm lang=lang>
            <form method="post" action=ResetPassword::url() class="card form" novalidate>
                <FormBanner error=s.error.clone() />
                <CodeSent pending=for_form other_href=Some("/forgot?other=1".into()) problem=s.problem("sms_code") lang=lang />
                <Field
                    name="new"
                    label=T::NewPassword
                    hint=T::PasswordHint
                    kind="password"
                    problem=s.problem("new")
                    autocomplete="new-password"
                />
                <Field
                    name="confirm"
                    label=T::PasswordConfirm
                    kind="password"
                    problem=s.problem("confirm")
                    autocomplete="new-password"
                />
                <SubmitButton label=T::SetNewPassword />
            </form>
        </EnhancedForm>
        <ResendCode purpose=Purpose::Reset pending=pending next="/forgot".into() lang=lang />
    }
}

/// `/login/verify`: a staff login's second step on a device not trusted yet.
#[component]
pub fn LoginVerifyPage() -> impl IntoView {
    use crate::account::api::LoginVerify;
    let lang = use_lang();
    let next = use_query_map().get_untracked().get("next").unwrap_or_default();
    let data = Resource::new(
        || (),
        |_| async move {
            let state = load_state("login-verify", LoginVerify::PATH).await;
            (crate::account::api::login_pending().await.ok().flatten(), state)
        },
    );
    view! {
        <Page tab=Tab::Me title=lang.t(T::SecondFactorTitle).to_string()>
            <Suspense fallback=|| ()>
                {move || {
                    let next = next.clone();
                    Suspend::new(async move {
                        let (pending, s) = data.await;
                        match pending {
                            None => view! { <p class="card"><a href="/login">{lang.t(T::Login)}</a></p> }.into_any(),
                            Some(p) => view! {
                                <EnhancedForm lang=lang>
                                    <form method="post" action=LoginVerify::url() class="card form" novalidate>
                                        <FormBanner error=s.error.clone() />
                                        <p class="hint">{lang.t(T::SecondFactorHint)}</p>
                                        <input type="hidden" name="next" value=next />
                                        <CodeSent pending=p other_href=None problem=s.problem("sms_code") lang=lang />
                                        <SubmitButton label=T::Login />
                                    </form>
                                </EnhancedForm>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </Page>
    }
}

/// `/me/phone`: moving the account to a new number (a code goes to the new one).
#[component]
pub fn ChangePhonePage() -> impl IntoView {
    use crate::account::api::ChangePhone;
    let lang = use_lang();
    if current_user().is_none() {
        #[cfg(feature = "ssr")]
        crate::request::page_redirect("/login?next=/me/phone");
    }
    let other = use_query_map().get_untracked().get("other").is_some();
    let data = Resource::new(
        || (),
        move |_| async move {
            let ask = load_state("phone", SendCode::PATH).await;
            let change = load_state("phone", ChangePhone::PATH).await;
            (waiting(Purpose::PhoneChange, other).await, ask, change)
        },
    );
    view! {
        <Page tab=Tab::Me title=lang.t(T::ChangePhoneTitle).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let (pending, ask, s) = data.await;
                    match pending {
                        None => view! { <AskCode purpose=Purpose::PhoneChange next="/me/phone".into() state=ask lang=lang /> }.into_any(),
                        Some(p) => {
                            let for_form = p.clone();
                            view! {
                                <EnhancedForm lang=lang>
                                    <form method="post" action=ChangePhone::url() class="card form" novalidate>
                                        <FormBanner error=s.error.clone() />
                                        <CodeSent pending=for_form other_href=Some("/me/phone?other=1".into()) problem=s.problem("sms_code") lang=lang />
                                        <p class="field-error" data-error-for="phone">{s.problem("phone").map(|p| lang.t(p))}</p>
                                        <SubmitButton label=T::ChangePhoneTitle />
                                    </form>
                                </EnhancedForm>
                                <ResendCode purpose=Purpose::PhoneChange pending=p next="/me/phone".into() lang=lang />
                            }
                            .into_any()
                        }
                    }
                })}
            </Suspense>
            <p class="aside"><a href="/me">{lang.t(T::TabMe)}</a></p>
        </Page>
    }
}
