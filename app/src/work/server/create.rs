//! A new work item for a new case: triage, deadlines, routing, the first event and the
//! assignee's notification. Only the demands feature's `file_case` calls this, in the same
//! transaction as the demand.

use super::super::rules::{self, Candidate, ItemKind, Place, RouteReason, State, Triage, TriageReason, Urgency};
use super::super::EventKind;
use super::change::{append, count, load, Line, WorkTx};
use crate::error::AppError;
use crate::notifications::{server::Send, Kind};

/// What a new case brings to its work item.
pub struct NewItem {
    pub kind: ItemKind,
    /// Set for kinds whose triage does not come from an affair.
    pub triage: Option<(Triage, TriageReason)>,
    pub demand_id: i64,
    pub community_id: i64,
    pub building_id: Option<i64>,
    pub affair_mode: Option<rules::Mode>,
    pub affair_limits: Option<rules::AffairLimits>,
    pub urgency: Urgency,
    pub place: Place,
    pub posted_at: i64,
    pub filed_by: i64,
    pub note: String,
    pub route: Route,
    /// A case of the past, written as it went (seeded history); `None` for a new one.
    pub past: Option<Past>,
    /// Found by the station itself (主动发现): nobody reported it.
    pub found_via: Option<rules::FoundVia>,
}

/// Who gets the item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The grid area's director, else the least-loaded worker on duty.
    Auto,
    /// This person, for this reason, told with this notice (a callback: the stationmaster).
    To(i64, RouteReason, Kind),
}

/// How a case of the past went: its state, when it was answered, resolved and closed, and
/// each move, with who made it.
#[derive(Clone, Debug)]
pub struct Past {
    pub state: State,
    pub assignee: Option<i64>,
    pub grid_area: Option<i64>,
    pub route_reason: RouteReason,
    pub respond_by: i64,
    pub complete_by: i64,
    pub first_response: Option<i64>,
    pub resolved: Option<i64>,
    pub closed: Option<i64>,
    pub overdue_flagged: Option<i64>,
    /// (when, from, to, who)
    pub steps: Vec<(i64, State, State, Option<i64>)>,
    /// Departments whistled up (吹哨报到) and how each answered.
    pub whistles: Vec<PastWhistle>,
}

/// A whistle of the past: summoned, checked in, reported (or still waiting).
#[derive(Clone, Debug)]
pub struct PastWhistle {
    pub department: i64,
    pub summoned_by: i64,
    pub summoned_at: i64,
    pub checked_in_at: Option<i64>,
    pub reported_at: Option<i64>,
    pub report: &'static str,
}

/// Creates the item in the case's transaction and returns its id.
pub async fn create_item(w: &mut WorkTx, mut new: NewItem, policy: &rules::DeadlinePolicy) -> Result<i64, AppError> {
    let (triage, reason) = new.triage.unwrap_or_else(|| rules::triage(new.affair_mode, new.urgency, new.place));
    if let Some(past) = new.past.take() {
        return write_past(w, &new, triage, reason, past).await;
    }
    let (respond_by, complete_by) = rules::deadlines(new.posted_at, new.urgency, new.affair_limits, policy);
    let area: Option<(i64, Option<i64>)> = match new.building_id {
        Some(b) => sqlx::query_as(
            "SELECT a.id, a.director_id FROM buildings b JOIN grid_areas a ON a.id = b.grid_area_id WHERE b.id = $1",
        )
        .bind(b)
        .fetch_optional(&mut **w.tx())
        .await?,
        None => None,
    };
    let (assignee, route, notice) = match new.route {
        Route::To(user, reason, notice) => (Some(user), reason, notice),
        Route::Auto => {
            let (assignee, reason) = route(w, new.community_id, area.and_then(|a| a.1)).await?;
            (assignee, reason, Kind::Assigned)
        }
    };
    let now = new.posted_at;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO work_items (kind, demand_id, community_id, state, triage, triage_reason, route_reason, grid_area_id, \
         assignee_id, respond_by, complete_by, created_at, updated_at, found_via) \
         VALUES ($1, $2, $3, 'received', $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) RETURNING id",
    )
    .bind(new.kind)
    .bind(new.demand_id)
    .bind(new.community_id)
    .bind(triage)
    .bind(reason)
    .bind(route)
    .bind(area.map(|a| a.0))
    .bind(assignee)
    .bind(respond_by)
    .bind(complete_by)
    .bind(now)
    .bind(new.found_via)
    .fetch_one(&mut **w.tx())
    .await?;
    append(w.tx(), id, posted(new.filed_by, &new.note, now)).await?;
    count(w.tx(), new.community_id, State::Received, 1).await?;
    if let Some(a) = assignee {
        load(w.tx(), a, 1).await?;
        crate::notifications::server::send(w.tx(), Send::new(a, notice).item(id)).await?;
    }
    w.touched(id);
    Ok(id)
}

/// The area director when on duty, else the least-loaded general social worker on duty.
async fn route(w: &mut WorkTx, community: i64, director: Option<i64>) -> Result<(Option<i64>, RouteReason), AppError> {
    let workers: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT u.id, u.role, u.on_duty, COALESCE(l.open_items, 0) \
         FROM users u LEFT JOIN worker_load l ON l.user_id = u.id WHERE u.region_id = $1 AND u.role IN ('social_worker', 'dispatcher', 'stationmaster') AND u.password_hash IS NOT NULL \
            AND u.disabled_at IS NULL",
    )
    .bind(community)
    .fetch_all(&mut **w.tx())
    .await?;
    let candidate =
        |&(user_id, _, on, open): &(i64, String, i64, i64)| Candidate { user_id, on_duty: on == 1, open_items: open };
    // The area director may hold any station role; by load, only general social workers take new items.
    let director = director.and_then(|d| workers.iter().find(|w| w.0 == d)).map(candidate);
    let pool: Vec<Candidate> = workers.iter().filter(|w| w.1 == "social_worker").map(candidate).collect();
    Ok(rules::route(director, &pool))
}

/// A case of the past as it went: no routing, no notifications, events at their times.
async fn write_past(
    w: &mut WorkTx,
    new: &NewItem,
    triage: Triage,
    reason: TriageReason,
    p: Past,
) -> Result<i64, AppError> {
    // The last thing that happened to it, whether a step was written for it or not.
    let updated = [p.steps.last().map(|s| s.0), p.first_response, p.resolved, p.closed, Some(new.posted_at)]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(new.posted_at);
    let reopens = p.steps.iter().filter(|s| s.2 == State::Reopened).count() as i64;
    let withdrawn_at = p.steps.iter().filter(|s| s.2 == State::Withdrawn).map(|s| s.0).max();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO work_items (kind, demand_id, community_id, state, triage, triage_reason, route_reason, grid_area_id, \
         assignee_id, respond_by, complete_by, first_response_at, resolved_at, closed_at, overdue_flagged_at, created_at, \
         updated_at, reopens, withdrawn_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id",
    )
    .bind(new.kind)
    .bind(new.demand_id)
    .bind(new.community_id)
    .bind(p.state)
    .bind(triage)
    .bind(reason)
    .bind(p.route_reason)
    .bind(p.grid_area)
    .bind(p.assignee)
    .bind(p.respond_by)
    .bind(p.complete_by)
    .bind(p.first_response)
    .bind(p.resolved)
    .bind(p.closed)
    .bind(p.overdue_flagged)
    .bind(new.posted_at)
    .bind(updated)
    .bind(reopens)
    .bind(withdrawn_at)
    .fetch_one(&mut **w.tx())
    .await?;
    if let Some(a) = p.assignee.filter(|_| p.state.is_open()) {
        load(w.tx(), a, 1).await?;
    }
    count(w.tx(), new.community_id, p.state, 1).await?;
    let tx = w.tx();
    append(tx, id, posted(new.filed_by, "", new.posted_at)).await?;
    for (at, from, to, actor) in p.steps {
        let line =
            Line { kind: EventKind::Transition, actor, from: Some(from), to: Some(to), note: "", public: true, at };
        append(tx, id, line).await?;
    }
    for h in p.whistles {
        // The deadlines a live whistle gets by default (check in within the hour, report
        // within a day).
        let d = crate::config::AppConfig::default();
        let (checkin_by, report_by) =
            (h.summoned_at + d.whistle_checkin_minutes * 60_000, h.summoned_at + d.whistle_report_hours * 3_600_000);
        sqlx::query(
            "INSERT INTO whistles (work_item_id, department_id, summoned_by, summoned_at, checkin_by, report_by, \
             checked_in_at, checked_in_by, reported_at, reported_by, report) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id)
        .bind(h.department)
        .bind(h.summoned_by)
        .bind(h.summoned_at)
        .bind(checkin_by)
        .bind(report_by)
        .bind(h.checked_in_at)
        .bind(h.checked_in_at.map(|_| h.summoned_by))
        .bind(h.reported_at)
        .bind(h.reported_at.map(|_| h.summoned_by))
        .bind(h.reported_at.map(|_| h.report))
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

/// The first line of every item's history.
fn posted(filer: i64, note: &str, at: i64) -> Line<'_> {
    Line { kind: EventKind::Posted, actor: Some(filer), from: None, to: Some(State::Received), note, public: true, at }
}
