//! The three rates Beijing's 接诉即办 ranks units by (响应率、解决率、满意率), the medians and the
//! weekly volume: pure functions over facts loaded from either database, so SQLite and
//! PostgreSQL give the same figures. All times are UTC milliseconds; a period is
//! `[start, end)`.

use serde::{Deserialize, Serialize};

/// How a work item ended, as far as the rates care.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ending {
    /// Still with the station (or resolved and waiting for the resident).
    Open,
    /// Closed: the resident confirmed, or stayed silent for 7 days after the station
    /// resolved it. Either way it counts as resolved.
    Closed { at: i64 },
    /// Withdrawn by the resident. `after_reopen`: they had said it was not solved, then gave
    /// up: that ends the case unresolved. Withdrawn before that, nothing was owed.
    Withdrawn { at: i64, after_reopen: bool },
}

/// What the rates need to know about one work item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFacts {
    pub created_at: i64,
    pub respond_by: i64,
    pub complete_by: i64,
    pub first_response_at: Option<i64>,
    /// When the station last declared it resolved.
    pub resolved_at: Option<i64>,
    pub ending: Ending,
    /// Still owed by the station now (not resolved, closed or withdrawn).
    pub open_now: bool,
    /// Found by the station itself (主动发现): counted apart, not in the three rates.
    pub found: bool,
    /// Merged by the station into another case (the same incident): that one counts, this
    /// one nowhere.
    #[serde(default)]
    pub merged: bool,
}

/// A resident's rating: the overall level (5 非常满意 … 1 非常不满意) and when it was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingFacts {
    pub overall: u8,
    pub rated_at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: i64,
    pub end: i64,
}

impl Period {
    pub fn contains(&self, t: i64) -> bool {
        self.start <= t && t < self.end
    }
}

/// A rate as a fraction; no denominator means "nothing to measure", never 0 % or 100 %.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub num: u32,
    pub den: u32,
}

impl Rate {
    pub fn percent(&self) -> Option<f64> {
        (self.den > 0).then(|| 100.0 * self.num as f64 / self.den as f64)
    }

    /// "87.5%" or "—".
    pub fn label(&self) -> String {
        match self.percent() {
            Some(p) => format!("{p:.1}%"),
            None => "—".to_string(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rates {
    pub response: Rate,
    pub resolution: Rate,
    pub satisfaction: Rate,
    /// Ratings in the period by level: index 0 = 非常满意 (5) … 4 = 非常不满意 (1).
    pub distribution: [u32; 5],
    /// Median time from posting to the first response, for items first answered in the period.
    pub median_response_ms: Option<i64>,
    /// Median time from posting to resolution, for items closed in the period.
    pub median_resolution_ms: Option<i64>,
    /// Items posted in the period.
    pub posted: u32,
    /// Open and overdue at `now` (not limited to the period).
    pub overdue_now: u32,
    /// Open at `now`.
    pub open_now: u32,
    /// Of those posted, found by the station itself (主动发现).
    pub found: u32,
    /// Found cases closed in the period: solved before anyone reported them (未诉先办).
    pub found_solved: u32,
}

/// Is the item's response settled at `now`? Answered, or its deadline has passed, or it was
/// withdrawn before anyone had to answer.
fn response_counts(i: &ItemFacts, now: i64) -> Option<bool> {
    match i.first_response_at {
        Some(at) => Some(at <= i.respond_by),
        None => {
            if let Ending::Withdrawn { at, .. } = i.ending {
                if at <= i.respond_by {
                    return None;
                }
            }
            // Not answered yet and still within the deadline: not decided.
            (now > i.respond_by).then_some(false)
        }
    }
}

/// Is an open item overdue at `now`? The same test as the board's (see `work::rules`).
pub fn overdue(i: &ItemFacts, now: i64) -> bool {
    i.open_now && ((i.first_response_at.is_none() && now > i.respond_by) || now > i.complete_by)
}

pub fn median(mut xs: Vec<i64>) -> Option<i64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_unstable();
    let n = xs.len();
    Some(if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2 })
}

/// The rates of `items` and `ratings` over `period`, as seen at `now`.
///
/// - 响应率 response: items answered by their response deadline ÷ items whose response
///   deadline fell in the period (an item still unanswered with its deadline ahead is not yet
///   counted; one withdrawn before its deadline without an answer is never counted).
/// - 解决率 resolution: items closed in the period (confirmed by the resident, or closed by
///   itself 7 days after the station resolved it unchallenged) ÷ those plus items the
///   resident withdrew in the period after reopening them (they ended unresolved). An item
///   reopened and then resolved again counts once, by how it finally ended.
/// - 满意率 satisfaction: ratings in the period at 非常满意 or 满意 ÷ ratings in the period.
/// - Cases the station found itself (主动发现) are in none of the three: they are counted
///   apart, as found (posted in the period) and solved (closed in it), 未诉先办.
pub fn rates(items: &[ItemFacts], ratings: &[RatingFacts], period: Period, now: i64) -> Rates {
    let mut r = Rates::default();
    let mut to_response = Vec::new();
    let mut to_resolution = Vec::new();
    // A merged case is the other one's incident: counted there, once.
    for i in items.iter().filter(|i| !i.merged) {
        if period.contains(i.created_at) {
            r.posted += 1;
            r.found += i.found as u32;
        }
        if i.open_now {
            r.open_now += 1;
            r.overdue_now += overdue(i, now) as u32;
        }
        // Nobody waited on a found case: it counts apart, not in the three rates.
        if i.found {
            r.found_solved += matches!(i.ending, Ending::Closed { at } if period.contains(at)) as u32;
            continue;
        }
        if period.contains(i.respond_by) {
            if let Some(in_time) = response_counts(i, now) {
                r.response.den += 1;
                r.response.num += in_time as u32;
            }
        }
        if let Some(at) = i.first_response_at.filter(|at| period.contains(*at)) {
            to_response.push(at - i.created_at);
        }
        match i.ending {
            Ending::Closed { at } if period.contains(at) => {
                r.resolution.den += 1;
                r.resolution.num += 1;
                to_resolution.push(i.resolved_at.unwrap_or(at) - i.created_at);
            }
            Ending::Withdrawn { at, after_reopen: true } if period.contains(at) => r.resolution.den += 1,
            _ => {}
        }
    }
    for g in ratings.iter().filter(|g| period.contains(g.rated_at)) {
        if !(1..=5).contains(&g.overall) {
            continue;
        }
        r.satisfaction.den += 1;
        r.satisfaction.num += (g.overall >= 4) as u32;
        r.distribution[(5 - g.overall) as usize] += 1;
    }
    r.median_response_ms = median(to_response);
    r.median_resolution_ms = median(to_resolution);
    r
}

/// The average of the rates that have something to measure: the order of the ranking table.
pub fn composite(r: &Rates) -> Option<f64> {
    let ps: Vec<f64> = [r.response, r.resolution, r.satisfaction].iter().filter_map(Rate::percent).collect();
    (!ps.is_empty()).then(|| ps.iter().sum::<f64>() / ps.len() as f64)
}

const DAY: i64 = 86_400_000;
pub const WEEK: i64 = 7 * DAY;
/// Beijing is UTC+8 all year.
const BEIJING: i64 = 8 * 3_600_000;

/// The start (UTC ms) of the Beijing week (Monday 00:00) containing `t`.
pub fn week_start(t: i64) -> i64 {
    let local = t + BEIJING;
    let day = local.div_euclid(DAY);
    // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday = 0.
    let weekday = (day + 3).rem_euclid(7);
    (day - weekday) * DAY - BEIJING
}

pub use crate::time::day_start;

/// Items posted in each of the `weeks` Beijing weeks up to and including the week of
/// `last`: (week start, count), oldest first.
pub fn weekly_volume(created: &[i64], last: i64, weeks: u32) -> Vec<(i64, u32)> {
    let end_week = week_start(last);
    let first = end_week - (weeks as i64 - 1) * WEEK;
    let mut out: Vec<(i64, u32)> = (0..weeks as i64).map(|k| (first + k * WEEK, 0)).collect();
    for &t in created {
        if t >= first && t < end_week + WEEK {
            out[((t - first) / WEEK) as usize].1 += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;
    const P: Period = Period { start: 1_000 * H, end: 1_168 * H };
    const NOW: i64 = 1_200 * H;

    fn item(created: i64) -> ItemFacts {
        ItemFacts {
            created_at: created,
            respond_by: created + 24 * H,
            complete_by: created + 72 * H,
            first_response_at: None,
            resolved_at: None,
            ending: Ending::Open,
            open_now: true,
            found: false,
            merged: false,
        }
    }

    fn closed(created: i64, responded_after: i64, closed_after: i64) -> ItemFacts {
        ItemFacts {
            first_response_at: Some(created + responded_after),
            resolved_at: Some(created + closed_after - 24 * H),
            ending: Ending::Closed { at: created + closed_after },
            open_now: false,
            ..item(created)
        }
    }

    #[test]
    fn found_cases_count_apart_and_never_in_the_three_rates() {
        let reported = closed(1_000 * H, H, 48 * H);
        let found = ItemFacts { found: true, ..closed(1_010 * H, 0, 30 * H) };
        let found_open = ItemFacts { found: true, ..item(1_020 * H) };
        let r = rates(&[reported, found, found_open], &[], P, NOW);
        assert_eq!((r.posted, r.found, r.found_solved), (3, 2, 1));
        assert_eq!(r.response, Rate { num: 1, den: 1 }, "only the reported case");
        assert_eq!(r.resolution, Rate { num: 1, den: 1 });
        assert_eq!(r.median_resolution_ms, Some(24 * H), "the found case's time is not in the median");
        assert_eq!((r.open_now, r.overdue_now), (1, 1), "the station still owes the open found case");
    }

    #[test]
    fn no_items_means_no_rates_not_zero() {
        let r = rates(&[], &[], P, NOW);
        assert_eq!(r, Rates::default());
        assert_eq!(r.response.percent(), None);
        assert_eq!(r.resolution.label(), "—");
        assert_eq!(composite(&r), None);
    }

    #[test]
    fn response_counts_items_whose_deadline_fell_in_the_period() {
        let items = [
            // Answered in 2 h: in time.
            closed(1_010 * H, 2 * H, 50 * H),
            // Answered after 30 h: late.
            closed(1_020 * H, 30 * H, 60 * H),
            // Never answered, deadline passed: late.
            item(1_030 * H),
            // Posted before the period, deadline inside it: counted.
            closed(990 * H, H, 40 * H),
            // Deadline after the period: not this period's.
            closed(1_150 * H, H, 10 * H),
        ];
        let r = rates(&items, &[], P, NOW);
        assert_eq!(r.response, Rate { num: 2, den: 4 });
        assert_eq!(r.response.label(), "50.0%");
    }

    #[test]
    fn all_overdue() {
        let items: Vec<ItemFacts> = (0..5).map(|k| item(1_000 * H + k * H)).collect();
        let r = rates(&items, &[], P, NOW);
        assert_eq!(r.response, Rate { num: 0, den: 5 });
        assert_eq!(r.response.percent(), Some(0.0));
        assert_eq!(r.overdue_now, 5);
        assert_eq!(r.open_now, 5);
        assert_eq!(r.resolution.den, 0);
    }

    #[test]
    fn a_merged_case_counts_once_in_the_case_it_joined() {
        let worked = closed(1_000 * H, H, 48 * H);
        let merged = ItemFacts {
            merged: true,
            ending: Ending::Withdrawn { at: 1_030 * H, after_reopen: false },
            open_now: false,
            ..item(1_001 * H)
        };
        let r = rates(&[worked, merged], &[], P, NOW);
        assert_eq!(r.posted, 1);
        assert_eq!(r.response, Rate { num: 1, den: 1 });
        assert_eq!(r.resolution, Rate { num: 1, den: 1 });
    }

    #[test]
    fn pending_and_early_withdrawn_items_are_not_counted_for_response() {
        // Now is inside the period; an unanswered item still within its deadline waits.
        let now = 1_100 * H;
        let waiting = item(1_090 * H);
        let withdrawn = ItemFacts {
            ending: Ending::Withdrawn { at: 1_002 * H, after_reopen: false },
            open_now: false,
            ..item(1_000 * H)
        };
        let r = rates(&[waiting, withdrawn], &[], P, now);
        assert_eq!(r.response, Rate::default());
        assert_eq!(r.overdue_now, 0);
        assert_eq!(r.resolution, Rate::default(), "a plain withdrawal is not a failure to resolve");
    }

    #[test]
    fn reopened_items_count_by_how_they_finally_ended() {
        // Reopened, resolved again, confirmed in the period: resolved.
        let redone = closed(1_000 * H, H, 120 * H);
        // Reopened and withdrawn in the period: unresolved.
        let gave_up = ItemFacts {
            first_response_at: Some(1_001 * H),
            ending: Ending::Withdrawn { at: 1_100 * H, after_reopen: true },
            open_now: false,
            ..item(1_000 * H)
        };
        // Reopened and still being worked on: not ended, not counted yet.
        let still_open = ItemFacts { first_response_at: Some(1_001 * H), ..item(1_000 * H) };
        // Closed before the period: another period's.
        let earlier = closed(900 * H, H, 50 * H);
        let r = rates(&[redone, gave_up, still_open, earlier], &[], P, NOW);
        assert_eq!(r.resolution, Rate { num: 1, den: 2 });
        assert_eq!(r.resolution.label(), "50.0%");
    }

    #[test]
    fn satisfaction_counts_the_top_two_levels_and_keeps_the_distribution() {
        let at = 1_050 * H;
        let ratings: Vec<RatingFacts> = [5, 5, 4, 3, 2, 1, 4, 4]
            .into_iter()
            .map(|overall| RatingFacts { overall, rated_at: at })
            .chain([RatingFacts { overall: 1, rated_at: 10 * H }])
            .collect();
        let r = rates(&[], &ratings, P, NOW);
        assert_eq!(r.satisfaction, Rate { num: 5, den: 8 });
        assert_eq!(r.distribution, [2, 3, 1, 1, 1]);
        assert_eq!(r.satisfaction.label(), "62.5%");
    }

    #[test]
    fn medians_and_volume() {
        let items =
            [closed(1_000 * H, 2 * H, 48 * H), closed(1_001 * H, 4 * H, 72 * H), closed(1_002 * H, 9 * H, 96 * H)];
        let r = rates(&items, &[], P, NOW);
        assert_eq!(r.median_response_ms, Some(4 * H));
        // resolved 24 h before closing: 24, 48, 72 h.
        assert_eq!(r.median_resolution_ms, Some(48 * H));
        assert_eq!(r.posted, 3);
        assert_eq!(median(vec![1, 3]), Some(2));
        assert_eq!(median(vec![]), None);
    }

    #[test]
    fn composite_averages_the_rates_that_exist() {
        let r = Rates { response: Rate { num: 1, den: 2 }, satisfaction: Rate { num: 1, den: 1 }, ..Rates::default() };
        assert_eq!(composite(&r), Some(75.0));
    }

    #[test]
    fn weeks_start_on_beijing_monday() {
        use chrono::{TimeZone, Utc};
        // Wednesday 2026-11-25 10:00 Beijing = 02:00 UTC.
        let wed = Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0).unwrap().timestamp_millis();
        // Monday 2026-11-23 00:00 Beijing = Sunday 16:00 UTC.
        let monday = Utc.with_ymd_and_hms(2026, 11, 22, 16, 0, 0).unwrap().timestamp_millis();
        assert_eq!(week_start(wed), monday);
        assert_eq!(week_start(monday), monday);
        assert_eq!(week_start(monday - 1), monday - WEEK);
        assert_eq!(day_start(wed), Utc.with_ymd_and_hms(2026, 11, 24, 16, 0, 0).unwrap().timestamp_millis());
        let v = weekly_volume(&[wed, wed, monday - 1, monday - 20 * WEEK], wed, 4);
        assert_eq!(v.len(), 4);
        assert_eq!(v[3], (monday, 2));
        assert_eq!(v[2], (monday - WEEK, 1));
        assert_eq!(v.iter().map(|x| x.1).sum::<u32>(), 3);
    }
}
