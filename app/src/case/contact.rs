//! A requester's contact for those whose job seldom needs it. The station team of the
//! community works the case and sees it; overseers (subdistrict and district admins) and
//! whistled department liaisons see it masked, and may show it in full only by saying why:
//! each showing is recorded (who, whose, which case, why, when) for the resident to see.

use crate::auth::SessionUser;
use crate::error::AppError;
use crate::i18n::T;
use crate::store::{Millis, Store};
use crate::work::server::{self as work, Relation};

/// A showing lasts this long on that case for that reader; then it is masked again.
pub const SHOWN_FOR_MS: i64 = 3_600_000;

/// Has `reader` shown the contact of this case within the last hour?
pub async fn shown(store: &Store, reader: i64, item: i64) -> Result<bool, AppError> {
    let at: Option<i64> = sqlx::query_scalar(
        "SELECT created_at FROM personal_data_reads WHERE reader_id = $1 AND work_item_id = $2 AND created_at > $3 \
         AND what = 'contact' ORDER BY created_at DESC LIMIT 1",
    )
    .bind(reader)
    .bind(item)
    .bind(Millis::now().0 - SHOWN_FOR_MS)
    .fetch_optional(store.pool())
    .await?;
    Ok(at.is_some())
}

/// Shows the requester's contact of a demand to an overseer or a whistled liaison, with the
/// reason recorded. The station team never needs to (they see it); anyone else: not found.
pub async fn show(store: &Store, user: &SessionUser, demand_id: i64, reason: &str) -> Result<(), AppError> {
    let item = work::item_of_demand(store, demand_id).await?.ok_or(AppError::NotFound)?;
    match work::relation(store, user, &item).await? {
        Relation::Overseer | Relation::Department => {}
        Relation::Station => return Ok(()),
        _ => return Err(AppError::NotFound),
    }
    let reason = reason.trim();
    match reason.chars().count() {
        0..=1 => return Err(AppError::invalid("reason", T::ErrReasonRequired)),
        n if n > 200 => return Err(AppError::invalid("reason", T::ErrTooLong)),
        _ => {}
    }
    let subject: i64 = sqlx::query_scalar("SELECT requester_id FROM demands WHERE id = $1")
        .bind(demand_id)
        .fetch_one(store.pool())
        .await?;
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO personal_data_reads (reader_id, subject_id, work_item_id, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user.id)
    .bind(subject)
    .bind(item.id)
    .bind(reason)
    .bind(Millis::now().0)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A staff member opened the case page of a private demand: recorded for the resident's
/// access log, once per reader and case a day (a page reloaded all afternoon is one entry).
pub async fn record_case_view(store: &Store, reader: i64, subject: i64, item: i64) -> Result<(), AppError> {
    let now = Millis::now().0;
    let seen: Option<i64> = sqlx::query_scalar(
        "SELECT created_at FROM personal_data_reads WHERE reader_id = $1 AND work_item_id = $2 AND created_at > $3 \
         AND what = 'case' LIMIT 1",
    )
    .bind(reader)
    .bind(item)
    .bind(now - 86_400_000)
    .fetch_optional(store.pool())
    .await?;
    if seen.is_some() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO personal_data_reads (reader_id, subject_id, work_item_id, reason, created_at, what) \
         VALUES ($1, $2, $3, '', $4, 'case')",
    )
    .bind(reader)
    .bind(subject)
    .bind(item)
    .bind(now)
    .execute(store.pool())
    .await?;
    Ok(())
}
