//! Comments (nested, editable for a while, deletable) and supports, whose threshold opens the autonomy project.

use super::*;

#[allow(clippy::too_many_arguments)]
pub async fn comment(
    store: &Store,
    user: &SessionUser,
    thread_id: i64,
    parent: Option<i64>,
    stance: &str,
    body: &str,
    key: &str,
) -> Result<i64, AppError> {
    let (t, a) = readable(store, user, thread_id).await?;
    if !(a.resident || a.station) {
        return Err(AppError::Forbidden);
    }
    let key = IdempotencyKey::parse(key)?;
    let key = key.as_str();
    if let Some(id) = crate::store::created_with_key(store, "thread_comments", "author_id", user.id, key).await? {
        return Ok(id);
    }
    if t.hidden.is_some() {
        return Err(AppError::WrongState);
    }
    require_may_post(store, user).await?;
    let now = Millis::now().0;
    let recent: Vec<i64> =
        sqlx::query_scalar("SELECT created_at FROM thread_comments WHERE author_id = $1 AND created_at > $2")
            .bind(user.id)
            .bind(now - rules::COMMENT_INTERVAL.window_ms)
            .fetch_all(store.pool())
            .await?;
    if let Err(until) = rules::rate_check(rules::COMMENT_INTERVAL, &recent, now) {
        return Err(wait_error(T::ErrCommentTooSoon, until));
    }
    let mut p = Problems::default();
    let body = body.trim();
    match body.chars().count() {
        0 => p.add("body", T::ErrRequired),
        n if n > rules::MAX_COMMENT => p.add("body", T::ErrTooLong),
        _ => {}
    }
    let stance = Stance::parse(stance);
    if stance.is_none() {
        p.add("stance", T::ErrRequired);
    }
    p.into_result()?;
    let stance = stance.unwrap_or(Stance::Neutral);
    let parent_row: Option<(i64, i64, Option<i64>)> = match parent {
        Some(pid) => Some(
            sqlx::query_as("SELECT id, depth, parent_id FROM thread_comments WHERE id = $1 AND thread_id = $2")
                .bind(pid)
                .bind(thread_id)
                .fetch_optional(store.pool())
                .await?
                .ok_or(AppError::BadRequest)?,
        ),
        None => None,
    };
    let (parent_id, depth) = rules::placement(parent_row);
    let mut tx = store.write().await?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO thread_comments (thread_id, parent_id, depth, author_id, stance, body, idempotency_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (author_id, idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(thread_id)
    .bind(parent_id)
    .bind(depth)
    .bind(user.id)
    .bind(stance.as_str())
    .bind(body)
    .bind(key)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        drop(tx);
        return crate::store::created_with_key(store, "thread_comments", "author_id", user.id, key)
            .await?
            .ok_or(AppError::Conflict);
    };
    sqlx::query("UPDATE threads SET comments = comments + 1, last_activity_at = $1 WHERE id = $2")
        .bind(now)
        .bind(thread_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    touched(store, thread_id).await;
    Ok(id)
}

pub(super) async fn own_comment(
    store: &Store,
    user: &SessionUser,
    id: i64,
) -> Result<(i64, i64, Option<i64>), AppError> {
    let row: Option<(i64, i64, i64, Option<i64>)> =
        sqlx::query_as("SELECT thread_id, author_id, created_at, deleted_at FROM thread_comments WHERE id = $1")
            .bind(id)
            .fetch_optional(store.pool())
            .await?;
    let (thread, author, created, deleted) = row.ok_or(AppError::NotFound)?;
    readable(store, user, thread).await?;
    if author != user.id {
        return Err(AppError::Forbidden);
    }
    if deleted.is_some() {
        return Err(AppError::NotFound);
    }
    Ok((thread, created, deleted))
}

pub async fn edit_comment(store: &Store, user: &SessionUser, id: i64, body: &str) -> Result<i64, AppError> {
    let (thread, created, _) = own_comment(store, user, id).await?;
    let now = Millis::now().0;
    if !rules::can_edit(created, now) {
        return Err(AppError::invalid("body", T::ErrEditWindowOver));
    }
    require_may_post(store, user).await?;
    let body = body.trim();
    match body.chars().count() {
        0 => return Err(AppError::invalid("body", T::ErrRequired)),
        n if n > rules::MAX_COMMENT => return Err(AppError::invalid("body", T::ErrTooLong)),
        _ => {}
    }
    let mut tx = store.write().await?;
    sqlx::query(
        "UPDATE thread_comments SET body = $1, edited_at = $2 WHERE id = $3 AND hidden IS NULL AND deleted_at IS NULL",
    )
    .bind(body)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    touched(store, thread).await;
    Ok(thread)
}

pub async fn delete_comment(store: &Store, user: &SessionUser, id: i64) -> Result<i64, AppError> {
    let (thread, _, _) = own_comment(store, user, id).await?;
    let mut tx = store.write().await?;
    let done = sqlx::query("UPDATE thread_comments SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL")
        .bind(Millis::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 1 {
        sqlx::query("UPDATE threads SET comments = comments - 1 WHERE id = $1").bind(thread).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    touched(store, thread).await;
    Ok(thread)
}

/// Supports (or withdraws). One per resident per thread however often it is sent; the
/// support that reaches the threshold moves the thread to review and creates its work item,
/// exactly once even when the last supports arrive together.
pub async fn support(store: &Store, user: &SessionUser, thread_id: i64, on: bool) -> Result<(), AppError> {
    let (t, a) = readable(store, user, thread_id).await?;
    if !a.resident {
        return Err(AppError::Forbidden);
    }
    let state = t.state;
    if !state.accepts_supports() || t.hidden.is_some() {
        return Err(AppError::WrongState);
    }
    let (threshold, _, _) = threshold(store, t.community_id).await?;
    let now = Millis::now().0;
    let mut w = WorkTx::begin(store).await?;
    let tx = w.tx();
    if on {
        let added = sqlx::query(
            "INSERT INTO thread_supports (thread_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(thread_id)
        .bind(user.id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        if added.rows_affected() == 1 {
            sqlx::query("UPDATE threads SET supports = supports + 1, last_activity_at = $1 WHERE id = $2")
                .bind(now)
                .bind(thread_id)
                .execute(&mut **tx)
                .await?;
            // The row is locked by the update above until commit: one transaction wins this,
            // and the count (a new statement) sees every support committed before it.
            let reached = sqlx::query(&format!(
                "UPDATE threads SET state = 'review', reached_threshold = $1 WHERE id = $2 AND state = 'open' \
                 AND ({}) >= $1",
                super::VERIFIED_SUPPORTS.replace("$1", "$2")
            ))
            .bind(threshold)
            .bind(thread_id)
            .execute(&mut **tx)
            .await?;
            if reached.rows_affected() == 1 {
                open_project(&mut w, &t, now).await?;
                notify_all(w.tx(), thread_id, 0, Kind::ThreadReview, &t.title).await?;
                w.commit(store).await?;
                touched(store, thread_id).await;
                return Ok(());
            }
        }
    } else {
        let removed = sqlx::query("DELETE FROM thread_supports WHERE thread_id = $1 AND user_id = $2")
            .bind(thread_id)
            .bind(user.id)
            .execute(&mut **tx)
            .await?;
        if removed.rows_affected() == 1 {
            sqlx::query("UPDATE threads SET supports = supports - 1 WHERE id = $1")
                .bind(thread_id)
                .execute(&mut **tx)
                .await?;
        }
    }
    w.commit(store).await?;
    touched(store, thread_id).await;
    Ok(())
}

/// How long the station has to answer a thread that reached its threshold.
pub const ANSWER_RESPONSE_HOURS: i64 = 24;
pub const ANSWER_DAYS: i64 = 7;

/// The autonomy project: a public community demand filed in the author's name (so the
/// whole pipeline—routing, deadlines, board, timeline—applies) and its work item.
pub(super) async fn open_project(w: &mut WorkTx, t: &ThreadRow, now: i64) -> Result<i64, AppError> {
    let excerpt: String = t.body.chars().take(300).collect();
    let description = format!("【居民议事】{}\n\n{}\n\n/threads/{}", t.title, excerpt, t.id);
    let key = IdempotencyKey::internal(format!("thread-{}-project", t.id));
    let mut case = NewCase::new(
        t.community_id,
        t.author_id,
        t.author_id,
        Channel::App,
        ItemKind::AutonomyProject,
        description,
        Place::PublicArea,
        key,
        now,
    );
    case.place_detail = format!("议事 #{}", t.id);
    case.visibility = Visibility::Community;
    case.triage = Some((Triage::Transfer, TriageReason::AutonomyProject));
    case.limits = Some(AffairLimits { response_hours: ANSWER_RESPONSE_HOURS, completion_hours: ANSWER_DAYS * 24 });
    let filed = file_case(w, case).await?.ok_or(AppError::Conflict)?;
    sqlx::query("UPDATE threads SET work_item_id = $1 WHERE id = $2")
        .bind(filed.item)
        .bind(t.id)
        .execute(&mut **w.tx())
        .await?;
    Ok(filed.item)
}
