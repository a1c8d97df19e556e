//! The Open311 GeoReport v2 endpoints under `/open311/v2`, in XML and JSON. A POSTed service
//! request becomes a demand and its work item exactly as the app makes them; GET shows
//! public demands only, and never a resident's name, phone or home.

use super::format::{self, Format, Node};
use super::rules::{self, RequestForm};
use crate::config::AppConfig;
use crate::demands::file::{file_case, Filed, NewCase};
use crate::demands::Channel;
use crate::error::AppError;
use crate::form::key::IdempotencyKey;
use crate::store::{Millis, Store};
use crate::work::rules::{AffairLimits, ItemKind, Mode, Place, State, Urgency, Visibility};
use crate::work::server::WorkTx;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

pub mod keys;
pub mod read;
pub mod write;

pub use keys::{add_key, key_region, limit_reads, list_keys, manages, revoke_key, scopes_of, POSTS_PER_MINUTE};
pub use read::{get_request, get_root, get_service, get_token};
pub use write::post_request;

pub(super) fn answer(format: Format, root: &str, node: &Node, status: StatusCode) -> Response {
    let body = match format {
        Format::Xml => format::to_xml(root, node),
        Format::Json => format::to_json(node).to_string(),
    };
    (status, [(header::CONTENT_TYPE, format.content_type())], body).into_response()
}

pub(super) fn error(format: Format, status: StatusCode, description: &str) -> Response {
    answer(format, "errors", &format::errors(status.as_u16(), description), status)
}

/// Database trouble answers 500 in the spec's format, without the cause.
pub(super) fn internal(format: Format, e: impl std::fmt::Debug) -> Response {
    tracing::error!(error = ?e, "open311");
    error(format, StatusCode::INTERNAL_SERVER_ERROR, "internal error")
}

/// An unknown file name or format: the spec's error list (in XML, as the spec's default).
pub(super) fn not_found(file: &str) -> Response {
    let format = format::split_file(file).map(|(_, f)| f).unwrap_or(Format::Xml);
    error(format, StatusCode::NOT_FOUND, "no such resource")
}

// ---- API keys ----------------------------------------------------------------------------

// ---- Jurisdictions and services ------------------------------------------------------------

pub(super) async fn jurisdiction(store: &Store, code: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, name_zh FROM regions WHERE code = $1 AND level = 'community'")
        .bind(code.trim())
        .fetch_optional(store.pool())
        .await
}

// ---- Requests ------------------------------------------------------------------------------

// ---- Handlers ------------------------------------------------------------------------------
