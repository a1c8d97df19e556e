//! The rights, on the server: the access log, the export, the deletion.

use super::{AccessEntry, PrivacyOverview};
use crate::auth::{Role, SessionUser};
use crate::error::AppError;
use crate::paging::{Cursor, Paged, READ};
use crate::store::{Millis, Store};
use crate::time::format_local;
use sqlx::{Column, Row};

pub const RECEIPT_FLASH: &str = "deleted_receipt";

pub async fn overview(store: &Store, user: &SessionUser, before: Option<Cursor>) -> Result<PrivacyOverview, AppError> {
    let agreed: Option<(String, i64)> =
        sqlx::query_as("SELECT notice_version, given_at FROM consents WHERE user_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(user.id)
            .fetch_optional(store.pool())
            .await?;
    // One page of the access log, newest first, by key (index personal_data_reads_subject).
    let rows: Vec<(i64, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT r.id, u.role, r.what, r.reason, r.work_item_id, r.created_at FROM personal_data_reads r \
         JOIN users u ON u.id = r.reader_id WHERE r.subject_id = $1 AND r.id < $2 ORDER BY r.id DESC LIMIT $3",
    )
    .bind(user.id)
    .bind(Cursor::or_top(before).id)
    .bind(READ)
    .fetch_all(store.pool())
    .await?;
    let page = Paged::of(rows, |r| Cursor::id(r.0));
    let mut reads = Vec::new();
    for (id, role, what, reason, work_item_id, at) in page.lines {
        reads.push(AccessEntry {
            id,
            role: Role::parse(&role).ok_or(AppError::Internal)?,
            contact: match what.as_str() {
                "contact" => true,
                "case" => false,
                _ => return Err(AppError::Internal),
            },
            reason,
            work_item_id,
            at: format_local(at),
        });
    }
    Ok(PrivacyOverview {
        notice_version: crate::auth::rules::PRIVACY_NOTICE_VERSION.to_string(),
        agreed: agreed.map(|(v, at)| (v, format_local(at))),
        reads,
        more: page.next,
    })
}

/// Deletes an account now, in one transaction, each feature erasing its own part; returns
/// the receipt's text. The code sent to the account's phone confirms it.
pub async fn delete_account(user: &SessionUser, sms_code: &str, delete_comments: bool) -> Result<String, AppError> {
    let store = crate::request::store()?;
    let proven = crate::verify::server::check(&store, &user.phone, crate::verify::Purpose::Delete, sms_code).await?;
    let mut tx = store.write().await?;
    crate::verify::server::use_up(&mut tx, proven).await?;
    crate::photos::server::forget_private(&mut tx, user.id).await?;
    crate::demands::server::forget_requester(&mut tx, user.id).await?;
    crate::visits::server::forget_requester(&mut tx, user.id).await?;
    crate::threads::server::forget_author(&mut tx, user.id, delete_comments).await?;
    crate::notifications::server::forget_recipient(&mut tx, user.id).await?;
    crate::notices::server::forget_reader(&mut tx, user.id).await?;
    crate::notices::attachments::forget_unsent(&mut tx, user.id).await?;
    crate::spaces::server::forget_booker(&mut tx, user.id).await?;
    crate::family::forget_member(&mut tx, user.id).await?;
    let phone = crate::auth::server::erase_account(&mut tx, user.id).await?;
    crate::verify::server::forget_phone(&mut tx, &phone).await?;
    tx.commit().await?;
    let now = Millis::now().0;
    tracing::info!(account = user.id, "account deleted by its owner");
    Ok(format!("MC-{}-{}|{}", user.id, now / 1000, format_local(now)))
}

/// One query's rows as JSON objects, whatever their columns (integers, reals, texts;
/// binary columns are left out: photos travel as files).
async fn rows_json(store: &Store, sql: &str, user: i64) -> Result<serde_json::Value, AppError> {
    let rows = sqlx::query(sql).bind(user).fetch_all(store.pool()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut obj = serde_json::Map::new();
        for (i, col) in row.columns().iter().enumerate() {
            let v = if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
                serde_json::json!(v)
            } else if let Ok(v) = row.try_get::<Option<String>, _>(i) {
                serde_json::json!(v)
            } else if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
                serde_json::json!(v)
            } else {
                continue;
            };
            obj.insert(col.name().to_string(), v);
        }
        out.push(serde_json::Value::Object(obj));
    }
    Ok(serde_json::Value::Array(out))
}

/// Everything the app holds about the account, by file. Times are milliseconds since
/// 1970 (UTC). Other people appear only as ids (a family link's other end), never by name.
const PARTS: &[(&str, &str)] = &[
    (
        "account.json",
        "SELECT id, phone, display_name, role, region_id, building_id, unit_no, room, lang, elder, created_at, \
         password_changed_at, address_verified_at FROM users WHERE id = $1",
    ),
    ("consents.json", "SELECT notice_version, given_at FROM consents WHERE user_id = $1 ORDER BY id"),
    ("family_links.json", "SELECT id, proxy_id, member_id, state, created_at, decided_at FROM family_links WHERE proxy_id = $1 OR member_id = $1 ORDER BY id"),
    (
        "demands.json",
        "SELECT id, community_id, channel, affair_id, description, place, building_id, place_detail, urgency, visibility, \
         contact_time, created_at FROM demands WHERE requester_id = $1 ORDER BY id",
    ),
    ("demands_filed_for_others.json", "SELECT id, created_at FROM demands WHERE filed_by_id = $1 AND requester_id <> $1 ORDER BY id"),
    ("threads.json", "SELECT id, community_id, title, body, topic, state, created_at FROM threads WHERE author_id = $1 ORDER BY id"),
    ("comments.json", "SELECT id, thread_id, parent_id, stance, body, created_at, edited_at, deleted_at FROM thread_comments WHERE author_id = $1 ORDER BY id"),
    ("supports.json", "SELECT thread_id, created_at FROM thread_supports WHERE user_id = $1 ORDER BY thread_id"),
    ("meeting_signups.json", "SELECT * FROM meeting_signups WHERE user_id = $1"),
    ("activity_signups.json", "SELECT * FROM activity_signups WHERE user_id = $1"),
    ("bookings.json", "SELECT id, community_id, affair_id, starts_at, ends_at, status, walk_in, created_at, cancelled_at FROM appointments WHERE resident_id = $1 ORDER BY id"),
    ("ratings.json", "SELECT work_item_id, overall, timeliness, attitude, outcome, comment, created_at, updated_at FROM ratings WHERE rater_id = $1"),
    ("appointment_ratings.json", "SELECT * FROM appointment_ratings WHERE rater_id = $1"),
    ("me_too.json", "SELECT demand_id, via, created_at FROM co_requesters WHERE user_id = $1 ORDER BY demand_id"),
    ("co_ratings.json", "SELECT work_item_id, overall, timeliness, attitude, outcome, comment, created_at, updated_at FROM co_ratings WHERE rater_id = $1"),
    (
        "survey_answers.json",
        "SELECT r.survey_id, a.question_id, a.choice, a.text FROM survey_responses r JOIN survey_answers a ON a.response_id = r.id \
         WHERE r.respondent_id = $1 ORDER BY a.id",
    ),
    ("notifications.json", "SELECT id, work_item_id, kind, detail, created_at, read_at FROM notifications WHERE user_id = $1 ORDER BY id"),
    ("sessions.json", "SELECT created_at, last_seen_at, user_agent, ip FROM sessions WHERE user_id = $1"),
    // The devices that receive pushes (not their keys: they open nothing for the person).
    ("push_devices.json", "SELECT device, created_at, last_ok_at FROM push_subscriptions WHERE user_id = $1 ORDER BY id"),
    ("reach_choices.json", "SELECT topic, channel, enabled FROM reach_choices WHERE user_id = $1"),
    ("reach_settings.json", "SELECT sms_only, set_by, updated_at FROM reach_settings WHERE user_id = $1"),
    (
        "deliveries.json",
        "SELECT id, work_item_id, channel, kind, state, due_at, sent_at, created_at FROM deliveries WHERE user_id = $1 ORDER BY id",
    ),
    (
        "access_log.json",
        "SELECT r.created_at, u.role AS reader_role, r.what, r.reason, r.work_item_id FROM personal_data_reads r \
         JOIN users u ON u.id = r.reader_id WHERE r.subject_id = $1 ORDER BY r.id",
    ),
];

/// Exports prepared at once: each holds one photo in memory at a time and a temporary file.
static EXPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Writes the ZIP into `file`: one JSON file per part, then the photos of the resident's
/// demands under `photos/`, read one at a time (a large account never sits in memory).
pub async fn write_my_data(store: &Store, user: i64, file: std::fs::File) -> Result<std::fs::File, AppError> {
    use zip::write::SimpleFileOptions;
    fn fail(e: impl std::fmt::Display) -> AppError {
        tracing::error!(error = %e, "my-data zip");
        AppError::Internal
    }
    // Each piece is written off the async threads (deflate and disk writes block).
    async fn add(
        zip: zip::ZipWriter<std::fs::File>,
        name: String,
        bytes: Vec<u8>,
        options: SimpleFileOptions,
    ) -> Result<zip::ZipWriter<std::fs::File>, AppError> {
        tokio::task::spawn_blocking(move || {
            use std::io::Write;
            let mut zip = zip;
            zip.start_file(name, options).map_err(fail)?;
            zip.write_all(&bytes).map_err(fail)?;
            Ok(zip)
        })
        .await
        .map_err(fail)?
    }
    let json = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    // Photos are JPEG already: stored as they are.
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new(file);
    for (name, sql) in PARTS {
        let rows = rows_json(store, sql, user).await?;
        zip = add(zip, name.to_string(), serde_json::to_vec_pretty(&rows).map_err(fail)?, json).await?;
    }
    let ids: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT p.id, p.demand_id FROM photos p JOIN demands d ON d.id = p.demand_id WHERE d.requester_id = $1 ORDER BY p.id",
    )
    .bind(user)
    .fetch_all(store.pool())
    .await?;
    for (id, demand) in ids {
        let bytes: Vec<u8> =
            sqlx::query_scalar("SELECT bytes FROM photos WHERE id = $1").bind(id).fetch_one(store.pool()).await?;
        zip = add(zip, format!("photos/demand-{demand}-photo-{id}.jpg"), bytes, stored).await?;
    }
    tokio::task::spawn_blocking(move || zip.finish().map_err(fail)).await.map_err(fail)?
}

/// `GET /me/privacy/my-data.zip`: the signed-in account's own data, never anyone else's,
/// written to a temporary file (removed at once; the open file is streamed) and sent with
/// its length.
pub async fn my_data_route(
    axum::extract::State(store): axum::extract::State<Store>,
    axum::Extension(viewer): axum::Extension<crate::auth::server::Viewer>,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let Some(user) = viewer.0 else { return StatusCode::UNAUTHORIZED.into_response() };
    let Ok(_turn) = EXPORTS.acquire().await else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    let path = std::env::temp_dir().join(format!("mc-my-data-{}.zip", crate::security::new_token()));
    let made = async {
        let file = std::fs::File::options().read(true).write(true).create_new(true).open(&path).map_err(|e| {
            tracing::error!(error = %e, "my-data temporary file");
            AppError::Internal
        })?;
        write_my_data(&store, user.id, file).await
    }
    .await;
    // The name goes now; the open file lives until it is sent.
    let _ = std::fs::remove_file(&path);
    let mut file = match made {
        Ok(f) => f,
        Err(e) => return StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR).into_response(),
    };
    use std::io::{Seek, SeekFrom};
    let Ok(len) = file.seek(SeekFrom::End(0)).and_then(|len| file.seek(SeekFrom::Start(0)).map(|_| len)) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut file = tokio::fs::File::from_std(file);
    let body = async_stream::stream! {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match file.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => yield Ok::<_, std::io::Error>(axum::body::Bytes::copy_from_slice(&buf[..n])),
                Err(e) => {
                    yield Err(e);
                    break;
                }
            }
        }
    };
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"my-community-data.zip\"".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::CONTENT_LENGTH, len.to_string()),
        ],
        axum::body::Body::from_stream(body),
    )
        .into_response()
}

/// Job: closed cases older than the retention period lose their personal fields, in
/// batches of 500 (a transaction each) in the order they closed, until none is left; each
/// feature erases its own part. Returns how many.
pub async fn retention(store: &Store, now: i64, retention_days: i64) -> Result<usize, AppError> {
    if retention_days <= 0 {
        return Ok(0);
    }
    let cutoff = now - retention_days * 86_400_000;
    let (mut from, mut done) = (0, 0);
    loop {
        let mut tx = store.write().await?;
        let rows = crate::demands::server::anonymise_closed_before(&mut tx, cutoff, from, 500).await?;
        let Some(last) = rows.last().map(|r| r.1) else { break };
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        crate::photos::server::forget_private_of(&mut tx, &ids).await?;
        crate::visits::server::forget_notes_of(&mut tx, &ids).await?;
        tx.commit().await?;
        done += ids.len();
        from = last;
    }
    Ok(done)
}
