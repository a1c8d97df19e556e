//! Notifications: status changes and replies for residents; assignments, whistles,
//! overdue items and late check-ins for staff. Every one lands in the in-app inbox (an
//! unread badge sits on the top bar) and, as the person chose on `/me/reach`, goes out by
//! Web Push and SMS through a delivery queue in the database ([`queue`]).
//! [`server::send`] is the only code that writes a notification; the inbox page, which words
//! every feature's notices, sits with the router (`shell`).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod push;
#[cfg(feature = "ssr")]
pub mod queue;
pub mod reach;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod settings;
pub mod views;

crate::codes! {
    /// What a notification is about; its sentence comes from the kind and the detail.
    pub enum Kind {
        Status = "status",
        Reply = "reply",
        Assigned = "assigned",
        Whistle = "whistle",
        Reported = "reported",
        Overdue = "overdue",
        Urge = "urge",
        CheckinLate = "checkin_late",
        FiledForYou = "filed_for_you",
        FamilyRequest = "family_request",
        FamilyConfirmed = "family_confirmed",
        ThreadReview = "thread_review",
        ThreadAnswer = "thread_answer",
        Milestone = "milestone",
        Meeting = "meeting",
        Minutes = "minutes",
        MeetingPromoted = "meeting_promoted",
        Blocked = "blocked",
        ActivityPromoted = "activity_promoted",
        VisitProposed = "visit_proposed",
        VisitAccepted = "visit_accepted",
        VisitDeclined = "visit_declined",
        Callback = "callback",
        RateInvite = "rate_invite",
        AppointmentReminder = "appointment_reminder",
        /// Someone tried to register an account with this account's phone number.
        AccountAttempt = "account_attempt",
        /// An emergency notice for the resident's community, grid area or building.
        EmergencyNotice = "emergency_notice",
        /// A subdistrict or the district urged a case of the station (督办).
        UrgeFromAbove = "urge_from_above",
        /// The station answered an urge.
        UrgeAnswered = "urge_answered",
        /// A resident's booking of a room or thing waits for the station's decision.
        SpaceWaiting = "space_waiting",
        SpaceApproved = "space_approved",
        SpaceRefused = "space_refused",
        /// Day 5 of the 7-day confirm window of a resolved case.
        ConfirmReminder = "confirm_reminder",
        /// The last day of the 7-day rating window.
        RateReminder = "rate_reminder",
        /// A whistled department's check-in is due soon (its liaisons).
        CheckinDue = "checkin_due",
        /// The resident reopened a case (its worker, or the stationmasters).
        Reopened = "reopened",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: i64,
    /// Sent as its code (`"reply"`), as stored.
    #[serde(with = "kind_code")]
    pub kind: Kind,
    pub detail: String,
    pub demand_id: Option<i64>,
    /// Where it leads when not to a demand (a thread, a meeting).
    pub link: Option<String>,
    pub when: String,
    pub unread: bool,
}

crate::codes! {
    /// What became of one delivery by push or SMS.
    pub enum DeliveryState {
        Queued = "queued",
        Sent = "sent",
        Failed = "failed",
        /// The device's subscription was gone (404/410) and was dropped.
        Dropped = "dropped",
        /// Not sent, on purpose: the daily cap, no device, no longer needed.
        Skipped = "skipped",
    }
}

/// One line of a case's delivery log, for its station team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLine {
    pub channel: rules::Channel,
    pub state: DeliveryState,
    /// Why it waits or was not sent (`quiet`, `cap`, `no_device`, `outdated`, `no_sms`).
    pub reason: Option<String>,
    /// The recipient: name and masked number.
    pub who: String,
    /// When it went (or will go).
    pub when: String,
}

impl Notice {
    /// Where the notification leads: its link, its case's page, or the inbox's owner's page.
    pub fn href(&self) -> String {
        self.link.clone().or(self.demand_id.map(|d| format!("/demands/{d}"))).unwrap_or_else(|| "/me".into())
    }
}

/// A page of the inbox, newest first; `before` is where the page starts (from the URL).
#[server(endpoint = "notifications")]
pub async fn notifications(before: Option<String>) -> Result<crate::paging::Paged<Notice>, AppError> {
    let user = crate::auth::server::require_user()?;
    let before = crate::paging::Cursor::from_arg(before)?;
    server::latest(&crate::request::store()?, user.id, before).await
}

#[server(endpoint = "notifications/read")]
pub async fn mark_all_read() -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    server::mark_all_read(&crate::request::store()?, user.id).await?;
    crate::request::redirect("/notifications");
    Ok(())
}

#[server(endpoint = "notifications/unread")]
pub async fn unread() -> Result<i64, AppError> {
    Ok(match crate::auth::server::viewer() {
        Some(u) => server::unread_count(u.id).await,
        None => 0,
    })
}

mod kind_code {
    use super::Kind;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(kind: &Kind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Kind, D::Error> {
        let code = String::deserialize(d)?;
        Kind::parse(&code).ok_or_else(|| serde::de::Error::custom(format!("unknown notification kind {code:?}")))
    }
}
