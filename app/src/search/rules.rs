//! What a search asks, read once from the URL into checked values, and how its words become
//! each database's full-text query. Pure: unit-tested without a database.

use crate::error::AppError;
use crate::work::rules::State;
use chrono::NaiveDate;

/// The longest query read (characters); longer text is cut, not refused.
pub const MAX_QUERY: usize = 100;

crate::codes! {
    /// What is searched.
    pub enum Kind {
        Demands = "demands",
        Threads = "threads",
    }
}

/// Which cases by their state: the groups a resident thinks in, or one exact state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateFilter {
    Any,
    /// Still being worked (received … reopened).
    Open,
    /// Resolved or closed.
    Done,
    Exactly(State),
}

impl StateFilter {
    pub fn parse(s: &str) -> Result<StateFilter, AppError> {
        Ok(match s {
            "" => StateFilter::Any,
            "open" => StateFilter::Open,
            "done" => StateFilter::Done,
            other => StateFilter::Exactly(State::parse(other).ok_or(AppError::BadRequest)?),
        })
    }

    /// The condition on `w.state`; only codes of our own, never the searcher's text.
    pub fn sql(self) -> String {
        let list = |states: Vec<State>| {
            let codes: Vec<String> = states.iter().map(|s| format!("'{}'", s.as_str())).collect();
            format!(" AND w.state IN ({})", codes.join(", "))
        };
        match self {
            StateFilter::Any => String::new(),
            StateFilter::Open => list(State::ALL.into_iter().filter(|s| s.is_open()).collect()),
            StateFilter::Done => list(vec![State::Resolved, State::Closed]),
            StateFilter::Exactly(s) => list(vec![s]),
        }
    }
}

/// The filters of a search, checked: a bad value is a 400, never ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filters {
    pub kind: Kind,
    pub state: StateFilter,
    /// An affair's code.
    pub affair: Option<String>,
    pub building: Option<i64>,
    /// Filed on or after the start of this Beijing day (UTC ms), and before this one.
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// The raw filter values as a form sends them (empty: not set).
#[derive(Clone, Debug, Default)]
pub struct RawFilters<'a> {
    pub kind: &'a str,
    pub state: &'a str,
    pub affair: &'a str,
    pub building: &'a str,
    pub from: &'a str,
    pub to: &'a str,
}

impl Filters {
    pub fn parse(raw: &RawFilters<'_>) -> Result<Filters, AppError> {
        let kind = match raw.kind.trim() {
            "" => Kind::Demands,
            k => Kind::parse(k).ok_or(AppError::BadRequest)?,
        };
        let affair = match raw.affair.trim() {
            "" => None,
            a if a.len() <= 40 && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') => {
                Some(a.to_string())
            }
            _ => return Err(AppError::BadRequest),
        };
        let building = match raw.building.trim() {
            "" => None,
            b => Some(b.parse::<i64>().ok().filter(|b| *b > 0).ok_or(AppError::BadRequest)?),
        };
        let day = |s: &str| -> Result<Option<NaiveDate>, AppError> {
            match s.trim() {
                "" => Ok(None),
                d => NaiveDate::parse_from_str(d, "%Y-%m-%d").map(Some).map_err(|_| AppError::BadRequest),
            }
        };
        let (from, to) = (day(raw.from)?, day(raw.to)?);
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(AppError::BadRequest);
            }
        }
        Ok(Filters {
            kind,
            state: StateFilter::parse(raw.state.trim())?,
            affair,
            building,
            from: from.map(day_start_ms),
            // Up to and including the last day: before the next day's start.
            to: to.and_then(|t| t.succ_opt()).map(day_start_ms),
        })
    }
}

/// The UTC millisecond a Beijing day starts.
fn day_start_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis() - 8 * 3_600_000
}

/// A key as a full-text term: only letters and digits (the segmenter's words are), so no
/// key can change the query's syntax on either database.
fn clean(key: &str) -> Option<&str> {
    (!key.is_empty() && key.chars().all(char::is_alphanumeric)).then_some(key)
}

fn groups_of<'a>(groups: &'a [Vec<String>]) -> Vec<Vec<&'a str>> {
    groups.iter().map(|g| g.iter().filter_map(|k| clean(k)).collect::<Vec<_>>()).filter(|g| !g.is_empty()).collect()
}

/// SQLite FTS5: within the scope's place token, each group one of its keys (all groups, or
/// any of them when broadened). `None`: no word to look for.
pub fn fts5_query(groups: &[Vec<String>], place: &str, any: bool) -> Option<String> {
    let groups = groups_of(groups);
    if groups.is_empty() {
        return None;
    }
    let each: Vec<String> = groups
        .iter()
        .map(|g| format!("({})", g.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(" OR ")))
        .collect();
    let words = each.join(if any { " OR " } else { " AND " });
    Some(format!("place : \"{place}\" AND words : ({words})"))
}

/// PostgreSQL `to_tsquery('simple', …)`: the same groups, each key a quoted lexeme.
pub fn tsquery(groups: &[Vec<String>], any: bool) -> Option<String> {
    let groups = groups_of(groups);
    if groups.is_empty() {
        return None;
    }
    let each: Vec<String> = groups
        .iter()
        .map(|g| format!("({})", g.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(" | ")))
        .collect();
    Some(each.join(if any { " | " } else { " & " }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw<'a>(f: impl FnOnce(&mut RawFilters<'a>)) -> RawFilters<'a> {
        let mut r = RawFilters::default();
        f(&mut r);
        r
    }

    #[test]
    fn filters_are_checked_not_guessed() {
        let f = Filters::parse(&RawFilters::default()).unwrap();
        assert_eq!(
            (f.kind, f.state, f.affair, f.building, f.from, f.to),
            (Kind::Demands, StateFilter::Any, None, None, None, None)
        );
        assert_eq!(Filters::parse(&raw(|r| r.kind = "people")), Err(AppError::BadRequest));
        assert_eq!(Filters::parse(&raw(|r| r.state = "lost")), Err(AppError::BadRequest));
        assert_eq!(Filters::parse(&raw(|r| r.affair = "x' OR 1=1")), Err(AppError::BadRequest));
        assert_eq!(Filters::parse(&raw(|r| r.building = "-3")), Err(AppError::BadRequest));
        assert_eq!(Filters::parse(&raw(|r| r.from = "2026-13-01")), Err(AppError::BadRequest));
        assert_eq!(Filters::parse(&raw(|r| (r.from, r.to) = ("2026-12-02", "2026-12-01"))), Err(AppError::BadRequest));
        let f = Filters::parse(&raw(|r| (r.state, r.from, r.to) = ("closed", "2026-12-01", "2026-12-01"))).unwrap();
        assert_eq!(f.state, StateFilter::Exactly(State::Closed));
        // 2026-12-01 00:00 Beijing is 2026-11-30 16:00 UTC; the day ends a day later.
        assert_eq!(f.from, Some(1_796_054_400_000));
        assert_eq!(f.to, Some(1_796_054_400_000 + 86_400_000));
    }

    #[test]
    fn state_groups_name_only_our_codes() {
        assert_eq!(StateFilter::Any.sql(), "");
        assert_eq!(StateFilter::Done.sql(), " AND w.state IN ('resolved', 'closed')");
        let open = StateFilter::Open.sql();
        assert!(open.contains("'received'") && open.contains("'reopened'") && !open.contains("'closed'"), "{open}");
    }

    #[test]
    fn words_become_each_databases_query() {
        let g = vec![vec!["dibao".to_string(), "低保".to_string()], vec!["申请".to_string()]];
        assert_eq!(
            fts5_query(&g, "c12", false).unwrap(),
            "place : \"c12\" AND words : ((\"dibao\" OR \"低保\") AND (\"申请\"))"
        );
        assert_eq!(tsquery(&g, false).unwrap(), "('dibao' | '低保') & ('申请')");
        assert_eq!(tsquery(&g, true).unwrap(), "('dibao' | '低保') | ('申请')");
        // Nothing that could change either query's syntax gets through.
        let bad = vec![vec!["a\"b".to_string(), "x' | 'y".to_string()], vec![String::new()]];
        assert_eq!(fts5_query(&bad, "c1", false), None);
        assert_eq!(tsquery(&bad, false), None);
    }
}
