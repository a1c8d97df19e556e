//! Every change to a work item, and nothing else, writes `work_items`: [`transition`] moves
//! its state by the rules; [`amend`] changes what is not a state (a reply, a reassignment,
//! an urge, a deadline). Both write the event and the notifications in the caller's
//! transaction, and the live update goes out when [`WorkTx::commit`] has committed.

use super::super::rules::{self, Action, Actor, RouteReason, State};
use super::super::EventKind;
use crate::error::AppError;
use crate::notifications::{server::Send, Kind};
use crate::store::{Millis, Store, Tx};

/// A write transaction that may change work items: committing it tells their open pages.
pub struct WorkTx {
    tx: Tx,
    touched: Vec<i64>,
}

impl WorkTx {
    pub async fn begin(store: &Store) -> Result<WorkTx, AppError> {
        Ok(WorkTx { tx: store.write().await?, touched: Vec::new() })
    }

    /// The transaction, for the caller's own tables.
    pub fn tx(&mut self) -> &mut Tx {
        &mut self.tx
    }

    /// Open pages of `item` should refresh once this commits.
    pub fn touched(&mut self, item: i64) {
        if !self.touched.contains(&item) {
            self.touched.push(item);
        }
    }

    pub async fn commit(self, store: &Store) -> Result<(), AppError> {
        self.tx.commit().await?;
        for item in self.touched {
            crate::live::publish(store, format!("item:{item}")).await;
        }
        Ok(())
    }
}

/// One move of a work item by the rules.
pub struct Step<'a> {
    pub action: Action,
    pub by: Actor,
    /// Who did it (none: the server itself, or a unit's own system).
    pub actor: Option<i64>,
    pub note: &'a str,
    /// The version the actor saw: a change since then makes this a `Conflict`. Without it,
    /// the move only needs the state to be unchanged.
    pub seen: Option<i64>,
    /// Tell the other side (the resident of a station's move, the worker of the resident's).
    pub tell: bool,
}

impl<'a> Step<'a> {
    pub fn new(action: Action, by: Actor, actor: Option<i64>) -> Step<'a> {
        Step { action, by, actor, note: "", seen: None, tell: true }
    }
    pub fn note(mut self, note: &'a str) -> Self {
        self.note = note;
        self
    }
    pub fn seen(mut self, version: i64) -> Self {
        self.seen = Some(version);
        self
    }
    pub fn quiet(mut self) -> Self {
        self.tell = false;
        self
    }
}

/// The state an item left and the one it is in now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Moved {
    pub from: State,
    pub to: State,
}

/// Moves `item` by the rules: the only code that changes a work item's state. Checks the
/// state machine for this actor, writes the state with its timestamps (the station's first
/// move is its response), the event and the notifications.
pub async fn transition(w: &mut WorkTx, item: i64, step: Step<'_>) -> Result<Moved, AppError> {
    let row: Option<(State, i64, Option<i64>, i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT w.state, w.version, w.assignee_id, d.requester_id, w.community_id, w.found_via FROM work_items w \
         JOIN demands d ON d.id = w.demand_id WHERE w.id = $1",
    )
    .bind(item)
    .fetch_optional(&mut **w.tx())
    .await?;
    let (from, version, assignee, requester, community, found_via) = row.ok_or(AppError::NotFound)?;
    // A case the station found itself has no resident to tell, ask to confirm or to rate.
    let found = found_via.is_some();
    let to = match rules::transition_case(from, step.action, step.by, found) {
        Err(rules::TransitionError::NotAllowed) => return Err(AppError::Forbidden),
        _ if step.seen.is_some_and(|seen| seen != version) => return Err(AppError::Conflict),
        Err(rules::TransitionError::WrongState) => return Err(AppError::WrongState),
        Ok(to) => to,
    };
    let now = Millis::now().0;
    let done = sqlx::query(
        "UPDATE work_items SET state = $1, version = version + 1, updated_at = $2, \
           first_response_at = CASE WHEN $3 = 1 AND first_response_at IS NULL THEN $2 ELSE first_response_at END, \
           resolved_at = CASE WHEN $4 = 1 THEN $2 ELSE resolved_at END, \
           closed_at = CASE WHEN $5 = 1 THEN $2 ELSE closed_at END, \
           reopens = reopens + $10, \
           withdrawn_at = CASE WHEN $11 = 1 THEN $2 ELSE withdrawn_at END \
         WHERE id = $6 AND state = $7 AND ($8 = 0 OR version = $9)",
    )
    .bind(to)
    .bind(now)
    .bind((step.by == Actor::Station) as i64)
    .bind((to == State::Resolved) as i64)
    .bind(to.is_final() as i64)
    .bind(item)
    .bind(from)
    .bind(step.seen.is_some() as i64)
    .bind(version)
    .bind((to == State::Reopened) as i64)
    .bind((to == State::Withdrawn) as i64)
    .execute(&mut **w.tx())
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict);
    }
    if let Some(user) = assignee.filter(|_| from.is_open() != to.is_open()) {
        load(w.tx(), user, if to.is_open() { 1 } else { -1 }).await?;
    }
    if from != to {
        count(w.tx(), community, from, -1).await?;
        count(w.tx(), community, to, 1).await?;
    }
    let kind = match step.action {
        Action::Whistle => EventKind::Whistled,
        Action::HandOff => EventKind::HandedOff,
        Action::PartnerDone => EventKind::PartnerOutcome,
        _ => EventKind::Transition,
    };
    let line = Line { kind, actor: step.actor, from: Some(from), to: Some(to), note: step.note, public: true, at: now };
    append(w.tx(), item, line).await?;
    if step.tell && !found {
        // The resident hears of every change the station (or the server) makes; the
        // station hears of the resident's. The server's own moves are told once however
        // many instances try.
        let told = if step.by == Actor::Requester { assignee } else { Some(requester) };
        if step.by == Actor::Requester && to == State::Reopened {
            // A reopened case needs someone now: its worker, or the stationmasters when
            // nobody holds it.
            let staff: Vec<i64> =
                match assignee {
                    Some(a) => vec![a],
                    None => sqlx::query_scalar(
                        "SELECT id FROM users WHERE region_id = $1 AND role = 'stationmaster' AND disabled_at IS NULL",
                    )
                    .bind(community)
                    .fetch_all(&mut **w.tx())
                    .await?,
                };
            for user in staff {
                crate::notifications::server::send(w.tx(), Send::new(user, Kind::Reopened).item(item)).await?;
            }
        } else if let Some(user) = told {
            let mut n = Send::new(user, Kind::Status).item(item).detail(to.as_str());
            if step.by == Actor::System {
                n = n.once(format!("{}:{item}:{}", step.action.as_str(), version + 1));
            }
            crate::notifications::server::send(w.tx(), n).await?;
        }
        if to == State::Closed {
            // Closed: the requester is invited to rate it (once).
            crate::notifications::server::send(
                w.tx(),
                Send::new(requester, Kind::RateInvite).item(item).once(format!("rate:{item}")),
            )
            .await?;
        }
        // Those who reported the same incident hear of every move, whoever made it, and
        // are invited to rate it too (each once: the keys name them).
        for user in co_requesters(w, item).await? {
            let mut n = Send::new(user, Kind::Status).item(item).detail(to.as_str());
            if step.by == Actor::System {
                n = n.once(format!("{}:{item}:{}:{user}", step.action.as_str(), version + 1));
            }
            crate::notifications::server::send(w.tx(), n).await?;
            if to == State::Closed {
                let invite = Send::new(user, Kind::RateInvite).item(item).once(format!("rate:{item}:{user}"));
                crate::notifications::server::send(w.tx(), invite).await?;
            }
        }
    }
    w.touched(item);
    Ok(Moved { from, to })
}

/// A case just moved by `Action::Merge` points to the case it joined (the rates count
/// that one only; its page links there).
pub async fn mark_merged(w: &mut WorkTx, item: i64, into: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE work_items SET merged_into = $1 WHERE id = $2 AND state = 'withdrawn'")
        .bind(into)
        .bind(item)
        .execute(&mut **w.tx())
        .await?;
    w.touched(item);
    Ok(())
}

/// The residents who joined the item's demand (我也遇到了, or merged into it).
pub async fn co_requesters(w: &mut WorkTx, item: i64) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT c.user_id FROM co_requesters c JOIN work_items w ON w.demand_id = c.demand_id \
         WHERE w.id = $1 ORDER BY c.user_id",
    )
    .bind(item)
    .fetch_all(&mut **w.tx())
    .await?)
}

/// An event to append to an item's timeline.
pub struct Event<'a> {
    pub kind: EventKind,
    pub actor: Option<i64>,
    pub note: &'a str,
    /// Residents see public events; staff see all.
    pub public: bool,
}

/// A change that is not a move between states.
#[derive(Default)]
pub struct Amend<'a> {
    /// The version the actor saw (a change since then is a `Conflict`).
    pub seen: Option<i64>,
    /// Moves the version, so open pages refresh and a stale form elsewhere is told.
    pub bump: bool,
    /// Counts as the station's first response, if none came before.
    pub responded: bool,
    pub assignee: Option<(i64, RouteReason)>,
    pub urged: bool,
    pub complete_by: Option<i64>,
    pub event: Option<Event<'a>>,
}

/// Changes what is not a state: the only other code that writes a work item.
pub async fn amend(w: &mut WorkTx, item: i64, a: Amend<'_>) -> Result<(), AppError> {
    let now = Millis::now().0;
    let bump = a.bump || a.seen.is_some();
    // Reassigning moves the item's weight from one worker's load to the other's.
    let before: Option<(Option<i64>, State)> = match a.assignee {
        Some(_) => {
            sqlx::query_as("SELECT assignee_id, state FROM work_items WHERE id = $1")
                .bind(item)
                .fetch_optional(&mut **w.tx())
                .await?
        }
        None => None,
    };
    if bump || a.responded || a.assignee.is_some() || a.urged || a.complete_by.is_some() {
        let done = sqlx::query(
            "UPDATE work_items SET version = version + $1, updated_at = CASE WHEN $1 = 1 THEN $2 ELSE updated_at END, \
               first_response_at = CASE WHEN $3 = 1 AND first_response_at IS NULL THEN $2 ELSE first_response_at END, \
               assignee_id = CASE WHEN $4 = 1 THEN $5 ELSE assignee_id END, \
               route_reason = CASE WHEN $4 = 1 THEN $6 ELSE route_reason END, \
               urged_at = CASE WHEN $7 = 1 THEN $2 ELSE urged_at END, \
               complete_by = CASE WHEN $8 = 1 THEN (CASE WHEN $9 < respond_by THEN respond_by ELSE $9 END) ELSE complete_by END \
             WHERE id = $10 AND ($11 = 0 OR version = $12)",
        )
        .bind(bump as i64)
        .bind(now)
        .bind(a.responded as i64)
        .bind(a.assignee.is_some() as i64)
        .bind(a.assignee.map(|x| x.0))
        .bind(a.assignee.map(|x| x.1.as_str()))
        .bind(a.urged as i64)
        .bind(a.complete_by.is_some() as i64)
        .bind(a.complete_by)
        .bind(item)
        .bind(a.seen.is_some() as i64)
        .bind(a.seen.unwrap_or(0))
        .execute(&mut **w.tx())
        .await?;
        if done.rows_affected() == 0 {
            return Err(if a.seen.is_some() { AppError::Conflict } else { AppError::NotFound });
        }
    }
    if let (Some((old, state)), Some((new, _))) = (before, a.assignee) {
        if state.is_open() && old != Some(new) {
            if let Some(old) = old {
                load(w.tx(), old, -1).await?;
            }
            load(w.tx(), new, 1).await?;
        }
    }
    if let Some(e) = a.event {
        let line = Line { kind: e.kind, actor: e.actor, from: None, to: None, note: e.note, public: e.public, at: now };
        append(w.tx(), item, line).await?;
    }
    w.touched(item);
    Ok(())
}

/// A case's affair changed before the station took it up: its triage and deadlines follow
/// the new affair, as if it had been filed under it. `false` once the case has moved on
/// (then only the affair's name changes: the station already works it as it is).
pub async fn retriage(
    w: &mut WorkTx,
    item: i64,
    triage: (rules::Triage, rules::TriageReason),
    (respond_by, complete_by): (i64, i64),
) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE work_items SET triage = $1, triage_reason = $2, respond_by = $3, complete_by = $4 \
         WHERE id = $5 AND state = 'received'",
    )
    .bind(triage.0)
    .bind(triage.1)
    .bind(respond_by)
    .bind(complete_by)
    .bind(item)
    .execute(&mut **w.tx())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Flags an overdue item once (several instances may try): true for the one that did.
pub async fn flag_overdue(w: &mut WorkTx, item: i64, now: i64) -> Result<bool, AppError> {
    let won = sqlx::query("UPDATE work_items SET overdue_flagged_at = $1 WHERE id = $2 AND overdue_flagged_at IS NULL")
        .bind(now)
        .bind(item)
        .execute(&mut **w.tx())
        .await?
        .rows_affected()
        == 1;
    if won {
        let line =
            Line { kind: EventKind::Overdue, actor: None, from: None, to: None, note: "", public: false, at: now };
        append(w.tx(), item, line).await?;
        w.touched(item);
    }
    Ok(won)
}

/// Keeps `worker_load` in step with the items a worker still has to do (the rules' open
/// states): routing reads it instead of counting.
pub(super) async fn load(tx: &mut Tx, user: i64, delta: i64) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO worker_load (user_id, open_items) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET open_items = worker_load.open_items + excluded.open_items",
    )
    .bind(user)
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Keeps `board_counts` in step: the board's counters per community and state.
pub(super) async fn count(tx: &mut Tx, community: i64, state: State, delta: i64) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO board_counts (community_id, state, items) VALUES ($1, $2, $3) \
         ON CONFLICT (community_id, state) DO UPDATE SET items = board_counts.items + excluded.items",
    )
    .bind(community)
    .bind(state)
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One line of an item's history.
pub(super) struct Line<'a> {
    pub kind: EventKind,
    pub actor: Option<i64>,
    pub from: Option<State>,
    pub to: Option<State>,
    pub note: &'a str,
    /// Residents see public lines; staff see all.
    pub public: bool,
    pub at: i64,
}

/// Appends a line to an item's history (append-only).
pub(super) async fn append(tx: &mut Tx, item: i64, l: Line<'_>) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO work_events (work_item_id, actor_id, kind, from_state, to_state, note, public, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(item)
    .bind(l.actor)
    .bind(l.kind)
    .bind(l.from)
    .bind(l.to)
    .bind(l.note)
    .bind(l.public as i64)
    .bind(l.at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
