//! Which outside channels carry a notification, and when: pure rules, tested alone.
//! The inbox always keeps every notification; push and SMS are on top of it.

use super::Kind;

crate::codes! {
    /// A way to reach someone outside the app.
    pub enum Channel {
        Push = "push",
        Sms = "sms",
    }
}

crate::codes! {
    /// What people switch channels for: the kinds grouped as a resident (or a worker) thinks
    /// of them.
    pub enum Topic {
        /// The station answered me (a reply, a callback, an answer to my deliberation).
        Answer = "answer",
        /// My case moved; a visit was proposed or settled; my booking was decided.
        Progress = "progress",
        /// My case is resolved: confirm or reopen within 7 days (else it closes by itself).
        Confirm = "confirm",
        /// Rate the service (the 7-day window).
        Rate = "rate",
        /// An appointment is near.
        Appointment = "appointment",
        /// An emergency notice for my community, grid area or building.
        Emergency = "emergency",
        /// Deliberation meetings and their minutes.
        Meeting = "meeting",
        /// A place in an activity opened to me.
        Activity = "activity",
        /// My account and family links.
        Account = "account",
        /// Staff: assignments, whistles, overdue items, reopened cases, check-ins due.
        Work = "work",
    }
}

/// The topics a resident sees on `/me`, in order.
pub const RESIDENT_TOPICS: [Topic; 9] = [
    Topic::Confirm,
    Topic::Appointment,
    Topic::Emergency,
    Topic::Answer,
    Topic::Progress,
    Topic::Rate,
    Topic::Meeting,
    Topic::Activity,
    Topic::Account,
];

/// The topics a staff account sees.
pub const STAFF_TOPICS: [Topic; 2] = [Topic::Work, Topic::Account];

impl Topic {
    /// SMS is kept for what must not be missed: it costs the district money and interrupts.
    pub const fn sms_offered(self) -> bool {
        matches!(self, Topic::Confirm | Topic::Appointment | Topic::Emergency)
    }

    /// Emergencies ignore quiet hours and the daily cap.
    pub const fn urgent(self) -> bool {
        matches!(self, Topic::Emergency)
    }
}

/// The topic of a notification. A case turning "resolved" is the confirm window opening.
pub fn topic(kind: Kind, detail: &str) -> Topic {
    match kind {
        Kind::Status if detail == "resolved" => Topic::Confirm,
        Kind::ConfirmReminder => Topic::Confirm,
        Kind::Status
        | Kind::Milestone
        | Kind::VisitProposed
        | Kind::VisitAccepted
        | Kind::VisitDeclined
        | Kind::FiledForYou
        | Kind::SpaceApproved
        | Kind::SpaceRefused => Topic::Progress,
        Kind::Reply | Kind::Callback | Kind::ThreadAnswer => Topic::Answer,
        Kind::RateInvite | Kind::RateReminder => Topic::Rate,
        Kind::AppointmentReminder => Topic::Appointment,
        Kind::EmergencyNotice => Topic::Emergency,
        Kind::Meeting | Kind::Minutes | Kind::MeetingPromoted => Topic::Meeting,
        Kind::ActivityPromoted => Topic::Activity,
        Kind::AccountAttempt | Kind::FamilyRequest | Kind::FamilyConfirmed | Kind::Blocked => Topic::Account,
        Kind::Assigned
        | Kind::Whistle
        | Kind::Reported
        | Kind::Overdue
        | Kind::Urge
        | Kind::CheckinLate
        | Kind::CheckinDue
        | Kind::Reopened
        | Kind::ThreadReview
        | Kind::UrgeFromAbove
        | Kind::UrgeAnswered
        | Kind::SpaceWaiting => Topic::Work,
    }
}

/// An account's choices: the switches it turned away from the defaults, and SMS only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Choices {
    pub sms_only: bool,
    /// (topic, channel, on) as chosen on `/me`.
    pub chosen: Vec<(Topic, Channel, bool)>,
}

impl Choices {
    /// Is this channel on for this topic? Push is on by default (it only reaches devices the
    /// person subscribed); SMS is on by default where it is offered. SMS only turns push off
    /// and keeps SMS for what it is offered for.
    pub fn wants(&self, topic: Topic, channel: Channel) -> bool {
        match channel {
            Channel::Sms if !topic.sms_offered() => return false,
            Channel::Push if self.sms_only => return false,
            _ => {}
        }
        self.chosen.iter().find(|(t, c, _)| *t == topic && *c == channel).map_or(true, |(_, _, on)| *on)
    }

    /// The outside channels a notification of `topic` goes through.
    pub fn channels(&self, topic: Topic, has_device: bool) -> Vec<Channel> {
        let mut out = Vec::new();
        if has_device && self.wants(topic, Channel::Push) {
            out.push(Channel::Push);
        }
        if self.wants(topic, Channel::Sms) {
            out.push(Channel::Sms);
        }
        out
    }
}

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

pub use crate::time::{beijing_day, QuietHours};

/// The earliest an SMS may go: now, or when quiet hours end (Beijing time).
pub fn sms_not_before(now: i64, urgent: bool, quiet: Option<QuietHours>) -> i64 {
    let Some(quiet) = quiet.filter(|_| !urgent) else { return now };
    let start = crate::time::day_start(now);
    if !quiet.contains((now - start) / HOUR) {
        return now;
    }
    // The next `until`:00 after now.
    let at = start + quiet.until * HOUR;
    if at > now {
        at
    } else {
        at + DAY
    }
}

/// How many notice SMS an account may already have had today for one more to go: the cap,
/// or no limit for emergencies. The queue's conditional update counts against it.
pub fn sms_limit(cap: i64, urgent: bool) -> i64 {
    if urgent {
        i64::MAX
    } else {
        cap
    }
}

/// May one more notice SMS go to someone who had `sent_today` today? Emergencies always.
pub fn within_cap(sent_today: i64, cap: i64, urgent: bool) -> bool {
    sent_today < sms_limit(cap, urgent)
}

/// When a failed delivery is tried again: 30 s, 2 min, 10 min, 1 h, 6 h after the
/// attempts so far; `None` after the fifth retry (the delivery has failed).
pub fn retry_in(attempts: i64) -> Option<i64> {
    const STEPS: [i64; 5] = [30_000, 120_000, 600_000, HOUR, 6 * HOUR];
    usize::try_from(attempts - 1).ok().and_then(|i| STEPS.get(i).copied())
}

/// What a push service's answer means for the subscription and the delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushAnswer {
    Delivered,
    /// 404/410: the subscription expired or was withdrawn; it is dropped.
    Gone,
    /// Our request was wrong (400, 401, 403, 413): trying again will not help.
    Refused,
    /// 429 or a server error: try again later.
    Later,
}

pub fn push_answer(status: u16) -> PushAnswer {
    match status {
        200..=299 => PushAnswer::Delivered,
        404 | 410 => PushAnswer::Gone,
        400 | 401 | 403 | 413 => PushAnswer::Refused,
        _ => PushAnswer::Later,
    }
}

/// An SMS carries one segment: 70 characters of Chinese. Longer text is cut with "…".
pub fn sms_text(sentence: &str) -> String {
    const MAX: usize = 60;
    let sentence = sentence.trim();
    if sentence.chars().count() <= MAX {
        return sentence.to_string();
    }
    let mut cut: String = sentence.chars().take(MAX - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-03 at `h:m` Beijing time, in UTC milliseconds.
    fn bj(h: i64, m: i64) -> i64 {
        // 2026-12-03T00:00:00+08:00 = 2026-12-02T16:00:00Z.
        let midnight = 1_796_227_200_000;
        midnight + h * HOUR + m * 60_000
    }

    #[test]
    fn quiet_hours_move_sms_to_seven_in_the_morning() {
        let q = Some(QuietHours::default());
        assert_eq!(sms_not_before(bj(14, 2), false, q), bj(14, 2));
        assert_eq!(sms_not_before(bj(21, 59), false, q), bj(21, 59));
        // 22:00 to midnight: the next morning.
        assert_eq!(sms_not_before(bj(22, 0), false, q), bj(7, 0) + DAY);
        assert_eq!(sms_not_before(bj(23, 30), false, q), bj(7, 0) + DAY);
        // After midnight: this morning.
        assert_eq!(sms_not_before(bj(0, 10), false, q), bj(7, 0));
        assert_eq!(sms_not_before(bj(6, 59), false, q), bj(7, 0));
        assert_eq!(sms_not_before(bj(7, 0), false, q), bj(7, 0));
        // Emergencies go at once; so does everything without quiet hours.
        assert_eq!(sms_not_before(bj(23, 30), true, q), bj(23, 30));
        assert_eq!(sms_not_before(bj(3, 0), true, q), bj(3, 0));
        assert_eq!(sms_not_before(bj(3, 0), false, None), bj(3, 0));
        // Quiet hours within a day (a lunch break).
        let lunch = Some(QuietHours { from: 12, until: 14 });
        assert_eq!(sms_not_before(bj(12, 30), false, lunch), bj(14, 0));
        assert_eq!(sms_not_before(bj(11, 59), false, lunch), bj(11, 59));
        assert_eq!(sms_not_before(bj(14, 0), false, lunch), bj(14, 0));
    }

    #[test]
    fn quiet_hours_parse() {
        assert_eq!(QuietHours::parse("22-7"), Ok(Some(QuietHours { from: 22, until: 7 })));
        assert_eq!(QuietHours::parse(" 12 - 14 "), Ok(Some(QuietHours { from: 12, until: 14 })));
        assert_eq!(QuietHours::parse("off"), Ok(None));
        assert!(QuietHours::parse("22").is_err());
        assert!(QuietHours::parse("22-24").is_err());
        assert!(QuietHours::parse("7-7").is_err());
    }

    #[test]
    fn the_cap_counts_beijing_days() {
        assert_eq!(beijing_day(bj(23, 59)), beijing_day(bj(0, 0)));
        assert_eq!(beijing_day(bj(0, 0) + DAY), beijing_day(bj(0, 0)) + 1);
        assert!(within_cap(2, 3, false));
        assert!(!within_cap(3, 3, false));
        assert!(within_cap(30, 3, true), "emergencies have no cap");
    }

    #[test]
    fn channels_follow_defaults_and_choices() {
        let none = Choices::default();
        assert_eq!(none.channels(Topic::Confirm, true), [Channel::Push, Channel::Sms]);
        assert_eq!(none.channels(Topic::Confirm, false), [Channel::Sms], "no device, no push");
        assert_eq!(none.channels(Topic::Answer, true), [Channel::Push], "SMS only for what must not be missed");
        assert!(none.channels(Topic::Answer, false).is_empty());
        let chosen = Choices {
            sms_only: false,
            chosen: vec![(Topic::Progress, Channel::Push, false), (Topic::Appointment, Channel::Sms, false)],
        };
        assert!(chosen.channels(Topic::Progress, true).is_empty());
        assert_eq!(chosen.channels(Topic::Appointment, true), [Channel::Push]);
        // A switch turned on for SMS where SMS is not offered changes nothing.
        let forced = Choices { sms_only: false, chosen: vec![(Topic::Meeting, Channel::Sms, true)] };
        assert_eq!(forced.channels(Topic::Meeting, false), []);
        // SMS only: never push, SMS where offered (and still switchable).
        let elder = Choices { sms_only: true, chosen: vec![(Topic::Appointment, Channel::Sms, false)] };
        assert_eq!(elder.channels(Topic::Emergency, true), [Channel::Sms]);
        assert!(elder.channels(Topic::Answer, true).is_empty());
        assert!(elder.channels(Topic::Appointment, true).is_empty());
    }

    #[test]
    fn topics_of_kinds() {
        assert_eq!(topic(Kind::Status, "resolved"), Topic::Confirm);
        assert_eq!(topic(Kind::Status, "in_progress"), Topic::Progress);
        assert_eq!(topic(Kind::ConfirmReminder, ""), Topic::Confirm);
        assert_eq!(topic(Kind::RateReminder, ""), Topic::Rate);
        assert_eq!(topic(Kind::EmergencyNotice, "停水"), Topic::Emergency);
        assert_eq!(topic(Kind::Reopened, ""), Topic::Work);
        assert!(Topic::Emergency.urgent() && !Topic::Confirm.urgent());
        // Every resident topic but the account's is listed once; staff see their work.
        for t in Topic::ALL {
            assert!(RESIDENT_TOPICS.contains(&t) || STAFF_TOPICS.contains(&t), "{t} is shown to someone");
        }
    }

    #[test]
    fn retries_back_off_then_stop() {
        assert_eq!(retry_in(1), Some(30_000));
        assert_eq!(retry_in(2), Some(120_000));
        assert_eq!(retry_in(5), Some(6 * HOUR));
        assert_eq!(retry_in(6), None);
        assert_eq!(retry_in(0), None);
    }

    #[test]
    fn push_answers() {
        assert_eq!(push_answer(201), PushAnswer::Delivered);
        assert_eq!(push_answer(410), PushAnswer::Gone);
        assert_eq!(push_answer(404), PushAnswer::Gone);
        assert_eq!(push_answer(413), PushAnswer::Refused);
        assert_eq!(push_answer(429), PushAnswer::Later);
        assert_eq!(push_answer(503), PushAnswer::Later);
    }

    #[test]
    fn sms_text_is_one_segment() {
        assert_eq!(sms_text(" 您的诉求已办结 "), "您的诉求已办结");
        let long = "停".repeat(100);
        let cut = sms_text(&long);
        assert_eq!(cut.chars().count(), 60);
        assert!(cut.ends_with('…'));
    }
}
