//! The delivery queue (`deliveries`, `sms_quota`): a notification's outside channels, sent
//! once however many instances run the job (a lease taken by a conditional update; only its
//! holder records the outcome), retried with backoff, held through quiet hours, capped per
//! day, and logged for the case's staff ("已短信通知 14:02").

use super::rules::{self, Channel, Topic};
use super::{push, settings, DeliveryLine, DeliveryState, Kind, Notice};
use crate::error::AppError;
use crate::i18n::{Lang, T};
use crate::store::{Millis, Store, Tx};
use std::time::Duration;

/// A notification to queue for its outside channels.
pub struct Queued<'a> {
    pub item: Option<i64>,
    pub kind: Kind,
    pub detail: &'a str,
    pub link: Option<&'a str>,
}

/// Queues the notification's outside channels for one account, as it chose, inside the
/// notifying transaction (no delivery for a change that was rolled back).
pub async fn enqueue(tx: &mut Tx, to: i64, n: Queued<'_>) -> Result<(), AppError> {
    let mut topic = rules::topic(n.kind, n.detail);
    // "Confirm or reopen within 7 days" is the requester's: to a neighbour who reported the
    // same incident, a resolved case is progress (no SMS).
    if let (Topic::Confirm, Some(item)) = (topic, n.item) {
        let requester: Option<i64> = sqlx::query_scalar(
            "SELECT d.requester_id FROM work_items w JOIN demands d ON d.id = w.demand_id WHERE w.id = $1",
        )
        .bind(item)
        .fetch_optional(&mut **tx)
        .await?;
        if requester != Some(to) {
            topic = Topic::Progress;
        }
    }
    queue_for(tx, &[to], &n, topic).await
}

/// The same notification for many (an emergency notice's residents).
pub async fn enqueue_all(tx: &mut Tx, to: &[i64], kind: Kind, detail: &str, link: &str) -> Result<(), AppError> {
    let n = Queued { item: None, kind, detail, link: Some(link) };
    queue_for(tx, to, &n, rules::topic(kind, detail)).await
}

/// Each account's channels for the topic (its choices, and push only with a device), then a
/// few hundred rows a statement.
async fn queue_for(tx: &mut Tx, to: &[i64], n: &Queued<'_>, topic: Topic) -> Result<(), AppError> {
    let chosen = settings::choices_of(&mut **tx, to).await?;
    let devices: std::collections::HashSet<i64> = push::with_device(tx, to).await?.into_iter().collect();
    let default = rules::Choices::default();
    let (mut by_push, mut by_sms) = (Vec::new(), Vec::new());
    for &u in to {
        for channel in chosen.get(&u).unwrap_or(&default).channels(topic, devices.contains(&u)) {
            match channel {
                Channel::Push => by_push.push(u),
                Channel::Sms => by_sms.push(u),
            }
        }
    }
    for (channel, who) in [(Channel::Push, by_push), (Channel::Sms, by_sms)] {
        for chunk in who.chunks(300) {
            insert(tx, chunk, n, topic, channel).await?;
        }
    }
    Ok(())
}

async fn insert(tx: &mut Tx, to: &[i64], n: &Queued<'_>, topic: Topic, channel: Channel) -> Result<(), AppError> {
    // Due at once: quiet hours and caps are the sender's to apply (it holds the settings).
    let now = Millis::now().0;
    let rows: Vec<String> =
        (0..to.len()).map(|i| format!("(${}, $1, $2, $3, $4, $5, $6, 'queued', $7, $7)", i + 8)).collect();
    let sql = format!(
        "INSERT INTO deliveries (user_id, work_item_id, channel, kind, detail, link, urgent, state, due_at, \
         created_at) VALUES {}",
        rows.join(", ")
    );
    let mut q = sqlx::query(&sql)
        .bind(n.item)
        .bind(channel)
        .bind(n.kind)
        .bind(n.detail)
        .bind(n.link)
        .bind(topic.urgent() as i64)
        .bind(now);
    for id in to {
        q = q.bind(id);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// What the sender needs besides the database: the words of each kind (the inbox's, passed
/// in by the scheduler: they speak of every feature), the VAPID contact, the daily cap.
#[derive(Clone)]
pub struct Sender {
    pub words: fn(&Notice, Lang) -> String,
    pub contact: String,
    pub sms_per_day: i64,
    pub quiet: Option<rules::QuietHours>,
}

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RunReport {
    pub sent: usize,
    pub retried: usize,
    pub given_up: usize,
}

/// A taken delivery lasts this long: then another instance may take it (its holder died).
const LEASE_MS: i64 = 5 * 60_000;
/// Deliveries taken at once, and sent side by side.
const BATCH: i64 = 32;

#[derive(sqlx::FromRow, Clone)]
struct Taken {
    id: i64,
    user_id: i64,
    work_item_id: Option<i64>,
    channel: Channel,
    kind: Kind,
    detail: String,
    link: Option<String>,
    urgent: i64,
    attempts: i64,
}

/// Sends what is due, a batch at a time, for at most ~20 s (the next round goes on).
pub async fn run(store: &Store, sender: &Sender) -> Result<RunReport, AppError> {
    let token = crate::security::new_token();
    let started = std::time::Instant::now();
    let mut report = RunReport::default();
    while started.elapsed() < Duration::from_secs(20) {
        let now = Millis::now().0;
        // The outer conditions are checked again on each row as it is updated: of two
        // instances taking the same row, the second finds the lease taken and skips it.
        let batch: Vec<Taken> = sqlx::query_as(
            "UPDATE deliveries SET lease_until = $1, lease_token = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM deliveries WHERE state = 'queued' AND due_at <= $3 \
               AND (lease_until IS NULL OR lease_until < $3) ORDER BY due_at LIMIT $4) \
             AND state = 'queued' AND (lease_until IS NULL OR lease_until < $3) \
             RETURNING id, user_id, work_item_id, channel, kind, detail, link, urgent, attempts",
        )
        .bind(now + LEASE_MS)
        .bind(&token)
        .bind(now)
        .bind(BATCH)
        .fetch_all(store.pool())
        .await?;
        if batch.is_empty() {
            break;
        }
        let mut set = tokio::task::JoinSet::new();
        for d in batch {
            let (store, sender, token) = (store.clone(), sender.clone(), token.clone());
            set.spawn(async move { deliver(&store, &sender, &token, d).await });
        }
        while let Some(done) = set.join_next().await {
            match done {
                Ok(Ok(Outcome::Sent)) => report.sent += 1,
                Ok(Ok(Outcome::Retry)) => report.retried += 1,
                Ok(Ok(Outcome::Done)) => report.given_up += 1,
                Ok(Err(e)) => tracing::warn!(error = ?e, "a delivery failed to record"),
                Err(e) => tracing::warn!(error = %e, "a delivery task panicked"),
            }
        }
    }
    Ok(report)
}

enum Outcome {
    Sent,
    Retry,
    /// Skipped, dropped, failed for good, or held till morning.
    Done,
}

async fn deliver(store: &Store, sender: &Sender, token: &str, d: Taken) -> Result<Outcome, AppError> {
    let now = Millis::now().0;
    let who: Option<(String, Option<String>, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT u.phone, u.lang, w.demand_id, w.state FROM users u LEFT JOIN work_items w ON w.id = $2 \
         WHERE u.id = $1 AND u.disabled_at IS NULL AND u.deleted_at IS NULL",
    )
    .bind(d.user_id)
    .bind(d.work_item_id)
    .fetch_optional(store.pool())
    .await?;
    let Some((phone, lang, demand_id, case_state)) = who else {
        return finish(store, token, &d, DeliveryState::Skipped, Some("account")).await;
    };
    let lang = lang.as_deref().and_then(Lang::from_tag).unwrap_or_default();
    let notice = Notice {
        id: d.id,
        kind: d.kind,
        detail: d.detail.clone(),
        demand_id,
        link: d.link.clone(),
        when: String::new(),
        unread: true,
    };
    let words = (sender.words)(&notice, lang);
    let urgent = d.urgent == 1;
    match d.channel {
        Channel::Push => {
            let payload = serde_json::json!({
                "title": lang.t(T::AppName),
                "body": words,
                "url": notice.href(),
                "tag": format!("mc-{}", d.id),
            });
            match push::send(store, d.user_id, payload.to_string().as_bytes(), &sender.contact).await? {
                push::Pushed::Delivered => finish(store, token, &d, DeliveryState::Sent, None).await,
                push::Pushed::NoDevice => finish(store, token, &d, DeliveryState::Skipped, Some("no_device")).await,
                push::Pushed::Gone => finish(store, token, &d, DeliveryState::Dropped, Some("gone")).await,
                push::Pushed::Refused(why) => finish(store, token, &d, DeliveryState::Failed, Some(&why)).await,
                push::Pushed::Later(why) => retry(store, token, &d, &why).await,
            }
        }
        Channel::Sms => {
            // A reminder to confirm that waited through the night may have been answered.
            if rules::topic(d.kind, &d.detail) == Topic::Confirm && case_state.as_deref() != Some("resolved") {
                return finish(store, token, &d, DeliveryState::Skipped, Some("outdated")).await;
            }
            let not_before = rules::sms_not_before(now, urgent, sender.quiet);
            if not_before > now {
                return hold(store, token, &d, not_before).await;
            }
            let day = rules::beijing_day(now);
            if !take_quota(store, d.user_id, day, sender.sms_per_day, urgent).await? {
                return finish(store, token, &d, DeliveryState::Skipped, Some("cap")).await;
            }
            let text = rules::sms_text(&words);
            match crate::verify::gateway::gateway().send_notice(&phone, &text).await {
                Ok(()) => finish(store, token, &d, DeliveryState::Sent, None).await,
                Err(e) => {
                    give_back_quota(store, d.user_id, day).await?;
                    match e {
                        crate::verify::gateway::NoticeError::NotConfigured => {
                            finish(store, token, &d, DeliveryState::Skipped, Some("no_sms")).await
                        }
                        crate::verify::gateway::NoticeError::Failed(why) => retry(store, token, &d, &why).await,
                    }
                }
            }
        }
    }
}

/// Records the outcome, if this instance still holds the lease.
async fn finish(
    store: &Store,
    token: &str,
    d: &Taken,
    state: DeliveryState,
    reason: Option<&str>,
) -> Result<Outcome, AppError> {
    let now = Millis::now().0;
    sqlx::query(
        "UPDATE deliveries SET state = $1, reason = $2, sent_at = $3, lease_until = NULL \
         WHERE id = $4 AND lease_token = $5",
    )
    .bind(state)
    .bind(reason.map(short))
    .bind((state == DeliveryState::Sent).then_some(now))
    .bind(d.id)
    .bind(token)
    .execute(store.pool())
    .await?;
    Ok(if state == DeliveryState::Sent { Outcome::Sent } else { Outcome::Done })
}

/// Tries again later, or gives up after the last retry.
async fn retry(store: &Store, token: &str, d: &Taken, why: &str) -> Result<Outcome, AppError> {
    let Some(after) = rules::retry_in(d.attempts) else {
        return finish(store, token, d, DeliveryState::Failed, Some(why)).await;
    };
    release(store, token, d, Millis::now().0 + after, why, 0).await?;
    Ok(Outcome::Retry)
}

/// Quiet hours: back in the queue until the morning, the attempt not counted.
async fn hold(store: &Store, token: &str, d: &Taken, until: i64) -> Result<Outcome, AppError> {
    release(store, token, d, until, "quiet", 1).await?;
    Ok(Outcome::Done)
}

async fn release(store: &Store, token: &str, d: &Taken, due: i64, why: &str, uncount: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE deliveries SET due_at = $1, reason = $2, lease_until = NULL, lease_token = NULL, \
         attempts = attempts - $3 WHERE id = $4 AND lease_token = $5",
    )
    .bind(due)
    .bind(short(why))
    .bind(uncount)
    .bind(d.id)
    .bind(token)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Reasons are kept short (a provider's message can be long).
fn short(why: &str) -> String {
    why.chars().take(200).collect()
}

/// Counts one more notice SMS for the account's day, unless the cap is reached: a
/// conditional update, so two instances cannot both send the last one allowed.
async fn take_quota(store: &Store, user: i64, day: i64, cap: i64, urgent: bool) -> Result<bool, AppError> {
    sqlx::query("INSERT INTO sms_quota (user_id, day, sent) VALUES ($1, $2, 0) ON CONFLICT (user_id, day) DO NOTHING")
        .bind(user)
        .bind(day)
        .execute(store.pool())
        .await?;
    // Emergencies are counted (the next ordinary one sees them) but never refused.
    let done = sqlx::query("UPDATE sms_quota SET sent = sent + 1 WHERE user_id = $1 AND day = $2 AND sent < $3")
        .bind(user)
        .bind(day)
        .bind(rules::sms_limit(cap, urgent))
        .execute(store.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

async fn give_back_quota(store: &Store, user: i64, day: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE sms_quota SET sent = sent - 1 WHERE user_id = $1 AND day = $2 AND sent > 0")
        .bind(user)
        .bind(day)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Days of SMS counts no cap looks at any more.
pub async fn purge_quota(store: &Store, now: i64) -> Result<u64, AppError> {
    let done = sqlx::query("DELETE FROM sms_quota WHERE day < $1")
        .bind(rules::beijing_day(now) - 1)
        .execute(store.pool())
        .await?;
    Ok(done.rows_affected())
}

/// Deliveries older than the retention period (the case log's "已短信通知 14:02" lines), oldest
/// first in batches so that no statement holds the table long; a district's year is ~1.2 M rows.
pub async fn purge_deliveries(store: &Store, now: i64, retention_days: i64) -> Result<u64, AppError> {
    if retention_days <= 0 {
        return Ok(0);
    }
    let cutoff = now - retention_days * 86_400_000;
    let mut done = 0;
    loop {
        let gone = sqlx::query(
            "DELETE FROM deliveries WHERE id IN \
             (SELECT id FROM deliveries WHERE created_at < $1 ORDER BY created_at LIMIT 1000)",
        )
        .bind(cutoff)
        .execute(store.pool())
        .await?
        .rows_affected();
        done += gone;
        if gone < 1000 {
            return Ok(done);
        }
    }
}

/// The case's deliveries, newest first (the station's case page): who, how, what became of it.
pub async fn for_item(store: &Store, item: i64) -> Result<Vec<DeliveryLine>, AppError> {
    let rows: Vec<(Channel, DeliveryState, Option<String>, i64, Option<i64>, String, String)> = sqlx::query_as(
        "SELECT d.channel, d.state, d.reason, d.due_at, d.sent_at, u.display_name, u.phone FROM deliveries d \
         JOIN users u ON u.id = d.user_id WHERE d.work_item_id = $1 ORDER BY d.id DESC LIMIT 50",
    )
    .bind(item)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(channel, state, reason, due, sent, name, phone)| DeliveryLine {
            channel,
            state,
            // The words of a failure stay in the server log; the page says which kind of "not sent".
            reason: reason.map(|r| match r.as_str() {
                "cap" | "no_device" | "outdated" | "no_sms" | "quiet" | "gone" | "account" => r,
                _ => "error".to_string(),
            }),
            who: format!("{name} {}", crate::auth::rules::mask_phone(&phone)),
            when: crate::time::format_local(sent.unwrap_or(due)),
        })
        .collect())
}

/// An account's deletion: its queue, counts, devices and choices.
pub async fn forget(tx: &mut Tx, user: i64) -> Result<(), AppError> {
    for table in ["deliveries", "sms_quota", "reach_choices", "reach_settings"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1")).bind(user).execute(&mut **tx).await?;
    }
    push::forget(tx, user).await
}
