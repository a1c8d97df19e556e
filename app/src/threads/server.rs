//! Server side of deliberation: who may read and post, threads with photos, comments,
//! supports and the threshold (an autonomy-project work item, exactly once), the station's
//! answer and milestones, meetings with capacity and a waitlist, flags and moderation.

use super::rules::{self, Piece, SignupOutcome, Stance, ThreadState};
use super::*;
use crate::auth::rules::{mask_name, mask_phone};
use crate::auth::{Role, SessionUser};
use crate::demands::server::{insert_photo, process_uploads, read_multipart, valid_key};
use crate::error::Problems;
use crate::request;
use crate::store::{Millis, Store, Tx};
use crate::time::format_local;
use crate::work::rules::{Action, Place, Triage, TriageReason, Urgency};
use crate::work::server as work;

/// How an account stands to a community's threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Access {
    read: bool,
    /// A resident of the community.
    resident: bool,
    /// The station team of the community.
    station: bool,
}

async fn access(store: &Store, user: &SessionUser, community: i64) -> Result<Access, AppError> {
    let path = crate::community::server::community_path(store, community).await?.ok_or(AppError::Internal)?;
    let scope = user.scope();
    let resident = user.role == Role::Resident && user.region_id == community;
    let station = scope.acts_for_station(&path);
    // Staff of the subdistrict and district read; only the community takes part.
    let read = resident || (user.role.is_staff() && scope.covers(&path));
    Ok(Access { read, resident, station })
}

#[derive(sqlx::FromRow)]
struct ThreadRow {
    id: i64,
    community_id: i64,
    author_id: i64,
    title: String,
    body: String,
    topic: String,
    state: String,
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

const THREAD_SELECT: &str = "SELECT t.id, t.community_id, t.author_id, t.title, t.body, t.topic, t.state, t.supports, \
     t.reached_threshold, t.work_item_id, t.merged_into, t.answer, t.answered_at, t.hidden, t.created_at, \
     u.display_name AS author_name FROM threads t JOIN users u ON u.id = t.author_id";

async fn load(store: &Store, id: i64) -> Result<Option<ThreadRow>, AppError> {
    Ok(sqlx::query_as(&format!("{THREAD_SELECT} WHERE t.id = $1")).bind(id).fetch_optional(store.pool()).await?)
}

/// A thread and the viewer's access, or 404 for anyone who may not read it (its existence
/// does not leak across communities).
async fn readable(store: &Store, user: &SessionUser, id: i64) -> Result<(ThreadRow, Access), AppError> {
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

fn hidden(h: Option<&str>) -> Option<Hidden> {
    match h {
        Some("flags") => Some(Hidden::PendingReview),
        Some("moderator") => Some(Hidden::ByModerator),
        _ => None,
    }
}

/// Names in public: the viewer's own in full, staff's in full, other residents masked.
fn shown_name(viewer: &SessionUser, author_id: i64, name: &str, author_is_resident: bool) -> String {
    if author_id == viewer.id || viewer.role.is_staff() || !author_is_resident {
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
    // A household: a registered resident's address (building, unit, room).
    let households: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT DISTINCT building_id, unit_no, room FROM users \
         WHERE region_id = $1 AND role = 'resident' AND password_hash IS NOT NULL AND disabled_at IS NULL) h",
    )
    .bind(community)
    .fetch_one(store.pool())
    .await?;
    Ok((rules::support_threshold(setting, households), setting, households))
}

/// Until when the user may not post, if blocked now.
async fn blocked_until(store: &Store, user: i64) -> Result<Option<i64>, AppError> {
    let until: Option<i64> = sqlx::query_scalar("SELECT posting_blocked_until FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(store.pool())
        .await?;
    Ok(until.filter(|u| !rules::may_post(Some(*u), Millis::now().0)))
}

async fn require_may_post(store: &Store, user: &SessionUser) -> Result<(), AppError> {
    match blocked_until(store, user.id).await? {
        Some(until) => Err(AppError::Blocked { until: format_local(until) }),
        None => Ok(()),
    }
}

fn wait_error(what: T, until: i64) -> AppError {
    AppError::RateLimited { what, retry_after_secs: ((until - Millis::now().0 + 999) / 1000).max(1) }
}

/// Communities whose threads the viewer lists: their own, or every one under their region.
async fn listed_communities(store: &Store, user: &SessionUser) -> Result<Vec<i64>, AppError> {
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

pub async fn list(store: &Store, user: &SessionUser, sort: &str, topic: &str) -> Result<ThreadList, AppError> {
    let communities = listed_communities(store, user).await?;
    if communities.is_empty() || !(user.role == Role::Resident || user.role.is_staff()) {
        return Err(AppError::Forbidden);
    }
    let order = match sort {
        "supported" => "t.supports DESC, t.id DESC",
        "active" => "t.last_activity_at DESC, t.id DESC",
        _ => "t.created_at DESC, t.id DESC",
    };
    let in_list = communities.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(",");
    let topic_filter = if TOPICS.contains(&topic) { "AND t.topic = $1" } else { "AND $1 = $1" };
    #[derive(sqlx::FromRow)]
    struct Line {
        id: i64,
        title: String,
        topic: String,
        state: String,
        supports: i64,
        comments: i64,
        author_id: i64,
        author_name: String,
        author_role: String,
        hidden: Option<String>,
        created_at: i64,
    }
    let rows: Vec<Line> = sqlx::query_as(&format!(
        "SELECT t.id, t.title, t.topic, t.state, t.supports, t.comments, t.author_id, u.display_name AS author_name, \
         u.role AS author_role, t.hidden, t.created_at FROM threads t JOIN users u ON u.id = t.author_id \
         WHERE t.community_id IN ({in_list}) {topic_filter} ORDER BY {order} LIMIT 200"
    ))
    .bind(topic)
    .fetch_all(store.pool())
    .await?;
    let staff = user.role.is_staff();
    let threads = rows
        .into_iter()
        .map(|r| {
            let hidden = hidden(r.hidden.as_deref());
            ThreadLine {
                id: r.id,
                title: if hidden.is_some() && !staff { None } else { Some(r.title) },
                topic: r.topic,
                state: ThreadState::parse(&r.state).unwrap_or(ThreadState::Open),
                supports: r.supports,
                comments: r.comments,
                author: shown_name(user, r.author_id, &r.author_name, r.author_role == "resident"),
                posted: format_local(r.created_at),
                hidden,
            }
        })
        .collect();
    let home = user.role.home_level() == crate::auth::Level::Community;
    let threshold = if home { threshold(store, user.region_id).await?.0 } else { 0 };
    let blocked = blocked_until(store, user.id).await?;
    let community: String = sqlx::query_scalar("SELECT name_zh FROM regions WHERE id = $1")
        .bind(user.region_id)
        .fetch_one(store.pool())
        .await?;
    Ok(ThreadList {
        threads,
        threshold,
        can_post: user.role == Role::Resident && blocked.is_none(),
        blocked_until: blocked.map(format_local),
        community,
    })
}

pub async fn view(store: &Store, user: &SessionUser, id: i64) -> Result<ThreadView, AppError> {
    let (t, a) = readable(store, user, id).await?;
    let staff = user.role.is_staff();
    let now = Millis::now().0;
    let state = ThreadState::parse(&t.state).unwrap_or(ThreadState::Open);
    let thread_hidden = hidden(t.hidden.as_deref());
    let show_body = thread_hidden.is_none() || staff;
    let author_role: String =
        sqlx::query_scalar("SELECT role FROM users WHERE id = $1").bind(t.author_id).fetch_one(store.pool()).await?;

    #[derive(sqlx::FromRow)]
    struct C {
        id: i64,
        parent_id: Option<i64>,
        depth: i64,
        author_id: i64,
        stance: String,
        body: String,
        hidden: Option<String>,
        created_at: i64,
        edited_at: Option<i64>,
        deleted_at: Option<i64>,
        author_name: String,
        author_role: String,
    }
    let rows: Vec<C> = sqlx::query_as(
        "SELECT c.id, c.parent_id, c.depth, c.author_id, c.stance, c.body, c.hidden, c.created_at, c.edited_at, \
         c.deleted_at, u.display_name AS author_name, u.role AS author_role \
         FROM thread_comments c JOIN users u ON u.id = c.author_id WHERE c.thread_id = $1 ORDER BY c.id",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    let stances =
        rules::stance_counts(rows.iter().map(|c| {
            (Stance::parse(&c.stance).unwrap_or(Stance::Neutral), c.deleted_at.is_none() && c.hidden.is_none())
        }));
    // Threaded order: each comment followed by its replies, depth first.
    let has_children = |cid: i64| rows.iter().any(|c| c.parent_id == Some(cid) && c.deleted_at.is_none());
    let mut ordered: Vec<&C> = Vec::new();
    fn walk<'a>(rows: &'a [C], parent: Option<i64>, out: &mut Vec<&'a C>) {
        for c in rows.iter().filter(|c| c.parent_id == parent) {
            out.push(c);
            walk(rows, Some(c.id), out);
        }
    }
    walk(&rows, None, &mut ordered);
    let comments = ordered
        .into_iter()
        // A deleted comment without replies is simply gone.
        .filter(|c| c.deleted_at.is_none() || rules::deleted_placeholder(has_children(c.id)))
        .map(|c| {
            let hidden = hidden(c.hidden.as_deref());
            let deleted = c.deleted_at.is_some();
            let mine = c.author_id == user.id;
            CommentView {
                id: c.id,
                parent_id: c.parent_id,
                depth: c.depth,
                author: shown_name(user, c.author_id, &c.author_name, c.author_role == "resident"),
                by_station: c.author_role != "resident",
                stance: Stance::parse(&c.stance).unwrap_or(Stance::Neutral),
                body: if deleted || (hidden.is_some() && !staff) { None } else { Some(c.body.clone()) },
                deleted,
                hidden,
                when: format_local(c.created_at),
                edited: c.edited_at.is_some(),
                mine,
                can_edit: mine && !deleted && hidden.is_none() && rules::can_edit(c.created_at, now),
            }
        })
        .collect();

    let i_support: bool =
        sqlx::query_scalar::<_, i64>("SELECT user_id FROM thread_supports WHERE thread_id = $1 AND user_id = $2")
            .bind(id)
            .bind(user.id)
            .fetch_optional(store.pool())
            .await?
            .is_some();
    let photos: Vec<i64> = if show_body {
        sqlx::query_scalar("SELECT id FROM photos WHERE thread_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(store.pool())
            .await?
    } else {
        Vec::new()
    };
    let merged_into = match t.merged_into {
        Some(m) => {
            let title: String =
                sqlx::query_scalar("SELECT title FROM threads WHERE id = $1").bind(m).fetch_one(store.pool()).await?;
            Some((m, title))
        }
        None => None,
    };
    let work = match t.work_item_id {
        Some(w) => {
            let (demand, state, complete_by): (i64, String, i64) =
                sqlx::query_as("SELECT demand_id, state, complete_by FROM work_items WHERE id = $1")
                    .bind(w)
                    .fetch_one(store.pool())
                    .await?;
            Some((
                demand,
                crate::work::rules::State::parse(&state).unwrap_or(crate::work::rules::State::Received),
                format_local(complete_by),
            ))
        }
        None => None,
    };
    let milestones: Vec<(i64, String, String, Option<i64>, String)> = sqlx::query_as(
        "SELECT id, title, due_on, done_at, note FROM thread_milestones WHERE thread_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    let milestones = milestones
        .into_iter()
        .map(|(id, title, due_on, done, note)| MilestoneView { id, title, due_on, done: done.map(format_local), note })
        .collect();
    let meetings = meetings(store, user, id, a.station).await?;
    let threshold = t.reached_threshold.unwrap_or(threshold(store, t.community_id).await?.0);
    let blocked = blocked_until(store, user.id).await?;
    let merge_targets: Vec<(i64, String)> = if a.station && state.can_answer() {
        sqlx::query_as(
            "SELECT id, title FROM threads WHERE community_id = $1 AND id <> $2 AND hidden IS NULL \
             AND state IN ('open', 'review', 'adopted') ORDER BY id DESC LIMIT 50",
        )
        .bind(t.community_id)
        .bind(id)
        .fetch_all(store.pool())
        .await?
    } else {
        Vec::new()
    };
    Ok(ThreadView {
        id,
        title: if show_body { t.title } else { String::new() },
        body: if show_body { rules::pieces(&t.body) } else { Vec::<Piece>::new() },
        topic: t.topic,
        state,
        supports: t.supports,
        threshold,
        i_support,
        stances,
        author: shown_name(user, t.author_id, &t.author_name, author_role == "resident"),
        posted: format_local(t.created_at),
        photos,
        hidden: thread_hidden,
        answer: t.answer,
        answered: t.answered_at.map(format_local),
        merged_into,
        work,
        milestones,
        meetings,
        comments,
        powers: ThreadPowers {
            can_comment: (a.resident && blocked.is_none() || a.station) && thread_hidden.is_none(),
            can_support: a.resident && state.accepts_supports() && thread_hidden.is_none(),
            can_flag: a.resident,
            station: a.station,
            blocked_until: blocked.map(format_local),
        },
        merge_targets,
    })
}

async fn meetings(store: &Store, user: &SessionUser, thread: i64, station: bool) -> Result<Vec<MeetingView>, AppError> {
    #[derive(sqlx::FromRow)]
    struct M {
        id: i64,
        starts_at: i64,
        ends_at: i64,
        place: String,
        capacity: i64,
        taken: i64,
        minutes: String,
        decision: String,
    }
    let rows: Vec<M> = sqlx::query_as(
        "SELECT id, starts_at, ends_at, place, capacity, taken, minutes, decision FROM meetings WHERE thread_id = $1 ORDER BY starts_at",
    )
    .bind(thread)
    .fetch_all(store.pool())
    .await?;
    let now = Millis::now().0;
    let mut out = Vec::new();
    for m in rows {
        let signups: Vec<(i64, String, i64, String, String)> = sqlx::query_as(
            "SELECT s.user_id, s.status, s.queued_at, u.display_name, u.phone FROM meeting_signups s \
             JOIN users u ON u.id = s.user_id WHERE s.meeting_id = $1 AND s.status <> 'cancelled' ORDER BY s.queued_at, s.user_id",
        )
        .bind(m.id)
        .fetch_all(store.pool())
        .await?;
        let waitlist: Vec<&(i64, String, i64, String, String)> = signups.iter().filter(|s| s.1 == "waitlist").collect();
        let mine = signups.iter().find(|s| s.0 == user.id).map(|s| {
            if s.1 == "confirmed" {
                SignupOutcome::Confirmed
            } else {
                SignupOutcome::Waitlisted
            }
        });
        let waitlist_position = waitlist.iter().position(|s| s.0 == user.id).map(|p| p as i64 + 1);
        out.push(MeetingView {
            id: m.id,
            starts: format_local(m.starts_at),
            ends: crate::time::to_local(m.ends_at).format("%H:%M").to_string(),
            place: m.place,
            capacity: m.capacity,
            taken: m.taken,
            waitlist: waitlist.len() as i64,
            mine,
            waitlist_position,
            started: now >= m.starts_at,
            minutes: m.minutes,
            decision: m.decision,
            attendees: if station {
                signups
                    .iter()
                    .map(|s| {
                        let tag = if s.1 == "waitlist" { " (候补 waitlist)" } else { "" };
                        format!("{} {}{tag}", s.3, mask_phone(&s.4))
                    })
                    .collect()
            } else {
                Vec::new()
            },
        });
    }
    Ok(out)
}

/// Opens a thread from the multipart form. Idempotent on the form's key.
pub async fn open_from_form(data: MultipartData) -> Result<(), AppError> {
    let (pairs, uploads) = match read_multipart(data).await {
        Ok(x) => x,
        Err(e) => return request::respond(Err(e)),
    };
    let field = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or_default();
    let (title, body, topic, key) = (field("title"), field("body"), field("topic"), field("idempotency_key"));
    let result = open(&title, &body, &topic, &key, uploads).await;
    match &result {
        Ok(id) => {
            crate::form::server::forget("thread").await;
            request::redirect(&format!("/threads/{id}"));
        }
        Err(_) => {
            crate::form::server::keep_input(
                "thread",
                &[("title", &title), ("body", &body), ("topic", &topic), ("idempotency_key", &key)],
            )
            .await;
        }
    }
    request::respond(result.map(|_| ()))
}

async fn open(
    title: &str,
    body: &str,
    topic: &str,
    key: &str,
    uploads: Vec<crate::demands::server::Upload>,
) -> Result<i64, AppError> {
    let user = crate::auth::server::require_user()?;
    let store = request::store()?;
    if user.role != Role::Resident {
        return Err(AppError::Forbidden);
    }
    if !valid_key(key) {
        return Err(AppError::BadRequest);
    }
    if let Some(id) = existing_thread(&store, user.id, key).await? {
        return Ok(id);
    }
    require_may_post(&store, &user).await?;
    let now = Millis::now().0;
    let earlier: Vec<i64> =
        sqlx::query_scalar("SELECT created_at FROM threads WHERE author_id = $1 AND created_at > $2")
            .bind(user.id)
            .bind(now - rules::THREADS_PER_DAY.window_ms)
            .fetch_all(store.pool())
            .await?;
    if let Err(until) = rules::rate_check(rules::THREADS_PER_DAY, &earlier, now) {
        return Err(wait_error(T::ErrThreadsPerDay, until));
    }
    let mut p = Problems::default();
    let title = title.trim();
    let body = body.trim();
    match title.chars().count() {
        0 => p.add("title", T::ErrRequired),
        n if n > rules::MAX_TITLE => p.add("title", T::ErrTitleLength),
        _ => {}
    }
    match body.chars().count() {
        0 => p.add("body", T::ErrRequired),
        n if n > rules::MAX_BODY => p.add("body", T::ErrBodyLength),
        _ => {}
    }
    if !TOPICS.contains(&topic) {
        p.add("topic", T::ErrRequired);
    }
    let pending: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM photos WHERE owner_id = $1 AND upload_key = $2 AND demand_id IS NULL AND thread_id IS NULL",
    )
    .bind(user.id)
    .bind(key)
    .fetch_one(store.pool())
    .await?;
    let processed = process_uploads(uploads, pending, &mut p).await?;
    if !p.is_empty() {
        if !processed.is_empty() && !p.has("photos") {
            let mut tx = store.write().await?;
            for photo in &processed {
                insert_photo(&mut tx, None, user.id, key, photo).await?;
            }
            tx.commit().await?;
        }
        return p.into_result().map(|_| 0);
    }
    let mut tx = store.write().await?;
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO threads (community_id, author_id, title, body, topic, idempotency_key, last_activity_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (author_id, idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(user.region_id)
    .bind(user.id)
    .bind(title)
    .bind(body)
    .bind(topic)
    .bind(key)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = inserted else {
        drop(tx);
        return existing_thread(&store, user.id, key).await?.ok_or(AppError::Conflict);
    };
    for photo in &processed {
        insert_photo(&mut tx, None, user.id, key, photo).await?;
    }
    sqlx::query(
        "UPDATE photos SET thread_id = $1 WHERE owner_id = $2 AND upload_key = $3 AND demand_id IS NULL AND thread_id IS NULL",
    )
    .bind(id)
    .bind(user.id)
    .bind(key)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn existing_thread(store: &Store, author: i64, key: &str) -> Result<Option<i64>, AppError> {
    Ok(crate::store::created_with_key(store, "threads", "author_id", author, key).await?)
}

async fn touched(store: &Store, thread: i64) {
    crate::work::live::publish_key(store, format!("thread:{thread}")).await;
}

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
    if !valid_key(key) {
        return Err(AppError::BadRequest);
    }
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

async fn own_comment(store: &Store, user: &SessionUser, id: i64) -> Result<(i64, i64, Option<i64>), AppError> {
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

/// Everyone who took part: the author, commenters and supporters.
async fn participants(tx: &mut Tx, thread: i64) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT author_id FROM threads WHERE id = $1 \
         UNION SELECT author_id FROM thread_comments WHERE thread_id = $1 AND deleted_at IS NULL \
         UNION SELECT user_id FROM thread_supports WHERE thread_id = $1",
    )
    .bind(thread)
    .fetch_all(&mut **tx)
    .await?)
}

async fn notify_all(tx: &mut Tx, thread: i64, except: i64, kind: &str, detail: &str) -> Result<(), AppError> {
    let link = format!("/threads/{thread}");
    for u in participants(tx, thread).await? {
        if u == except {
            continue;
        }
        sqlx::query("INSERT INTO notifications (user_id, kind, detail, link, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(u)
            .bind(kind)
            .bind(detail)
            .bind(&link)
            .bind(Millis::now())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Supports (or withdraws). One per resident per thread however often it is sent; the
/// support that reaches the threshold moves the thread to review and creates its work item,
/// exactly once even when the last supports arrive together.
pub async fn support(store: &Store, user: &SessionUser, thread_id: i64, on: bool) -> Result<(), AppError> {
    let (t, a) = readable(store, user, thread_id).await?;
    if !a.resident {
        return Err(AppError::Forbidden);
    }
    let state = ThreadState::parse(&t.state).unwrap_or(ThreadState::Open);
    if !state.accepts_supports() || t.hidden.is_some() {
        return Err(AppError::WrongState);
    }
    let (threshold, _, _) = threshold(store, t.community_id).await?;
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    if on {
        let added = sqlx::query(
            "INSERT INTO thread_supports (thread_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(thread_id)
        .bind(user.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if added.rows_affected() == 1 {
            sqlx::query("UPDATE threads SET supports = supports + 1, last_activity_at = $1 WHERE id = $2")
                .bind(now)
                .bind(thread_id)
                .execute(&mut *tx)
                .await?;
            // The row is locked by the update above until commit: one transaction wins this.
            let reached = sqlx::query(
                "UPDATE threads SET state = 'review', reached_threshold = $1 WHERE id = $2 AND state = 'open' AND supports >= $1",
            )
            .bind(threshold)
            .bind(thread_id)
            .execute(&mut *tx)
            .await?;
            if reached.rows_affected() == 1 {
                let item = open_project(&mut tx, &t, now).await?;
                notify_all(&mut tx, thread_id, 0, "thread_review", &t.title).await?;
                tx.commit().await?;
                crate::work::live::publish(store, item).await;
                touched(store, thread_id).await;
                return Ok(());
            }
        }
    } else {
        let removed = sqlx::query("DELETE FROM thread_supports WHERE thread_id = $1 AND user_id = $2")
            .bind(thread_id)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        if removed.rows_affected() == 1 {
            sqlx::query("UPDATE threads SET supports = supports - 1 WHERE id = $1")
                .bind(thread_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    touched(store, thread_id).await;
    Ok(())
}

/// How long the station has to answer a thread that reached its threshold.
pub const ANSWER_RESPONSE_HOURS: i64 = 24;
pub const ANSWER_DAYS: i64 = 7;

/// The autonomy project: a public community demand filed in the author's name (so the
/// whole pipeline—routing, deadlines, board, timeline—applies) and its work item.
async fn open_project(tx: &mut Tx, t: &ThreadRow, now: i64) -> Result<i64, AppError> {
    let excerpt: String = t.body.chars().take(300).collect();
    let description = format!("【居民议事】{}\n\n{}\n\n/threads/{}", t.title, excerpt, t.id);
    let demand: i64 = sqlx::query_scalar(
        "INSERT INTO demands (community_id, requester_id, filed_by_id, channel, affair_id, description, place, building_id, \
         place_detail, urgency, visibility, contact_time, idempotency_key, created_at) \
         VALUES ($1, $2, $2, 'app', NULL, $3, 'public_area', NULL, $4, 'normal', 'public', '', $5, $6) RETURNING id",
    )
    .bind(t.community_id)
    .bind(t.author_id)
    .bind(&description)
    .bind(format!("议事 #{}", t.id))
    .bind(format!("thread-{}-project", t.id))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let item = work::create_for_demand(
        tx,
        work::NewItem {
            kind: "autonomy_project",
            triage: Some((Triage::Transfer, TriageReason::AutonomyProject)),
            demand_id: demand,
            community_id: t.community_id,
            building_id: None,
            affair_mode: None,
            affair_limits: Some(crate::work::rules::AffairLimits {
                response_hours: ANSWER_RESPONSE_HOURS,
                completion_hours: ANSWER_DAYS * 24,
            }),
            urgency: Urgency::Normal,
            place: Place::PublicArea,
            posted_at: now,
            filed_by: t.author_id,
            note: String::new(),
        },
    )
    .await?;
    sqlx::query("UPDATE threads SET work_item_id = $1 WHERE id = $2").bind(item).bind(t.id).execute(&mut **tx).await?;
    Ok(item)
}

/// Parses the plan's milestones: one per line, `YYYY-MM-DD title`.
fn parse_milestones(text: &str) -> Result<Vec<(chrono::NaiveDate, String)>, T> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (date, title) = line.split_once(char::is_whitespace).ok_or(T::ErrMilestoneFormat)?;
        let date = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| T::ErrMilestoneFormat)?;
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 100 {
            return Err(T::ErrMilestoneFormat);
        }
        out.push((date, title.to_string()));
    }
    if out.is_empty() || out.len() > 20 {
        return Err(T::ErrMilestoneFormat);
    }
    out.sort_by_key(|m| m.0);
    Ok(out)
}

pub async fn answer(
    store: &Store,
    user: &SessionUser,
    thread_id: i64,
    decision: &str,
    text: &str,
    milestones: &str,
    merge_into: Option<i64>,
) -> Result<(), AppError> {
    let (t, a) = readable(store, user, thread_id).await?;
    if !a.station {
        return Err(AppError::Forbidden);
    }
    let state = ThreadState::parse(&t.state).unwrap_or(ThreadState::Open);
    if !state.can_answer() {
        return Err(AppError::WrongState);
    }
    let item = t.work_item_id.ok_or(AppError::Internal)?;
    let text = text.trim();
    let mut p = Problems::default();
    match text.chars().count() {
        0 => p.add("text", T::ErrReasonRequired),
        n if n > rules::MAX_BODY => p.add("text", T::ErrTooLong),
        _ => {}
    }
    let (new_state, plan) = match decision {
        "adopt" => match parse_milestones(milestones) {
            Ok(m) => (ThreadState::Adopted, m),
            Err(e) => {
                p.add("milestones", e);
                (ThreadState::Adopted, Vec::new())
            }
        },
        "merge" => {
            let target: Option<i64> = match merge_into {
                Some(m) if m != thread_id => sqlx::query_scalar(
                    "SELECT id FROM threads WHERE id = $1 AND community_id = $2 AND hidden IS NULL AND state <> 'merged'",
                )
                .bind(m)
                .bind(t.community_id)
                .fetch_optional(store.pool())
                .await?,
                _ => None,
            };
            if target.is_none() {
                p.add("merge_into", T::ErrRequired);
            }
            (ThreadState::Merged, Vec::new())
        }
        "decline" => (ThreadState::Declined, Vec::new()),
        _ => {
            p.add("decision", T::ErrRequired);
            (ThreadState::Declined, Vec::new())
        }
    };
    p.into_result()?;
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE threads SET state = $1, answer = $2, answered_at = $3, answered_by = $4, merged_into = $5 \
         WHERE id = $6 AND state = 'review'",
    )
    .bind(new_state.as_str())
    .bind(text)
    .bind(now)
    .bind(user.id)
    .bind(if new_state == ThreadState::Merged { merge_into } else { None })
    .bind(thread_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict);
    }
    let note = format!("{}：{text}", answer_word(new_state));
    if new_state == ThreadState::Adopted {
        for (i, (date, title)) in plan.iter().enumerate() {
            sqlx::query(
                "INSERT INTO thread_milestones (thread_id, position, title, due_on, updated_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(thread_id)
            .bind(i as i64)
            .bind(title)
            .bind(date.format("%Y-%m-%d").to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        work::station_steps(&mut tx, item, user.id, &[Action::Accept, Action::Start], &note).await?;
        // The project is due when its last milestone is (end of that day, Beijing time).
        if let Some((last, _)) = plan.last() {
            let due = last
                .and_hms_opt(23, 59, 0)
                .and_then(|d| d.and_local_timezone(crate::time::beijing()).single())
                .map(|d| d.timestamp_millis())
                .unwrap_or(now);
            sqlx::query("UPDATE work_items SET complete_by = $1 WHERE id = $2")
                .bind(due.max(now))
                .bind(item)
                .execute(&mut *tx)
                .await?;
        }
    } else {
        work::station_steps(&mut tx, item, user.id, &[Action::Accept, Action::Resolve], &note).await?;
    }
    notify_all(&mut tx, thread_id, user.id, "thread_answer", new_state.as_str()).await?;
    tx.commit().await?;
    crate::work::live::publish(store, item).await;
    touched(store, thread_id).await;
    Ok(())
}

fn answer_word(s: ThreadState) -> &'static str {
    match s {
        ThreadState::Adopted => "采纳 Adopted",
        ThreadState::Merged => "合并 Merged",
        _ => "暂不采纳 Declined",
    }
}

pub async fn milestone_done(store: &Store, user: &SessionUser, id: i64, note: &str) -> Result<i64, AppError> {
    let row: Option<(i64, String)> = sqlx::query_as("SELECT thread_id, title FROM thread_milestones WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    let (thread, title) = row.ok_or(AppError::NotFound)?;
    let (t, a) = readable(store, user, thread).await?;
    if !a.station {
        return Err(AppError::Forbidden);
    }
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(AppError::invalid("note", T::ErrTooLong));
    }
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE thread_milestones SET done_at = $1, note = $2, updated_at = $1 WHERE id = $3 AND done_at IS NULL",
    )
    .bind(now)
    .bind(note)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::WrongState);
    }
    if let Some(item) = t.work_item_id {
        let text = if note.is_empty() {
            format!("里程碑完成 Milestone done：{title}")
        } else {
            format!("里程碑完成 Milestone done：{title}（{note}）")
        };
        work::event(&mut tx, item, Some(user.id), crate::work::EventKind::Reply, None, None, &text, true).await?;
    }
    notify_all(&mut tx, thread, user.id, "milestone", &title).await?;
    tx.commit().await?;
    if let Some(item) = t.work_item_id {
        crate::work::live::publish(store, item).await;
    }
    touched(store, thread).await;
    Ok(thread)
}

fn parse_local(date: &str, time: &str) -> Option<i64> {
    let d = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let t = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    d.and_time(t).and_local_timezone(crate::time::beijing()).single().map(|x| x.timestamp_millis())
}

#[allow(clippy::too_many_arguments)]
pub async fn schedule_meeting(
    store: &Store,
    user: &SessionUser,
    thread_id: i64,
    date: &str,
    start: &str,
    end: &str,
    place: &str,
    capacity: &str,
) -> Result<i64, AppError> {
    let (t, a) = readable(store, user, thread_id).await?;
    if !a.station {
        return Err(AppError::Forbidden);
    }
    let now = Millis::now().0;
    let mut p = Problems::default();
    let starts = parse_local(date, start);
    let ends = parse_local(date, end);
    match (starts, ends) {
        (None, _) => p.add("start", T::ErrDateTime),
        (_, None) => p.add("end", T::ErrDateTime),
        // A meeting already held may be recorded (to post its minutes), up to 30 days back.
        (Some(s), _) if s < now - 30 * 24 * 3_600_000 => p.add("start", T::ErrInThePast),
        (Some(s), Some(e)) if e <= s => p.add("end", T::ErrEndBeforeStart),
        _ => {}
    }
    let place = place.trim();
    match place.chars().count() {
        0 => p.add("place", T::ErrRequired),
        n if n > 100 => p.add("place", T::ErrTooLong),
        _ => {}
    }
    let capacity = capacity.trim().parse::<i64>().ok().filter(|c| (1..=500).contains(c));
    if capacity.is_none() {
        p.add("capacity", T::ErrCapacity);
    }
    p.into_result()?;
    let (Some(starts), Some(ends), Some(capacity)) = (starts, ends, capacity) else { return Err(AppError::Internal) };
    let mut tx = store.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO meetings (thread_id, starts_at, ends_at, place, capacity, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(thread_id)
    .bind(starts)
    .bind(ends)
    .bind(place)
    .bind(capacity)
    .bind(user.id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    if let Some(item) = t.work_item_id {
        let text = format!("议事会 Consultation meeting：{} {}", format_local(starts), place);
        work::event(&mut tx, item, Some(user.id), crate::work::EventKind::Reply, None, None, &text, true).await?;
    }
    notify_all(&mut tx, thread_id, user.id, "meeting", &format_local(starts)).await?;
    tx.commit().await?;
    touched(store, thread_id).await;
    Ok(id)
}

/// Signs up (a place while any is left, else the waitlist) or cancels (the first on the
/// waitlist moves up and hears about it). Places are taken by a conditional update, so
/// capacity holds with any number of concurrent sign-ups and server instances.
pub async fn signup(store: &Store, user: &SessionUser, meeting_id: i64, join: bool) -> Result<i64, AppError> {
    let row: Option<(i64, i64)> = sqlx::query_as("SELECT thread_id, starts_at FROM meetings WHERE id = $1")
        .bind(meeting_id)
        .fetch_optional(store.pool())
        .await?;
    let (thread, starts) = row.ok_or(AppError::NotFound)?;
    let (_, a) = readable(store, user, thread).await?;
    if !a.resident {
        return Err(AppError::Forbidden);
    }
    let now = Millis::now().0;
    if now >= starts {
        return Err(AppError::WrongState);
    }
    let mut tx = store.write().await?;
    if join {
        crate::places::MEETINGS.join(&mut tx, meeting_id, user.id, now).await?;
    } else if let Some(promoted) = crate::places::MEETINGS.leave(&mut tx, meeting_id, user.id).await? {
        sqlx::query("INSERT INTO notifications (user_id, kind, detail, link, created_at) VALUES ($1, 'meeting_promoted', '', $2, $3)")
            .bind(promoted)
            .bind(format!("/threads/{thread}#meetings"))
            .bind(Millis::now())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    touched(store, thread).await;
    Ok(thread)
}

pub async fn minutes(
    store: &Store,
    user: &SessionUser,
    meeting_id: i64,
    minutes: &str,
    decision: &str,
) -> Result<i64, AppError> {
    let row: Option<(i64, i64)> = sqlx::query_as("SELECT thread_id, starts_at FROM meetings WHERE id = $1")
        .bind(meeting_id)
        .fetch_optional(store.pool())
        .await?;
    let (thread, starts) = row.ok_or(AppError::NotFound)?;
    let (t, a) = readable(store, user, thread).await?;
    if !a.station {
        return Err(AppError::Forbidden);
    }
    let now = Millis::now().0;
    if now < starts {
        return Err(AppError::invalid("minutes", T::ErrMeetingNotHeld));
    }
    let (minutes, decision) = (minutes.trim(), decision.trim());
    let mut p = Problems::default();
    match minutes.chars().count() {
        0 => p.add("minutes", T::ErrRequired),
        n if n > rules::MAX_BODY => p.add("minutes", T::ErrTooLong),
        _ => {}
    }
    match decision.chars().count() {
        0 => p.add("decision", T::ErrRequired),
        n if n > 1000 => p.add("decision", T::ErrTooLong),
        _ => {}
    }
    p.into_result()?;
    let mut tx = store.write().await?;
    sqlx::query("UPDATE meetings SET minutes = $1, decision = $2, minutes_at = $3 WHERE id = $4")
        .bind(minutes)
        .bind(decision)
        .bind(now)
        .bind(meeting_id)
        .execute(&mut *tx)
        .await?;
    if let Some(item) = t.work_item_id {
        let text = format!("议事会决定 Meeting decision：{decision}");
        work::event(&mut tx, item, Some(user.id), crate::work::EventKind::Reply, None, None, &text, true).await?;
    }
    notify_all(&mut tx, thread, user.id, "minutes", "").await?;
    tx.commit().await?;
    touched(store, thread).await;
    Ok(thread)
}

/// Where a flag's target lives: (community, thread).
async fn target(store: &Store, kind: &str, id: i64) -> Result<(i64, i64, i64), AppError> {
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

fn table(kind: &str) -> &'static str {
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

async fn require_station(store: &Store, user: &SessionUser) -> Result<i64, AppError> {
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
    sqlx::query("UPDATE users SET posting_blocked_until = $1, posting_block_reason = $2 WHERE id = $3")
        .bind(until)
        .bind(reason.chars().take(200).collect::<String>())
        .bind(target)
        .execute(&mut *tx)
        .await?;
    if let Some(until) = until {
        sqlx::query("INSERT INTO notifications (user_id, kind, detail, link, created_at) VALUES ($1, 'blocked', $2, '/threads', $3)")
            .bind(target)
            .bind(format_local(until))
            .bind(Millis::now())
            .execute(&mut *tx)
            .await?;
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
    sqlx::query(
        "INSERT INTO community_settings (community_id, support_threshold, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (community_id) DO UPDATE SET support_threshold = $2, updated_by = $3, updated_at = $4",
    )
    .bind(community)
    .bind(setting)
    .bind(user.id)
    .bind(Millis::now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `GET /meetings/{id}/ics`: the meeting as an iCalendar file (RFC 5545), for anyone who may
/// read its thread.
pub async fn meeting_ics(
    axum::extract::State(store): axum::extract::State<Store>,
    axum::Extension(viewer): axum::Extension<request::Viewer>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    use icalendar::{Calendar, Component, Event, EventLike};
    let Some(user) = viewer.0 else { return StatusCode::NOT_FOUND.into_response() };
    let row: Option<(i64, i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT m.thread_id, m.starts_at, m.ends_at, m.place, t.title, r.name_zh FROM meetings m \
         JOIN threads t ON t.id = m.thread_id JOIN regions r ON r.id = t.community_id WHERE m.id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await
    .ok()
    .flatten();
    let Some((thread, starts, ends, place, title, community)) = row else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !may_read(&store, &user, thread).await.unwrap_or(false) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let utc = |ms: i64| Millis(ms).to_utc();
    let host = request_host();
    let event = Event::new()
        .uid(&format!("meeting-{id}@{host}"))
        .summary(&format!("居民议事会 Consultation meeting：{title}"))
        .description(&format!("{community} · /threads/{thread}"))
        .location(&place)
        .starts(utc(starts))
        .ends(utc(ends))
        .timestamp(chrono::Utc::now())
        .done();
    let calendar = Calendar::new().name("我的社区 My Community").timezone("Asia/Shanghai").push(event).done();
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"meeting-{id}.ics\"")),
        ],
        calendar.to_string(),
    )
        .into_response()
}

fn request_host() -> String {
    "mycommunity.local".to_string()
}

/// Demo threads for Qianggen (once): a proposal with a discussion and supports, and a call
/// to tidy the stairwells. Dated in the past so they never count against today's limits.
pub async fn seed_demo_threads(store: &Store) -> Result<(), AppError> {
    let community: Option<i64> =
        sqlx::query_scalar("SELECT id FROM regions WHERE code = 'qianggen'").fetch_optional(store.pool()).await?;
    let Some(community) = community else { return Ok(()) };
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM threads WHERE community_id = $1")
        .bind(community)
        .fetch_one(store.pool())
        .await?;
    if existing > 0 {
        return Ok(());
    }
    let user = |phone: &'static str| async move {
        sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE phone = $1")
            .bind(phone)
            .fetch_optional(store.pool())
            .await
    };
    let (Some(wang), Some(li), Some(zhang)) =
        (user("13800000001").await?, user("13800000011").await?, user("13800000012").await?)
    else {
        return Ok(());
    };
    const DAY: i64 = 24 * 3_600_000;
    let now = Millis::now().0;
    let mut tx = store.write().await?;
    let threads: [(i64, &str, &str, &str, i64); 2] = [
        (
            wang,
            "东门加装无障碍坡道",
            "东门只有台阶，推轮椅、婴儿车进出很不方便，下雨天更危险。\n建议在台阶旁加装一条坡道和扶手，大家看看是否支持？\n参考：https://www.gov.cn/zhengce/ （无障碍环境建设法）",
            "facilities",
            3,
        ),
        (li, "楼道堆物清理，大家一起行动", "3 号楼楼道堆了不少纸箱和旧家具，有消防隐患。提议本周末组织一次集中清理，志愿者报名。", "environment", 1),
    ];
    let mut ids = Vec::new();
    for (i, (author, title, body, topic, days)) in threads.iter().enumerate() {
        let at = now - days * DAY;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO threads (community_id, author_id, title, body, topic, idempotency_key, last_activity_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(community)
        .bind(author)
        .bind(title)
        .bind(body)
        .bind(topic)
        .bind(format!("demo-thread-{i}"))
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        ids.push((id, at));
    }
    let comments: [(usize, i64, Option<usize>, &str, &str); 4] = [
        (0, li, None, "support", "非常支持！我母亲每次出门都要绕到南门。"),
        (0, zhang, Some(0), "neutral", "坡道会不会占用自行车停放的位置？希望方案里考虑一下。"),
        (0, wang, Some(1), "support", "可以把车棚往北挪一点，我去量过，空间够。"),
        (1, wang, None, "support", "我报名，周六上午有空。"),
    ];
    let mut comment_ids: Vec<i64> = Vec::new();
    for (n, (thread, author, parent, stance, body)) in comments.iter().enumerate() {
        let (thread_id, at) = ids[*thread];
        let parent_id = parent.map(|p| comment_ids[p]);
        let depth = parent.map(|p| (p + 2) as i64).unwrap_or(1).min(rules::MAX_DEPTH);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO thread_comments (thread_id, parent_id, depth, author_id, stance, body, idempotency_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(thread_id)
        .bind(parent_id)
        .bind(depth)
        .bind(author)
        .bind(stance)
        .bind(body)
        .bind(format!("demo-comment-{n}"))
        .bind(at + (n as i64 + 1) * 3_600_000)
        .fetch_one(&mut *tx)
        .await?;
        comment_ids.push(id);
        sqlx::query("UPDATE threads SET comments = comments + 1 WHERE id = $1")
            .bind(thread_id)
            .execute(&mut *tx)
            .await?;
    }
    for (thread, supporter) in [(0, li), (0, zhang), (1, wang)] {
        let (thread_id, at) = ids[thread];
        sqlx::query("INSERT INTO thread_supports (thread_id, user_id, created_at) VALUES ($1, $2, $3)")
            .bind(thread_id)
            .bind(supporter)
            .bind(at + 7_200_000)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE threads SET supports = supports + 1 WHERE id = $1")
            .bind(thread_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
