//! Server side of deliberation, by sub-domain: who may read and post (here), threads and
//! their photos ([`posts`]), comments and supports with the threshold's autonomy project
//! ([`talk`]), the station's answer and milestones ([`answer`]), meetings with capacity and a
//! waitlist ([`meetings`]), flags and moderation ([`moderation`]), the demo ([`seed`]).

use super::rules::{self, Piece, SignupOutcome, Stance, ThreadState};
use super::*;
use crate::auth::rules::{mask_name, mask_phone};
use crate::auth::{Role, SessionUser};
use crate::community::server::Setting;
use crate::demands::file::{file_case, NewCase};
use crate::demands::Channel;
use crate::error::Problems;
use crate::form::key::IdempotencyKey;
use crate::notifications::{server::send, server::Send, Kind};
use crate::photos::server::{read_multipart, Upload};
use crate::photos::Owner;
use crate::request;
use crate::store::{Millis, Store, Tx};
use crate::time::format_local;
use crate::work::rules::{Action, AffairLimits, ItemKind, Place, Triage, TriageReason, Visibility};
use crate::work::server::{self as work, WorkTx};

pub mod answer;
pub mod meetings;
pub mod moderation;
pub mod posts;
pub mod seed;
pub mod talk;

pub use answer::{answer, milestone_done};
pub use meetings::{meeting_ics, minutes, signup};
pub use moderation::{block, desk};
pub use posts::{list, open_from_form, view};
pub use seed::{seed_demo_threads, seed_past_threads};
pub use talk::{comment, support, ANSWER_DAYS, ANSWER_RESPONSE_HOURS};

/// How an account stands to a community's threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Access {
    read: bool,
    /// A resident of the community.
    resident: bool,
    /// The station team of the community.
    station: bool,
}

pub(super) async fn access(store: &Store, user: &SessionUser, community: i64) -> Result<Access, AppError> {
    let path = crate::community::server::community_path(store, community).await?.ok_or(AppError::Internal)?;
    let scope = user.scope();
    let resident = user.role == Role::Resident && user.region_id == community;
    let station = scope.acts_for_station(&path);
    // Staff of the subdistrict and district read; only the community takes part.
    let read = resident || (user.role.is_staff() && scope.covers(&path));
    Ok(Access { read, resident, station })
}

#[derive(sqlx::FromRow)]
pub(super) struct ThreadRow {
    id: i64,
    community_id: i64,
    author_id: i64,
    title: String,
    body: String,
    topic: String,
    state: ThreadState,
    supports: i64,
    reached_threshold: Option<i64>,
    work_item_id: Option<i64>,
    merged_into: Option<i64>,
    answer: String,
    answered_at: Option<i64>,
    hidden: Option<String>,
    created_at: i64,
    author_name: String,
}

pub(super) const THREAD_SELECT: &str =
    "SELECT t.id, t.community_id, t.author_id, t.title, t.body, t.topic, t.state, t.supports, \
     t.reached_threshold, t.work_item_id, t.merged_into, t.answer, t.answered_at, t.hidden, t.created_at, \
     u.display_name AS author_name FROM threads t JOIN users u ON u.id = t.author_id";

pub(super) async fn load(store: &Store, id: i64) -> Result<Option<ThreadRow>, AppError> {
    Ok(sqlx::query_as(&format!("{THREAD_SELECT} WHERE t.id = $1")).bind(id).fetch_optional(store.pool()).await?)
}

/// A thread and the viewer's access, or 404 for anyone who may not read it (its existence
/// does not leak across communities).
pub(super) async fn readable(store: &Store, user: &SessionUser, id: i64) -> Result<(ThreadRow, Access), AppError> {
    let t = load(store, id).await?.ok_or(AppError::NotFound)?;
    let a = access(store, user, t.community_id).await?;
    if !a.read {
        return Err(AppError::NotFound);
    }
    Ok((t, a))
}

/// For the photo route.
pub async fn may_read(store: &Store, user: &SessionUser, thread: i64) -> Result<bool, AppError> {
    Ok(match load(store, thread).await? {
        Some(t) => access(store, user, t.community_id).await?.read,
        None => false,
    })
}

pub(super) fn hidden(h: Option<&str>) -> Option<Hidden> {
    match h {
        Some("flags") => Some(Hidden::PendingReview),
        Some("moderator") => Some(Hidden::ByModerator),
        _ => None,
    }
}

/// Names in public: the viewer's own in full, staff's in full, other residents masked —
/// except to the station team, who know their residents. Overseers and department
/// liaisons read residents' names masked, like neighbours.
pub(super) fn shown_name(viewer: &SessionUser, author_id: i64, name: &str, author_is_resident: bool) -> String {
    if author_id == viewer.id || viewer.role.is_station_team() || !author_is_resident {
        name.to_string()
    } else {
        mask_name(name)
    }
}

/// The community's threshold: its setting or the default rule on registered households.
pub async fn threshold(store: &Store, community: i64) -> Result<(i64, Option<i64>, i64), AppError> {
    let setting: Option<Option<i64>> =
        sqlx::query_scalar("SELECT support_threshold FROM community_settings WHERE community_id = $1")
            .bind(community)
            .fetch_optional(store.pool())
            .await?;
    let setting = setting.flatten();
    // A household: a registered resident's address (building, unit, room) that station
    // staff confirmed.
    let households: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT DISTINCT building_id, unit_no, room FROM users \
         WHERE region_id = $1 AND role = 'resident' AND password_hash IS NOT NULL AND disabled_at IS NULL \
         AND address_verified_at IS NOT NULL) h",
    )
    .bind(community)
    .fetch_one(store.pool())
    .await?;
    Ok((rules::support_threshold(setting, households), setting, households))
}

/// Until when the user may not post, if blocked now.
pub(super) async fn blocked_until(store: &Store, user: i64) -> Result<Option<i64>, AppError> {
    let until: Option<i64> = sqlx::query_scalar("SELECT posting_blocked_until FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(store.pool())
        .await?;
    Ok(until.filter(|u| !rules::may_post(Some(*u), Millis::now().0)))
}

pub(super) async fn require_may_post(store: &Store, user: &SessionUser) -> Result<(), AppError> {
    match blocked_until(store, user.id).await? {
        Some(until) => Err(AppError::Blocked { until: format_local(until) }),
        None => Ok(()),
    }
}

pub(super) fn wait_error(what: T, until: i64) -> AppError {
    AppError::RateLimited { what, retry_after_secs: ((until - Millis::now().0 + 999) / 1000).max(1) }
}

/// Communities whose threads the viewer lists: their own, or every one under their region.
pub(super) async fn listed_communities(store: &Store, user: &SessionUser) -> Result<Vec<i64>, AppError> {
    use crate::auth::Level;
    let sql = match user.role.home_level() {
        Level::Community => return Ok(vec![user.region_id]),
        Level::Subdistrict => "SELECT id FROM regions WHERE parent_id = $1 AND level = 'community'",
        Level::District => {
            "SELECT c.id FROM regions c JOIN regions s ON s.id = c.parent_id WHERE s.parent_id = $1 AND c.level = 'community'"
        }
    };
    Ok(sqlx::query_scalar(sql).bind(user.region_id).fetch_all(store.pool()).await?)
}

pub(super) async fn touched(store: &Store, thread: i64) {
    crate::live::publish(store, format!("thread:{thread}")).await;
}

/// Everyone who took part: the author, commenters and supporters.
pub(super) async fn participants(tx: &mut Tx, thread: i64) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT author_id FROM threads WHERE id = $1 \
         UNION SELECT author_id FROM thread_comments WHERE thread_id = $1 AND deleted_at IS NULL \
         UNION SELECT user_id FROM thread_supports WHERE thread_id = $1",
    )
    .bind(thread)
    .fetch_all(&mut **tx)
    .await?)
}

pub(super) async fn notify_all(
    tx: &mut Tx,
    thread: i64,
    except: i64,
    kind: Kind,
    detail: &str,
) -> Result<(), AppError> {
    let link = format!("/threads/{thread}");
    for u in participants(tx, thread).await? {
        if u == except {
            continue;
        }
        send(tx, Send::new(u, kind).detail(detail).link(link.clone())).await?;
    }
    Ok(())
}

/// An account's deletion: its comments stay (signed by "已注销居民", the account's new
/// name) unless the resident asked for them to go; then they read as deleted ones do.
pub async fn forget_author(tx: &mut crate::store::Tx, user: i64, delete_comments: bool) -> Result<(), AppError> {
    if delete_comments {
        sqlx::query(
            "UPDATE thread_comments SET body = '', deleted_at = $1 WHERE author_id = $2 AND deleted_at IS NULL",
        )
        .bind(crate::store::Millis::now().0)
        .bind(user)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The verified households among a thread's supporters (what the threshold counts): two
/// residents of one flat are one household, an unverified address none.
pub const VERIFIED_SUPPORTS: &str = "SELECT COUNT(*) FROM (SELECT DISTINCT u.building_id, u.unit_no, u.room \
     FROM thread_supports s JOIN users u ON u.id = s.user_id WHERE s.thread_id = $1 \
     AND u.address_verified_at IS NOT NULL AND u.disabled_at IS NULL) h";

pub async fn verified_supports(store: &Store, thread: i64) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(VERIFIED_SUPPORTS).bind(thread).fetch_one(store.pool()).await?)
}

/// A thread's words as stored beside it for search (`threads.tokens`).
pub(super) fn words_of(title: &str, body: &str) -> String {
    crate::intake::segment::tokens(&format!("{title}\n{body}"))
}

/// Threads opened before their words were stored get them, a batch at a time in id order
/// from `after` on. Returns the last id read, or `None` once none is left.
pub async fn store_missing_words(store: &Store, after: i64, batch: i64) -> Result<Option<i64>, AppError> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, title, body FROM threads WHERE id > $1 AND tokens = '' ORDER BY id LIMIT $2")
            .bind(after)
            .bind(batch)
            .fetch_all(store.pool())
            .await?;
    let Some(last) = rows.last().map(|r| r.0) else { return Ok(None) };
    let words: Vec<(i64, String)> = rows.iter().map(|(id, title, body)| (*id, words_of(title, body))).collect();
    let mut tx = store.write().await?;
    for (id, w) in words.iter().filter(|(_, w)| !w.is_empty()) {
        sqlx::query("UPDATE threads SET tokens = $1 WHERE id = $2 AND tokens = ''")
            .bind(w)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Some(last))
}

/// Threads whose title or text uses one of `words` get their words again (a station added a
/// synonym group). Newest first, at most 10,000 a call; the words are letters and digits.
pub async fn store_words_again(store: &Store, words: &[String]) -> Result<u64, AppError> {
    let like: Vec<String> = (1..=words.len()).map(|i| format!("title LIKE ${i} OR body LIKE ${i}")).collect();
    let sql = format!("SELECT id, title, body FROM threads WHERE {} ORDER BY id DESC LIMIT 10000", like.join(" OR "));
    let mut q = sqlx::query_as::<_, (i64, String, String)>(&sql);
    for w in words {
        q = q.bind(format!("%{w}%"));
    }
    let rows = q.fetch_all(store.pool()).await?;
    for chunk in rows.chunks(500) {
        let mut tx = store.write().await?;
        for (id, title, body) in chunk {
            sqlx::query("UPDATE threads SET tokens = $1 WHERE id = $2")
                .bind(words_of(title, body))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    Ok(rows.len() as u64)
}
