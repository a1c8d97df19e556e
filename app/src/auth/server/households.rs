//! Households: a registered address is unverified until station staff of its community
//! confirm it (at the window, or in bulk from a building's list). Only verified households
//! count toward a deliberation's threshold.

use super::*;
use crate::auth::SessionUser;

/// At most this many confirmations in one post.
pub const CONFIRM_MAX: usize = 200;

/// Confirms the addresses of these residents of the worker's community (registered, with a
/// building); others are skipped. Returns how many were confirmed now.
pub async fn confirm_addresses(store: &Store, staff: &SessionUser, residents: &[i64]) -> Result<u64, AppError> {
    if !staff.role.is_station_team() {
        return Err(AppError::Forbidden);
    }
    if residents.is_empty() {
        return Err(AppError::invalid("ids", T::ErrRequired));
    }
    if residents.len() > CONFIRM_MAX {
        return Err(AppError::invalid("ids", T::ErrTooMany));
    }
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let mut done = 0;
    for id in residents {
        done += sqlx::query(
            "UPDATE users SET address_verified_at = $1, address_verified_by = $2 WHERE id = $3 AND region_id = $4 \
             AND role = 'resident' AND password_hash IS NOT NULL AND building_id IS NOT NULL AND address_verified_at IS NULL",
        )
        .bind(now)
        .bind(staff.id)
        .bind(id)
        .bind(staff.region_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(done)
}

/// A resident whose address waits for confirmation, as the station's list shows them.
#[derive(sqlx::FromRow)]
pub struct Unverified {
    pub id: i64,
    pub display_name: String,
    pub building_id: i64,
    pub unit_no: Option<String>,
    pub room: Option<String>,
    pub created_at: i64,
}

/// Residents of the worker's community with an unverified address, in one building or all,
/// a page at a time by id (`after`).
pub async fn unverified(
    store: &Store,
    staff: &SessionUser,
    building: Option<i64>,
    after: i64,
    limit: i64,
) -> Result<Vec<Unverified>, AppError> {
    if !staff.role.is_station_team() {
        return Err(AppError::Forbidden);
    }
    Ok(sqlx::query_as(
        "SELECT id, display_name, building_id, unit_no, room, created_at FROM users WHERE region_id = $1 \
         AND role = 'resident' AND password_hash IS NOT NULL AND building_id IS NOT NULL AND address_verified_at IS NULL \
         AND ($2 = 0 OR building_id = $2) AND id > $3 ORDER BY id LIMIT $4",
    )
    .bind(staff.region_id)
    .bind(building.unwrap_or(0))
    .bind(after)
    .bind(limit)
    .fetch_all(store.pool())
    .await?)
}

/// Whether a resident's address is confirmed (the window's card).
pub async fn verified(store: &Store, resident: i64) -> Result<bool, AppError> {
    let at: Option<Option<i64>> = sqlx::query_scalar("SELECT address_verified_at FROM users WHERE id = $1")
        .bind(resident)
        .fetch_optional(store.pool())
        .await?;
    Ok(at.flatten().is_some())
}

/// The demo's residents were confirmed at the window (a seed only).
pub async fn confirm_seeded(tx: &mut Tx) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE users SET address_verified_at = created_at WHERE role = 'resident' AND password_hash IS NOT NULL \
         AND building_id IS NOT NULL AND address_verified_at IS NULL",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
