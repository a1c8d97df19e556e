//! Server side of home visits: the request (a private demand at home, its work item of kind
//! home visit routed to the area director), proposals and answers, the outcome.

use super::*;
use crate::auth::{Role, SessionUser};
use crate::demands::file::{file_case, filed_with_key, NewCase};
use crate::demands::Channel;
use crate::error::Problems;
use crate::form::key::IdempotencyKey;
use crate::i18n::T;
use crate::notifications::{server::send, server::Send, Kind};
use crate::store::{Millis, Store};
use crate::time::format_local;
use crate::work::rules::{Action, ItemKind, Place, State, Triage, TriageReason};
use crate::work::server::{self as work, Relation, WorkTx};

pub struct Request<'a> {
    pub for_whom: i64,
    pub reason: &'a str,
    pub preferred: &'a str,
    pub preferred_note: &'a str,
    pub mobility: &'a str,
    pub mobility_note: &'a str,
    pub key: &'a str,
}

pub async fn request(store: &Store, user: &SessionUser, r: Request<'_>) -> Result<i64, AppError> {
    if user.role != Role::Resident {
        return Err(AppError::Forbidden);
    }
    let key = IdempotencyKey::parse(r.key)?;
    // Home visits are demands: the same key finds the same request.
    if let Some(id) = filed_with_key(store, user.id, key.as_str()).await? {
        return Ok(id);
    }
    let mut p = Problems::default();
    if r.for_whom != user.id && !work::is_proxy_of(store, user.id, r.for_whom).await? {
        p.add("for_whom", T::ErrNotYourFamily);
    }
    let reason = r.reason.trim();
    match reason.chars().count() {
        0 => p.add("reason", T::ErrRequired),
        n if n > 500 => p.add("reason", T::ErrTooLong),
        _ => {}
    }
    if !PREFERRED.contains(&r.preferred) {
        p.add("preferred", T::ErrRequired);
    }
    if !MOBILITY.contains(&r.mobility) {
        p.add("mobility", T::ErrRequired);
    }
    p.into_result()?;
    // The visit goes to the resident's home: their community and building.
    let (community, building): (i64, Option<i64>) =
        sqlx::query_as("SELECT region_id, building_id FROM users WHERE id = $1")
            .bind(r.for_whom)
            .fetch_one(store.pool())
            .await?;
    let description = format!("【上门服务 Home visit】{reason}");
    let now = Millis::now().0;
    let mut case = NewCase::new(
        community,
        r.for_whom,
        user.id,
        Channel::App,
        ItemKind::HomeVisit,
        description,
        Place::Home,
        key,
        now,
    );
    case.building_id = building;
    case.triage = Some((Triage::Transfer, TriageReason::HomeVisit));
    case.tell_requester = (r.for_whom != user.id).then(|| user.display_name.clone());
    let mut w = WorkTx::begin(store).await?;
    let Some(filed) = file_case(&mut w, case).await? else {
        drop(w);
        return filed_with_key(store, user.id, r.key).await?.ok_or(AppError::Conflict);
    };
    sqlx::query(
        "INSERT INTO home_visits (demand_id, preferred, preferred_note, mobility, mobility_note) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(filed.demand)
    .bind(r.preferred)
    .bind(r.preferred_note.trim().chars().take(200).collect::<String>())
    .bind(r.mobility)
    .bind(r.mobility_note.trim().chars().take(200).collect::<String>())
    .execute(&mut **w.tx())
    .await?;
    w.commit(store).await?;
    Ok(filed.demand)
}

/// The home-visit part of a demand page, for whoever may see the demand.
pub async fn panel(store: &Store, item: &work::ItemRow, rel: Relation) -> Result<Option<VisitPanel>, AppError> {
    let Some(demand) = item.demand_id.filter(|_| item.kind == ItemKind::HomeVisit) else { return Ok(None) };
    let row: Option<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT preferred, preferred_note, mobility, mobility_note, outcome FROM home_visits WHERE demand_id = $1",
    )
    .bind(demand)
    .fetch_optional(store.pool())
    .await?;
    let Some((preferred, preferred_note, mobility, mobility_note, outcome)) = row else { return Ok(None) };
    let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "SELECT id, visit_at, status, answer_note FROM visit_proposals WHERE demand_id = $1 ORDER BY id",
    )
    .bind(demand)
    .fetch_all(store.pool())
    .await?;
    let pending = rows.iter().find(|r| r.2 == "proposed").map(|r| r.0);
    let agreed = rows.iter().any(|r| r.2 == "accepted");
    let state = item.state();
    let open = !matches!(state, State::Resolved | State::Closed | State::Withdrawn);
    Ok(Some(VisitPanel {
        demand_id: demand,
        preferred,
        preferred_note,
        mobility,
        mobility_note,
        proposals: rows
            .into_iter()
            .map(|(id, at, status, note)| ProposalView { id, when: format_local(at), status, note })
            .collect(),
        can_propose: rel == Relation::Station && open && pending.is_none() && state != State::VisitScheduled,
        can_answer: pending.filter(|_| rel == Relation::Requester && open),
        can_record: rel == Relation::Station && agreed && state == State::VisitScheduled && outcome.is_empty(),
        outcome,
    }))
}

async fn station_item(store: &Store, user: &SessionUser, demand: i64) -> Result<work::ItemRow, AppError> {
    let item = work::item_of_demand(store, demand).await?.ok_or(AppError::NotFound)?;
    let rel = work::relation(store, user, &item).await?;
    match rel {
        Relation::None => Err(AppError::NotFound),
        Relation::Station if item.kind == ItemKind::HomeVisit => Ok(item),
        _ => Err(AppError::Forbidden),
    }
}

pub async fn propose(store: &Store, user: &SessionUser, demand: i64, date: &str, time: &str) -> Result<(), AppError> {
    let item = station_item(store, user, demand).await?;
    let at = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .ok()
        .zip(chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M").ok())
        .and_then(|(d, t)| d.and_time(t).and_local_timezone(crate::time::beijing()).single())
        .map(|d| d.timestamp_millis())
        .ok_or(AppError::invalid("date", T::ErrDateTime))?;
    let now = Millis::now().0;
    if at <= now {
        return Err(AppError::invalid("date", T::ErrVisitInFuture));
    }
    let mut w = WorkTx::begin(store).await?;
    let pending: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM visit_proposals WHERE demand_id = $1 AND status IN ('proposed', 'accepted')",
    )
    .bind(demand)
    .fetch_optional(&mut **w.tx())
    .await?;
    if pending.is_some() {
        return Err(AppError::WrongState);
    }
    sqlx::query("INSERT INTO visit_proposals (demand_id, visit_at, proposed_by, status, created_at) VALUES ($1, $2, $3, 'proposed', $4)")
        .bind(demand)
        .bind(at)
        .bind(user.id)
        .bind(now)
        .execute(&mut **w.tx())
        .await?;
    // Proposing a time is the station's response: it takes the request on.
    if item.state() == State::Received {
        work::station_steps(&mut w, item.id, user.id, &[Action::Accept], "").await?;
    }
    let text = format!("提议上门时间 Proposed visit: {}", format_local(at));
    work::note(&mut w, item.id, Some(user.id), &text, true).await?;
    let when = format_local(at);
    send(w.tx(), Send::new(item.requester_id, Kind::VisitProposed).item(item.id).detail(&when)).await?;
    w.commit(store).await?;
    Ok(())
}

pub async fn answer(
    store: &Store,
    user: &SessionUser,
    proposal: i64,
    accept: bool,
    note: &str,
) -> Result<i64, AppError> {
    let row: Option<(i64, i64, String)> =
        sqlx::query_as("SELECT demand_id, visit_at, status FROM visit_proposals WHERE id = $1")
            .bind(proposal)
            .fetch_optional(store.pool())
            .await?;
    let (demand, at, status) = row.ok_or(AppError::NotFound)?;
    let item = work::item_of_demand(store, demand).await?.ok_or(AppError::NotFound)?;
    match work::relation(store, user, &item).await? {
        Relation::Requester => {}
        Relation::None => return Err(AppError::NotFound),
        _ => return Err(AppError::Forbidden),
    }
    if status != "proposed" {
        return Err(AppError::WrongState);
    }
    let note = note.trim();
    if !accept && note.is_empty() {
        return Err(AppError::invalid("note", T::ErrReasonRequired));
    }
    let now = Millis::now().0;
    let mut w = WorkTx::begin(store).await?;
    let done = sqlx::query("UPDATE visit_proposals SET status = $1, answer_note = $2, answered_at = $3 WHERE id = $4 AND status = 'proposed'")
        .bind(if accept { "accepted" } else { "declined" })
        .bind(note.chars().take(200).collect::<String>())
        .bind(now)
        .bind(proposal)
        .execute(&mut **w.tx())
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict);
    }
    if accept {
        // The agreed time schedules the visit on the work item.
        let text = format!("居民确认上门时间 Visit agreed: {}", format_local(at));
        work::station_steps(&mut w, item.id, user.id, &[Action::Accept, Action::ScheduleVisit], &text).await?;
        // (Accept is skipped when the proposal already took the request on.)
    } else {
        let text = format!("居民请求改期 Another time, please: {note}");
        work::note(&mut w, item.id, Some(user.id), &text, false).await?;
    }
    if let Some(a) = item.assignee_id {
        let kind = if accept { Kind::VisitAccepted } else { Kind::VisitDeclined };
        send(w.tx(), Send::new(a, kind).item(item.id).detail(&format_local(at))).await?;
    }
    w.commit(store).await?;
    Ok(demand)
}

pub async fn record(store: &Store, user: &SessionUser, demand: i64, outcome: &str) -> Result<(), AppError> {
    let item = station_item(store, user, demand).await?;
    let outcome = outcome.trim();
    match outcome.chars().count() {
        0 => return Err(AppError::invalid("outcome", T::ErrRequired)),
        n if n > 2000 => return Err(AppError::invalid("outcome", T::ErrTooLong)),
        _ => {}
    }
    if item.state() != State::VisitScheduled {
        return Err(AppError::WrongState);
    }
    let mut w = WorkTx::begin(store).await?;
    sqlx::query("UPDATE home_visits SET outcome = $1, outcome_at = $2 WHERE demand_id = $3")
        .bind(outcome)
        .bind(Millis::now())
        .bind(demand)
        .execute(&mut **w.tx())
        .await?;
    work::station_steps(&mut w, item.id, user.id, &[Action::VisitDone], &format!("上门结果 Visit outcome：{outcome}"))
        .await?;
    w.commit(store).await?;
    Ok(())
}

/// An account's deletion: the notes of its home visits (mobility, preferred times).
pub async fn forget_requester(tx: &mut crate::store::Tx, user: i64) -> Result<(), AppError> {
    let demands: Vec<i64> = sqlx::query_scalar(
        "SELECT demand_id FROM home_visits h JOIN demands d ON d.id = h.demand_id WHERE d.requester_id = $1",
    )
    .bind(user)
    .fetch_all(&mut **tx)
    .await?;
    forget_notes_of(tx, &demands).await
}

/// Retention: the notes of these demands' home visits.
pub async fn forget_notes_of(tx: &mut crate::store::Tx, demands: &[i64]) -> Result<(), AppError> {
    for d in demands {
        sqlx::query("UPDATE home_visits SET preferred_note = '', mobility_note = '' WHERE demand_id = $1")
            .bind(d)
            .execute(&mut **tx)
            .await?;
        sqlx::query("UPDATE visit_proposals SET answer_note = '' WHERE demand_id = $1")
            .bind(d)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
