//! The notifications table's one writer, and its reads.

use super::{Kind, Notice};
use crate::error::AppError;
use crate::paging::{Cursor, Paged, READ};
use crate::store::{Millis, Store, Tx};

/// A notification to leave for someone.
pub struct Send<'a> {
    pub to: i64,
    pub kind: Kind,
    /// The work item it is about (the inbox links to its demand).
    pub item: Option<i64>,
    pub detail: &'a str,
    /// Where it leads when not to a work item's demand.
    pub link: Option<String>,
    /// With a key, a second notification with the same key is dropped (several instances
    /// running the same job notify once).
    pub dedupe: Option<String>,
}

impl<'a> Send<'a> {
    pub fn new(to: i64, kind: Kind) -> Send<'a> {
        Send { to, kind, item: None, detail: "", link: None, dedupe: None }
    }
    pub fn item(mut self, item: i64) -> Self {
        self.item = Some(item);
        self
    }
    pub fn detail(mut self, detail: &'a str) -> Self {
        self.detail = detail;
        self
    }
    pub fn link(mut self, link: String) -> Self {
        self.link = Some(link);
        self
    }
    pub fn once(mut self, key: String) -> Self {
        self.dedupe = Some(key);
        self
    }
}

/// Leaves a notification inside the caller's transaction: it exists if and only if the
/// change it tells of was committed. False when its key was used already.
pub async fn send(tx: &mut Tx, n: Send<'_>) -> Result<bool, AppError> {
    let done = sqlx::query(
        "INSERT INTO notifications (user_id, work_item_id, kind, detail, link, dedupe_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(n.to)
    .bind(n.item)
    .bind(n.kind)
    .bind(n.detail)
    .bind(&n.link)
    .bind(&n.dedupe)
    .bind(Millis::now())
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    let queued = super::queue::Queued { item: n.item, kind: n.kind, detail: n.detail, link: n.link.as_deref() };
    super::queue::enqueue(tx, n.to, queued).await?;
    Ok(true)
}

/// The same notification for many (an emergency notice's residents), inside the caller's
/// transaction, a few hundred rows a statement.
pub async fn send_all(tx: &mut Tx, to: &[i64], kind: Kind, detail: &str, link: &str) -> Result<(), AppError> {
    let now = Millis::now();
    for chunk in to.chunks(400) {
        let rows: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, $1, $2, $3, $4)", i + 5)).collect();
        let sql =
            format!("INSERT INTO notifications (user_id, kind, detail, link, created_at) VALUES {}", rows.join(", "));
        let mut q = sqlx::query(&sql).bind(kind).bind(detail).bind(link).bind(now);
        for id in chunk {
            q = q.bind(id);
        }
        q.execute(&mut **tx).await?;
    }
    super::queue::enqueue_all(tx, to, kind, detail, link).await
}

/// A page of an account's notifications, newest first, below `before`.
pub async fn latest(store: &Store, user: i64, before: Option<Cursor>) -> Result<Paged<Notice>, AppError> {
    let rows: Vec<(i64, Kind, String, Option<i64>, Option<String>, i64, Option<i64>)> = sqlx::query_as(
        "SELECT n.id, n.kind, n.detail, w.demand_id, n.link, n.created_at, n.read_at FROM notifications n \
         LEFT JOIN work_items w ON w.id = n.work_item_id WHERE n.user_id = $1 AND n.id < $2 \
         ORDER BY n.id DESC LIMIT $3",
    )
    .bind(user)
    .bind(Cursor::or_top(before).id)
    .bind(READ)
    .fetch_all(store.pool())
    .await?;
    let page = Paged::of(rows, |r| Cursor::id(r.0));
    Ok(page.map(|(id, kind, detail, demand_id, link, at, read)| Notice {
        id,
        kind,
        detail,
        demand_id,
        link,
        when: crate::time::format_local(at),
        unread: read.is_none(),
    }))
}

pub async fn mark_all_read(store: &Store, user: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
        .bind(Millis::now())
        .bind(user)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Unread notifications of the signed-in account, for the badge: counted up to 100 (the
/// badge shows "99+"), so a worker with thousands unread costs what one with a hundred does.
pub async fn unread_count(user_id: i64) -> i64 {
    let Ok(store) = crate::request::store() else { return 0 };
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE user_id = $1 AND read_at IS NULL LIMIT 100) n",
    )
    .bind(user_id)
    .fetch_one(store.pool())
    .await
    .unwrap_or(0)
}

/// An account's deletion: its inbox, deliveries, devices and choices.
pub async fn forget_recipient(tx: &mut Tx, user: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM notifications WHERE user_id = $1").bind(user).execute(&mut **tx).await?;
    super::queue::forget(tx, user).await
}
