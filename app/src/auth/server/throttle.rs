//! Login throttling per phone and per client address, counted in the database.

use super::*;

pub(super) const FAIL_PHONE: &str = "login_phone";
pub(super) const FAIL_IP: &str = "login_ip";

/// When `key` was counted for `kind` since `since`, through the pool or a transaction.
async fn counted<'e, E>(e: E, kind: &str, key: &str, since: i64) -> Result<Vec<i64>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_scalar("SELECT at FROM auth_failures WHERE kind = $1 AND key = $2 AND at > $3")
        .bind(kind)
        .bind(key)
        .bind(since)
        .fetch_all(e)
        .await
}

/// Counts a login attempt for its phone before the password is checked, or refuses it
/// while its phone or its client address is throttled. The phone's count is taken first,
/// with parallel attempts on one phone taking turns: seven parallel guesses cannot all pass
/// a limit of five. The address counts failures only (a station's or a carrier's shared
/// address logs many people in at once). Returns the attempt's row: a successful login
/// removes it, a failed one leaves it as the phone's failure (see [`login_failed`]).
pub async fn reserve_login_attempt(store: &Store, config: &AppConfig, phone: &str, ip: &str) -> Result<i64, AppError> {
    let window_ms = config.login_window_minutes * 60_000;
    let now = Millis::now().0;
    let by_address = counted(store.pool(), FAIL_IP, ip, now - window_ms).await?;
    if let Some(wait) = throttle_wait_secs(&by_address, config.login_max_failures_per_ip, window_ms, now) {
        return Err(AppError::Throttled { retry_after_secs: wait });
    }
    let mut tx = store.write().await?;
    store.take_turn(&mut tx, &format!("{FAIL_PHONE}:{phone}")).await?;
    let times = counted(&mut *tx, FAIL_PHONE, phone, now - window_ms).await?;
    if let Some(wait) = throttle_wait_secs(&times, config.login_max_failures_per_phone, window_ms, now) {
        return Err(AppError::Throttled { retry_after_secs: wait });
    }
    let id: i64 = sqlx::query_scalar("INSERT INTO auth_failures (kind, key, at) VALUES ($1, $2, $3) RETURNING id")
        .bind(FAIL_PHONE)
        .bind(phone)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
    // Forget what can no longer count, so the table stays small.
    sqlx::query("DELETE FROM auth_failures WHERE kind IN ($1, $2) AND at < $3")
        .bind(FAIL_PHONE)
        .bind(FAIL_IP)
        .bind(now - window_ms)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// A failed login also counts against its client address.
pub async fn login_failed(store: &Store, ip: &str) -> Result<(), AppError> {
    sqlx::query("INSERT INTO auth_failures (kind, key, at) VALUES ($1, $2, $3)")
        .bind(FAIL_IP)
        .bind(ip)
        .bind(Millis::now().0)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Counts one attempt of `kind` by `key` (a client address, a phone, an account), or
/// refuses it when `limit` were made within the window: counted in the database, so every
/// instance shares the count, with parallel attempts on one key taking turns.
pub async fn count_attempt(store: &Store, kind: &str, key: &str, limit: i64, window_ms: i64) -> Result<(), AppError> {
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    store.take_turn(&mut tx, &format!("{kind}:{key}")).await?;
    let times = counted(&mut *tx, kind, key, now - window_ms).await?;
    if let Some(wait) = throttle_wait_secs(&times, limit, window_ms, now) {
        return Err(AppError::Throttled { retry_after_secs: wait });
    }
    sqlx::query("INSERT INTO auth_failures (kind, key, at) VALUES ($1, $2, $3)")
        .bind(kind)
        .bind(key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM auth_failures WHERE kind = $1 AND at < $2")
        .bind(kind)
        .bind(now - window_ms)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A successful login: its attempt was no failure.
pub async fn release_login_attempt(store: &Store, row: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM auth_failures WHERE id = $1").bind(row).execute(store.pool()).await?;
    Ok(())
}

pub async fn clear_login_failures(store: &Store, phone: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM auth_failures WHERE kind = $1 AND key = $2")
        .bind(FAIL_PHONE)
        .bind(phone)
        .execute(store.pool())
        .await?;
    Ok(())
}
