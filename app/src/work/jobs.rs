//! Background jobs, run by every server instance on a timer and safe to run on several at
//! once: each change is a conditional update that only one instance can win, and each
//! notification carries a key so it exists once.
//! - overdue items are flagged (督办 starts here) and their worker and stationmaster told;
//! - resolved items unanswered for 7 days close by themselves;
//! - departments late to check in on a whistle are flagged to the station;
//! - photos of forms never sent and stale form drafts are removed.

use super::rules::{self, State};
use super::server::{event, notify};
use super::EventKind;
use crate::error::AppError;
use crate::store::Store;
use std::time::Duration;

/// What one run did (tests and logs read it).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct JobReport {
    pub flagged_overdue: usize,
    pub auto_closed: usize,
    pub late_checkins: usize,
    pub appointment_reminders: usize,
}

pub fn start(store: Store, every: Duration) {
    tokio::spawn(async move {
        let mut timer = tokio::time::interval(every);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            match run_once(&store, crate::store::Millis::now().0).await {
                Ok(r) if r != JobReport::default() => tracing::info!(?r, "background jobs"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "background jobs failed"),
            }
        }
    });
}

async fn stationmasters(store: &Store, community: i64) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM users WHERE region_id = $1 AND role = 'stationmaster' AND disabled_at IS NULL",
    )
    .bind(community)
    .fetch_all(store.pool())
    .await?)
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
        let mut tx = store.write().await?;
        let won =
            sqlx::query("UPDATE work_items SET overdue_flagged_at = $1 WHERE id = $2 AND overdue_flagged_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
        if !won {
            continue; // another instance flagged it
        }
        event(&mut tx, id, None, EventKind::Overdue, None, None, "", false).await?;
        let mut told = stationmasters(store, community).await?;
        told.extend(assignee);
        told.sort_unstable();
        told.dedup();
        for user in told {
            notify(&mut tx, user, Some(id), "overdue", "", Some(format!("overdue:{id}:{user}"))).await?;
        }
        tx.commit().await?;
        super::live::publish(store, id).await;
        report.flagged_overdue += 1;
    }

    let window = rules::CONFIRM_WINDOW_DAYS * 24 * 3_600_000;
    let stale: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT w.id, w.version, d.requester_id FROM work_items w JOIN demands d ON d.id = w.demand_id \
         WHERE w.state = 'resolved' AND w.resolved_at < $1",
    )
    .bind(now - window)
    .fetch_all(store.pool())
    .await?;
    for (id, version, requester) in stale {
        let mut tx = store.write().await?;
        let won = sqlx::query(
            "UPDATE work_items SET state = 'closed', closed_at = $1, version = version + 1, updated_at = $1 \
             WHERE id = $2 AND version = $3 AND state = 'resolved'",
        )
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !won {
            continue;
        }
        event(&mut tx, id, None, EventKind::Transition, Some(State::Resolved), Some(State::Closed), "", true).await?;
        notify(&mut tx, requester, Some(id), "status", State::Closed.as_str(), Some(format!("autoclose:{id}"))).await?;
        notify(&mut tx, requester, Some(id), "rate_invite", "", Some(format!("rate:{id}"))).await?;
        tx.commit().await?;
        super::live::publish(store, id).await;
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
        let mut tx = store.write().await?;
        let won = sqlx::query("UPDATE whistles SET late_flagged_at = $1 WHERE id = $2 AND late_flagged_at IS NULL")
            .bind(now)
            .bind(whistle)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if !won {
            continue;
        }
        let mut told = stationmasters(store, community).await?;
        told.extend(assignee);
        told.sort_unstable();
        told.dedup();
        for user in told {
            notify(&mut tx, user, Some(item), "checkin_late", &department, Some(format!("late:{whistle}:{user}")))
                .await?;
        }
        tx.commit().await?;
        report.late_checkins += 1;
    }

    report.appointment_reminders = crate::appointments::server::remind(store, now).await?;

    // Housekeeping: photos of forms never sent (a day old) and stale drafts.
    sqlx::query("DELETE FROM photos WHERE demand_id IS NULL AND thread_id IS NULL AND created_at < $1")
        .bind(now - 24 * 3_600_000)
        .execute(store.pool())
        .await?;
    sqlx::query("DELETE FROM form_drafts WHERE created_at < $1").bind(now - 3_600_000).execute(store.pool()).await?;
    // Open311: deliver to departments' and partners' own systems, and ask them for news.
    // A unit that is down must not stop the other jobs.
    if let Err(e) = crate::open311::outbound::run(store, now).await {
        tracing::warn!(error = ?e, "open311 outbound");
    }
    Ok(report)
}
