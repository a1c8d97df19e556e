//! Queries over the hierarchy.

use super::*;
use crate::auth::{CommunityPath, Level, SessionUser};
use crate::store::Store;

#[derive(sqlx::FromRow)]
struct RegionRow {
    id: i64,
    level: String,
    code: String,
    name_zh: String,
    name_en: String,
    parent_id: Option<i64>,
}

impl RegionRow {
    fn name(&self) -> Named {
        Named { zh: self.name_zh.clone(), en: self.name_en.clone() }
    }
}

/// A region as the CLI and the scope checks need it.
#[derive(Clone, Debug)]
pub struct Region {
    pub id: i64,
    pub level: Level,
    pub code: String,
    pub name: Named,
    pub parent_id: Option<i64>,
}

impl From<RegionRow> for Region {
    fn from(r: RegionRow) -> Self {
        Region {
            id: r.id,
            level: Level::parse(&r.level).unwrap_or(Level::Community),
            name: r.name(),
            code: r.code,
            parent_id: r.parent_id,
        }
    }
}

const REGION_COLUMNS: &str = "id, level, code, name_zh, name_en, parent_id";

pub async fn region_by_code(store: &Store, code: &str) -> Result<Option<Region>, AppError> {
    let row: Option<RegionRow> = sqlx::query_as(&format!("SELECT {REGION_COLUMNS} FROM regions WHERE code = $1"))
        .bind(code)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.map(Region::from))
}

pub async fn region_by_id(store: &Store, id: i64) -> Result<Option<Region>, AppError> {
    let row: Option<RegionRow> = sqlx::query_as(&format!("SELECT {REGION_COLUMNS} FROM regions WHERE id = $1"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.map(Region::from))
}

/// Where a community sits in the hierarchy, for scope checks.
pub async fn community_path(store: &Store, community_id: i64) -> Result<Option<CommunityPath>, AppError> {
    let row: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT c.id, s.id, d.id FROM regions c JOIN regions s ON s.id = c.parent_id JOIN regions d ON d.id = s.parent_id \
         WHERE c.id = $1 AND c.level = 'community'",
    )
    .bind(community_id)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(|(community, subdistrict, district)| CommunityPath { community, subdistrict, district }))
}

pub async fn list_communities(store: &Store) -> Result<Vec<CommunityOption>, AppError> {
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT c.code, c.name_zh, c.name_en, s.name_zh, s.name_en FROM regions c JOIN regions s ON s.id = c.parent_id \
         WHERE c.level = 'community' ORDER BY s.code, c.code",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(code, zh, en, szh, sen)| CommunityOption {
            code,
            name: Named { zh, en },
            subdistrict: Named { zh: szh, en: sen },
        })
        .collect())
}

pub async fn buildings(store: &Store, community_code: &str) -> Result<Vec<BuildingOption>, AppError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT b.id, b.name_zh, b.name_en FROM buildings b JOIN regions c ON c.id = b.community_id \
         WHERE c.code = $1 ORDER BY b.id",
    )
    .bind(community_code)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(|(id, zh, en)| BuildingOption { id, name: Named { zh, en } }).collect())
}

pub async fn community_info(store: &Store, community_id: i64) -> Result<CommunityInfo, AppError> {
    let row: Option<(String, String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT c.code, c.name_zh, c.name_en, s.name_zh, s.name_en, d.name_zh, d.name_en \
         FROM regions c JOIN regions s ON s.id = c.parent_id JOIN regions d ON d.id = s.parent_id WHERE c.id = $1",
    )
    .bind(community_id)
    .fetch_optional(store.pool())
    .await?;
    let (code, czh, cen, szh, sen, dzh, den) = row.ok_or(AppError::NotFound)?;
    let staff_rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT display_name, role FROM users WHERE region_id = $1 AND role IN ('stationmaster', 'dispatcher', 'social_worker') \
         AND disabled_at IS NULL ORDER BY CASE role WHEN 'stationmaster' THEN 0 WHEN 'dispatcher' THEN 1 ELSE 2 END, id",
    )
    .bind(community_id)
    .fetch_all(store.pool())
    .await?;
    let staff = staff_rows
        .into_iter()
        .filter_map(|(display_name, role)| Role::parse(&role).map(|role| StaffMember { display_name, role }))
        .collect();
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
    Ok(CommunityInfo {
        code,
        name: Named { zh: czh, en: cen },
        subdistrict: Named { zh: szh, en: sen },
        district: Named { zh: dzh, en: den },
        staff,
        areas,
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
        .map(|(code, zh, en, children, residents)| RegionSummary { code, name: Named { zh, en }, children, residents })
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
        Level::Subdistrict => (None, regions_below(store, region.id).await?, departments_of(store, region.id).await?),
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
