//! In-app notifications: status changes and replies for residents; assignments, whistles,
//! overdue items and late check-ins for staff. An unread badge sits on the top bar.

use crate::error::AppError;
use crate::i18n::{Lang, T};
use crate::prefs::use_lang;
use crate::shell::{current_user, redirect_to_login, Page, Tab};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::ServerFn;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: i64,
    pub kind: String,
    pub detail: String,
    pub demand_id: Option<i64>,
    /// Where it leads when not to a demand (a thread, a meeting).
    pub link: Option<String>,
    pub when: String,
    pub unread: bool,
}

/// The sentence for a notification.
pub fn text(n: &Notice, lang: Lang) -> String {
    let state = crate::work::rules::State::parse(&n.detail).map(|s| lang.t(crate::work::state_label(s)).to_string());
    match n.kind.as_str() {
        "status" => format!("{}{}", lang.t(T::NoticeStatus), state.unwrap_or_default()),
        "reply" => lang.t(T::NoticeReply).to_string(),
        "assigned" => lang.t(T::NoticeAssigned).to_string(),
        "whistle" => format!("{} {}", lang.t(T::NoticeWhistle), n.detail),
        "reported" => format!("{} {}", n.detail, lang.t(T::NoticeReported)),
        "overdue" => lang.t(T::NoticeOverdue).to_string(),
        "urge" => lang.t(T::NoticeUrge).to_string(),
        "checkin_late" => format!("{} {}", n.detail, lang.t(T::NoticeCheckinLate)),
        "filed_for_you" => format!("{} {}", n.detail, lang.t(T::NoticeFiledForYou)),
        "family_request" => format!("{} {}", n.detail, lang.t(T::NoticeFamilyRequest)),
        "family_confirmed" => format!("{} {}", n.detail, lang.t(T::NoticeFamilyConfirmed)),
        "thread_review" => format!("{}{}", lang.t(T::NoticeThreadReview), n.detail),
        "thread_answer" => {
            let s = crate::threads::rules::ThreadState::parse(&n.detail)
                .map(|s| lang.t(crate::threads::thread_state_label(s)))
                .unwrap_or_default();
            format!("{}{s}", lang.t(T::NoticeThreadAnswer))
        }
        "milestone" => format!("{}{}", lang.t(T::NoticeMilestone), n.detail),
        "meeting" => format!("{}{}", lang.t(T::NoticeMeeting), n.detail),
        "minutes" => lang.t(T::NoticeMinutes).to_string(),
        "meeting_promoted" => lang.t(T::NoticeMeetingPromoted).to_string(),
        "blocked" => format!("{}{}", lang.t(T::NoticeBlocked), n.detail),
        "activity_promoted" => format!("{}{}", lang.t(T::NoticeActivityPromoted), n.detail),
        "visit_proposed" => format!("{}{}", lang.t(T::NoticeVisitProposed), n.detail),
        "visit_accepted" => format!("{}{}", lang.t(T::NoticeVisitAccepted), n.detail),
        "visit_declined" => format!("{}{}", lang.t(T::NoticeVisitDeclined), n.detail),
        "callback" => lang.t(T::NoticeCallback).to_string(),
        "rate_invite" => lang.t(T::NoticeRateInvite).to_string(),
        "appointment_reminder" => format!("{}{}", lang.t(T::NoticeAppointmentReminder), n.detail),
        _ => n.kind.clone(),
    }
}

#[server(endpoint = "notifications")]
pub async fn notifications() -> Result<Vec<Notice>, AppError> {
    let result = async {
        let user = crate::auth::server::require_user()?;
        let store = crate::request::store()?;
        let rows: Vec<(i64, String, String, Option<i64>, Option<String>, i64, Option<i64>)> = sqlx::query_as(
            "SELECT n.id, n.kind, n.detail, w.demand_id, n.link, n.created_at, n.read_at FROM notifications n \
             LEFT JOIN work_items w ON w.id = n.work_item_id WHERE n.user_id = $1 ORDER BY n.id DESC LIMIT 100",
        )
        .bind(user.id)
        .fetch_all(store.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, kind, detail, demand_id, link, at, read)| Notice {
                id,
                kind,
                detail,
                demand_id,
                link,
                when: crate::time::format_local(at),
                unread: read.is_none(),
            })
            .collect())
    }
    .await;
    crate::request::respond(result)
}

#[server(endpoint = "notifications/read")]
pub async fn mark_all_read() -> Result<(), AppError> {
    let result = async {
        let user = crate::auth::server::require_user()?;
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(crate::store::Millis::now())
            .bind(user.id)
            .execute(crate::request::store()?.pool())
            .await?;
        crate::request::redirect("/notifications");
        Ok(())
    }
    .await;
    crate::request::respond(result)
}

/// Unread notifications of the signed-in account, for the badge.
#[cfg(feature = "ssr")]
pub async fn unread_count(user_id: i64) -> i64 {
    let Ok(store) = crate::request::store() else { return 0 };
    sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
        .bind(user_id)
        .fetch_one(store.pool())
        .await
        .unwrap_or(0)
}

#[server(endpoint = "notifications/unread")]
pub async fn unread() -> Result<i64, AppError> {
    Ok(match crate::request::viewer() {
        Some(u) => unread_count(u.id).await,
        None => 0,
    })
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let lang = use_lang();
    if current_user().is_none() {
        return redirect_to_login("/notifications");
    }
    let list = Resource::new(|| (), |_| notifications());
    view! {
        <Page tab=Tab::Me title=lang.t(T::Notifications).to_string()>
            <form method="post" action=MarkAllRead::url() class="inline-form">
                <button type="submit" class="button secondary">{lang.t(T::MarkAllRead)}</button>
            </form>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let items = list.await.unwrap_or_default();
                    if items.is_empty() {
                        return view! { <p class="empty">{lang.t(T::NoNotifications)}</p> }.into_any();
                    }
                    view! {
                        <ul class="notice-list">
                            {items.into_iter().map(|n| {
                                let t = text(&n, lang);
                                let href = n.link.clone().or(n.demand_id.map(|d| format!("/demands/{d}"))).unwrap_or_else(|| "/me".into());
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
                    }.into_any()
                })}
            </Suspense>
        </Page>
    }
    .into_any()
}
