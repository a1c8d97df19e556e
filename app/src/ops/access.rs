//! The access log: one INFO line per request, with the route's pattern (never the path's
//! ids, never a query string, a phone number or a body), status, latency, request id and the
//! account id, and the request metrics recorded from the same measurement.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::Instant;

pub const REQUEST_ID: &str = "x-request-id";

/// A request id from outside (the proxy's) is kept when it looks like one; anything else
/// is dropped so that a new one is made: a client cannot write into the log.
pub async fn sanitize_request_id(mut req: Request, next: Next) -> Response {
    let ok = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).is_some_and(valid_request_id);
    if !ok {
        req.headers_mut().remove(REQUEST_ID);
    }
    next.run(req).await
}

pub fn valid_request_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// The route a request took, as a label with a bounded number of values: the router's
/// pattern (`/demands/{id}`), a registered server function's path, `/pkg` for the site's
/// files, or `other` (a 404, a file from the site root).
pub fn route_label(req: &Request) -> String {
    let path = req.uri().path();
    if path.starts_with("/api/") {
        return if server_functions().contains(path) { path.to_string() } else { "/api/other".into() };
    }
    if path.starts_with("/pkg/") {
        return "/pkg".into();
    }
    match req.extensions().get::<MatchedPath>() {
        Some(m) => m.as_str().to_string(),
        None => "other".into(),
    }
}

fn server_functions() -> &'static HashSet<String> {
    static PATHS: OnceLock<HashSet<String>> = OnceLock::new();
    PATHS.get_or_init(|| server_fn::axum::server_fn_paths().map(|(path, _)| path.to_string()).collect())
}

pub async fn access_log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = route_label(&req);
    let request_id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_string();
    let response = next.run(req).await;
    let latency = started.elapsed();
    let status = response.status().as_u16();
    let user = response.extensions().get::<crate::request::AccountId>().map(|a| a.0);
    tracing::info!(
        target: "access",
        method = %method,
        route = %route,
        status,
        latency_ms = (latency.as_secs_f64() * 1000.0 * 10.0).round() / 10.0,
        request_id = %request_id,
        user,
        "request"
    );
    super::metrics::record_request(method.as_str(), route, status, latency);
    response
}

#[cfg(test)]
mod tests {
    use super::valid_request_id;

    #[test]
    fn request_ids_from_outside_are_kept_only_when_plain() {
        assert!(valid_request_id("3f2a9c1e-77b0-4a7e-9f43-2c1d0e6b5a10"));
        assert!(valid_request_id("nginx.4f1d_2"));
        assert!(!valid_request_id(""));
        assert!(!valid_request_id("a\nfake log line"));
        assert!(!valid_request_id("13800000001 张三"));
        assert!(!valid_request_id(&"a".repeat(65)));
    }
}
