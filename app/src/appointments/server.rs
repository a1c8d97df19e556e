//! Server side of appointments: the station's hours and capacity, free slots, booking with
//! the rules and a conditional update per grid slot, cancellation, the staff day, ICS files
//! and reminders.

use super::rules::{self, Held, Opening, Refusal, Slot};
use super::*;
use crate::auth::rules::mask_phone;
use crate::auth::{Role, SessionUser};
use crate::demands::file::{file_case, NewCase};
use crate::demands::Channel;
use crate::form::key::IdempotencyKey;
use crate::i18n::T;
use crate::notifications::{server::send, server::Send, Kind};
use crate::store::{Millis, Store, Tx};
use crate::time::format_local;
use crate::work::rules::{AffairLimits, ItemKind, Mode, Place};
use crate::work::server::WorkTx;
use chrono::{Duration, NaiveDate, NaiveTime};

/// Monday to Friday 9:00–12:00 and 13:30–17:00, Saturday 9:00–12:00: a station without its
/// own hours keeps these.
fn default_hours() -> Vec<Opening> {
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
    let mut out = Vec::new();
    for weekday in 0..5 {
        out.push(Opening { weekday, opens: t(9, 0), closes: t(12, 0) });
        out.push(Opening { weekday, opens: t(13, 30), closes: t(17, 0) });
    }
    out.push(Opening { weekday: 5, opens: t(9, 0), closes: t(12, 0) });
    out
}

pub async fn hours(store: &Store, community: i64) -> Result<Vec<Opening>, AppError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT weekday, opens, closes FROM station_hours WHERE community_id = $1 ORDER BY weekday, opens",
    )
    .bind(community)
    .fetch_all(store.pool())
    .await?;
    if rows.is_empty() {
        return Ok(default_hours());
    }
    Ok(rows
        .into_iter()
        .filter_map(|(w, o, c)| {
            Some(Opening {
                weekday: w as u32,
                opens: NaiveTime::parse_from_str(&o, "%H:%M").ok()?,
                closes: NaiveTime::parse_from_str(&c, "%H:%M").ok()?,
            })
        })
        .collect())
}

async fn closed_days(store: &Store, community: i64) -> Result<Vec<(NaiveDate, String)>, AppError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT day, reason FROM closed_days WHERE community_id = $1 ORDER BY day")
            .bind(community)
            .fetch_all(store.pool())
            .await?;
    Ok(rows.into_iter().filter_map(|(d, r)| Some((NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()?, r))).collect())
}

/// Places per grid slot: the station's setting, or its general social workers on duty.
pub async fn capacity(store: &Store, community: i64) -> Result<(i64, Option<i64>), AppError> {
    let setting: Option<Option<i64>> =
        sqlx::query_scalar("SELECT slot_capacity FROM community_settings WHERE community_id = $1")
            .bind(community)
            .fetch_optional(store.pool())
            .await?;
    let setting = setting.flatten();
    let on_duty: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE region_id = $1 AND role = 'social_worker' AND on_duty = 1 AND disabled_at IS NULL",
    )
    .bind(community)
    .fetch_one(store.pool())
    .await?;
    Ok((setting.unwrap_or(on_duty.max(1)), setting))
}

#[derive(sqlx::FromRow)]
struct AffairRow {
    id: i64,
    code: String,
    name_zh: String,
    name_en: String,
    documents_zh: String,
    documents_en: String,
    slot_minutes: i64,
}

/// Affairs the station serves at its window (on the spot, or documents then submission).
const BOOKABLE: &str = "SELECT id, code, name_zh, name_en, documents_zh, documents_en, slot_minutes FROM affairs \
     WHERE community_id = $1 AND retired_at IS NULL AND mode IN ('on_the_spot', 'submit_upward')";

/// "身份证、户口本" → a checklist; "无" → nothing to bring.
fn checklist(zh: &str, en: &str) -> Vec<Named> {
    let split = |s: &str| -> Vec<String> {
        s.split(['、', '；', ';', '，', ','])
            .map(|p| p.trim().trim_end_matches('。').trim_end_matches('.').to_string())
            .filter(|p| !p.is_empty() && p != "无" && !p.eq_ignore_ascii_case("none"))
            .collect()
    };
    let (zh, en) = (split(zh), split(en));
    zh.iter()
        .enumerate()
        .map(|(i, z)| Named { zh: z.clone(), en: en.get(i).cloned().unwrap_or_else(|| z.clone()) })
        .collect()
}

impl AffairRow {
    fn bookable(&self) -> BookableAffair {
        BookableAffair {
            code: self.code.clone(),
            name: Named { zh: self.name_zh.clone(), en: self.name_en.clone() },
            minutes: self.slot_minutes,
            documents: checklist(&self.documents_zh, &self.documents_en),
        }
    }
}

async fn affair(store: &Store, community: i64, code: &str) -> Result<Option<AffairRow>, AppError> {
    Ok(sqlx::query_as(&format!("{BOOKABLE} AND code = $2"))
        .bind(community)
        .bind(code)
        .fetch_optional(store.pool())
        .await?)
}

fn resident_only(user: &SessionUser) -> Result<i64, AppError> {
    if user.role != Role::Resident {
        return Err(AppError::Forbidden);
    }
    Ok(user.region_id)
}

async fn ban(store: &Store, resident: i64, now: i64) -> Result<Option<i64>, AppError> {
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
async fn taken(store: &Store, community: i64, from: i64, to: i64) -> Result<Vec<(i64, i64, i64)>, AppError> {
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
async fn free_days(store: &Store, community: i64, minutes: i64, now: i64) -> Result<Vec<DaySlots>, AppError> {
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

fn weekday_zh(d: NaiveDate) -> &'static str {
    use chrono::Datelike;
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][d.weekday().num_days_from_monday() as usize]
}

async fn bookings_of(store: &Store, resident: i64, only: Option<i64>) -> Result<Vec<Booking>, AppError> {
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

fn refusal(r: Refusal) -> AppError {
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
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() || e.message().to_lowercase().contains("unique") => {
            return Err(refusal(Refusal::SameAffairSameDay));
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(id)
}

/// Takes one place in every grid slot of `slot`, or none (false: one of them is full).
async fn take(tx: &mut Tx, community: i64, slot: Slot, cap: i64) -> Result<bool, AppError> {
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

/// Served: the resident is invited to rate it (once per booking, whichever instance).
async fn invite_rating(tx: &mut Tx, resident: i64, id: i64, now: i64) -> Result<(), AppError> {
    let _ = now;
    let invite = Send::new(resident, Kind::RateInvite).link(format!("/appointments/{id}#rating"));
    send(tx, invite.once(format!("rate-appointment:{id}"))).await?;
    Ok(())
}

async fn release(tx: &mut Tx, community: i64, start: i64, end: i64) -> Result<(), AppError> {
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
async fn own_movable(
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

fn station_only(user: &SessionUser) -> Result<i64, AppError> {
    if !user.role.is_station_team() {
        return Err(AppError::Forbidden);
    }
    Ok(user.region_id)
}

pub async fn day(store: &Store, user: &SessionUser, date: &str) -> Result<StationDay, AppError> {
    let community = station_only(user)?;
    let now = Millis::now().0;
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").unwrap_or_else(|_| rules::local_date(now));
    let from = date
        .and_hms_opt(0, 0, 0)
        .and_then(|d| d.and_local_timezone(crate::time::beijing()).single())
        .map(|d| d.timestamp_millis())
        .unwrap_or(now);
    #[derive(sqlx::FromRow)]
    struct L {
        id: i64,
        starts_at: i64,
        display_name: String,
        phone: String,
        name_zh: Option<String>,
        name_en: Option<String>,
        status: String,
        walk_in: i64,
        demand_id: Option<i64>,
    }
    let rows: Vec<L> = sqlx::query_as(
        "SELECT p.id, p.starts_at, u.display_name, u.phone, a.name_zh, a.name_en, p.status, p.walk_in, w.demand_id \
         FROM appointments p JOIN users u ON u.id = p.resident_id LEFT JOIN affairs a ON a.id = p.affair_id \
         LEFT JOIN work_items w ON w.id = p.work_item_id \
         WHERE p.community_id = $1 AND p.starts_at >= $2 AND p.starts_at < $3 AND p.status <> 'cancelled' ORDER BY p.starts_at, p.id",
    )
    .bind(community)
    .bind(from)
    .bind(from + 86_400_000)
    .fetch_all(store.pool())
    .await?;
    let (cap, setting) = capacity(store, community).await?;
    let names = ["一", "二", "三", "四", "五", "六", "日"];
    let hours = hours(store, community)
        .await?
        .into_iter()
        .map(|h| format!("{} {}-{}", h.weekday + 1, h.opens.format("%H:%M"), h.closes.format("%H:%M")))
        .collect::<Vec<_>>();
    let _ = names;
    let affairs: Vec<AffairRow> =
        sqlx::query_as(&format!("{BOOKABLE} ORDER BY family, id")).bind(community).fetch_all(store.pool()).await?;
    Ok(StationDay {
        date: date.format("%Y-%m-%d").to_string(),
        lines: rows
            .into_iter()
            .map(|r| DayLine {
                id: r.id,
                time: crate::time::to_local(r.starts_at).format("%H:%M").to_string(),
                resident: r.display_name,
                phone: mask_phone(&r.phone),
                affair: r.name_zh.zip(r.name_en).map(|(zh, en)| Named { zh, en }),
                status: r.status,
                walk_in: r.walk_in == 1,
                started: now >= r.starts_at,
                demand_id: r.demand_id,
            })
            .collect(),
        capacity: cap,
        capacity_setting: setting,
        hours,
        closed: closed_days(store, community)
            .await?
            .into_iter()
            .map(|(d, r)| (d.format("%Y-%m-%d").to_string(), r))
            .collect(),
        durations: affairs.iter().filter(|a| a.slot_minutes != 30).map(|a| (a.code.clone(), a.slot_minutes)).collect(),
        affairs: affairs.into_iter().map(|a| (a.code, Named { zh: a.name_zh, en: a.name_en })).collect(),
    })
}

pub async fn mark(store: &Store, user: &SessionUser, id: i64, mark: &str) -> Result<String, AppError> {
    let community = station_only(user)?;
    let row: Option<(i64, i64, i64, String, Option<i64>, i64, Option<i64>)> = sqlx::query_as(
        "SELECT resident_id, starts_at, ends_at, status, affair_id, community_id, work_item_id FROM appointments WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    let (resident, start, end, status, affair, c, item) = row.ok_or(AppError::NotFound)?;
    if c != community {
        return Err(AppError::NotFound);
    }
    let now = Millis::now().0;
    let date = rules::local_date(start).format("%Y-%m-%d").to_string();
    let mut w = WorkTx::begin(store).await?;
    match mark {
        "arrived" | "no_show" => {
            if status != "booked" {
                return Err(AppError::WrongState);
            }
            if mark == "no_show" && now < start {
                return Err(AppError::invalid("mark", T::ErrNotStartedYet));
            }
            sqlx::query("UPDATE appointments SET status = $1, marked_at = $2, marked_by = $3 WHERE id = $4 AND status = 'booked'")
                .bind(mark)
                .bind(now)
                .bind(user.id)
                .bind(id)
                .execute(&mut **w.tx())
                .await?;
            if mark == "no_show" {
                // The place was kept for nobody; it is not given back (the time has passed).
                let _ = end;
            } else {
                invite_rating(w.tx(), resident, id, now).await?;
            }
        }
        "follow_up" => {
            if item.is_some() {
                return Err(AppError::WrongState);
            }
            follow_up(&mut w, user, community, resident, affair, id, now).await?;
        }
        _ => return Err(AppError::BadRequest),
    }
    w.commit(store).await?;
    Ok(date)
}

/// "转为工单": the served visit becomes a work item (a private case at the resident's home,
/// routed and due by its affair), linked from the booking.
async fn follow_up(
    w: &mut WorkTx,
    user: &SessionUser,
    community: i64,
    resident: i64,
    affair: Option<i64>,
    id: i64,
    now: i64,
) -> Result<(), AppError> {
    let building: Option<i64> = sqlx::query_scalar("SELECT building_id FROM users WHERE id = $1")
        .bind(resident)
        .fetch_one(&mut **w.tx())
        .await?;
    let text = "预约办理后续跟进 Follow-up of an appointment".to_string();
    let key = IdempotencyKey::internal(format!("appointment-{id}-follow-up"));
    let mut case =
        NewCase::new(community, resident, user.id, Channel::WalkIn, ItemKind::Demand, text, Place::Home, key, now);
    case.building_id = building;
    if let Some(a) = affair {
        let (mode, response_hours, completion_hours): (Mode, i64, i64) =
            sqlx::query_as("SELECT mode, response_hours, completion_hours FROM affairs WHERE id = $1")
                .bind(a)
                .fetch_one(&mut **w.tx())
                .await?;
        case.affair = Some(a);
        case.mode = Some(mode);
        case.limits = Some(AffairLimits { response_hours, completion_hours });
    }
    let filed = file_case(w, case).await?.ok_or(AppError::Conflict)?;
    sqlx::query("UPDATE appointments SET work_item_id = $1 WHERE id = $2")
        .bind(filed.item)
        .bind(id)
        .execute(&mut **w.tx())
        .await?;
    Ok(())
}

pub async fn walk_in(store: &Store, user: &SessionUser, phone: &str, code: &str) -> Result<String, AppError> {
    let community = station_only(user)?;
    let phone = crate::auth::rules::normalise_phone(phone).map_err(|p| AppError::invalid("phone", p))?;
    let resident: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE phone = $1 AND region_id = $2 AND role = 'resident'")
            .bind(&phone)
            .bind(community)
            .fetch_optional(store.pool())
            .await?;
    let resident = resident.ok_or(AppError::invalid("phone", T::ErrUnknownResident))?;
    let affair = affair(store, community, code).await?;
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO appointments (community_id, resident_id, booked_by, affair_id, starts_at, ends_at, day, status, walk_in, \
         idempotency_key, created_at, marked_at, marked_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'arrived', 1, $8, $5, $5, $3) RETURNING id",
    )
    .bind(community)
    .bind(resident)
    .bind(user.id)
    .bind(affair.as_ref().map(|a| a.id))
    .bind(now)
    .bind(now + affair.as_ref().map(|a| a.slot_minutes).unwrap_or(30) * 60_000)
    .bind(rules::local_date(now).format("%Y-%m-%d").to_string())
    .bind(format!("walk-in-{}", crate::security::new_token()))
    .fetch_one(&mut *tx)
    .await?;
    invite_rating(&mut tx, resident, id, now).await?;
    tx.commit().await?;
    Ok(rules::local_date(now).format("%Y-%m-%d").to_string())
}

pub async fn save_settings(
    store: &Store,
    user: &SessionUser,
    capacity: &str,
    hours: &str,
    closed: &str,
    durations: &str,
) -> Result<(), AppError> {
    let community = station_only(user)?;
    if !matches!(user.role, Role::Stationmaster | Role::Dispatcher) {
        return Err(AppError::Forbidden);
    }
    let mut p = crate::error::Problems::default();
    let cap = match capacity.trim() {
        "" => None,
        c => match c.parse::<i64>().ok().filter(|n| (1..=500).contains(n)) {
            Some(n) => Some(n),
            None => {
                p.add("capacity", T::ErrCapacity);
                None
            }
        },
    };
    let mut periods = Vec::new();
    for line in hours.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parsed = line.split_once(char::is_whitespace).and_then(|(w, span)| {
            let w = w.trim().parse::<i64>().ok().filter(|w| (1..=7).contains(w))?;
            let (o, c) = span.trim().split_once('-')?;
            let (o, c) = (
                NaiveTime::parse_from_str(o.trim(), "%H:%M").ok()?,
                NaiveTime::parse_from_str(c.trim(), "%H:%M").ok()?,
            );
            (o < c).then_some((w - 1, o, c))
        });
        match parsed {
            Some(x) => periods.push(x),
            None => p.add("hours", T::ErrHoursFormat),
        }
    }
    let mut days = Vec::new();
    for line in closed.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (d, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) => days.push((d, reason.trim().chars().take(50).collect::<String>())),
            Err(_) => p.add("closed", T::ErrClosedFormat),
        }
    }
    let bookable: Vec<AffairRow> =
        sqlx::query_as(&format!("{BOOKABLE} ORDER BY id")).bind(community).fetch_all(store.pool()).await?;
    let mut lengths = Vec::new();
    for line in durations.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parsed = line.split_once(char::is_whitespace).and_then(|(code, m)| {
            let m = m.trim().parse::<i64>().ok().filter(|m| [30, 60, 90, 120].contains(m))?;
            bookable.iter().any(|a| a.code == code.trim()).then(|| (code.trim().to_string(), m))
        });
        match parsed {
            Some(x) => lengths.push(x),
            None => p.add("durations", T::ErrDurations),
        }
    }
    p.into_result()?;
    let mut tx = store.write().await?;
    crate::affairs::server::set_appointment_lengths(&mut tx, community, &lengths).await?;
    let setting = crate::community::server::Setting::SlotCapacity(cap);
    crate::community::server::save_setting(&mut tx, community, setting, user.id).await?;
    sqlx::query("DELETE FROM station_hours WHERE community_id = $1").bind(community).execute(&mut *tx).await?;
    for (w, o, c) in periods {
        sqlx::query("INSERT INTO station_hours (community_id, weekday, opens, closes) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(community)
            .bind(w)
            .bind(o.format("%H:%M").to_string())
            .bind(c.format("%H:%M").to_string())
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM closed_days WHERE community_id = $1").bind(community).execute(&mut *tx).await?;
    for (d, r) in days {
        sqlx::query("INSERT INTO closed_days (community_id, day, reason) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(community)
            .bind(d.format("%Y-%m-%d").to_string())
            .bind(r)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Reminders 24 h and 2 h before, once each however many instances run the job.
pub async fn remind(store: &Store, now: i64) -> Result<usize, AppError> {
    let due: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT id, resident_id, starts_at FROM appointments WHERE status = 'booked' AND starts_at > $1 AND starts_at <= $2",
    )
    .bind(now)
    .bind(now + 24 * 3_600_000)
    .fetch_all(store.pool())
    .await?;
    let mut sent = 0;
    for (id, resident, start) in due {
        let Some(which) = rules::reminder_due(start, now) else { continue };
        let mut tx = store.write().await?;
        let when = format_local(start);
        let n = Send::new(resident, Kind::AppointmentReminder).detail(&when).link(format!("/appointments/{id}"));
        let done = send(&mut tx, n.once(format!("appointment-{id}-{which}"))).await?;
        tx.commit().await?;
        sent += done as usize;
    }
    Ok(sent)
}

/// The calendar file of a booking (RFC 5545): local times with `TZID=Asia/Shanghai` and the
/// zone's definition (UTC+8, no daylight saving since 1991).
pub fn ics(id: i64, start: i64, end: i64, summary: &str, location: &str, description: &str) -> String {
    use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike};
    let local = |ms: i64| CalendarDateTime::WithTimezone {
        date_time: crate::time::to_local(ms).naive_local(),
        tzid: "Asia/Shanghai".to_string(),
    };
    let event = Event::new()
        .uid(&format!("appointment-{id}@mycommunity"))
        .summary(summary)
        .location(location)
        .description(description)
        .starts(local(start))
        .ends(local(end))
        .timestamp(chrono::Utc::now())
        .done();
    let text = Calendar::new().name("我的社区 My Community").timezone("Asia/Shanghai").push(event).done().to_string();
    // The crate has no VTIMEZONE builder; the definition goes before the first component.
    const ZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
        TZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nTZNAME:CST\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
    text.replacen("BEGIN:VEVENT", &format!("{ZONE}BEGIN:VEVENT"), 1)
}

/// `GET /appointments/{id}/ics`, for the resident it is for and the station.
pub async fn booking_ics(
    axum::extract::State(store): axum::extract::State<Store>,
    axum::Extension(viewer): axum::Extension<crate::auth::server::Viewer>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let Some(user) = viewer.0 else { return StatusCode::NOT_FOUND.into_response() };
    let row: Option<(i64, i64, i64, i64, Option<String>, Option<String>, String)> = sqlx::query_as(
        "SELECT p.resident_id, p.community_id, p.starts_at, p.ends_at, a.name_zh, a.documents_zh, r.name_zh \
         FROM appointments p LEFT JOIN affairs a ON a.id = p.affair_id JOIN regions r ON r.id = p.community_id WHERE p.id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await
    .ok()
    .flatten();
    let Some((resident, community, start, end, affair, documents, place)) = row else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let allowed = resident == user.id || (user.role.is_station_team() && user.region_id == community);
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    let body = ics(
        id,
        start,
        end,
        &format!("社区服务站预约：{}", affair.unwrap_or_default()),
        &format!("{place}社区服务站"),
        &format!("请携带：{}", documents.unwrap_or_default()),
    );
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"appointment-{id}.ics\"")),
        ],
        body,
    )
        .into_response()
}

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
