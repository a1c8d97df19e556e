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
    pub created: String,
    pub revoked: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysPage {
    pub keys: Vec<KeyLine>,
    /// The key just made, shown this once (it is stored only as a hash).
    pub new_key: Option<String>,
}

#[cfg(feature = "ssr")]
fn district_admin() -> Result<crate::auth::SessionUser, AppError> {
    let user = crate::auth::server::require_staff()?;
    if user.role != crate::auth::Role::DistrictAdmin {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

#[server(endpoint = "station/open311/keys")]
pub async fn load_keys() -> Result<KeysPage, AppError> {
    district_admin()?;
    let store = crate::request::store()?;
    let keys = server::list_keys(&store)
        .await?
        .into_iter()
        .map(|(id, name, created, revoked)| KeyLine {
            id,
            name,
            created: crate::time::format_local(created),
            revoked: revoked.map(crate::time::format_local),
        })
        .collect();
    // A key made by this browser's last post, kept for it alone, once.
    let new_key = crate::form::server::take_draft("api-key").await.ok().flatten().and_then(|d| d.get("key").cloned());
    if new_key.is_some() {
        crate::form::server::forget("api-key").await;
    }
    Ok(KeysPage { keys, new_key })
}

/// Makes a key. It is handed to this browser once (through its draft), never stored in clear.
#[server(endpoint = "station/open311/keys/add")]
pub async fn add_key(name: String) -> Result<(), AppError> {
    let user = district_admin()?;
    let (_, key) = server::add_key(&crate::request::store()?, &name, Some(user.id)).await?;
    crate::form::server::keep_input("api-key", &[("key", &key)]).await;
    crate::request::redirect("/station/open311");
    Ok(())
}

#[server(endpoint = "station/open311/keys/revoke")]
pub async fn revoke_key(id: i64) -> Result<(), AppError> {
    district_admin()?;
    server::revoke_key(&crate::request::store()?, id).await?;
    crate::request::redirect("/station/open311");
    Ok(())
}

/// GeoReport v2 for other systems: no session, small bodies (form posts only).
#[cfg(feature = "ssr")]
pub fn routes() -> axum::Router<crate::request::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/open311/v2/{file}", get(server::get_root).post(server::post_request))
        .route("/open311/v2/services/{file}", get(server::get_service))
        .route("/open311/v2/requests/{file}", get(server::get_request))
        .route("/open311/v2/tokens/{file}", get(server::get_token))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
}
