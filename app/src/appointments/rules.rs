//! The rules of station appointments, pure and tested on their own: the slot grid from
//! opening hours and closed days in Beijing time, the booking window, per-resident limits,
//! the no-show ban, and the cancellation deadline.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone};
use serde::{Deserialize, Serialize};

/// Residents book from today up to this many days ahead...
pub const BOOK_AHEAD_DAYS: i64 = 14;
/// ...and at least this long before the slot starts.
pub const MIN_NOTICE_MS: i64 = 3_600_000;
/// Cancel or reschedule until this long before the start.
pub const CANCEL_NOTICE_MS: i64 = 3_600_000;
pub const MAX_UPCOMING: usize = 3;
/// Two no-shows within this window ban booking for the same length of time.
pub const NO_SHOW_WINDOW_MS: i64 = 30 * 24 * 3_600_000;
pub const NO_SHOWS_FOR_BAN: usize = 2;
/// The grid every booking is made of; an affair's appointment takes whole grid slots.
pub const GRID_MINUTES: i64 = 30;
pub const DEFAULT_SLOT_MINUTES: i64 = 30;

/// Opening hours of one weekday (0 = Monday), Beijing time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    pub weekday: u32,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

/// A bookable time: start and end, UTC milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub start: i64,
    pub end: i64,
}

fn beijing() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// Today's date in Beijing.
pub fn local_date(ms: i64) -> NaiveDate {
    beijing().timestamp_millis_opt(ms).single().map(|d| d.date_naive()).unwrap_or_default()
}

/// The start of a grid slot as UTC milliseconds.
fn at(date: NaiveDate, time: NaiveTime) -> i64 {
    beijing().from_local_datetime(&date.and_time(time)).single().map(|d| d.timestamp_millis()).unwrap_or(0)
}

/// The appointments of `minutes` (whole grid slots) that fit in a day's opening hours; none
/// on a closed day or a weekday without hours.
pub fn slots_for_day(date: NaiveDate, hours: &[Opening], closed: &[NaiveDate], minutes: i64) -> Vec<Slot> {
    if closed.contains(&date) {
        return Vec::new();
    }
    let weekday = date.weekday().num_days_from_monday();
    let mut out = Vec::new();
    for h in hours.iter().filter(|h| h.weekday == weekday) {
        let (open, close) = (at(date, h.opens), at(date, h.closes));
        let step = GRID_MINUTES * 60_000;
        let len = minutes.max(GRID_MINUTES) * 60_000;
        let mut start = open;
        while start + len <= close {
            out.push(Slot { start, end: start + len });
            start += step;
        }
    }
    out.sort_by_key(|s| s.start);
    out
}

/// The grid slots an appointment covers (their start times).
pub fn grid_starts(slot: Slot) -> Vec<i64> {
    let step = GRID_MINUTES * 60_000;
    (0..((slot.end - slot.start) / step).max(1)).map(|i| slot.start + i * step).collect()
}

/// Why a booking is refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    TooSoon,
    TooFarAhead,
    NotAnOpenSlot,
    TooManyUpcoming,
    SameAffairSameDay,
    /// Banned after no-shows, until then (UTC ms).
    Banned {
        until: i64,
    },
}

/// Is `slot` inside the booking window at `now`?
pub fn check_window(slot: Slot, now: i64) -> Result<(), Refusal> {
    if slot.start - now < MIN_NOTICE_MS {
        return Err(Refusal::TooSoon);
    }
    let last_day = local_date(now) + Duration::days(BOOK_AHEAD_DAYS);
    if local_date(slot.start) > last_day {
        return Err(Refusal::TooFarAhead);
    }
    Ok(())
}

/// A resident's other bookings as the rules see them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    pub start: i64,
    pub affair: Option<i64>,
}

/// Limits: at most three upcoming bookings, and one per affair per day.
pub fn check_limits(held: &[Held], slot: Slot, affair: Option<i64>, now: i64) -> Result<(), Refusal> {
    let upcoming: Vec<&Held> = held.iter().filter(|h| h.start > now).collect();
    if upcoming.len() >= MAX_UPCOMING {
        return Err(Refusal::TooManyUpcoming);
    }
    let day = local_date(slot.start);
    if affair.is_some() && upcoming.iter().any(|h| h.affair == affair && local_date(h.start) == day) {
        return Err(Refusal::SameAffairSameDay);
    }
    Ok(())
}

/// The ban after no-shows: two within 30 days bar booking for 30 days from the later one.
pub fn ban_until(no_shows: &[i64], now: i64) -> Option<i64> {
    let mut times: Vec<i64> = no_shows.to_vec();
    times.sort_unstable();
    let mut until = None;
    for pair in times.windows(NO_SHOWS_FOR_BAN) {
        let (first, last) = (pair[0], pair[NO_SHOWS_FOR_BAN - 1]);
        if last - first <= NO_SHOW_WINDOW_MS {
            until = Some(last + NO_SHOW_WINDOW_MS);
        }
    }
    until.filter(|u| *u > now)
}

/// May a booking starting at `start` still be cancelled or moved at `now`?
pub fn can_cancel(start: i64, now: i64) -> bool {
    start - now >= CANCEL_NOTICE_MS
}

/// Which reminder is due for a booking at `now`: the one 24 h before, or the one 2 h before.
pub fn reminder_due(start: i64, now: i64) -> Option<&'static str> {
    let left = start - now;
    if left <= 0 {
        None
    } else if left <= 2 * 3_600_000 {
        Some("2h")
    } else if left <= 24 * 3_600_000 {
        Some("24h")
    } else {
        None
    }
}

/// Opening hours as one line for people: consecutive days with the same periods share a
/// range ("周一至周五 9:00–12:00、13:30–17:00；周六 9:00–12:00"). Home, the booking page and
/// anything else that states the hours use this, from the station's one setting.
pub fn describe_hours(hours: &[Opening], lang: crate::i18n::Lang) -> String {
    const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let zh = lang == crate::i18n::Lang::Zh;
    let day = |d: u32| if zh { ZH[d as usize % 7] } else { EN[d as usize % 7] };
    let periods = |d: u32| {
        let mut p: Vec<_> = hours.iter().filter(|o| o.weekday == d).map(|o| (o.opens, o.closes)).collect();
        p.sort();
        p
    };
    let mut groups: Vec<(u32, u32, Vec<(NaiveTime, NaiveTime)>)> = Vec::new();
    for d in 0..7 {
        let p = periods(d);
        if p.is_empty() {
            continue;
        }
        match groups.last_mut() {
            Some((_, last, q)) if *last + 1 == d && *q == p => *last = d,
            _ => groups.push((d, d, p)),
        }
    }
    let time = |t: NaiveTime| t.format("%-H:%M").to_string();
    groups
        .iter()
        .map(|(first, last, p)| {
            let days = match last - first {
                0 => day(*first).to_string(),
                1 => format!("{}{}{}", day(*first), if zh { "、" } else { ", " }, day(*last)),
                _ => format!("{}{}{}", day(*first), if zh { "至" } else { "–" }, day(*last)),
            };
            let spans: Vec<String> = p.iter().map(|(o, c)| format!("{}–{}", time(*o), time(*c))).collect();
            format!("{days} {}", spans.join(if zh { "、" } else { ", " }))
        })
        .collect::<Vec<_>>()
        .join(if zh { "；" } else { "; " })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }
    /// Monday to Friday 9:00–12:00 and 13:30–17:00; Saturday morning.
    #[test]
    fn hours_read_as_one_line_with_shared_day_ranges() {
        use crate::i18n::Lang;
        assert_eq!(describe_hours(&hours(), Lang::Zh), "周一至周五 9:00–12:00、13:30–17:00；周六 9:00–11:00");
        assert_eq!(describe_hours(&hours(), Lang::En), "Mon–Fri 9:00–12:00, 13:30–17:00; Sat 9:00–11:00");
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let two = [
            Opening { weekday: 1, opens: t(8, 30), closes: t(17, 30) },
            Opening { weekday: 2, opens: t(8, 30), closes: t(17, 30) },
        ];
        assert_eq!(describe_hours(&two, Lang::Zh), "周二、周三 8:30–17:30");
        assert_eq!(describe_hours(&[], Lang::En), "");
    }

    fn hours() -> Vec<Opening> {
        let mut h = Vec::new();
        for wd in 0..5 {
            h.push(Opening { weekday: wd, opens: t(9, 0), closes: t(12, 0) });
            h.push(Opening { weekday: wd, opens: t(13, 30), closes: t(17, 0) });
        }
        h.push(Opening { weekday: 5, opens: t(9, 0), closes: t(11, 0) });
        h
    }
    const H: i64 = 3_600_000;

    #[test]
    fn slots_follow_opening_hours_in_beijing_time() {
        // 2026-12-01 is a Tuesday.
        let day = d(2026, 12, 1);
        let slots = slots_for_day(day, &hours(), &[], 30);
        assert_eq!(slots.len(), 6 + 7);
        // 9:00 Beijing is 1:00 UTC.
        let first = chrono::Utc.timestamp_millis_opt(slots[0].start).unwrap();
        assert_eq!(first.to_rfc3339(), "2026-12-01T01:00:00+00:00");
        assert_eq!(slots[0].end - slots[0].start, H / 2);
        let last = chrono::Utc.timestamp_millis_opt(slots.last().unwrap().start).unwrap();
        assert_eq!(last.to_rfc3339(), "2026-12-01T08:30:00+00:00", "16:30 Beijing, ends at closing");
        // An hour-long affair: starts on the grid, never runs past closing or into lunch.
        let long = slots_for_day(day, &hours(), &[], 60);
        assert_eq!(long.len(), 5 + 6);
        assert!(long.iter().all(|s| s.end - s.start == H));
        assert_eq!(grid_starts(long[0]), vec![long[0].start, long[0].start + H / 2]);
    }

    #[test]
    fn closed_days_and_sundays_have_no_slots() {
        assert!(slots_for_day(d(2026, 12, 6), &hours(), &[], 30).is_empty(), "Sunday");
        assert_eq!(slots_for_day(d(2026, 12, 5), &hours(), &[], 30).len(), 4, "Saturday morning");
        assert!(slots_for_day(d(2027, 1, 1), &hours(), &[d(2027, 1, 1)], 30).is_empty(), "New Year's Day");
    }

    #[test]
    fn the_booking_window_is_one_hour_to_fourteen_days() {
        let now = at(d(2026, 12, 1), t(10, 0));
        let slot = |start: i64| Slot { start, end: start + H / 2 };
        assert_eq!(check_window(slot(now + H / 2), now), Err(Refusal::TooSoon));
        assert_eq!(check_window(slot(now + H), now), Ok(()));
        assert_eq!(check_window(slot(at(d(2026, 12, 15), t(16, 30))), now), Ok(()), "the 14th day, whole");
        assert_eq!(check_window(slot(at(d(2026, 12, 16), t(9, 0))), now), Err(Refusal::TooFarAhead));
        // Late in the evening Beijing time is already the next UTC day: dates are Beijing's.
        let late = at(d(2026, 12, 1), t(23, 30));
        assert_eq!(check_window(slot(at(d(2026, 12, 15), t(9, 0))), late), Ok(()));
    }

    #[test]
    fn three_upcoming_and_one_per_affair_per_day() {
        let now = at(d(2026, 12, 1), t(8, 0));
        let s = |h: u32| Slot { start: at(d(2026, 12, 2), t(h, 0)), end: at(d(2026, 12, 2), t(h, 30)) };
        let held = [Held { start: s(9).start, affair: Some(7) }, Held { start: s(10).start, affair: Some(8) }];
        assert_eq!(check_limits(&held, s(11), Some(7), now), Err(Refusal::SameAffairSameDay));
        assert_eq!(check_limits(&held, s(11), Some(9), now), Ok(()));
        let next_day = Slot { start: s(9).start + 24 * H, end: s(9).end + 24 * H };
        assert_eq!(check_limits(&held, next_day, Some(7), now), Ok(()));
        let three = [held[0], held[1], Held { start: s(14).start, affair: None }];
        assert_eq!(check_limits(&three, s(15), Some(9), now), Err(Refusal::TooManyUpcoming));
        // Past bookings don't count.
        let past = [Held { start: now - H, affair: Some(7) }, held[0], held[1]];
        assert_eq!(check_limits(&past, s(15), Some(9), now), Ok(()));
    }

    #[test]
    fn two_no_shows_in_thirty_days_ban_for_thirty_days() {
        let day = 24 * H;
        let now = 100 * day;
        assert_eq!(ban_until(&[], now), None);
        assert_eq!(ban_until(&[now - 5 * day], now), None);
        assert_eq!(ban_until(&[now - 20 * day, now - 5 * day], now), Some(now + 25 * day));
        assert_eq!(ban_until(&[now - 50 * day, now - 5 * day], now), None, "too far apart");
        assert_eq!(ban_until(&[now - 70 * day, now - 45 * day], now), None, "ban over");
    }

    #[test]
    fn cancellation_and_reminders() {
        let start = 10 * H;
        assert!(can_cancel(start, start - H));
        assert!(!can_cancel(start, start - H + 1));
        assert_eq!(reminder_due(start, start - 25 * H), None);
        assert_eq!(reminder_due(start, start - 23 * H), Some("24h"));
        assert_eq!(reminder_due(start, start - H), Some("2h"));
        assert_eq!(reminder_due(start, start + 1), None);
    }
}
