//! The rules of the Open311 GeoReport v2 API, pure: reading a POSTed service request,
//! the open/closed status of a work item, date filters and the default window.

use crate::work::rules::State;
use std::collections::BTreeMap;

pub const MAX_DESCRIPTION: usize = 4_000;
/// GET requests: at most this many, from at most this many days back by default.
pub const MAX_RESULTS: usize = 1_000;
pub const DEFAULT_WINDOW_DAYS: i64 = 90;

/// A service request as POSTed (`application/x-www-form-urlencoded`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestForm {
    pub api_key: String,
    pub jurisdiction_id: String,
    pub service_code: String,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub address_string: String,
    pub address_id: String,
    /// `attribute[code]=v` and `attribute[code][]=v` (multivaluelist), by code.
    pub attributes: BTreeMap<String, Vec<String>>,
    pub email: String,
    pub device_id: String,
    pub account_id: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub description: String,
    pub media_url: String,
}

/// Does the text carry markup? (`<b>`, `</p>`, `<!--`, `<script`…)
pub fn has_html(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2).any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!' || w[1] == b'?'))
}

/// Reads and checks the form. The error is the description the spec's error list carries.
pub fn parse_request(pairs: &[(String, String)]) -> Result<RequestForm, String> {
    let mut f = RequestForm::default();
    for (k, v) in pairs {
        let v = v.trim().to_string();
        if let Some(rest) = k.strip_prefix("attribute[") {
            let (code, multi) = match rest.strip_suffix("][]") {
                Some(code) => (code, true),
                None => (rest.strip_suffix(']').ok_or_else(|| format!("malformed parameter {k}"))?, false),
            };
            if code.is_empty() || code.len() > 50 {
                return Err(format!("malformed parameter {k}"));
            }
            let values = f.attributes.entry(code.to_string()).or_default();
            if !multi {
                values.clear();
            }
            values.push(v);
            continue;
        }
        let slot = match k.as_str() {
            "api_key" => &mut f.api_key,
            "jurisdiction_id" => &mut f.jurisdiction_id,
            "service_code" => &mut f.service_code,
            "address_string" => &mut f.address_string,
            "address_id" => &mut f.address_id,
            "email" => &mut f.email,
            "device_id" => &mut f.device_id,
            "account_id" => &mut f.account_id,
            "first_name" => &mut f.first_name,
            "last_name" => &mut f.last_name,
            "phone" => &mut f.phone,
            "description" => &mut f.description,
            "media_url" => &mut f.media_url,
            "lat" | "long" => {
                let x: f64 = v.parse().map_err(|_| format!("{k} must be a number"))?;
                let limit = if k == "lat" { 90.0 } else { 180.0 };
                if !x.is_finite() || x.abs() > limit {
                    return Err(format!("{k} is out of range"));
                }
                if k == "lat" {
                    f.lat = Some(x);
                } else {
                    f.long = Some(x);
                }
                continue;
            }
            // Unknown parameters are ignored, as clients send extras.
            _ => continue,
        };
        *slot = v;
    }
    if f.jurisdiction_id.is_empty() {
        return Err("jurisdiction_id is required: this endpoint serves many communities".into());
    }
    if f.service_code.is_empty() {
        return Err("service_code is required".into());
    }
    let has_point = f.lat.is_some() && f.long.is_some();
    if f.lat.is_some() != f.long.is_some() {
        return Err("lat and long go together".into());
    }
    if !has_point && f.address_string.is_empty() && f.address_id.is_empty() {
        return Err("a location is required: lat and long, address_string or address_id".into());
    }
    if f.description.chars().count() > MAX_DESCRIPTION {
        return Err(format!("description is longer than {MAX_DESCRIPTION} characters"));
    }
    if has_html(&f.description) || has_html(&f.address_string) {
        return Err("description and address_string must be plain text, without HTML".into());
    }
    if f.address_string.chars().count() > 200 {
        return Err("address_string is longer than 200 characters".into());
    }
    if !f.media_url.is_empty()
        && (!(f.media_url.starts_with("https://") || f.media_url.starts_with("http://")) || f.media_url.len() > 500)
    {
        return Err("media_url must be an http(s) URL of at most 500 characters".into());
    }
    for v in [&f.email, &f.device_id, &f.account_id, &f.first_name, &f.last_name, &f.phone] {
        if v.chars().count() > 100 {
            return Err("a contact field is longer than 100 characters".into());
        }
    }
    Ok(f)
}

/// Open311 knows two statuses: a case the station has resolved (or that ended) is closed.
pub fn status(state: State) -> &'static str {
    match state {
        State::Resolved | State::Closed | State::Withdrawn => "closed",
        _ => "open",
    }
}

/// A W3C date-time (`2026-11-30T09:00:00+08:00`, `…Z`) or a date (Beijing midnight), in ms.
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    d.and_hms_opt(0, 0, 0)?.and_local_timezone(crate::time::beijing()).single().map(|t| t.timestamp_millis())
}

/// W3C date-time in Beijing time, with its offset: `2026-11-30T09:00:00+08:00`.
pub fn w3c(ms: i64) -> String {
    crate::time::to_local(ms).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// The window GET requests covers: the dates given, else the last 90 days (an end
/// alone reaches 90 days back from it; a start alone runs to now).
pub fn window(start: Option<i64>, end: Option<i64>, now: i64) -> (i64, i64) {
    const DAY: i64 = 86_400_000;
    match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, now + 1),
        (None, Some(e)) => (e - DEFAULT_WINDOW_DAYS * DAY, e),
        (None, None) => (now - DEFAULT_WINDOW_DAYS * DAY, now + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_request_needs_a_jurisdiction_a_service_and_a_location() {
        let ok = parse_request(&pairs(&[
            ("jurisdiction_id", "qianggen"),
            ("service_code", "drain-manhole"),
            ("lat", "39.88"),
            ("long", "116.33"),
            ("attribute[urgency]", "emergency"),
            ("attribute[tags][]", "a"),
            ("attribute[tags][]", "b"),
            ("description", "井盖松动"),
            ("extra", "ignored"),
        ]))
        .unwrap();
        assert_eq!(ok.lat, Some(39.88));
        assert_eq!(ok.attributes["urgency"], vec!["emergency"]);
        assert_eq!(ok.attributes["tags"], vec!["a", "b"]);
        let no_place = parse_request(&pairs(&[("jurisdiction_id", "q"), ("service_code", "x")])).unwrap_err();
        assert!(no_place.contains("location"));
        assert!(parse_request(&pairs(&[("service_code", "x"), ("address_id", "b1")]))
            .unwrap_err()
            .contains("jurisdiction_id"));
        assert!(parse_request(&pairs(&[("jurisdiction_id", "q"), ("service_code", "x"), ("lat", "1")])).is_err());
        assert!(parse_request(&pairs(&[
            ("jurisdiction_id", "q"),
            ("service_code", "x"),
            ("lat", "91"),
            ("long", "1")
        ]))
        .is_err());
        assert!(parse_request(&pairs(&[
            ("jurisdiction_id", "q"),
            ("service_code", "x"),
            ("lat", "NaN"),
            ("long", "1")
        ]))
        .is_err());
    }

    #[test]
    fn descriptions_are_plain_text_and_bounded() {
        let base = [("jurisdiction_id", "q"), ("service_code", "x"), ("address_string", "3号楼")];
        let with = |d: &str| {
            let mut p = pairs(&base);
            p.push(("description".into(), d.into()));
            parse_request(&p)
        };
        assert!(with("灯坏了 3<5").is_ok(), "a lone < is not markup");
        assert!(with("<script>alert(1)</script>").is_err());
        assert!(with("看 </b>").is_err());
        assert!(with(&"长".repeat(MAX_DESCRIPTION + 1)).is_err());
        let mut p = pairs(&base);
        p.push(("media_url".into(), "javascript:alert(1)".into()));
        assert!(parse_request(&p).is_err());
    }

    #[test]
    fn statuses_dates_and_the_default_window() {
        assert_eq!(status(State::Received), "open");
        assert_eq!(status(State::Reopened), "open");
        assert_eq!(status(State::Resolved), "closed");
        assert_eq!(status(State::Withdrawn), "closed");
        let t = parse_datetime("2026-11-30T09:00:00+08:00").unwrap();
        assert_eq!(parse_datetime("2026-11-30T01:00:00Z"), Some(t));
        assert_eq!(parse_datetime("2026-11-30"), Some(t - 9 * 3_600_000));
        assert_eq!(parse_datetime("yesterday"), None);
        assert_eq!(w3c(t), "2026-11-30T09:00:00+08:00");
        let now = 1_000 * 86_400_000;
        assert_eq!(window(None, None, now), (now - 90 * 86_400_000, now + 1));
        assert_eq!(window(Some(5), Some(9), now), (5, 9));
    }
}
