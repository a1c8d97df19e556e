//! The notices tables' one writer, and their reads. Who sees what: a resident the notices of
//! their community and subdistrict meant for everyone, their grid area or their building;
//! staff every notice of the regions they cover.

use super::rules::check_draft;
use super::*;
use crate::auth::{Level, Role, SessionUser};
use crate::i18n::T;
use crate::paging::{Cursor, READ};
use crate::store::{Millis, Store};

const DAY: i64 = 24 * 3_600_000;
/// An emergency notice reaches at most this many residents' inboxes (a large community has
/// a few thousand).
const MAX_RECIPIENTS: i64 = 20_000;
/// Residents listed as not reached, for the station to call (the rest by building counts).
const MAX_UNREACHED: i64 = 200;

/// Where a reader stands.
struct Reader {
    regions: Vec<i64>,
    resident: bool,
    building: Option<i64>,
    area: Option<i64>,
}

async fn reader(store: &Store, user: &SessionUser) -> Result<Reader, AppError> {
    let sql = match user.role.home_level() {
        Level::Community => "SELECT id FROM regions WHERE id = $1 UNION SELECT parent_id FROM regions WHERE id = $1",
        Level::Subdistrict => "SELECT id FROM regions WHERE id = $1 OR parent_id = $1",
        Level::District => {
            "SELECT id FROM regions WHERE id = $1 OR parent_id = $1 OR parent_id IN (SELECT id FROM regions WHERE parent_id = $1)"
        }
    };
    let regions: Vec<i64> = sqlx::query_scalar(sql).bind(user.region_id).fetch_all(store.pool()).await?;
    let resident = user.role == Role::Resident;
    let (building, area) = if resident {
        let row: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT u.building_id, b.grid_area_id FROM users u LEFT JOIN buildings b ON b.id = u.building_id WHERE u.id = $1",
        )
        .bind(user.id)
        .fetch_optional(store.pool())
        .await?;
        row.unwrap_or_default()
    } else {
        (None, None)
    };
    Ok(Reader { regions, resident, building, area })
}

/// `$1` the reader, `$2` resident (1/0), `$3` building, `$4` grid area, `$5` now; the regions
/// follow from `$6`.
fn visible(r: &Reader) -> String {
    let regions: Vec<String> = (0..r.regions.len()).map(|i| format!("${}", i + 6)).collect();
    format!(
        "n.region_id IN ({}) AND n.withdrawn_at IS NULL AND ($2 = 0 OR n.audience = 'everyone' \
         OR n.building_id = $3 OR n.grid_area_id = $4)",
        if regions.is_empty() { "NULL".to_string() } else { regions.join(", ") }
    )
}

type LineRow = (i64, String, NoticeCategory, String, String, i64, Option<i64>, i64);

async fn lines(
    store: &Store,
    user: &SessionUser,
    r: &Reader,
    filter: &str,
    limit: i64,
) -> Result<Vec<NoticeLine>, AppError> {
    let sql = format!(
        "SELECT n.id, n.title, n.category, g.name_zh, g.name_en, n.published_at, n.pinned_until, \
         CASE WHEN x.user_id IS NULL THEN 1 ELSE 0 END FROM notices n JOIN regions g ON g.id = n.region_id \
         LEFT JOIN notice_reads x ON x.notice_id = n.id AND x.user_id = $1 WHERE {} AND {filter} \
         ORDER BY n.id DESC LIMIT {limit}",
        visible(r)
    );
    let mut q = sqlx::query_as::<_, LineRow>(&sql)
        .bind(user.id)
        .bind(r.resident as i64)
        .bind(r.building)
        .bind(r.area)
        .bind(Millis::now().0);
    for id in &r.regions {
        q = q.bind(id);
    }
    let now = Millis::now().0;
    Ok(q.fetch_all(store.pool())
        .await?
        .into_iter()
        .map(|(id, title, category, zh, en, at, pinned, unread)| NoticeLine {
            id,
            title,
            category,
            publisher: Named { zh, en },
            published: crate::time::format_local(at),
            pinned: pinned.is_some_and(|p| p > now),
            unread: r.resident && unread == 1,
        })
        .collect())
}

/// The region a staff member publishes in (a station's community, a subdistrict).
fn publishes_in(user: &SessionUser) -> Option<i64> {
    matches!(user.role, Role::Stationmaster | Role::Dispatcher | Role::SubdistrictAdmin).then_some(user.region_id)
}

pub async fn list(store: &Store, user: &SessionUser, before: Option<Cursor>) -> Result<NoticeList, AppError> {
    let r = reader(store, user).await?;
    let pinned = match before {
        None => lines(store, user, &r, "n.pinned_until > $5", 5).await?,
        Some(_) => vec![],
    };
    let before = Cursor::or_top(before).id;
    let filter = format!("(n.pinned_until IS NULL OR n.pinned_until <= $5) AND n.id < {before}");
    let rows = lines(store, user, &r, &filter, READ).await?;
    Ok(NoticeList {
        pinned,
        page: crate::paging::Paged::of(rows, |l| Cursor::id(l.id)),
        may_publish: publishes_in(user).is_some(),
    })
}

pub async fn home(store: &Store, user: &SessionUser) -> Result<NoticesOnHome, AppError> {
    if user.role != Role::Resident {
        return Ok(NoticesOnHome::default());
    }
    let r = reader(store, user).await?;
    // Unread among the newest 50: a count that costs one page however long the history.
    let newest = lines(store, user, &r, "$5 > 0", 50).await?;
    let unread = newest.iter().filter(|l| l.unread).count() as i64;
    let mut shown: Vec<NoticeLine> = lines(store, user, &r, "n.pinned_until > $5", 3).await?;
    for l in newest {
        if shown.len() >= 3 {
            break;
        }
        if !shown.iter().any(|s| s.id == l.id) {
            shown.push(l);
        }
    }
    Ok(NoticesOnHome { lines: shown, unread })
}

#[derive(sqlx::FromRow)]
struct NoticeRow {
    id: i64,
    region_id: i64,
    level: Level,
    region_zh: String,
    region_en: String,
    category: NoticeCategory,
    audience: Audience,
    grid_area_id: Option<i64>,
    building_id: Option<i64>,
    title: String,
    body: String,
    pinned_until: Option<i64>,
    published_at: i64,
    withdrawn_at: Option<i64>,
}

async fn row(store: &Store, id: i64) -> Result<NoticeRow, AppError> {
    sqlx::query_as(
        "SELECT n.id, n.region_id, g.level, g.name_zh AS region_zh, g.name_en AS region_en, n.category, n.audience, \
         n.grid_area_id, n.building_id, n.title, n.body, n.pinned_until, n.published_at, n.withdrawn_at \
         FROM notices n JOIN regions g ON g.id = n.region_id WHERE n.id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(AppError::NotFound)
}

/// May this staff member withdraw the notice and see its readers? The station that
/// published it; the subdistrict's admins for theirs and their communities'.
async fn manages(store: &Store, user: &SessionUser, n: &NoticeRow) -> Result<bool, AppError> {
    Ok(match user.role {
        Role::Stationmaster | Role::Dispatcher => n.region_id == user.region_id,
        Role::SubdistrictAdmin => {
            n.region_id == user.region_id || {
                let parent: Option<Option<i64>> = sqlx::query_scalar("SELECT parent_id FROM regions WHERE id = $1")
                    .bind(n.region_id)
                    .fetch_optional(store.pool())
                    .await?;
                parent.flatten() == Some(user.region_id)
            }
        }
        _ => false,
    })
}

/// Who may read a notice: a resident it is meant for, staff of its region, and (once
/// withdrawn) only those who manage it.
fn readable(n: &NoticeRow, r: &Reader, may_manage: bool) -> bool {
    let meant = !r.resident
        || n.audience == Audience::Everyone
        || (n.building_id.is_some() && n.building_id == r.building)
        || (n.grid_area_id.is_some() && n.grid_area_id == r.area);
    r.regions.contains(&n.region_id) && meant && (n.withdrawn_at.is_none() || may_manage)
}

/// May this user read the notice (and so see its photos and download its files)?
pub async fn may_read(store: &Store, user: &SessionUser, id: i64) -> Result<bool, AppError> {
    let n = match row(store, id).await {
        Ok(n) => n,
        Err(AppError::NotFound) => return Ok(false),
        Err(e) => return Err(e),
    };
    let r = reader(store, user).await?;
    let may_manage = manages(store, user, &n).await?;
    Ok(readable(&n, &r, may_manage))
}

pub async fn one(store: &Store, user: &SessionUser, id: i64) -> Result<NoticeView, AppError> {
    let n = row(store, id).await?;
    let r = reader(store, user).await?;
    let may_manage = manages(store, user, &n).await?;
    // Not its reader: the same answer as no such notice.
    if !readable(&n, &r, may_manage) {
        return Err(AppError::NotFound);
    }
    if r.resident {
        let mut tx = store.write().await?;
        sqlx::query(
            "INSERT INTO notice_reads (notice_id, user_id, read_at) VALUES ($1, $2, $3) \
             ON CONFLICT (notice_id, user_id) DO NOTHING",
        )
        .bind(n.id)
        .bind(user.id)
        .bind(Millis::now().0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    let audience_name: Option<(String, String)> = match (n.grid_area_id, n.building_id) {
        (Some(a), _) => {
            sqlx::query_as("SELECT name_zh, name_en FROM grid_areas WHERE id = $1")
                .bind(a)
                .fetch_optional(store.pool())
                .await?
        }
        (_, Some(b)) => {
            sqlx::query_as("SELECT name_zh, name_en FROM buildings WHERE id = $1")
                .bind(b)
                .fetch_optional(store.pool())
                .await?
        }
        _ => None,
    };
    // The station team sees who its emergency notices reached, as the publishers do.
    let station_team = user.role.is_station_team() && n.region_id == user.region_id;
    let (reads, unreached) = if may_manage || station_team {
        (reads(store, &n).await?, unreached(store, &n, station_team).await?)
    } else {
        (vec![], vec![])
    };
    let photos = crate::photos::server::of(store, crate::photos::Owner::Notice(n.id)).await?;
    let files = super::attachments::files_of(store, n.id).await?;
    Ok(NoticeView {
        id: n.id,
        title: n.title,
        body: n.body,
        category: n.category,
        publisher: Named { zh: n.region_zh, en: n.region_en },
        published: crate::time::format_local(n.published_at),
        pinned_until: n
            .pinned_until
            .filter(|p| *p > Millis::now().0)
            .map(|p| crate::time::format_local(p - 1)[..10].to_string()),
        audience: n.audience,
        audience_name: audience_name.map(|(zh, en)| Named { zh, en }),
        withdrawn: n.withdrawn_at.is_some(),
        may_manage,
        reads,
        unreached,
        photos,
        files,
    })
}

/// Residents and readers by building (a community's notice) or by community (a subdistrict's).
async fn reads(store: &Store, n: &NoticeRow) -> Result<Vec<ReadCount>, AppError> {
    let rows: Vec<(String, String, i64, i64)> = if n.level == Level::Subdistrict {
        sqlx::query_as(
            "SELECT c.name_zh, c.name_en, COUNT(u.id), COUNT(x.user_id) FROM regions c \
             LEFT JOIN users u ON u.region_id = c.id AND u.role = 'resident' AND u.deleted_at IS NULL \
             LEFT JOIN notice_reads x ON x.notice_id = $1 AND x.user_id = u.id \
             WHERE c.parent_id = $2 GROUP BY c.id, c.code, c.name_zh, c.name_en ORDER BY c.code LIMIT 500",
        )
        .bind(n.id)
        .bind(n.region_id)
        .fetch_all(store.pool())
        .await?
    } else {
        sqlx::query_as(
            "SELECT b.name_zh, b.name_en, COUNT(u.id), COUNT(x.user_id) FROM buildings b \
             LEFT JOIN users u ON u.building_id = b.id AND u.role = 'resident' AND u.deleted_at IS NULL \
             LEFT JOIN notice_reads x ON x.notice_id = $1 AND x.user_id = u.id \
             WHERE b.community_id = $2 AND ($3 = 'everyone' OR b.id = $4 OR b.grid_area_id = $5) \
             GROUP BY b.id, b.name_zh, b.name_en ORDER BY b.id LIMIT 500",
        )
        .bind(n.id)
        .bind(n.region_id)
        .bind(n.audience)
        .bind(n.building_id)
        .bind(n.grid_area_id)
        .fetch_all(store.pool())
        .await?
    };
    Ok(rows
        .into_iter()
        .map(|(zh, en, residents, read)| ReadCount { place: Named { zh, en }, residents, read })
        .collect())
}

/// An emergency notice's residents who have not opened it, for the station team of its
/// community only (it calls them: the full number, as on a case it handles).
async fn unreached(store: &Store, n: &NoticeRow, station_team: bool) -> Result<Vec<Unreached>, AppError> {
    if n.category != NoticeCategory::Emergency || n.level != Level::Community || !station_team {
        return Ok(vec![]);
    }
    let rows: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT u.display_name, b.name_zh, u.room, u.phone FROM users u JOIN buildings b ON b.id = u.building_id \
         LEFT JOIN notice_reads x ON x.notice_id = $1 AND x.user_id = u.id \
         WHERE u.region_id = $2 AND u.role = 'resident' AND u.deleted_at IS NULL AND x.user_id IS NULL \
         AND ($3 = 'everyone' OR b.id = $4 OR b.grid_area_id = $5) ORDER BY b.id, u.id LIMIT $6",
    )
    .bind(n.id)
    .bind(n.region_id)
    .bind(n.audience)
    .bind(n.building_id)
    .bind(n.grid_area_id)
    .bind(MAX_UNREACHED)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, building, room, phone)| Unreached { name, building, room: room.unwrap_or_default(), phone })
        .collect())
}

pub async fn choices(store: &Store, user: &SessionUser, upload_key: &str) -> Result<PublishTargets, AppError> {
    let region = publishes_in(user).ok_or(AppError::Forbidden)?;
    let name = crate::community::server::region_by_id(store, region).await?.ok_or(AppError::NotFound)?.name;
    let (kept_photos, kept_files) = super::attachments::kept(store, user.id, upload_key).await?;
    if user.role == Role::SubdistrictAdmin {
        return Ok(PublishTargets { region: name, kept_photos, kept_files, ..Default::default() });
    }
    let named =
        |rows: Vec<(String, String, String)>| rows.into_iter().map(|(c, zh, en)| (c, Named { zh, en })).collect();
    let areas: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, name_zh, name_en FROM grid_areas WHERE community_id = $1 ORDER BY code LIMIT 500")
            .bind(region)
            .fetch_all(store.pool())
            .await?;
    let buildings: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, name_zh, name_en FROM buildings WHERE community_id = $1 ORDER BY id LIMIT 1000")
            .bind(region)
            .fetch_all(store.pool())
            .await?;
    Ok(PublishTargets { region: name, areas: named(areas), buildings: named(buildings), kept_photos, kept_files })
}

/// Publishes with its attachments; returns the notice's id (the same one for a retry with
/// the same key, its attachments not stored twice).
pub async fn publish(
    store: &Store,
    user: &SessionUser,
    key: &str,
    form: [&String; 6],
    uploads: Vec<crate::photos::server::Upload>,
) -> Result<i64, AppError> {
    let region = publishes_in(user).ok_or(AppError::Forbidden)?;
    let key = crate::form::key::IdempotencyKey::parse(key)?;
    let earlier: Option<i64> =
        sqlx::query_scalar("SELECT id FROM notices WHERE idempotency_key = $1 AND published_by = $2")
            .bind(key.as_str())
            .bind(user.id)
            .fetch_optional(store.pool())
            .await?;
    if let Some(id) = earlier {
        return Ok(id);
    }
    let [title, body, category, audience, target, pinned_until] = form;
    let now = Millis::now().0;
    let today = crate::time::to_local(now).date_naive();
    let mut p = crate::error::Problems::default();
    let draft = match check_draft(title, body, category, audience, target, pinned_until, today) {
        Ok(d) => Some(d),
        Err(problems) => {
            for (field, t) in problems {
                p.add(field, t);
            }
            None
        }
    };
    // A subdistrict publishes to all its communities; areas and buildings are a station's.
    if user.role == Role::SubdistrictAdmin && draft.as_ref().is_some_and(|d| d.audience != Audience::Everyone) {
        p.add("audience", T::ErrNoticeAudience);
    }
    let (area, building) = match draft.as_ref().map(|d| (d.audience, d.target.as_deref())) {
        Some((Audience::GridArea, Some(code))) => {
            let id: Option<i64> = sqlx::query_scalar("SELECT id FROM grid_areas WHERE community_id = $1 AND code = $2")
                .bind(region)
                .bind(code)
                .fetch_optional(store.pool())
                .await?;
            (p.check("target", id.ok_or(T::ErrNoticeTarget)), None)
        }
        Some((Audience::Building, Some(code))) => {
            let id: Option<i64> = sqlx::query_scalar("SELECT id FROM buildings WHERE community_id = $1 AND code = $2")
                .bind(region)
                .bind(code)
                .fetch_optional(store.pool())
                .await?;
            (None, p.check("target", id.ok_or(T::ErrNoticeTarget)))
        }
        _ => (None, None),
    };
    let attachments = super::attachments::check(store, user.id, &key, uploads, &mut p).await?;
    if !p.is_empty() {
        // The good attachments wait for the next try of the same form; nothing else is kept.
        attachments.keep_for_retry(store, &p).await?;
        return p.into_result().map(|_| 0);
    }
    let d = draft.ok_or(AppError::Internal)?;
    // Pinned through the last day: until the start of the day after, Beijing time.
    let pinned = d.pinned_days.map(|days| crate::time::day_start(now) + (days + 1) * DAY);
    let mut tx = store.write().await?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO notices (region_id, category, audience, grid_area_id, building_id, title, body, pinned_until, \
         published_by, published_at, idempotency_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(region)
    .bind(d.category)
    .bind(d.audience)
    .bind(area)
    .bind(building)
    .bind(&d.title)
    .bind(&d.body)
    .bind(pinned)
    .bind(user.id)
    .bind(now)
    .bind(key.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        // A retry of a form already published: the same notice, nothing sent twice.
        let earlier: Option<i64> =
            sqlx::query_scalar("SELECT id FROM notices WHERE idempotency_key = $1 AND published_by = $2")
                .bind(key.as_str())
                .bind(user.id)
                .fetch_optional(&mut *tx)
                .await?;
        return earlier.ok_or(AppError::BadRequest);
    };
    attachments.attach(&mut tx, id).await?;
    if d.category == NoticeCategory::Emergency {
        let recipients: Vec<i64> = sqlx::query_scalar(
            "SELECT u.id FROM users u LEFT JOIN buildings b ON b.id = u.building_id \
             WHERE u.role = 'resident' AND u.deleted_at IS NULL \
             AND (u.region_id = $1 OR u.region_id IN (SELECT id FROM regions WHERE parent_id = $1)) \
             AND ($2 = 'everyone' OR u.building_id = $3 OR b.grid_area_id = $4) ORDER BY u.id LIMIT $5",
        )
        .bind(region)
        .bind(d.audience)
        .bind(building)
        .bind(area)
        .bind(MAX_RECIPIENTS)
        .fetch_all(&mut *tx)
        .await?;
        let kind = crate::notifications::Kind::EmergencyNotice;
        crate::notifications::server::send_all(&mut tx, &recipients, kind, &d.title, &format!("/notices/{id}")).await?;
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn withdraw(store: &Store, user: &SessionUser, id: i64) -> Result<(), AppError> {
    let n = row(store, id).await?;
    if !manages(store, user, &n).await? {
        return Err(AppError::Forbidden);
    }
    let mut tx = store.write().await?;
    sqlx::query("UPDATE notices SET withdrawn_at = $1 WHERE id = $2 AND withdrawn_at IS NULL")
        .bind(Millis::now().0)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// An account's deletion: which notices it read.
pub async fn forget_reader(tx: &mut crate::store::Tx, user: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM notice_reads WHERE user_id = $1").bind(user).execute(&mut **tx).await?;
    Ok(())
}
