//! What a server function or a page knows about the request it serves: the store, the
//! configuration, the viewer, cookies. Server-only.

use crate::auth::SessionUser;
use crate::config::AppConfig;
use crate::error::AppError;
use crate::store::Store;
use axum::http::{header, request::Parts, HeaderValue};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// Who is asking: resolved once per request from the session cookie by
/// [`crate::auth::server::resolve_viewer`] and kept in the request's extensions.
#[derive(Clone, Debug, Default)]
pub struct Viewer(pub Option<SessionUser>);

pub fn store() -> Result<Store, AppError> {
    use_context::<Store>().ok_or_else(|| {
        tracing::error!("Store missing from context");
        AppError::Internal
    })
}

pub fn config() -> AppConfig {
    use_context::<AppConfig>().unwrap_or_default()
}

pub fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The signed-in account, if any.
pub fn viewer() -> Option<SessionUser> {
    parts().and_then(|p| p.extensions.get::<Viewer>().and_then(|v| v.0.clone()))
}

pub fn header(name: header::HeaderName) -> Option<String> {
    parts().and_then(|p| p.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string))
}

pub fn cookie(name: &str) -> Option<String> {
    let parts = parts()?;
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// A plain HTML form post (JavaScript off) rather than a call from the browser's script:
/// it wants a redirect back, not a status code.
pub fn is_plain_form_post() -> bool {
    header(header::ACCEPT).is_some_and(|a| a.contains("text/html"))
}

/// Finishes a server function: an error gets its HTTP status, except for a plain form post,
/// which leptos turns into a redirect back to the form (carrying the error in the URL).
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result {
        if !is_plain_form_post() {
            if let Some(res) = use_context::<ResponseOptions>() {
                res.set_status(
                    axum::http::StatusCode::from_u16(e.status())
                        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
                );
            }
        }
    }
    result
}

/// Sets the HTTP status of the page being rendered (404, 403…).
pub fn set_page_status(status: u16) {
    if let Some(res) = use_context::<ResponseOptions>() {
        if let Ok(code) = axum::http::StatusCode::from_u16(status) {
            res.set_status(code);
        }
    }
}

pub fn set_cookie(c: cookie::Cookie<'_>) {
    if let (Some(res), Ok(value)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(&c.to_string())) {
        res.append_header(header::SET_COOKIE, value);
    }
}

/// A cookie with the app's defaults: whole site, HttpOnly, SameSite=Lax, Secure if configured.
pub fn build_cookie(name: &'static str, value: String, max_age_secs: i64) -> cookie::Cookie<'static> {
    cookie::Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(config().cookie_secure)
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build()
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop when the
/// server is configured to trust its proxy.
pub fn client_ip() -> String {
    let Some(parts) = parts() else {
        return "unknown".into();
    };
    if config().trust_proxy {
        if let Some(first) =
            parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(|v| v.split(',').next())
        {
            return first.trim().to_string();
        }
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Redirects after a successful post: a 302 for a plain form, a header the enhancing
/// script follows otherwise.
pub fn redirect(to: &str) {
    leptos_axum::redirect(to);
}

/// Redirects a page being rendered (always a 302: a page load is never a script's call).
pub fn page_redirect(to: &str) {
    if let (Some(res), Ok(value)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(to)) {
        res.insert_header(header::LOCATION, value);
        res.set_status(axum::http::StatusCode::FOUND);
    }
}

/// Only local paths may be redirect targets (no open redirects).
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    (next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") && !next.contains(['\r', '\n']))
        .then(|| next.to_string())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_redirects() {
        assert_eq!(safe_next(Some("/me")), Some("/me".into()));
        assert_eq!(safe_next(Some("/station?x=1")), Some("/station?x=1".into()));
        assert_eq!(safe_next(Some("//evil.example")), None);
        assert_eq!(safe_next(Some("/\\evil.example")), None);
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(safe_next(Some("/a\r\nSet-Cookie: x")), None);
        assert_eq!(safe_next(None), None);
    }
}
