//! Prometheus metrics at `/metrics`: requests by route, method and status, latency
//! histograms, the database pool, background job runs and failures, the Open311 outbox
//! backlog and the live streams. Each instance reports its own; Prometheus adds them up.
//! Readable with the configured bearer token, or from an allowed address without going
//! through the proxy (a request that carries forwarding headers came from outside).

use crate::request::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use ipnet::IpNet;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

const LATENCY_BUCKETS: [f64; 12] = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

fn handle() -> &'static OnceLock<PrometheusHandle> {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    &HANDLE
}

/// Installs the recorder (once per process; later calls do nothing) and keeps its
/// histograms drained between scrapes.
pub fn install() -> Result<(), String> {
    if handle().get().is_some() {
        return Ok(());
    }
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_duration_seconds".into()), &LATENCY_BUCKETS)
        .map_err(|e| format!("metrics: {e}"))?
        .install_recorder()
        .map_err(|e| format!("metrics: {e}"))?;
    metrics::describe_counter!("http_requests_total", "Requests answered, by route, method and status.");
    metrics::describe_histogram!("http_request_duration_seconds", "Time to answer a request, by route.");
    metrics::describe_counter!("jobs_runs_total", "Background job runs, by job.");
    metrics::describe_counter!("jobs_failures_total", "Background job runs that failed, by job.");
    metrics::describe_gauge!("db_pool_connections", "Database connections of this instance, by state.");
    metrics::describe_gauge!("db_pool_max_connections", "The pool's size limit.");
    metrics::describe_gauge!("open311_outbox_backlog", "Hand-offs to other systems not yet delivered.");
    metrics::describe_gauge!("live_streams", "Open live-update streams on this instance.");
    let upkeep = recorder.clone();
    let _ = handle().set(recorder);
    tokio::spawn(async move {
        let mut timer = tokio::time::interval(Duration::from_secs(5));
        loop {
            timer.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(())
}

pub fn record_request(method: &str, route: String, status: u16, latency: Duration) {
    let method = match method {
        "GET" | "POST" | "HEAD" | "PUT" | "DELETE" | "PATCH" | "OPTIONS" => method.to_string(),
        _ => "other".to_string(),
    };
    metrics::counter!("http_requests_total", "route" => route.clone(), "method" => method, "status" => status.to_string())
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route).record(latency.as_secs_f64());
}

/// Counts a background job's run, and its failure.
pub fn record_job<T, E>(job: &'static str, result: &Result<T, E>) {
    metrics::counter!("jobs_runs_total", "job" => job).increment(1);
    if result.is_err() {
        metrics::counter!("jobs_failures_total", "job" => job).increment(1);
    }
}

/// Who may read `/metrics`.
#[derive(Clone, Debug)]
pub struct MetricsAccess {
    /// `METRICS_TOKEN`: a scraper sends `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// `METRICS_ALLOW`: addresses that may read without a token, when the request did not
    /// come through a proxy.
    pub allow: Vec<IpNet>,
}

impl MetricsAccess {
    pub fn permits(&self, peer: std::net::IpAddr, headers: &HeaderMap) -> bool {
        if let Some(token) = &self.token {
            let sent = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            // Digests compared, so the time taken says nothing about the token's bytes.
            use sha2::{Digest, Sha256};
            if Sha256::digest(sent.as_bytes()) == Sha256::digest(token.as_bytes()) {
                return true;
            }
        }
        let proxied = ["x-forwarded-for", "forwarded", "x-real-ip"].iter().any(|h| headers.contains_key(*h));
        !proxied && self.allow.iter().any(|net| net.contains(&peer))
    }
}

pub fn routes(access: MetricsAccess) -> Router<AppState> {
    Router::new().route(
        "/metrics",
        get(move |state: State<AppState>, peer: ConnectInfo<SocketAddr>, headers: HeaderMap| {
            let access = access.clone();
            async move { scrape(state, peer, headers, access).await }
        }),
    )
}

async fn scrape(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    access: MetricsAccess,
) -> Response {
    if !access.permits(peer.ip(), &headers) {
        return (StatusCode::FORBIDDEN, "metrics: not from here").into_response();
    }
    let Some(handle) = handle().get() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "metrics are not installed").into_response();
    };
    let pool = state.store.pool();
    let idle = pool.num_idle() as f64;
    metrics::gauge!("db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("db_pool_connections", "state" => "in_use").set((pool.size() as f64 - idle).max(0.0));
    metrics::gauge!("db_pool_max_connections").set(pool.options().get_max_connections() as f64);
    metrics::gauge!("live_streams").set(crate::live::open_stream_count() as f64);
    match crate::open311::outbound::backlog(&state.store).await {
        Ok(n) => metrics::gauge!("open311_outbox_backlog").set(n as f64),
        Err(e) => tracing::warn!(error = %e, "metrics: outbox backlog"),
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}
