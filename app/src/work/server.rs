//! Server side of work items: creation with triage, deadlines and routing; transitions with
//! an optimistic version check; replies, case notes, whistles, hand-offs, reassignment and
//! urging; every change an append-only event; notifications; live updates.

use super::rules::{self, Action, Actor, Candidate, Place, State, Triage, TriageReason, Urgency};
use super::{action_code, EventKind, TimelineEntry};
use crate::auth::{Role, SessionUser};
use crate::error::AppError;
use crate::i18n::T;
use crate::store::{Millis, Store, Tx};

/// A work item with what access checks need.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub kind: String,
    pub demand_id: Option<i64>,
    pub community_id: i64,
    pub state: String,
    pub triage: String,
    pub triage_reason: String,
    pub route_reason: String,
    pub grid_area_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub respond_by: i64,
    pub complete_by: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub requester_id: i64,
    pub filed_by_id: i64,
    pub visibility: String,
}

impl ItemRow {
    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Received)
    }
}

pub const ITEM_SELECT: &str = "SELECT w.id, w.kind, w.demand_id, w.community_id, w.state, w.triage, w.triage_reason, \
     w.route_reason, w.grid_area_id, w.assignee_id, w.respond_by, w.complete_by, w.first_response_at, w.resolved_at, \
     w.closed_at, w.version, w.created_at, d.requester_id, d.filed_by_id, d.visibility \
     FROM work_items w JOIN demands d ON d.id = w.demand_id";

pub async fn load_item(store: &Store, id: i64) -> Result<Option<ItemRow>, AppError> {
    Ok(sqlx::query_as(&format!("{ITEM_SELECT} WHERE w.id = $1")).bind(id).fetch_optional(store.pool()).await?)
}

pub async fn item_of_demand(store: &Store, demand_id: i64) -> Result<Option<ItemRow>, AppError> {
    Ok(sqlx::query_as(&format!("{ITEM_SELECT} WHERE w.demand_id = $1"))
        .bind(demand_id)
        .fetch_optional(store.pool())
        .await?)
}

/// How a signed-in account relates to a work item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// The resident it is for, whoever filed it, or a confirmed family member of the resident.
    Requester,
    /// The station team of the item's community.
    Station,
    /// A liaison of a department the item was whistled to.
    Department,
    /// Subdistrict or district staff above the community (read only).
    Overseer,
    /// Another resident of the community, and the demand is public.
    Neighbour,
    None,
}

impl Relation {
    pub fn is_staff(self) -> bool {
        matches!(self, Relation::Station | Relation::Department | Relation::Overseer)
    }
}

pub async fn relation(store: &Store, user: &SessionUser, item: &ItemRow) -> Result<Relation, AppError> {
    // Staff who filed a demand at the window act on it as staff, not as its requester.
    let own = user.id == item.requester_id
        || (user.role == Role::Resident
            && (user.id == item.filed_by_id || is_proxy_of(store, user.id, item.requester_id).await?));
    if own {
        return Ok(Relation::Requester);
    }
    let path = crate::community::server::community_path(store, item.community_id).await?.ok_or(AppError::Internal)?;
    let scope = user.scope();
    if scope.acts_for_station(&path) {
        return Ok(Relation::Station);
    }
    if user.role == Role::Department && scope.covers(&path) {
        if let Some(dept) = user.department_id {
            let whistled: Option<i64> =
                sqlx::query_scalar("SELECT id FROM whistles WHERE work_item_id = $1 AND department_id = $2")
                    .bind(item.id)
                    .bind(dept)
                    .fetch_optional(store.pool())
                    .await?;
            if whistled.is_some() {
                return Ok(Relation::Department);
            }
        }
        return Ok(Relation::None);
    }
    if matches!(user.role, Role::SubdistrictAdmin | Role::DistrictAdmin) && scope.covers(&path) {
        return Ok(Relation::Overseer);
    }
    if user.role == Role::Resident && user.region_id == item.community_id && item.visibility == "public" {
        return Ok(Relation::Neighbour);
    }
    Ok(Relation::None)
}

/// Does `proxy` act for `member` (a confirmed family link)?
pub async fn is_proxy_of(store: &Store, proxy: i64, member: i64) -> Result<bool, AppError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM family_links WHERE proxy_id = $1 AND member_id = $2 AND state = 'confirmed'",
    )
    .bind(proxy)
    .bind(member)
    .fetch_optional(store.pool())
    .await?;
    Ok(found.is_some())
}

/// Appends an event to an item's history.
#[allow(clippy::too_many_arguments)]
pub async fn event(
    tx: &mut Tx,
    item: i64,
    actor: Option<i64>,
    kind: EventKind,
    from: Option<State>,
    to: Option<State>,
    note: &str,
    public: bool,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO work_events (work_item_id, actor_id, kind, from_state, to_state, note, public, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(item)
    .bind(actor)
    .bind(kind.as_str())
    .bind(from.map(State::as_str))
    .bind(to.map(State::as_str))
    .bind(note)
    .bind(public as i64)
    .bind(Millis::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Leaves a notification. With a `dedupe_key`, a second one with the same key is dropped
/// (several instances running the same job notify once).
pub async fn notify(
    tx: &mut Tx,
    user: i64,
    item: Option<i64>,
    kind: &str,
    detail: &str,
    dedupe_key: Option<String>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO notifications (user_id, work_item_id, kind, detail, dedupe_key, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(user)
    .bind(item)
    .bind(kind)
    .bind(detail)
    .bind(dedupe_key)
    .bind(Millis::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What a new demand brings to its work item.
pub struct NewItem {
    /// `demand`, or `autonomy_project` for a thread that reached its threshold.
    pub kind: &'static str,
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
}

pub fn triage_code(t: Triage) -> &'static str {
    match t {
        Triage::Immediate => "immediate",
        Triage::Transfer => "transfer",
    }
}

pub fn parse_triage(s: &str) -> Triage {
    if s == "transfer" {
        Triage::Transfer
    } else {
        Triage::Immediate
    }
}

pub fn reason_code(r: TriageReason) -> &'static str {
    match r {
        TriageReason::AffairOnTheSpot => "affair_on_the_spot",
        TriageReason::AffairSubmitUpward => "affair_submit_upward",
        TriageReason::AffairReferral => "affair_referral",
        TriageReason::NoAffair => "no_affair",
        TriageReason::EmergencyOnSite => "emergency_on_site",
        TriageReason::AutonomyProject => "autonomy_project",
        TriageReason::HomeVisit => "home_visit",
        TriageReason::Callback => "callback",
    }
}

pub fn parse_reason(s: &str) -> TriageReason {
    use TriageReason::*;
    [
        AffairOnTheSpot,
        AffairSubmitUpward,
        AffairReferral,
        NoAffair,
        EmergencyOnSite,
        AutonomyProject,
        HomeVisit,
        Callback,
    ]
    .into_iter()
    .find(|r| reason_code(*r) == s)
    .unwrap_or(NoAffair)
}

pub fn route_code(r: rules::RouteReason) -> &'static str {
    match r {
        rules::RouteReason::AreaDirector => "area_director",
        rules::RouteReason::LeastLoaded => "least_loaded",
        rules::RouteReason::Unassigned => "unassigned",
    }
}

/// Creates the work item of a new demand inside the demand's transaction: triage, deadlines,
/// routing, the first event, and a notification to whoever it was routed to.
pub async fn create_for_demand(tx: &mut Tx, new: NewItem) -> Result<i64, AppError> {
    create_for_demand_with(tx, new, &crate::request::config().deadlines).await
}

/// The same, with the deployment's deadline policy given (outside a Leptos request: the
/// Open311 endpoints are plain axum handlers).
pub async fn create_for_demand_with(
    tx: &mut Tx,
    new: NewItem,
    policy: &rules::DeadlinePolicy,
) -> Result<i64, AppError> {
    let (triage, reason) = new.triage.unwrap_or_else(|| rules::triage(new.affair_mode, new.urgency, new.place));
    let (respond_by, complete_by) = rules::deadlines(new.posted_at, new.urgency, new.affair_limits, policy);
    let area: Option<(i64, Option<i64>)> = match new.building_id {
        Some(b) => sqlx::query_as(
            "SELECT a.id, a.director_id FROM buildings b JOIN grid_areas a ON a.id = b.grid_area_id WHERE b.id = $1",
        )
        .bind(b)
        .fetch_optional(&mut **tx)
        .await?,
        None => None,
    };
    let workers: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT u.id, u.role, u.on_duty, (SELECT COUNT(*) FROM work_items w WHERE w.assignee_id = u.id \
            AND w.state NOT IN ('resolved', 'closed', 'withdrawn')) \
         FROM users u WHERE u.region_id = $1 AND u.role IN ('social_worker', 'dispatcher', 'stationmaster') \
            AND u.disabled_at IS NULL",
    )
    .bind(new.community_id)
    .fetch_all(&mut **tx)
    .await?;
    let candidate =
        |&(user_id, _, on, open): &(i64, String, i64, i64)| Candidate { user_id, on_duty: on == 1, open_items: open };
    // The area director may hold any station role; by load, only general social workers take new items.
    let director = area.and_then(|(_, d)| d).and_then(|d| workers.iter().find(|w| w.0 == d)).map(candidate);
    let pool: Vec<Candidate> = workers.iter().filter(|w| w.1 == "social_worker").map(candidate).collect();
    let (assignee, route) = rules::route(director, &pool);
    let now = new.posted_at;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO work_items (kind, demand_id, community_id, state, triage, triage_reason, route_reason, grid_area_id, \
         assignee_id, respond_by, complete_by, created_at, updated_at) \
         VALUES ($12, $1, $2, 'received', $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(new.demand_id)
    .bind(new.community_id)
    .bind(triage_code(triage))
    .bind(reason_code(reason))
    .bind(route_code(route))
    .bind(area.map(|a| a.0))
    .bind(assignee)
    .bind(respond_by)
    .bind(complete_by)
    .bind(now)
    .bind(now)
    .bind(new.kind)
    .fetch_one(&mut **tx)
    .await?;
    event(tx, id, Some(new.filed_by), EventKind::Posted, None, Some(State::Received), &new.note, true).await?;
    if let Some(a) = assignee {
        notify(tx, a, Some(id), "assigned", "", None).await?;
    }
    Ok(id)
}

/// The rules' view of who is acting.
fn actor_for(relation: Relation) -> Result<Actor, AppError> {
    match relation {
        Relation::Requester => Ok(Actor::Requester),
        Relation::Station => Ok(Actor::Station),
        Relation::Department => Ok(Actor::Department),
        Relation::Overseer => Err(AppError::Forbidden),
        Relation::Neighbour | Relation::None => Err(AppError::NotFound),
    }
}

/// Loads an item for `user` and refuses unless they stand in it (404 for strangers, so that
/// a private demand's existence does not leak).
pub async fn item_for(store: &Store, user: &SessionUser, id: i64) -> Result<(ItemRow, Relation), AppError> {
    let item = load_item(store, id).await?.ok_or(AppError::NotFound)?;
    let rel = relation(store, user, &item).await?;
    if rel == Relation::None {
        return Err(AppError::NotFound);
    }
    Ok((item, rel))
}

/// Moves an item by `action`, if the rules allow it for this user from the current state and
/// nobody changed the item since `expected_version` (the loser of a race gets `Conflict`).
pub async fn act(
    store: &Store,
    user: &SessionUser,
    id: i64,
    expected_version: i64,
    action: Action,
    note: &str,
) -> Result<State, AppError> {
    let (item, rel) = item_for(store, user, id).await?;
    let actor = actor_for(rel)?;
    let from = item.state();
    let to = rules::transition(from, action, actor).map_err(|e| match e {
        rules::TransitionError::NotAllowed => AppError::Forbidden,
        rules::TransitionError::WrongState => AppError::WrongState,
    })?;
    let note = note.trim();
    if matches!(action, Action::Reopen) {
        if note.is_empty() {
            return Err(AppError::invalid("note", T::ErrReasonRequired));
        }
        let window = rules::CONFIRM_WINDOW_DAYS * 24 * 3_600_000;
        if item.resolved_at.is_some_and(|r| Millis::now().0 - r > window) {
            return Err(AppError::invalid("note", T::ErrReopenTooLate));
        }
    }
    if note.chars().count() > 2000 {
        return Err(AppError::invalid("note", T::ErrTooLong));
    }
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let staff = actor == Actor::Station;
    let done = sqlx::query(
        "UPDATE work_items SET state = $1, version = version + 1, updated_at = $2, \
           first_response_at = CASE WHEN $3 = 1 AND first_response_at IS NULL THEN $2 ELSE first_response_at END, \
           resolved_at = CASE WHEN $4 = 1 THEN $2 ELSE resolved_at END, \
           closed_at = CASE WHEN $5 = 1 THEN $2 ELSE closed_at END \
         WHERE id = $6 AND version = $7 AND state = $8",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(staff as i64)
    .bind((to == State::Resolved) as i64)
    .bind(to.is_final() as i64)
    .bind(id)
    .bind(expected_version)
    .bind(from.as_str())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict);
    }
    event(&mut tx, id, Some(user.id), EventKind::Transition, Some(from), Some(to), note, true).await?;
    // The resident hears about every change the station makes; the station hears about the
    // resident's.
    if actor == Actor::Requester {
        if let Some(a) = item.assignee_id {
            notify(&mut tx, a, Some(id), "status", to.as_str(), None).await?;
        }
    } else {
        notify(&mut tx, item.requester_id, Some(id), "status", to.as_str(), None).await?;
    }
    if to == State::Closed {
        // Closed: the requester is invited to rate it (once).
        notify(&mut tx, item.requester_id, Some(id), "rate_invite", "", Some(format!("rate:{id}"))).await?;
    }
    tx.commit().await?;
    super::live::publish(store, id).await;
    Ok(to)
}

/// Moves an item through station `actions` inside the caller's transaction (a thread
/// answer: accept, then start or resolve). An `Accept` the item no longer needs is skipped;
/// any other step must be legal from the state the item is in, and is applied only if the
/// item is still in that state (a concurrent change makes it a `Conflict`).
pub async fn station_steps(
    tx: &mut Tx,
    id: i64,
    actor: i64,
    actions: &[Action],
    note: &str,
) -> Result<State, AppError> {
    let (state, requester): (String, i64) = sqlx::query_as(
        "SELECT w.state, d.requester_id FROM work_items w JOIN demands d ON d.id = w.demand_id WHERE w.id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    let mut from = State::parse(&state).ok_or(AppError::Internal)?;
    let now = Millis::now().0;
    for (i, &action) in actions.iter().enumerate() {
        let to = match rules::transition(from, action, Actor::Station) {
            Ok(to) => to,
            Err(_) if action == Action::Accept => continue,
            Err(_) => return Err(AppError::WrongState),
        };
        let done = sqlx::query(
            "UPDATE work_items SET state = $1, version = version + 1, updated_at = $2, \
               first_response_at = COALESCE(first_response_at, $2), \
               resolved_at = CASE WHEN $3 = 1 THEN $2 ELSE resolved_at END \
             WHERE id = $4 AND state = $5",
        )
        .bind(to.as_str())
        .bind(now)
        .bind((to == State::Resolved) as i64)
        .bind(id)
        .bind(from.as_str())
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(AppError::Conflict);
        }
        let last = i + 1 == actions.len();
        event(tx, id, Some(actor), EventKind::Transition, Some(from), Some(to), if last { note } else { "" }, true)
            .await?;
        from = to;
    }
    notify(tx, requester, Some(id), "status", from.as_str(), None).await?;
    Ok(from)
}

/// A reply to the resident (on their timeline). The first reply counts as the response.
pub async fn reply(store: &Store, user: &SessionUser, id: i64, text: &str) -> Result<(), AppError> {
    let (item, rel) = item_for(store, user, id).await?;
    if rel != Relation::Station {
        return Err(AppError::Forbidden);
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::invalid("text", T::ErrRequired));
    }
    if text.chars().count() > 2000 {
        return Err(AppError::invalid("text", T::ErrTooLong));
    }
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    sqlx::query(
        "UPDATE work_items SET version = version + 1, updated_at = $1, \
         first_response_at = COALESCE(first_response_at, $1) WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    event(&mut tx, id, Some(user.id), EventKind::Reply, None, None, text, true).await?;
    notify(&mut tx, item.requester_id, Some(id), "reply", "", None).await?;
    tx.commit().await?;
    super::live::publish(store, id).await;
    Ok(())
}

pub const CASE_STEPS: [&str; 6] = ["intake", "assessment", "plan", "execution", "coordination", "closure"];

/// A confidential case note (six-step case management). Station team only.
pub async fn add_case_note(store: &Store, user: &SessionUser, id: i64, step: &str, body: &str) -> Result<(), AppError> {
    let (_, rel) = item_for(store, user, id).await?;
    if rel != Relation::Station {
        return Err(AppError::Forbidden);
    }
    if !CASE_STEPS.contains(&step) {
        return Err(AppError::invalid("step", T::ErrRequired));
    }
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", T::ErrRequired));
    }
    if body.chars().count() > 5000 {
        return Err(AppError::invalid("body", T::ErrTooLong));
    }
    sqlx::query("INSERT INTO case_notes (work_item_id, author_id, step, body, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(user.id)
        .bind(step)
        .bind(body)
        .bind(Millis::now())
        .execute(store.pool())
        .await?;
    Ok(())
}

/// 吹哨: summons departments of the community's subdistrict. Each must check in and report.
pub async fn whistle(
    store: &Store,
    user: &SessionUser,
    id: i64,
    expected_version: i64,
    departments: &[i64],
    note: &str,
) -> Result<(), AppError> {
    let (item, rel) = item_for(store, user, id).await?;
    if rel != Relation::Station {
        return Err(AppError::Forbidden);
    }
    if departments.is_empty() {
        return Err(AppError::invalid("departments", T::ErrChooseDepartment));
    }
    let from = item.state();
    let to = rules::transition(from, Action::Whistle, Actor::Station).map_err(|_| AppError::WrongState)?;
    let path = crate::community::server::community_path(store, item.community_id).await?.ok_or(AppError::Internal)?;
    let config = crate::request::config();
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE work_items SET state = $1, version = version + 1, updated_at = $2, \
         first_response_at = COALESCE(first_response_at, $2) WHERE id = $3 AND version = $4",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id)
    .bind(expected_version)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict);
    }
    let mut names = Vec::new();
    for &dept in departments {
        let name: Option<String> =
            sqlx::query_scalar("SELECT name_zh FROM departments WHERE id = $1 AND subdistrict_id = $2")
                .bind(dept)
                .bind(path.subdistrict)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(name) = name else { return Err(AppError::invalid("departments", T::ErrChooseDepartment)) };
        // Summoned again after reporting: a fresh check-in and report are due.
        sqlx::query(
            "INSERT INTO whistles (work_item_id, department_id, summoned_by, summoned_at, checkin_by, report_by) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (work_item_id, department_id) DO UPDATE SET \
             summoned_by = $3, summoned_at = $4, checkin_by = $5, report_by = $6, checked_in_at = NULL, \
             checked_in_by = NULL, reported_at = NULL, reported_by = NULL, report = NULL, late_flagged_at = NULL",
        )
        .bind(id)
        .bind(dept)
        .bind(user.id)
        .bind(now)
        .bind(now + config.whistle_checkin_minutes * 60_000)
        .bind(now + config.whistle_report_hours * 3_600_000)
        .execute(&mut *tx)
        .await?;
        // A department with its own Open311 system gets the request there too.
        crate::open311::outbound::enqueue(&mut tx, Some(dept), None, id, &format!("whistle:{id}:{dept}:{now}"), now)
            .await?;
        let liaisons: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM users WHERE role = 'department' AND department_id = $1 AND disabled_at IS NULL",
        )
        .bind(dept)
        .fetch_all(&mut *tx)
        .await?;
        for l in liaisons {
            notify(&mut tx, l, Some(id), "whistle", &name, None).await?;
        }
        names.push(name);
    }
    let note =
        if note.trim().is_empty() { names.join("、") } else { format!("{}：{}", names.join("、"), note.trim()) };
    event(&mut tx, id, Some(user.id), EventKind::Whistled, Some(from), Some(to), &note, true).await?;
    notify(&mut tx, item.requester_id, Some(id), "status", to.as_str(), None).await?;
    tx.commit().await?;
    super::live::publish(store, id).await;
    Ok(())
}

/// A department liaison checks in (报到) on a whistle of their department.
pub async fn check_in(store: &Store, user: &SessionUser, whistle_id: i64) -> Result<(), AppError> {
    let (item_id, _) = department_whistle(store, user, whistle_id).await?;
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE whistles SET checked_in_at = $1, checked_in_by = $2 WHERE id = $3 AND checked_in_at IS NULL",
    )
    .bind(now)
    .bind(user.id)
    .bind(whistle_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::WrongState);
    }
    bump(&mut tx, item_id, now).await?;
    // The actor line already names the department.
    event(&mut tx, item_id, Some(user.id), EventKind::CheckedIn, None, None, "", true).await?;
    tx.commit().await?;
    super::live::publish(store, item_id).await;
    Ok(())
}

/// A department reports back. When every summoned department has reported, the item goes
/// back to the station (in progress) and its assignee is told.
pub async fn report(store: &Store, user: &SessionUser, whistle_id: i64, text: &str) -> Result<(), AppError> {
    let (item_id, dept_name) = department_whistle(store, user, whistle_id).await?;
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::invalid("report", T::ErrRequired));
    }
    if text.chars().count() > 2000 {
        return Err(AppError::invalid("report", T::ErrTooLong));
    }
    record_report(store, Some(user.id), item_id, whistle_id, &dept_name, text).await
}

/// A department's report on a whistle, from its liaison or from its own Open311 system
/// (`by` = None): once; when the last one is in, the item goes back to the station.
pub async fn record_report(
    store: &Store,
    by: Option<i64>,
    item_id: i64,
    whistle_id: i64,
    dept_name: &str,
    text: &str,
) -> Result<(), AppError> {
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE whistles SET reported_at = $1, reported_by = $2, report = $3, checked_in_at = COALESCE(checked_in_at, $1), \
         checked_in_by = COALESCE(checked_in_by, $2) WHERE id = $4 AND reported_at IS NULL",
    )
    .bind(now)
    .bind(by)
    .bind(text)
    .bind(whistle_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::WrongState);
    }
    event(&mut tx, item_id, by, EventKind::Reported, None, None, &format!("{dept_name}：{text}"), true).await?;
    let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM whistles WHERE work_item_id = $1 AND reported_at IS NULL")
        .bind(item_id)
        .fetch_one(&mut *tx)
        .await?;
    let (state, assignee, requester): (String, Option<i64>, i64) = sqlx::query_as(
        "SELECT w.state, w.assignee_id, d.requester_id FROM work_items w JOIN demands d ON d.id = w.demand_id WHERE w.id = $1",
    )
    .bind(item_id)
    .fetch_one(&mut *tx)
    .await?;
    let from = State::parse(&state).unwrap_or(State::Received);
    if open == 0 {
        if let Ok(to) = rules::transition(from, Action::DepartmentsReported, Actor::System) {
            sqlx::query(
                "UPDATE work_items SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND state = $4",
            )
            .bind(to.as_str())
            .bind(now)
            .bind(item_id)
            .bind(from.as_str())
            .execute(&mut *tx)
            .await?;
            event(&mut tx, item_id, None, EventKind::Transition, Some(from), Some(to), "", true).await?;
            notify(&mut tx, requester, Some(item_id), "status", to.as_str(), None).await?;
        }
        if let Some(a) = assignee {
            notify(&mut tx, a, Some(item_id), "reported", dept_name, None).await?;
        }
    } else {
        bump(&mut tx, item_id, now).await?;
    }
    tx.commit().await?;
    super::live::publish(store, item_id).await;
    Ok(())
}

/// A whistle of the liaison's own department: (item id, department name). Anyone else: 404.
async fn department_whistle(store: &Store, user: &SessionUser, whistle_id: i64) -> Result<(i64, String), AppError> {
    if user.role != Role::Department {
        return Err(AppError::Forbidden);
    }
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT h.work_item_id, d.name_zh FROM whistles h JOIN departments d ON d.id = h.department_id \
         WHERE h.id = $1 AND h.department_id = $2",
    )
    .bind(whistle_id)
    .bind(user.department_id.unwrap_or(-1))
    .fetch_optional(store.pool())
    .await?;
    row.ok_or(AppError::NotFound)
}

/// A change that is not a transition still moves the version, so open pages refresh and a
/// stale form elsewhere is told.
async fn bump(tx: &mut Tx, item: i64, now: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE work_items SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(item)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Hands the item to a partner of the community's directory.
pub async fn hand_off(
    store: &Store,
    user: &SessionUser,
    id: i64,
    expected_version: i64,
    partner: i64,
    note: &str,
) -> Result<(), AppError> {
    let (item, rel) = item_for(store, user, id).await?;
    if rel != Relation::Station {
        return Err(AppError::Forbidden);
    }
    let from = item.state();
    let to = rules::transition(from, Action::HandOff, Actor::Station).map_err(|_| AppError::WrongState)?;
    let name: Option<String> = sqlx::query_scalar("SELECT name_zh FROM partners WHERE id = $1 AND community_id = $2")
        .bind(partner)
        .bind(item.community_id)
        .fetch_optional(store.pool())
        .await?;
    let Some(name) = name else { return Err(AppError::invalid("partner", T::ErrChoosePartner)) };
    let note = note.trim();
    if note.chars().count() > 2000 {
        return Err(AppError::invalid("note", T::ErrTooLong));
    }
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE work_items SET state = $1, version = version + 1, updated_at = $2, \
         first_response_at = COALESCE(first_response_at, $2) WHERE id = $3 AND version = $4",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id)
    .bind(expected_version)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict);
    }
    sqlx::query(
        "INSERT INTO handoffs (work_item_id, partner_id, handed_by, handed_at, note) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(partner)
    .bind(user.id)
    .bind(now)
    .bind(note)
    .execute(&mut *tx)
    .await?;
    crate::open311::outbound::enqueue(&mut tx, None, Some(partner), id, &format!("handoff:{id}:{partner}:{now}"), now)
        .await?;
    let text = if note.is_empty() { name } else { format!("{name}：{note}") };
    event(&mut tx, id, Some(user.id), EventKind::HandedOff, Some(from), Some(to), &text, true).await?;
    notify(&mut tx, item.requester_id, Some(id), "status", to.as_str(), None).await?;
    tx.commit().await?;
    super::live::publish(store, id).await;
    Ok(())
}

/// Records what the partner did; the item returns to the station (in progress).
pub async fn hand_off_outcome(
    store: &Store,
    user: &SessionUser,
    id: i64,
    expected_version: i64,
    outcome: &str,
) -> Result<(), AppError> {
    let (item, rel) = item_for(store, user, id).await?;
    if rel != Relation::Station {
        return Err(AppError::Forbidden);
    }
    let outcome = outcome.trim();
    if outcome.is_empty() {
        return Err(AppError::invalid("outcome", T::ErrRequired));
    }
    if outcome.chars().count() > 2000 {
        return Err(AppError::invalid("outcome", T::ErrTooLong));
    }
    let from = item.state();
    let to = rules::transition(from, Action::PartnerDone, Actor::Station).map_err(|_| AppError::WrongState)?;
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE work_items SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id)
    .bind(expected_version)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict);
    }
    sqlx::query(
        "UPDATE handoffs SET outcome = $1, outcome_at = $2, outcome_by = $3 WHERE work_item_id = $4 AND outcome IS NULL",
    )
    .bind(outcome)
    .bind(now)
    .bind(user.id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    event(&mut tx, id, Some(user.id), EventKind::PartnerOutcome, Some(from), Some(to), outcome, true).await?;
    tx.commit().await?;
    super::live::publish(store, id).await;
    Ok(())
}

/// The dispatcher (or stationmaster) gives the item to another worker of the station.
pub async fn reassign(
    store: &Store,
    user: &SessionUser,
    id: i64,
    expected_version: i64,
    to_user: i64,
) -> Result<(), AppError> {
    let (item, rel) = item_for(store, user, id).await?;
    if rel != Relation::Station || !matches!(user.role, Role::Dispatcher | Role::Stationmaster) {
        return Err(AppError::Forbidden);
    }
    if item.state().is_final() {
        return Err(AppError::WrongState);
    }
    let name: Option<String> = sqlx::query_scalar(
        "SELECT display_name FROM users WHERE id = $1 AND region_id = $2 AND role IN ('social_worker', 'dispatcher', 'stationmaster') \
         AND disabled_at IS NULL",
    )
    .bind(to_user)
    .bind(item.community_id)
    .fetch_optional(store.pool())
    .await?;
    let Some(name) = name else { return Err(AppError::invalid("assignee", T::ErrChooseWorker)) };
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE work_items SET assignee_id = $1, route_reason = 'reassigned', version = version + 1, updated_at = $2 \
         WHERE id = $3 AND version = $4",
    )
    .bind(to_user)
    .bind(now)
    .bind(id)
    .bind(expected_version)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict);
    }
    event(&mut tx, id, Some(user.id), EventKind::Reassigned, None, None, &name, false).await?;
    notify(&mut tx, to_user, Some(id), "assigned", "", None).await?;
    tx.commit().await?;
    super::live::publish(store, id).await;
    Ok(())
}

/// 督办: the stationmaster urges the assignee on an item.
pub async fn urge(store: &Store, user: &SessionUser, id: i64, note: &str) -> Result<(), AppError> {
    let (item, rel) = item_for(store, user, id).await?;
    if rel != Relation::Station || user.role != Role::Stationmaster {
        return Err(AppError::Forbidden);
    }
    if !item.state().is_open() {
        return Err(AppError::WrongState);
    }
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    sqlx::query("UPDATE work_items SET urged_at = $1, version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    event(&mut tx, id, Some(user.id), EventKind::Urged, None, None, note.trim(), false).await?;
    if let Some(a) = item.assignee_id {
        notify(&mut tx, a, Some(id), "urge", "", None).await?;
    }
    tx.commit().await?;
    super::live::publish(store, id).await;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    created_at: i64,
    kind: String,
    from_state: Option<String>,
    to_state: Option<String>,
    note: String,
    actor_name: Option<String>,
    actor_role: Option<String>,
    department_zh: Option<String>,
}

/// The timeline as `rel` may see it: residents and neighbours see public events only, and
/// neighbours never see who filed it.
pub async fn timeline(
    store: &Store,
    item: i64,
    rel: Relation,
    lang: crate::i18n::Lang,
) -> Result<Vec<TimelineEntry>, AppError> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT e.id, e.created_at, e.kind, e.from_state, e.to_state, e.note, u.display_name AS actor_name, \
           u.role AS actor_role, dp.name_zh AS department_zh \
         FROM work_events e LEFT JOIN users u ON u.id = e.actor_id LEFT JOIN departments dp ON dp.id = u.department_id \
         WHERE e.work_item_id = $1 AND (e.public = 1 OR $2 = 1) ORDER BY e.id",
    )
    .bind(item)
    .bind(rel.is_staff() as i64)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let kind = EventKind::parse(&r.kind)?;
            let role = r.actor_role.as_deref().and_then(Role::parse);
            let actor = match (role, r.actor_name) {
                (Some(Role::Resident), _) if rel == Relation::Neighbour => Some(lang.t(T::RoleResident).to_string()),
                (Some(Role::Department), _) => r.department_zh,
                (Some(role), Some(name)) => Some(format!("{name} · {}", lang.t(role.label()))),
                _ => None,
            };
            Some(TimelineEntry {
                id: r.id,
                at: r.created_at,
                when: crate::time::format_local(r.created_at),
                kind,
                actor,
                from: r.from_state.as_deref().and_then(State::parse),
                to: r.to_state.as_deref().and_then(State::parse),
                note: r.note,
            })
        })
        .collect())
}

pub fn action_name(a: Action) -> &'static str {
    action_code(a)
}
