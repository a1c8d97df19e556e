//! `/healthz`: the process answers (liveness: restart it if not). `/readyz`: the database
//! answers and has every migration this build needs (readiness: send it traffic).

use crate::request::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let database = state.store.backend().name();
    let unavailable = |reason: &str| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable", "database": database, "reason": reason })),
        )
    };
    if let Err(e) = state.store.ping().await {
        tracing::error!(error = %e, "readiness: database unreachable");
        return unavailable("database unreachable");
    }
    match state.store.pending_migrations().await {
        Ok(0) => (StatusCode::OK, Json(serde_json::json!({ "status": "ok", "database": database }))),
        Ok(n) => {
            tracing::error!(pending = n, "readiness: migrations not applied");
            unavailable("migrations pending")
        }
        Err(e) => {
            tracing::error!(error = %e, "readiness: cannot read the migrations");
            unavailable("migrations unknown")
        }
    }
}
