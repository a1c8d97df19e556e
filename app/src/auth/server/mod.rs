//! Server side of accounts: password hashing, sessions in the database, throttling, the
//! per-request viewer, and the guards every server function calls.

use super::{rules, session_alive, throttle_wait_secs, Role, SessionUser};
use crate::config::AppConfig;
use crate::error::AppError;
use crate::i18n::T;
use crate::request;
use crate::security::{new_token, sha256_hex};
use crate::store::{Millis, Store, Tx};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::{extract::Request, middleware::Next, response::Response};
use std::sync::OnceLock;

pub mod accounts;
pub mod claims;
pub mod households;
pub mod second_factor;
pub mod sessions;
pub mod staff;
pub mod throttle;

pub use accounts::{
    add_user, change_password, change_phone, check_credentials, erase_account, insert_user, login, my_account,
    phone_exists, phone_holder, record_consent, register, reset_password, save_prefs, set_on_duty, set_posting_block,
    system_account, LoggedIn, NewUser, PhoneHolder, Registered, Registration, DELETED_NAME,
};
pub use claims::{issue_claim_code, live_code, CLAIM_CODE_HOURS};
pub use sessions::{
    end_session, purge_sessions, require_staff, require_user, resolve_viewer, session_user, start_session, viewer,
    Viewer, SESSION_COOKIE,
};
pub use throttle::{clear_login_failures, count_attempt, login_failed, release_login_attempt, reserve_login_attempt};

/// argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).
pub(super) fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19 * 1024, 2, 1, None).expect("valid argon2 params"))
}

/// Hashes at once at most: each takes 19 MiB and tens of milliseconds of a core, so a burst
/// of registrations or logins waits its turn instead of exhausting memory or the blocking
/// pool.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Hashes off the async threads: a hash takes tens of milliseconds of CPU.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    let _turn = HASHING.acquire().await.map_err(|e| internal("hash turn", e))?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|e| internal("hash task", e))?
    .map_err(|e| internal("hash", e))
}

pub async fn verify_password(hash: String, password: String) -> bool {
    let Ok(_turn) = HASHING.acquire().await else { return false };
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the phone is unknown, so that a wrong phone and a wrong
/// password take the same time.
pub(super) fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2().hash_password(b"not-a-real-password-0", &salt).map(|h| h.to_string()).unwrap_or_default()
    })
}

pub(super) fn internal(what: &str, e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "{what} failed");
    AppError::Internal
}
