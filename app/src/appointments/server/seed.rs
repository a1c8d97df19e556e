//! Demo bookings.

use super::*;

/// A demo booking (once): a Qianggen resident due at the window five minutes ago, so the
/// station's day shows something to check in or mark as a no-show.
pub async fn seed_demo_appointments(store: &Store) -> Result<(), AppError> {
    let row: Option<(i64, i64)> = sqlx::query_as("SELECT id, region_id FROM users WHERE phone = '13800000012'")
        .fetch_optional(store.pool())
        .await?;
    let Some((resident, community)) = row else { return Ok(()) };
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM appointments WHERE resident_id = $1")
        .bind(resident)
        .fetch_one(store.pool())
        .await?;
    if exists > 0 {
        return Ok(());
    }
    let affair: Option<i64> =
        sqlx::query_scalar("SELECT id FROM affairs WHERE community_id = $1 AND code = 'residence-proof'")
            .bind(community)
            .fetch_optional(store.pool())
            .await?;
    let now = Millis::now().0;
    let start = now - 5 * 60_000;
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO appointments (community_id, resident_id, booked_by, affair_id, starts_at, ends_at, day, status, \
         idempotency_key, created_at) VALUES ($1, $2, $2, $3, $4, $5, $6, 'booked', 'demo-appointment', $7)",
    )
    .bind(community)
    .bind(resident)
    .bind(affair)
    .bind(start)
    .bind(start + 30 * 60_000)
    .bind(rules::local_date(start).format("%Y-%m-%d").to_string())
    .bind(now - 86_400_000)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
