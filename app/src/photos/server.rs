//! The photos table's one writer: uploads read and checked, kept, attached, purged; and the
//! photo routes, whose access check the owning feature answers.

use super::process::{self, PhotoError, Processed};
use super::{Owner, MAX_PHOTOS, MAX_PHOTO_BYTES};
use crate::auth::server::Viewer;
use crate::auth::SessionUser;
use crate::error::{AppError, Problems};
use crate::form::key::IdempotencyKey;
use crate::i18n::T;
use crate::store::{Millis, Store, Tx};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{routing::get, Extension, Router};
use server_fn::codec::MultipartData;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Photos decoded at once on this instance.
static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// A photo as uploaded: its bytes, or what was wrong with it.
pub enum Upload {
    Ok(Vec<u8>),
    TooLarge,
    /// Beyond the most a form takes.
    TooMany,
    /// A document (a part named `files`): its name as sent, and its bytes. Only the forms
    /// that take documents (notices) accept it; a photo check refuses it by type.
    File(String, Vec<u8>),
}

/// Reads a multipart body: text fields (each at most 20 KB), photo parts named `photos` and
/// document parts named `files` (each read up to the size limit, then refused without
/// reading the rest into memory; at most `MAX_PHOTOS` of both together).
/// Every form that takes photos reads its body here.
pub async fn read_multipart(data: MultipartData) -> Result<(Vec<(String, String)>, Vec<Upload>), AppError> {
    let mut mp = data.into_inner().ok_or(AppError::BadRequest)?;
    let mut fields = Vec::new();
    let mut uploads = Vec::new();
    let mut parts = 0;
    while let Some(mut field) = mp.next_field().await.map_err(|_| AppError::BadRequest)? {
        parts += 1;
        if parts > 40 {
            return Err(AppError::BadRequest);
        }
        let name = field.name().unwrap_or("").to_string();
        let upload = name == "photos" || name == "files";
        let file_name = field.file_name().unwrap_or("").to_string();
        let limit = if upload { MAX_PHOTO_BYTES } else { 20_000 };
        let mut bytes = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = field.chunk().await.map_err(|_| AppError::BadRequest)? {
            if bytes.len() + chunk.len() > limit {
                too_large = true;
                break;
            }
            bytes.extend_from_slice(&chunk);
        }
        if !upload {
            if too_large {
                return Err(AppError::BadRequest);
            }
            fields.push((name, String::from_utf8(bytes).map_err(|_| AppError::BadRequest)?));
        } else if too_large {
            uploads.push(Upload::TooLarge);
            // Stop reading: nothing after a refused photo is needed.
            return Ok((fields, uploads));
        } else if !bytes.is_empty() && uploads.len() >= MAX_PHOTOS {
            // One photo too many: refused without reading the rest of the body.
            uploads.push(Upload::TooMany);
            return Ok((fields, uploads));
        } else if !bytes.is_empty() && name == "files" {
            uploads.push(Upload::File(file_name, bytes));
        } else if !bytes.is_empty() {
            // An empty file input still sends an empty part.
            uploads.push(Upload::Ok(bytes));
        }
    }
    Ok((fields, uploads))
}

/// A form's photos: those kept from earlier tries with the same key, and the new ones,
/// checked and processed.
pub struct FormPhotos {
    uploader: i64,
    key: IdempotencyKey,
    processed: Vec<Processed>,
}

/// Checks and processes the new photos of a form (type by content, size, EXIF stripped,
/// thumbnail); problems go under `photos`.
pub async fn check(
    store: &Store,
    uploader: i64,
    key: &IdempotencyKey,
    uploads: Vec<Upload>,
    p: &mut Problems,
) -> Result<FormPhotos, AppError> {
    let already: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM photos WHERE owner_id = $1 AND upload_key = $2 AND demand_id IS NULL AND thread_id IS NULL AND notice_id IS NULL",
    )
    .bind(uploader)
    .bind(key.as_str())
    .fetch_one(store.pool())
    .await?;
    let mut processed = Vec::new();
    if already as usize + uploads.len() > MAX_PHOTOS {
        p.add("photos", T::ErrPhotoCount);
    } else {
        for u in uploads {
            let result = match u {
                Upload::TooLarge => Err(PhotoError::TooLarge),
                // Counted above: never gets here with a count in bounds.
                Upload::TooMany => Err(PhotoError::TooLarge),
                Upload::File(..) => Err(PhotoError::WrongType),
                Upload::Ok(bytes) => {
                    // Two decodes at once: each may take 200 MB and a core for a second.
                    let _turn = DECODING.acquire().await.map_err(|_| AppError::Internal)?;
                    tokio::task::spawn_blocking(move || process::process(&bytes))
                        .await
                        .map_err(|_| AppError::Internal)?
                }
            };
            match result {
                Ok(photo) => processed.push(photo),
                Err(PhotoError::TooLarge) => p.add("photos", T::ErrPhotoSize),
                Err(PhotoError::WrongType) | Err(PhotoError::Unreadable) => p.add("photos", T::ErrPhotoType),
            }
        }
    }
    Ok(FormPhotos { uploader, key: key.clone(), processed })
}

impl FormPhotos {
    /// The form failed for another reason: good photos are kept for its next try, so the
    /// resident need not choose them again (unsent ones are purged after a day).
    /// With JavaScript the page stays, its file input still holding them: nothing is kept,
    /// or the next try would send them twice.
    pub async fn keep_for_retry(self, store: &Store, p: &Problems) -> Result<(), AppError> {
        if self.processed.is_empty() || p.has("photos") || !crate::request::is_plain_form_post() {
            return Ok(());
        }
        let mut tx = store.write().await?;
        self.insert(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Attaches the kept and the new photos to what the form created, in its transaction.
    pub async fn attach(self, tx: &mut Tx, owner: Owner) -> Result<(), AppError> {
        self.insert(tx).await?;
        let (column, id) = owner.column();
        sqlx::query(&format!(
            "UPDATE photos SET {column} = $1 WHERE owner_id = $2 AND upload_key = $3 AND demand_id IS NULL AND thread_id IS NULL AND notice_id IS NULL"
        ))
        .bind(id)
        .bind(self.uploader)
        .bind(self.key.as_str())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn insert(&self, tx: &mut Tx) -> Result<(), AppError> {
        for p in &self.processed {
            sqlx::query(
                "INSERT INTO photos (demand_id, owner_id, upload_key, mime, width, height, bytes, thumb, created_at) \
                 VALUES (NULL, $1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(self.uploader)
            .bind(self.key.as_str())
            .bind(p.mime)
            .bind(p.width as i64)
            .bind(p.height as i64)
            .bind(p.bytes.clone())
            .bind(p.thumb.clone())
            .bind(Millis::now())
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

/// Photos kept from earlier tries of a form (shown on it again).
pub async fn kept(store: &Store, uploader: i64, key: &str) -> Result<Vec<i64>, AppError> {
    if IdempotencyKey::parse(key).is_err() {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_scalar(
        "SELECT id FROM photos WHERE owner_id = $1 AND upload_key = $2 AND demand_id IS NULL AND thread_id IS NULL AND notice_id IS NULL ORDER BY id",
    )
    .bind(uploader)
    .bind(key)
    .fetch_all(store.pool())
    .await?)
}

/// The photos of a demand, thread or notice, in order.
pub async fn of(store: &Store, owner: Owner) -> Result<Vec<i64>, AppError> {
    let (column, id) = owner.column();
    Ok(sqlx::query_scalar(&format!("SELECT id FROM photos WHERE {column} = $1 ORDER BY id"))
        .bind(id)
        .fetch_all(store.pool())
        .await?)
}

/// Job: photos of forms never sent, a day old.
pub async fn purge_unsent(store: &Store, now: i64) -> Result<(), AppError> {
    sqlx::query(
        "DELETE FROM photos WHERE demand_id IS NULL AND thread_id IS NULL AND notice_id IS NULL AND created_at < $1",
    )
    .bind(now - 24 * 3_600_000)
    .execute(store.pool())
    .await?;
    Ok(())
}

type Check = dyn Fn(Store, SessionUser, Owner) -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync;

/// Who may see a photo that belongs to something: the owning feature answers (the router
/// wires it, so this feature depends on none of them).
#[derive(Clone)]
pub struct Access(pub Arc<Check>);

/// `GET /photos/{id}` and `/photos/{id}/thumb`.
pub fn routes(access: Access) -> Router<crate::request::AppState> {
    Router::new().route("/photos/{id}", get(photo)).route("/photos/{id}/thumb", get(thumb)).layer(Extension(access))
}

async fn photo(store: State<Store>, access: Extension<Access>, viewer: Extension<Viewer>, id: Path<i64>) -> Response {
    serve(store.0, access.0, viewer.0, id.0, false).await
}

async fn thumb(store: State<Store>, access: Extension<Access>, viewer: Extension<Viewer>, id: Path<i64>) -> Response {
    serve(store.0, access.0, viewer.0, id.0, true).await
}

/// The picture, for whoever may see what it belongs to (or its uploader, before the form
/// was sent); 404 for anyone else, so its existence does not leak.
async fn serve(store: Store, access: Access, viewer: Viewer, id: i64, thumb: bool) -> Response {
    let Some(user) = viewer.0 else { return StatusCode::NOT_FOUND.into_response() };
    let row: Option<(Option<i64>, Option<i64>, Option<i64>, i64, String)> =
        sqlx::query_as("SELECT demand_id, thread_id, notice_id, owner_id, mime FROM photos WHERE id = $1")
            .bind(id)
            .fetch_optional(store.pool())
            .await
            .ok()
            .flatten();
    let Some((demand, thread, notice, uploader, mime)) = row else { return StatusCode::NOT_FOUND.into_response() };
    let allowed = match (demand, thread, notice) {
        (Some(d), _, _) => (access.0)(store.clone(), user, Owner::Demand(d)).await,
        (None, Some(t), _) => (access.0)(store.clone(), user, Owner::Thread(t)).await,
        (None, None, Some(n)) => (access.0)(store.clone(), user, Owner::Notice(n)).await,
        (None, None, None) => uploader == user.id,
    };
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    let column = if thumb { "thumb" } else { "bytes" };
    let bytes: Option<Vec<u8>> = sqlx::query_scalar(&format!("SELECT {column} FROM photos WHERE id = $1"))
        .bind(id)
        .fetch_optional(store.pool())
        .await
        .ok()
        .flatten();
    let Some(bytes) = bytes else { return StatusCode::NOT_FOUND.into_response() };
    let mime = if thumb { "image/jpeg".to_string() } else { mime };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// An account's deletion: the photos of the resident's private demands, and any never sent.
pub async fn forget_private(tx: &mut Tx, user: i64) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "DELETE FROM photos WHERE (owner_id = $1 AND demand_id IS NULL AND notice_id IS NULL) \
         OR demand_id IN (SELECT id FROM demands WHERE requester_id = $1 AND visibility = 'private')",
    )
    .bind(user)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Retention: the photos of these demands, when private.
pub async fn forget_private_of(tx: &mut Tx, demands: &[i64]) -> Result<(), AppError> {
    for d in demands {
        sqlx::query("DELETE FROM photos WHERE demand_id = $1 AND demand_id IN (SELECT id FROM demands WHERE visibility = 'private')")
            .bind(d)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
