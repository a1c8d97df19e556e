//! Drafts: the input of a plain (JavaScript-off) form post that failed, kept for the same
//! browser for a short while so the form comes back filled in.

use super::Draft;
use crate::error::AppError;
use crate::request;
use crate::security::{new_token, sha256_hex};
use crate::store::{Millis, Store};

const DRAFT_COOKIE: &str = "mc_draft";
const DRAFT_MINUTES: i64 = 30;

/// Keeps `fields` of `form` when the current request is a plain form post; a fetch from
/// the enhancing script keeps its input in the page and needs nothing stored. Never pass
/// passwords.
pub async fn keep_input(form: &str, fields: &[(&str, &str)]) {
    if !request::is_plain_form_post() {
        return;
    }
    if let Err(e) = store_draft(form, fields).await {
        tracing::warn!(error = ?e, "could not keep form input");
    }
}

async fn store_draft(form: &str, fields: &[(&str, &str)]) -> Result<(), AppError> {
    let store = request::store()?;
    let token = request::cookie(DRAFT_COOKIE).filter(|t| t.len() == 64).unwrap_or_else(new_token);
    let draft: Draft = fields.iter().map(|(k, v)| (k.to_string(), v.chars().take(10_000).collect())).collect();
    let payload = serde_json::to_string(&draft).map_err(|_| AppError::Internal)?;
    let now = Millis::now();
    let mut tx = store.write().await?;
    sqlx::query("DELETE FROM form_drafts WHERE created_at < $1 OR (draft_hash = $2 AND form = $3)")
        .bind(now.plus_minutes(-DRAFT_MINUTES))
        .bind(sha256_hex(&token))
        .bind(form)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO form_drafts (draft_hash, form, payload, created_at) VALUES ($1, $2, $3, $4)")
        .bind(sha256_hex(&token))
        .bind(form)
        .bind(payload)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    request::set_cookie(request::build_cookie(DRAFT_COOKIE, token, DRAFT_MINUTES * 60));
    Ok(())
}

/// The kept input of `form` for this browser, if any and still fresh.
pub async fn take_draft(form: &str) -> Result<Option<Draft>, AppError> {
    let Some(token) = request::cookie(DRAFT_COOKIE) else {
        return Ok(None);
    };
    let store = request::store()?;
    let payload: Option<String> =
        sqlx::query_scalar("SELECT payload FROM form_drafts WHERE draft_hash = $1 AND form = $2 AND created_at >= $3")
            .bind(sha256_hex(&token))
            .bind(form)
            .bind(Millis::now().plus_minutes(-DRAFT_MINUTES))
            .fetch_optional(store.pool())
            .await?;
    Ok(payload.and_then(|p| serde_json::from_str(&p).ok()))
}

/// Forgets the draft of `form` after a successful post.
pub async fn forget(form: &str) {
    let (Some(token), Ok(store)) = (request::cookie(DRAFT_COOKIE), request::store()) else {
        return;
    };
    let _ = sqlx::query("DELETE FROM form_drafts WHERE draft_hash = $1 AND form = $2")
        .bind(sha256_hex(&token))
        .bind(form)
        .execute(store.pool())
        .await;
}

/// Job: drafts older than an hour are forgotten.
pub async fn purge_stale(store: &Store, now: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM form_drafts WHERE created_at < $1").bind(now - 3_600_000).execute(store.pool()).await?;
    Ok(())
}
