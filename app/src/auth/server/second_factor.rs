//! The staff's second factor: a staff login on a device not trusted yet opens a session
//! that counts for nothing until the code sent to the account's phone is typed; the device
//! is then trusted for 30 days (a cookie, its hash stored).

use super::*;
use crate::verify::Purpose;

pub const DEVICE_COOKIE: &str = "mc_device";
pub const DEVICE_DAYS: i64 = 30;
/// A login waiting for its code is forgotten after this.
const PENDING_MS: i64 = 10 * 60_000;

/// Does this browser carry a trusted-device cookie of `user`?
pub async fn trusted(store: &Store, user: i64) -> Result<bool, AppError> {
    let Some(token) = request::cookie(DEVICE_COOKIE) else { return Ok(false) };
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT user_id FROM trusted_devices WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3",
    )
    .bind(sha256_hex(&token))
    .bind(user)
    .bind(Millis::now().0)
    .fetch_optional(store.pool())
    .await?;
    Ok(found.is_some())
}

/// Sends the code and opens the waiting session. A second login within the minute reuses
/// the code already sent.
pub async fn begin(store: &Store, config: &AppConfig, user: i64) -> Result<(), AppError> {
    let phone: String =
        sqlx::query_scalar("SELECT phone FROM users WHERE id = $1").bind(user).fetch_one(store.pool()).await?;
    count_attempt(store, "sms_phone", &phone, config.sms_per_phone_per_day, 86_400_000).await?;
    let demo = crate::verify::gateway::shows_codes(config.demo_mode);
    let token = super::sessions::open_session(store, user, true).await?;
    crate::verify::server::issue_keyed(store, &code_key(&token), &phone, Purpose::StaffLogin, true, demo).await
}

/// The code of a waiting login is kept under the login, not the phone.
fn code_key(session_token: &str) -> String {
    format!("login:{}", &sha256_hex(session_token)[..32])
}

/// The account and phone of this browser's login waiting for its code, and the code's key.
pub async fn waiting(store: &Store) -> Result<Option<(i64, String, String)>, AppError> {
    let Some(token) = request::cookie(SESSION_COOKIE) else { return Ok(None) };
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT s.user_id, u.phone FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.pending_second_factor = 1 AND s.created_at > $2",
    )
    .bind(sha256_hex(&token))
    .bind(Millis::now().0 - PENDING_MS)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(|(user, phone)| (user, phone, code_key(&token))))
}

/// The code typed: the session counts from now on and this device is trusted. Returns the
/// account's role (where to go next).
pub async fn finish(store: &Store, code: &str) -> Result<Role, AppError> {
    let (user, _, key) = waiting(store).await?.ok_or(AppError::Unauthenticated)?;
    let proven = crate::verify::server::check(store, &key, Purpose::StaffLogin, code).await?;
    let token = request::cookie(SESSION_COOKIE).ok_or(AppError::Unauthenticated)?;
    let device = new_token();
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    crate::verify::server::use_up(&mut tx, proven).await?;
    sqlx::query("UPDATE sessions SET pending_second_factor = 0 WHERE token_hash = $1")
        .bind(sha256_hex(&token))
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO trusted_devices (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(sha256_hex(&device))
        .bind(user)
        .bind(now)
        .bind(now + DEVICE_DAYS * 86_400_000)
        .execute(&mut *tx)
        .await?;
    let role: String =
        sqlx::query_scalar("SELECT role FROM users WHERE id = $1").bind(user).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    request::set_cookie(request::build_cookie(DEVICE_COOKIE, device, DEVICE_DAYS * 86_400));
    Role::parse(&role).ok_or(AppError::Internal)
}

/// Job: devices past their 30 days and logins that never got their code.
pub async fn purge(store: &Store, now: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM trusted_devices WHERE expires_at < $1").bind(now).execute(store.pool()).await?;
    sqlx::query("DELETE FROM sessions WHERE pending_second_factor = 1 AND created_at < $1")
        .bind(now - PENDING_MS)
        .execute(store.pool())
        .await?;
    Ok(())
}
