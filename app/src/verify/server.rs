//! Codes in the database (`sms_codes`, one row per phone and purpose): issued, checked,
//! used up, purged. The caps on sending are the caller's (the account feature counts them
//! with the other attempts); the 60-second resend rule is kept here, atomically.

use super::gateway::{gateway, Sms};
use super::rules::{self, CODE_MINUTES, CODE_TRIES, RESEND_SECONDS};
use super::{Pending, Purpose};
use crate::error::AppError;
use crate::i18n::T;
use crate::security::sha256_hex;
use crate::store::{Millis, Store, Tx};

fn code_hash(phone: &str, purpose: Purpose, code: &str) -> String {
    sha256_hex(&format!("{}:{phone}:{code}", purpose.as_str()))
}

fn what(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Register => "注册我的社区",
        Purpose::Reset => "找回密码",
        Purpose::Delete => "注销账号",
        Purpose::StaffLogin => "工作人员在新设备上登录",
        Purpose::PhoneChange => "更换手机号",
    }
}

/// Issues a code for `phone` and `purpose`, replacing an earlier one, unless the last was
/// sent less than a minute ago and not used yet (then `Throttled` with the seconds left). With `deliver`
/// false the row is written the same way but no message goes out: a number that cannot
/// use this purpose (already registered, or no account to reset) answers exactly like one
/// that can, and its "code" is one nobody knows. `demo`: keep the code readable for the
/// demo badge (demo sites with the `log` sender only).
pub async fn issue(store: &Store, phone: &str, purpose: Purpose, deliver: bool, demo: bool) -> Result<(), AppError> {
    issue_keyed(store, phone, phone, purpose, deliver, demo).await
}

/// [`issue`] for a code kept under `key` but sent to `to`: a staff login's code belongs to
/// that login (two new devices logging in at once each get their own), not to the phone.
pub async fn issue_keyed(
    store: &Store,
    key: &str,
    to: &str,
    purpose: Purpose,
    deliver: bool,
    demo: bool,
) -> Result<(), AppError> {
    let phone = key;
    let code = new_code();
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let issued: Option<i64> = sqlx::query_scalar(
        "INSERT INTO sms_codes (phone, purpose, code_hash, demo_code, sent_at, expires_at, tries_left, used_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL) \
         ON CONFLICT (phone, purpose) DO UPDATE SET code_hash = excluded.code_hash, demo_code = excluded.demo_code, \
         sent_at = excluded.sent_at, expires_at = excluded.expires_at, tries_left = excluded.tries_left, used_at = NULL \
         WHERE sms_codes.sent_at <= $8 OR sms_codes.used_at IS NOT NULL RETURNING id",
    )
    .bind(phone)
    .bind(purpose.as_str())
    .bind(code_hash(phone, purpose, &code))
    .bind((demo && deliver).then(|| code.clone()))
    .bind(now)
    .bind(now + CODE_MINUTES * 60_000)
    .bind(CODE_TRIES)
    .bind(now - RESEND_SECONDS * 1000)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    if issued.is_none() {
        let last: Option<i64> = sqlx::query_scalar("SELECT sent_at FROM sms_codes WHERE phone = $1 AND purpose = $2")
            .bind(phone)
            .bind(purpose.as_str())
            .fetch_optional(store.pool())
            .await?;
        return Err(AppError::Throttled { retry_after_secs: rules::resend_wait_secs(last, now).max(1) });
    }
    if deliver {
        // Sent off the request: the answer takes the same time whether a message goes out,
        // and a slow provider does not hold the page. A failure is logged for operators.
        let sms = Sms { phone: to.to_string(), code, what: what(purpose) };
        tokio::spawn(async move {
            if let Err(e) = gateway().send(&sms).await {
                tracing::error!(error = %e, purpose = what(purpose), "SMS not sent");
            }
        });
    }
    Ok(())
}

/// Six digits from the system's generator.
fn new_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000_u32))
}

/// The code waiting for `phone` and `purpose`, as its page shows it (the caller masks the
/// number: masking is the account feature's rule).
pub async fn pending(
    store: &Store,
    phone: &str,
    phone_masked: String,
    purpose: Purpose,
    demo: bool,
) -> Result<Option<Pending>, AppError> {
    let now = Millis::now().0;
    let row: Option<(i64, Option<String>)> = sqlx::query_as(
        "SELECT sent_at, demo_code FROM sms_codes WHERE phone = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(phone)
    .bind(purpose.as_str())
    .bind(now)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(|(sent_at, demo_code)| Pending {
        phone: phone.to_string(),
        phone_masked,
        demo_code: demo_code.filter(|_| demo),
        resend_in_secs: rules::resend_wait_secs(Some(sent_at), now),
    }))
}

/// A code proven, to be used up inside the transaction that acts on it ([`use_up`]).
#[derive(Debug, Clone, Copy)]
pub struct Proven(i64);

/// Checks a typed code, spending one of its tries in its own statement (so a failed
/// attempt counts even when what follows fails). Wrong, expired, used and unknown codes
/// all get the same answer on the `sms_code` field.
pub async fn check(store: &Store, phone: &str, purpose: Purpose, typed: &str) -> Result<Proven, AppError> {
    let code = rules::parse_code(typed).map_err(|p| AppError::invalid("sms_code", p))?;
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let row: Option<(i64, String)> = sqlx::query_as(
        "UPDATE sms_codes SET tries_left = tries_left - 1 WHERE phone = $1 AND purpose = $2 AND used_at IS NULL \
         AND expires_at > $3 AND tries_left > 0 RETURNING id, code_hash",
    )
    .bind(phone)
    .bind(purpose.as_str())
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    match row {
        Some((id, hash)) if hash == code_hash(phone, purpose, &code) => Ok(Proven(id)),
        _ => Err(AppError::invalid("sms_code", T::ErrSmsCodeWrong)),
    }
}

/// Uses the code up: of two requests racing with one code, one gets it.
pub async fn use_up(tx: &mut Tx, proven: Proven) -> Result<(), AppError> {
    let done = sqlx::query("UPDATE sms_codes SET used_at = $1, demo_code = NULL WHERE id = $2 AND used_at IS NULL")
        .bind(Millis::now().0)
        .bind(proven.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if done == 1 {
        Ok(())
    } else {
        Err(AppError::invalid("sms_code", T::ErrSmsCodeWrong))
    }
}

/// Job: codes a day past their expiry are forgotten (the row is kept that long so the
/// resend rule holds across an expiry).
pub async fn purge(store: &Store, now: i64) -> Result<u64, AppError> {
    Ok(sqlx::query("DELETE FROM sms_codes WHERE expires_at < $1")
        .bind(now - 86_400_000)
        .execute(store.pool())
        .await?
        .rows_affected())
}

/// Everything held for a phone number (an account's deletion).
pub async fn forget_phone(tx: &mut Tx, phone: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sms_codes WHERE phone = $1").bind(phone).execute(&mut **tx).await?;
    Ok(())
}
