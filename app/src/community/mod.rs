//! The hierarchy: district → subdistrict → community → grid area → building, and the
//! subdistrict departments the station whistles up.

use crate::error::AppError;
use crate::i18n::Named;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod admin;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod server;

crate::codes! {
    /// A level of the hierarchy district → subdistrict → community.
    pub enum Level {
        District = "district",
        Subdistrict = "subdistrict",
        Community = "community",
    }
}

/// Where a community sits: its own id and those of its subdistrict and district.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityPath {
    pub community: i64,
    pub subdistrict: i64,
    pub district: i64,
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

/// Communities people can register in (public: the register form lists them).
#[server(endpoint = "communities")]
pub async fn list_communities() -> Result<Vec<CommunityOption>, AppError> {
    server::list_communities(&crate::request::store()?).await
}

/// The buildings of a community (public: the register form lists them).
#[server(endpoint = "communities/buildings")]
pub async fn community_buildings(community: String) -> Result<Vec<BuildingOption>, AppError> {
    server::buildings(&crate::request::store()?, &community).await
}
