//! Changing a community's grid areas and buildings (the `setup` feature's forms call these;
//! this feature owns the tables). Each returns what was there before, for the audit log.

use crate::error::AppError;
use crate::store::Tx;

/// A grid area added, or renamed: its names before (`None`: it is new) and its id.
pub async fn put_grid_area(
    tx: &mut Tx,
    community: i64,
    code: &str,
    zh: &str,
    en: &str,
) -> Result<(i64, Option<(String, String)>), AppError> {
    let before: Option<(i64, String, String)> =
        sqlx::query_as("SELECT id, name_zh, name_en FROM grid_areas WHERE community_id = $1 AND code = $2")
            .bind(community)
            .bind(code)
            .fetch_optional(&mut **tx)
            .await?;
    match before {
        Some((id, old_zh, old_en)) => {
            sqlx::query("UPDATE grid_areas SET name_zh = $1, name_en = $2 WHERE id = $3")
                .bind(zh)
                .bind(en)
                .bind(id)
                .execute(&mut **tx)
                .await?;
            Ok((id, Some((old_zh, old_en))))
        }
        None => Ok((super::seed::upsert_area(tx, community, code, zh, en).await?, None)),
    }
}

/// What a building was before a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildingWas {
    pub name: String,
    pub households: i64,
    pub area: String,
}

/// A building added to a grid area, or changed (name, households, area): what it was
/// before (`None`: it is new).
pub async fn put_building(
    tx: &mut Tx,
    community: i64,
    code: &str,
    name: &str,
    households: i64,
    area_code: &str,
) -> Result<Option<BuildingWas>, AppError> {
    let area: i64 = sqlx::query_scalar("SELECT id FROM grid_areas WHERE community_id = $1 AND code = $2")
        .bind(community)
        .bind(area_code)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let before: Option<(String, i64, String)> = sqlx::query_as(
        "SELECT b.name_zh, b.households, a.code FROM buildings b JOIN grid_areas a ON a.id = b.grid_area_id \
         WHERE b.community_id = $1 AND b.code = $2",
    )
    .bind(community)
    .bind(code)
    .fetch_optional(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO buildings (community_id, grid_area_id, code, name_zh, name_en, households) \
         VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT (community_id, code) DO UPDATE SET \
         grid_area_id = excluded.grid_area_id, name_zh = excluded.name_zh, name_en = excluded.name_en, \
         households = excluded.households",
    )
    .bind(community)
    .bind(area)
    .bind(code)
    .bind(name)
    .bind(households)
    .execute(&mut **tx)
    .await?;
    Ok(before.map(|(name, households, area)| BuildingWas { name, households, area }))
}
