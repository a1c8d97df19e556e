//! The `urges` table's one writer, and the supervision list. Who may do what: admins of a
//! subdistrict or of the district look over and urge the cases of the communities below
//! them; a community's station team answers. Everyone else gets 404 or 403, as for the case.

use super::rules::{check_answer, check_urge, end_of_day, urge_state, Filter};
use super::*;
use crate::auth::{Level, Role, SessionUser};
use crate::i18n::T;
use crate::paging::{Cursor, READ};
use crate::store::{Millis, Store};
use crate::time::format_local;
use crate::work::server::{item_for, Relation, WorkTx};

/// The unit an admin looks over; every other role is refused.
fn overseen(user: &SessionUser) -> Result<Level, AppError> {
    match user.role {
        Role::SubdistrictAdmin | Role::DistrictAdmin => Ok(user.role.home_level()),
        _ => Err(AppError::Forbidden),
    }
}

/// The communities below the admin's unit, as a subquery on `$1` (the unit).
const fn below(level: Level) -> &'static str {
    match level {
        Level::District => "SELECT c.id FROM regions c JOIN regions s ON s.id = c.parent_id WHERE s.parent_id = $1",
        _ => "SELECT c.id FROM regions c WHERE c.parent_id = $1",
    }
}

/// Each filter as a condition on `w` (the work item); `$2` is now. The rare ones name their
/// items from their own small tables (`w.id IN (…)`), so a page costs lookups by id rather
/// than a walk through the district's history.
fn condition(filter: Filter) -> &'static str {
    match filter {
        Filter::Overdue => {
            "w.state NOT IN ('resolved', 'closed', 'withdrawn') AND \
             (CASE WHEN w.first_response_at IS NULL THEN w.respond_by ELSE w.complete_by END) < $2"
        }
        Filter::Reopened => "w.state = 'reopened'",
        Filter::Dissatisfied => "w.id IN (SELECT r.work_item_id FROM ratings r WHERE r.overall <= 2)",
        Filter::WhistleLate => {
            "w.state NOT IN ('resolved', 'closed', 'withdrawn') AND w.id IN (SELECT h.work_item_id FROM whistles h \
             WHERE (h.checked_in_at IS NULL AND h.checkin_by < $2) OR (h.reported_at IS NULL AND h.report_by < $2))"
        }
        Filter::Urged => "w.id IN (SELECT u.work_item_id FROM urges u WHERE u.answered_at IS NULL)",
    }
}

/// The filters that match few items, found through their own tables.
fn rare(filter: Filter) -> bool {
    matches!(filter, Filter::Dissatisfied | Filter::WhistleLate | Filter::Urged)
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    demand_id: i64,
    community_zh: String,
    community_en: String,
    description: String,
    visibility: crate::work::rules::Visibility,
    affair_zh: Option<String>,
    affair_en: Option<String>,
    state: crate::work::rules::State,
    created_at: i64,
    first_response_at: Option<i64>,
    respond_by: i64,
    complete_by: i64,
    whistles_late: i64,
    rating: Option<i64>,
    urge_answer_by: Option<i64>,
    urge_answered_at: Option<i64>,
}

pub async fn cases(
    store: &Store,
    user: &SessionUser,
    filter: Filter,
    community: Option<&str>,
    before: Option<Cursor>,
) -> Result<CaseList, AppError> {
    let level = overseen(user)?;
    let unit: (String, String) = sqlx::query_as("SELECT name_zh, name_en FROM regions WHERE id = $1")
        .bind(user.region_id)
        .fetch_one(store.pool())
        .await?;
    let communities: Vec<(i64, String, String, String)> = sqlx::query_as(&format!(
        "SELECT r.id, r.code, r.name_zh, r.name_en FROM regions r WHERE r.id IN ({}) ORDER BY r.code",
        below(level)
    ))
    .bind(user.region_id)
    .fetch_all(store.pool())
    .await?;
    // One community of the unit's, or all of them; a code from elsewhere is refused.
    let only = match community {
        Some(code) => Some(communities.iter().find(|c| c.1 == code).map(|c| c.0).ok_or(AppError::NotFound)?),
        None => None,
    };
    // The rare filters start from their own tables, so the scope is a plain list of ids
    // (PostgreSQL would otherwise join every item of the district first); the common ones
    // go community by community through the items' indexes.
    let by_list = only.is_some() || rare(filter);
    let listed: Vec<i64> = match only {
        Some(id) => vec![id],
        None if by_list => communities.iter().map(|c| c.0).collect(),
        None => Vec::new(),
    };
    let scope = if !by_list {
        format!("w.community_id IN ({})", below(level))
    } else if listed.is_empty() {
        "1 = 0".to_string()
    } else {
        let binds: Vec<String> = (0..listed.len()).map(|i| format!("${}", i + 4)).collect();
        format!("w.community_id IN ({})", binds.join(", "))
    };
    let sql = format!(
        "SELECT w.id, w.demand_id, c.name_zh AS community_zh, c.name_en AS community_en, d.description, \
         d.visibility, a.name_zh AS affair_zh, a.name_en AS affair_en, w.state, d.created_at, w.first_response_at, w.respond_by, \
         w.complete_by, \
         (SELECT COUNT(*) FROM whistles h WHERE h.work_item_id = w.id AND ((h.checked_in_at IS NULL AND h.checkin_by < $2) \
            OR (h.reported_at IS NULL AND h.report_by < $2))) AS whistles_late, \
         (SELECT r.overall FROM ratings r WHERE r.work_item_id = w.id) AS rating, \
         u.answer_by AS urge_answer_by, u.answered_at AS urge_answered_at \
         FROM work_items w JOIN demands d ON d.id = w.demand_id JOIN regions c ON c.id = w.community_id \
         LEFT JOIN affairs a ON a.id = d.affair_id \
         LEFT JOIN urges u ON u.id = (SELECT MAX(x.id) FROM urges x WHERE x.work_item_id = w.id) \
         WHERE {scope} AND {} AND w.id < $3 AND $1 = $1 ORDER BY w.id DESC LIMIT {READ}",
        condition(filter)
    );
    let now = Millis::now().0;
    let mut q = sqlx::query_as::<_, LineRow>(&sql).bind(user.region_id).bind(now).bind(Cursor::or_top(before).id);
    for id in listed {
        q = q.bind(id);
    }
    let rows = q.fetch_all(store.pool()).await?;
    let lines = rows
        .into_iter()
        .map(|r| {
            // A private case's words stay on its page, where staff reading them are logged in
            // the resident's access log; the list shows its affair and number only.
            let private = r.visibility == crate::work::rules::Visibility::Private;
            let title = if private { String::new() } else { crate::work::rules::headline(&r.description, 40) };
            CaseLine {
                item_id: r.id,
                demand_id: r.demand_id,
                community: Named { zh: r.community_zh, en: r.community_en },
                title,
                affair: r.affair_zh.zip(r.affair_en).map(|(zh, en)| Named { zh, en }),
                state: r.state,
                posted: format_local(r.created_at),
                overdue: crate::work::rules::is_overdue(r.state, r.first_response_at, r.respond_by, r.complete_by, now),
                whistles_late: r.whistles_late,
                rating: r.rating,
                urge: r.urge_answer_by.map(|by| (format_local(by), urge_state(by, r.urge_answered_at, now))),
            }
        })
        .collect();
    Ok(CaseList {
        unit: Named { zh: unit.0, en: unit.1 },
        communities: communities.into_iter().map(|(_, code, zh, en)| (code, Named { zh, en })).collect(),
        page: Paged::of(lines, |l| Cursor::id(l.item_id)),
    })
}

/// Does the admin's unit lie above the item's community?
async fn above(store: &Store, user: &SessionUser, community: i64) -> Result<bool, AppError> {
    overseen(user)?;
    let path = crate::community::server::community_path(store, community).await?.ok_or(AppError::Internal)?;
    Ok(user.scope().covers(&path))
}

/// 督办 on a demand's case. Returns the demand, for the page to go back to. A second urge
/// while one waits is refused, except the same admin's same urge again (a retried form),
/// which is a success.
pub async fn urge(
    store: &Store,
    user: &SessionUser,
    demand: i64,
    answer_by: &str,
    note: &str,
) -> Result<i64, AppError> {
    let found = crate::work::server::item_of_demand(store, demand).await?.ok_or(AppError::NotFound)?;
    let item = found.id;
    let (row, rel) = item_for(store, user, item).await?;
    if rel != Relation::Overseer || !above(store, user, row.community_id).await? {
        return Err(AppError::Forbidden);
    }
    if !row.state.is_open() {
        return Err(AppError::WrongState);
    }
    let today = crate::time::to_local(Millis::now().0).date_naive();
    let draft = check_urge(note, answer_by, today).map_err(|problems| {
        AppError::Invalid(problems.into_iter().map(|(f, t)| crate::error::FieldError::new(f, t)).collect())
    })?;
    let deadline = end_of_day(draft.answer_by);
    let unit: String = sqlx::query_scalar("SELECT name_zh FROM regions WHERE id = $1")
        .bind(user.region_id)
        .fetch_one(store.pool())
        .await?;
    let mut w = WorkTx::begin(store).await?;
    let inserted = sqlx::query(
        "INSERT INTO urges (work_item_id, unit_id, urged_by, note, answer_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(item)
    .bind(user.region_id)
    .bind(user.id)
    .bind(&draft.note)
    .bind(deadline)
    .bind(Millis::now())
    .execute(&mut **w.tx())
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if crate::store::is_unique(&e) => {
            drop(w);
            let same: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM urges WHERE work_item_id = $1 AND answered_at IS NULL AND urged_by = $2 AND note = $3",
            )
            .bind(item)
            .bind(user.id)
            .bind(&draft.note)
            .fetch_optional(store.pool())
            .await?;
            return match same {
                Some(_) => Ok(demand),
                None => Err(AppError::invalid("note", T::ErrUrgeWaiting)),
            };
        }
        Err(e) => return Err(e.into()),
    }
    let by = format_local(deadline);
    let line = format!("{unit}：{}（{}）", draft.note, by);
    crate::work::server::urged_from_above(&mut w, item, user.id, &line).await?;
    // The station must answer: its stationmasters, and the worker who has the case.
    let mut to: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE region_id = $1 AND role = 'stationmaster' AND disabled_at IS NULL \
         AND deleted_at IS NULL AND password_hash IS NOT NULL",
    )
    .bind(row.community_id)
    .fetch_all(&mut **w.tx())
    .await?;
    to.extend(row.assignee_id.filter(|a| !to.contains(a)));
    for id in to {
        let send = crate::notifications::server::Send::new(id, crate::notifications::Kind::UrgeFromAbove);
        crate::notifications::server::send(w.tx(), send.item(item).detail(&line)).await?;
    }
    w.commit(store).await?;
    Ok(demand)
}

/// The station's answer to the waiting urge. Returns the demand.
pub async fn answer(store: &Store, user: &SessionUser, urge: i64, text: &str) -> Result<i64, AppError> {
    let found: Option<(i64, i64)> = sqlx::query_as("SELECT work_item_id, urged_by FROM urges WHERE id = $1")
        .bind(urge)
        .fetch_optional(store.pool())
        .await?;
    let (item, urged_by) = found.ok_or(AppError::NotFound)?;
    let (row, rel) = item_for(store, user, item).await?;
    if rel != Relation::Station {
        return Err(rel_refusal(rel));
    }
    let text = check_answer(text).map_err(|t| AppError::invalid("answer", t))?;
    let demand = row.demand_id.ok_or(AppError::Internal)?;
    let mut w = WorkTx::begin(store).await?;
    let now = Millis::now();
    let done = sqlx::query(
        "UPDATE urges SET answered_at = $1, answered_by = $2, answer = $3 WHERE id = $4 AND answered_at IS NULL",
    )
    .bind(now)
    .bind(user.id)
    .bind(&text)
    .bind(urge)
    .execute(&mut **w.tx())
    .await?;
    if done.rows_affected() == 0 {
        // Answered meanwhile (another tab, a colleague): say so rather than answer twice.
        return Err(AppError::WrongState);
    }
    crate::work::server::urge_answered(&mut w, item, user.id, &text).await?;
    let send = crate::notifications::server::Send::new(urged_by, crate::notifications::Kind::UrgeAnswered);
    crate::notifications::server::send(w.tx(), send.item(item).detail(&text)).await?;
    w.commit(store).await?;
    Ok(demand)
}

fn rel_refusal(rel: Relation) -> AppError {
    if rel.is_staff() {
        AppError::Forbidden
    } else {
        AppError::NotFound
    }
}

/// The supervision part of a case page, for the station and the admins above it; nobody
/// else learns of urges.
pub async fn of_case(store: &Store, user: &SessionUser, demand: i64) -> Result<UrgesOfCase, AppError> {
    let row = crate::work::server::item_of_demand(store, demand).await?.ok_or(AppError::NotFound)?;
    let (row, rel) = item_for(store, user, row.id).await?;
    if !matches!(rel, Relation::Station | Relation::Overseer) {
        return Err(rel_refusal(rel));
    }
    type UrgeRow = (i64, String, String, String, String, i64, i64, Option<i64>, Option<String>, Option<String>);
    let rows: Vec<UrgeRow> = sqlx::query_as(
        "SELECT u.id, r.name_zh, r.name_en, b.display_name, u.note, u.created_at, u.answer_by, u.answered_at, u.answer, \
         a.display_name FROM urges u JOIN regions r ON r.id = u.unit_id JOIN users b ON b.id = u.urged_by \
         LEFT JOIN users a ON a.id = u.answered_by WHERE u.work_item_id = $1 ORDER BY u.id DESC LIMIT 20",
    )
    .bind(row.id)
    .fetch_all(store.pool())
    .await?;
    let now = Millis::now().0;
    let urges: Vec<UrgeView> = rows
        .into_iter()
        .map(|(id, zh, en, by, note, at, answer_by, answered_at, answer, answered_by)| UrgeView {
            id,
            unit: Named { zh, en },
            by,
            note,
            urged: format_local(at),
            answer_by: format_local(answer_by),
            state: urge_state(answer_by, answered_at, now),
            answer,
            answered: answered_at.map(format_local),
            answered_by,
        })
        .collect();
    let waiting = urges.iter().any(|u| u.answered.is_none());
    let may_urge =
        rel == Relation::Overseer && row.state.is_open() && !waiting && above(store, user, row.community_id).await?;
    let today = crate::time::to_local(now).date_naive();
    let last = today + chrono::Duration::days(super::rules::MAX_ANSWER_DAYS);
    Ok(UrgesOfCase {
        urges,
        may_urge,
        may_answer: rel == Relation::Station && waiting,
        first_day: today.format("%Y-%m-%d").to_string(),
        last_day: last.format("%Y-%m-%d").to_string(),
    })
}
