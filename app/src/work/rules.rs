//! The rules of a work item, pure and unit-tested: its states and legal transitions (the
//! closed loop accept → undertake → dispatch → urge → feedback → close), triage (即办 /
//! 转办), deadlines, routing to a worker, and overdue.

use serde::{Deserialize, Serialize};

crate::codes! {
    pub enum State {
        /// Posted, not yet looked at by the station.
        Received = "received",
        /// The station has taken it on (受理).
        Accepted = "accepted",
        /// Someone is working on it (承办).
        InProgress = "in_progress",
        /// A home visit is arranged before anything else (转办 first verifies at home).
        VisitScheduled = "visit_scheduled",
        /// Whistled up to subdistrict departments (吹哨报到), waiting for them to report.
        Transferred = "transferred",
        /// Handed to a partner (service agency, handy-help outlet…).
        HandedOff = "handed_off",
        /// The station says it is solved; the resident confirms or reopens within 7 days.
        Resolved = "resolved",
        Closed = "closed",
        /// The resident said it is not solved; back to the station.
        Reopened = "reopened",
        /// The resident withdrew it.
        Withdrawn = "withdrawn",
    }
}

impl State {
    /// Nothing more happens to it.
    pub const fn is_final(self) -> bool {
        matches!(self, State::Closed | State::Withdrawn)
    }

    /// The station still owes the resident something (counts for load and overdue).
    pub const fn is_open(self) -> bool {
        !matches!(self, State::Resolved | State::Closed | State::Withdrawn)
    }
}

crate::codes! {
    /// What someone does to a work item.
    pub enum Action {
        Accept = "accept",
        Start = "start",
        ScheduleVisit = "schedule_visit",
        VisitDone = "visit_done",
        Whistle = "whistle",
        /// Every summoned department has reported back.
        DepartmentsReported = "departments_reported",
        HandOff = "hand_off",
        PartnerDone = "partner_done",
        Resolve = "resolve",
        Confirm = "confirm",
        Reopen = "reopen",
        Withdraw = "withdraw",
        /// Resolved and unanswered for 7 days.
        AutoClose = "auto_close",
        /// The station found it is the same incident as another case, worked there: it
        /// ends here, its requester joins the other.
        Merge = "merge",
    }
}

/// Who is acting, as far as the rules care.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    /// The resident the item is for, or a confirmed family member acting for them.
    Requester,
    /// A general social worker, the deputy stationmaster or the stationmaster of the community.
    Station,
    /// A liaison of a department the item was whistled to.
    Department,
    /// The server itself (background jobs).
    System,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransitionError {
    /// This actor may never do this.
    NotAllowed,
    /// Not from the item's current state.
    WrongState,
}

/// The state after `action`, if `actor` may do it from `from`.
pub fn transition(from: State, action: Action, actor: Actor) -> Result<State, TransitionError> {
    use Action as A;
    use State as S;
    let allowed_actor = match action {
        A::Confirm | A::Reopen | A::Withdraw => actor == Actor::Requester,
        A::AutoClose => actor == Actor::System,
        A::Merge => actor == Actor::Station,
        A::DepartmentsReported => matches!(actor, Actor::Station | Actor::Department | Actor::System),
        _ => actor == Actor::Station,
    };
    if !allowed_actor {
        return Err(TransitionError::NotAllowed);
    }
    let to = match (action, from) {
        (A::Accept, S::Received) => S::Accepted,
        (A::Start, S::Accepted | S::Reopened) => S::InProgress,
        (A::ScheduleVisit, S::Received | S::Accepted | S::InProgress | S::Reopened) => S::VisitScheduled,
        (A::VisitDone, S::VisitScheduled) => S::InProgress,
        (A::Whistle, S::Accepted | S::InProgress | S::VisitScheduled | S::Reopened | S::Transferred) => S::Transferred,
        (A::DepartmentsReported, S::Transferred) => S::InProgress,
        (A::HandOff, S::Accepted | S::InProgress | S::VisitScheduled | S::Reopened) => S::HandedOff,
        (A::PartnerDone, S::HandedOff) => S::InProgress,
        (A::Resolve, S::Accepted | S::InProgress | S::VisitScheduled | S::Transferred | S::HandedOff | S::Reopened) => {
            S::Resolved
        }
        (A::Confirm, S::Resolved) => S::Closed,
        (A::Reopen, S::Resolved) => S::Reopened,
        (
            A::Withdraw,
            S::Received | S::Accepted | S::InProgress | S::VisitScheduled | S::Transferred | S::HandedOff | S::Reopened,
        ) => S::Withdrawn,
        (
            A::Merge,
            S::Received | S::Accepted | S::InProgress | S::VisitScheduled | S::Transferred | S::HandedOff | S::Reopened,
        ) => S::Withdrawn,
        (A::AutoClose, S::Resolved) => S::Closed,
        _ => return Err(TransitionError::WrongState),
    };
    Ok(to)
}

/// [`transition`] for a case as filed: a case the station found itself (主动发现) has no
/// resident, and the station that filed it may withdraw it as its filer would (a false
/// alarm, a duplicate).
pub fn transition_case(from: State, action: Action, actor: Actor, found: bool) -> Result<State, TransitionError> {
    if found && action == Action::Withdraw && actor == Actor::Station {
        return transition(from, action, Actor::Requester);
    }
    transition(from, action, actor)
}

/// Days after resolution in which the resident may reopen; afterwards it closes by itself.
pub const CONFIRM_WINDOW_DAYS: i64 = 7;
/// The requester is reminded on day 5 of the confirm window (two days before it closes).
pub const CONFIRM_REMINDER_DAYS: i64 = 5;
/// A whistled department's liaisons are reminded this long before the check-in is due.
pub const CHECKIN_REMINDER_MINUTES: i64 = 10;

pub use crate::affairs::Mode;

crate::codes! {
    pub enum Urgency {
        Normal = "normal",
        Emergency = "emergency",
    }
}

crate::codes! {
    /// Who may read a demand besides its requester and the staff: nobody, or the
    /// residents of its community.
    /// Who may see a demand: the resident and the station; also the residents of its
    /// community; or anyone (listed through Open311).
    pub enum Visibility {
        Private = "private",
        Community = "community",
        Public = "public",
    }
}

crate::codes! {
    pub enum Place {
        Home = "home",
        Building = "building",
        PublicArea = "public_area",
    }
}

crate::codes! {
    /// 即办 (handle at once) or 转办 (transfer: a home visit first, then departments or a partner).
    pub enum Triage {
        Immediate = "immediate",
        Transfer = "transfer",
    }
}

crate::codes! {
    /// Why triage decided as it did, shown on the item.
    pub enum TriageReason {
        /// The affair is handled on the spot.
        AffairOnTheSpot = "affair_on_the_spot",
        /// The station collects documents and submits them upward itself.
        AffairSubmitUpward = "affair_submit_upward",
        /// The affair is served by a partner: a visit first, then the hand-off.
        AffairReferral = "affair_referral",
        /// No affair was chosen: a visit finds out what is needed.
        NoAffair = "no_affair",
        /// An emergency outside the home: the area director goes to see at once.
        EmergencyOnSite = "emergency_on_site",
        /// A residents' thread reached its support threshold: the station studies it and
        /// answers on the thread (adopt with a plan, merge, or decline).
        AutonomyProject = "autonomy_project",
        /// A resident asked the station to come: the area director proposes a time.
        HomeVisit = "home_visit",
        /// A resident rated a closed case 不满意 or worse: the stationmaster calls back.
        Callback = "callback",
    }
}

crate::codes! {
    /// What kind of case a work item is.
    pub enum ItemKind {
        /// A resident's demand (posted, recorded at the window, or from Open311).
        Demand = "demand",
        /// A residents' thread that reached its support threshold.
        AutonomyProject = "autonomy_project",
        /// A resident asked the station to come to their home.
        HomeVisit = "home_visit",
        /// The stationmaster calls back after a bad rating.
        Callback = "callback",
    }
}

pub fn triage(mode: Option<Mode>, urgency: Urgency, place: Place) -> (Triage, TriageReason) {
    if urgency == Urgency::Emergency && place != Place::Home {
        return (Triage::Transfer, TriageReason::EmergencyOnSite);
    }
    match mode {
        Some(Mode::OnTheSpot) => (Triage::Immediate, TriageReason::AffairOnTheSpot),
        Some(Mode::SubmitUpward) => (Triage::Immediate, TriageReason::AffairSubmitUpward),
        Some(Mode::Referral) => (Triage::Transfer, TriageReason::AffairReferral),
        None => (Triage::Transfer, TriageReason::NoAffair),
    }
}

pub use crate::config::DeadlinePolicy;

/// An affair's own limits (hours), from the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AffairLimits {
    pub response_hours: i64,
    pub completion_hours: i64,
}

/// Response and completion deadlines (milliseconds) for an item posted at `posted`.
pub fn deadlines(posted: i64, urgency: Urgency, affair: Option<AffairLimits>, policy: &DeadlinePolicy) -> (i64, i64) {
    const H: i64 = 3_600_000;
    let (respond, complete) = match urgency {
        Urgency::Emergency => {
            let completion = affair
                .map(|a| a.completion_hours.min(policy.emergency_completion_hours))
                .unwrap_or(policy.emergency_completion_hours);
            (policy.emergency_response_minutes * 60_000, completion * H)
        }
        Urgency::Normal => match affair {
            Some(a) => (a.response_hours.min(policy.normal_response_hours) * H, a.completion_hours * H),
            None => (policy.normal_response_hours * H, policy.default_completion_hours * H),
        },
    };
    // A completion deadline never comes before the response deadline.
    (posted + respond, posted + complete.max(respond))
}

/// Is an item overdue at `now`? Not answered by its response deadline, or still open after
/// its completion deadline. The same test runs in SQL (see the board queries).
pub fn is_overdue(state: State, first_response_at: Option<i64>, respond_by: i64, complete_by: i64, now: i64) -> bool {
    if !state.is_open() {
        return false;
    }
    (first_response_at.is_none() && now > respond_by) || now > complete_by
}

/// A worker who could take an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub user_id: i64,
    pub on_duty: bool,
    pub open_items: i64,
}

crate::codes! {
    pub enum RouteReason {
        /// The area director of the building's grid area (area-fixed for groups of households).
        AreaDirector = "area_director",
        /// The director is off duty or there is none: the least-loaded worker on duty.
        LeastLoaded = "least_loaded",
        /// Nobody is on duty: left for the dispatcher.
        Unassigned = "unassigned",
        /// The dispatcher gave it to someone else.
        Reassigned = "reassigned",
        /// A callback: the stationmaster calls the resident back.
        Stationmaster = "stationmaster",
    }
}

/// Routes an item: to the grid area's director when on duty, else to the least-loaded
/// worker on duty (ties: lowest id, so the choice is stable).
pub fn route(director: Option<Candidate>, workers: &[Candidate]) -> (Option<i64>, RouteReason) {
    if let Some(d) = director.filter(|d| d.on_duty) {
        return (Some(d.user_id), RouteReason::AreaDirector);
    }
    match workers.iter().filter(|w| w.on_duty).min_by_key(|w| (w.open_items, w.user_id)) {
        Some(w) => (Some(w.user_id), RouteReason::LeastLoaded),
        None => (None, RouteReason::Unassigned),
    }
}

crate::codes! {
    /// How the station found a case itself (主动发现), with no resident reporting it.
    pub enum FoundVia {
        /// 巡查: a walk round the community.
        Patrol = "patrol",
        /// 入户走访: a household visit.
        Visit = "visit",
        /// 电话回访: a call the station made.
        Call = "call",
    }
}

/// A description's first line, cut to `max` characters with "…" when anything was cut: how
/// a list names a case.
pub fn headline(description: &str, max: usize) -> String {
    let mut title: String = description.lines().next().unwrap_or("").chars().take(max).collect();
    if description.chars().count() > title.chars().count() {
        title.push('…');
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use State as S;

    /// Every legal (from, action) pair, with the actor and the state it leads to.
    const LEGAL: &[(State, Action, Actor, State)] = &[
        (S::Received, A::Accept, Actor::Station, S::Accepted),
        (S::Accepted, A::Start, Actor::Station, S::InProgress),
        (S::Reopened, A::Start, Actor::Station, S::InProgress),
        (S::Received, A::ScheduleVisit, Actor::Station, S::VisitScheduled),
        (S::Accepted, A::ScheduleVisit, Actor::Station, S::VisitScheduled),
        (S::InProgress, A::ScheduleVisit, Actor::Station, S::VisitScheduled),
        (S::Reopened, A::ScheduleVisit, Actor::Station, S::VisitScheduled),
        (S::VisitScheduled, A::VisitDone, Actor::Station, S::InProgress),
        (S::Accepted, A::Whistle, Actor::Station, S::Transferred),
        (S::InProgress, A::Whistle, Actor::Station, S::Transferred),
        (S::VisitScheduled, A::Whistle, Actor::Station, S::Transferred),
        (S::Reopened, A::Whistle, Actor::Station, S::Transferred),
        (S::Transferred, A::Whistle, Actor::Station, S::Transferred),
        (S::Transferred, A::DepartmentsReported, Actor::Department, S::InProgress),
        (S::Transferred, A::DepartmentsReported, Actor::Station, S::InProgress),
        (S::Transferred, A::DepartmentsReported, Actor::System, S::InProgress),
        (S::Accepted, A::HandOff, Actor::Station, S::HandedOff),
        (S::InProgress, A::HandOff, Actor::Station, S::HandedOff),
        (S::VisitScheduled, A::HandOff, Actor::Station, S::HandedOff),
        (S::Reopened, A::HandOff, Actor::Station, S::HandedOff),
        (S::HandedOff, A::PartnerDone, Actor::Station, S::InProgress),
        (S::Accepted, A::Resolve, Actor::Station, S::Resolved),
        (S::InProgress, A::Resolve, Actor::Station, S::Resolved),
        (S::VisitScheduled, A::Resolve, Actor::Station, S::Resolved),
        (S::Transferred, A::Resolve, Actor::Station, S::Resolved),
        (S::HandedOff, A::Resolve, Actor::Station, S::Resolved),
        (S::Reopened, A::Resolve, Actor::Station, S::Resolved),
        (S::Resolved, A::Confirm, Actor::Requester, S::Closed),
        (S::Resolved, A::Reopen, Actor::Requester, S::Reopened),
        (S::Received, A::Withdraw, Actor::Requester, S::Withdrawn),
        (S::Accepted, A::Withdraw, Actor::Requester, S::Withdrawn),
        (S::InProgress, A::Withdraw, Actor::Requester, S::Withdrawn),
        (S::VisitScheduled, A::Withdraw, Actor::Requester, S::Withdrawn),
        (S::Transferred, A::Withdraw, Actor::Requester, S::Withdrawn),
        (S::HandedOff, A::Withdraw, Actor::Requester, S::Withdrawn),
        (S::Reopened, A::Withdraw, Actor::Requester, S::Withdrawn),
        (S::Resolved, A::AutoClose, Actor::System, S::Closed),
        (S::Received, A::Merge, Actor::Station, S::Withdrawn),
        (S::Accepted, A::Merge, Actor::Station, S::Withdrawn),
        (S::InProgress, A::Merge, Actor::Station, S::Withdrawn),
        (S::VisitScheduled, A::Merge, Actor::Station, S::Withdrawn),
        (S::Transferred, A::Merge, Actor::Station, S::Withdrawn),
        (S::HandedOff, A::Merge, Actor::Station, S::Withdrawn),
        (S::Reopened, A::Merge, Actor::Station, S::Withdrawn),
    ];

    const ACTIONS: [Action; 14] = [
        A::Accept,
        A::Start,
        A::ScheduleVisit,
        A::VisitDone,
        A::Whistle,
        A::DepartmentsReported,
        A::HandOff,
        A::PartnerDone,
        A::Resolve,
        A::Confirm,
        A::Reopen,
        A::Withdraw,
        A::AutoClose,
        A::Merge,
    ];
    const ACTORS: [Actor; 4] = [Actor::Requester, Actor::Station, Actor::Department, Actor::System];

    #[test]
    fn every_legal_transition() {
        for &(from, action, actor, to) in LEGAL {
            assert_eq!(transition(from, action, actor), Ok(to), "{from:?} --{action:?}/{actor:?}-->");
        }
    }

    #[test]
    fn everything_else_is_refused() {
        let mut refused = 0;
        for from in State::ALL {
            for action in ACTIONS {
                for actor in ACTORS {
                    if LEGAL.iter().any(|&(f, a, who, _)| f == from && a == action && who == actor) {
                        continue;
                    }
                    assert!(
                        transition(from, action, actor).is_err(),
                        "{from:?} {action:?} {actor:?} should be refused"
                    );
                    refused += 1;
                }
            }
        }
        assert_eq!(refused, 10 * ACTIONS.len() * 4 - LEGAL.len());
    }

    #[test]
    fn wrong_actor_and_wrong_state_are_told_apart() {
        assert_eq!(transition(S::Received, A::Accept, Actor::Requester), Err(TransitionError::NotAllowed));
        assert_eq!(transition(S::Closed, A::Accept, Actor::Station), Err(TransitionError::WrongState));
        assert_eq!(transition(S::Resolved, A::Confirm, Actor::Station), Err(TransitionError::NotAllowed));
    }

    #[test]
    fn final_states_lead_nowhere() {
        for from in [S::Closed, S::Withdrawn] {
            assert!(from.is_final());
            for action in ACTIONS {
                for actor in ACTORS {
                    assert!(transition(from, action, actor).is_err());
                }
            }
        }
    }

    #[test]
    fn state_names_round_trip() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn triage_rules() {
        use Place::*;
        assert_eq!(
            triage(Some(Mode::OnTheSpot), Urgency::Normal, Home),
            (Triage::Immediate, TriageReason::AffairOnTheSpot)
        );
        assert_eq!(
            triage(Some(Mode::SubmitUpward), Urgency::Normal, Building),
            (Triage::Immediate, TriageReason::AffairSubmitUpward)
        );
        assert_eq!(
            triage(Some(Mode::Referral), Urgency::Normal, Home),
            (Triage::Transfer, TriageReason::AffairReferral)
        );
        assert_eq!(triage(None, Urgency::Normal, PublicArea), (Triage::Transfer, TriageReason::NoAffair));
        // The blocked manhole: an emergency in a public area goes to the area director at once.
        assert_eq!(
            triage(Some(Mode::OnTheSpot), Urgency::Emergency, PublicArea),
            (Triage::Transfer, TriageReason::EmergencyOnSite)
        );
        assert_eq!(
            triage(Some(Mode::OnTheSpot), Urgency::Emergency, Home),
            (Triage::Immediate, TriageReason::AffairOnTheSpot)
        );
    }

    #[test]
    fn deadline_rules() {
        const H: i64 = 3_600_000;
        let p = DeadlinePolicy::default();
        let affair = AffairLimits { response_hours: 4, completion_hours: 72 };
        assert_eq!(deadlines(0, Urgency::Normal, Some(affair), &p), (4 * H, 72 * H));
        // An affair that allows longer than the commitment still answers within 24 h.
        let slow = AffairLimits { response_hours: 48, completion_hours: 240 };
        assert_eq!(deadlines(0, Urgency::Normal, Some(slow), &p), (24 * H, 240 * H));
        assert_eq!(deadlines(0, Urgency::Normal, None, &p), (24 * H, 168 * H));
        // Emergency: contact within 2 h, done within 24 h or the affair's limit if shorter.
        assert_eq!(deadlines(0, Urgency::Emergency, Some(affair), &p), (2 * H, 24 * H));
        let quick = AffairLimits { response_hours: 1, completion_hours: 8 };
        assert_eq!(deadlines(10, Urgency::Emergency, Some(quick), &p), (10 + 2 * H, 10 + 8 * H));
        // Completion never before response.
        let odd = AffairLimits { response_hours: 12, completion_hours: 1 };
        assert_eq!(deadlines(0, Urgency::Normal, Some(odd), &p), (12 * H, 12 * H));
    }

    #[test]
    fn overdue_rules() {
        assert!(!is_overdue(S::Received, None, 100, 200, 100));
        assert!(is_overdue(S::Received, None, 100, 200, 101), "no response by the deadline");
        assert!(!is_overdue(S::Accepted, Some(50), 100, 200, 150), "answered in time, not yet due");
        assert!(is_overdue(S::InProgress, Some(50), 100, 200, 201), "past completion");
        assert!(!is_overdue(S::Resolved, None, 100, 200, 1000), "resolved items are never overdue");
        assert!(!is_overdue(S::Withdrawn, None, 100, 200, 1000));
    }

    #[test]
    fn routing_rules() {
        let d = Candidate { user_id: 7, on_duty: true, open_items: 30 };
        let a = Candidate { user_id: 3, on_duty: true, open_items: 2 };
        let b = Candidate { user_id: 2, on_duty: true, open_items: 2 };
        let off = Candidate { user_id: 1, on_duty: false, open_items: 0 };
        assert_eq!(route(Some(d), &[a, b, off]), (Some(7), RouteReason::AreaDirector));
        let d_off = Candidate { on_duty: false, ..d };
        assert_eq!(route(Some(d_off), &[a, b, off]), (Some(2), RouteReason::LeastLoaded), "ties go to the lowest id");
        assert_eq!(route(None, &[off]), (None, RouteReason::Unassigned));
    }

    #[test]
    fn the_station_withdraws_only_the_cases_it_found() {
        assert_eq!(transition_case(State::InProgress, A::Withdraw, Actor::Station, true), Ok(State::Withdrawn));
        assert_eq!(transition_case(State::Received, A::Withdraw, Actor::Station, true), Ok(State::Withdrawn));
        assert_eq!(
            transition_case(State::InProgress, A::Withdraw, Actor::Station, false),
            Err(TransitionError::NotAllowed)
        );
        assert_eq!(transition_case(State::Closed, A::Withdraw, Actor::Station, true), Err(TransitionError::WrongState));
        assert_eq!(
            transition_case(State::InProgress, A::Withdraw, Actor::Department, true),
            Err(TransitionError::NotAllowed)
        );
        // Everything else is as for any case.
        assert_eq!(transition_case(State::Received, A::Accept, Actor::Station, true), Ok(State::Accepted));
    }
}
