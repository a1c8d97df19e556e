//! Server side of spaces: the list, free times, booking with a conditional update per grid
//! slot, cancelling, the station's decisions and its spaces. The station's hours and closed
//! days are read from appointments (their one writer).

use super::rules::{self, BookingStatus, SpaceDraft, SpaceKind};
use super::*;
use crate::appointments::rules::{self as time_rules, Slot};
use crate::appointments::FreeSlot;
use crate::auth::{Role, SessionUser};
use crate::error::FieldError;
use crate::i18n::T;
use crate::notifications::{server::send, server::Send, Kind};
use crate::store::{Millis, Store, Tx};
use crate::time::{format_local, to_local};
use chrono::{Duration, NaiveDate};

fn problems(p: rules::Problems) -> AppError {
    AppError::Invalid(p.into_iter().map(|(f, t)| FieldError::new(f, t)).collect())
}

fn resident_only(user: &SessionUser) -> Result<i64, AppError> {
    if user.role != Role::Resident {
        return Err(AppError::Forbidden);
    }
    Ok(user.region_id)
}

fn station_only(user: &SessionUser) -> Result<i64, AppError> {
    if !user.role.is_station_team() {
        return Err(AppError::Forbidden);
    }
    Ok(user.region_id)
}

#[derive(sqlx::FromRow)]
struct SpaceRow {
    id: i64,
    code: String,
    kind: SpaceKind,
    name_zh: String,
    name_en: String,
    about: String,
    capacity: i64,
    max_hours: i64,
    approval: i64,
    retired_at: Option<i64>,
}

impl SpaceRow {
    fn card(&self) -> SpaceCard {
        SpaceCard {
            code: self.code.clone(),
            kind: self.kind,
            name: Named { zh: self.name_zh.clone(), en: self.name_en.clone() },
            about: self.about.clone(),
            capacity: self.capacity,
            max_hours: self.max_hours,
            approval: self.approval == 1,
            retired: self.retired_at.is_some(),
        }
    }
}

const SPACES: &str =
    "SELECT id, code, kind, name_zh, name_en, about, capacity, max_hours, approval, retired_at FROM spaces";

async fn spaces_of(store: &Store, community: i64, with_retired: bool) -> Result<Vec<SpaceRow>, AppError> {
    let sql = format!("{SPACES} WHERE community_id = $1 AND ($2 = 1 OR retired_at IS NULL) ORDER BY id LIMIT 100");
    Ok(sqlx::query_as(&sql).bind(community).bind(i64::from(with_retired)).fetch_all(store.pool()).await?)
}

async fn space(store: &Store, community: i64, code: &str) -> Result<SpaceRow, AppError> {
    sqlx::query_as(&format!("{SPACES} WHERE community_id = $1 AND code = $2 AND retired_at IS NULL"))
        .bind(community)
        .bind(code.trim())
        .fetch_optional(store.pool())
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(sqlx::FromRow)]
struct BookingRow {
    id: i64,
    name_zh: String,
    name_en: String,
    code: String,
    kind: SpaceKind,
    starts_at: i64,
    ends_at: i64,
    status: BookingStatus,
    purpose: String,
    people: i64,
    decision_note: String,
    display_name: String,
    phone: String,
    building: Option<String>,
    room: Option<String>,
    resident_id: i64,
    community_id: i64,
}

const BOOKINGS: &str =
    "SELECT b.id, s.name_zh, s.name_en, s.code, s.kind, b.starts_at, b.ends_at, b.status, b.purpose, \
     b.people, b.decision_note, u.display_name, u.phone, g.name_zh AS building, u.room, \
     b.resident_id, b.community_id \
     FROM space_bookings b JOIN spaces s ON s.id = b.space_id JOIN users u ON u.id = b.resident_id \
     LEFT JOIN buildings g ON g.id = u.building_id";

impl BookingRow {
    fn view(self, now: i64, for_station: bool) -> SpaceBooking {
        let booker = for_station.then(|| {
            let home = format!("{}{}", self.building.unwrap_or_default(), self.room.unwrap_or_default());
            format!("{} · {} · {}", self.display_name, home, crate::auth::rules::mask_phone(&self.phone))
        });
        SpaceBooking {
            id: self.id,
            space: Named { zh: self.name_zh, en: self.name_en },
            space_code: self.code,
            kind: self.kind,
            when: format_local(self.starts_at),
            ends: to_local(self.ends_at).format("%H:%M").to_string(),
            can_cancel: self.status.holds() && time_rules::can_cancel(self.starts_at, now),
            upcoming: self.status.holds() && self.starts_at > now,
            status: self.status,
            purpose: self.purpose,
            people: self.people,
            decision_note: self.decision_note,
            booker,
        }
    }
}

pub async fn page(store: &Store, user: &SessionUser) -> Result<SpacesPage, AppError> {
    let community = resident_only(user)?;
    let now = Millis::now().0;
    let mine: Vec<BookingRow> =
        sqlx::query_as(&format!("{BOOKINGS} WHERE b.resident_id = $1 ORDER BY b.starts_at DESC LIMIT 20"))
            .bind(user.id)
            .fetch_all(store.pool())
            .await?;
    Ok(SpacesPage {
        spaces: spaces_of(store, community, false).await?.iter().map(SpaceRow::card).collect(),
        mine: mine.into_iter().map(|b| b.view(now, false)).collect(),
        hours: crate::appointments::server::hours(store, community).await?,
    })
}

/// Free starts of a `hours`-long booking, day by day over the booking window.
async fn free_days(
    store: &Store,
    community: i64,
    s: &SpaceRow,
    hours: i64,
    now: i64,
) -> Result<Vec<DaySlots>, AppError> {
    let opening = crate::appointments::server::hours(store, community).await?;
    let closed: Vec<NaiveDate> =
        crate::appointments::server::closed_days(store, community).await?.into_iter().map(|c| c.0).collect();
    let today = time_rules::local_date(now);
    let taken: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT starts_at, capacity, taken FROM space_slots WHERE space_id = $1 AND starts_at >= $2 AND starts_at < $3",
    )
    .bind(s.id)
    .bind(now)
    .bind(now + (time_rules::BOOK_AHEAD_DAYS + 2) * 86_400_000)
    .fetch_all(store.pool())
    .await?;
    let left = |grid: i64| taken.iter().find(|t| t.0 == grid).map(|t| t.1 - t.2).unwrap_or(s.capacity);
    let mut days = Vec::new();
    for i in 0..=time_rules::BOOK_AHEAD_DAYS {
        let date = today + Duration::days(i);
        let slots: Vec<FreeSlot> = time_rules::slots_for_day(date, &opening, &closed, hours * 60)
            .into_iter()
            .filter(|slot| time_rules::check_window(*slot, now).is_ok())
            .map(|slot| FreeSlot {
                start: slot.start,
                label: format!("{}–{}", to_local(slot.start).format("%H:%M"), to_local(slot.end).format("%H:%M")),
                places_left: time_rules::grid_starts(slot).into_iter().map(left).min().unwrap_or(0).max(0),
            })
            .filter(|f| f.places_left > 0)
            .collect();
        if !slots.is_empty() {
            days.push(DaySlots {
                date: date.format("%Y-%m-%d").to_string(),
                label: date.format("%m-%d").to_string(),
                slots,
            });
        }
    }
    Ok(days)
}

pub async fn times(store: &Store, user: &SessionUser, code: &str, hours: i64) -> Result<SpaceTimes, AppError> {
    let community = resident_only(user)?;
    let s = space(store, community, code).await?;
    let hours = hours.clamp(1, s.max_hours);
    let days = free_days(store, community, &s, hours, Millis::now().0).await?;
    Ok(SpaceTimes { space: s.card(), hours, days })
}

#[allow(clippy::too_many_arguments)]
pub async fn book(
    store: &Store,
    user: &SessionUser,
    code: &str,
    start: &str,
    hours: &str,
    purpose: &str,
    people: &str,
    key: &str,
) -> Result<i64, AppError> {
    match book_once(store, user, code, start, hours, purpose, people, key).await {
        // The same form sent again while the first was being booked: its booking is the
        // answer, not the limit or the unique index it now seems to break.
        Err(e) => match crate::store::created_with_key(store, "space_bookings", "resident_id", user.id, key).await? {
            Some(id) => Ok(id),
            None => Err(e),
        },
        booked => booked,
    }
}

#[allow(clippy::too_many_arguments)]
async fn book_once(
    store: &Store,
    user: &SessionUser,
    code: &str,
    start: &str,
    hours: &str,
    purpose: &str,
    people: &str,
    key: &str,
) -> Result<i64, AppError> {
    let community = resident_only(user)?;
    let key = crate::form::key::IdempotencyKey::parse(key)?;
    if let Some(id) =
        crate::store::created_with_key(store, "space_bookings", "resident_id", user.id, key.as_str()).await?
    {
        return Ok(id);
    }
    let s = space(store, community, code).await?;
    let request = rules::check_request(hours, purpose, people, s.kind, s.max_hours).map_err(problems)?;
    let start = start.trim().parse::<i64>().map_err(|_| AppError::invalid("start", T::ErrChooseSlot))?;
    let slot = Slot { start, end: start + request.hours * 3_600_000 };
    let now = Millis::now().0;
    let date = time_rules::local_date(start);
    let closed: Vec<NaiveDate> =
        crate::appointments::server::closed_days(store, community).await?.into_iter().map(|c| c.0).collect();
    let opening = crate::appointments::server::hours(store, community).await?;
    if !time_rules::slots_for_day(date, &opening, &closed, request.hours * 60).contains(&slot) {
        return Err(AppError::invalid("start", T::ErrChooseSlot));
    }
    time_rules::check_window(slot, now).map_err(|r| match r {
        time_rules::Refusal::TooSoon => AppError::invalid("start", T::ErrSlotTooSoon),
        _ => AppError::invalid("start", T::ErrSlotTooFar),
    })?;
    let day = date.format("%Y-%m-%d").to_string();
    let held: Vec<(i64, String)> = sqlx::query_as(
        "SELECT space_id, day FROM space_bookings WHERE resident_id = $1 AND status IN ('pending', 'approved') AND starts_at > $2",
    )
    .bind(user.id)
    .bind(now)
    .fetch_all(store.pool())
    .await?;
    rules::check_limits(&held, s.id, &day).map_err(|t| AppError::invalid("start", t))?;
    let status = if s.approval == 1 { BookingStatus::Pending } else { BookingStatus::Approved };
    let mut tx = store.write().await?;
    if !take(&mut tx, s.id, s.capacity, slot).await? {
        drop(tx);
        let next: Vec<(i64, String)> = free_days(store, community, &s, request.hours, now)
            .await?
            .into_iter()
            .flat_map(|d| d.slots.into_iter().map(move |f| (f.start, format!("{} {}", d.label, f.label))))
            .take(3)
            .collect();
        return Err(AppError::SlotFull { next });
    }
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO space_bookings (space_id, community_id, resident_id, starts_at, ends_at, day, purpose, people, status, \
         idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(s.id)
    .bind(community)
    .bind(user.id)
    .bind(slot.start)
    .bind(slot.end)
    .bind(&day)
    .bind(&request.purpose)
    .bind(request.people)
    .bind(status)
    .bind(key.as_str())
    .bind(now)
    .fetch_one(&mut *tx)
    .await;
    let id = match inserted {
        Ok(id) => id,
        // The same space that day from another tab (the unique index): nothing is kept.
        Err(e) if crate::store::is_unique(&e) => return Err(AppError::invalid("start", T::ErrSpaceSameDay)),
        Err(e) => return Err(e.into()),
    };
    if status == BookingStatus::Pending {
        // Those who decide are told something waits.
        let deciders: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM users WHERE region_id = $1 AND role IN ('stationmaster', 'dispatcher') AND disabled_at IS NULL LIMIT 20",
        )
        .bind(community)
        .fetch_all(&mut *tx)
        .await?;
        let detail = format!("{} {}", s.name_zh, format_local(slot.start));
        for to in deciders {
            send(&mut tx, Send::new(to, Kind::SpaceWaiting).detail(&detail).link("/station/spaces".into())).await?;
        }
    }
    tx.commit().await?;
    Ok(id)
}

/// Takes one place in every grid slot of `slot`, or none (false: one of them is full).
async fn take(tx: &mut Tx, space: i64, capacity: i64, slot: Slot) -> Result<bool, AppError> {
    for grid in time_rules::grid_starts(slot) {
        sqlx::query(
            "INSERT INTO space_slots (space_id, starts_at, capacity, taken) VALUES ($1, $2, $3, 0) \
             ON CONFLICT (space_id, starts_at) DO NOTHING",
        )
        .bind(space)
        .bind(grid)
        .bind(capacity)
        .execute(&mut **tx)
        .await?;
        let took = sqlx::query(
            "UPDATE space_slots SET taken = taken + 1 WHERE space_id = $1 AND starts_at = $2 AND taken < capacity",
        )
        .bind(space)
        .bind(grid)
        .execute(&mut **tx)
        .await?;
        if took.rows_affected() == 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

async fn release(tx: &mut Tx, space: i64, start: i64, end: i64) -> Result<(), AppError> {
    for grid in time_rules::grid_starts(Slot { start, end }) {
        sqlx::query("UPDATE space_slots SET taken = taken - 1 WHERE space_id = $1 AND starts_at = $2 AND taken > 0")
            .bind(space)
            .bind(grid)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A booking, for the resident who made it or the station of its community (others: 404).
pub async fn one(store: &Store, user: &SessionUser, id: i64) -> Result<SpaceBooking, AppError> {
    let row: Option<BookingRow> =
        sqlx::query_as(&format!("{BOOKINGS} WHERE b.id = $1")).bind(id).fetch_optional(store.pool()).await?;
    let row = row.ok_or(AppError::NotFound)?;
    let station = user.role.is_station_team() && user.region_id == row.community_id;
    if row.resident_id != user.id && !station {
        return Err(AppError::NotFound);
    }
    Ok(row.view(Millis::now().0, station))
}

pub async fn cancel(store: &Store, user: &SessionUser, id: i64) -> Result<(), AppError> {
    let row: Option<(i64, i64, i64, BookingStatus)> = sqlx::query_as(
        "SELECT space_id, starts_at, ends_at, status FROM space_bookings WHERE id = $1 AND resident_id = $2",
    )
    .bind(id)
    .bind(user.id)
    .fetch_optional(store.pool())
    .await?;
    let (space, start, end, status) = row.ok_or(AppError::NotFound)?;
    if !status.holds() {
        return Err(AppError::WrongState);
    }
    if !time_rules::can_cancel(start, Millis::now().0) {
        return Err(AppError::invalid("id", T::ErrCancelTooLate));
    }
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE space_bookings SET status = 'cancelled', cancelled_at = $1 WHERE id = $2 AND status IN ('pending', 'approved')",
    )
    .bind(Millis::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // Only the cancel that changed the row gives the place back (two tabs cancel once).
    if done.rows_affected() == 1 {
        release(&mut tx, space, start, end).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The station's desk: waiting bookings first (earliest start first), then the coming
/// approved ones. Both lie inside the 14-day booking window, so they are bounded.
pub async fn desk(store: &Store, user: &SessionUser) -> Result<SpacesDesk, AppError> {
    let community = station_only(user)?;
    let now = Millis::now().0;
    let waiting = desk_lines(store, community, "pending", now).await?;
    let coming = desk_lines(store, community, "approved", now).await?;
    Ok(SpacesDesk {
        waiting: waiting.into_iter().map(|b| b.view(now, true)).collect(),
        coming: coming.into_iter().map(|b| b.view(now, true)).collect(),
        spaces: spaces_of(store, community, true).await?.iter().map(SpaceRow::card).collect(),
        may_edit: matches!(user.role, Role::Stationmaster | Role::Dispatcher),
    })
}

async fn desk_lines(store: &Store, community: i64, status: &str, now: i64) -> Result<Vec<BookingRow>, AppError> {
    let sql = format!(
        "{BOOKINGS} WHERE b.community_id = $1 AND b.starts_at > $2 AND b.status = $3 ORDER BY b.starts_at, b.id LIMIT 200"
    );
    // From a day back: what happened today stays in view.
    Ok(sqlx::query_as(&sql).bind(community).bind(now - 86_400_000).bind(status).fetch_all(store.pool()).await?)
}

/// Approves or refuses a waiting booking of the station's community. Of two decisions at
/// once, one changes the row and the other is a conflict; a refusal gives the place back.
pub async fn decide(store: &Store, user: &SessionUser, id: i64, decision: &str, note: &str) -> Result<(), AppError> {
    let community = station_only(user)?;
    let (approve, note) = rules::check_decision(decision, note).map_err(problems)?;
    let row: Option<(i64, i64, i64, i64, BookingStatus, String)> = sqlx::query_as(
        "SELECT b.space_id, b.resident_id, b.starts_at, b.ends_at, b.status, s.name_zh FROM space_bookings b \
         JOIN spaces s ON s.id = b.space_id WHERE b.id = $1 AND b.community_id = $2",
    )
    .bind(id)
    .bind(community)
    .fetch_optional(store.pool())
    .await?;
    let (space, resident, start, end, status, name) = row.ok_or(AppError::NotFound)?;
    if status != BookingStatus::Pending {
        return Err(AppError::Conflict);
    }
    let to = if approve { BookingStatus::Approved } else { BookingStatus::Refused };
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE space_bookings SET status = $1, decided_at = $2, decided_by = $3, decision_note = $4 \
         WHERE id = $5 AND status = 'pending'",
    )
    .bind(to)
    .bind(Millis::now())
    .bind(user.id)
    .bind(&note)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict);
    }
    if !approve {
        release(&mut tx, space, start, end).await?;
    }
    let kind = if approve { Kind::SpaceApproved } else { Kind::SpaceRefused };
    let detail = format!("{name} {}", format_local(start));
    send(&mut tx, Send::new(resident, kind).detail(&detail).link(format!("/spaces/bookings/{id}"))).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a space or changes the station's space with this code. A lower capacity applies to
/// grid slots not already holding more bookings than it (those keep theirs).
pub async fn save(
    store: &Store,
    user: &SessionUser,
    draft: Result<SpaceDraft, rules::Problems>,
    retired: bool,
) -> Result<(), AppError> {
    let community = station_only(user)?;
    if !matches!(user.role, Role::Stationmaster | Role::Dispatcher) {
        return Err(AppError::Forbidden);
    }
    let d = draft.map_err(problems)?;
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO spaces (community_id, code, kind, name_zh, name_en, about, capacity, max_hours, approval, retired_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (community_id, code) DO UPDATE SET kind = excluded.kind, name_zh = excluded.name_zh, \
         name_en = excluded.name_en, about = excluded.about, capacity = excluded.capacity, max_hours = excluded.max_hours, \
         approval = excluded.approval, retired_at = excluded.retired_at RETURNING id",
    )
    .bind(community)
    .bind(&d.code)
    .bind(d.kind)
    .bind(&d.name_zh)
    .bind(&d.name_en)
    .bind(&d.about)
    .bind(d.capacity)
    .bind(d.max_hours)
    .bind(i64::from(d.approval))
    .bind(retired.then_some(now))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE space_slots SET capacity = $1 WHERE space_id = $2 AND starts_at > $3 AND taken <= $1")
        .bind(d.capacity)
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A resident's account is deleted: upcoming bookings are cancelled (their places freed)
/// and what they wrote is forgotten.
pub async fn forget_booker(tx: &mut Tx, user: i64) -> Result<(), AppError> {
    let now = Millis::now().0;
    let holding: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, space_id, starts_at, ends_at FROM space_bookings WHERE resident_id = $1 AND status IN ('pending', 'approved') AND starts_at > $2",
    )
    .bind(user)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    for (id, space, start, end) in holding {
        sqlx::query("UPDATE space_bookings SET status = 'cancelled', cancelled_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        release(tx, space, start, end).await?;
    }
    sqlx::query("UPDATE space_bookings SET purpose = '-' WHERE resident_id = $1").bind(user).execute(&mut **tx).await?;
    Ok(())
}

/// The demo station's rooms and things (once per community that has none).
pub async fn seed_demo_spaces(store: &Store) -> Result<(), AppError> {
    let communities: Vec<i64> = sqlx::query_scalar(
        "SELECT r.id FROM regions r WHERE r.level = 'community' AND r.code IN ('qianggen', 'hetaoyuan') \
         AND NOT EXISTS (SELECT 1 FROM spaces s WHERE s.community_id = r.id)",
    )
    .fetch_all(store.pool())
    .await?;
    let now = Millis::now().0;
    let demo: [(&str, &str, &str, &str, &str, i64, i64, i64); 4] = [
        ("activity-room", "room", "活动室", "Activity room", "约 40 平方米，可容纳 30 人，有投影和音箱。", 1, 4, 1),
        ("meeting-room", "room", "议事厅", "Meeting room", "12 人会议桌，居民议事、小组活动可用。", 1, 3, 1),
        (
            "tool-cabinet",
            "thing",
            "共享工具柜",
            "Shared tool cabinet",
            "电钻、梯子、扳手等，共 3 套，用后请归还。",
            3,
            4,
            0,
        ),
        ("emergency-kit", "thing", "应急包", "Emergency kit", "急救包、手电、雨衣，突发情况时可借用。", 1, 8, 0),
    ];
    let mut tx = store.write().await?;
    for c in communities {
        for (code, kind, zh, en, about, capacity, max_hours, approval) in demo {
            sqlx::query(
                "INSERT INTO spaces (community_id, code, kind, name_zh, name_en, about, capacity, max_hours, approval, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(c)
            .bind(code)
            .bind(kind)
            .bind(zh)
            .bind(en)
            .bind(about)
            .bind(capacity)
            .bind(max_hours)
            .bind(approval)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
