//! Changing a community's grid areas and buildings (the `setup` feature's forms call these;
//! this feature owns the tables). Each returns what was there before, for the audit log.

use crate::error::AppError;
use crate::store::Tx;

/// A region by code: created, or renamed if it is the same region (same level and parent).
/// `None` when the code belongs to another region.
pub async fn put_region(
    tx: &mut Tx,
    level: &str,
    code: &str,
    (zh, en): (&str, &str),
    parent: Option<i64>,
) -> Result<Option<i64>, AppError> {
    let existing: Option<(i64, String, Option<i64>)> =
        sqlx::query_as("SELECT id, level, parent_id FROM regions WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut **tx)
            .await?;
    match existing {
        Some((id, l, p)) if l == level && p == parent => {
            sqlx::query("UPDATE regions SET name_zh = $1, name_en = $2 WHERE id = $3")
                .bind(zh)
                .bind(en)
                .bind(id)
                .execute(&mut **tx)
                .await?;
            Ok(Some(id))
        }
        Some(_) => Ok(None),
        None => Ok(Some(super::seed::upsert_region(tx, level, code, zh, en, parent).await?)),
    }
}

/// A subdistrict department added, or renamed.
/// A department added, or renamed: its names before (`None`: it is new).
pub async fn put_department(
    tx: &mut Tx,
    subdistrict: i64,
    code: &str,
    zh: &str,
    en: &str,
) -> Result<Option<(String, String)>, AppError> {
    let before: Option<(String, String)> =
        sqlx::query_as("SELECT name_zh, name_en FROM departments WHERE subdistrict_id = $1 AND code = $2")
            .bind(subdistrict)
            .bind(code)
            .fetch_optional(&mut **tx)
            .await?;
    sqlx::query(
        "INSERT INTO departments (subdistrict_id, code, name_zh, name_en) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (subdistrict_id, code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en",
    )
    .bind(subdistrict)
    .bind(code)
    .bind(zh)
    .bind(en)
    .execute(&mut **tx)
    .await?;
    Ok(before)
}

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

/// A building added to a grid area, or changed (names, households, area): what it was
/// before (`None`: it is new).
pub async fn put_building(
    tx: &mut Tx,
    community: i64,
    code: &str,
    (name, name_en): (&str, &str),
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
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (community_id, code) DO UPDATE SET \
         grid_area_id = excluded.grid_area_id, name_zh = excluded.name_zh, name_en = excluded.name_en, \
         households = excluded.households",
    )
    .bind(community)
    .bind(area)
    .bind(code)
    .bind(name)
    .bind(name_en)
    .bind(households)
    .execute(&mut **tx)
    .await?;
    Ok(before.map(|(name, households, area)| BuildingWas { name, households, area }))
}

/// Names a grid area's director (none: nobody); returns the director before. The caller
/// checks that the person is on the station's team.
pub async fn set_director(tx: &mut Tx, community: i64, area: &str, user: Option<i64>) -> Result<Option<i64>, AppError> {
    let before: Option<Option<i64>> =
        sqlx::query_scalar("SELECT director_id FROM grid_areas WHERE community_id = $1 AND code = $2")
            .bind(community)
            .bind(area)
            .fetch_optional(&mut **tx)
            .await?;
    let before = before.ok_or(AppError::NotFound)?;
    sqlx::query("UPDATE grid_areas SET director_id = $1 WHERE community_id = $2 AND code = $3")
        .bind(user)
        .bind(community)
        .bind(area)
        .execute(&mut **tx)
        .await?;
    Ok(before)
}

/// The station's public phone and address (none: not published); returns them as before.
pub async fn put_contacts(
    tx: &mut Tx,
    community: i64,
    phone: Option<&str>,
    address: Option<&str>,
    by: i64,
) -> Result<(Option<String>, Option<String>), AppError> {
    let before: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT station_phone, station_address FROM community_settings WHERE community_id = $1")
            .bind(community)
            .fetch_optional(&mut **tx)
            .await?;
    sqlx::query(
        "INSERT INTO community_settings (community_id, station_phone, station_address, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (community_id) DO UPDATE SET station_phone = $2, \
         station_address = $3, updated_by = $4, updated_at = $5",
    )
    .bind(community)
    .bind(phone)
    .bind(address)
    .bind(by)
    .bind(crate::store::Millis::now())
    .execute(&mut **tx)
    .await?;
    Ok(before.unwrap_or_default())
}
