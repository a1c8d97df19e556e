//! Pure rules of household visits (入户走访): care flags and topics, what a visit record
//! must say, the quarter coverage is counted in, and the order of a round.

use crate::i18n::T;
use chrono::{Datelike, NaiveDate};

pub const MAX_NOTE: usize = 1000;
/// A visit is recorded on the day or up to this many days after.
pub const RECORD_WITHIN_DAYS: i64 = 90;
/// A visit is planned at most this far ahead.
pub const PLAN_AHEAD_DAYS: i64 = 120;
/// The round lists this many households to visit next.
pub const ROUND_SIZE: usize = 100;

crate::codes! {
    /// What the station keeps in mind about a household (staff only; changes are logged).
    pub enum CareFlag {
        AloneElderly = "alone_elderly",
        EmptyNest = "empty_nest",
        Disabled = "disabled",
        Hardship = "hardship",
        ChildCare = "child_care",
    }
}

crate::codes! {
    /// What a visit talked about.
    pub enum Topic {
        Health = "health",
        Living = "living",
        Safety = "safety",
        Policy = "policy",
        Neighbours = "neighbours",
        Feedback = "feedback",
    }
}

impl CareFlag {
    pub const fn label(self) -> T {
        match self {
            CareFlag::AloneElderly => T::CareAloneElderly,
            CareFlag::EmptyNest => T::CareEmptyNest,
            CareFlag::Disabled => T::CareDisabled,
            CareFlag::Hardship => T::CareHardship,
            CareFlag::ChildCare => T::CareChildCare,
        }
    }
}

impl Topic {
    pub const fn label(self) -> T {
        match self {
            Topic::Health => T::TopicHealth,
            Topic::Living => T::TopicLiving,
            Topic::Safety => T::VisitTopicSafety,
            Topic::Policy => T::TopicPolicy,
            Topic::Neighbours => T::TopicNeighbours,
            Topic::Feedback => T::TopicFeedback,
        }
    }
}

/// Flags as stored: codes joined by commas, in the enum's order. Unknown codes are an error.
pub fn parse_flags<F: Copy + PartialEq>(stored: &str, parse: impl Fn(&str) -> Option<F>) -> Result<Vec<F>, String> {
    stored.split(',').filter(|s| !s.is_empty()).map(|s| parse(s).ok_or_else(|| s.to_string())).collect()
}

pub fn join_care(flags: &[CareFlag]) -> String {
    CareFlag::ALL.into_iter().filter(|f| flags.contains(f)).map(CareFlag::as_str).collect::<Vec<_>>().join(",")
}

pub fn join_topics(topics: &[Topic]) -> String {
    Topic::ALL.into_iter().filter(|t| topics.contains(t)).map(Topic::as_str).collect::<Vec<_>>().join(",")
}

/// The first day of `day`'s quarter: coverage counts visits from it.
pub fn quarter_start(day: NaiveDate) -> NaiveDate {
    let month = (day.month0() / 3) * 3 + 1;
    NaiveDate::from_ymd_opt(day.year(), month, 1).unwrap_or(day)
}

/// "2026年第4季度" / "Q4 2026".
pub fn quarter_label(day: NaiveDate, zh: bool) -> String {
    let q = day.month0() / 3 + 1;
    if zh {
        format!("{}年第{q}季度", day.year())
    } else {
        format!("Q{q} {}", day.year())
    }
}

/// A visit as its form was filled in, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitDraft {
    pub visited_on: NaiveDate,
    pub topics: Vec<Topic>,
    pub note: String,
    /// The follow-up case's number, if one was filed.
    pub demand: Option<i64>,
}

pub fn check_visit(
    visited_on: &str,
    topics: &[&str],
    note: &str,
    demand: &str,
    today: NaiveDate,
) -> Result<VisitDraft, Vec<(&'static str, T)>> {
    let mut problems = Vec::new();
    let day = NaiveDate::parse_from_str(visited_on.trim(), "%Y-%m-%d").ok();
    let day = match day {
        Some(d) if d <= today && (today - d).num_days() <= RECORD_WITHIN_DAYS => Some(d),
        _ => {
            problems.push(("visited_on", T::ErrVisitDay));
            None
        }
    };
    let parsed: Vec<Option<Topic>> = topics.iter().map(|t| Topic::parse(t.trim())).collect();
    if parsed.is_empty() || parsed.iter().any(Option::is_none) {
        problems.push(("topics", T::ErrVisitTopics));
    }
    let note: String = note.chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>().trim().to_string();
    if note.chars().count() > MAX_NOTE {
        problems.push(("note", T::ErrTooLong));
    }
    let demand = demand.trim().trim_start_matches('#');
    let demand = if demand.is_empty() {
        None
    } else {
        match demand.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                problems.push(("demand", T::ErrVisitDemand));
                None
            }
        }
    };
    match day {
        Some(visited_on) if problems.is_empty() => {
            Ok(VisitDraft { visited_on, topics: parsed.into_iter().flatten().collect(), note, demand })
        }
        _ => Err(problems),
    }
}

/// A planned day: empty clears the plan; otherwise from today up to [`PLAN_AHEAD_DAYS`].
pub fn check_plan(plan_on: &str, today: NaiveDate) -> Result<Option<NaiveDate>, T> {
    let plan_on = plan_on.trim();
    if plan_on.is_empty() {
        return Ok(None);
    }
    match NaiveDate::parse_from_str(plan_on, "%Y-%m-%d") {
        Ok(d) if d >= today && (d - today).num_days() <= PLAN_AHEAD_DAYS => Ok(Some(d)),
        _ => Err(T::ErrVisitPlan),
    }
}

/// A household as a round orders it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoundEntry {
    pub planned: Option<NaiveDate>,
    pub cared_for: bool,
    pub last_visit: Option<NaiveDate>,
}

/// The order of a round: planned visits first (soonest first); then households not yet
/// visited this quarter, those with care flags before the others, the longest unvisited
/// (never visited first) before the rest; households visited this quarter last.
pub fn round_key(e: &RoundEntry, quarter: NaiveDate) -> (u8, NaiveDate, u8, NaiveDate) {
    let visited = e.last_visit.is_some_and(|d| d >= quarter);
    let last = e.last_visit.unwrap_or(NaiveDate::MIN);
    match (e.planned, visited, e.cared_for) {
        (Some(p), _, _) => (0, p, 0, last),
        (None, false, true) => (1, NaiveDate::MIN, 0, last),
        (None, false, false) => (1, NaiveDate::MIN, 1, last),
        (None, true, _) => (2, NaiveDate::MIN, 0, last),
    }
}

/// Visited ÷ all, in whole percent (none: no households yet).
pub fn coverage(visited: i64, all: i64) -> Option<i64> {
    (all > 0).then(|| (visited * 100 + all / 2) / all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn quarters_start_on_their_first_day() {
        assert_eq!(quarter_start(d("2026-12-02")), d("2026-10-01"));
        assert_eq!(quarter_start(d("2026-01-01")), d("2026-01-01"));
        assert_eq!(quarter_start(d("2026-06-30")), d("2026-04-01"));
        assert_eq!(quarter_label(d("2026-12-02"), true), "2026年第4季度");
        assert_eq!(quarter_label(d("2026-02-02"), false), "Q1 2026");
    }

    #[test]
    fn a_visit_says_when_and_what() {
        let today = d("2026-12-02");
        let ok = check_visit("2026-12-01", &["health", "safety"], " 血压偏高，已提醒复诊 ", "#123", today).unwrap();
        assert_eq!(ok.topics, [Topic::Health, Topic::Safety]);
        assert_eq!((ok.note.as_str(), ok.demand), ("血压偏高，已提醒复诊", Some(123)));
        let bad = check_visit("2026-12-03", &[], &"长".repeat(1001), "abc", today).unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|p| p.0).collect();
        assert_eq!(fields, ["visited_on", "topics", "note", "demand"]);
        assert!(check_visit("2026-08-01", &["health"], "", "", today).is_err(), "older than 90 days");
        assert_eq!(check_visit("2026-12-02", &["health", "gossip"], "", "", today).unwrap_err()[0].0, "topics");
    }

    #[test]
    fn plans_lie_ahead() {
        let today = d("2026-12-02");
        assert_eq!(check_plan("", today), Ok(None));
        assert_eq!(check_plan("2026-12-10", today), Ok(Some(d("2026-12-10"))));
        assert_eq!(check_plan("2026-12-01", today), Err(T::ErrVisitPlan));
        assert_eq!(check_plan("2027-06-01", today), Err(T::ErrVisitPlan));
    }

    #[test]
    fn a_round_puts_plans_then_care_then_the_longest_unvisited_first() {
        let q = d("2026-10-01");
        let e = |planned: Option<&str>, cared_for: bool, last: Option<&str>| RoundEntry {
            planned: planned.map(d),
            cared_for,
            last_visit: last.map(d),
        };
        let mut round = [
            ("visited", e(None, true, Some("2026-11-01"))),
            ("plain, seen in summer", e(None, false, Some("2026-07-01"))),
            ("plain, never", e(None, false, None)),
            ("care, seen in spring", e(None, true, Some("2026-04-01"))),
            ("planned later", e(Some("2026-12-20"), false, None)),
            ("planned soon", e(Some("2026-12-05"), false, Some("2026-11-20"))),
        ];
        round.sort_by_key(|(_, e)| round_key(e, q));
        let order: Vec<&str> = round.iter().map(|r| r.0).collect();
        assert_eq!(
            order,
            [
                "planned soon",
                "planned later",
                "care, seen in spring",
                "plain, never",
                "plain, seen in summer",
                "visited"
            ]
        );
    }

    #[test]
    fn flags_are_stored_in_one_order_and_read_strictly() {
        assert_eq!(join_care(&[CareFlag::Hardship, CareFlag::AloneElderly]), "alone_elderly,hardship");
        assert_eq!(
            parse_flags("alone_elderly,hardship", CareFlag::parse),
            Ok(vec![CareFlag::AloneElderly, CareFlag::Hardship])
        );
        assert_eq!(parse_flags("", CareFlag::parse), Ok(vec![]));
        assert_eq!(parse_flags("alone_elderly,rich", CareFlag::parse), Err("rich".to_string()));
        assert_eq!(coverage(1, 3), Some(33));
        assert_eq!(coverage(0, 0), None);
    }
}
