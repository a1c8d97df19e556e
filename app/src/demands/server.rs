//! Server side of demands: the posting form's context and the lists (mine, my community's).

use super::*;
use crate::auth::SessionUser;
use crate::paging::{Cursor, Paged, READ};
use crate::store::Store;
use crate::time::format_local;

pub async fn posting_context(store: &Store, user: &SessionUser, upload_key: &str) -> Result<PostingContext, AppError> {
    let community = if user.role.home_level() == crate::auth::Level::Community {
        user.region_id
    } else {
        return Err(AppError::Forbidden);
    };
    let code: String =
        sqlx::query_scalar("SELECT code FROM regions WHERE id = $1").bind(community).fetch_one(store.pool()).await?;
    let buildings = crate::community::server::buildings(store, &code).await?;
    let mut for_whom = vec![PostingFor { user_id: user.id, name: user.display_name.clone(), myself: true }];
    let family: Vec<(i64, String)> = sqlx::query_as(
        "SELECT u.id, u.display_name FROM family_links f JOIN users u ON u.id = f.member_id \
         WHERE f.proxy_id = $1 AND f.state = 'confirmed' ORDER BY u.id",
    )
    .bind(user.id)
    .fetch_all(store.pool())
    .await?;
    for_whom.extend(family.into_iter().map(|(user_id, name)| PostingFor { user_id, name, myself: false }));
    let my_building: Option<i64> =
        sqlx::query_scalar("SELECT building_id FROM users WHERE id = $1").bind(user.id).fetch_one(store.pool()).await?;
    let kept_photos = crate::photos::server::kept(store, user.id, upload_key).await?;
    Ok(PostingContext { buildings, for_whom, my_building, kept_photos, community: code })
}

fn title_of(description: &str) -> String {
    let first = description.lines().next().unwrap_or("");
    let mut t: String = first.chars().take(40).collect();
    if first.chars().count() > 40 {
        t.push('…');
    }
    t
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    description: String,
    state: State,
    urgency: Urgency,
    created_at: i64,
    affair_zh: Option<String>,
    affair_en: Option<String>,
    requester_id: i64,
    requester_name: String,
    photos: i64,
}

const LINE_SELECT: &str = "SELECT d.id, d.description, w.state, d.urgency, d.created_at, a.name_zh AS affair_zh, \
    a.name_en AS affair_en, d.requester_id, r.display_name AS requester_name, \
    (SELECT COUNT(*) FROM photos p WHERE p.demand_id = d.id) AS photos \
    FROM demands d JOIN work_items w ON w.demand_id = d.id LEFT JOIN affairs a ON a.id = d.affair_id \
    JOIN users r ON r.id = d.requester_id";

fn line(r: LineRow, me: i64, show_requester: bool) -> DemandLine {
    DemandLine {
        id: r.id,
        title: title_of(&r.description),
        affair: r.affair_zh.zip(r.affair_en).map(|(zh, en)| Named { zh, en }),
        state: r.state,
        urgency: r.urgency,
        posted: format_local(r.created_at),
        for_other: (show_requester && r.requester_id != me).then_some(r.requester_name),
        photos: r.photos,
    }
}

/// The demands I filed, that are for me, or for a family member I act for.
pub async fn mine(store: &Store, user: &SessionUser, before: Option<Cursor>) -> Result<Paged<DemandLine>, AppError> {
    let rows: Vec<LineRow> = sqlx::query_as(&format!(
        // Three index lookups joined, not one OR that neither database can seek on. Each
        // branch reads at most a page below the cursor (an index walk), however long the
        // history.
        "{LINE_SELECT} WHERE d.id IN (\
           SELECT id FROM (SELECT id FROM demands WHERE requester_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3) a \
           UNION SELECT id FROM (SELECT id FROM demands WHERE filed_by_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3) b \
           UNION SELECT id FROM (SELECT m.id FROM demands m JOIN family_links f ON f.member_id = m.requester_id \
             WHERE f.proxy_id = $1 AND f.state = 'confirmed' AND m.id < $2 ORDER BY m.id DESC LIMIT $3) c \
           UNION SELECT id FROM (SELECT demand_id AS id FROM co_requesters WHERE user_id = $1 AND demand_id < $2 \
             ORDER BY demand_id DESC LIMIT $3) e) \
         ORDER BY d.id DESC LIMIT $3"
    ))
    .bind(user.id)
    .bind(Cursor::or_top(before).id)
    .bind(READ)
    .fetch_all(store.pool())
    .await?;
    // Those I joined (我也遇到了) are someone else's: their name is not mine to see.
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let joined: std::collections::HashSet<i64> = match (ids.iter().min(), ids.iter().max()) {
        (Some(lo), Some(hi)) => sqlx::query_scalar(
            "SELECT demand_id FROM co_requesters WHERE user_id = $1 AND demand_id >= $2 AND demand_id <= $3",
        )
        .bind(user.id)
        .bind(lo)
        .bind(hi)
        .fetch_all(store.pool())
        .await?
        .into_iter()
        .collect(),
        _ => Default::default(),
    };
    Ok(Paged::of(rows, |r| Cursor::id(r.id)).map(|r| {
        let own = !joined.contains(&r.id);
        line(r, user.id, own)
    }))
}

/// Lines of the given demands (found by a search the caller scoped), newest first, without
/// whom they are for: a search result names nobody.
pub async fn lines_by_id(store: &Store, ids: &[i64]) -> Result<Vec<DemandLine>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows: Vec<LineRow> = sqlx::query_as(&format!("{LINE_SELECT} WHERE d.id IN ({list}) ORDER BY d.id DESC"))
        .fetch_all(store.pool())
        .await?;
    Ok(rows.into_iter().map(|r| line(r, 0, false)).collect())
}

/// Public demands of the viewer's community, newest first, a page below `before`.
pub async fn community_public(
    store: &Store,
    user: &SessionUser,
    before: Option<Cursor>,
) -> Result<Paged<DemandLine>, AppError> {
    if user.role.home_level() != crate::auth::Level::Community {
        return Ok(Paged::default());
    }
    let top = Cursor::or_top(before);
    let rows: Vec<LineRow> = sqlx::query_as(&format!(
        // `visibility <> 'private'`: the term of the partial index `demands_shown`, whose one
        // range is already in this order (an IN over two values would merge and sort them).
        "{LINE_SELECT} WHERE d.community_id = $1 AND d.visibility <> 'private' AND w.state <> 'withdrawn' \
         AND (d.created_at, d.id) < ($2, $3) ORDER BY d.created_at DESC, d.id DESC LIMIT $4"
    ))
    .bind(user.region_id)
    .bind(top.key)
    .bind(top.id)
    .bind(READ)
    .fetch_all(store.pool())
    .await?;
    Ok(Paged::of(rows, |r| Cursor { key: r.created_at, id: r.id }).map(|r| line(r, user.id, false)))
}

/// An account's deletion: its private demands stay as cases (the statistics count them)
/// without what the resident wrote about themselves.
pub async fn forget_requester(tx: &mut crate::store::Tx, user: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE demands SET description = $1, tokens = '', place_detail = '', contact_time = '' \
         WHERE requester_id = $2 AND visibility = 'private'",
    )
    .bind(ERASED_TEXT)
    .bind(user)
    .execute(&mut **tx)
    .await?;
    // Nothing more to tell them of the cases they joined (their ratings stay, unnamed).
    sqlx::query("DELETE FROM co_requesters WHERE user_id = $1").bind(user).execute(&mut **tx).await?;
    Ok(())
}

/// What an erased text reads.
pub const ERASED_TEXT: &str = "（居民已注销，内容已删除）";

/// Job: demands whose case closed before `cutoff` lose their personal fields (the place's
/// detail, the contact time; a private demand also its text), each once, a batch at a time
/// in the order they closed, from `from` on (the caller's cursor: one pass reads the
/// index once). Returns their ids and when they closed.
pub async fn anonymise_closed_before(
    tx: &mut crate::store::Tx,
    cutoff: i64,
    from: i64,
    batch: i64,
) -> Result<Vec<(i64, i64)>, AppError> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT d.id, w.closed_at FROM work_items w JOIN demands d ON d.id = w.demand_id \
         WHERE w.closed_at IS NOT NULL AND w.closed_at >= $1 AND w.closed_at < $2 AND d.anonymised_at IS NULL \
         ORDER BY w.closed_at LIMIT $3",
    )
    .bind(from)
    .bind(cutoff)
    .bind(batch)
    .fetch_all(&mut **tx)
    .await?;
    let now = crate::store::Millis::now().0;
    for (id, _) in &rows {
        sqlx::query(
            "UPDATE demands SET place_detail = '', contact_time = '', anonymised_at = $1, \
             description = CASE WHEN visibility = 'private' THEN $2 ELSE description END, \
             tokens = CASE WHEN visibility = 'private' THEN '' ELSE tokens END WHERE id = $3",
        )
        .bind(now)
        .bind(ANONYMISED_TEXT)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(rows)
}

/// What a private demand's text reads after the retention period.
pub const ANONYMISED_TEXT: &str = "（已过保存期限，内容已删除）";

/// Demands filed before their words were stored get them (search and similar reports read
/// them), a batch at a time in id order from `after` on; erased texts stay without. Returns
/// the last id read, or `None` once none is left.
pub async fn store_missing_words(store: &Store, after: i64, batch: i64) -> Result<Option<i64>, AppError> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, description FROM demands WHERE id > $1 AND tokens = '' ORDER BY id LIMIT $2")
            .bind(after)
            .bind(batch)
            .fetch_all(store.pool())
            .await?;
    let Some(last) = rows.last().map(|r| r.0) else { return Ok(None) };
    let words: Vec<(i64, String)> = rows
        .iter()
        .filter(|(_, text)| text != ERASED_TEXT && text != ANONYMISED_TEXT)
        .map(|(id, text)| (*id, crate::intake::segment::tokens(text)))
        .collect();
    let mut tx = store.write().await?;
    for (id, w) in words.iter().filter(|(_, w)| !w.is_empty()) {
        sqlx::query("UPDATE demands SET tokens = $1 WHERE id = $2 AND tokens = ''")
            .bind(w)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Some(last))
}

/// Demands whose text uses one of `words` get their words again (a station added a synonym
/// group: the segmenter now reads them whole, with the group's head). Newest first, at most
/// 10,000 a call; erased texts (no words) stay as they are. The words are letters and
/// digits only (checked when the group was added), so they need no LIKE escaping.
pub async fn store_words_again(store: &Store, words: &[String]) -> Result<u64, AppError> {
    let like: Vec<String> = (1..=words.len()).map(|i| format!("description LIKE ${i}")).collect();
    let sql = format!(
        "SELECT id, description FROM demands WHERE tokens <> '' AND ({}) ORDER BY id DESC LIMIT 10000",
        like.join(" OR ")
    );
    let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
    for w in words {
        q = q.bind(format!("%{w}%"));
    }
    let rows = q.fetch_all(store.pool()).await?;
    for chunk in rows.chunks(500) {
        let mut tx = store.write().await?;
        for (id, text) in chunk {
            sqlx::query("UPDATE demands SET tokens = $1 WHERE id = $2 AND tokens <> ''")
                .bind(crate::intake::segment::tokens(text))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    Ok(rows.len() as u64)
}
