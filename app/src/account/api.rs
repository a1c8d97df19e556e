//! Server functions for accounts. Each checks what it needs itself.

use crate::auth::Role;
use crate::error::AppError;
use leptos::prelude::*;

pub use crate::auth::AccountDetails;

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
    /// Only when the station made a record with this phone (a form without it still works).
    claim_code: Option<String>,
    /// The code sent to the phone (see `send_code`).
    sms_code: Option<String>,
    /// The privacy notice's box, ticked ("yes").
    consent: Option<String>,
) -> Result<(), AppError> {
    let kept = [
        ("phone", phone.as_str()),
        ("display_name", display_name.as_str()),
        ("community", community.as_str()),
        ("building", building.as_str()),
        ("unit_no", unit_no.as_str()),
        ("room", room.as_str()),
    ];
    let result = crate::auth::server::register(crate::auth::server::Registration {
        phone: phone.clone(),
        password: password.clone(),
        password_confirm: password_confirm.clone(),
        display_name: display_name.clone(),
        community: community.clone(),
        building: building.clone(),
        unit_no: unit_no.clone(),
        room: room.clone(),
        claim_code: claim_code.unwrap_or_default(),
        sms_code: sms_code.unwrap_or_default(),
        consent: consent.as_deref() == Some("yes"),
    })
    .await;
    let result = match result {
        Ok(crate::auth::server::Registered::SignedIn) => Ok(()),
        Ok(crate::auth::server::Registered::Refused { owner }) => {
            // The account's owner hears of it (it may be them, having forgotten).
            if let Some(owner) = owner {
                let store = crate::request::store()?;
                let mut tx = store.write().await?;
                let n = crate::notifications::server::Send::new(owner, crate::notifications::Kind::AccountAttempt);
                crate::notifications::server::send(&mut tx, n).await?;
                tx.commit().await?;
            }
            Err(AppError::invalid("phone", crate::i18n::T::ErrPhoneUnavailable))
        }
        Err(e) => Err(e),
    };
    match &result {
        Ok(()) => {
            crate::form::server::forget("register").await;
            crate::request::forget_flash(super::codes::PENDING_COOKIE);
            crate::request::redirect("/me");
        }
        Err(_) => crate::form::server::keep_input("register", &kept).await,
    }
    result
}

#[server(endpoint = "login")]
pub async fn login(phone: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let result = crate::auth::server::login(&phone, &password).await;
    match &result {
        Ok(done) => {
            // The language and elder mode chosen before come back on this browser too.
            crate::prefs::set_cookies(done.lang, done.elder.then_some(true));
            crate::form::server::forget("login").await;
            let default = if done.role.is_staff() { "/station" } else { "/me" };
            let to = crate::request::safe_next(next.as_deref()).unwrap_or_else(|| default.to_string());
            if done.second_factor {
                let next: String = url::form_urlencoded::byte_serialize(to.as_bytes()).collect();
                let to = format!("/login/verify?next={next}");
                crate::request::redirect(&to);
            } else {
                crate::request::redirect(&to);
            }
        }
        Err(_) => crate::form::server::keep_input("login", &[("phone", phone.as_str())]).await,
    }
    result.map(|_| ())
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    crate::auth::server::end_session(&crate::request::store()?).await?;
    crate::request::redirect("/");
    Ok(())
}

#[server(endpoint = "change-password")]
pub async fn change_password(current: String, new: String, confirm: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    if new != confirm {
        return Err(AppError::invalid("confirm", crate::i18n::T::ErrPasswordMismatch));
    }
    crate::auth::server::change_password(&crate::request::store()?, &user, &current, &new).await?;
    crate::request::redirect("/me?changed=1");
    Ok(())
}

#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<(String, Role)>, AppError> {
    Ok(crate::auth::server::viewer().map(|u| (u.display_name, u.role)))
}

/// Sends a verification code by SMS for `purpose` (register, reset, delete) to `phone` (for
/// delete: the account's own). The answer is the same whether or not the number is known;
/// the page that asks for the code comes next (`next`, a path of this site).
#[server(endpoint = "verify/send")]
pub async fn send_code(purpose: String, phone: Option<String>, next: Option<String>) -> Result<(), AppError> {
    let purpose = crate::verify::Purpose::parse(&purpose).ok_or(AppError::BadRequest)?;
    let result = super::codes::send(purpose, phone.as_deref().unwrap_or_default()).await;
    match &result {
        Ok(()) => {
            let default = match purpose {
                crate::verify::Purpose::Reset => "/forgot",
                crate::verify::Purpose::PhoneChange => "/me/phone",
                crate::verify::Purpose::Delete => "/me/privacy#delete",
                _ => "/register",
            };
            let to = crate::request::safe_next(next.as_deref()).unwrap_or_else(|| default.to_string());
            crate::request::redirect(&to);
        }
        Err(_) => {
            // The form whose page asks for the number (see its `load_state`).
            let form = match purpose {
                crate::verify::Purpose::Reset => Some("forgot"),
                crate::verify::Purpose::Register => Some("register"),
                crate::verify::Purpose::PhoneChange => Some("phone"),
                _ => None,
            };
            if let Some(form) = form {
                crate::form::server::keep_input(form, &[("phone", phone.as_deref().unwrap_or_default())]).await;
            }
        }
    }
    result
}

/// The code this browser is waiting for, if any (the page shows where it went).
#[server(endpoint = "verify/pending")]
pub async fn pending_code(purpose: String) -> Result<Option<crate::verify::Pending>, AppError> {
    let purpose = crate::verify::Purpose::parse(&purpose).ok_or(AppError::BadRequest)?;
    super::codes::pending(purpose).await
}

/// Sets a new password with the code sent to the account's phone.
#[server(endpoint = "password/reset")]
pub async fn reset_password(phone: String, sms_code: String, new: String, confirm: String) -> Result<(), AppError> {
    let result = crate::auth::server::reset_password(&phone, &sms_code, &new, &confirm).await;
    if result.is_ok() {
        crate::request::forget_flash(super::codes::PENDING_COOKIE);
        crate::request::redirect("/login?reset=1");
    }
    result
}

/// A new staff member sets their password with the activation code their admin gave them.
#[server(endpoint = "activate")]
pub async fn activate(phone: String, code: String, new: String, confirm: String) -> Result<(), AppError> {
    let result = crate::auth::server::staff::activate(&phone, &code, &new, &confirm).await;
    match &result {
        Ok(()) => {
            crate::form::server::forget("activate").await;
            crate::request::redirect("/login?activated=1");
        }
        Err(_) => crate::form::server::keep_input("activate", &[("phone", phone.as_str())]).await,
    }
    result
}

/// Where the staff login's code went (none: no login waits for one in this browser).
#[server(endpoint = "login/pending")]
pub async fn login_pending() -> Result<Option<crate::verify::Pending>, AppError> {
    let store = crate::request::store()?;
    let Some((_, phone, key)) = crate::auth::server::second_factor::waiting(&store).await? else { return Ok(None) };
    let demo = crate::verify::gateway::shows_codes(crate::request::config().demo_mode);
    let masked = crate::auth::rules::mask_phone(&phone);
    let pending =
        crate::verify::server::pending(&store, &key, masked, crate::verify::Purpose::StaffLogin, demo).await?;
    // The page never needs the full number (the hidden field is for the other forms).
    Ok(pending.map(|p| crate::verify::Pending { phone: String::new(), ..p }))
}

/// The staff login's second step: the code sent to the phone.
#[server(endpoint = "login/verify")]
pub async fn login_verify(sms_code: String, next: Option<String>) -> Result<(), AppError> {
    let role = crate::auth::server::second_factor::finish(&crate::request::store()?, &sms_code).await?;
    let default = if role.is_staff() { "/station" } else { "/me" };
    let to = crate::request::safe_next(next.as_deref()).unwrap_or_else(|| default.to_string());
    crate::request::redirect(&to);
    Ok(())
}

/// Moves the signed-in account to the number the code was sent to.
#[server(endpoint = "account/phone")]
pub async fn change_phone(phone: String, sms_code: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    crate::auth::server::change_phone(&crate::request::store()?, &user, &phone, &sms_code).await?;
    crate::request::forget_flash(super::codes::PENDING_COOKIE);
    crate::request::redirect("/me?phone=changed");
    Ok(())
}
