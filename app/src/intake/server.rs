//! Affair suggestions for a community: its affairs' index (names, keywords, descriptions,
//! documents, and the words of the demands lately filed under each), built when first
//! asked and rebuilt after a few minutes, so new affairs and staff corrections count; the
//! stable GET endpoint; the best match for a post that chose none.

use super::rules::{self, AffairDoc, AffairIndex, Ranked};
use super::segment;
use super::AffairSuggestion;
use crate::error::AppError;
use crate::memo::Memo;
use crate::store::Store;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{routing::get, Router};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// An index is rebuilt after this long (every instance builds its own: nothing is shared
/// in memory across instances, and a few minutes' delay in learning costs nothing).
/// `INTAKE_INDEX_SECONDS` sets it (0: rebuilt for every request, for tests).
fn fresh_for() -> Duration {
    static SECONDS: LazyLock<u64> =
        LazyLock::new(|| std::env::var("INTAKE_INDEX_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(300));
    Duration::from_secs(*SECONDS)
}
/// The demands most lately filed under an affair that count for it.
const PAST_PER_AFFAIR: i64 = 30;
/// The most characters of a text to rank.
pub const MAX_QUERY: usize = 500;
/// At most this many suggestions.
pub const MAX_SUGGESTIONS: usize = 5;

/// One index per community, built by one request while the others wait (`crate::memo`):
/// a community's build never waits for another's.
static INDEXES: LazyLock<Memo<i64, Arc<AffairIndex>>> = LazyLock::new(|| Memo::new(1024));

/// The community's index, built if missing or stale.
pub async fn index(store: &Store, community: i64) -> Result<Arc<AffairIndex>, AppError> {
    let ttl = fresh_for().as_millis() as i64;
    INDEXES
        .get(
            community,
            crate::store::Millis::now().0,
            ttl,
            |_| true,
            || async { Ok(Arc::new(build(store, community).await?)) },
        )
        .await
}

/// Forgets a community's index (its affairs changed here).
pub async fn forget(community: i64) {
    INDEXES.forget(&community);
}

type AffairText = (i64, String, String, String, String, String);

async fn build(store: &Store, community: i64) -> Result<AffairIndex, AppError> {
    let affairs: Vec<AffairText> = sqlx::query_as(
        "SELECT id, code, name_zh, keywords, description_zh, documents_zh FROM affairs \
         WHERE community_id = $1 AND retired_at IS NULL ORDER BY code",
    )
    .bind(community)
    .fetch_all(store.pool())
    .await?;
    // The latest demands of each affair: one index range per affair (demands_affair); a
    // demand the server filed by its own guess teaches nothing until a person confirms it.
    // Only what residents chose to show their community teaches: the endpoint is public, and
    // a score must never tell whether a word is in someone's private demand.
    let mut past: Vec<(i64, i64, String)> = Vec::new();
    for (id, ..) in &affairs {
        let texts: Vec<(i64, String)> = sqlx::query_as(
            "SELECT requester_id, description FROM demands WHERE community_id = $1 AND affair_id = $2 \
             AND affair_matched = 0 AND visibility <> 'private' AND anonymised_at IS NULL ORDER BY id DESC LIMIT $3",
        )
        .bind(community)
        .bind(id)
        .bind(PAST_PER_AFFAIR)
        .fetch_all(store.pool())
        .await?;
        past.extend(texts.into_iter().map(|(who, text)| (*id, who, text)));
    }
    let keywords: Vec<String> =
        affairs.iter().flat_map(|a| a.3.split_whitespace().map(str::to_string).collect::<Vec<_>>()).collect();
    // Segmenting is CPU work: off the async threads.
    tokio::task::spawn_blocking(move || {
        segment::learn(&keywords);
        let mut docs: Vec<(i64, AffairDoc)> = Vec::new();
        let mut known = std::collections::HashSet::new();
        for (id, code, name, keywords, description, documents) in affairs {
            let mut d = AffairDoc::new(&code, &name);
            for (text, weight) in [
                (&name, rules::NAME_WEIGHT),
                (&keywords, rules::KEYWORD_WEIGHT),
                (&description, rules::DESCRIPTION_WEIGHT),
                (&documents, rules::DOCUMENTS_WEIGHT),
            ] {
                let terms = segment::terms(text);
                known.extend(terms.iter().map(|t| t.key.clone()));
                d.add(&terms, weight);
            }
            docs.push((id, d));
        }
        let said: Vec<(i64, Vec<rules::Term>)> =
            past.iter().map(|(_, who, text)| (*who, segment::terms(text))).collect();
        let shared = rules::shared_words(&said, &known);
        for ((affair, ..), terms) in past.iter().zip(&shared) {
            if let Some((_, d)) = docs.iter_mut().find(|(id, _)| id == affair) {
                d.add(terms, rules::PAST_WEIGHT);
            }
        }
        AffairIndex::new(docs.into_iter().map(|(_, d)| d).collect())
    })
    .await
    .map_err(|_| AppError::Internal)
}

/// The affairs a text most likely means, best first.
pub async fn suggest(store: &Store, community: i64, text: &str, limit: usize) -> Result<Vec<Ranked>, AppError> {
    let text: String = text.chars().take(MAX_QUERY).collect();
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let index = index(store, community).await?;
    let terms = segment::terms(&text);
    Ok(index.rank(&terms, limit.min(MAX_SUGGESTIONS)))
}

/// The affair a post that chose none is filed under, when the text says it clearly enough.
pub async fn best(store: &Store, community: i64, text: &str) -> Result<Option<String>, AppError> {
    Ok(rules::clear_best(&suggest(store, community, text, 2).await?).map(|r| r.code.clone()))
}

pub fn as_suggestions(ranked: Vec<Ranked>) -> Vec<AffairSuggestion> {
    ranked
        .into_iter()
        .map(|r| AffairSuggestion {
            code: r.code,
            name: r.name,
            score: (r.score * 1000.0).round() / 1000.0,
            why: r.why,
        })
        .collect()
}

#[derive(serde::Deserialize)]
struct SuggestQuery {
    community: Option<String>,
    q: Option<String>,
}

/// `GET /api/suggest/affairs?community=CODE&q=TEXT`: at most five, best first, as JSON.
/// Public like the affairs menu: it reveals nothing but the menu's own words.
pub fn routes() -> Router<crate::request::AppState> {
    Router::new().route("/api/suggest/affairs", get(suggest_route))
}

async fn suggest_route(State(store): State<Store>, Query(q): Query<SuggestQuery>) -> Response {
    let code = q.community.unwrap_or_default();
    let text = q.q.unwrap_or_default();
    // A longer text is ranked by its first `MAX_QUERY` characters (`suggest`).
    if code.is_empty() || code.len() > 64 {
        return (StatusCode::BAD_REQUEST, axum::Json(AppError::BadRequest)).into_response();
    }
    let community: Result<Option<i64>, sqlx::Error> =
        sqlx::query_scalar("SELECT id FROM regions WHERE code = $1 AND level = 'community'")
            .bind(&code)
            .fetch_optional(store.pool())
            .await;
    let failed = |e: &dyn std::fmt::Debug| {
        tracing::warn!(error = ?e, "affair suggestions failed");
        (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(AppError::Internal)).into_response()
    };
    let community = match community {
        Ok(Some(id)) => id,
        Ok(None) => return (StatusCode::NOT_FOUND, axum::Json(AppError::NotFound)).into_response(),
        Err(e) => return failed(&e),
    };
    match suggest(&store, community, &text, MAX_SUGGESTIONS).await {
        Ok(ranked) => ([(header::CACHE_CONTROL, "no-store")], axum::Json(as_suggestions(ranked))).into_response(),
        Err(e) => failed(&e),
    }
}
