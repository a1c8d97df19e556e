//! Open311 GeoReport v2 (`/open311/v2`): hotlines, district platforms and other apps hand
//! demands to the station and follow them. The API keys of those client systems are issued
//! and revoked by a district admin (`/station/open311`) or `server api-key add NAME`.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod format;
#[cfg(feature = "ssr")]
pub mod outbound;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyLine {
    pub id: i64,
    pub name: String,
    /// Where it files: a region's name, or None for everywhere.
    pub scope: Option<String>,
    pub created: String,
    pub revoked: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysPage {
    pub keys: Vec<KeyLine>,
    /// The regions a new key may file into: (id, name).
    pub scopes: Vec<(i64, String)>,
    /// The key just made, shown this once (it is stored only as a hash).
    pub new_key: Option<String>,
}

/// Keys are managed by the admins of the regions they file into.
#[cfg(feature = "ssr")]
fn key_admin() -> Result<crate::auth::SessionUser, AppError> {
    use crate::auth::Role;
    let user = crate::auth::server::require_staff()?;
    if !matches!(user.role, Role::DistrictAdmin | Role::SubdistrictAdmin) {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

/// The cookie that carries a key just made to the next page of the same browser, once:
/// never stored in clear anywhere (not in a draft), never in a URL.
#[cfg(feature = "ssr")]
const KEY_FLASH: &str = "open311_key_flash";

#[server(endpoint = "station/open311/keys")]
pub async fn load_keys() -> Result<KeysPage, AppError> {
    let user = key_admin()?;
    let store = crate::request::store()?;
    let scopes = server::scopes_of(&store, &user).await?;
    let named = |region: Option<i64>| region.and_then(|r| scopes.iter().find(|s| s.0 == r).map(|s| s.1.clone()));
    let mut keys = Vec::new();
    for (id, name, created, revoked, region) in server::list_keys(&store).await? {
        if server::manages(&store, &user, region).await? {
            keys.push(KeyLine {
                id,
                name,
                scope: named(region).or_else(|| region.map(|r| format!("#{r}"))),
                created: crate::time::format_local(created),
                revoked: revoked.map(crate::time::format_local),
            });
        }
    }
    // A key made by this browser's last post, once.
    let new_key = crate::request::take_flash(KEY_FLASH);
    Ok(KeysPage { keys, scopes, new_key })
}

/// Makes a key filing into one of the admin's regions. It is handed to this browser once
/// (an HttpOnly cookie read by the next page), never stored in clear.
#[server(endpoint = "station/open311/keys/add")]
pub async fn add_key(name: String, scope: String) -> Result<(), AppError> {
    let user = key_admin()?;
    let store = crate::request::store()?;
    let scope = scope.trim().parse::<i64>().ok();
    let scopes = server::scopes_of(&store, &user).await?;
    let Some(region) = scope.filter(|s| scopes.iter().any(|(id, _)| id == s)) else {
        return Err(AppError::invalid("scope", crate::i18n::T::ErrRequired));
    };
    let (_, key) = server::add_key(&store, &name, Some(region), Some(user.id)).await?;
    crate::request::put_flash(KEY_FLASH, key);
    crate::request::redirect("/station/open311");
    Ok(())
}

#[server(endpoint = "station/open311/keys/revoke")]
pub async fn revoke_key(id: i64) -> Result<(), AppError> {
    let user = key_admin()?;
    let store = crate::request::store()?;
    let region = server::key_region(&store, id).await?.ok_or(AppError::NotFound)?;
    if !server::manages(&store, &user, region).await? {
        return Err(AppError::NotFound);
    }
    server::revoke_key(&store, id).await?;
    crate::request::redirect("/station/open311");
    Ok(())
}

/// GeoReport v2 for other systems: no session, small bodies (form posts only).
#[cfg(feature = "ssr")]
pub fn routes(trust_proxy: bool) -> axum::Router<crate::request::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/open311/v2/{file}", get(server::get_root).post(server::post_request))
        .route("/open311/v2/services/{file}", get(server::get_service))
        .route("/open311/v2/requests/{file}", get(server::get_request))
        .route("/open311/v2/tokens/{file}", get(server::get_token))
        .layer(axum::middleware::from_fn_with_state(trust_proxy, server::limit_reads))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
}
