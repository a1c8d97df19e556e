//! API keys: issued once and stored hashed, revoked, listed; each key's rate limit.

use super::*;

/// POSTs per API key per minute (shared by every instance: counted in the database);
/// `OPEN311_POSTS_PER_MINUTE` overrides it.
pub const POSTS_PER_MINUTE: i64 = 30;

pub(super) fn posts_per_minute() -> i64 {
    std::env::var("OPEN311_POSTS_PER_MINUTE").ok().and_then(|v| v.parse().ok()).unwrap_or(POSTS_PER_MINUTE)
}

/// A client system's key, filing into `region` (a community, subdistrict or district; None:
/// everywhere, the command line's default): shown once when made, stored as its SHA-256.
pub async fn add_key(
    store: &Store,
    name: &str,
    region: Option<i64>,
    created_by: Option<i64>,
) -> Result<(i64, String), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::invalid("name", crate::i18n::T::ErrRequired));
    }
    let key = crate::security::new_token();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_keys (name, key_hash, region_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(name)
    .bind(crate::security::sha256_hex(&key))
    .bind(region)
    .bind(created_by)
    .bind(Millis::now().0)
    .fetch_one(store.pool())
    .await?;
    Ok((id, key))
}

/// Revokes a key among `keys` (those the caller manages; None: any).
pub async fn revoke_key(store: &Store, id: i64) -> Result<bool, AppError> {
    let done = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(Millis::now().0)
        .bind(id)
        .execute(store.pool())
        .await?
        .rows_affected();
    Ok(done == 1)
}

/// (id, name, created, revoked, region) of every key.
pub async fn list_keys(store: &Store) -> Result<Vec<(i64, String, i64, Option<i64>, Option<i64>)>, AppError> {
    Ok(sqlx::query_as("SELECT id, name, created_at, revoked_at, region_id FROM api_keys ORDER BY id")
        .fetch_all(store.pool())
        .await?)
}

/// The live key's (id, name, region), if the key is known and not revoked.
pub(super) async fn key_of(store: &Store, key: &str) -> Result<Option<(i64, String, Option<i64>)>, sqlx::Error> {
    if key.is_empty() || key.len() > 200 {
        return Ok(None);
    }
    sqlx::query_as("SELECT id, name, region_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
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

/// The regions an admin issues keys for: their own and those just below it (a subdistrict
/// admin: the subdistrict and its communities; a district admin: the district and its
/// subdistricts). (id, name).
pub async fn scopes_of(store: &Store, admin: &crate::auth::SessionUser) -> Result<Vec<(i64, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, name_zh FROM regions WHERE id = $1 OR parent_id = $1 ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END, code",
    )
    .bind(admin.region_id)
    .fetch_all(store.pool())
    .await?)
}

/// May this admin see and revoke a key of `region`? The district admin: every key (those
/// without a region too); a subdistrict admin: keys of the subdistrict or its communities.
pub async fn manages(store: &Store, admin: &crate::auth::SessionUser, region: Option<i64>) -> Result<bool, AppError> {
    if admin.role == crate::auth::Role::DistrictAdmin {
        return Ok(true);
    }
    let Some(region) = region else { return Ok(false) };
    Ok(scopes_of(store, admin).await?.iter().any(|(id, _)| *id == region))
}

/// The region of a key, if the key exists.
pub async fn key_region(store: &Store, id: i64) -> Result<Option<Option<i64>>, AppError> {
    Ok(sqlx::query_scalar("SELECT region_id FROM api_keys WHERE id = $1").bind(id).fetch_optional(store.pool()).await?)
}

/// Reads (GET) per client address per minute, on each instance; `OPEN311_GETS_PER_MINUTE`
/// overrides it. Reads are public, so they are limited where they come from.
pub const GETS_PER_MINUTE: u32 = 300;

fn gets_per_minute() -> u32 {
    std::env::var("OPEN311_GETS_PER_MINUTE").ok().and_then(|v| v.parse().ok()).unwrap_or(GETS_PER_MINUTE)
}

/// Counts a read against its address's minute (on this instance: a read costs no write);
/// over the limit: 429 with `Retry-After`. A fixed window, the map emptied each minute.
pub async fn limit_reads(
    AxState(trust_proxy): AxState<bool>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static WINDOW: OnceLock<Mutex<(i64, HashMap<String, u32>)>> = OnceLock::new();
    if req.method() != axum::http::Method::GET {
        return next.run(req).await;
    }
    let ip = crate::request::client_ip_of(req.headers(), req.extensions(), trust_proxy);
    let minute = Millis::now().0.div_euclid(60_000);
    let over = {
        let mut w = WINDOW.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
        if w.0 != minute {
            *w = (minute, HashMap::new());
        }
        let n = w.1.entry(ip).or_insert(0);
        *n += 1;
        *n > gets_per_minute()
    };
    if over {
        let format = if req.uri().path().ends_with(".xml") { Format::Xml } else { Format::Json };
        let mut res =
            error(format, StatusCode::TOO_MANY_REQUESTS, "too many requests from this address; try again in a minute");
        res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("60"));
        return res;
    }
    next.run(req).await
}
