//! Community set-up (社区设置) at `/station/setup`: the grid areas and buildings of a
//! community, changed by its stationmaster or the admins above it, every change in a change
//! log (who, what, before and after) that they all see. Plain forms (a bulk paste names its
//! bad lines after a reload, with JavaScript or without).

use crate::error::AppError;
use crate::i18n::Named;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod catalogue;
#[cfg(feature = "ssr")]
pub mod district;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildingSetup {
    pub code: String,
    pub name: String,
    pub households: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaSetup {
    pub code: String,
    pub name: Named,
    pub buildings: Vec<BuildingSetup>,
}

crate::codes! {
    /// What an admin changed (the change log's `what`).
    pub enum ChangeKind {
        GridArea = "grid_area",
        Building = "building",
        /// A staff account made, deactivated, reactivated or reset.
        Staff = "staff",
        /// A station worker put on or off duty by the stationmaster.
        Duty = "duty",
        /// A grid area's director.
        Director = "director",
        Department = "department",
        Partner = "partner",
        Affair = "affair",
        Contact = "contact",
        /// A community or subdistrict added or renamed.
        Region = "region",
    }
}

impl ChangeKind {
    pub const fn label(self) -> crate::i18n::T {
        use crate::i18n::T;
        match self {
            ChangeKind::GridArea => T::GridArea,
            ChangeKind::Building => T::Building,
            ChangeKind::Staff => T::StaffAccount,
            ChangeKind::Duty => T::DutyRoster,
            ChangeKind::Director => T::AreaDirector,
            ChangeKind::Department => T::Department,
            ChangeKind::Partner => T::Partner,
            ChangeKind::Affair => T::Affair,
            ChangeKind::Contact => T::StationContacts,
            ChangeKind::Region => T::Region,
        }
    }
}

/// One change as the log shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeLine {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub what: ChangeKind,
    pub subject: String,
    pub before: Option<String>,
    pub after: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupView {
    pub code: String,
    pub name: Named,
    /// The communities this account may set up (one for a stationmaster).
    pub choices: Vec<(String, Named)>,
    pub areas: Vec<AreaSetup>,
    /// The partner directory: (kind, code, name, serves, phone, address).
    pub partners: Vec<(String, String, String, String, String, String)>,
    /// The subdistrict's directory, which every community below it uses too.
    pub shared_partners: Vec<(String, String, String, String, String, String)>,
    /// May this account change the subdistrict's directory (its admins)?
    pub may_share: bool,
    /// The station's published phone and address (empty: not published).
    pub phone: String,
    pub address: String,
    pub changes: Vec<ChangeLine>,
    /// The id to continue the change log below, when there is more.
    pub older: Option<i64>,
}

/// The community's set-up: `community` is a code (admins choose; a stationmaster has one).
#[server(endpoint = "setup/community")]
pub async fn load_setup(community: Option<String>, before: Option<i64>) -> Result<SetupView, AppError> {
    let user = crate::auth::server::require_staff()?;
    server::load(&crate::request::store()?, &user, community.as_deref(), before).await
}

/// Adds a grid area, or renames the one with that code.
#[server(endpoint = "setup/area")]
pub async fn save_grid_area(community: String, code: String, name_zh: String, name_en: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    let result = server::save_area(&store, &user, &community, &code, &name_zh, &name_en).await;
    if result.is_err() {
        crate::form::server::keep_input("setup-area", &[("code", &code), ("name_zh", &name_zh), ("name_en", &name_en)])
            .await;
    }
    result?;
    crate::request::redirect(&format!("/station/setup?community={}&saved=1", crate::request::url_code(&community)));
    Ok(())
}

/// Adds or changes buildings from a pasted list (all lines or none).
#[server(endpoint = "setup/buildings")]
pub async fn save_buildings(community: String, lines: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    match server::save_buildings(&store, &user, &community, &lines).await {
        Ok(n) => {
            crate::request::redirect(&format!(
                "/station/setup?community={}&saved={n}",
                crate::request::url_code(&community)
            ));
            Ok(())
        }
        Err((bad, e)) => {
            let bad = bad.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ");
            crate::form::server::keep_input("setup-buildings", &[("lines", &lines), ("bad", &bad)]).await;
            Err(e)
        }
    }
}

/// Adds or changes partners from a pasted directory (all lines or none); `shared` ("1"):
/// the subdistrict's directory.
#[server(endpoint = "setup/partners")]
pub async fn save_partners(community: String, lines: String, shared: Option<String>) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    let shared = shared.as_deref() == Some("1");
    match server::save_partners(&store, &user, &community, &lines, shared).await {
        Ok(n) => {
            crate::request::redirect(&format!(
                "/station/setup?community={}&saved={n}",
                crate::request::url_code(&community)
            ));
            Ok(())
        }
        Err((bad, e)) => {
            let bad = bad.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ");
            let shared = if shared { "1" } else { "" };
            crate::form::server::keep_input("setup-partners", &[("lines", &lines), ("bad", &bad), ("shared", shared)])
                .await;
            Err(e)
        }
    }
}

/// Publishes the station's phone and address (empty: withdrawn).
#[server(endpoint = "setup/contacts")]
pub async fn save_contacts(community: String, phone: String, address: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    let result = server::save_contacts(&store, &user, &community, &phone, &address).await;
    if result.is_err() {
        crate::form::server::keep_input("setup-contacts", &[("phone", &phone), ("address", &address)]).await;
    }
    result?;
    crate::request::redirect(&format!("/station/setup?community={}&saved=1", crate::request::url_code(&community)));
    Ok(())
}
