//! The hierarchy: district → subdistrict → community → grid area → building, and the
//! subdistrict departments the station whistles up.

use crate::auth::Role;
use crate::error::AppError;
use crate::i18n::Lang;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod server;

/// A name in both languages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub zh: String,
    pub en: String,
}

impl Named {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityOption {
    pub code: String,
    pub name: Named,
    pub subdistrict: Named,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildingOption {
    pub id: i64,
    pub name: Named,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub display_name: String,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridAreaInfo {
    pub code: String,
    pub name: Named,
    pub director: Option<String>,
    pub buildings: Vec<Named>,
    pub households: i64,
}

/// One community as its residents and its station see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityInfo {
    pub code: String,
    pub name: Named,
    pub subdistrict: Named,
    pub district: Named,
    pub staff: Vec<StaffMember>,
    pub areas: Vec<GridAreaInfo>,
}

/// A line of an overview list for subdistrict and district staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionSummary {
    pub code: String,
    pub name: Named,
    pub children: i64,
    pub residents: i64,
}

/// What the station desk shows a staff member about their scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationDesk {
    pub display_name: String,
    pub role: Role,
    pub scope_name: Named,
    pub department: Option<Named>,
    /// The community, for the station team.
    pub community: Option<CommunityInfo>,
    /// The regions below, for subdistrict and district staff.
    pub below: Vec<RegionSummary>,
    pub departments: Vec<Named>,
}

/// Communities people can register in (public: the register form lists them).
#[server(endpoint = "communities")]
pub async fn list_communities() -> Result<Vec<CommunityOption>, AppError> {
    crate::request::respond(server::list_communities(&crate::request::store()?).await)
}

/// The buildings of a community (public: the register form lists them).
#[server(endpoint = "communities/buildings")]
pub async fn community_buildings(community: String) -> Result<Vec<BuildingOption>, AppError> {
    crate::request::respond(server::buildings(&crate::request::store()?, &community).await)
}

/// The signed-in person's own community: its station team and grid areas.
#[server(endpoint = "my-community")]
pub async fn my_community() -> Result<Option<CommunityInfo>, AppError> {
    let result = async {
        let user = crate::auth::server::require_user()?;
        if user.role.home_level() != crate::auth::Level::Community {
            return Ok(None);
        }
        server::community_info(&crate::request::store()?, user.region_id).await.map(Some)
    }
    .await;
    crate::request::respond(result)
}

/// The station desk's overview of the staff member's scope. Staff only.
#[server(endpoint = "station/overview")]
pub async fn station_overview() -> Result<StationDesk, AppError> {
    let result = async {
        let user = crate::auth::server::require_staff()?;
        server::station_overview(&crate::request::store()?, &user).await
    }
    .await;
    crate::request::respond(result)
}
