//! Queries over the hierarchy.

use super::*;

use crate::store::Store;

#[derive(sqlx::FromRow)]
struct RegionRow {
    id: i64,
    level: Level,
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
        Region { id: r.id, level: r.level, name: r.name(), code: r.code, parent_id: r.parent_id }
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

/// The community visitors see when the configured default is not there (a district set up
/// with `init` has no demo community): the first one set up.
pub async fn first_community(store: &Store) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar("SELECT MIN(id) FROM regions WHERE level = 'community'").fetch_one(store.pool()).await?)
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

/// A community's setting, as its station sets it.
#[derive(Clone, Copy, Debug)]
pub enum Setting {
    /// Places per appointment slot (none: the workers on duty).
    SlotCapacity(Option<i64>),
    /// Supports a thread needs (none: the rule from the number of households).
    SupportThreshold(Option<i64>),
}

/// Keeps a community's setting (the other settings stay as they are).
pub async fn save_setting(
    tx: &mut crate::store::Tx,
    community: i64,
    setting: Setting,
    by: i64,
) -> Result<(), AppError> {
    let (column, value) = match setting {
        Setting::SlotCapacity(v) => ("slot_capacity", v),
        Setting::SupportThreshold(v) => ("support_threshold", v),
    };
    sqlx::query(&format!(
        "INSERT INTO community_settings (community_id, {column}, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (community_id) DO UPDATE SET {column} = $2, updated_by = $3, updated_at = $4"
    ))
    .bind(community)
    .bind(value)
    .bind(by)
    .bind(crate::store::Millis::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
