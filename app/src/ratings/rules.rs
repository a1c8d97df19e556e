//! The rules of rating a closed case, pure: the five government levels, the window, and
//! which ratings call for a callback.

use crate::i18n::T;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Residents rate within this many days of the closure; the rating stays editable until then.
pub const RATING_WINDOW_MS: i64 = 7 * 24 * 3_600_000;

/// 5 = 非常满意, 4 = 满意, 3 = 基本满意, 2 = 不满意, 1 = 非常不满意.
pub const LEVELS: [i64; 5] = [5, 4, 3, 2, 1];

pub fn valid_level(n: i64) -> bool {
    (1..=5).contains(&n)
}

/// May the requester rate (or change the rating) at `now`?
pub fn may_rate(closed: bool, closed_at: Option<i64>, now: i64) -> bool {
    closed && closed_at.is_some_and(|c| now >= c && now - c <= RATING_WINDOW_MS)
}

/// 不满意 or worse: the stationmaster calls the resident back.
pub fn needs_callback(overall: i64) -> bool {
    overall <= 2
}

/// Counts as satisfied in the satisfaction rate: 非常满意 or 满意.
pub fn satisfied(overall: i64) -> bool {
    overall >= 4
}

/// The units' scores as the form sent them (`u[department-3]=4`), against the case's units:
/// an empty value is no score; a unit the case did not involve, or a level outside 1–5, is
/// refused whole.
pub fn unit_scores(units: &[String], given: &BTreeMap<String, String>) -> Result<Vec<(String, i64)>, T> {
    let mut out = Vec::new();
    for (key, value) in given {
        if !units.contains(key) {
            return Err(T::ErrRatingUnit);
        }
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match value.parse::<i64>() {
            Ok(n) if valid_level(n) => out.push((key.clone(), n)),
            _ => return Err(T::ErrRatingLevels),
        }
    }
    Ok(out)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scores {
    pub overall: i64,
    pub timeliness: i64,
    pub attitude: i64,
    pub outcome: i64,
}

impl Scores {
    /// From the form's four fields; anything unreadable becomes 0, which `valid` refuses.
    pub fn from_form(overall: &str, timeliness: &str, attitude: &str, outcome: &str) -> Scores {
        let n = |v: &str| v.trim().parse::<i64>().unwrap_or(0);
        Scores { overall: n(overall), timeliness: n(timeliness), attitude: n(attitude), outcome: n(outcome) }
    }

    pub fn valid(&self) -> bool {
        [self.overall, self.timeliness, self.attitude, self.outcome].into_iter().all(valid_level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_seven_days_from_closure() {
        let closed = 1_000_000;
        assert!(may_rate(true, Some(closed), closed));
        assert!(may_rate(true, Some(closed), closed + RATING_WINDOW_MS));
        assert!(!may_rate(true, Some(closed), closed + RATING_WINDOW_MS + 1));
        assert!(!may_rate(false, Some(closed), closed + 1), "only closed cases");
        assert!(!may_rate(true, None, closed));
    }

    #[test]
    fn units_are_rated_only_for_their_part_in_the_case() {
        let units = vec!["department-3".to_string(), "partner-12".to_string()];
        let given = |pairs: &[(&str, &str)]| {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>()
        };
        assert_eq!(
            unit_scores(&units, &given(&[("department-3", "4"), ("partner-12", "")])),
            Ok(vec![("department-3".into(), 4)])
        );
        assert_eq!(unit_scores(&units, &given(&[])), Ok(vec![]));
        assert_eq!(unit_scores(&units, &given(&[("department-4", "5")])), Err(T::ErrRatingUnit));
        assert_eq!(unit_scores(&units, &given(&[("partner-12", "6")])), Err(T::ErrRatingLevels));
    }

    #[test]
    fn levels_callbacks_and_satisfaction() {
        assert!(LEVELS.iter().all(|l| valid_level(*l)));
        assert!(!valid_level(0) && !valid_level(6));
        assert!(needs_callback(2) && needs_callback(1) && !needs_callback(3));
        assert!(satisfied(5) && satisfied(4) && !satisfied(3));
        assert!(Scores { overall: 5, timeliness: 4, attitude: 3, outcome: 1 }.valid());
        assert!(!Scores { overall: 5, timeliness: 0, attitude: 3, outcome: 1 }.valid());
    }
}
