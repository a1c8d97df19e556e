//! The pure rules of supervision: which cases a filter means, the answer date an urge may
//! set, the urge's note, and where an urge stands.

use crate::i18n::T;
use chrono::NaiveDate;

/// The longest an urge may give the station to answer.
pub const MAX_ANSWER_DAYS: i64 = 30;
pub const MAX_NOTE: usize = 500;

crate::codes! {
    /// The supervision list's filters over the admin's communities.
    pub enum Filter {
        /// Open and past the next deadline (answer, then completion).
        Overdue = "overdue",
        /// Reopened by the resident and not resolved again.
        Reopened = "reopened",
        /// Rated 不满意 or 非常不满意 (overall 1 or 2).
        Dissatisfied = "dissatisfied",
        /// Whistled up, and a department is late to check in or to report.
        WhistleLate = "whistle_late",
        /// Urged, and the station has not answered yet.
        Urged = "urged",
    }
}

impl Filter {
    pub const fn label(self) -> T {
        match self {
            Filter::Overdue => T::Overdue,
            Filter::Reopened => T::StateReopened,
            Filter::Dissatisfied => T::SupervisionDissatisfied,
            Filter::WhistleLate => T::SupervisionWhistleLate,
            Filter::Urged => T::SupervisionUrgedWaiting,
        }
    }

    /// The filter in the URL; none (or empty) means overdue, the first thing to look at.
    pub fn from_query(raw: Option<&str>) -> Option<Filter> {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(Filter::Overdue),
            Some(s) => Filter::parse(s),
        }
    }
}

/// An urge as the admin wrote it: the note (control characters dropped) and the day, in
/// Beijing time, by whose end the station must answer: today at the earliest, a month at the
/// latest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrgeDraft {
    pub note: String,
    pub answer_by: NaiveDate,
}

pub fn check_urge(note: &str, answer_by: &str, today: NaiveDate) -> Result<UrgeDraft, Vec<(&'static str, T)>> {
    let mut problems = Vec::new();
    let note: String = note.chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>().trim().to_string();
    if note.is_empty() {
        problems.push(("note", T::ErrRequired));
    } else if note.chars().count() > MAX_NOTE {
        problems.push(("note", T::ErrTooLong));
    }
    let day = match NaiveDate::parse_from_str(answer_by.trim(), "%Y-%m-%d") {
        Ok(d) if (0..=MAX_ANSWER_DAYS).contains(&(d - today).num_days()) => Some(d),
        _ => {
            problems.push(("answer_by", T::ErrUrgeAnswerBy));
            None
        }
    };
    match day {
        Some(answer_by) if problems.is_empty() => Ok(UrgeDraft { note, answer_by }),
        _ => Err(problems),
    }
}

/// The end (UTC ms) of a Beijing day: the last moment an answer is on time.
pub fn end_of_day(day: NaiveDate) -> i64 {
    let next = day.succ_opt().unwrap_or(day).and_hms_opt(0, 0, 0).unwrap_or_default();
    next.and_utc().timestamp_millis() - 8 * 3_600_000 - 1
}

/// Where an urge stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum UrgeState {
    Waiting,
    /// Not answered, and the answer date has passed.
    Late,
    Answered,
    AnsweredLate,
}

pub fn urge_state(answer_by: i64, answered_at: Option<i64>, now: i64) -> UrgeState {
    match answered_at {
        None if now > answer_by => UrgeState::Late,
        None => UrgeState::Waiting,
        Some(at) if at > answer_by => UrgeState::AnsweredLate,
        Some(_) => UrgeState::Answered,
    }
}

/// The station's answer: required, at most 2,000 characters.
pub fn check_answer(text: &str) -> Result<String, T> {
    let text: String = text.chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>().trim().to_string();
    if text.is_empty() {
        return Err(T::ErrRequired);
    }
    if text.chars().count() > 2000 {
        return Err(T::ErrTooLong);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn an_urge_needs_a_note_and_a_date_within_a_month() {
        let today = day("2026-12-02");
        let ok = check_urge("  请本周内答复\u{7}  ", "2026-12-04", today).unwrap();
        assert_eq!(ok, UrgeDraft { note: "请本周内答复".into(), answer_by: day("2026-12-04") });
        assert!(check_urge("x", "2026-12-02", today).is_ok(), "today is allowed");
        assert!(check_urge("x", "2027-01-01", today).is_ok(), "30 days is allowed");
        assert_eq!(check_urge("x", "2027-01-02", today).unwrap_err(), vec![("answer_by", T::ErrUrgeAnswerBy)]);
        assert_eq!(check_urge("x", "2026-12-01", today).unwrap_err(), vec![("answer_by", T::ErrUrgeAnswerBy)]);
        assert_eq!(check_urge("x", "12/04", today).unwrap_err(), vec![("answer_by", T::ErrUrgeAnswerBy)]);
        let both = check_urge(" ", "", today).unwrap_err();
        assert_eq!(both, vec![("note", T::ErrRequired), ("answer_by", T::ErrUrgeAnswerBy)]);
        let long = "督".repeat(MAX_NOTE + 1);
        assert_eq!(check_urge(&long, "2026-12-03", today).unwrap_err(), vec![("note", T::ErrTooLong)]);
    }

    #[test]
    fn the_answer_date_ends_at_beijing_midnight() {
        // 2026-12-04 24:00 Beijing = 2026-12-04 16:00 UTC.
        let end = end_of_day(day("2026-12-04"));
        assert_eq!(crate::time::format_local(end), "2026-12-04 23:59");
        assert_eq!(crate::time::format_local(end + 1), "2026-12-05 00:00");
    }

    #[test]
    fn an_urge_is_late_after_its_date_answered_or_not() {
        assert_eq!(urge_state(100, None, 100), UrgeState::Waiting);
        assert_eq!(urge_state(100, None, 101), UrgeState::Late);
        assert_eq!(urge_state(100, Some(100), 500), UrgeState::Answered);
        assert_eq!(urge_state(100, Some(101), 500), UrgeState::AnsweredLate);
    }

    #[test]
    fn the_list_opens_on_overdue_and_refuses_unknown_filters() {
        assert_eq!(Filter::from_query(None), Some(Filter::Overdue));
        assert_eq!(Filter::from_query(Some(" ")), Some(Filter::Overdue));
        assert_eq!(Filter::from_query(Some("whistle_late")), Some(Filter::WhistleLate));
        assert_eq!(Filter::from_query(Some("late")), None);
    }

    #[test]
    fn an_answer_is_required_and_bounded() {
        assert_eq!(check_answer(" 已派人处理 "), Ok("已派人处理".into()));
        assert_eq!(check_answer("\u{1}"), Err(T::ErrRequired));
        assert_eq!(check_answer(&"a".repeat(2001)), Err(T::ErrTooLong));
    }
}
