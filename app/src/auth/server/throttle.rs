//! Login throttling per phone and per client address, counted in the database.

use super::*;

pub(super) const FAIL_PHONE: &str = "login_phone";
pub(super) const FAIL_IP: &str = "login_ip";

/// Refuses a login attempt while its phone or its client address is throttled.
pub async fn check_login_throttle(store: &Store, config: &AppConfig, phone: &str, ip: &str) -> Result<(), AppError> {
    let window_ms = config.login_window_minutes * 60_000;
    let now = Millis::now().0;
    for (kind, key, limit) in
        [(FAIL_PHONE, phone, config.login_max_failures_per_phone), (FAIL_IP, ip, config.login_max_failures_per_ip)]
    {
        let times: Vec<i64> =
            sqlx::query_scalar("SELECT at FROM auth_failures WHERE kind = $1 AND key = $2 AND at > $3")
                .bind(kind)
                .bind(key)
                .bind(now - window_ms)
                .fetch_all(store.pool())
                .await?;
        if let Some(wait) = throttle_wait_secs(&times, limit, window_ms, now) {
            return Err(AppError::Throttled { retry_after_secs: wait });
        }
    }
    Ok(())
}

pub async fn record_login_failure(store: &Store, config: &AppConfig, phone: &str, ip: &str) -> Result<(), AppError> {
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    for (kind, key) in [(FAIL_PHONE, phone), (FAIL_IP, ip)] {
        sqlx::query("INSERT INTO auth_failures (kind, key, at) VALUES ($1, $2, $3)")
            .bind(kind)
            .bind(key)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    // Forget what can no longer count, so the table stays small.
    sqlx::query("DELETE FROM auth_failures WHERE at < $1")
        .bind(now - config.login_window_minutes * 60_000)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
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
