//! `/privacy` (the notice, for everyone), `/me/privacy` (the rights) and `/account-deleted`
//! (the receipt).

use super::{AccessEntry, Consent, DeleteAccount, PrivacyOverview};
use crate::account::api::SendCode;
use crate::account::verify_views::{waiting, CodeSent, ResendCode};
use crate::form::{load_state, EnhancedForm, FormBanner, SubmitButton};
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::ui::{current_user, Page, Tab};
use crate::verify::Purpose;
use leptos::prelude::*;
use server_fn::ServerFn;

#[component]
pub fn NoticePage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Page tab=Tab::Me title=lang.t(T::PrivacyNoticeTitle).to_string()>
            <Notice lang=lang />
        </Page>
    }
}

#[component]
fn Notice(lang: Lang) -> impl IntoView {
    let part = |title: T, body: T| {
        view! {
            <h2>{lang.t(title)}</h2>
            <p>{lang.t(body)}</p>
        }
    };
    view! {
        <section class="card notice-text">
            <p class="hint">{lang.t(T::NoticeVersion)} " " {crate::auth::rules::PRIVACY_NOTICE_VERSION}</p>
            {part(T::NoticeWhatTitle, T::NoticeWhat)}
            {part(T::NoticeWhyTitle, T::NoticeWhy)}
            {part(T::NoticeWhoTitle, T::NoticeWho)}
            {part(T::NoticeHowLongTitle, T::NoticeHowLong)}
            {part(T::NoticeRightsTitle, T::NoticeRights)}
        </section>
    }
}

#[component]
pub fn MyPrivacyPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        #[cfg(feature = "ssr")]
        crate::request::page_redirect("/login?next=/me/privacy");
    }
    let before = crate::paging::before_in_url();
    let data = Resource::new(
        || (),
        move |_| {
            let before = before.clone();
            async move {
                let overview = super::overview(before).await;
                let ask = load_state("delete", SendCode::PATH).await;
                let delete = load_state("delete", DeleteAccount::PATH).await;
                (overview, waiting(Purpose::Delete, false).await, ask, delete)
            }
        },
    );
    let resident = current_user().is_some_and(|u| u.role == crate::auth::Role::Resident);
    view! {
        <Page tab=Tab::Me title=lang.t(T::MyPrivacy).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let (overview, pending, ask, delete) = data.await;
                    let Ok(o) = overview else { return view! { <p>{lang.t(T::LoginTitle)}</p> }.into_any() };
                    view! {
                        <ConsentCard o=o.clone() lang=lang />
                        <section class="card">
                            <h2>{lang.t(T::DownloadMyData)}</h2>
                            <p class="hint">{lang.t(T::DownloadMyDataHint)}</p>
                            <a class="button" href="/me/privacy/my-data.zip" download="" rel="external">
                                {lang.t(T::DownloadMyData)}
                            </a>
                        </section>
                        <AccessLog o=o lang=lang />
                        {resident.then(|| view! {
                            <section class="card" id="delete">
                                <h2>{lang.t(T::DeleteAccount)}</h2>
                                <p class="hint">{lang.t(T::DeleteAccountHint)}</p>
                                {match pending.clone() {
                                    None => view! {
                                        <EnhancedForm lang=lang>
                                            <form method="post" action=SendCode::url() class="form">
                                                <FormBanner error=ask.error.clone() />
                                                <input type="hidden" name="purpose" value="delete" />
                                                <input type="hidden" name="next" value="/me/privacy#delete" />
                                                <SubmitButton label=T::SendCode />
                                            </form>
                                        </EnhancedForm>
                                    }.into_any(),
                                    Some(p) => {
                                        let for_form = p.clone();
                                        view! {
                                            <EnhancedForm lang=lang>
                                                <form method="post" action=DeleteAccount::url() class="form" novalidate>
                                                    <FormBanner error=delete.error.clone() />
                                                    <CodeSent pending=for_form other_href=None problem=delete.problem("sms_code") lang=lang />
                                                    <div class="field check">
                                                        <label>
                                                            <input type="checkbox" name="delete_comments" value="yes" />
                                                            " " {lang.t(T::DeleteComments)}
                                                        </label>
                                                    </div>
                                                    <button type="submit" class="button danger" data-busy-label=lang.t(T::Sending)>
                                                        {lang.t(T::DeleteConfirm)}
                                                    </button>
                                                </form>
                                            </EnhancedForm>
                                            <ResendCode purpose=Purpose::Delete pending=p next="/me/privacy#delete".into() lang=lang />
                                        }.into_any()
                                    }
                                }}
                            </section>
                        })}
                    }
                    .into_any()
                })}
            </Suspense>
        </Page>
    }
}

#[component]
fn ConsentCard(o: PrivacyOverview, lang: Lang) -> impl IntoView {
    let needs = o.needs_consent();
    view! {
        <section class="card">
            <h2>{lang.t(T::PrivacyNoticeTitle)}</h2>
            {o.agreed.clone().map(|(v, at)| view! {
                <p>{lang.t(T::ConsentGiven)} ": " <strong>{v}</strong> " · " {at}</p>
            })}
            <p><a href="/privacy">{lang.t(T::PrivacyNoticeTitle)} " (" {lang.t(T::NoticeVersion)} " " {o.notice_version.clone()} ")"</a></p>
            {needs.then(|| view! {
                <EnhancedForm lang=lang>
                    <form method="post" action=Consent::url() class="form">
                        <p class="notice" role="status">{lang.t(T::ConsentNeeded)}</p>
                        <FormBanner error=None />
                        <SubmitButton label=T::Agree />
                    </form>
                </EnhancedForm>
            })}
        </section>
    }
}

#[component]
fn AccessLog(o: PrivacyOverview, lang: Lang) -> impl IntoView {
    let entry = move |e: AccessEntry| {
        let what = if e.contact { T::ReadContact } else { T::ReadCase };
        let reason = (!e.reason.is_empty()).then(|| format!("「{}」", e.reason));
        view! {
            <li data-access-entry="">
                <span class="when">{e.at}</span> " · " <strong>{lang.t(e.role.label())}</strong> " "
                {lang.t(what)} " · " {lang.t(T::WorkItemNo)} " #" {e.work_item_id} " " {reason}
            </li>
        }
    };
    let more = o.more.clone();
    view! {
        <section class="card" id="access">
            <h2>{lang.t(T::WhoLooked)}</h2>
            {if o.reads.is_empty() {
                view! { <p class="hint">{lang.t(T::WhoLookedNone)}</p> }.into_any()
            } else {
                view! { <ul class="access-log">{o.reads.into_iter().map(entry).collect_view()}</ul> }.into_any()
            }}
            <crate::paging::NextPage path="/me/privacy".into() next=more lang=lang />
        </section>
    }
}

#[component]
pub fn AccountDeletedPage() -> impl IntoView {
    let lang = use_lang();
    let receipt = Resource::new(|| (), |_| super::receipt());
    view! {
        <Page tab=Tab::Me title=lang.t(T::AccountDeletedTitle).to_string()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let r = receipt.await.ok().flatten();
                    let (no, at) = r
                        .as_deref()
                        .and_then(|r| r.split_once('|'))
                        .map(|(a, b)| (a.to_string(), b.to_string()))
                        .unwrap_or_default();
                    let attr = no.clone();
                    view! {
                        <section class="card receipt" data-receipt=attr>
                            <p>{lang.t(T::AccountDeletedBody)}</p>
                            <p>{lang.t(T::ReceiptNo)} ": " <strong>{no}</strong></p>
                            <p>{lang.t(T::DeletedAt)} ": " {at}</p>
                        </section>
                    }
                })}
            </Suspense>
        </Page>
    }
}
