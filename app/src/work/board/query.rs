//! The board's queries: the station's open items with counters, and a department's whistles.

use super::super::api::{Board, BoardFilter, BoardLine, DepartmentLine};
use crate::auth::SessionUser;
use crate::error::AppError;
use crate::i18n::Named;
use crate::store::{Millis, Store};
use crate::work::rules::{State, Triage, Urgency};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    demand_id: i64,
    version: i64,
    state: State,
    description: String,
    affair_zh: Option<String>,
    affair_en: Option<String>,
    family: Option<String>,
    urgency: Urgency,
    triage: Triage,
    area_zh: Option<String>,
    area_en: Option<String>,
    assignee: Option<String>,
    assignee_id: Option<i64>,
    channel: String,
    created_at: i64,
    respond_by: i64,
    complete_by: i64,
    first_response_at: Option<i64>,
    whistles_waiting: i64,
    whistles_checked_in: i64,
    whistles_late: i64,
    remote_retrying: i64,
    thread_id: Option<i64>,
    urge_waiting: i64,
    joined: i64,
}

/// Lines a page of the board shows.
const PAGE: usize = 50;

/// The next deadline of an item: its answer while unanswered, then its completion. The
/// expression of the index `work_items_next_due`, so the planner uses the index.
const NEXT_DUE: &str = "(CASE WHEN w.first_response_at IS NULL THEN w.respond_by ELSE w.complete_by END)";

/// Where a page starts: open items go by (next deadline, id) ascending; other views by id,
/// newest first. Anything else in the cursor is a bad request, never a guess.
enum Bound {
    Text(String),
    Int(i64),
}

enum Cursor {
    Due(i64, i64),
    Id(i64),
}

fn parse_cursor(s: &str, open: bool) -> Result<Cursor, AppError> {
    let bad = || AppError::BadRequest;
    if open {
        let (due, id) = s.split_once('.').ok_or_else(bad)?;
        Ok(Cursor::Due(due.parse().map_err(|_| bad())?, id.parse().map_err(|_| bad())?))
    } else {
        Ok(Cursor::Id(s.parse().map_err(|_| bad())?))
    }
}

/// The overdue test (`work::rules::is_overdue`) as a range of the open-items index: an open
/// item is overdue when its next deadline has passed, since a completion deadline never
/// comes before the response deadline (the rules and `amend` keep it so). Bound: `$2` = now.
const OVERDUE: &str = "(w.state NOT IN ('resolved', 'closed', 'withdrawn') AND \
     (CASE WHEN w.first_response_at IS NULL THEN w.respond_by ELSE w.complete_by END) < $2)";

pub async fn board(store: &Store, user: &SessionUser, f: &BoardFilter) -> Result<Board, AppError> {
    let now = Millis::now().0;
    let mut sql = String::from(
        "SELECT w.id, w.demand_id, w.version, w.state, d.description, a.name_zh AS affair_zh, a.name_en AS affair_en, \
         a.family, d.urgency, w.triage, g.name_zh AS area_zh, g.name_en AS area_en, u.display_name AS assignee, w.assignee_id, \
         d.channel, d.created_at, w.respond_by, w.complete_by, w.first_response_at, \
         (SELECT COUNT(*) FROM whistles h WHERE h.work_item_id = w.id AND h.reported_at IS NULL) AS whistles_waiting, \
         (SELECT COUNT(*) FROM whistles h WHERE h.work_item_id = w.id AND h.reported_at IS NULL \
            AND h.checked_in_at IS NOT NULL) AS whistles_checked_in, \
         (SELECT COUNT(*) FROM whistles h WHERE h.work_item_id = w.id AND h.checked_in_at IS NULL \
            AND h.checkin_by < $2) AS whistles_late, \
         (SELECT COUNT(*) FROM open311_outbox o WHERE o.work_item_id = w.id AND o.state = 'pending' \
            AND o.attempts > 0) AS remote_retrying, \
         (SELECT t.id FROM threads t WHERE t.work_item_id = w.id) AS thread_id, \
         (SELECT COUNT(*) FROM urges x WHERE x.work_item_id = w.id AND x.answered_at IS NULL) AS urge_waiting, \
         (SELECT COUNT(*) FROM co_requesters c WHERE c.demand_id = w.demand_id) AS joined \
         FROM work_items w JOIN demands d ON d.id = w.demand_id LEFT JOIN affairs a ON a.id = d.affair_id \
         LEFT JOIN grid_areas g ON g.id = w.grid_area_id LEFT JOIN users u ON u.id = w.assignee_id \
         WHERE w.community_id = $1 AND $2 = $2",
    );
    // Every value is bound, never written into the statement: one prepared statement per
    // shape of filter, however many pages are read.
    let mut binds: Vec<Bound> = Vec::new();
    let mut n = 2;
    // Open items (the default, or one open state) are a page of the open-items index.
    let open = match f.state.as_deref().filter(|s| !s.is_empty()) {
        None => true,
        Some("all") => false,
        Some(s) => State::parse(s).ok_or(AppError::BadRequest)?.is_open(),
    };
    if open {
        sql.push_str(" AND w.state NOT IN ('resolved', 'closed', 'withdrawn')");
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty() && *s != "all") {
        let s = State::parse(s).ok_or(AppError::BadRequest)?;
        n += 1;
        sql.push_str(&format!(" AND w.state = ${n}"));
        binds.push(Bound::Text(s.as_str().to_string()));
    }
    let due = NEXT_DUE;
    match f.after.as_deref().filter(|s| !s.is_empty()).map(|s| parse_cursor(s, open)).transpose()? {
        Some(Cursor::Due(d, id)) => {
            sql.push_str(&format!(" AND ({due} > ${a} OR ({due} = ${a} AND w.id > ${b}))", a = n + 1, b = n + 2));
            n += 2;
            binds.extend([Bound::Int(d), Bound::Int(id)]);
        }
        Some(Cursor::Id(id)) => {
            n += 1;
            sql.push_str(&format!(" AND w.id < ${n}"));
            binds.push(Bound::Int(id));
        }
        None => {}
    }
    if let Some(area) = f.area.as_deref().filter(|s| !s.is_empty()) {
        n += 1;
        sql.push_str(&format!(" AND g.code = ${n}"));
        binds.push(Bound::Text(area.to_string()));
    }
    if let Some(family) = f.family.as_deref().filter(|s| !s.is_empty()) {
        n += 1;
        sql.push_str(&format!(" AND a.family = ${n}"));
        binds.push(Bound::Text(family.to_string()));
    }
    if let Some(urgency) = f.urgency.as_deref().filter(|s| !s.is_empty()) {
        n += 1;
        sql.push_str(&format!(" AND d.urgency = ${n}"));
        binds.push(Bound::Text(urgency.to_string()));
    }
    if f.overdue {
        sql.push_str(&format!(" AND {OVERDUE}"));
    }
    if f.mine {
        sql.push_str(&format!(" AND w.assignee_id = {}", user.id));
    }
    // Open items: the nearest deadline first (the overdue ones are past theirs); the rest
    // newest first. One more line than a page tells whether there is a next one.
    if open {
        sql.push_str(&format!(" ORDER BY {due}, w.id LIMIT {}", PAGE + 1));
    } else {
        sql.push_str(&format!(" ORDER BY w.id DESC LIMIT {}", PAGE + 1));
    }
    let mut q = sqlx::query_as::<_, Row>(&sql).bind(user.region_id).bind(now);
    for b in binds {
        q = match b {
            Bound::Text(t) => q.bind(t),
            Bound::Int(i) => q.bind(i),
        };
    }
    let mut rows = q.fetch_all(store.pool()).await?;
    let next = if rows.len() > PAGE {
        rows.truncate(PAGE);
        rows.last().map(|r| {
            if open {
                let due = if r.first_response_at.is_none() { r.respond_by } else { r.complete_by };
                format!("{due}.{}", r.id)
            } else {
                r.id.to_string()
            }
        })
    } else {
        None
    };
    let lines = rows
        .into_iter()
        .map(|r| {
            let state = r.state;
            let due_is_response = r.first_response_at.is_none();
            let due = if due_is_response { r.respond_by } else { r.complete_by };
            let title = crate::work::rules::headline(&r.description, 40);
            BoardLine {
                item_id: r.id,
                demand_id: r.demand_id,
                thread_id: r.thread_id,
                version: r.version,
                state,
                title,
                affair: r.affair_zh.zip(r.affair_en).map(|(zh, en)| Named { zh, en }),
                family: r.family,
                urgency_emergency: r.urgency == Urgency::Emergency,
                triage_transfer: r.triage == Triage::Transfer,
                area: r.area_zh.zip(r.area_en).map(|(zh, en)| Named { zh, en }),
                assignee: r.assignee,
                mine: r.assignee_id == Some(user.id),
                channel: r.channel,
                posted: crate::time::format_local(r.created_at),
                due_in_ms: due - now,
                due_is_response,
                overdue: crate::work::rules::is_overdue(state, r.first_response_at, r.respond_by, r.complete_by, now),
                whistles_waiting: r.whistles_waiting,
                whistles_checked_in: r.whistles_checked_in,
                whistles_late: r.whistles_late,
                remote_retrying: r.remote_retrying > 0,
                urged: r.urge_waiting > 0,
                joined: r.joined.max(0) as u32,
            }
        })
        .collect();
    // Kept by the only writer of work items: no count over the community's history.
    let counts: Vec<(State, i64)> =
        sqlx::query_as("SELECT state, items FROM board_counts WHERE community_id = $1 AND items > 0")
            .bind(user.region_id)
            .fetch_all(store.pool())
            .await?;
    let overdue: i64 =
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM work_items w WHERE w.community_id = $1 AND {OVERDUE}"))
            .bind(user.region_id)
            .bind(now)
            .fetch_one(store.pool())
            .await?;
    let areas: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, name_zh, name_en FROM grid_areas WHERE community_id = $1 ORDER BY code")
            .bind(user.region_id)
            .fetch_all(store.pool())
            .await?;
    let on_duty: i64 =
        sqlx::query_scalar("SELECT on_duty FROM users WHERE id = $1").bind(user.id).fetch_one(store.pool()).await?;
    Ok(Board {
        counts,
        overdue,
        lines,
        areas: areas.into_iter().map(|(code, zh, en)| (code, Named { zh, en })).collect(),
        on_duty: on_duty == 1,
        can_urge: user.role == crate::auth::Role::Stationmaster,
        next,
    })
}

/// Whistles to the liaison's department that still wait for its report.
pub async fn department(store: &Store, user: &SessionUser) -> Result<Vec<DepartmentLine>, AppError> {
    let rows: Vec<(i64, i64, String, String, String, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT h.id, h.work_item_id, d.description, c.name_zh, c.name_en, h.summoned_at, h.checkin_by, h.checked_in_at \
         FROM whistles h JOIN work_items w ON w.id = h.work_item_id JOIN demands d ON d.id = w.demand_id \
         JOIN regions c ON c.id = w.community_id \
         WHERE h.department_id = $1 AND h.reported_at IS NULL ORDER BY h.checkin_by",
    )
    .bind(user.department_id.unwrap_or(-1))
    .fetch_all(store.pool())
    .await?;
    let now = Millis::now().0;
    Ok(rows
        .into_iter()
        .map(|(whistle_id, item_id, description, zh, en, summoned, checkin_by, checked_in)| DepartmentLine {
            whistle_id,
            item_id,
            title: description.lines().next().unwrap_or("").chars().take(60).collect(),
            community: Named { zh, en },
            summoned: crate::time::format_local(summoned),
            checkin_by: crate::time::format_local(checkin_by),
            checked_in: checked_in.is_some(),
            late: checked_in.is_none() && now > checkin_by,
        })
        .collect())
}
