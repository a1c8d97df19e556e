//! A community's partner directory (合作单位), written for the set-up feature's paste.

use crate::error::AppError;
use crate::store::{Store, Tx};

/// A partner as the directory shows it: (kind, code, name, serves, phone, address).
pub type PartnerRow = (String, String, String, String, String, String);

/// Adds the partner, or changes the one with the code; returns how it read before (`None`:
/// new). Names and offers are kept in Chinese only: the station's directory is local.
pub async fn put_partner(tx: &mut Tx, community: i64, p: &PartnerRow) -> Result<Option<PartnerRow>, AppError> {
    let before: Option<PartnerRow> = sqlx::query_as(
        "SELECT kind, code, name_zh, serves_zh, phone, address FROM partners WHERE community_id = $1 AND code = $2",
    )
    .bind(community)
    .bind(&p.1)
    .fetch_optional(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO partners (community_id, kind, code, name_zh, name_en, serves_zh, serves_en, phone, address) \
         VALUES ($1, $2, $3, $4, $4, $5, $5, $6, $7) ON CONFLICT (community_id, code) DO UPDATE SET kind = excluded.kind, \
         name_zh = excluded.name_zh, name_en = excluded.name_en, serves_zh = excluded.serves_zh, \
         serves_en = excluded.serves_en, phone = excluded.phone, address = excluded.address",
    )
    .bind(community)
    .bind(&p.0)
    .bind(&p.1)
    .bind(&p.2)
    .bind(&p.3)
    .bind(&p.4)
    .bind(&p.5)
    .execute(&mut **tx)
    .await?;
    Ok(before)
}

/// Sets a partner's opening hours; returns what they were.
pub async fn set_hours(tx: &mut Tx, community: i64, code: &str, hours: &str) -> Result<String, AppError> {
    let before: Option<String> = sqlx::query_scalar("SELECT hours FROM partners WHERE community_id = $1 AND code = $2")
        .bind(community)
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?;
    sqlx::query("UPDATE partners SET hours = $1 WHERE community_id = $2 AND code = $3")
        .bind(hours)
        .bind(community)
        .bind(code)
        .execute(&mut **tx)
        .await?;
    Ok(before.unwrap_or_default())
}

/// The community's directory (a station keeps a few dozen; at most 500 are listed).
pub async fn partners(store: &Store, community: i64) -> Result<Vec<PartnerRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT kind, code, name_zh, serves_zh, phone, address FROM partners WHERE community_id = $1 ORDER BY kind, code LIMIT 500",
    )
    .bind(community)
    .fetch_all(store.pool())
    .await?)
}
