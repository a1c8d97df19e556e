//! The resident's rights over their personal data (PIPL arts. 44–47), at `/me/privacy`:
//! the privacy notice and consent by version, a download of everything held about them,
//! the log of staff who read their contact or private demands, and deleting the account.
//! This feature owns no table: each feature erases its own part of a deleted account.

#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

use crate::auth::Role;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One entry of "who looked at my data".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    pub id: i64,
    /// The reader's role (their name is not the resident's business; the role and the case are).
    pub role: Role,
    /// A contact shown with a reason, or a private case page opened.
    pub contact: bool,
    pub reason: String,
    pub work_item_id: i64,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyOverview {
    pub notice_version: String,
    /// The version last agreed to and when (Beijing time).
    pub agreed: Option<(String, String)>,
    /// One page of the access log, newest first ([`crate::paging`]).
    pub reads: Vec<AccessEntry>,
    /// Where the next (older) page starts.
    pub more: Option<String>,
}

impl PrivacyOverview {
    pub fn needs_consent(&self) -> bool {
        self.agreed.as_ref().is_none_or(|(v, _)| *v != self.notice_version)
    }
}

#[server(endpoint = "privacy")]
pub async fn overview(before: Option<String>) -> Result<PrivacyOverview, AppError> {
    let user = crate::auth::server::require_user()?;
    let before = crate::paging::Cursor::from_arg(before)?;
    server::overview(&crate::request::store()?, &user, before).await
}

/// Agrees to the current privacy notice (a new version asks again).
#[server(endpoint = "privacy/consent")]
pub async fn consent() -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let store = crate::request::store()?;
    let mut tx = store.write().await?;
    crate::auth::server::record_consent(&mut tx, user.id).await?;
    tx.commit().await?;
    crate::request::redirect("/me/privacy");
    Ok(())
}

/// Deletes the signed-in account, confirmed by the code sent to its phone.
#[server(endpoint = "privacy/delete")]
pub async fn delete_account(sms_code: String, delete_comments: Option<String>) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    if user.role.is_staff() {
        // A staff account is closed by the district's administrators (its cases move on).
        return Err(AppError::Forbidden);
    }
    let receipt = server::delete_account(&user, &sms_code, delete_comments.as_deref() == Some("yes")).await?;
    crate::request::forget_flash(crate::auth::server::SESSION_COOKIE);
    crate::request::put_flash(server::RECEIPT_FLASH, receipt);
    crate::request::redirect("/account-deleted");
    Ok(())
}

/// The receipt of a deletion, shown once to the browser that did it.
#[server(endpoint = "privacy/receipt")]
pub async fn receipt() -> Result<Option<String>, AppError> {
    Ok(crate::request::take_flash(server::RECEIPT_FLASH))
}

/// `GET /me/privacy/my-data.zip`.
#[cfg(feature = "ssr")]
pub fn routes() -> axum::Router<crate::request::AppState> {
    axum::Router::new().route("/me/privacy/my-data.zip", axum::routing::get(server::my_data_route))
}
