//! The station desk's overview and a resident's view of their community's station: the
//! team, the grid areas with their directors, and (above a community) the regions below.

use crate::auth::Role;
use crate::error::AppError;
use crate::i18n::Named;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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
    /// The station's opening hours: the same setting bookings are made against.
    pub hours: Vec<crate::appointments::rules::Opening>,
    /// The station's public phone and address, when it publishes them.
    pub phone: Option<String>,
    pub address: Option<String>,
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

/// The signed-in person's own community: its station team and grid areas.
#[server(endpoint = "my-community")]
pub async fn my_community() -> Result<Option<CommunityInfo>, AppError> {
    let user = crate::auth::server::require_user()?;
    if user.role.home_level() != crate::community::Level::Community {
        return Ok(None);
    }
    server::community_info(&crate::request::store()?, user.region_id).await.map(Some)
}

/// The station desk's overview of the staff member's scope. Staff only.
#[server(endpoint = "station/overview")]
pub async fn station_overview() -> Result<StationDesk, AppError> {
    let user = crate::auth::server::require_staff()?;
    server::station_overview(&crate::request::store()?, &user).await
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::auth::SessionUser;
    use crate::community::server::region_by_id;
    use crate::community::Level;
    use crate::store::Store;

    pub async fn community_info(store: &Store, community_id: i64) -> Result<CommunityInfo, AppError> {
        let row: Option<(String, String, String, String, String, String, String)> = sqlx::query_as(
            "SELECT c.code, c.name_zh, c.name_en, s.name_zh, s.name_en, d.name_zh, d.name_en \
             FROM regions c JOIN regions s ON s.id = c.parent_id JOIN regions d ON d.id = s.parent_id WHERE c.id = $1",
        )
        .bind(community_id)
        .fetch_optional(store.pool())
        .await?;
        let (code, czh, cen, szh, sen, dzh, den) = row.ok_or(AppError::NotFound)?;
        let staff_rows: Vec<(String, Role)> = sqlx::query_as(
            "SELECT display_name, role FROM users WHERE region_id = $1 AND role IN ('stationmaster', 'dispatcher', 'social_worker') \
             AND disabled_at IS NULL AND deleted_at IS NULL AND password_hash IS NOT NULL ORDER BY CASE role WHEN 'stationmaster' THEN 0 WHEN 'dispatcher' THEN 1 ELSE 2 END, id",
        )
        .bind(community_id)
        .fetch_all(store.pool())
        .await?;
        let staff = staff_rows.into_iter().map(|(display_name, role)| StaffMember { display_name, role }).collect();
        let area_rows: Vec<(i64, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT a.id, a.code, a.name_zh, a.name_en, u.display_name FROM grid_areas a LEFT JOIN users u ON u.id = a.director_id \
             WHERE a.community_id = $1 ORDER BY a.code",
        )
        .bind(community_id)
        .fetch_all(store.pool())
        .await?;
        let building_rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT grid_area_id, name_zh, name_en, households FROM buildings WHERE community_id = $1 ORDER BY id",
        )
        .bind(community_id)
        .fetch_all(store.pool())
        .await?;
        let areas = area_rows
            .into_iter()
            .map(|(id, code, zh, en, director)| {
                let mine: Vec<_> = building_rows.iter().filter(|b| b.0 == id).collect();
                GridAreaInfo {
                    code,
                    name: Named { zh, en },
                    director,
                    households: mine.iter().map(|b| b.3).sum(),
                    buildings: mine.iter().map(|b| Named { zh: b.1.clone(), en: b.2.clone() }).collect(),
                }
            })
            .collect();
        let contacts: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT station_phone, station_address FROM community_settings WHERE community_id = $1")
                .bind(community_id)
                .fetch_optional(store.pool())
                .await?;
        let (phone, address) = contacts.unwrap_or_default();
        Ok(CommunityInfo {
            code,
            name: Named { zh: czh, en: cen },
            subdistrict: Named { zh: szh, en: sen },
            district: Named { zh: dzh, en: den },
            staff,
            areas,
            hours: crate::appointments::server::hours(store, community_id).await?,
            phone,
            address,
        })
    }

    /// Regions directly below `parent_id`, with how many regions are below each and how many
    /// residents live in them.
    async fn regions_below(store: &Store, parent_id: i64) -> Result<Vec<RegionSummary>, AppError> {
        let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT r.code, r.name_zh, r.name_en, \
               (SELECT COUNT(*) FROM regions k WHERE k.parent_id = r.id), \
               (SELECT COUNT(*) FROM users u WHERE u.role = 'resident' AND (u.region_id = r.id OR u.region_id IN \
                   (SELECT k.id FROM regions k WHERE k.parent_id = r.id))) \
             FROM regions r WHERE r.parent_id = $1 ORDER BY r.code",
        )
        .bind(parent_id)
        .fetch_all(store.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(code, zh, en, children, residents)| RegionSummary {
                code,
                name: Named { zh, en },
                children,
                residents,
            })
            .collect())
    }

    async fn departments_of(store: &Store, subdistrict_id: i64) -> Result<Vec<Named>, AppError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT name_zh, name_en FROM departments WHERE subdistrict_id = $1 ORDER BY code")
                .bind(subdistrict_id)
                .fetch_all(store.pool())
                .await?;
        Ok(rows.into_iter().map(|(zh, en)| Named { zh, en }).collect())
    }

    pub async fn station_overview(store: &Store, user: &SessionUser) -> Result<StationDesk, AppError> {
        let region = region_by_id(store, user.region_id).await?.ok_or(AppError::Internal)?;
        let department = match user.department_id {
            Some(id) => sqlx::query_as::<_, (String, String)>("SELECT name_zh, name_en FROM departments WHERE id = $1")
                .bind(id)
                .fetch_optional(store.pool())
                .await?
                .map(|(zh, en)| Named { zh, en }),
            None => None,
        };
        let (community, below, departments) = match region.level {
            Level::Community => (Some(community_info(store, region.id).await?), Vec::new(), Vec::new()),
            Level::Subdistrict => {
                (None, regions_below(store, region.id).await?, departments_of(store, region.id).await?)
            }
            Level::District => (None, regions_below(store, region.id).await?, Vec::new()),
        };
        Ok(StationDesk {
            display_name: user.display_name.clone(),
            role: user.role,
            scope_name: region.name,
            department,
            community,
            below,
            departments,
        })
    }
}
