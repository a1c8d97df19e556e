//! Server functions for accounts. Each checks what it needs itself.

use super::Role;
use crate::error::AppError;
use crate::i18n::Named;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the Me page shows the account's owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetails {
    pub display_name: String,
    /// The full number: only ever sent to its owner.
    pub phone: String,
    pub phone_masked: String,
    pub role: Role,
    pub region: Named,
    pub building: Option<Named>,
    pub unit_no: Option<String>,
    pub room: Option<String>,
    pub other_sessions: i64,
    /// Volunteer hours credited this year (residents), as shown.
    pub volunteer_hours: Option<String>,
}

#[server(endpoint = "register")]
pub async fn register(
    phone: String,
    password: String,
    password_confirm: String,
    display_name: String,
    community: String,
    building: String,
    unit_no: String,
    room: String,
) -> Result<(), AppError> {
    let kept = [
        ("phone", phone.as_str()),
        ("display_name", display_name.as_str()),
        ("community", community.as_str()),
        ("building", building.as_str()),
        ("unit_no", unit_no.as_str()),
        ("room", room.as_str()),
    ];
    let result = super::server::register(super::server::Registration {
        phone: phone.clone(),
        password: password.clone(),
        password_confirm: password_confirm.clone(),
        display_name: display_name.clone(),
        community: community.clone(),
        building: building.clone(),
        unit_no: unit_no.clone(),
        room: room.clone(),
    })
    .await;
    match &result {
        Ok(()) => {
            crate::form::server::forget("register").await;
            crate::request::redirect("/me");
        }
        Err(_) => crate::form::server::keep_input("register", &kept).await,
    }
    result
}

#[server(endpoint = "login")]
pub async fn login(phone: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let result = super::server::login(&phone, &password).await;
    match &result {
        Ok(role) => {
            crate::form::server::forget("login").await;
            let default = if role.is_staff() { "/station" } else { "/me" };
            let to = crate::request::safe_next(next.as_deref()).unwrap_or_else(|| default.to_string());
            crate::request::redirect(&to);
        }
        Err(_) => crate::form::server::keep_input("login", &[("phone", phone.as_str())]).await,
    }
    result.map(|_| ())
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    super::server::end_session(&crate::request::store()?).await?;
    crate::request::redirect("/");
    Ok(())
}

#[server(endpoint = "change-password")]
pub async fn change_password(current: String, new: String, confirm: String) -> Result<(), AppError> {
    let user = super::server::require_user()?;
    if new != confirm {
        return Err(AppError::invalid("confirm", crate::i18n::T::ErrPasswordMismatch));
    }
    super::server::change_password(&crate::request::store()?, &user, &current, &new).await?;
    crate::request::redirect("/me?changed=1");
    Ok(())
}

#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<(String, Role)>, AppError> {
    Ok(crate::auth::server::viewer().map(|u| (u.display_name, u.role)))
}
