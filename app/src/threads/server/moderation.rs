//! Flags, the moderation desk, hiding and restoring, posting blocks, the threshold setting.

use super::*;

/// Where a flag's target lives: (community, thread).
pub(super) async fn target(store: &Store, kind: &str, id: i64) -> Result<(i64, i64, i64), AppError> {
    let row: Option<(i64, i64, i64)> = match kind {
        "thread" => sqlx::query_as("SELECT community_id, id, author_id FROM threads WHERE id = $1"),
        "comment" => sqlx::query_as(
            "SELECT t.community_id, t.id, c.author_id FROM thread_comments c JOIN threads t ON t.id = c.thread_id WHERE c.id = $1",
        ),
        _ => return Err(AppError::BadRequest),
    }
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.ok_or(AppError::NotFound)
}

pub(super) fn table(kind: &str) -> &'static str {
    if kind == "thread" {
        "threads"
    } else {
        "thread_comments"
    }
}

/// Flags a thread or comment. One flag per resident per target; at three unreviewed flags
/// it is hidden pending review.
pub async fn flag(store: &Store, user: &SessionUser, kind: &str, id: i64, reason: &str) -> Result<i64, AppError> {
    let (community, thread, author) = target(store, kind, id).await?;
    let a = access(store, user, community).await?;
    if !a.read {
        return Err(AppError::NotFound);
    }
    if !a.resident {
        return Err(AppError::Forbidden);
    }
    if author == user.id {
        return Err(AppError::BadRequest);
    }
    let reason = reason.trim();
    match reason.chars().count() {
        0 => return Err(AppError::invalid("reason", T::ErrReasonRequired)),
        n if n > 200 => return Err(AppError::invalid("reason", T::ErrTooLong)),
        _ => {}
    }
    let mut tx = store.write().await?;
    let added = sqlx::query(
        "INSERT INTO flags (community_id, target_kind, target_id, user_id, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (target_kind, target_id, user_id) DO NOTHING",
    )
    .bind(community)
    .bind(kind)
    .bind(id)
    .bind(user.id)
    .bind(reason)
    .bind(Millis::now())
    .execute(&mut *tx)
    .await?;
    if added.rows_affected() == 1 {
        let t = table(kind);
        sqlx::query(&format!("UPDATE {t} SET flags = flags + 1 WHERE id = $1")).bind(id).execute(&mut *tx).await?;
        sqlx::query(&format!("UPDATE {t} SET hidden = 'flags' WHERE id = $1 AND hidden IS NULL AND flags >= $2"))
            .bind(id)
            .bind(rules::FLAGS_TO_HIDE)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    touched(store, thread).await;
    Ok(thread)
}

pub(super) async fn require_station(store: &Store, user: &SessionUser) -> Result<i64, AppError> {
    if !user.role.is_station_team() {
        return Err(AppError::Forbidden);
    }
    let a = access(store, user, user.region_id).await?;
    if !a.station {
        return Err(AppError::Forbidden);
    }
    Ok(user.region_id)
}

pub async fn desk(store: &Store, user: &SessionUser) -> Result<ModerationOverview, AppError> {
    let community = require_station(store, user).await?;
    #[derive(sqlx::FromRow)]
    struct F {
        target_kind: String,
        target_id: i64,
        reason: String,
    }
    let flags: Vec<F> = sqlx::query_as(
        "SELECT target_kind, target_id, reason FROM flags WHERE community_id = $1 AND reviewed_at IS NULL ORDER BY id",
    )
    .bind(community)
    .fetch_all(store.pool())
    .await?;
    let mut queue: Vec<FlaggedItem> = Vec::new();
    for f in flags {
        if let Some(item) = queue.iter_mut().find(|q| q.kind == f.target_kind && q.id == f.target_id) {
            item.reasons.push(f.reason);
            continue;
        }
        let row: Option<(i64, String, i64, String, i64, Option<String>)> = if f.target_kind == "thread" {
            sqlx::query_as(
                "SELECT t.id, t.title, t.author_id, u.display_name, t.flags, t.hidden FROM threads t JOIN users u ON u.id = t.author_id WHERE t.id = $1",
            )
        } else {
            sqlx::query_as(
                "SELECT c.thread_id, c.body, c.author_id, u.display_name, c.flags, c.hidden FROM thread_comments c \
                 JOIN users u ON u.id = c.author_id WHERE c.id = $1",
            )
        }
        .bind(f.target_id)
        .fetch_optional(store.pool())
        .await?;
        if let Some((thread_id, text, author_id, author, count, h)) = row {
            queue.push(FlaggedItem {
                kind: f.target_kind,
                id: f.target_id,
                thread_id,
                excerpt: text.chars().take(120).collect(),
                author_id,
                author,
                flags: count,
                reasons: vec![f.reason],
                hidden: hidden(h.as_deref()),
            });
        }
    }
    let now = Millis::now().0;
    let blocked: Vec<(i64, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT id, display_name, posting_blocked_until, posting_block_reason FROM users \
         WHERE region_id = $1 AND posting_blocked_until > $2 ORDER BY posting_blocked_until",
    )
    .bind(community)
    .bind(now)
    .fetch_all(store.pool())
    .await?;
    let (threshold, setting, households) = threshold(store, community).await?;
    let in_review: Vec<(i64, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, title, topic, supports, comments, created_at FROM threads WHERE community_id = $1 AND state = 'review' ORDER BY id",
    )
    .bind(community)
    .fetch_all(store.pool())
    .await?;
    Ok(ModerationOverview {
        queue,
        blocked: blocked
            .into_iter()
            .map(|(id, name, until, reason)| BlockedUser {
                id,
                name,
                until: format_local(until),
                reason: reason.unwrap_or_default(),
            })
            .collect(),
        threshold,
        threshold_setting: setting,
        households,
        in_review: in_review
            .into_iter()
            .map(|(id, title, topic, supports, comments, at)| ThreadLine {
                id,
                title: Some(title),
                topic,
                state: ThreadState::Review,
                supports,
                comments,
                author: String::new(),
                posted: format_local(at),
                hidden: None,
            })
            .collect(),
        may_set_threshold: user.role == Role::Stationmaster,
    })
}

/// Hide or restore: either way the flags so far are reviewed (new flags count afresh).
pub async fn moderate(store: &Store, user: &SessionUser, kind: &str, id: i64, decision: &str) -> Result<(), AppError> {
    let community = require_station(store, user).await?;
    let (c, thread, _) = target(store, kind, id).await?;
    if c != community {
        return Err(AppError::NotFound);
    }
    let hidden = match decision {
        "hide" => Some("moderator"),
        "restore" => None,
        _ => return Err(AppError::BadRequest),
    };
    let t = table(kind);
    let mut tx = store.write().await?;
    sqlx::query(&format!("UPDATE {t} SET hidden = $1, flags = 0 WHERE id = $2"))
        .bind(hidden)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE flags SET reviewed_at = $1 WHERE target_kind = $2 AND target_id = $3 AND reviewed_at IS NULL")
        .bind(Millis::now())
        .bind(kind)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    touched(store, thread).await;
    Ok(())
}

pub async fn block(store: &Store, user: &SessionUser, target: i64, days: &str, reason: &str) -> Result<(), AppError> {
    let community = require_station(store, user).await?;
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND region_id = $2 AND role = 'resident'")
            .bind(target)
            .bind(community)
            .fetch_optional(store.pool())
            .await?;
    found.ok_or(AppError::NotFound)?;
    let days = days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (0..=365).contains(d))
        .ok_or(AppError::invalid("days", T::ErrBlockDays))?;
    let reason = reason.trim();
    if days > 0 && reason.is_empty() {
        return Err(AppError::invalid("reason", T::ErrReasonRequired));
    }
    let until = (days > 0).then(|| Millis::now().0 + days * 24 * 3_600_000);
    let mut tx = store.write().await?;
    crate::auth::server::set_posting_block(&mut tx, target, until, &reason.chars().take(200).collect::<String>())
        .await?;
    if let Some(until) = until {
        let until = format_local(until);
        send(&mut tx, Send::new(target, Kind::Blocked).detail(&until).link("/threads".into())).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn set_threshold(store: &Store, user: &SessionUser, value: &str) -> Result<(), AppError> {
    let community = require_station(store, user).await?;
    if user.role != Role::Stationmaster {
        return Err(AppError::Forbidden);
    }
    let value = value.trim();
    let setting = if value.is_empty() {
        None
    } else {
        Some(
            value
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or(AppError::invalid("threshold", T::ErrThreshold))?,
        )
    };
    let mut tx = store.write().await?;
    crate::community::server::save_setting(&mut tx, community, Setting::SupportThreshold(setting), user.id).await?;
    tx.commit().await?;
    Ok(())
}
