//! Server side of work items. Creation ([`create`]), every change ([`change`]: the only code
//! that writes `work_items`), what staff and residents do ([`actions`]), departments and
//! partners ([`units`]), and here: loading an item and how someone stands to it.

pub mod actions;
pub mod change;
pub mod create;
pub mod units;

pub use actions::*;
pub use change::{transition, Step, WorkTx};
pub use create::{create_item, NewItem, Past, PastWhistle};
pub use units::*;

use super::rules::{ItemKind, RouteReason, State, Triage, TriageReason, Visibility};
use super::{EventKind, TimelineEntry};
use crate::auth::{Role, SessionUser};
use crate::error::AppError;
use crate::i18n::T;
use crate::store::Store;

/// A work item with what access checks need; its codes decode strictly (a bad row is an
/// error, not some default state).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub kind: ItemKind,
    pub demand_id: Option<i64>,
    pub community_id: i64,
    pub state: State,
    pub triage: Triage,
    pub triage_reason: TriageReason,
    pub route_reason: RouteReason,
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
    pub visibility: Visibility,
    /// Found by the station itself: its requester is the worker who found it.
    pub found_via: Option<super::rules::FoundVia>,
    /// Merged by the station into this work item (the same incident).
    pub merged_into: Option<i64>,
}

impl ItemRow {
    pub fn state(&self) -> State {
        self.state
    }
}

pub const ITEM_SELECT: &str = "SELECT w.id, w.kind, w.demand_id, w.community_id, w.state, w.triage, w.triage_reason, \
     w.route_reason, w.grid_area_id, w.assignee_id, w.respond_by, w.complete_by, w.first_response_at, w.resolved_at, \
     w.closed_at, w.version, w.created_at, d.requester_id, d.filed_by_id, d.visibility, w.found_via, \
     w.merged_into FROM work_items w JOIN demands d ON d.id = w.demand_id";

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
    /// A resident who reported the same incident ("me too", or a demand merged into this
    /// one): told of every change and may rate it, sees it as a neighbour does.
    CoRequester,
    None,
}

impl Relation {
    pub fn is_staff(self) -> bool {
        matches!(self, Relation::Station | Relation::Department | Relation::Overseer)
    }
}

pub async fn relation(store: &Store, user: &SessionUser, item: &ItemRow) -> Result<Relation, AppError> {
    // Staff who filed a demand at the window act on it as staff, not as its requester; so
    // does the worker who found a case (主动发现), who stands as its requester in the table.
    let own = (user.id == item.requester_id && item.found_via.is_none())
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
    if user.role == Role::Resident {
        if let Some(demand) = item.demand_id {
            let joined: Option<i64> =
                sqlx::query_scalar("SELECT user_id FROM co_requesters WHERE demand_id = $1 AND user_id = $2")
                    .bind(demand)
                    .bind(user.id)
                    .fetch_optional(store.pool())
                    .await?;
            if joined.is_some() {
                return Ok(Relation::CoRequester);
            }
        }
    }
    if user.role == Role::Resident && user.region_id == item.community_id && item.visibility != Visibility::Private {
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

/// May `user` see item `id` at all (its photos, its live stream)?
pub async fn may_see(store: &Store, user: &SessionUser, demand: i64) -> bool {
    match item_of_demand(store, demand).await {
        Ok(Some(item)) => matches!(relation(store, user, &item).await, Ok(r) if r != Relation::None),
        _ => false,
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    created_at: i64,
    kind: EventKind,
    from_state: Option<State>,
    to_state: Option<State>,
    note: String,
    actor_name: Option<String>,
    actor_role: Option<Role>,
    department_zh: Option<String>,
}

/// The timeline as `rel` may see it: residents and neighbours see public events only, and
/// neighbours never see who filed it; a department's liaison sees no urges.
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
         WHERE e.work_item_id = $1 AND (e.public = 1 OR $2 = 1)          AND ($3 = 0 OR e.kind NOT IN ('urged', 'urge_answered')) ORDER BY e.id",
    )
    .bind(item)
    .bind(rel.is_staff() as i64)
    // Urges are between the station and those above it, not the departments' business.
    .bind((rel == Relation::Department) as i64)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let actor = match (r.actor_role, r.actor_name) {
                (Some(Role::Resident), _) if matches!(rel, Relation::Neighbour | Relation::CoRequester) => {
                    Some(lang.t(T::RoleResident).to_string())
                }
                (Some(Role::Department), _) => r.department_zh,
                (Some(role), Some(name)) => Some(format!("{name} · {}", lang.t(role.label()))),
                _ => None,
            };
            TimelineEntry {
                id: r.id,
                at: r.created_at,
                when: crate::time::format_local(r.created_at),
                kind: r.kind,
                actor,
                from: r.from_state,
                to: r.to_state,
                note: r.note,
            }
        })
        .collect())
}
