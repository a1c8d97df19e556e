//! The station as an Open311 client. A department or partner with its own GeoReport v2
//! endpoint (an `open311_links` row) gets the work items whistled or handed to it as service
//! requests: the jobs find new whistles and hand-offs to linked units and queue them (one
//! row per hand-off, so never sent twice), deliver them with a timeout and
//! retries with backoff (a unit that is down shows as "not delivered, retrying"), then
//! polled; its status and notes become events on the work item, and a department's
//! "closed" is its report on the whistle.

use crate::error::AppError;
use crate::store::Store;
use crate::work::server::{record_report, remote_news, WorkTx};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);
/// Delivered requests are asked about this often.
pub const POLL_EVERY_MS: i64 = 60_000;

/// How often delivered requests are polled: `OPEN311_POLL_SECONDS`, else every minute.
fn poll_every() -> i64 {
    std::env::var("OPEN311_POLL_SECONDS")
        .ok()
        .and_then(|v| v.parse::<i64>().ok())
        .map(|s| s.max(1) * 1000)
        .unwrap_or(POLL_EVERY_MS)
}

/// Backoff after the `attempts`-th failure: 30 s, 1 min, 2 min … at most an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    (30_000_i64 << attempts.clamp(0, 8).saturating_sub(1).max(0)).min(3_600_000)
}

/// Queues a request for each whistle to a department, and each hand-off to a partner, that
/// has its own endpoint and was not queued yet. The key names the hand-off
/// (`whistle:{item}:{department}:{summoned_at}`): a second run queues nothing again. Only
/// open or recent ones are looked at, so the cost does not grow with history.
async fn discover(store: &Store, now: i64) -> Result<(), AppError> {
    // (what, its table, the unit's column, when it was handed over, still open)
    let handed = [
        ("whistle", "whistles", "department_id", "summoned_at", "reported_at IS NULL"),
        ("handoff", "handoffs", "partner_id", "handed_at", "outcome IS NULL"),
    ];
    for (what, table, unit, at, open) in handed {
        sqlx::query(&format!(
            "INSERT INTO open311_outbox (link_id, work_item_id, source, state, attempts, next_attempt_at, created_at) \
             SELECT l.id, h.work_item_id, '{what}:' || h.work_item_id || ':' || h.{unit} || ':' || h.{at}, 'pending', 0, $1, $1 \
             FROM {table} h JOIN open311_links l ON l.{unit} = h.{unit} \
             WHERE h.{open} OR h.{at} > $2 ON CONFLICT (source) DO NOTHING"
        ))
        .bind(now)
        .bind(now - 24 * 3_600_000)
        .execute(store.pool())
        .await?;
    }
    Ok(())
}

/// Hand-offs not yet delivered (for `/metrics`).
pub async fn backlog(store: &Store) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM open311_outbox WHERE state = 'pending'")
        .fetch_one(store.pool())
        .await?)
}

/// Claims the next attempt (or poll) of an outbox row by moving its time on: another
/// instance that read the same row finds it moved and leaves it.
async fn claim(store: &Store, column: &'static str, id: i64, seen: i64, next: i64) -> Result<bool, AppError> {
    let done = sqlx::query(&format!("UPDATE open311_outbox SET {column} = $1 WHERE id = $2 AND {column} = $3"))
        .bind(next)
        .bind(id)
        .bind(seen)
        .execute(store.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(sqlx::FromRow)]
struct Pending {
    id: i64,
    work_item_id: i64,
    attempts: i64,
    next_attempt_at: i64,
    base_url: String,
    jurisdiction_id: String,
    api_key: String,
    service_code: String,
    description: String,
    urgency: String,
    building_code: Option<String>,
    unit: String,
}

/// One run: deliver what is due, then poll what was delivered. Returns (delivered, polled).
pub async fn run(store: &Store, now: i64) -> Result<(usize, usize), AppError> {
    // A redirect is not followed: the partner's address is the one configured, and a
    // redirect could point the request (with its key and a resident's case) anywhere.
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|_| AppError::Internal)?;
    discover(store, now).await?;
    let due: Vec<Pending> = sqlx::query_as(
        "SELECT o.id, o.work_item_id, o.attempts, o.next_attempt_at, l.base_url, l.jurisdiction_id, l.api_key, l.service_code, \
         d.description, d.urgency, b.code AS building_code, COALESCE(p.name_zh, q.name_zh, '') AS unit \
         FROM open311_outbox o JOIN open311_links l ON l.id = o.link_id JOIN work_items w ON w.id = o.work_item_id \
         JOIN demands d ON d.id = w.demand_id LEFT JOIN buildings b ON b.id = d.building_id \
         LEFT JOIN departments p ON p.id = l.department_id LEFT JOIN partners q ON q.id = l.partner_id \
         WHERE o.state = 'pending' AND o.next_attempt_at <= $1 ORDER BY o.id LIMIT 20",
    )
    .bind(now)
    .fetch_all(store.pool())
    .await?;
    let mut delivered = 0;
    for p in due {
        if !claim(store, "next_attempt_at", p.id, p.next_attempt_at, now + TIMEOUT.as_millis() as i64 * 3).await? {
            continue;
        }
        let mut form = vec![
            ("api_key", p.api_key.clone()),
            ("jurisdiction_id", p.jurisdiction_id.clone()),
            ("service_code", p.service_code.clone()),
            ("description", p.description.chars().take(super::rules::MAX_DESCRIPTION).collect()),
            ("attribute[urgency]", p.urgency.clone()),
            // Our own reference, so the unit's retry detection sees the same request.
            ("account_id", format!("work-item-{}", p.work_item_id)),
        ];
        match &p.building_code {
            Some(b) => form.push(("address_string", format!("楼栋 {b}"))),
            None => form.push(("address_string", "社区公共区域".to_string())),
        }
        let url = format!("{}/requests.json", p.base_url.trim_end_matches('/'));
        let answer = client.post(&url).form(&form).send().await;
        let outcome: Result<String, String> = match answer {
            Ok(r) if r.status().is_success() => match r.json::<serde_json::Value>().await {
                Ok(v) => v[0]["service_request_id"]
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| v[0]["service_request_id"].as_i64().map(|n| n.to_string()))
                    .ok_or_else(|| "no service_request_id in the answer".to_string()),
                Err(_) => Err("the answer was not JSON".into()),
            },
            Ok(r) => Err(format!("HTTP {}", r.status().as_u16())),
            Err(e) if e.is_timeout() => Err("timed out".into()),
            Err(_) => Err("could not connect".into()),
        };
        let mut w = WorkTx::begin(store).await?;
        match outcome {
            Ok(remote) => {
                sqlx::query(
                    "UPDATE open311_outbox SET state = 'delivered', remote_id = $1, remote_status = 'open', attempts = attempts + 1, \
                     last_error = NULL, next_poll_at = $2 WHERE id = $3",
                )
                .bind(&remote)
                .bind(now + poll_every())
                .bind(p.id)
                .execute(&mut **w.tx())
                .await?;
                let note = format!("{}（Open311）已收到，编号 {remote}", p.unit);
                remote_news(&mut w, p.work_item_id, &note, false).await?;
                delivered += 1;
            }
            Err(why) => {
                sqlx::query("UPDATE open311_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3")
                    .bind(&why)
                    .bind(now + backoff_ms(p.attempts + 1))
                    .bind(p.id)
                    .execute(&mut **w.tx())
                    .await?;
                // The board shows "not delivered, retrying".
                w.touched(p.work_item_id);
            }
        }
        w.commit(store).await?;
    }
    let polled = poll(store, &client, now).await?;
    Ok((delivered, polled))
}

#[derive(sqlx::FromRow)]
struct Delivered {
    id: i64,
    work_item_id: i64,
    next_poll_at: i64,
    remote_id: String,
    remote_status: Option<String>,
    remote_notes: Option<String>,
    base_url: String,
    jurisdiction_id: String,
    department_id: Option<i64>,
    unit: String,
}

async fn poll(store: &Store, client: &reqwest::Client, now: i64) -> Result<usize, AppError> {
    let due: Vec<Delivered> = sqlx::query_as(
        "SELECT o.id, o.work_item_id, o.next_poll_at, o.remote_id, o.remote_status, o.remote_notes, l.base_url, l.jurisdiction_id, \
         l.department_id, COALESCE(p.name_zh, q.name_zh, '') AS unit \
         FROM open311_outbox o JOIN open311_links l ON l.id = o.link_id \
         LEFT JOIN departments p ON p.id = l.department_id LEFT JOIN partners q ON q.id = l.partner_id \
         WHERE o.state = 'delivered' AND COALESCE(o.remote_status, 'open') <> 'closed' AND o.next_poll_at <= $1 ORDER BY o.id LIMIT 50",
    )
    .bind(now)
    .fetch_all(store.pool())
    .await?;
    let mut polled = 0;
    for d in due {
        if !claim(store, "next_poll_at", d.id, d.next_poll_at, now + poll_every()).await? {
            continue;
        }
        let url = format!(
            "{}/requests.json?jurisdiction_id={}&service_request_id={}",
            d.base_url.trim_end_matches('/'),
            d.jurisdiction_id,
            d.remote_id
        );
        let Ok(r) = client.get(&url).send().await else { continue };
        let Ok(v) = r.json::<serde_json::Value>().await else { continue };
        let Some(req) = v.as_array().and_then(|a| a.first()) else { continue };
        let status = req["status"].as_str().unwrap_or("open").to_string();
        let notes = req["status_notes"].as_str().unwrap_or("").chars().take(2000).collect::<String>();
        polled += 1;
        if Some(&status) == d.remote_status.as_ref() && Some(&notes) == d.remote_notes.as_ref() {
            continue;
        }
        let mut w = WorkTx::begin(store).await?;
        sqlx::query("UPDATE open311_outbox SET remote_status = $1, remote_notes = $2 WHERE id = $3")
            .bind(&status)
            .bind(&notes)
            .bind(d.id)
            .execute(&mut **w.tx())
            .await?;
        let label = if status == "closed" { "已办结" } else { "办理中" };
        remote_news(&mut w, d.work_item_id, &format!("{}（Open311）{label}：{notes}", d.unit), true).await?;
        // A department's system closing the request is its report on the whistle.
        if let (true, Some(dept)) = (status == "closed", d.department_id) {
            let whistle: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM whistles WHERE work_item_id = $1 AND department_id = $2 AND reported_at IS NULL",
            )
            .bind(d.work_item_id)
            .bind(dept)
            .fetch_optional(&mut **w.tx())
            .await?;
            if let Some(h) = whistle {
                let text = if notes.is_empty() { "已办结".to_string() } else { notes.clone() };
                record_report(&mut w, None, d.work_item_id, h, &d.unit, &text).await?;
            }
        }
        w.commit(store).await?;
    }
    Ok(polled)
}

/// Sets a department's or partner's endpoint (the CLI): (owner kind, owner id).
pub async fn set_link(
    store: &Store,
    department: Option<i64>,
    partner: Option<i64>,
    base_url: &str,
    jurisdiction: &str,
    api_key: &str,
    service_code: &str,
) -> Result<(), AppError> {
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(AppError::BadRequest);
    }
    let mut tx = store.write().await?;
    let updated = sqlx::query(
        "UPDATE open311_links SET base_url = $3, jurisdiction_id = $4, api_key = $5, service_code = $6 \
         WHERE (department_id = $1 AND $1 IS NOT NULL) OR (partner_id = $2 AND $2 IS NOT NULL)",
    )
    .bind(department)
    .bind(partner)
    .bind(base_url)
    .bind(jurisdiction)
    .bind(api_key)
    .bind(service_code)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        sqlx::query(
            "INSERT INTO open311_links (department_id, partner_id, base_url, jurisdiction_id, api_key, service_code) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(department)
        .bind(partner)
        .bind(base_url)
        .bind(jurisdiction)
        .bind(api_key)
        .bind(service_code)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_ms(1), 30_000);
        assert_eq!(backoff_ms(2), 60_000);
        assert_eq!(backoff_ms(3), 120_000);
        assert_eq!(backoff_ms(40), 3_600_000);
    }
}
