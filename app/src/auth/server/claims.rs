//! Claim codes. A resident record the station made without a password (one-window intake,
//! a past case) holds someone's private demands and home visits: registering with its phone
//! must not hand it over. Station staff of its community give the resident a code at the
//! window; registering with the phone and the code claims the record, once.

use super::*;
use crate::auth::SessionUser;

/// How long a code stays good, and how many wrong tries it survives.
pub const CLAIM_CODE_HOURS: i64 = 72;
pub const CLAIM_CODE_TRIES: i64 = 5;

/// Eight digits from the system's generator: easy to read out at a window; with five tries
/// a guess succeeds once in twenty million.
fn new_code() -> String {
    use rand::Rng;
    format!("{:08}", rand::rngs::OsRng.gen_range(0..100_000_000_u32))
}

/// A new code for a record of the staff member's community that nobody has claimed yet; a
/// code issued before stops working. Returns the code in clear (it is stored hashed).
pub async fn issue_claim_code(store: &Store, staff: &SessionUser, resident: i64) -> Result<String, AppError> {
    if !staff.role.is_station_team() {
        return Err(AppError::Forbidden);
    }
    let unclaimed: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE id = $1 AND region_id = $2 AND role = 'resident' AND password_hash IS NULL \
         AND disabled_at IS NULL",
    )
    .bind(resident)
    .bind(staff.region_id)
    .fetch_optional(store.pool())
    .await?;
    // Another community's record, or one already claimed: the same answer as no record.
    let resident = unclaimed.ok_or(AppError::NotFound)?;
    let mut tx = store.write().await?;
    let code = put_code(&mut tx, resident, staff.id).await?;
    tx.commit().await?;
    Ok(code)
}

/// A fresh code for the account, in `tx` (the one before stops working); the code in clear.
pub(super) async fn put_code(tx: &mut Tx, user: i64, issued_by: i64) -> Result<String, AppError> {
    let code = new_code();
    let now = Millis::now().0;
    sqlx::query(
        "INSERT INTO claim_codes (user_id, code_hash, issued_by, issued_at, expires_at, tries_left) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, \
         issued_by = excluded.issued_by, issued_at = excluded.issued_at, expires_at = excluded.expires_at, \
         tries_left = excluded.tries_left",
    )
    .bind(user)
    .bind(sha256_hex(&code))
    .bind(issued_by)
    .bind(now)
    .bind(now + CLAIM_CODE_HOURS * 3_600_000)
    .bind(CLAIM_CODE_TRIES)
    .execute(&mut **tx)
    .await?;
    Ok(code)
}

/// Spends one try of the record's code and tells whether `code` is it. A try is spent in
/// its own statement, before the registration's transaction, so a failed registration
/// still counts it (guessing stays bounded); the code itself is used up by [`use_code`].
pub(super) async fn try_code(store: &Store, user: i64, code: &str) -> Result<bool, AppError> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(false);
    }
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let hash: Option<String> = sqlx::query_scalar(
        "UPDATE claim_codes SET tries_left = tries_left - 1 WHERE user_id = $1 AND tries_left > 0 AND expires_at > $2 \
         RETURNING code_hash",
    )
    .bind(user)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(hash.is_some_and(|h| h == sha256_hex(code)))
}

/// Uses the code up inside the claiming transaction: of two registrations racing with the
/// same code, one deletes it and the other finds nothing.
pub(super) async fn use_code(tx: &mut Tx, user: i64, code: &str) -> Result<bool, AppError> {
    let done = sqlx::query("DELETE FROM claim_codes WHERE user_id = $1 AND code_hash = $2")
        .bind(user)
        .bind(sha256_hex(code.trim()))
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(done == 1)
}

/// Whether the record has a code that still works (the intake card says so).
pub async fn live_code(store: &Store, user: i64) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT expires_at FROM claim_codes WHERE user_id = $1 AND tries_left > 0 AND expires_at > $2",
    )
    .bind(user)
    .bind(Millis::now().0)
    .fetch_optional(store.pool())
    .await?)
}
