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

/// The start (UTC ms) of the Beijing day containing `t`.
pub fn day_start(t: i64) -> i64 {
    const DAY: i64 = 24 * 3_600_000;
    const BEIJING: i64 = 8 * 3_600_000;
    (t + BEIJING).div_euclid(DAY) * DAY - BEIJING
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
