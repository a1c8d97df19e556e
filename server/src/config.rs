//! Configuration from the environment: every variable is in [`VARIABLES`] (which `server
//! --help` prints and README's table repeats; a test keeps the three in step), parsed once
//! at start into [`Config`]; a bad value stops the server with what is wrong.

use app::config::AppConfig;
use app::verify::gateway::{Aliyun, SmsGateway};
use std::net::SocketAddr;

/// Every environment variable the server reads: name, default, meaning.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    ("DATABASE_URL", "sqlite://data/mycommunity.db", "sqlite://PATH or postgres://...; migrations run at start"),
    ("DATABASE_MAX_CONNECTIONS", "10", "database connections per instance"),
    ("LEPTOS_SITE_ADDR", "127.0.0.1:3000", "address to listen on (:0 picks a free port)"),
    ("LEPTOS_SITE_ROOT", "target/site", "folder with the built pkg/ and public files"),
    ("LOG_FORMAT", "text", "text, or json (one object a line)"),
    ("RUST_LOG", "info,sqlx=warn", "log filter; access lines are target `access`"),
    ("SHUTDOWN_GRACE_SECONDS", "10", "on SIGTERM, how long in-flight requests may finish"),
    ("METRICS_TOKEN", "none", "bearer token that may read /metrics from anywhere"),
    (
        "METRICS_ALLOW",
        "127.0.0.1/32,::1/128",
        "addresses that may read /metrics without the token (not through a proxy)",
    ),
    ("COOKIE_SECURE", "off", "mark cookies Secure (serve over HTTPS)"),
    ("SESSION_IDLE_MINUTES", "10080", "a session unused this long ends"),
    ("SESSION_ABSOLUTE_MINUTES", "43200", "a session ends this long after login"),
    ("TRUST_PROXY", "off", "take the client address from X-Forwarded-For (behind your own proxy only)"),
    ("ALLOWED_ORIGINS", "none", "comma-separated extra origins allowed to post"),
    ("LOGIN_MAX_FAILURES_PER_PHONE", "5", "failed logins per phone number per window"),
    ("LOGIN_MAX_FAILURES_PER_IP", "20", "failed logins per client address per window"),
    ("LOGIN_WINDOW_MINUTES", "15", "the login throttling window"),
    ("REGISTRATIONS_PER_IP_PER_HOUR", "20", "registrations tried from one address in an hour"),
    ("OPEN311_POSTS_PER_MINUTE", "30", "Open311 POSTs per API key per minute"),
    ("OPEN311_GETS_PER_MINUTE", "300", "Open311 reads per client address per minute"),
    ("OPEN311_DEFAULT_JURISDICTION", "none", "community of Open311 calls without jurisdiction_id"),
    ("OPEN311_POLL_SECONDS", "60", "how often units' own Open311 systems are polled"),
    ("DEFAULT_COMMUNITY", "qianggen", "community shown to visitors before they choose"),
    ("DEADLINE_EMERGENCY_RESPONSE_MINUTES", "30", "emergency: time to respond"),
    ("DEADLINE_EMERGENCY_COMPLETION_HOURS", "24", "emergency: time to complete"),
    ("DEADLINE_RESPONSE_HOURS", "24", "normal: time to respond"),
    ("DEADLINE_COMPLETION_HOURS", "168", "normal: time to complete, when the affair sets none"),
    ("WHISTLE_CHECKIN_MINUTES", "30", "a whistled department checks in within this"),
    ("WHISTLE_REPORT_HOURS", "72", "a whistled department reports within this"),
    ("JOBS_INTERVAL_SECONDS", "60", "how often each instance runs the background jobs"),
    ("DASHBOARD_CACHE_SECONDS", "60", "costly dashboards are recomputed at most this often"),
    ("SEARCH_WINDOW", "1000", "PostgreSQL search: newest rows read before the word index"),
    ("SMS_SENDER", "log", "log (codes in the server log) or aliyun"),
    ("SMS_SIGN_NAME", "none", "aliyun: the registered signature"),
    ("SMS_TEMPLATE_CODE", "none", "aliyun: the template (one parameter, code)"),
    ("SMS_NOTICE_TEMPLATE_CODE", "none", "aliyun: the notices' template (one parameter, text); none: no notice SMS"),
    ("NOTICE_SMS_PER_DAY", "3", "notice SMS to one account in a day (emergencies not capped)"),
    ("SMS_QUIET_HOURS", "22-7", "Beijing hours without notice SMS, emergencies excepted (FROM-UNTIL, or off)"),
    ("DELIVERY_INTERVAL_SECONDS", "5", "how often each instance sends queued push and SMS"),
    ("PUSH_CONTACT", "mailto:admin@localhost", "VAPID contact the push services see (mailto: or https:)"),
    (
        "PUSH_SERVICES",
        "FCM, Mozilla, Apple, Windows",
        "comma-separated push service origins browsers may subscribe with (https://*.x for subdomains)",
    ),
    ("ALIBABA_CLOUD_ACCESS_KEY_ID", "none", "aliyun: the RAM user's key id"),
    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "none", "aliyun: the RAM user's secret (never logged)"),
    ("SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/", "aliyun: the endpoint"),
    ("SMS_ALIYUN_REGION", "cn-hangzhou", "aliyun: the region"),
    ("SMS_PER_PHONE_PER_DAY", "10", "codes sent to one number in a day"),
    ("SMS_PER_IP_PER_DAY", "50", "codes asked from one address in a day"),
    ("STAFF_SECOND_FACTOR", "on", "staff confirm a new browser with a code sent to their phone"),
    ("RETENTION_DAYS", "1095", "a closed case loses its personal fields after this (0: never)"),
    ("RETENTION_CHECK_SECONDS", "3600", "how often each instance runs the retention pass"),
    ("DEMO_MODE", "off", "a demo site: with the log sender, codes are shown on the page"),
    ("ADMIN_PASSWORD", "none", "init: the district administrator's password (else asked on stdin)"),
    ("NEW_USER_PASSWORD", "none", "user add: the password (else asked on stdin)"),
];

/// The variables as `server --help` lists them.
pub fn help() -> String {
    let mut out = String::from("Environment (a bad value stops the server at start):\n");
    for (name, default, meaning) in VARIABLES {
        out.push_str(&format!("  {name:<38} {meaning} [default: {default}]\n"));
    }
    out
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub database_max_connections: u32,
    pub site_addr: SocketAddr,
    pub site_root: String,
    pub app: AppConfig,
    pub sms: SmsGateway,
    /// How long a stopping server lets in-flight requests finish.
    pub shutdown_grace: std::time::Duration,
    pub metrics: app::ops::metrics::MetricsAccess,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match var(name) {
        Some(v) => v.trim().parse().map_err(|_| format!("{name}={v:?} is not valid")),
        None => Ok(default),
    }
}

/// A comma-separated list of origins, trimmed, without trailing slashes or empty entries.
fn origins(list: &str) -> Vec<String> {
    list.split(',').map(|s| s.trim().trim_end_matches('/').to_string()).filter(|s| !s.is_empty()).collect()
}

fn flag(name: &str) -> Result<bool, String> {
    match var(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("0" | "false" | "no" | "off") => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some(other) => Err(format!("{name}={other:?} is not a yes/no value")),
    }
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let defaults = AppConfig::default();
        let app = AppConfig {
            cookie_secure: flag("COOKIE_SECURE")?,
            session_idle_minutes: parse("SESSION_IDLE_MINUTES", defaults.session_idle_minutes)?,
            session_absolute_minutes: parse("SESSION_ABSOLUTE_MINUTES", defaults.session_absolute_minutes)?,
            trust_proxy: flag("TRUST_PROXY")?,
            allowed_origins: var("ALLOWED_ORIGINS").map(|v| origins(&v)).unwrap_or_default(),
            login_max_failures_per_phone: parse("LOGIN_MAX_FAILURES_PER_PHONE", defaults.login_max_failures_per_phone)?,
            login_max_failures_per_ip: parse("LOGIN_MAX_FAILURES_PER_IP", defaults.login_max_failures_per_ip)?,
            login_window_minutes: parse("LOGIN_WINDOW_MINUTES", defaults.login_window_minutes)?,
            open311_default_jurisdiction: var("OPEN311_DEFAULT_JURISDICTION").filter(|v| !v.trim().is_empty()),
            registrations_per_ip_per_hour: parse(
                "REGISTRATIONS_PER_IP_PER_HOUR",
                defaults.registrations_per_ip_per_hour,
            )?,
            default_community: var("DEFAULT_COMMUNITY").unwrap_or(defaults.default_community),
            deadlines: app::work::rules::DeadlinePolicy {
                emergency_response_minutes: parse(
                    "DEADLINE_EMERGENCY_RESPONSE_MINUTES",
                    defaults.deadlines.emergency_response_minutes,
                )?,
                emergency_completion_hours: parse(
                    "DEADLINE_EMERGENCY_COMPLETION_HOURS",
                    defaults.deadlines.emergency_completion_hours,
                )?,
                normal_response_hours: parse("DEADLINE_RESPONSE_HOURS", defaults.deadlines.normal_response_hours)?,
                default_completion_hours: parse(
                    "DEADLINE_COMPLETION_HOURS",
                    defaults.deadlines.default_completion_hours,
                )?,
            },
            whistle_checkin_minutes: parse("WHISTLE_CHECKIN_MINUTES", defaults.whistle_checkin_minutes)?,
            whistle_report_hours: parse("WHISTLE_REPORT_HOURS", defaults.whistle_report_hours)?,
            jobs_interval_seconds: parse("JOBS_INTERVAL_SECONDS", defaults.jobs_interval_seconds)?,
            dashboard_cache_seconds: parse("DASHBOARD_CACHE_SECONDS", defaults.dashboard_cache_seconds)?,
            search_window: match parse("SEARCH_WINDOW", defaults.search_window)? {
                n @ 1..=100_000 => n,
                n => return Err(format!("SEARCH_WINDOW={n}: use 1 to 100000")),
            },
            demo_mode: flag("DEMO_MODE")?,
            sms_per_phone_per_day: parse("SMS_PER_PHONE_PER_DAY", defaults.sms_per_phone_per_day)?,
            sms_per_ip_per_day: parse("SMS_PER_IP_PER_DAY", defaults.sms_per_ip_per_day)?,
            retention_days: parse("RETENTION_DAYS", defaults.retention_days)?,
            retention_check_seconds: parse("RETENTION_CHECK_SECONDS", defaults.retention_check_seconds)?,
            staff_second_factor: match var("STAFF_SECOND_FACTOR") {
                None => defaults.staff_second_factor,
                Some(_) => flag("STAFF_SECOND_FACTOR")?,
            },
            delivery_interval_seconds: match parse("DELIVERY_INTERVAL_SECONDS", defaults.delivery_interval_seconds)? {
                0 => return Err("DELIVERY_INTERVAL_SECONDS=0: use 1 or more".into()),
                n => n,
            },
            notice_sms_per_day: parse("NOTICE_SMS_PER_DAY", defaults.notice_sms_per_day)?,
            sms_quiet_hours: match var("SMS_QUIET_HOURS") {
                None => defaults.sms_quiet_hours,
                Some(v) => app::time::QuietHours::parse(&v).map_err(|e| format!("SMS_QUIET_HOURS={e}"))?,
            },
            push_contact: match var("PUSH_CONTACT") {
                None => defaults.push_contact,
                Some(c) if c.starts_with("mailto:") || c.starts_with("https://") => c,
                Some(c) => return Err(format!("PUSH_CONTACT={c:?}: use mailto:… or https://…")),
            },
            push_services: match var("PUSH_SERVICES") {
                None => defaults.push_services,
                Some(list) => origins(&list)
                    .into_iter()
                    .map(|s| match s.starts_with("https://") || s.starts_with("http://") {
                        true => Ok(s),
                        false => Err(format!("PUSH_SERVICES: {s:?} is not an origin (https://host)")),
                    })
                    .collect::<Result<_, _>>()?,
            },
        };
        // Read where they are used; checked here so that a bad value stops the start.
        parse::<u32>("OPEN311_POSTS_PER_MINUTE", 30)?;
        parse::<u32>("OPEN311_GETS_PER_MINUTE", 300)?;
        parse::<u64>("OPEN311_POLL_SECONDS", 60)?;
        if let Some(format) = var("LOG_FORMAT").filter(|f| f != "text" && f != "json") {
            return Err(format!("LOG_FORMAT={format:?}: use text or json"));
        }
        let database_url = var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/mycommunity.db".to_string());
        if app::store::Backend::from_url(&database_url).is_none() {
            return Err(format!(
                "DATABASE_URL must start with sqlite: or postgres:// (not {:?})",
                scheme(&database_url)
            ));
        }
        Ok(Config {
            database_url,
            database_max_connections: parse("DATABASE_MAX_CONNECTIONS", 10)?,
            site_addr: parse("LEPTOS_SITE_ADDR", SocketAddr::from(([127, 0, 0, 1], 3000)))?,
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".to_string()),
            app,
            sms: sms_gateway()?,
            shutdown_grace: std::time::Duration::from_secs(parse("SHUTDOWN_GRACE_SECONDS", 10)?),
            metrics: app::ops::metrics::MetricsAccess {
                token: var("METRICS_TOKEN"),
                allow: match var("METRICS_ALLOW") {
                    None => vec!["127.0.0.1/32".parse().unwrap(), "::1/128".parse().unwrap()],
                    Some(list) => list
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| {
                            s.parse::<ipnet::IpNet>()
                                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                                .map_err(|_| format!("METRICS_ALLOW: {s:?} is not an address or a network"))
                        })
                        .collect::<Result<_, _>>()?,
                },
            },
        })
    }
}

/// What a URL starts with, for an error message (never its password).
fn scheme(url: &str) -> &str {
    url.split("://").next().unwrap_or("")
}

/// `SMS_SENDER`: `log` (the default) or `aliyun`, whose settings are all required.
fn sms_gateway() -> Result<SmsGateway, String> {
    match var("SMS_SENDER").as_deref().unwrap_or("log") {
        "log" => Ok(SmsGateway::Log),
        "aliyun" => {
            let need = |name: &str| var(name).ok_or_else(|| format!("SMS_SENDER=aliyun needs {name}"));
            Ok(SmsGateway::Aliyun(Aliyun {
                endpoint: var("SMS_ALIYUN_ENDPOINT").unwrap_or_else(|| "https://dysmsapi.aliyuncs.com/".into()),
                access_key_id: need("ALIBABA_CLOUD_ACCESS_KEY_ID")?,
                access_key_secret: need("ALIBABA_CLOUD_ACCESS_KEY_SECRET")?,
                sign_name: need("SMS_SIGN_NAME")?,
                template_code: need("SMS_TEMPLATE_CODE")?,
                notice_template_code: var("SMS_NOTICE_TEMPLATE_CODE"),
                region_id: var("SMS_ALIYUN_REGION").unwrap_or_else(|| "cn-hangzhou".into()),
            }))
        }
        other => Err(format!("SMS_SENDER={other:?}: use log or aliyun")),
    }
}

#[cfg(test)]
mod tests {
    use super::VARIABLES;

    /// Each variable the code reads is in the list, and the list is README's table.
    #[test]
    fn every_variable_is_listed_for_help_and_in_the_readme() {
        let listed: std::collections::HashSet<&str> = VARIABLES.iter().map(|v| v.0).collect();
        let sources = [include_str!("config.rs"), include_str!("main.rs")];
        for source in sources {
            for quoted in source.split('"').skip(1).step_by(2) {
                let looks_like_variable = quoted.len() > 3
                    && quoted.contains('_')
                    && quoted.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
                if looks_like_variable {
                    assert!(listed.contains(quoted), "{quoted} is read but not in VARIABLES");
                }
            }
        }
        let readme = include_str!("../../README.md");
        for name in listed {
            assert!(readme.contains(&format!("`{name}`")), "{name} is missing from README's table");
        }
    }
}
