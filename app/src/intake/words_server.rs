//! Server side of the stations' synonym groups (`synonym_groups`, written here only): add,
//! retire, and keep every instance's segmenter in step with the table.

use super::words::{parse_group, StationGroup, Words, MAX_GROUPS};
use crate::auth::{Role, SessionUser};
use crate::error::AppError;
use crate::i18n::T;
use crate::store::{Millis, Store};
use crate::time::format_local;

fn may_edit(user: &SessionUser) -> bool {
    matches!(user.role, Role::Stationmaster | Role::SubdistrictAdmin | Role::DistrictAdmin)
}

pub async fn list(store: &Store, user: &SessionUser) -> Result<Words, AppError> {
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT g.id, g.words, u.display_name, g.created_at FROM synonym_groups g JOIN users u ON u.id = g.added_by \
         WHERE g.retired_at IS NULL ORDER BY g.id DESC LIMIT $1",
    )
    .bind(MAX_GROUPS)
    .fetch_all(store.pool())
    .await?;
    let station = rows
        .into_iter()
        .map(|(id, words, by, at)| StationGroup {
            id,
            words: words.split_whitespace().map(str::to_string).collect(),
            added_by: by,
            added: format_local(at),
        })
        .collect();
    Ok(Words { station, built_in: super::segment::built_in_lines(), may_edit: may_edit(user) })
}

pub async fn add(store: &Store, user: &SessionUser, raw: &str) -> Result<i64, AppError> {
    if !may_edit(user) {
        return Err(AppError::Forbidden);
    }
    let words = parse_group(raw).map_err(|t| AppError::invalid("words", t))?;
    let in_force: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM synonym_groups WHERE retired_at IS NULL")
        .fetch_one(store.pool())
        .await?;
    if in_force >= MAX_GROUPS {
        return Err(AppError::invalid("words", T::ErrSynonymTooMany));
    }
    let mut tx = store.write().await?;
    // The partial unique index speaks for "already there" (no SELECT first to race with).
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO synonym_groups (words, region_id, added_by, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(words.join(" "))
    .bind(user.region_id)
    .bind(user.id)
    .bind(Millis::now().0)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    let id = id.ok_or_else(|| AppError::invalid("words", T::ErrSynonymExists))?;
    // In force here now; elsewhere within a job round. Texts already stored with one of its
    // words are read again by the search job (`groups_after`).
    load(store).await?;
    Ok(id)
}

pub async fn retire(store: &Store, user: &SessionUser, id: i64) -> Result<(), AppError> {
    if !may_edit(user) {
        return Err(AppError::Forbidden);
    }
    let mut tx = store.write().await?;
    let done =
        sqlx::query("UPDATE synonym_groups SET retired_at = $1, retired_by = $2 WHERE id = $3 AND retired_at IS NULL")
            .bind(Millis::now().0)
            .bind(user.id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    tx.commit().await?;
    if done == 0 {
        return Err(AppError::NotFound);
    }
    load(store).await
}

/// Puts the groups in force into this instance's segmenter.
async fn load(store: &Store) -> Result<(), AppError> {
    let lines: Vec<String> =
        sqlx::query_scalar("SELECT words FROM synonym_groups WHERE retired_at IS NULL ORDER BY id LIMIT $1")
            .bind(MAX_GROUPS)
            .fetch_all(store.pool())
            .await?;
    super::segment::set_station_groups(&lines);
    Ok(())
}

/// Job: when another instance added or retired a group, load them again (one small query a
/// round; the first round of a process always loads).
pub async fn reload_if_changed(store: &Store) -> Result<(), AppError> {
    use std::sync::Mutex;
    static SEEN: Mutex<Option<(i64, i64, i64)>> = Mutex::new(None);
    let now: (i64, i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(MAX(retired_at), 0) FROM synonym_groups")
            .fetch_one(store.pool())
            .await?;
    if *SEEN.lock().unwrap_or_else(|e| e.into_inner()) == Some(now) {
        return Ok(());
    }
    load(store).await?;
    *SEEN.lock().unwrap_or_else(|e| e.into_inner()) = Some(now);
    Ok(())
}

/// Groups added after `after` (by id, oldest first, at most `limit`), for the job that reads
/// stored texts using their words again.
pub async fn groups_after(store: &Store, after: i64, limit: i64) -> Result<Vec<(i64, Vec<String>)>, AppError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, words FROM synonym_groups WHERE id > $1 AND retired_at IS NULL ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(|(id, w)| (id, w.split_whitespace().map(str::to_string).collect())).collect())
}

/// The newest group's id (0 without any).
pub async fn newest_group(store: &Store) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM synonym_groups").fetch_one(store.pool()).await?)
}
