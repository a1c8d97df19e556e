//! How the subdistrict's departments answer whistles (吹哨报到): check-in and report on time,
//! what is late now, and the median minutes to check in. Pure, like [`super::rates`]: facts
//! in, figures out, the same on both databases.

use super::rates::{median, Rate};
use serde::{Deserialize, Serialize};

/// One whistle to a department, as the figures need it (UTC ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WhistleFacts {
    pub summoned_at: i64,
    pub checkin_by: i64,
    pub report_by: i64,
    pub checked_in_at: Option<i64>,
    pub reported_at: Option<i64>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitTimeliness {
    pub whistles: u32,
    /// 报到及时率: checked in by the deadline ÷ whistles whose check-in was due by now (or done).
    pub checkin: Rate,
    /// 反馈及时率: reported by the deadline ÷ whistles whose report was due by now (or done).
    pub report: Rate,
    /// Past a deadline now, with nothing done.
    pub late_now: u32,
    pub median_checkin_minutes: Option<i64>,
}

pub fn timeliness(whistles: &[WhistleFacts], now: i64) -> UnitTimeliness {
    let mut t = UnitTimeliness { whistles: whistles.len() as u32, ..Default::default() };
    let mut minutes = Vec::new();
    for w in whistles {
        match w.checked_in_at {
            Some(at) => {
                t.checkin.den += 1;
                t.checkin.num += (at <= w.checkin_by) as u32;
                minutes.push((at - w.summoned_at).max(0) / 60_000);
            }
            None if now > w.checkin_by => t.checkin.den += 1,
            None => {}
        }
        match w.reported_at {
            Some(at) => {
                t.report.den += 1;
                t.report.num += (at <= w.report_by) as u32;
            }
            None if now > w.report_by => t.report.den += 1,
            None => {}
        }
        let late = (w.checked_in_at.is_none() && now > w.checkin_by) || (w.reported_at.is_none() && now > w.report_by);
        t.late_now += late as u32;
    }
    t.median_checkin_minutes = median(minutes);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn w(checkin: Option<i64>, report: Option<i64>) -> WhistleFacts {
        WhistleFacts {
            summoned_at: 0,
            checkin_by: 30 * MIN,
            report_by: 600 * MIN,
            checked_in_at: checkin,
            reported_at: report,
        }
    }

    #[test]
    fn on_time_counts_only_what_was_due_and_late_is_what_waits_past_its_deadline() {
        let now = 100 * MIN;
        let all = [
            w(Some(10 * MIN), Some(50 * MIN)), // both on time
            w(Some(40 * MIN), None),           // checked in late; report not due yet
            w(None, None),                     // check-in overdue now
        ];
        let t = timeliness(&all, now);
        assert_eq!(t.whistles, 3);
        assert_eq!(t.checkin, Rate { num: 1, den: 3 });
        assert_eq!(t.report, Rate { num: 1, den: 1 });
        assert_eq!(t.late_now, 1);
        assert_eq!(t.median_checkin_minutes, Some(25));
    }

    #[test]
    fn nothing_due_is_no_rate_not_a_perfect_one() {
        let t = timeliness(&[w(None, None)], 5 * MIN);
        assert_eq!((t.checkin.den, t.report.den, t.late_now), (0, 0, 0));
        assert_eq!(t.checkin.label(), "—");
        let late_report = timeliness(&[w(Some(MIN), None)], 700 * MIN);
        assert_eq!((late_report.report, late_report.late_now), (Rate { num: 0, den: 1 }, 1));
    }
}
