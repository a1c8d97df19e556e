//! Threads: the list, one thread with its discussion, opening one with photos.

use super::*;
use crate::paging::{Cursor, Paged, READ};

pub async fn list(
    store: &Store,
    user: &SessionUser,
    sort: &str,
    topic: &str,
    before: Option<Cursor>,
) -> Result<ThreadList, AppError> {
    let communities = listed_communities(store, user).await?;
    if communities.is_empty() || !(user.role == Role::Resident || user.role.is_staff()) {
        return Err(AppError::Forbidden);
    }
    // Each order is (key, id) descending, so a page starts below the last line's pair.
    let key = match sort {
        "supported" => "t.supports",
        "active" => "t.last_activity_at",
        _ => "t.created_at",
    };
    let in_list = communities.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(",");
    let topic_filter = if TOPICS.contains(&topic) { "AND t.topic = $1" } else { "AND $1 = $1" };
    let top = Cursor::or_top(before);
    let rows: Vec<Line> = sqlx::query_as(&format!(
        "SELECT t.id, t.title, t.topic, t.state, t.supports, t.comments, t.author_id, u.display_name AS author_name, \
         u.role AS author_role, t.hidden, t.created_at, {key} AS sort_key FROM threads t JOIN users u ON u.id = t.author_id \
         WHERE t.community_id IN ({in_list}) {topic_filter} AND ({key}, t.id) < ($2, $3) \
         ORDER BY {key} DESC, t.id DESC LIMIT $4"
    ))
    .bind(topic)
    .bind(top.key)
    .bind(top.id)
    .bind(READ)
    .fetch_all(store.pool())
    .await?;
    let staff = user.role.is_staff();
    let page = Paged::of(rows, |r| Cursor { key: r.sort_key, id: r.id });
    let next = page.next.clone();
    let threads = page.lines.into_iter().map(|r| thread_line(user, staff, r)).collect();
    let home = user.role.home_level() == crate::auth::Level::Community;
    let threshold = if home { threshold(store, user.region_id).await?.0 } else { 0 };
    let blocked = blocked_until(store, user.id).await?;
    let community: String = sqlx::query_scalar("SELECT name_zh FROM regions WHERE id = $1")
        .bind(user.region_id)
        .fetch_one(store.pool())
        .await?;
    Ok(ThreadList {
        threads,
        next,
        threshold,
        can_post: user.role == Role::Resident && blocked.is_none(),
        blocked_until: blocked.map(format_local),
        community,
    })
}

#[derive(sqlx::FromRow)]
struct Line {
    id: i64,
    title: String,
    topic: String,
    state: ThreadState,
    supports: i64,
    comments: i64,
    author_id: i64,
    author_name: String,
    author_role: String,
    hidden: Option<String>,
    created_at: i64,
    sort_key: i64,
}

fn thread_line(user: &SessionUser, staff: bool, r: Line) -> ThreadLine {
    let hidden = hidden(r.hidden.as_deref());
    ThreadLine {
        id: r.id,
        title: if hidden.is_some() && !staff { None } else { Some(r.title) },
        topic: r.topic,
        state: r.state,
        supports: r.supports,
        comments: r.comments,
        author: shown_name(user, r.author_id, &r.author_name, r.author_role == "resident"),
        posted: format_local(r.created_at),
        hidden,
    }
}

/// Lines of the given threads (found by a search the caller scoped), newest first.
pub async fn lines_by_id(store: &Store, user: &SessionUser, ids: &[i64]) -> Result<Vec<ThreadLine>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows: Vec<Line> = sqlx::query_as(&format!(
        "SELECT t.id, t.title, t.topic, t.state, t.supports, t.comments, t.author_id, u.display_name AS author_name, \
         u.role AS author_role, t.hidden, t.created_at, t.id AS sort_key FROM threads t JOIN users u ON u.id = t.author_id \
         WHERE t.id IN ({list}) ORDER BY t.id DESC"
    ))
    .fetch_all(store.pool())
    .await?;
    let staff = user.role.is_staff();
    Ok(rows.into_iter().map(|r| thread_line(user, staff, r)).collect())
}

pub async fn view(store: &Store, user: &SessionUser, id: i64) -> Result<ThreadView, AppError> {
    let (t, a) = readable(store, user, id).await?;
    let staff = user.role.is_staff();
    let state = t.state;
    let thread_hidden = hidden(t.hidden.as_deref());
    let show_body = thread_hidden.is_none() || staff;
    let author_role: String =
        sqlx::query_scalar("SELECT role FROM users WHERE id = $1").bind(t.author_id).fetch_one(store.pool()).await?;

    let (comments, stances) = comments(store, user, id).await?;

    let i_support: bool =
        sqlx::query_scalar::<_, i64>("SELECT user_id FROM thread_supports WHERE thread_id = $1 AND user_id = $2")
            .bind(id)
            .bind(user.id)
            .fetch_optional(store.pool())
            .await?
            .is_some();
    let photos =
        if show_body { crate::photos::server::of(store, crate::photos::Owner::Thread(id)).await? } else { Vec::new() };
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
            let (demand, state, complete_by): (i64, crate::work::rules::State, i64) =
                sqlx::query_as("SELECT demand_id, state, complete_by FROM work_items WHERE id = $1")
                    .bind(w)
                    .fetch_one(store.pool())
                    .await?;
            Some((demand, state, format_local(complete_by)))
        }
        None => None,
    };
    let milestones = milestones(store, id).await?;
    let meetings = super::meetings::meetings(store, user, id, a.station).await?;
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
        verified_supports: super::verified_supports(store, id).await?,
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

/// The discussion in threaded order (each comment followed by its replies), as `user` may
/// see it, with the stances of the comments that count.
async fn comments(
    store: &Store,
    user: &SessionUser,
    id: i64,
) -> Result<(Vec<CommentView>, rules::StanceCounts), AppError> {
    let staff = user.role.is_staff();
    let now = Millis::now().0;
    #[derive(sqlx::FromRow)]
    struct C {
        id: i64,
        parent_id: Option<i64>,
        depth: i64,
        author_id: i64,
        stance: Stance,
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
    let stances = rules::stance_counts(rows.iter().map(|c| (c.stance, c.deleted_at.is_none() && c.hidden.is_none())));
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
                stance: c.stance,
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
    Ok((comments, stances))
}

async fn milestones(store: &Store, id: i64) -> Result<Vec<MilestoneView>, AppError> {
    let milestones: Vec<(i64, String, String, Option<i64>, String)> = sqlx::query_as(
        "SELECT id, title, due_on, done_at, note FROM thread_milestones WHERE thread_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    Ok(milestones
        .into_iter()
        .map(|(id, title, due_on, done, note)| MilestoneView { id, title, due_on, done: done.map(format_local), note })
        .collect())
}

/// Opens a thread from the multipart form. Idempotent on the form's key.
pub async fn open_from_form(data: MultipartData) -> Result<(), AppError> {
    let (pairs, uploads) = match read_multipart(data).await {
        Ok(x) => x,
        Err(e) => return Err(e),
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
    result.map(|_| ())
}

pub(super) async fn open(
    title: &str,
    body: &str,
    topic: &str,
    key: &str,
    uploads: Vec<Upload>,
) -> Result<i64, AppError> {
    let user = crate::auth::server::require_user()?;
    let store = request::store()?;
    if user.role != Role::Resident {
        return Err(AppError::Forbidden);
    }
    let key = &IdempotencyKey::parse(key)?;
    if let Some(id) = existing_thread(&store, user.id, key.as_str()).await? {
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
    let photos = crate::photos::server::check(&store, user.id, key, uploads, &mut p).await?;
    if !p.is_empty() {
        photos.keep_for_retry(&store, &p).await?;
        return p.into_result().map(|_| 0);
    }
    let mut tx = store.write().await?;
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO threads (community_id, author_id, title, body, topic, idempotency_key, last_activity_at, created_at, tokens) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) ON CONFLICT (author_id, idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(user.region_id)
    .bind(user.id)
    .bind(title)
    .bind(body)
    .bind(topic)
    .bind(key.as_str())
    .bind(now)
    .bind(words_of(title, body))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = inserted else {
        drop(tx);
        return existing_thread(&store, user.id, key.as_str()).await?.ok_or(AppError::Conflict);
    };
    photos.attach(&mut tx, Owner::Thread(id)).await?;
    tx.commit().await?;
    Ok(id)
}

pub(super) async fn existing_thread(store: &Store, author: i64, key: &str) -> Result<Option<i64>, AppError> {
    Ok(crate::store::created_with_key(store, "threads", "author_id", author, key).await?)
}
