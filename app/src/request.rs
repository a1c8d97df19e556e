//! What a server function or a page knows about the request it serves: the store, the
//! configuration, the viewer, cookies. Server-only.

use crate::config::AppConfig;
use crate::error::AppError;
use crate::store::Store;
use axum::http::{header, request::Parts, HeaderValue};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// What the server's routes share: the site options, the store and the configuration.
/// Every feature's own axum routes take this state.
#[derive(Clone)]
pub struct AppState {
    pub options: LeptosOptions,
    pub store: Store,
    pub config: AppConfig,
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.options.clone()
    }
}

impl axum::extract::FromRef<AppState> for AppConfig {
    fn from_ref(s: &AppState) -> Self {
        s.config.clone()
    }
}

impl axum::extract::FromRef<AppState> for Store {
    fn from_ref(s: &AppState) -> Self {
        s.store.clone()
    }
}

/// The signed-in account a response was made for, put on the response by the session
/// middleware so that the access log can name it (by id, never by phone).
#[derive(Clone, Copy, Debug)]
pub struct AccountId(pub i64);

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

/// Gives a server function's error its HTTP status, in one place for every route:
/// server_fn answers any error (arguments that do not decode, or the body's own) with 500
/// and the `serverfnerror` header; the body is the [`AppError`], which knows its status. A
/// plain form post is already a redirect back (302) carrying the error, and is left alone.
///
/// It also says the error in the reader's language, in two headers the page's script shows
/// as they are: `x-error-message` (the form's banner) and `x-error-fields` (each field's
/// problem, form-encoded). The translating stays on the server, so no page ships the
/// string catalogue in its code.
pub async fn server_fn_status(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let lang = request_lang(req.headers());
    let res = next.run(req).await;
    if res.status() != axum::http::StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key(server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    if let Ok(e) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = axum::http::StatusCode::from_u16(e.status()).unwrap_or(parts.status);
        say(&mut parts.headers, &e, lang);
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The language of a request outside the page renderer: the cookie, else `Accept-Language`.
pub(crate) fn request_lang(headers: &axum::http::HeaderMap) -> crate::i18n::Lang {
    use crate::i18n::Lang;
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == crate::i18n::LANG_COOKIE)
        .and_then(|c| Lang::from_tag(c.value()));
    cookie.unwrap_or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|h| h.to_str().ok())
            .map(Lang::from_accept_language)
            .unwrap_or_default()
    })
}

/// Writes the error's translated texts into the response headers (form-encoded: header
/// values are ASCII).
pub(crate) fn say(headers: &mut axum::http::HeaderMap, e: &AppError, lang: crate::i18n::Lang) {
    if let AppError::Throttled { retry_after_secs } | AppError::RateLimited { retry_after_secs, .. } = e {
        headers.insert(header::RETRY_AFTER, HeaderValue::from((*retry_after_secs).max(1)));
    }
    let message = serde_urlencoded::to_string([("m", e.message(lang))]).unwrap_or_default();
    if let Ok(v) = HeaderValue::from_str(&message) {
        headers.insert("x-error-message", v);
    }
    if let AppError::Invalid(fields) = e {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|f| (f.field.as_str(), f.problem.text(lang))).collect();
        if let Ok(v) = HeaderValue::from_str(&serde_urlencoded::to_string(pairs).unwrap_or_default()) {
            headers.insert("x-error-fields", v);
        }
    }
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

/// Hands `value` to this browser's next page, once (an HttpOnly cookie for five minutes):
/// a secret shown once never goes into a URL or a stored draft.
pub fn put_flash(name: &'static str, value: String) {
    set_cookie(build_cookie(name, value, 300));
}

/// Forgets what [`put_flash`] handed over.
pub fn forget_flash(name: &'static str) {
    set_cookie(build_cookie(name, String::new(), 0));
}

/// What [`put_flash`] handed over, taken (it is not there for the page after).
pub fn take_flash(name: &'static str) -> Option<String> {
    let value = cookie(name).filter(|v| !v.is_empty())?;
    forget_flash(name);
    Some(value)
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

/// The client's address: the socket peer, or, when the server is configured to trust its
/// proxy, the address that proxy saw: the last `X-Forwarded-For` entry, which the proxy
/// appends. The entries before it are whatever the client sent, and prove nothing.
pub fn client_ip() -> String {
    match parts() {
        Some(parts) => client_ip_of(&parts.headers, &parts.extensions, config().trust_proxy),
        None => "unknown".into(),
    }
}

/// [`client_ip`] from a request's parts, outside the page renderer (plain axum routes).
pub fn client_ip_of(headers: &axum::http::HeaderMap, extensions: &axum::http::Extensions, trust_proxy: bool) -> String {
    if trust_proxy {
        let all = headers.get_all("x-forwarded-for");
        let last = all
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .last();
        if let Some(last) = last {
            return last.to_string();
        }
    }
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Redirects after a successful post: a 302 for a plain form, a header the enhancing
/// script follows otherwise. `leptos_axum::redirect` panics on a value that is not a valid
/// header: such a target (never made by this app) goes home instead.
pub fn redirect(to: &str) {
    if HeaderValue::from_str(to).is_ok() {
        leptos_axum::redirect(to);
    } else {
        tracing::warn!("refused an invalid redirect target");
        leptos_axum::redirect("/");
    }
}

/// A code (of a unit, a community) as it may go into a redirect's address.
pub fn url_code(code: &str) -> String {
    percent_encoding::utf8_percent_encode(code.trim(), percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Redirects a page being rendered (always a 302: a page load is never a script's call).
pub fn page_redirect(to: &str) {
    if let (Some(res), Ok(value)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(to)) {
        res.insert_header(header::LOCATION, value);
        res.set_status(axum::http::StatusCode::FOUND);
    }
}

/// Only paths of this site may be redirect targets (no open redirects). Browsers drop tabs
/// and newlines and read `\` as `/`, so "/\t/evil.example" would leave the site: control
/// characters and backslashes are refused, then the target must resolve, by the URL
/// standard, to this origin; what is returned is that resolved path, percent-encoded (so
/// always a valid header value).
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let raw = next?;
    if raw.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    let next = raw.trim();
    if !next.starts_with('/') {
        return None;
    }
    let base = url::Url::parse("http://this.invalid/").ok()?;
    let target = base.join(next).ok()?;
    if target.origin() != base.origin() {
        return None;
    }
    let mut out = target.path().to_string();
    if let Some(q) = target.query() {
        out.push('?');
        out.push_str(q);
    }
    (!out.starts_with("//")).then_some(out)
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
        // Tabs and newlines vanish in browsers, making a second slash: refused.
        assert_eq!(safe_next(Some("/\t/evil.example/phish")), None);
        assert_eq!(safe_next(Some("/\n/evil.example")), None);
        for c in ['\u{0}', '\u{1}', '\u{b}', '\u{c}', '\u{1f}', '\u{7f}'] {
            assert_eq!(safe_next(Some(&format!("/me{c}"))), None, "{c:?}");
        }
        assert_eq!(safe_next(Some("/a\\b")), None);
        assert_eq!(safe_next(Some("///evil.example")), None);
        // What stays is the resolved path, encoded.
        assert_eq!(safe_next(Some("/a/../station?x=1 2")), Some("/station?x=1%202".into()));
        assert_eq!(safe_next(Some("/服务")), Some("/%E6%9C%8D%E5%8A%A1".into()));
    }
}
