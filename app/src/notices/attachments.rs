//! A notice's attachments: its photos (the photos feature keeps them, as a demand's) and its
//! PDFs (the `notice_files` table's one writer). Read from the publish form, checked by
//! content, kept across a failed try of the same form, attached in the publishing
//! transaction, and downloaded by whoever may read the notice.

use super::rules::{clean_file_name, is_pdf, MAX_ATTACHMENTS};
use super::NoticeFile;
use crate::auth::server::Viewer;
use crate::error::{AppError, Problems};
use crate::form::key::IdempotencyKey;
use crate::i18n::T;
use crate::photos::server::{FormPhotos, Upload};
use crate::photos::Owner;
use crate::store::{Millis, Store, Tx};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{routing::get, Extension, Router};

/// A publish form's attachments, checked: photos processed, PDFs named.
pub struct FormAttachments {
    uploader: i64,
    key: IdempotencyKey,
    photos: FormPhotos,
    files: Vec<(String, Vec<u8>)>,
}

/// Checks the new attachments of a form against what its earlier tries kept: at most
/// three in all; photos as the photos feature takes them, documents only as PDF. Problems
/// go under `photos` (a photo's type or size) and `files` (the rest).
pub async fn check(
    store: &Store,
    uploader: i64,
    key: &IdempotencyKey,
    uploads: Vec<Upload>,
    p: &mut Problems,
) -> Result<FormAttachments, AppError> {
    let kept_files: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notice_files WHERE owner_id = $1 AND upload_key = $2 AND notice_id IS NULL",
    )
    .bind(uploader)
    .bind(key.as_str())
    .fetch_one(store.pool())
    .await?;
    let kept_photos = crate::photos::server::kept(store, uploader, key.as_str()).await?.len();
    let (mut images, mut files, mut sent) = (Vec::new(), Vec::new(), 0);
    for u in uploads {
        match u {
            Upload::Ok(bytes) => {
                sent += 1;
                images.push(Upload::Ok(bytes));
            }
            Upload::File(name, bytes) => {
                sent += 1;
                if is_pdf(&bytes) {
                    files.push((clean_file_name(&name), bytes));
                } else {
                    p.add("files", T::ErrNoticeFileType);
                }
            }
            Upload::TooLarge => p.add("files", T::ErrNoticeFileSize),
            Upload::TooMany => p.add("files", T::ErrNoticeFileCount),
        }
    }
    if kept_files as usize + kept_photos + sent > MAX_ATTACHMENTS {
        p.add("files", T::ErrNoticeFileCount);
        images.clear();
        files.clear();
    }
    let photos = crate::photos::server::check(store, uploader, key, images, p).await?;
    Ok(FormAttachments { uploader, key: key.clone(), photos, files })
}

impl FormAttachments {
    /// The form failed for another reason: the good attachments wait for its next try (the
    /// unsent are purged after a day). Only for a plain form post: with JavaScript the page
    /// and its file inputs stay as they were.
    pub async fn keep_for_retry(self, store: &Store, p: &Problems) -> Result<(), AppError> {
        self.photos.keep_for_retry(store, p).await?;
        if self.files.is_empty() || p.has("files") || !crate::request::is_plain_form_post() {
            return Ok(());
        }
        let mut tx = store.write().await?;
        insert(&mut tx, self.uploader, &self.key, &self.files, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Attaches the kept and the new attachments to the notice, in its transaction.
    pub async fn attach(self, tx: &mut Tx, notice: i64) -> Result<(), AppError> {
        self.photos.attach(tx, Owner::Notice(notice)).await?;
        sqlx::query(
            "UPDATE notice_files SET notice_id = $1 WHERE owner_id = $2 AND upload_key = $3 AND notice_id IS NULL",
        )
        .bind(notice)
        .bind(self.uploader)
        .bind(self.key.as_str())
        .execute(&mut **tx)
        .await?;
        insert(tx, self.uploader, &self.key, &self.files, Some(notice)).await
    }
}

async fn insert(
    tx: &mut Tx,
    uploader: i64,
    key: &IdempotencyKey,
    files: &[(String, Vec<u8>)],
    notice: Option<i64>,
) -> Result<(), AppError> {
    for (name, bytes) in files {
        sqlx::query(
            "INSERT INTO notice_files (notice_id, owner_id, upload_key, name, size, bytes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(notice)
        .bind(uploader)
        .bind(key.as_str())
        .bind(name)
        .bind(bytes.len() as i64)
        .bind(bytes)
        .bind(Millis::now())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A notice's PDFs, in order (names and sizes, not their bytes).
pub async fn files_of(store: &Store, notice: i64) -> Result<Vec<NoticeFile>, AppError> {
    let rows: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT id, name, size FROM notice_files WHERE notice_id = $1 ORDER BY id")
            .bind(notice)
            .fetch_all(store.pool())
            .await?;
    Ok(rows.into_iter().map(|(id, name, size)| NoticeFile { id, name, size: super::rules::file_size(size) }).collect())
}

/// What earlier tries of a form kept, shown on it again: photos and PDFs.
pub async fn kept(store: &Store, uploader: i64, key: &str) -> Result<(Vec<i64>, Vec<NoticeFile>), AppError> {
    if IdempotencyKey::parse(key).is_err() {
        return Ok((Vec::new(), Vec::new()));
    }
    let photos = crate::photos::server::kept(store, uploader, key).await?;
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT id, name, size FROM notice_files WHERE owner_id = $1 AND upload_key = $2 AND notice_id IS NULL ORDER BY id",
    )
    .bind(uploader)
    .bind(key)
    .fetch_all(store.pool())
    .await?;
    let files = rows.into_iter().map(|(id, name, size)| NoticeFile { id, name, size: super::rules::file_size(size) });
    Ok((photos, files.collect()))
}

/// Job: PDFs of forms never sent, a day old.
pub async fn purge_unsent(store: &Store, now: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM notice_files WHERE notice_id IS NULL AND created_at < $1")
        .bind(now - 24 * 3_600_000)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// An account's deletion: PDFs it chose for a notice it never published.
pub async fn forget_unsent(tx: &mut Tx, user: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM notice_files WHERE owner_id = $1 AND notice_id IS NULL")
        .bind(user)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `GET /notices/{id}/files/{file}`.
pub fn routes() -> Router<crate::request::AppState> {
    Router::new().route("/notices/{id}/files/{file}", get(download))
}

/// The PDF, as a download, for whoever may read its notice (or its uploader, before the
/// form was sent, under notice 0); 404 for anyone else, so its existence does not leak.
async fn download(store: State<Store>, viewer: Extension<Viewer>, ids: Path<(i64, i64)>) -> Response {
    let (notice, file) = ids.0;
    let Some(user) = viewer.0 .0 else { return StatusCode::NOT_FOUND.into_response() };
    let row: Option<(Option<i64>, i64, String, Vec<u8>)> =
        sqlx::query_as("SELECT notice_id, owner_id, name, bytes FROM notice_files WHERE id = $1")
            .bind(file)
            .fetch_optional(store.pool())
            .await
            .ok()
            .flatten();
    let Some((of, uploader, name, bytes)) = row else { return StatusCode::NOT_FOUND.into_response() };
    let allowed = match of {
        Some(n) if n == notice => super::server::may_read(&store, &user, n).await.unwrap_or(false),
        Some(_) => false,
        None => notice == 0 && uploader == user.id,
    };
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    let encoded = percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC);
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            // A download, never shown inside the app's origin; the plain name for old
            // browsers, the real one (UTF-8) for the rest.
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"notice-{notice}-{file}.pdf\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}
