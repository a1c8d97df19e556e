//! Background jobs, run by every server instance on a timer and safe to run on several at
//! once: each change is a conditional update that only one instance can win, and each
//! notification carries a key so it exists once.
//! - overdue items are flagged (督办 starts here) and their worker and stationmaster told;
//! - resolved items unanswered for 7 days close by themselves;
//! - departments late to check in on a whistle are flagged to the station.
//! The scheduler (`crate::jobs`) runs this with every other feature's jobs.

use super::rules::{self, Action, Actor};
use super::server::change::{flag_overdue, transition, Step, WorkTx};
use crate::error::AppError;
use crate::notifications::{server::send, server::Send, Kind};
use crate::store::Store;

/// What one run did (tests and logs read it).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct JobReport {
    pub flagged_overdue: usize,
    pub auto_closed: usize,
    pub late_checkins: usize,
}

/// Who hears of a late item: the community's stationmasters and its assignee, once each.
async fn told(store: &Store, community: i64, assignee: Option<i64>) -> Result<Vec<i64>, AppError> {
    let mut told: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE region_id = $1 AND role = 'stationmaster' AND disabled_at IS NULL",
    )
    .bind(community)
    .fetch_all(store.pool())
    .await?;
    told.extend(assignee);
    told.sort_unstable();
    told.dedup();
    Ok(told)
}

pub async fn run_once(store: &Store, now: i64) -> Result<JobReport, AppError> {
    let mut report = JobReport::default();

    let overdue: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, community_id, assignee_id FROM work_items WHERE overdue_flagged_at IS NULL \
         AND state NOT IN ('resolved', 'closed', 'withdrawn') \
         AND ((first_response_at IS NULL AND respond_by < $1) OR complete_by < $1)",
    )
    .bind(now)
    .fetch_all(store.pool())
    .await?;
    for (id, community, assignee) in overdue {
        // Read before the write transaction: a query on another pooled connection while
        // holding SQLite's write lock waits for writers that wait for it.
        let told = told(store, community, assignee).await?;
        let mut w = WorkTx::begin(store).await?;
        if !flag_overdue(&mut w, id, now).await? {
            continue; // another instance flagged it
        }
        for user in told {
            send(w.tx(), Send::new(user, Kind::Overdue).item(id).once(format!("overdue:{id}:{user}"))).await?;
        }
        w.commit(store).await?;
        report.flagged_overdue += 1;
    }

    let window = rules::CONFIRM_WINDOW_DAYS * 24 * 3_600_000;
    let stale: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, version FROM work_items WHERE state = 'resolved' AND resolved_at < $1")
            .bind(now - window)
            .fetch_all(store.pool())
            .await?;
    for (id, version) in stale {
        let mut w = WorkTx::begin(store).await?;
        match transition(&mut w, id, Step::new(Action::AutoClose, Actor::System, None).seen(version)).await {
            Ok(_) => {}
            // Another instance (or the resident) was first.
            Err(AppError::Conflict | AppError::WrongState) => continue,
            Err(e) => return Err(e),
        }
        w.commit(store).await?;
        report.auto_closed += 1;
    }

    let late: Vec<(i64, i64, i64, Option<i64>, String)> = sqlx::query_as(
        "SELECT h.id, h.work_item_id, w.community_id, w.assignee_id, d.name_zh FROM whistles h \
         JOIN work_items w ON w.id = h.work_item_id JOIN departments d ON d.id = h.department_id \
         WHERE h.checked_in_at IS NULL AND h.late_flagged_at IS NULL AND h.checkin_by < $1",
    )
    .bind(now)
    .fetch_all(store.pool())
    .await?;
    for (whistle, item, community, assignee, department) in late {
        let told = told(store, community, assignee).await?;
        let mut w = WorkTx::begin(store).await?;
        let won = sqlx::query("UPDATE whistles SET late_flagged_at = $1 WHERE id = $2 AND late_flagged_at IS NULL")
            .bind(now)
            .bind(whistle)
            .execute(&mut **w.tx())
            .await?
            .rows_affected()
            == 1;
        if !won {
            continue;
        }
        for user in told {
            let n = Send::new(user, Kind::CheckinLate).item(item).detail(&department);
            send(w.tx(), n.once(format!("late:{whistle}:{user}"))).await?;
        }
        w.commit(store).await?;
        report.late_checkins += 1;
    }
    Ok(report)
}

/// Reminders that change outcomes, each sent once (its notification's key):
/// - the requester of a case resolved 5 days ago, before it closes by itself on day 7;
/// - the liaisons of a whistled department whose check-in falls due within 10 minutes.
pub async fn remind(store: &Store, now: i64) -> Result<usize, AppError> {
    const DAY: i64 = 24 * 3_600_000;
    let mut sent = 0;
    // Keyed by the resolution's time: a case reopened and resolved again is reminded again.
    let resolved: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT w.id, d.requester_id, w.resolved_at FROM work_items w JOIN demands d ON d.id = w.demand_id \
         WHERE w.state = 'resolved' AND w.resolved_at <= $1 AND w.resolved_at > $2 AND w.found_via IS NULL \
         AND NOT EXISTS (SELECT 1 FROM notifications n \
           WHERE n.dedupe_key = 'confirm-remind:' || CAST(w.id AS TEXT) || ':' || CAST(w.resolved_at AS TEXT))",
    )
    .bind(now - rules::CONFIRM_REMINDER_DAYS * DAY)
    .bind(now - rules::CONFIRM_WINDOW_DAYS * DAY)
    .fetch_all(store.pool())
    .await?;
    for (item, requester, resolved_at) in resolved {
        let mut tx = store.write().await?;
        let n = Send::new(requester, Kind::ConfirmReminder).item(item);
        sent += send(&mut tx, n.once(format!("confirm-remind:{item}:{resolved_at}"))).await? as usize;
        tx.commit().await?;
    }
    let due: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "SELECT h.id, h.work_item_id, u.id, d.name_zh FROM whistles h JOIN departments d ON d.id = h.department_id \
         JOIN users u ON u.department_id = h.department_id AND u.role = 'department' AND u.disabled_at IS NULL \
         WHERE h.checked_in_at IS NULL AND h.late_flagged_at IS NULL AND h.checkin_by > $1 AND h.checkin_by <= $2 \
         AND NOT EXISTS (SELECT 1 FROM notifications n \
           WHERE n.dedupe_key = 'checkin-due:' || CAST(h.id AS TEXT) || ':' || CAST(u.id AS TEXT))",
    )
    .bind(now)
    .bind(now + rules::CHECKIN_REMINDER_MINUTES * 60_000)
    .fetch_all(store.pool())
    .await?;
    for (whistle, item, liaison, department) in due {
        let mut tx = store.write().await?;
        let n = Send::new(liaison, Kind::CheckinDue).item(item).detail(&department);
        sent += send(&mut tx, n.once(format!("checkin-due:{whistle}:{liaison}"))).await? as usize;
        tx.commit().await?;
    }
    Ok(sent)
}
