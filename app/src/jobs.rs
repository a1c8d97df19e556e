//! The background jobs, in one place: every server instance runs each feature's jobs on a
//! timer. Each job is safe on several instances at once (conditional updates, notification
//! keys); a failing one is logged and does not stop the others.

use crate::store::{Millis, Store};
use std::time::Duration;

pub fn start(store: Store, config: crate::config::AppConfig, every: Duration) {
    tokio::spawn(async move {
        let mut timer = tokio::time::interval(every);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            run_once(&store, &config, Millis::now().0).await;
        }
    });
}

/// One round of every feature's jobs.
pub async fn run_once(store: &Store, config: &crate::config::AppConfig, now: i64) {
    match crate::work::jobs::run_once(store, now).await {
        Ok(r) if r != crate::work::jobs::JobReport::default() => tracing::info!(?r, "work item jobs"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = ?e, "work item jobs failed"),
    }
    match crate::appointments::server::remind(store, now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(reminders = n, "appointment reminders"),
        Err(e) => tracing::warn!(error = ?e, "appointment reminders failed"),
    }
    // Housekeeping: photos of forms never sent, and stale drafts.
    if let Err(e) = crate::photos::server::purge_unsent(store, now).await {
        tracing::warn!(error = ?e, "photo purge failed");
    }
    if let Err(e) = crate::form::server::purge_stale(store, now).await {
        tracing::warn!(error = ?e, "draft purge failed");
    }
    if let Err(e) = crate::verify::server::purge(store, now).await {
        tracing::warn!(error = ?e, "SMS code purge failed");
    }
    if let Err(e) = crate::auth::server::second_factor::purge(store, now).await {
        tracing::warn!(error = ?e, "trusted device purge failed");
    }
    // Retention: closed cases past the period lose their personal fields; a pass reads the
    // closed cases' index through, so it runs every `retention_check_seconds`, not every round.
    static LAST_RETENTION: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let last = LAST_RETENTION.load(std::sync::atomic::Ordering::Relaxed);
    if now - last >= config.retention_check_seconds * 1000 {
        LAST_RETENTION.store(now, std::sync::atomic::Ordering::Relaxed);
        // Expired sessions too (a scan of the table: hourly is plenty, a dead session is
        // refused on sight anyway).
        if let Err(e) = crate::auth::server::purge_sessions(store, config, now).await {
            tracing::warn!(error = ?e, "session purge failed");
        }
        match crate::privacy::server::retention(store, now, config.retention_days).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(cases = n, "retention: personal fields of closed cases removed"),
            Err(e) => tracing::warn!(error = ?e, "retention failed"),
        }
    }
    // Open311: deliver to departments' and partners' own systems, and ask them for news.
    // A unit that is down must not stop the other jobs.
    if let Err(e) = crate::open311::outbound::run(store, now).await {
        tracing::warn!(error = ?e, "open311 outbound");
    }
}
