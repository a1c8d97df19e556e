//! Cross-site request forgery defence for every state-changing request, on top of the
//! SameSite=Lax session cookie: a browser's post from another site is refused. Modelled on
//! Go's `http.CrossOriginProtection`: trust `Sec-Fetch-Site` when the browser sends it,
//! otherwise compare `Origin` (or, failing that, `Referer`) with the request's host.
//! Requests with none of these headers are not from a browser and pass.

use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Extra origins allowed to post (scheme://host[:port]), e.g. the public HTTPS address
/// when a proxy rewrites `Host`.
#[derive(Clone, Debug, Default)]
pub struct AllowedOrigins(pub Vec<String>);

pub async fn reject_foreign_origin(State(allowed): State<AllowedOrigins>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let h = req.headers();
    let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok());
    let host = get(header::HOST.as_str()).unwrap_or("");
    let verdict = cross_origin_verdict(
        get("sec-fetch-site"),
        get(header::ORIGIN.as_str()),
        get(header::REFERER.as_str()),
        host,
        &allowed.0,
    );
    if verdict {
        next.run(req).await
    } else {
        tracing::warn!(method = %req.method(), path = %req.uri().path(), "refused a cross-origin request");
        (StatusCode::FORBIDDEN, "cross-origin request refused / 拒绝跨站请求").into_response()
    }
}

/// Pure decision: may this state-changing request go ahead?
pub fn cross_origin_verdict(
    fetch_site: Option<&str>,
    origin: Option<&str>,
    referer: Option<&str>,
    host: &str,
    allowed: &[String],
) -> bool {
    let same = |url: &str| {
        let authority = url.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        let authority = authority.split(['/', '?', '#']).next().unwrap_or("");
        (!host.is_empty() && authority.eq_ignore_ascii_case(host))
            || allowed.iter().any(|a| {
                url.eq_ignore_ascii_case(a)
                    || url.to_ascii_lowercase().starts_with(&format!("{}/", a.to_ascii_lowercase()))
            })
    };
    if let Some(origin) = origin.filter(|o| *o != "null") {
        if same(origin) {
            return true;
        }
    }
    match fetch_site {
        Some("same-origin") | Some("none") => return true,
        Some(_) => return false,
        None => {}
    }
    match (origin, referer) {
        (Some(o), _) => same(o),
        (None, Some(r)) => same(r),
        (None, None) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::cross_origin_verdict as v;

    #[test]
    fn nul_in_any_spelling_and_boundaries() {
        use super::{has_boundary, has_nul};
        assert!(has_nul(b"a\0b") && has_nul(b"x=%00") && has_nul(b"{\"x\":\"\\u0000\"}") && has_nul(b"\\U0000"));
        assert!(!has_nul(b"x=%2500&y=100"));
        assert!(has_boundary("multipart/form-data; boundary=abc"));
        assert!(has_boundary("multipart/form-data; charset=utf-8; boundary=\"x y\""));
        assert!(!has_boundary("multipart/form-data"));
        assert!(!has_boundary("multipart/form-data; boundary="));
        assert!(!has_boundary("multipart/form-data; boundary=\"\""));
    }

    #[test]
    fn browsers_posting_from_our_site_pass() {
        assert!(v(Some("same-origin"), Some("http://127.0.0.1:3000"), None, "127.0.0.1:3000", &[]));
        assert!(v(None, Some("http://127.0.0.1:3000"), None, "127.0.0.1:3000", &[]));
        assert!(v(None, None, Some("http://127.0.0.1:3000/login"), "127.0.0.1:3000", &[]));
        assert!(v(Some("none"), None, None, "x", &[]));
    }

    #[test]
    fn other_sites_are_refused() {
        assert!(!v(Some("cross-site"), Some("https://evil.example"), None, "127.0.0.1:3000", &[]));
        assert!(!v(Some("same-site"), Some("https://a.shequ.cn"), None, "b.shequ.cn", &[]));
        assert!(!v(None, Some("https://evil.example"), None, "127.0.0.1:3000", &[]));
        assert!(!v(None, Some("null"), None, "127.0.0.1:3000", &[]));
        assert!(!v(None, None, Some("https://evil.example/x"), "127.0.0.1:3000", &[]));
        // A look-alike host is not the same host.
        assert!(!v(None, Some("http://127.0.0.1:3000.evil.example"), None, "127.0.0.1:3000", &[]));
    }

    #[test]
    fn configured_public_origin_passes_behind_a_proxy() {
        let allowed = vec!["https://shequ.example.cn".to_string()];
        assert!(v(Some("same-origin"), Some("https://shequ.example.cn"), None, "10.0.0.5:3000", &allowed));
        assert!(v(None, None, Some("https://shequ.example.cn/me"), "10.0.0.5:3000", &allowed));
        assert!(!v(None, None, Some("https://shequ.example.cn.evil/me"), "10.0.0.5:3000", &allowed));
    }

    #[test]
    fn non_browser_clients_pass() {
        assert!(v(None, None, None, "127.0.0.1:3000", &[]));
    }
}

/// The policy for every response but pages: nothing inline runs, nothing frames us.
pub const CSP_DEFAULT: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A page's policy: its two inline scripts (the island loader and Leptos's hydration
/// script) run by the page's nonce, nothing else inline.
pub fn page_csp(nonce: &str) -> String {
    CSP_DEFAULT.replacen("script-src 'self'", &format!("script-src 'self' 'nonce-{nonce}'"), 1)
}

/// Headers every response carries unless its route set its own: no sniffing, no framing,
/// no referrer to other sites, the content policy, HSTS when cookies are HTTPS-only, and a
/// `Retry-After` on every 429.
pub async fn security_headers(State(https): State<bool>, req: Request, next: Next) -> Response {
    use axum::http::HeaderValue;
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.entry(header::X_CONTENT_TYPE_OPTIONS).or_insert(HeaderValue::from_static("nosniff"));
    h.entry(header::REFERRER_POLICY).or_insert(HeaderValue::from_static("same-origin"));
    h.entry(header::X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("DENY"));
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(CSP_DEFAULT));
    if https {
        h.entry(header::STRICT_TRANSPORT_SECURITY).or_insert(HeaderValue::from_static("max-age=31536000"));
    }
    if res.status() == StatusCode::TOO_MANY_REQUESTS {
        res.headers_mut().entry(header::RETRY_AFTER).or_insert(HeaderValue::from_static("60"));
    }
    res
}

/// A form's body (server functions, Open311): far above any form a person fills in.
pub const FORM_LIMIT: usize = 64 * 1024;
/// A multipart body: three photos of 5 MB and the form around them.
pub const MULTIPART_LIMIT: usize = 16 * 1024 * 1024 + 64 * 1024;

/// The routes that take only `multipart/form-data` (server functions with photos): any
/// other body there is refused before the server function's decoder sees it.
#[derive(Clone, Debug, Default)]
pub struct MultipartRoutes(pub Vec<&'static str>);

/// Every request's body, checked once for every route (Leptos gives each server function
/// its own route, where a layer on `/api/{*fn}` would not apply), before anything reads it:
/// - size by kind: a declared length over the limit is refused unread; a multipart body is
///   cut off at its limit; any other body is read up to its limit, and refused past it;
/// - a form or JSON body must be UTF-8 without NUL (PostgreSQL cannot store one; SQLite
///   would), and so must the path and query;
/// - a multipart body must name its boundary, and the multipart routes take nothing else.
///
/// A refusal says why in the reader's language, like a server function's error.
pub async fn limit_bodies(State(multipart_routes): State<MultipartRoutes>, req: Request, next: Next) -> Response {
    use crate::error::AppError;
    use crate::i18n::T;
    let lang = crate::request::request_lang(req.headers());
    let refuse = |status: StatusCode, e: AppError| {
        let mut res = (status, axum::Json(&e)).into_response();
        crate::request::say(res.headers_mut(), &e, lang);
        res
    };
    let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("");
    if has_nul(target.as_bytes()) {
        return refuse(StatusCode::BAD_REQUEST, AppError::BadRequest);
    }
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let multipart = content_type.trim_start().to_ascii_lowercase().starts_with("multipart/");
    let wants_multipart = multipart_routes.0.contains(&req.uri().path());
    let misplaced = multipart != wants_multipart && req.uri().path().starts_with("/api/");
    if misplaced || (multipart && !has_boundary(content_type)) {
        // Read what was sent (within bounds) before answering: a connection closed on an
        // unread body breaks the client's next request on it.
        drain(req.into_body()).await;
        return refuse(StatusCode::BAD_REQUEST, AppError::BadRequest);
    }
    let limit = if multipart { MULTIPART_LIMIT } else { FORM_LIMIT };
    let too_large = || {
        if multipart {
            AppError::invalid("photos", T::ErrPhotoSize)
        } else {
            AppError::invalid("body", T::ErrTooLong)
        }
    };
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let (parts, body) = req.into_parts();
    if declared.is_some_and(|n| n > limit as u64) {
        // Refused unread; what the client still sends is discarded (up to a bound), so it
        // gets the answer instead of a broken connection.
        drain(body).await;
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, too_large());
    }
    if multipart {
        // Photos stream through; their own reader checks each part.
        let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
        return next.run(Request::from_parts(parts, body)).await;
    }
    let bytes = match read_up_to(body, limit).await {
        Read::Whole(b) => b,
        Read::TooLarge => return refuse(StatusCode::PAYLOAD_TOO_LARGE, too_large()),
        // A broken chunked body, a dropped upload.
        Read::Broken => return refuse(StatusCode::BAD_REQUEST, AppError::BadRequest),
    };
    if std::str::from_utf8(&bytes).is_err() || has_nul(&bytes) {
        return refuse(StatusCode::BAD_REQUEST, AppError::BadRequest);
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await
}

/// What is read and thrown away of a refused body at most: past it, the connection closes.
const DRAIN_LIMIT: usize = 32 * 1024 * 1024;

enum Read {
    Whole(axum::body::Bytes),
    TooLarge,
    Broken,
}

/// Reads a body up to `limit`; past it, the rest is discarded (see [`drain`]).
async fn read_up_to(mut body: axum::body::Body, limit: usize) -> Read {
    use http_body_util::BodyExt;
    let mut buf = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { return Read::Broken };
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > limit {
                drain(body).await;
                return Read::TooLarge;
            }
            buf.extend_from_slice(&data);
        }
    }
    Read::Whole(buf.into())
}

/// Reads and discards what is left of a refused body, up to [`DRAIN_LIMIT`].
async fn drain(mut body: axum::body::Body) {
    use http_body_util::BodyExt;
    let mut seen = 0;
    while let Some(Ok(frame)) = body.frame().await {
        seen += frame.data_ref().map_or(0, |d| d.len());
        if seen > DRAIN_LIMIT {
            break;
        }
    }
}

/// A NUL byte, raw or as a form (`%00`) or JSON (`\u0000`) escape.
fn has_nul(b: &[u8]) -> bool {
    let lower = |w: &[u8]| w.iter().map(u8::to_ascii_lowercase).collect::<Vec<u8>>();
    b.contains(&0) || b.windows(3).any(|w| w == b"%00") || b.windows(6).any(|w| lower(w) == b"\\u0000")
}

/// `multipart/form-data; boundary=...` with a boundary that is not empty.
fn has_boundary(content_type: &str) -> bool {
    content_type.split(';').skip(1).any(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        k.trim().eq_ignore_ascii_case("boundary") && !v.trim().trim_matches('"').is_empty()
    })
}

/// What a panic answers instead of a dropped connection: a plain 500, nothing of the panic.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> axum::http::Response<String> {
    tracing::error!("a request handler panicked");
    let mut res = axum::http::Response::new(
        "服务器出错了，请稍后再试。/ Something went wrong; please try again later.".to_string(),
    );
    *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    res.headers_mut().insert(header::CONTENT_TYPE, axum::http::HeaderValue::from_static("text/plain; charset=utf-8"));
    res
}

pub fn sha256_hex(s: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A new opaque token: 256 random bits, hex.
pub fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}
