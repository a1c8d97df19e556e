//! API keys: issued once and stored hashed, revoked, listed; each key's rate limit.

use super::*;

/// POSTs per API key per minute (shared by every instance: counted in the database);
/// `OPEN311_POSTS_PER_MINUTE` overrides it.
pub const POSTS_PER_MINUTE: i64 = 30;

pub(super) fn posts_per_minute() -> i64 {
    std::env::var("OPEN311_POSTS_PER_MINUTE").ok().and_then(|v| v.parse().ok()).unwrap_or(POSTS_PER_MINUTE)
}

/// A client system's key: shown once when made, stored as its SHA-256.
pub async fn add_key(store: &Store, name: &str, created_by: Option<i64>) -> Result<(i64, String), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::invalid("name", crate::i18n::T::ErrRequired));
    }
    let key = crate::security::new_token();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_keys (name, key_hash, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name)
    .bind(crate::security::sha256_hex(&key))
    .bind(created_by)
    .bind(Millis::now().0)
    .fetch_one(store.pool())
    .await?;
    Ok((id, key))
}

pub async fn revoke_key(store: &Store, id: i64) -> Result<bool, AppError> {
    let done = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(Millis::now().0)
        .bind(id)
        .execute(store.pool())
        .await?
        .rows_affected();
    Ok(done == 1)
}

/// (id, name, created, revoked) of every key.
pub async fn list_keys(store: &Store) -> Result<Vec<(i64, String, i64, Option<i64>)>, AppError> {
    Ok(sqlx::query_as("SELECT id, name, created_at, revoked_at FROM api_keys ORDER BY id")
        .fetch_all(store.pool())
        .await?)
}

/// The live key's (id, name), if the key is known and not revoked.
pub(super) async fn key_of(store: &Store, key: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    if key.is_empty() || key.len() > 200 {
        return Ok(None);
    }
    sqlx::query_as("SELECT id, name FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
        .bind(crate::security::sha256_hex(key))
        .fetch_optional(store.pool())
        .await
}

/// Counts a POST against the key's minute; false once over the limit.
pub(super) async fn within_rate(store: &Store, key: i64, now: i64) -> Result<bool, sqlx::Error> {
    let minute = now.div_euclid(60_000);
    let n: i64 = sqlx::query_scalar(
        "INSERT INTO api_key_usage (key_id, minute, posts) VALUES ($1, $2, 1) \
         ON CONFLICT (key_id, minute) DO UPDATE SET posts = api_key_usage.posts + 1 RETURNING posts",
    )
    .bind(key)
    .bind(minute)
    .fetch_one(store.pool())
    .await?;
    Ok(n <= posts_per_minute())
}
