//! The background jobs, in one place: every server instance runs each feature's jobs on a
//! timer. Each job is safe on several instances at once (conditional updates, notification
//! keys); a failing one is logged and does not stop the others.

use crate::store::{Millis, Store};
use std::time::Duration;

/// `words` says each notification in a language (the inbox's, which speaks of every feature:
/// the server passes it in, since nothing imports the router).
pub fn start(store: Store, config: crate::config::AppConfig, every: Duration, words: Words) {
    start_deliveries(store.clone(), &config, words);
    tokio::spawn(async move {
        let mut timer = tokio::time::interval(every);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            run_once(&store, &config, Millis::now().0).await;
        }
    });
}

/// The delivery queue has its own, shorter round: a push should arrive within seconds.
fn start_deliveries(store: Store, config: &crate::config::AppConfig, words: Words) {
    let sender = delivery_sender(config, words);
    let every = Duration::from_secs(config.delivery_interval_seconds.max(1));
    tokio::spawn(async move {
        let mut timer = tokio::time::interval(every);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            let sent = crate::notifications::queue::run(&store, &sender).await;
            match record_job("deliveries", &sent) {
                Ok(r) if *r != crate::notifications::queue::RunReport::default() => tracing::info!(?r, "deliveries"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "deliveries failed"),
            }
        }
    });
}

/// A notification in words.
pub type Words = fn(&crate::notifications::Notice, crate::i18n::Lang) -> String;

pub fn delivery_sender(config: &crate::config::AppConfig, words: Words) -> crate::notifications::queue::Sender {
    crate::notifications::queue::Sender {
        words,
        contact: config.push_contact.clone(),
        sms_per_day: config.notice_sms_per_day,
        quiet: config.sms_quiet_hours,
    }
}

/// One round of every feature's jobs.
pub async fn run_once(store: &Store, config: &crate::config::AppConfig, now: i64) {
    let work = crate::work::jobs::run_once(store, now).await;
    record_job("work_items", &work);
    match work {
        Ok(r) if r != crate::work::jobs::JobReport::default() => tracing::info!(?r, "work item jobs"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = ?e, "work item jobs failed"),
    }
    // Reminders that change outcomes: the confirm window's day 5, the rating window's last
    // day, a whistle's check-in about to be late.
    let reminded = crate::work::jobs::remind(store, now).await;
    if let Err(e) = record_job("work_reminders", &reminded) {
        tracing::warn!(error = ?e, "work item reminders failed");
    }
    let rate = crate::ratings::server::remind(store, now).await;
    if let Err(e) = record_job("rating_reminders", &rate) {
        tracing::warn!(error = ?e, "rating reminders failed");
    }
    let reminders = crate::appointments::server::remind(store, now).await;
    record_job("appointment_reminders", &reminders);
    match reminders {
        Ok(0) => {}
        Ok(n) => tracing::info!(reminders = n, "appointment reminders"),
        Err(e) => tracing::warn!(error = ?e, "appointment reminders failed"),
    }
    // Words of texts written before search stored them, until none is left.
    let words = crate::search::server::store_missing_words(store).await;
    if let Err(e) = record_job("search_words", &words) {
        tracing::warn!(error = ?e, "storing missing search words failed");
    }
    // Housekeeping: photos of forms never sent, and stale drafts.
    let photos = crate::photos::server::purge_unsent(store, now).await;
    if let Err(e) = record_job("photo_purge", &photos) {
        tracing::warn!(error = ?e, "photo purge failed");
    }
    let files = crate::notices::attachments::purge_unsent(store, now).await;
    if let Err(e) = record_job("notice_file_purge", &files) {
        tracing::warn!(error = ?e, "notice file purge failed");
    }
    let drafts = crate::form::server::purge_stale(store, now).await;
    if let Err(e) = record_job("draft_purge", &drafts) {
        tracing::warn!(error = ?e, "draft purge failed");
    }
    let codes = crate::verify::server::purge(store, now).await;
    if let Err(e) = record_job("sms_code_purge", &codes) {
        tracing::warn!(error = ?e, "SMS code purge failed");
    }
    let devices = crate::auth::server::second_factor::purge(store, now).await;
    if let Err(e) = record_job("trusted_device_purge", &devices) {
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
        let sessions = crate::auth::server::purge_sessions(store, config, now).await;
        if let Err(e) = record_job("session_purge", &sessions) {
            tracing::warn!(error = ?e, "session purge failed");
        }
        // Yesterday's SMS counts and older (no cap looks at them; a scan of a small table).
        let quota = crate::notifications::queue::purge_quota(store, now).await;
        if let Err(e) = record_job("sms_quota_purge", &quota) {
            tracing::warn!(error = ?e, "SMS quota purge failed");
        }
        let deliveries = crate::notifications::queue::purge_deliveries(store, now, config.retention_days).await;
        if let Err(e) = record_job("delivery_purge", &deliveries) {
            tracing::warn!(error = ?e, "delivery log purge failed");
        }
        let retention = crate::privacy::server::retention(store, now, config.retention_days).await;
        record_job("retention", &retention);
        match retention {
            Ok(0) => {}
            Ok(n) => tracing::info!(cases = n, "retention: personal fields of closed cases removed"),
            Err(e) => tracing::warn!(error = ?e, "retention failed"),
        }
    }
    // Open311: deliver to departments' and partners' own systems, and ask them for news.
    // A unit that is down must not stop the other jobs.
    let outbound = crate::open311::outbound::run(store, now).await;
    if let Err(e) = record_job("open311_outbound", &outbound) {
        tracing::warn!(error = ?e, "open311 outbound");
    }
}

/// Counts the run for `/metrics` and hands the result back.
fn record_job<'a, T, E>(job: &'static str, result: &'a Result<T, E>) -> &'a Result<T, E> {
    crate::ops::metrics::record_job(job, result);
    result
}
