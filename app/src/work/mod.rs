//! Work items: what the station does with every demand (and later every autonomy project,
//! home visit and callback). The rules are in [`rules`]; the server side writes every change
//! as an append-only event and tells open pages about it.

pub mod api;
pub mod board;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod live;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;

use crate::i18n::T;
use rules::{Action, State, Triage, TriageReason};
use serde::{Deserialize, Serialize};

pub const fn state_label(s: State) -> T {
    match s {
        State::Received => T::StateReceived,
        State::Accepted => T::StateAccepted,
        State::InProgress => T::StateInProgress,
        State::VisitScheduled => T::StateVisitScheduled,
        State::Transferred => T::StateTransferred,
        State::HandedOff => T::StateHandedOff,
        State::Resolved => T::StateResolved,
        State::Closed => T::StateClosed,
        State::Reopened => T::StateReopened,
        State::Withdrawn => T::StateWithdrawn,
    }
}

pub const fn triage_label(t: Triage) -> T {
    match t {
        Triage::Immediate => T::TriageImmediate,
        Triage::Transfer => T::TriageTransfer,
    }
}

pub const fn triage_reason_label(r: TriageReason) -> T {
    match r {
        TriageReason::AffairOnTheSpot => T::WhyOnTheSpot,
        TriageReason::AffairSubmitUpward => T::WhySubmitUpward,
        TriageReason::AffairReferral => T::WhyReferral,
        TriageReason::NoAffair => T::WhyNoAffair,
        TriageReason::EmergencyOnSite => T::WhyEmergencyOnSite,
        TriageReason::AutonomyProject => T::WhyAutonomyProject,
        TriageReason::HomeVisit => T::WhyHomeVisit,
        TriageReason::Callback => T::WhyCallback,
    }
}

pub const fn found_via_label(f: rules::FoundVia) -> T {
    match f {
        rules::FoundVia::Patrol => T::FoundOnPatrol,
        rules::FoundVia::Visit => T::FoundOnVisit,
        rules::FoundVia::Call => T::FoundOnCall,
    }
}

pub const fn action_label(a: Action) -> T {
    match a {
        Action::Accept => T::ActAccept,
        Action::Start => T::ActStart,
        Action::ScheduleVisit => T::ActScheduleVisit,
        Action::VisitDone => T::ActVisitDone,
        Action::Whistle => T::ActWhistle,
        Action::DepartmentsReported => T::ActDepartmentsReported,
        Action::HandOff => T::ActHandOff,
        Action::PartnerDone => T::ActPartnerDone,
        Action::Resolve => T::ActResolve,
        Action::Confirm => T::ActConfirm,
        Action::Reopen => T::ActReopen,
        Action::Withdraw => T::ActWithdraw,
        Action::AutoClose => T::ActAutoClose,
        Action::Merge => T::ActMerge,
    }
}

crate::codes! {
    /// What happened, for the timeline.
    pub enum EventKind {
        Posted = "posted",
        Transition = "transition",
        Reply = "reply",
        Whistled = "whistled",
        CheckedIn = "checked_in",
        Reported = "reported",
        HandedOff = "handed_off",
        PartnerOutcome = "partner_outcome",
        Reassigned = "reassigned",
        Urged = "urged",
        /// The station's answer to an urge from above.
        UrgeAnswered = "urge_answered",
        Overdue = "overdue",
        /// News from a department's or partner's own Open311 system.
        Remote = "remote",
        /// The case's affair changed (the requester's tap, the station's correction).
        AffairChanged = "affair_changed",
        /// Another resident reported the same incident (我也遇到了).
        MeToo = "me_too",
    }
}

impl EventKind {
    pub const fn label(self) -> T {
        match self {
            EventKind::Posted => T::EvPosted,
            EventKind::Transition => T::EvTransition,
            EventKind::Reply => T::EvReply,
            EventKind::Whistled => T::EvWhistled,
            EventKind::CheckedIn => T::EvCheckedIn,
            EventKind::Reported => T::EvReported,
            EventKind::HandedOff => T::EvHandedOff,
            EventKind::PartnerOutcome => T::EvPartnerOutcome,
            EventKind::Reassigned => T::EvReassigned,
            EventKind::Urged => T::EvUrged,
            EventKind::UrgeAnswered => T::EvUrgeAnswered,
            EventKind::Overdue => T::EvOverdue,
            EventKind::Remote => T::EvRemote,
            EventKind::AffairChanged => T::EvAffairChanged,
            EventKind::MeToo => T::EvMeToo,
        }
    }
}

/// One line of a work item's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub at: i64,
    /// `at` in Beijing time, formatted on the server.
    pub when: String,
    pub kind: EventKind,
    /// Who did it, as the viewer may see it (a name and a role, or a department).
    pub actor: Option<String>,
    pub from: Option<State>,
    pub to: Option<State>,
    pub note: String,
}

/// The live part of a demand page: state and timeline, refreshed while the page is open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveStatus {
    pub state: State,
    pub version: i64,
    pub timeline: Vec<TimelineEntry>,
}

/// The six steps of case management, in order.
pub fn server_steps() -> [&'static str; 6] {
    ["intake", "assessment", "plan", "execution", "coordination", "closure"]
}

/// The feature's own routes: the live stream of an item.
#[cfg(feature = "ssr")]
pub fn routes() -> axum::Router<crate::request::AppState> {
    axum::Router::new().route("/live/items/{id}", axum::routing::get(live::sse))
}
