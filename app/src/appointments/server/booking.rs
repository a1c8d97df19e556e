//! Booking: the page of free times, booking with a conditional update per grid slot, rescheduling, cancelling, one's own bookings.

use super::*;

pub(super) async fn ban(store: &Store, resident: i64, now: i64) -> Result<Option<i64>, AppError> {
    let no_shows: Vec<i64> = sqlx::query_scalar(
        "SELECT starts_at FROM appointments WHERE resident_id = $1 AND status = 'no_show' AND starts_at > $2",
    )
    .bind(resident)
    .bind(now - 2 * rules::NO_SHOW_WINDOW_MS)
    .fetch_all(store.pool())
    .await?;
    Ok(rules::ban_until(&no_shows, now))
}

/// Places taken in each grid slot of the community from `from` on.
pub(super) async fn taken(store: &Store, community: i64, from: i64, to: i64) -> Result<Vec<(i64, i64, i64)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT starts_at, capacity, taken FROM appointment_slots WHERE community_id = $1 AND starts_at >= $2 AND starts_at < $3",
    )
    .bind(community)
    .bind(from)
    .bind(to)
    .fetch_all(store.pool())
    .await?)
}

/// Free slots for an affair, day by day, from now to the end of the booking window.
pub(super) async fn free_days(
    store: &Store,
    community: i64,
    minutes: i64,
    now: i64,
) -> Result<Vec<DaySlots>, AppError> {
    let hours = hours(store, community).await?;
    let closed: Vec<NaiveDate> = closed_days(store, community).await?.into_iter().map(|c| c.0).collect();
    let (cap, _) = capacity(store, community).await?;
    let today = rules::local_date(now);
    let taken = taken(store, community, now, now + (rules::BOOK_AHEAD_DAYS + 2) * 86_400_000).await?;
    let left = |grid: i64| -> i64 { taken.iter().find(|t| t.0 == grid).map(|t| t.1 - t.2).unwrap_or(cap) };
    let mut days = Vec::new();
    for i in 0..=rules::BOOK_AHEAD_DAYS {
        let date = today + Duration::days(i);
        let slots: Vec<FreeSlot> = rules::slots_for_day(date, &hours, &closed, minutes)
            .into_iter()
            .filter(|s| rules::check_window(*s, now).is_ok())
            .map(|s| {
                let places_left = rules::grid_starts(s).into_iter().map(left).min().unwrap_or(0).max(0);
                FreeSlot {
                    start: s.start,
                    label: crate::time::to_local(s.start).format("%H:%M").to_string(),
                    places_left,
                }
            })
            .filter(|s| s.places_left > 0)
            .collect();
        if !slots.is_empty() {
            days.push(DaySlots {
                date: date.format("%Y-%m-%d").to_string(),
                label: date.format("%m-%d").to_string() + " " + weekday_zh(date),
                slots,
            });
        }
    }
    Ok(days)
}

pub(super) fn weekday_zh(d: NaiveDate) -> &'static str {
    use chrono::Datelike;
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][d.weekday().num_days_from_monday() as usize]
}

pub(super) async fn bookings_of(store: &Store, resident: i64, only: Option<i64>) -> Result<Vec<Booking>, AppError> {
    let now = Millis::now().0;
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        i64,
        String,
        Option<String>,
    )> = sqlx::query_as(
        "SELECT p.id, a.name_zh, a.name_en, a.documents_zh, a.documents_en, p.starts_at, p.ends_at, p.status, a.code \
         FROM appointments p LEFT JOIN affairs a ON a.id = p.affair_id \
         WHERE p.resident_id = $1 AND ($2 = 0 OR p.id = $2) ORDER BY p.starts_at DESC LIMIT 50",
    )
    .bind(resident)
    .bind(only.unwrap_or(0))
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, nz, ne, dz, de, start, end, status, code)| Booking {
            id,
            affair_code: code,
            affair: nz.zip(ne).map(|(zh, en)| Named { zh, en }),
            when: format_local(start),
            ends: crate::time::to_local(end).format("%H:%M").to_string(),
            can_cancel: status == "booked" && rules::can_cancel(start, now),
            upcoming: status == "booked" && start > now,
            status,
            documents: checklist(&dz.unwrap_or_default(), &de.unwrap_or_default()),
            rating: None,
        })
        .collect())
}

pub async fn page(store: &Store, user: &SessionUser, code: &str) -> Result<BookingPage, AppError> {
    let community = resident_only(user)?;
    let now = Millis::now().0;
    let affairs: Vec<AffairRow> =
        sqlx::query_as(&format!("{BOOKABLE} ORDER BY family, id")).bind(community).fetch_all(store.pool()).await?;
    let chosen = affairs.iter().find(|a| a.code == code).map(AffairRow::bookable);
    let days = match &chosen {
        Some(a) => free_days(store, community, a.minutes, now).await?,
        None => Vec::new(),
    };
    Ok(BookingPage {
        affairs: affairs.iter().map(AffairRow::bookable).collect(),
        chosen,
        days,
        mine: bookings_of(store, user.id, None).await?,
        banned_until: ban(store, user.id, now).await?.map(format_local),
    })
}

pub(super) fn refusal(r: Refusal) -> AppError {
    match r {
        Refusal::TooSoon => AppError::invalid("start", T::ErrSlotTooSoon),
        Refusal::TooFarAhead => AppError::invalid("start", T::ErrSlotTooFar),
        Refusal::NotAnOpenSlot => AppError::invalid("start", T::ErrChooseSlot),
        Refusal::TooManyUpcoming => AppError::invalid("start", T::ErrTooManyBookings),
        Refusal::SameAffairSameDay => AppError::invalid("start", T::ErrSameAffairSameDay),
        Refusal::Banned { until } => AppError::BookingBanned { until: format_local(until) },
    }
}

/// Books a slot. The rules first; then, in one transaction, one conditional update per grid
/// slot the appointment covers: if any is full, nothing is kept and the next free slots are
/// offered.
pub async fn book(store: &Store, user: &SessionUser, code: &str, start: i64, key: &str) -> Result<i64, AppError> {
    match book_once(store, user, code, start, key).await {
        // The same form sent again while the first was being booked (a double tap, a
        // retry): its booking is the answer, not the rule it now seems to break ("same
        // affair the same day") nor the unique index it ran into.
        Err(e) => match crate::store::created_with_key(store, "appointments", "booked_by", user.id, key).await? {
            Some(id) => Ok(id),
            None => Err(e),
        },
        booked => booked,
    }
}

async fn book_once(store: &Store, user: &SessionUser, code: &str, start: i64, key: &str) -> Result<i64, AppError> {
    let community = resident_only(user)?;
    let key = crate::form::key::IdempotencyKey::parse(key)?;
    let key = key.as_str();
    if let Some(id) = crate::store::created_with_key(store, "appointments", "booked_by", user.id, key).await? {
        return Ok(id);
    }
    let a = affair(store, community, code).await?.ok_or(AppError::invalid("affair", T::ErrUnknownAffair))?;
    let now = Millis::now().0;
    let slot = Slot { start, end: start + a.slot_minutes * 60_000 };
    let date = rules::local_date(start);
    let closed: Vec<NaiveDate> = closed_days(store, community).await?.into_iter().map(|c| c.0).collect();
    if !rules::slots_for_day(date, &hours(store, community).await?, &closed, a.slot_minutes).contains(&slot) {
        return Err(refusal(Refusal::NotAnOpenSlot));
    }
    rules::check_window(slot, now).map_err(refusal)?;
    if let Some(until) = ban(store, user.id, now).await? {
        return Err(refusal(Refusal::Banned { until }));
    }
    let held: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT starts_at, affair_id FROM appointments WHERE resident_id = $1 AND status = 'booked' AND starts_at > $2",
    )
    .bind(user.id)
    .bind(now)
    .fetch_all(store.pool())
    .await?;
    let held: Vec<Held> = held.into_iter().map(|(start, affair)| Held { start, affair }).collect();
    rules::check_limits(&held, slot, Some(a.id), now).map_err(refusal)?;
    let (cap, _) = capacity(store, community).await?;
    let mut tx = store.write().await?;
    let placed = take(&mut tx, community, slot, cap).await?;
    if !placed {
        drop(tx);
        let next: Vec<(i64, String)> = free_days(store, community, a.slot_minutes, now)
            .await?
            .into_iter()
            .flat_map(|d| d.slots.into_iter().map(move |s| (s.start, format!("{} {}", d.label, s.label))))
            .filter(|(s, _)| *s != start)
            .take(3)
            .collect();
        return Err(AppError::SlotFull { next });
    }
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO appointments (community_id, resident_id, booked_by, affair_id, starts_at, ends_at, day, status, \
         idempotency_key, created_at) VALUES ($1, $2, $2, $3, $4, $5, $6, 'booked', $7, $8) RETURNING id",
    )
    .bind(community)
    .bind(user.id)
    .bind(a.id)
    .bind(slot.start)
    .bind(slot.end)
    .bind(date.format("%Y-%m-%d").to_string())
    .bind(key)
    .bind(now)
    .fetch_one(&mut *tx)
    .await;
    let id = match inserted {
        Ok(id) => id,
        // The same affair that day from another tab (unique index): nothing is kept.
        Err(e) if crate::store::is_unique(&e) => {
            return Err(refusal(Refusal::SameAffairSameDay));
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(id)
}

/// Takes one place in every grid slot of `slot`, or none (false: one of them is full).
pub(super) async fn take(tx: &mut Tx, community: i64, slot: Slot, cap: i64) -> Result<bool, AppError> {
    for grid in rules::grid_starts(slot) {
        sqlx::query(
            "INSERT INTO appointment_slots (community_id, starts_at, capacity, taken) VALUES ($1, $2, $3, 0) \
             ON CONFLICT (community_id, starts_at) DO NOTHING",
        )
        .bind(community)
        .bind(grid)
        .bind(cap)
        .execute(&mut **tx)
        .await?;
        let took = sqlx::query(
            "UPDATE appointment_slots SET taken = taken + 1 WHERE community_id = $1 AND starts_at = $2 AND taken < capacity",
        )
        .bind(community)
        .bind(grid)
        .execute(&mut **tx)
        .await?;
        if took.rows_affected() == 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

pub async fn reschedule(store: &Store, user: &SessionUser, id: i64, start: i64) -> Result<(), AppError> {
    let community = resident_only(user)?;
    let (_, old_start, old_end, affair) = own_movable(store, user, id, "start").await?;
    let now = Millis::now().0;
    let minutes = (old_end - old_start) / 60_000;
    let slot = Slot { start, end: start + minutes * 60_000 };
    let date = rules::local_date(start);
    let closed: Vec<NaiveDate> = closed_days(store, community).await?.into_iter().map(|c| c.0).collect();
    if !rules::slots_for_day(date, &hours(store, community).await?, &closed, minutes).contains(&slot) {
        return Err(refusal(Refusal::NotAnOpenSlot));
    }
    rules::check_window(slot, now).map_err(refusal)?;
    let held: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT starts_at, affair_id FROM appointments WHERE resident_id = $1 AND status = 'booked' AND starts_at > $2 AND id <> $3",
    )
    .bind(user.id)
    .bind(now)
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    let held: Vec<Held> = held.into_iter().map(|(start, affair)| Held { start, affair }).collect();
    rules::check_limits(&held, slot, affair, now).map_err(refusal)?;
    let (cap, _) = capacity(store, community).await?;
    let mut tx = store.write().await?;
    if !take(&mut tx, community, slot, cap).await? {
        return Err(AppError::SlotFull { next: Vec::new() });
    }
    release(&mut tx, community, old_start, old_end).await?;
    let moved = sqlx::query(
        "UPDATE appointments SET starts_at = $1, ends_at = $2, day = $3 WHERE id = $4 AND status = 'booked' AND starts_at = $5",
    )
    .bind(slot.start)
    .bind(slot.end)
    .bind(date.format("%Y-%m-%d").to_string())
    .bind(id)
    .bind(old_start)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        return Err(AppError::Conflict);
    }
    tx.commit().await?;
    Ok(())
}

/// A booking, for the resident it is for (others: 404).
pub async fn one(store: &Store, user: &SessionUser, id: i64) -> Result<Booking, AppError> {
    let mut b = bookings_of(store, user.id, Some(id)).await?.into_iter().next().ok_or(AppError::NotFound)?;
    b.rating = crate::ratings::server::appointment_card(store, user, id).await?;
    Ok(b)
}

pub(super) async fn release(tx: &mut Tx, community: i64, start: i64, end: i64) -> Result<(), AppError> {
    for grid in rules::grid_starts(Slot { start, end }) {
        sqlx::query(
            "UPDATE appointment_slots SET taken = taken - 1 WHERE community_id = $1 AND starts_at = $2 AND taken > 0",
        )
        .bind(community)
        .bind(grid)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The resident's own booking, still booked and movable (until 1 hour before its start):
/// (community, start, end, affair).
pub(super) async fn own_movable(
    store: &Store,
    user: &SessionUser,
    id: i64,
    field: &str,
) -> Result<(i64, i64, i64, Option<i64>), AppError> {
    let row: Option<(i64, i64, i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT community_id, starts_at, ends_at, status, affair_id FROM appointments WHERE id = $1 AND resident_id = $2",
    )
    .bind(id)
    .bind(user.id)
    .fetch_optional(store.pool())
    .await?;
    let (community, start, end, status, affair) = row.ok_or(AppError::NotFound)?;
    if status != "booked" {
        return Err(AppError::WrongState);
    }
    if !rules::can_cancel(start, Millis::now().0) {
        return Err(AppError::invalid(field, T::ErrCancelTooLate));
    }
    Ok((community, start, end, affair))
}

pub async fn cancel(store: &Store, user: &SessionUser, id: i64) -> Result<(), AppError> {
    let (community, start, end, _) = own_movable(store, user, id, "id").await?;
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE appointments SET status = 'cancelled', cancelled_at = $1 WHERE id = $2 AND status = 'booked'",
    )
    .bind(Millis::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 1 {
        release(&mut tx, community, start, end).await?;
    }
    tx.commit().await?;
    Ok(())
}
