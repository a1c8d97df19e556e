//! The inbox (`/notifications`): every feature's notices in words. It sits with the router
//! because it speaks of every feature; the notifications themselves are
//! [`crate::notifications`].

use crate::i18n::{Lang, T};
use crate::notifications::{notifications, Kind, MarkAllRead, Notice};
use crate::paging::{failed, NextPage};
use crate::prefs::use_lang;
use crate::ui::{current_user, redirect_to_login, Page, Tab};
use leptos::prelude::*;
use server_fn::ServerFn;

/// The sentence for a notification.
pub fn text(n: &Notice, lang: Lang) -> String {
    let state = crate::work::rules::State::parse(&n.detail).map(|s| lang.t(crate::work::state_label(s)).to_string());
    match n.kind {
        Kind::Status => format!("{}{}", lang.t(T::NoticeStatus), state.unwrap_or_default()),
        Kind::Reply => lang.t(T::NoticeReply).to_string(),
        Kind::Assigned => lang.t(T::NoticeAssigned).to_string(),
        Kind::Whistle => format!("{} {}", lang.t(T::NoticeWhistle), n.detail),
        Kind::Reported => format!("{} {}", n.detail, lang.t(T::NoticeReported)),
        Kind::Overdue => lang.t(T::NoticeOverdue).to_string(),
        Kind::Urge => lang.t(T::NoticeUrge).to_string(),
        Kind::CheckinLate => format!("{} {}", n.detail, lang.t(T::NoticeCheckinLate)),
        Kind::FiledForYou => format!("{} {}", n.detail, lang.t(T::NoticeFiledForYou)),
        Kind::FamilyRequest => format!("{} {}", n.detail, lang.t(T::NoticeFamilyRequest)),
        Kind::FamilyConfirmed => format!("{} {}", n.detail, lang.t(T::NoticeFamilyConfirmed)),
        Kind::ThreadReview => format!("{}{}", lang.t(T::NoticeThreadReview), n.detail),
        Kind::ThreadAnswer => {
            let s = crate::threads::rules::ThreadState::parse(&n.detail)
                .map(|s| lang.t(crate::threads::thread_state_label(s)))
                .unwrap_or_default();
            format!("{}{s}", lang.t(T::NoticeThreadAnswer))
        }
        Kind::Milestone => format!("{}{}", lang.t(T::NoticeMilestone), n.detail),
        Kind::Meeting => format!("{}{}", lang.t(T::NoticeMeeting), n.detail),
        Kind::Minutes => lang.t(T::NoticeMinutes).to_string(),
        Kind::MeetingPromoted => lang.t(T::NoticeMeetingPromoted).to_string(),
        Kind::Blocked => format!("{}{}", lang.t(T::NoticeBlocked), n.detail),
        Kind::ActivityPromoted => format!("{}{}", lang.t(T::NoticeActivityPromoted), n.detail),
        Kind::VisitProposed => format!("{}{}", lang.t(T::NoticeVisitProposed), n.detail),
        Kind::VisitAccepted => format!("{}{}", lang.t(T::NoticeVisitAccepted), n.detail),
        Kind::VisitDeclined => format!("{}{}", lang.t(T::NoticeVisitDeclined), n.detail),
        Kind::Callback => lang.t(T::NoticeCallback).to_string(),
        Kind::RateInvite => lang.t(T::NoticeRateInvite).to_string(),
        Kind::AppointmentReminder => format!("{}{}", lang.t(T::NoticeAppointmentReminder), n.detail),
        Kind::AccountAttempt => lang.t(T::NoticeAccountAttempt).to_string(),
        Kind::EmergencyNotice => format!("{}{}", lang.t(T::NoticeEmergencyPosted), n.detail),
        Kind::UrgeFromAbove => format!("{}{}", lang.t(T::NoticeUrgeFromAbove), n.detail),
        Kind::UrgeAnswered => format!("{}{}", lang.t(T::NoticeUrgeAnswered), n.detail),
        Kind::SpaceWaiting => format!("{}{}", lang.t(T::NoticeSpaceWaiting), n.detail),
        Kind::SpaceApproved => format!("{}{}", lang.t(T::NoticeSpaceApproved), n.detail),
        Kind::SpaceRefused => format!("{}{}", lang.t(T::NoticeSpaceRefused), n.detail),
        Kind::ConfirmReminder => lang.t(T::NoticeConfirmReminder).to_string(),
        Kind::RateReminder => lang.t(T::NoticeRateReminder).to_string(),
        Kind::CheckinDue => format!("{}{}", lang.t(T::NoticeCheckinDue), n.detail),
        Kind::Reopened => lang.t(T::NoticeReopened).to_string(),
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/notifications");
    }
    let before = crate::paging::before_in_url();
    let list = Resource::new(move || before.clone(), notifications);
    view! {
        <Page tab=Tab::Me title=lang.t(T::Notifications).to_string()>
            <form method="post" action=MarkAllRead::url() class="inline-form">
                <button type="submit" class="button secondary">{lang.t(T::MarkAllRead)}</button>
            </form>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let page = match list.await {
                        Ok(p) => p,
                        Err(e) => return failed(e, lang),
                    };
                    let items = page.lines;
                    if items.is_empty() {
                        return view! { <p class="empty">{lang.t(T::NoNotifications)}</p> }.into_any();
                    }
                    view! {
                        <ul class="notice-list">
                            {items.into_iter().map(|n| {
                                let t = text(&n, lang);
                                let href = n.href();
                                view! {
                                    <li class="card notice-line" class:unread=n.unread>
                                        <a href=href>
                                            <strong>{t}</strong>
                                            <span class="muted small">{n.when.clone()}</span>
                                        </a>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <NextPage path="/notifications".to_string() next=page.next lang=lang />
                    }.into_any()
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}
