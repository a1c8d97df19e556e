//! Server side of household visits: the register, coverage by grid area, rounds, visits,
//! care flags with their change log. The station team of the community only.

use super::rules::{self, CareFlag, RoundEntry, Topic};
use super::*;
use crate::auth::SessionUser;
use crate::error::FieldError;
use crate::i18n::T;
use crate::store::{Millis, Store};
use crate::time::format_local;
use chrono::NaiveDate;

fn station_only(user: &SessionUser) -> Result<i64, AppError> {
    if !user.role.is_station_team() {
        return Err(AppError::Forbidden);
    }
    Ok(user.region_id)
}

fn today() -> NaiveDate {
    crate::appointments::rules::local_date(Millis::now().0)
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn address(building: &str, unit: &str, room: &str) -> String {
    format!("{building} {unit}单元 {room}")
}

/// Stored flags, strictly: an unknown code is a bad row, not a missing flag.
fn care_of(stored: &str) -> Result<Vec<CareFlag>, AppError> {
    rules::parse_flags(stored, CareFlag::parse).map_err(|code| {
        tracing::error!(code, "unknown care flag in households.care");
        AppError::Internal
    })
}

pub async fn overview(
    store: &Store,
    user: &SessionUser,
    area: Option<String>,
    building: Option<String>,
) -> Result<RoundsPage, AppError> {
    let community = station_only(user)?;
    let today = today();
    let quarter = rules::quarter_start(today);
    let rows: Vec<(i64, String, String, String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT g.id, g.code, g.name_zh, g.name_en, COUNT(h.id), \
         COALESCE(SUM(CASE WHEN v.household_id IS NOT NULL THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN h.care <> '' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN h.care <> '' AND v.household_id IS NOT NULL THEN 1 ELSE 0 END), 0) \
         FROM grid_areas g LEFT JOIN buildings b ON b.grid_area_id = g.id LEFT JOIN households h ON h.building_id = b.id \
         LEFT JOIN (SELECT DISTINCT household_id FROM household_visits WHERE community_id = $1 AND visited_on >= $2) v \
           ON v.household_id = h.id \
         WHERE g.community_id = $1 GROUP BY g.id, g.code, g.name_zh, g.name_en ORDER BY g.code",
    )
    .bind(community)
    .bind(day(quarter))
    .fetch_all(store.pool())
    .await?;
    let area_id = area.as_ref().and_then(|a| rows.iter().find(|r| &r.1 == a)).map(|r| r.0);
    if area.is_some() && area_id.is_none() {
        return Err(AppError::NotFound);
    }
    let areas = rows
        .into_iter()
        .map(|(_, code, zh, en, households, visited, cared_for, cared_for_visited)| AreaCoverage {
            code,
            name: Named { zh, en },
            households,
            visited,
            cared_for,
            cared_for_visited,
        })
        .collect();
    let Some(area_id) = area_id else {
        return Ok(RoundsPage {
            quarter: rules::quarter_label(today, true),
            areas,
            area: None,
            buildings: Vec::new(),
            building: None,
            lines: Vec::new(),
        });
    };
    let buildings: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, code, name_zh, name_en FROM buildings WHERE grid_area_id = $1 ORDER BY code LIMIT 500",
    )
    .bind(area_id)
    .fetch_all(store.pool())
    .await?;
    let building_id = building.as_ref().and_then(|b| buildings.iter().find(|r| &r.1 == b)).map(|r| r.0);
    if building.is_some() && building_id.is_none() {
        return Err(AppError::NotFound);
    }
    // One area's households (a few hundred): ordered here by the round's rule.
    #[derive(sqlx::FromRow)]
    struct L {
        id: i64,
        name_zh: String,
        unit_no: String,
        room: String,
        care: String,
        plan_on: Option<String>,
        last_visit: Option<String>,
        residents: i64,
    }
    let rows: Vec<L> = sqlx::query_as(
        "SELECT h.id, b.name_zh, h.unit_no, h.room, h.care, h.plan_on, \
         (SELECT MAX(v.visited_on) FROM household_visits v WHERE v.household_id = h.id) AS last_visit, \
         (SELECT COUNT(*) FROM users u WHERE u.building_id = h.building_id AND u.unit_no = h.unit_no AND u.room = h.room \
            AND u.role = 'resident' AND u.disabled_at IS NULL) AS residents \
         FROM households h JOIN buildings b ON b.id = h.building_id \
         WHERE b.grid_area_id = $1 AND ($2 = 0 OR h.building_id = $2) ORDER BY b.code, h.unit_no, h.room, h.id LIMIT 2000",
    )
    .bind(area_id)
    .bind(building_id.unwrap_or(0))
    .fetch_all(store.pool())
    .await?;
    let mut lines = Vec::with_capacity(rows.len());
    for r in rows {
        let care = care_of(&r.care)?;
        let entry = RoundEntry {
            planned: r.plan_on.as_deref().and_then(parse_day),
            cared_for: !care.is_empty(),
            last_visit: r.last_visit.as_deref().and_then(parse_day),
        };
        let line = HouseholdLine {
            id: r.id,
            address: address(&r.name_zh, &r.unit_no, &r.room),
            care,
            plan_on: r.plan_on,
            last_visit: r.last_visit,
            residents: r.residents,
        };
        lines.push((entry, line));
    }
    if building_id.is_none() {
        // The round: who to visit next, in the rule's order.
        lines.sort_by_key(|(e, _)| rules::round_key(e, quarter));
        lines.truncate(rules::ROUND_SIZE);
    }
    Ok(RoundsPage {
        quarter: rules::quarter_label(today, true),
        areas,
        area,
        buildings: buildings.into_iter().map(|(_, code, zh, en)| (code, Named { zh, en })).collect(),
        building,
        lines: lines.into_iter().map(|(_, l)| l).collect(),
    })
}

/// The household's row, if it is the station's: (building name, unit, room, area name, care, plan).
async fn own(
    store: &Store,
    community: i64,
    id: i64,
) -> Result<(String, String, String, String, String, Option<String>, i64, i64), AppError> {
    sqlx::query_as(
        "SELECT b.name_zh, h.unit_no, h.room, g.name_zh, h.care, h.plan_on, h.building_id, h.id FROM households h \
         JOIN buildings b ON b.id = h.building_id JOIN grid_areas g ON g.id = b.grid_area_id \
         WHERE h.id = $1 AND h.community_id = $2",
    )
    .bind(id)
    .bind(community)
    .fetch_optional(store.pool())
    .await?
    .ok_or(AppError::NotFound)
}

pub async fn household(store: &Store, user: &SessionUser, id: i64) -> Result<HouseholdPage, AppError> {
    let community = station_only(user)?;
    let (building, unit, room, area, care, plan_on, building_id, _) = own(store, community, id).await?;
    let residents: Vec<String> = sqlx::query_scalar(
        "SELECT display_name FROM users WHERE building_id = $1 AND unit_no = $2 AND room = $3 AND role = 'resident' \
         AND disabled_at IS NULL ORDER BY id LIMIT 20",
    )
    .bind(building_id)
    .bind(&unit)
    .bind(&room)
    .fetch_all(store.pool())
    .await?;
    let visits: Vec<(String, String, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT v.visited_on, u.display_name, v.topics, v.note, v.demand_id FROM household_visits v \
         JOIN users u ON u.id = v.visitor_id WHERE v.household_id = $1 ORDER BY v.visited_on DESC, v.id DESC LIMIT 50",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    let mut visit_lines = Vec::new();
    for (visited_on, visitor, topics, note, demand) in visits {
        let topics = rules::parse_flags(&topics, Topic::parse).map_err(|code| {
            tracing::error!(code, "unknown topic in household_visits.topics");
            AppError::Internal
        })?;
        visit_lines.push(VisitLine { visited_on, visitor, topics, note, demand });
    }
    let log: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT l.at, u.display_name, l.old_value, l.new_value FROM household_care_log l JOIN users u ON u.id = l.actor_id \
         WHERE l.household_id = $1 ORDER BY l.id DESC LIMIT 50",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    let mut care_log = Vec::new();
    for (at, by, before, after) in log {
        care_log.push(CareChange { at: format_local(at), by, before: care_of(&before)?, after: care_of(&after)? });
    }
    Ok(HouseholdPage {
        id,
        address: address(&building, &unit, &room),
        area,
        care: care_of(&care)?,
        plan_on,
        residents,
        visits: visit_lines,
        care_log,
        today: day(today()),
    })
}

#[allow(clippy::too_many_arguments)]
pub async fn record(
    store: &Store,
    user: &SessionUser,
    household: i64,
    visited_on: &str,
    topics: &[&str],
    note: &str,
    demand: &str,
    key: &str,
) -> Result<(), AppError> {
    let community = station_only(user)?;
    let key = crate::form::key::IdempotencyKey::parse(key)?;
    own(store, community, household).await?;
    let draft = rules::check_visit(visited_on, topics, note, demand, today())
        .map_err(|p| AppError::Invalid(p.into_iter().map(|(f, t)| FieldError::new(f, t)).collect()))?;
    if let Some(d) = draft.demand {
        // The follow-up case must be one of this community's.
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM demands WHERE id = $1 AND community_id = $2")
            .bind(d)
            .bind(community)
            .fetch_optional(store.pool())
            .await?;
        if found.is_none() {
            return Err(AppError::invalid("demand", T::ErrVisitDemand));
        }
    }
    let mut tx = store.write().await?;
    let inserted = sqlx::query(
        "INSERT INTO household_visits (household_id, community_id, visitor_id, visited_on, topics, note, demand_id, \
         idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(household)
    .bind(community)
    .bind(user.id)
    .bind(day(draft.visited_on))
    .bind(rules::join_topics(&draft.topics))
    .bind(&draft.note)
    .bind(draft.demand)
    .bind(key.as_str())
    .bind(Millis::now())
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        // The same form again (a retry): it was recorded once.
        Err(e) if crate::store::is_unique(&e) => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    // A plan kept by this visit is done.
    sqlx::query("UPDATE households SET plan_on = NULL WHERE id = $1 AND plan_on <= $2")
        .bind(household)
        .bind(day(draft.visited_on))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_care(store: &Store, user: &SessionUser, household: i64, chosen: &[&str]) -> Result<(), AppError> {
    let community = station_only(user)?;
    let flags: Option<Vec<CareFlag>> = chosen.iter().map(|c| CareFlag::parse(c.trim())).collect();
    let flags = flags.ok_or(AppError::invalid("care", T::ErrCareFlag))?;
    let after = rules::join_care(&flags);
    own(store, community, household).await?;
    let mut tx = store.write().await?;
    let before: String =
        sqlx::query_scalar("SELECT care FROM households WHERE id = $1").bind(household).fetch_one(&mut *tx).await?;
    // Set only from what was read in this transaction, and logged with it: the log never
    // misses a change, nor records one that did not happen.
    let changed = sqlx::query("UPDATE households SET care = $1 WHERE id = $2 AND care = $3")
        .bind(&after)
        .bind(household)
        .bind(&before)
        .execute(&mut *tx)
        .await?;
    if before == after {
        return Ok(());
    }
    if changed.rows_affected() == 0 {
        return Err(AppError::Conflict);
    }
    sqlx::query(
        "INSERT INTO household_care_log (household_id, actor_id, old_value, new_value, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(household)
    .bind(user.id)
    .bind(&before)
    .bind(&after)
    .bind(Millis::now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn plan(store: &Store, user: &SessionUser, household: i64, plan_on: &str) -> Result<(), AppError> {
    let community = station_only(user)?;
    let planned = rules::check_plan(plan_on, today()).map_err(|t| AppError::invalid("plan_on", t))?;
    own(store, community, household).await?;
    sqlx::query("UPDATE households SET plan_on = $1 WHERE id = $2")
        .bind(planned.map(day))
        .bind(household)
        .execute(store.pool())
        .await?;
    Ok(())
}

pub async fn add(
    store: &Store,
    user: &SessionUser,
    building: &str,
    unit_no: &str,
    room: &str,
) -> Result<i64, AppError> {
    let community = station_only(user)?;
    let clean = |s: &str| s.trim().chars().filter(|c| !c.is_control()).collect::<String>();
    let (unit_no, room) = (clean(unit_no), clean(room));
    let mut problems = Vec::new();
    let building_id: Option<i64> = sqlx::query_scalar("SELECT id FROM buildings WHERE community_id = $1 AND code = $2")
        .bind(community)
        .bind(building.trim())
        .fetch_optional(store.pool())
        .await?;
    if building_id.is_none() {
        problems.push(FieldError::new("building", T::ErrUnknownBuilding));
    }
    for (field, v) in [("unit_no", &unit_no), ("room", &room)] {
        if v.is_empty() || v.chars().count() > 10 {
            problems.push(FieldError::new(field, T::ErrHouseholdPart));
        }
    }
    let Some(building_id) = building_id.filter(|_| problems.is_empty()) else {
        return Err(AppError::Invalid(problems));
    };
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO households (community_id, building_id, unit_no, room, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (building_id, unit_no, room) DO NOTHING",
    )
    .bind(community)
    .bind(building_id)
    .bind(&unit_no)
    .bind(&room)
    .bind(Millis::now())
    .execute(&mut *tx)
    .await?;
    let id: i64 = sqlx::query_scalar("SELECT id FROM households WHERE building_id = $1 AND unit_no = $2 AND room = $3")
        .bind(building_id)
        .bind(&unit_no)
        .bind(&room)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds the addresses the community's residents registered with (one statement; addresses
/// already in the register are left as they are).
pub async fn import(store: &Store, user: &SessionUser) -> Result<u64, AppError> {
    let community = station_only(user)?;
    let mut tx = store.write().await?;
    let n = import_in(&mut tx, community).await?;
    tx.commit().await?;
    Ok(n)
}

async fn import_in(tx: &mut crate::store::Tx, community: i64) -> Result<u64, AppError> {
    let done = sqlx::query(
        "INSERT INTO households (community_id, building_id, unit_no, room, created_at) \
         SELECT DISTINCT u.region_id, u.building_id, u.unit_no, u.room, $2 FROM users u \
         WHERE u.region_id = $1 AND u.role = 'resident' AND u.building_id IS NOT NULL \
           AND u.unit_no IS NOT NULL AND u.unit_no <> '' AND u.room IS NOT NULL AND u.room <> '' \
         ON CONFLICT (building_id, unit_no, room) DO NOTHING",
    )
    .bind(community)
    .bind(Millis::now())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// The demo community's register, with one elderly resident living alone (once).
pub async fn seed_demo_households(store: &Store) -> Result<(), AppError> {
    let community: Option<i64> =
        sqlx::query_scalar("SELECT id FROM regions WHERE code = 'qianggen'").fetch_optional(store.pool()).await?;
    let Some(community) = community else { return Ok(()) };
    let mut tx = store.write().await?;
    if import_in(&mut tx, community).await? > 0 {
        sqlx::query(
            "UPDATE households SET care = 'alone_elderly' WHERE id = (SELECT h.id FROM households h JOIN users u \
             ON u.building_id = h.building_id AND u.unit_no = h.unit_no AND u.room = h.room WHERE u.phone = '13800000012')",
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
