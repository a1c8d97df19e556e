//! Configuration from the environment (documented in README).

use app::config::AppConfig;
use app::verify::gateway::{Aliyun, SmsGateway};
use std::net::SocketAddr;

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
            allowed_origins: var("ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',').map(|s| s.trim().trim_end_matches('/').to_string()).filter(|s| !s.is_empty()).collect()
                })
                .unwrap_or_default(),
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
            demo_mode: flag("DEMO_MODE")?,
            sms_per_phone_per_day: parse("SMS_PER_PHONE_PER_DAY", defaults.sms_per_phone_per_day)?,
            sms_per_ip_per_day: parse("SMS_PER_IP_PER_DAY", defaults.sms_per_ip_per_day)?,
            retention_days: parse("RETENTION_DAYS", defaults.retention_days)?,
            retention_check_seconds: parse("RETENTION_CHECK_SECONDS", defaults.retention_check_seconds)?,
            staff_second_factor: match var("STAFF_SECOND_FACTOR") {
                None => defaults.staff_second_factor,
                Some(_) => flag("STAFF_SECOND_FACTOR")?,
            },
        };
        Ok(Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/mycommunity.db".to_string()),
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
                region_id: var("SMS_ALIYUN_REGION").unwrap_or_else(|| "cn-hangzhou".into()),
            }))
        }
        other => Err(format!("SMS_SENDER={other:?}: use log or aliyun")),
    }
}
