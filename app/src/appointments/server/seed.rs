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

/// A community's bookings for the scale seed: about one a weekday from `first_day` until
/// `until` (served, a few cancelled or missed), then a few still booked for the days ahead.
/// Each takes one place of a grid slot of two, as booking would.
pub async fn seed_past_appointments(
    tx: &mut Tx,
    rng: &mut rand::rngs::StdRng,
    community: i64,
    residents: &[i64],
    staff: i64,
    first_day: i64,
    until: i64,
) -> Result<usize, AppError> {
    use chrono::Datelike;
    use rand::Rng;
    const DAY: i64 = 86_400_000;
    const HALF_HOUR: i64 = 1_800_000;
    let affairs: Vec<i64> = sqlx::query_scalar(&format!("SELECT id FROM ({BOOKABLE}) b ORDER BY id"))
        .bind(community)
        .fetch_all(&mut **tx)
        .await?;
    if affairs.is_empty() || residents.is_empty() {
        return Ok(0);
    }
    // The default hours' half-hour grid: 9:00–11:30 and 13:30–16:30, Beijing time.
    let grid: Vec<i64> = (18..24).chain(27..34).map(|n| n * HALF_HOUR).collect();
    let ahead = crate::time::day_start(until) + 8 * DAY;
    let mut written = 0;
    let mut day = crate::time::day_start(first_day);
    while day < ahead {
        let weekday = rules::local_date(day + 12 * 3_600_000).weekday().num_days_from_monday();
        let future = day >= crate::time::day_start(until);
        let n = if weekday >= 5 {
            0
        } else if future {
            rng.gen_range(0..=1)
        } else {
            rng.gen_range(0..=2)
        };
        let mut slots = grid.clone();
        for _ in 0..n {
            let start = day + slots.swap_remove(rng.gen_range(0..slots.len()));
            let resident = residents[rng.gen_range(0..residents.len())];
            let booked_at = start - rng.gen_range(1..6) * DAY;
            let status = match rng.gen_range(0..100) {
                _ if start > until => "booked",
                0..=9 => "cancelled",
                10..=14 => "no_show",
                _ => "arrived",
            };
            let key = format!("scale-appointment-{start}");
            sqlx::query(
                "INSERT INTO appointments (community_id, resident_id, booked_by, affair_id, starts_at, ends_at, day, status, \
                 idempotency_key, created_at, cancelled_at, marked_at, marked_by) \
                 VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(community)
            .bind(resident)
            .bind(affairs[rng.gen_range(0..affairs.len())])
            .bind(start)
            .bind(start + HALF_HOUR)
            .bind(rules::local_date(start).format("%Y-%m-%d").to_string())
            .bind(status)
            .bind(key)
            .bind(booked_at)
            .bind((status == "cancelled").then_some(booked_at + DAY / 2))
            .bind(matches!(status, "arrived" | "no_show").then_some(start + 600_000))
            .bind(matches!(status, "arrived" | "no_show").then_some(staff))
            .execute(&mut **tx)
            .await?;
            // A cancelled booking gave its place back.
            sqlx::query(
                "INSERT INTO appointment_slots (community_id, starts_at, capacity, taken) VALUES ($1, $2, 2, $3)",
            )
            .bind(community)
            .bind(start)
            .bind(i64::from(status != "cancelled"))
            .execute(&mut **tx)
            .await?;
            written += 1;
        }
        day += DAY;
    }
    Ok(written)
}
