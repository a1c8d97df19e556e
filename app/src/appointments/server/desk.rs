//! The station's day: bookings by time, check-in, no-show, walk-ins and the follow-up work item; the settings.

use super::*;

/// Served: the resident is invited to rate it (once per booking, whichever instance).
pub(super) async fn invite_rating(tx: &mut Tx, resident: i64, id: i64) -> Result<(), AppError> {
    let invite = Send::new(resident, Kind::RateInvite).link(format!("/appointments/{id}#rating"));
    send(tx, invite.once(format!("rate-appointment:{id}"))).await?;
    Ok(())
}

pub(super) fn station_only(user: &SessionUser) -> Result<i64, AppError> {
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
                invite_rating(w.tx(), resident, id).await?;
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
pub(super) async fn follow_up(
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
    invite_rating(&mut tx, resident, id).await?;
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
