//! The live part of a demand page: its state, its timeline and the resident's own actions,
//! refreshed while the page is open (an EventSource tells it when the item changed).

use crate::form::live::{LiveRegion, LiveTexts};
use crate::i18n::{Lang, T};
use crate::work::rules::{Action, Actor};
use crate::work::{state_label, EventKind, LiveStatus, TimelineEntry};
use leptos::prelude::*;

fn entry_text(e: &TimelineEntry, lang: Lang) -> String {
    match (e.from, e.to) {
        (_, Some(to)) if e.kind == EventKind::Transition || e.kind == EventKind::Posted => {
            format!("{} → {}", lang.t(e.kind.label()), lang.t(state_label(to)))
        }
        _ => lang.t(e.kind.label()).to_string(),
    }
}

#[component]
fn Timeline(entries: Vec<TimelineEntry>, lang: Lang) -> impl IntoView {
    view! {
        <ol class="timeline" aria-live="polite">
            {entries
                .into_iter()
                .rev()
                .map(|e| {
                    let text = entry_text(&e, lang);
                    view! {
                        <li class=format!("ev ev-{}", e.kind.as_str())>
                            <p class="ev-head">
                                <strong>{text}</strong>
                                <time>{e.when.clone()}</time>
                            </p>
                            {e.actor.clone().map(|a| view! { <p class="muted small">{a}</p> })}
                            {(!e.note.is_empty()).then(|| view! { <p class="ev-note">{e.note.clone()}</p> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// The resident's buttons for the current state: confirm or reopen a resolved case, or
/// withdraw an open one. Plain forms, enhanced by the island's submit handler.
#[component]
fn RequesterActions(demand_id: i64, status: LiveStatus, lang: Lang) -> impl IntoView {
    let allowed = |a: Action| crate::work::rules::transition(status.state, a, Actor::Requester).is_ok();
    let version = status.version;
    let form = move |action: Action, label: T, class: &'static str, note: Option<T>| {
        view! {
            <form method="post" action="/api/demands/act" class="form action-form">
                <p class="form-banner" data-form-error="" role="alert" hidden></p>
                <input type="hidden" name="id" value=demand_id />
                <input type="hidden" name="version" value=version />
                <input type="hidden" name="action" value=action.as_str() />
                {note
                    .map(|n| {
                        let id = format!("note-{}", action.as_str());
                        view! {
                            <div class="field">
                                <label for=id.clone()>{lang.t(n)}</label>
                                <textarea id=id name="note" rows="2" maxlength="2000"></textarea>
                                <p class="field-error" data-error-for="note"></p>
                            </div>
                        }
                    })}
                <button type="submit" class=format!("button {class}") data-busy-label=lang.t(T::Sending)>{lang.t(label)}</button>
            </form>
        }
    };
    view! {
        <div class="requester-actions">
            {allowed(Action::Confirm)
                .then(|| {
                    view! {
                        <p class="notice">{lang.t(T::ConfirmPrompt)}</p>
                        {form(Action::Confirm, T::ActConfirm, "primary", None)}
                        {form(Action::Reopen, T::ActReopen, "secondary", Some(T::ReopenReason))}
                    }
                })}
            {allowed(Action::Withdraw)
                .then(|| {
                    view! {
                        <details class="withdraw">
                            <summary>{lang.t(T::ActWithdraw)}</summary>
                            {form(Action::Withdraw, T::ActWithdraw, "danger", Some(T::WithdrawReason))}
                        </details>
                    }
                })}
        </div>
    }
}

/// The region of a case page the live stream refreshes.
const CASE_LIVE: &str = "case-live";

/// The state badge, the timeline and (for the requester) the actions, rendered on the
/// server and refreshed in place when the item changes ([`LiveRegion`]).
#[component]
pub fn LiveCase(demand_id: i64, item_id: i64, lang: Lang, requester: bool, initial: LiveStatus) -> impl IntoView {
    let s = initial;
    view! {
        <section class="card live-case">
            <LiveRegion stream=format!("/live/items/{item_id}") region=CASE_LIVE.to_string() texts=LiveTexts::new(lang)>
                <div id=CASE_LIVE>
                    <p class="state-line">
                        <span class=format!("state state-{}", s.state.as_str()) data-testid="state">{lang.t(state_label(s.state))}</span>
                    </p>
                    {requester.then(|| view! { <RequesterActions demand_id=demand_id status=s.clone() lang=lang /> })}
                    <h2>{lang.t(T::Progress)}</h2>
                    <Timeline entries=s.timeline.clone() lang=lang />
                </div>
            </LiveRegion>
        </section>
    }
}
