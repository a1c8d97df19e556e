//! An account's reach choices (`reach_choices`, `reach_settings`): written here only.

use super::rules::{Channel, Choices, Topic};
use crate::error::AppError;
use crate::store::{Millis, Store};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// The account's choices (on any connection: a pooled one, or a notifying transaction's).
pub async fn choices(conn: &mut AnyConnection, user: i64) -> Result<Choices, AppError> {
    Ok(choices_of(conn, &[user]).await?.remove(&user).unwrap_or_default())
}

/// The choices of many accounts (an emergency notice's residents), a few hundred a query.
/// Accounts that never chose anything are absent (their choices are the defaults).
pub async fn choices_of(conn: &mut AnyConnection, users: &[i64]) -> Result<HashMap<i64, Choices>, AppError> {
    let mut out: HashMap<i64, Choices> = HashMap::new();
    for chunk in users.chunks(400) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let marks = marks.join(", ");
        let sql = format!("SELECT user_id, topic, channel, enabled FROM reach_choices WHERE user_id IN ({marks})");
        let mut q = sqlx::query_as::<_, (i64, Topic, Channel, i64)>(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for (user, topic, channel, on) in q.fetch_all(&mut *conn).await? {
            out.entry(user).or_default().chosen.push((topic, channel, on == 1));
        }
        let sql = format!("SELECT user_id FROM reach_settings WHERE sms_only = 1 AND user_id IN ({marks})");
        let mut q = sqlx::query_scalar::<_, i64>(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for user in q.fetch_all(&mut *conn).await? {
            out.entry(user).or_default().sms_only = true;
        }
    }
    Ok(out)
}

/// Replaces the account's switches for the topics shown to it, and its SMS-only choice.
/// `by` is who saved them: the account itself or a confirmed family member.
pub async fn save(
    store: &Store,
    user: i64,
    by: i64,
    sms_only: bool,
    switches: &[(Topic, Channel, bool)],
) -> Result<(), AppError> {
    let mut tx = store.write().await?;
    sqlx::query("DELETE FROM reach_choices WHERE user_id = $1").bind(user).execute(&mut *tx).await?;
    for (topic, channel, on) in switches {
        sqlx::query("INSERT INTO reach_choices (user_id, topic, channel, enabled) VALUES ($1, $2, $3, $4)")
            .bind(user)
            .bind(*topic)
            .bind(*channel)
            .bind(*on as i64)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO reach_settings (user_id, sms_only, set_by, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id) DO UPDATE SET sms_only = excluded.sms_only, set_by = excluded.set_by, \
         updated_at = excluded.updated_at",
    )
    .bind(user)
    .bind(sms_only as i64)
    .bind(by)
    .bind(Millis::now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
