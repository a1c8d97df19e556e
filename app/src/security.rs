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
