//! What the station and the resident do to an item: moves by the rules, replies, case
//! notes, reassignment and urging. Each checks who is asking, then goes through
//! [`super::change`].

use super::super::rules::{self, Action, Actor, RouteReason, State};
use super::super::EventKind;
use super::change::{amend, transition, Amend, Event, Step, WorkTx};
use super::{item_for, Relation};
use crate::auth::{Role, SessionUser};
use crate::error::AppError;
use crate::i18n::T;
use crate::notifications::{server::send, server::Send, Kind};
use crate::store::{Millis, Store};

/// The rules' view of who is acting.
fn actor_for(relation: Relation) -> Result<Actor, AppError> {
    match relation {
        Relation::Requester => Ok(Actor::Requester),
        Relation::Station => Ok(Actor::Station),
        Relation::Department => Ok(Actor::Department),
        Relation::Overseer => Err(AppError::Forbidden),
        // A co-requester follows and rates the case; confirming, reopening or withdrawing
        // it is the requester's.
        Relation::CoRequester => Err(AppError::Forbidden),
        Relation::Neighbour | Relation::None => Err(AppError::NotFound),
    }
}

/// A free-text note of at most 2,000 characters, trimmed.
pub(super) fn short_text<'a>(field: &str, text: &'a str, required: bool) -> Result<&'a str, AppError> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(AppError::invalid(field, T::ErrRequired));
    }
    if text.chars().count() > 2000 {
        return Err(AppError::invalid(field, T::ErrTooLong));
    }
    Ok(text)
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
    // These moves keep records of their own (the whistles and their reports, the partner
    // and its outcome, the clock): only their own functions make them, never a bare action.
    if matches!(
        action,
        Action::Whistle | Action::DepartmentsReported | Action::HandOff | Action::PartnerDone | Action::AutoClose
    ) {
        return Err(AppError::Forbidden);
    }
    let (item, rel) = item_for(store, user, id).await?;
    let actor = actor_for(rel)?;
    let note = note.trim();
    if action == Action::Reopen && rules::transition(item.state, action, actor).is_ok() {
        if note.is_empty() {
            return Err(AppError::invalid("note", T::ErrReasonRequired));
        }
        let window = rules::CONFIRM_WINDOW_DAYS * 24 * 3_600_000;
        if item.resolved_at.is_some_and(|r| Millis::now().0 - r > window) {
            return Err(AppError::invalid("note", T::ErrReopenTooLate));
        }
    }
    // Withdrawing a case the station found says why (a false alarm, a duplicate): nobody
    // else will ask.
    let found_withdraw = action == Action::Withdraw && item.found_via.is_some();
    let note = short_text("note", note, found_withdraw)?;
    let mut w = WorkTx::begin(store).await?;
    let moved =
        transition(&mut w, id, Step::new(action, actor, Some(user.id)).note(note).seen(expected_version)).await?;
    // Nobody reported a found case, so nobody confirms it: resolved is closed.
    let moved = if item.found_via.is_some() && moved.to == State::Resolved {
        transition(&mut w, id, Step::new(Action::AutoClose, Actor::System, None)).await?
    } else {
        moved
    };
    w.commit(store).await?;
    Ok(moved.to)
}

/// Moves an item through station `actions` inside the caller's transaction (a thread
/// answer: accept, then start or resolve). An `Accept` the item no longer needs is skipped;
/// any other step must be legal from the state the item is in. The resident is told once,
/// of where it ends.
pub async fn station_steps(
    w: &mut WorkTx,
    id: i64,
    actor: i64,
    actions: &[Action],
    note: &str,
) -> Result<State, AppError> {
    let mut state = None;
    for (i, &action) in actions.iter().enumerate() {
        let last = i + 1 == actions.len();
        let step = Step::new(action, Actor::Station, Some(actor)).note(if last { note } else { "" });
        match transition(w, id, if last { step } else { step.quiet() }).await {
            Ok(moved) => state = Some(moved.to),
            Err(AppError::WrongState) if action == Action::Accept => continue,
            Err(e) => return Err(e),
        }
    }
    state.ok_or(AppError::WrongState)
}

/// A reply to the resident (on their timeline). The first reply counts as the response.
pub async fn reply(store: &Store, user: &SessionUser, id: i64, text: &str) -> Result<(), AppError> {
    let (item, rel) = item_for(store, user, id).await?;
    if rel != Relation::Station {
        return Err(AppError::Forbidden);
    }
    let text = short_text("text", text, true)?;
    let mut w = WorkTx::begin(store).await?;
    let event = Event { kind: EventKind::Reply, actor: Some(user.id), note: text, public: true };
    amend(&mut w, id, Amend { bump: true, responded: true, event: Some(event), ..Default::default() }).await?;
    // A found case has no resident to tell (its "requester" is the worker who found it).
    if item.found_via.is_none() {
        send(w.tx(), Send::new(item.requester_id, Kind::Reply).item(id)).await?;
    }
    w.commit(store).await
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
    if item.state.is_final() {
        return Err(AppError::WrongState);
    }
    let name: Option<String> = sqlx::query_scalar(
        "SELECT display_name FROM users WHERE id = $1 AND region_id = $2 AND role IN ('social_worker', 'dispatcher', 'stationmaster') \
         AND disabled_at IS NULL AND deleted_at IS NULL AND password_hash IS NOT NULL",
    )
    .bind(to_user)
    .bind(item.community_id)
    .fetch_optional(store.pool())
    .await?;
    let Some(name) = name else { return Err(AppError::invalid("assignee", T::ErrChooseWorker)) };
    let mut w = WorkTx::begin(store).await?;
    let event = Event { kind: EventKind::Reassigned, actor: Some(user.id), note: &name, public: false };
    let change = Amend {
        seen: Some(expected_version),
        assignee: Some((to_user, RouteReason::Reassigned)),
        event: Some(event),
        ..Default::default()
    };
    amend(&mut w, id, change).await?;
    send(w.tx(), Send::new(to_user, Kind::Assigned).item(id)).await?;
    w.commit(store).await
}

/// 督办: the stationmaster urges the assignee on an item.
pub async fn urge(store: &Store, user: &SessionUser, id: i64, note: &str) -> Result<(), AppError> {
    let (item, rel) = item_for(store, user, id).await?;
    if rel != Relation::Station || user.role != Role::Stationmaster {
        return Err(AppError::Forbidden);
    }
    if !item.state.is_open() {
        return Err(AppError::WrongState);
    }
    let mut w = WorkTx::begin(store).await?;
    let event = Event { kind: EventKind::Urged, actor: Some(user.id), note: note.trim(), public: false };
    amend(&mut w, id, Amend { bump: true, urged: true, event: Some(event), ..Default::default() }).await?;
    if let Some(a) = item.assignee_id {
        send(w.tx(), Send::new(a, Kind::Urge).item(id)).await?;
    }
    w.commit(store).await
}

/// 督办 from above (the `supervision` feature keeps the urge itself): a staff-only line on
/// the timeline, and the version moves so that open pages show it.
pub async fn urged_from_above(w: &mut WorkTx, id: i64, actor: i64, line: &str) -> Result<(), AppError> {
    let event = Event { kind: EventKind::Urged, actor: Some(actor), note: line, public: false };
    amend(w, id, Amend { bump: true, urged: true, event: Some(event), ..Default::default() }).await
}

/// The station's answer to an urge from above, staff-only on the timeline.
pub async fn urge_answered(w: &mut WorkTx, id: i64, actor: i64, answer: &str) -> Result<(), AppError> {
    let event = Event { kind: EventKind::UrgeAnswered, actor: Some(actor), note: answer, public: false };
    amend(w, id, Amend { bump: true, event: Some(event), ..Default::default() }).await
}

/// A public note on an item's timeline from another feature (a thread's milestone, a
/// meeting, a proposed visit time), optionally counting as the station's response.
pub async fn note(w: &mut WorkTx, id: i64, actor: Option<i64>, text: &str, responded: bool) -> Result<(), AppError> {
    let event = Event { kind: EventKind::Reply, actor, note: text, public: true };
    amend(w, id, Amend { bump: responded, responded, event: Some(event), ..Default::default() }).await
}

/// News about an item from a department's or partner's own system (no actor).
pub async fn remote_news(w: &mut WorkTx, id: i64, text: &str, public: bool) -> Result<(), AppError> {
    let event = Event { kind: EventKind::Remote, actor: None, note: text, public };
    amend(w, id, Amend { event: Some(event), ..Default::default() }).await
}

/// A project's due date moves (a plan's last milestone).
pub async fn set_due(w: &mut WorkTx, id: i64, complete_by: i64) -> Result<(), AppError> {
    amend(w, id, Amend { complete_by: Some(complete_by), ..Default::default() }).await
}
