//! Beyond the station: whistles to subdistrict departments (吹哨报到) and hand-offs to
//! partners. A unit with its own Open311 system also gets them there: the open311
//! feature's outbox finds new whistles and hand-offs itself, so nothing here knows of it.

use super::super::rules::{Action, Actor};
use super::super::EventKind;
use super::actions::short_text;
use super::change::{amend, transition, Amend, Event, Step, WorkTx};
use super::{item_for, Relation};
use crate::auth::{Role, SessionUser};
use crate::error::AppError;
use crate::i18n::T;
use crate::notifications::{server::send, server::Send, Kind};
use crate::store::{Millis, Store};

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
    // 街乡吹哨: the station, or an admin above it (only admins oversee), whistles.
    if !matches!(rel, Relation::Station | Relation::Overseer) {
        return Err(AppError::Forbidden);
    }
    if departments.is_empty() {
        return Err(AppError::invalid("departments", T::ErrChooseDepartment));
    }
    let path = crate::community::server::community_path(store, item.community_id).await?.ok_or(AppError::Internal)?;
    let config = crate::request::config();
    let now = Millis::now().0;
    let mut w = WorkTx::begin(store).await?;
    let mut names = Vec::new();
    for &dept in departments {
        let name: Option<String> =
            sqlx::query_scalar("SELECT name_zh FROM departments WHERE id = $1 AND subdistrict_id = $2")
                .bind(dept)
                .bind(path.subdistrict)
                .fetch_optional(&mut **w.tx())
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
        .execute(&mut **w.tx())
        .await?;
        let liaisons: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM users WHERE role = 'department' AND department_id = $1 AND disabled_at IS NULL",
        )
        .bind(dept)
        .fetch_all(&mut **w.tx())
        .await?;
        for l in liaisons {
            send(w.tx(), Send::new(l, Kind::Whistle).item(id).detail(&name)).await?;
        }
        names.push(name);
    }
    let note =
        if note.trim().is_empty() { names.join("、") } else { format!("{}：{}", names.join("、"), note.trim()) };
    transition(
        &mut w,
        id,
        Step::new(Action::Whistle, Actor::Station, Some(user.id)).note(&note).seen(expected_version),
    )
    .await?;
    w.commit(store).await
}

/// A department liaison checks in (报到) on a whistle of their department.
pub async fn check_in(store: &Store, user: &SessionUser, whistle_id: i64) -> Result<(), AppError> {
    let (item_id, _) = department_whistle(store, user, whistle_id).await?;
    let now = Millis::now().0;
    let mut w = WorkTx::begin(store).await?;
    let done = sqlx::query(
        "UPDATE whistles SET checked_in_at = $1, checked_in_by = $2 WHERE id = $3 AND checked_in_at IS NULL",
    )
    .bind(now)
    .bind(user.id)
    .bind(whistle_id)
    .execute(&mut **w.tx())
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::WrongState);
    }
    // The actor line already names the department.
    let event = Event { kind: EventKind::CheckedIn, actor: Some(user.id), note: "", public: true };
    amend(&mut w, item_id, Amend { bump: true, event: Some(event), ..Default::default() }).await?;
    w.commit(store).await
}

/// A department reports back. When every summoned department has reported, the item goes
/// back to the station (in progress) and its assignee is told.
pub async fn report(store: &Store, user: &SessionUser, whistle_id: i64, text: &str) -> Result<(), AppError> {
    let (item_id, dept_name) = department_whistle(store, user, whistle_id).await?;
    let text = short_text("report", text, true)?;
    let mut w = WorkTx::begin(store).await?;
    record_report(&mut w, Some(user.id), item_id, whistle_id, &dept_name, text).await?;
    w.commit(store).await
}

/// A department's report on a whistle, from its liaison or from its own Open311 system
/// (`by` = None): once; when the last one is in, the item goes back to the station.
pub async fn record_report(
    w: &mut WorkTx,
    by: Option<i64>,
    item_id: i64,
    whistle_id: i64,
    dept_name: &str,
    text: &str,
) -> Result<(), AppError> {
    let now = Millis::now().0;
    let done = sqlx::query(
        "UPDATE whistles SET reported_at = $1, reported_by = $2, report = $3, checked_in_at = COALESCE(checked_in_at, $1), \
         checked_in_by = COALESCE(checked_in_by, $2) WHERE id = $4 AND reported_at IS NULL",
    )
    .bind(now)
    .bind(by)
    .bind(text)
    .bind(whistle_id)
    .execute(&mut **w.tx())
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::WrongState);
    }
    let note = format!("{dept_name}：{text}");
    let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM whistles WHERE work_item_id = $1 AND reported_at IS NULL")
        .bind(item_id)
        .fetch_one(&mut **w.tx())
        .await?;
    let event = Event { kind: EventKind::Reported, actor: by, note: &note, public: true };
    amend(w, item_id, Amend { bump: open > 0, event: Some(event), ..Default::default() }).await?;
    if open == 0 {
        match transition(w, item_id, Step::new(Action::DepartmentsReported, Actor::System, None)).await {
            Ok(_) | Err(AppError::WrongState) => {}
            Err(e) => return Err(e),
        }
        let assignee: Option<i64> = sqlx::query_scalar("SELECT assignee_id FROM work_items WHERE id = $1")
            .bind(item_id)
            .fetch_one(&mut **w.tx())
            .await?;
        if let Some(a) = assignee {
            send(w.tx(), Send::new(a, Kind::Reported).item(item_id).detail(dept_name)).await?;
        }
    }
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
    // The community's own partners and its subdistrict's shared directory.
    let name: Option<String> = sqlx::query_scalar(
        "SELECT name_zh FROM partners WHERE id = $1 AND (community_id = $2 OR community_id = \
         (SELECT parent_id FROM regions WHERE id = $2))",
    )
    .bind(partner)
    .bind(item.community_id)
    .fetch_optional(store.pool())
    .await?;
    let Some(name) = name else { return Err(AppError::invalid("partner", T::ErrChoosePartner)) };
    let note = short_text("note", note, false)?;
    let now = Millis::now().0;
    let mut w = WorkTx::begin(store).await?;
    let text = if note.is_empty() { name } else { format!("{name}：{note}") };
    transition(
        &mut w,
        id,
        Step::new(Action::HandOff, Actor::Station, Some(user.id)).note(&text).seen(expected_version),
    )
    .await?;
    sqlx::query(
        "INSERT INTO handoffs (work_item_id, partner_id, handed_by, handed_at, note) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(partner)
    .bind(user.id)
    .bind(now)
    .bind(note)
    .execute(&mut **w.tx())
    .await?;
    w.commit(store).await
}

/// Records what the partner did; the item returns to the station (in progress).
pub async fn hand_off_outcome(
    store: &Store,
    user: &SessionUser,
    id: i64,
    expected_version: i64,
    outcome: &str,
) -> Result<(), AppError> {
    let (_, rel) = item_for(store, user, id).await?;
    if rel != Relation::Station {
        return Err(AppError::Forbidden);
    }
    let outcome = short_text("outcome", outcome, true)?;
    let now = Millis::now().0;
    let mut w = WorkTx::begin(store).await?;
    let step = Step::new(Action::PartnerDone, Actor::Station, Some(user.id)).note(outcome).seen(expected_version);
    transition(&mut w, id, step.quiet()).await?;
    sqlx::query(
        "UPDATE handoffs SET outcome = $1, outcome_at = $2, outcome_by = $3 WHERE work_item_id = $4 AND outcome IS NULL",
    )
    .bind(outcome)
    .bind(now)
    .bind(user.id)
    .bind(id)
    .execute(&mut **w.tx())
    .await?;
    w.commit(store).await
}
