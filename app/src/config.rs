//! Settings the server reads from its environment and hands to every request.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AppConfig {
    /// Mark cookies `Secure` (set when the site is served over HTTPS).
    pub cookie_secure: bool,
    /// A session unused for this long ends.
    pub session_idle_minutes: i64,
    /// A session ends this long after login, however busy.
    pub session_absolute_minutes: i64,
    /// Take the client's address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Origins besides the request's own `Host` that may post forms (e.g. `https://shequ.example.cn`).
    pub allowed_origins: Vec<String>,
    /// Failed logins per phone number per window before it is throttled.
    pub login_max_failures_per_phone: i64,
    /// Failed logins per client address per window (higher: carrier NAT puts many phones
    /// behind one address).
    pub login_max_failures_per_ip: i64,
    pub login_window_minutes: i64,
    /// Registrations tried from one client address in an hour (each costs a password hash).
    pub registrations_per_ip_per_hour: i64,
    /// Open311 calls without `jurisdiction_id` are for this community (when set).
    pub open311_default_jurisdiction: Option<String>,
    /// The community whose affairs menu visitors see.
    pub default_community: String,
    /// The service commitment's time limits.
    pub deadlines: DeadlinePolicy,
    /// A whistled department must check in within this.
    pub whistle_checkin_minutes: i64,
    /// …and report back within this.
    pub whistle_report_hours: i64,
    /// How often the background jobs (overdue, auto-close, late check-ins) run.
    pub jobs_interval_seconds: u64,
    /// Costly dashboards (many communities, or a community with very many items) are
    /// recomputed at most this often (0: always).
    pub dashboard_cache_seconds: u64,
    /// PostgreSQL search: rows of the scope read newest first before the word index is asked.
    pub search_window: i64,
    /// A demo site (`make run`): with the `log` SMS sender, codes are also shown on the page.
    pub demo_mode: bool,
    /// SMS codes sent to one number, and requested from one client address, in a day.
    pub sms_per_phone_per_day: i64,
    pub sms_per_ip_per_day: i64,
    /// Staff log in on a new device with a code sent to their phone.
    pub staff_second_factor: bool,
    /// Closed cases lose their personal fields this many days after closing (0: never).
    pub retention_days: i64,
    /// How often the retention pass runs (each instance; it is idempotent).
    pub retention_check_seconds: i64,
    /// How often each instance sends what the delivery queue holds (push, SMS).
    pub delivery_interval_seconds: u64,
    /// Notice SMS to one account in a Beijing day (emergencies are not capped).
    pub notice_sms_per_day: i64,
    /// No notice SMS in these Beijing hours, except emergencies (`None`: at any hour).
    pub sms_quiet_hours: Option<crate::time::QuietHours>,
    /// Who runs the site, for the push services (VAPID `sub`: mailto: or https:).
    pub push_contact: String,
    /// The push services browsers may subscribe with (origins; `https://*.example.com` for
    /// subdomains). The server posts to subscribed endpoints, so nothing else is accepted.
    pub push_services: Vec<String>,
}

/// The push services of the browsers residents use: Chrome and Android browsers (FCM),
/// Firefox, Safari (Apple), Edge (Windows).
pub const DEFAULT_PUSH_SERVICES: &str = "https://fcm.googleapis.com,https://updates.push.services.mozilla.com,https://*.push.apple.com,https://*.notify.windows.com";

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            cookie_secure: false,
            session_idle_minutes: 7 * 24 * 60,
            session_absolute_minutes: 30 * 24 * 60,
            trust_proxy: false,
            allowed_origins: Vec::new(),
            login_max_failures_per_phone: 5,
            login_max_failures_per_ip: 20,
            login_window_minutes: 15,
            registrations_per_ip_per_hour: 20,
            open311_default_jurisdiction: None,
            default_community: "qianggen".to_string(),
            deadlines: DeadlinePolicy::default(),
            whistle_checkin_minutes: 60,
            whistle_report_hours: 24,
            jobs_interval_seconds: 60,
            dashboard_cache_seconds: 60,
            search_window: 1000,
            demo_mode: false,
            sms_per_phone_per_day: 10,
            sms_per_ip_per_day: 50,
            staff_second_factor: true,
            retention_days: 3 * 365,
            retention_check_seconds: 3600,
            delivery_interval_seconds: 5,
            notice_sms_per_day: 3,
            sms_quiet_hours: Some(crate::time::QuietHours::default()),
            push_contact: "mailto:admin@localhost".to_string(),
            push_services: DEFAULT_PUSH_SERVICES.split(',').map(String::from).collect(),
        }
    }
}

/// The service commitment's time limits, configurable per deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlinePolicy {
    /// Emergency: someone contacts the resident within this (the paper's manhole: same day).
    pub emergency_response_minutes: i64,
    /// Emergency: done within this, or the affair's own limit if shorter.
    pub emergency_completion_hours: i64,
    /// Normal: first response within the affair's limit, or this without an affair.
    pub normal_response_hours: i64,
    /// Normal: done within the affair's limit, or this without an affair.
    pub default_completion_hours: i64,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        DeadlinePolicy {
            emergency_response_minutes: 120,
            emergency_completion_hours: 24,
            normal_response_hours: 24,
            default_completion_hours: 7 * 24,
        }
    }
}
