//! `/me/reach`: how the account is reached outside the app (push on this phone, the
//! devices, per topic which channel, SMS only, for a family member too). The settings and
//! their server functions are [`crate::notifications::reach`].

use crate::form::EnhancedForm;
use crate::i18n::{Lang, T};
use crate::notifications::reach::{my_reach, ReachView, RemoveDevice, SaveReach};
use crate::notifications::views::topic_label;
use crate::paging::failed;
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, Page, Tab};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

#[component]
pub fn ReachPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/me/reach");
    }
    let query = use_query_map().get_untracked();
    let member = query.get("member").and_then(|m| m.parse::<i64>().ok());
    let saved = query.get("saved").is_some();
    let data = Resource::new(move || member, my_reach);
    view! {
        <Page tab=Tab::Me title=lang.t(T::ReachTitle).to_string()>
            {saved.then(|| view! { <p class="notice" role="status">{lang.t(T::ReachSaved)}</p> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(r) => view! { <Reach r=r lang=lang /> }.into_any(),
                        Err(e) => failed(e, lang),
                    }
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}

#[component]
fn Reach(r: ReachView, lang: Lang) -> impl IntoView {
    let member = r.member.clone();
    let member_field = member.clone().map(|(id, _)| id);
    let has_member = member.is_some();
    let hint = sms_hint(&r, lang);
    view! {
        <p class="hint">{lang.t(T::ReachIntro)}</p>
        {member.clone().map(|(_, name)| view! {
            <p class="notice" data-testid="reach-member">{lang.t(T::ReachForWhom)} <strong>{name}</strong></p>
        })}
        {(!has_member).then(|| view! { <ThisDevice r=r.clone() lang=lang /> })}
        <section class="card">
            <EnhancedForm lang=lang>
                <form method="post" action=SaveReach::url() class="form reach-form">
                    {member_field.map(|id| view! { <input type="hidden" name="member" value=id.to_string() /> })}
                    <label class="choice">
                        <input type="checkbox" name="sms_only" value="on" checked=r.sms_only data-testid="sms-only" />
                        <span>{lang.t(T::ReachSmsOnly)}</span>
                    </label>
                    <table class="reach-table">
                        <thead>
                            <tr>
                                <th scope="col">{lang.t(T::ReachTopic)}</th>
                                <th scope="col">{lang.t(T::ReachPush)}</th>
                                <th scope="col">{lang.t(T::ReachSms)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {r.switches.iter().map(|s| {
                                let label = lang.t(topic_label(s.topic));
                                let push_name = format!("push[{}]", s.topic.as_str());
                                let sms_name = format!("sms[{}]", s.topic.as_str());
                                view! {
                                    <tr>
                                        <th scope="row">{label}</th>
                                        <td>
                                            <input type="checkbox" name=push_name value="on" checked=s.push
                                                aria-label=format!("{label} · {}", lang.t(T::ReachPush)) />
                                        </td>
                                        <td>
                                            {match s.sms {
                                                Some(on) => view! {
                                                    <input type="checkbox" name=sms_name value="on" checked=on
                                                        aria-label=format!("{label} · {}", lang.t(T::ReachSms)) />
                                                }.into_any(),
                                                None => view! { <span class="muted" aria-hidden="true">{lang.t(T::ReachNotOffered)}</span> }.into_any(),
                                            }}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p class="hint">
                        {hint}
                    </p>
                    <button type="submit" class="button primary">{lang.t(T::ReachSave)}</button>
                </form>
            </EnhancedForm>
        </section>
        {(!r.members.is_empty()).then(|| view! {
            <section class="card">
                <h2>{lang.t(T::ReachForMember)}</h2>
                <ul class="plain">
                    {has_member.then(|| view! { <li><a href="/me/reach">{lang.t(T::ReachTitle)}</a></li> })}
                    {r.members.iter().map(|(id, name)| view! {
                        <li><a href=format!("/me/reach?member={id}")>{name.clone()}</a></li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}

/// What SMS is for, the hours the sender holds it back (`SMS_QUIET_HOURS`, not a fixed text)
/// and the daily cap, as one sentence.
fn sms_hint(r: &ReachView, lang: Lang) -> String {
    let quiet = r.quiet.map(|q| format!("{:02}:00–{:02}:00{}", q.from, q.until, lang.t(T::ReachQuiet)));
    format!(
        "{}{}{}{}{}",
        lang.t(T::ReachSmsHint),
        quiet.unwrap_or_default(),
        lang.t(T::ReachSmsCap),
        r.sms_per_day,
        lang.t(T::ReachSmsHintEnd)
    )
}

/// This phone's push switch: `/reach.js` shows the button where the browser can take pushes,
/// subscribes with the site's key and says what happened, in the words carried here.
#[component]
fn ThisDevice(r: ReachView, lang: Lang) -> impl IntoView {
    view! {
        <section class="card" id="push">
            <h2>{lang.t(T::ReachThisDevice)}</h2>
            <div class="push-device" data-push-key=r.public_key.clone() data-subscribe=crate::notifications::reach::SubscribePush::url()
                data-done=lang.t(T::ReachPushDone) data-denied=lang.t(T::ReachPushDenied)
                data-unsupported=lang.t(T::ReachPushUnsupported) data-failed=lang.t(T::ErrNetwork)>
                <button type="button" class="button primary" data-push-on hidden>{lang.t(T::ReachPushOn)}</button>
                <p class="hint" data-push-status role="status"></p>
                <noscript><p class="hint">{lang.t(T::ReachPushNeedsJs)}</p></noscript>
            </div>
            <h3>{lang.t(T::ReachDevices)}</h3>
            {if r.devices.is_empty() {
                view! { <p class="muted" data-testid="no-devices">{lang.t(T::ReachNoDevices)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain devices">
                        {r.devices.iter().map(|d| view! {
                            <li data-testid="device">
                                <span>{d.label.clone()} " · " <span class="muted small">{d.since.clone()}</span></span>
                                <form method="post" action=RemoveDevice::url() class="inline-form">
                                    <input type="hidden" name="id" value=d.id.to_string() />
                                    <button type="submit" class="button secondary small">{lang.t(T::ReachRemove)}</button>
                                </form>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
