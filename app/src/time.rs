//! Times are stored in UTC and shown in Beijing time (Asia/Shanghai, UTC+8 all year: China
//! has kept no daylight saving time since 1991, so a fixed offset is exact).

use chrono::{DateTime, FixedOffset, TimeZone, Utc};

pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// A stored instant (UTC milliseconds) in Beijing time.
pub fn to_local(utc_ms: i64) -> DateTime<FixedOffset> {
    Utc.timestamp_millis_opt(utc_ms).single().unwrap_or_default().with_timezone(&beijing())
}

/// `2026-11-29 19:05` in Beijing time.
pub fn format_local(utc_ms: i64) -> String {
    to_local(utc_ms).format("%Y-%m-%d %H:%M").to_string()
}

const DAY: i64 = 24 * 3_600_000;
const BEIJING: i64 = 8 * 3_600_000;

/// The start (UTC ms) of the Beijing day containing `t`.
pub fn day_start(t: i64) -> i64 {
    beijing_day(t) * DAY - BEIJING
}

/// The Beijing day of an instant (days since 1970-01-01 in Beijing): the SMS cap's day.
pub fn beijing_day(t: i64) -> i64 {
    (t + BEIJING).div_euclid(DAY)
}

/// Hours of the Beijing day without SMS, except emergencies: from `from`:00 to `until`:00
/// (22 to 7 by default; across midnight when `from` > `until`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QuietHours {
    pub from: i64,
    pub until: i64,
}

impl Default for QuietHours {
    fn default() -> Self {
        QuietHours { from: 22, until: 7 }
    }
}

impl QuietHours {
    /// `22-7` (hours 0–23), or `off`.
    pub fn parse(s: &str) -> Result<Option<QuietHours>, String> {
        if s.trim().eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let (a, b) = s.split_once('-').ok_or_else(|| format!("{s:?}: use FROM-UNTIL hours (22-7) or off"))?;
        let hour = |v: &str| v.trim().parse::<i64>().ok().filter(|h| (0..24).contains(h));
        match (hour(a), hour(b)) {
            (Some(from), Some(until)) if from != until => Ok(Some(QuietHours { from, until })),
            _ => Err(format!("{s:?}: use FROM-UNTIL hours 0–23, different (22-7), or off")),
        }
    }

    /// Is this hour (0–23, Beijing) a quiet one?
    pub fn contains(self, hour: i64) -> bool {
        if self.from < self.until {
            (self.from..self.until).contains(&hour)
        } else {
            hour >= self.from || hour < self.until
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_is_shown_in_beijing_time() {
        let t = Utc.with_ymd_and_hms(2026, 11, 29, 16, 30, 0).unwrap().timestamp_millis();
        assert_eq!(format_local(t), "2026-11-30 00:30");
        assert_eq!(to_local(t).offset().local_minus_utc(), 8 * 3600);
    }

    #[test]
    fn days_start_at_beijing_midnight() {
        let t = Utc.with_ymd_and_hms(2026, 11, 29, 16, 30, 0).unwrap().timestamp_millis();
        assert_eq!(day_start(t), Utc.with_ymd_and_hms(2026, 11, 29, 16, 0, 0).unwrap().timestamp_millis());
    }
}
