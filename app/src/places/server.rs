//! Places with a waitlist (consultation meetings, volunteer activities): a place is taken by
//! a conditional update of the parent's `taken` counter, so capacity holds with any number
//! of concurrent sign-ups and server instances; the rest wait in the order they asked, and a
//! freed place goes to the first of them.

use super::{next_from_waitlist, SignupOutcome};
use crate::error::AppError;
use crate::store::Tx;

/// Where a kind of places lives: the parent table (with `capacity` and `taken`), its
/// sign-up table (`user_id`, `status`, `queued_at`) and the column linking them.
#[derive(Clone, Copy, Debug)]
pub struct Places {
    pub parent: &'static str,
    pub signups: &'static str,
    pub key: &'static str,
}

pub const MEETINGS: Places = Places { parent: "meetings", signups: "meeting_signups", key: "meeting_id" };
pub const ACTIVITIES: Places = Places { parent: "activities", signups: "activity_signups", key: "activity_id" };

impl Places {
    /// Signs `user` up: a place while any is left, else the waitlist. `None` when they were
    /// already signed up (a second tab, a retried post).
    pub async fn join(self, tx: &mut Tx, id: i64, user: i64, now: i64) -> Result<Option<SignupOutcome>, AppError> {
        let Places { parent, signups, key } = self;
        // The row first: a concurrent sign-up by the same person waits on it, then finds it.
        let fresh = sqlx::query(&format!(
            "INSERT INTO {signups} ({key}, user_id, status, queued_at) VALUES ($1, $2, 'waitlist', $3) \
             ON CONFLICT ({key}, user_id) DO NOTHING"
        ))
        .bind(id)
        .bind(user)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected()
            == 1;
        let again = !fresh
            && sqlx::query(&format!(
                "UPDATE {signups} SET status = 'waitlist', queued_at = $1 WHERE {key} = $2 AND user_id = $3 AND status = 'cancelled'"
            ))
            .bind(now)
            .bind(id)
            .bind(user)
            .execute(&mut **tx)
            .await?
            .rows_affected()
                == 1;
        if !(fresh || again) {
            return Ok(None);
        }
        let placed = sqlx::query(&format!("UPDATE {parent} SET taken = taken + 1 WHERE id = $1 AND taken < capacity"))
            .bind(id)
            .execute(&mut **tx)
            .await?
            .rows_affected()
            == 1;
        if !placed {
            return Ok(Some(SignupOutcome::Waitlisted));
        }
        sqlx::query(&format!("UPDATE {signups} SET status = 'confirmed' WHERE {key} = $1 AND user_id = $2"))
            .bind(id)
            .bind(user)
            .execute(&mut **tx)
            .await?;
        Ok(Some(SignupOutcome::Confirmed))
    }

    /// Cancels `user`'s sign-up. A confirmed place goes to the first waiting, whose id is
    /// returned (to be told), or is freed.
    pub async fn leave(self, tx: &mut Tx, id: i64, user: i64) -> Result<Option<i64>, AppError> {
        let Places { parent, signups, key } = self;
        let was: Option<String> =
            sqlx::query_scalar(&format!("SELECT status FROM {signups} WHERE {key} = $1 AND user_id = $2"))
                .bind(id)
                .bind(user)
                .fetch_optional(&mut **tx)
                .await?;
        let Some(was) = was.filter(|s| s == "confirmed" || s == "waitlist") else { return Ok(None) };
        let cancelled = sqlx::query(&format!(
            "UPDATE {signups} SET status = 'cancelled' WHERE {key} = $1 AND user_id = $2 AND status = $3"
        ))
        .bind(id)
        .bind(user)
        .bind(&was)
        .execute(&mut **tx)
        .await?
        .rows_affected()
            == 1;
        if !cancelled || was != "confirmed" {
            return Ok(None);
        }
        let mut waitlist: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT user_id, queued_at FROM {signups} WHERE {key} = $1 AND status = 'waitlist'"
        ))
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        while let Some(next) = next_from_waitlist(&waitlist) {
            let promoted = sqlx::query(&format!(
                "UPDATE {signups} SET status = 'confirmed' WHERE {key} = $1 AND user_id = $2 AND status = 'waitlist'"
            ))
            .bind(id)
            .bind(next)
            .execute(&mut **tx)
            .await?
            .rows_affected()
                == 1;
            if promoted {
                return Ok(Some(next));
            }
            waitlist.retain(|(u, _)| *u != next);
        }
        sqlx::query(&format!("UPDATE {parent} SET taken = taken - 1 WHERE id = $1 AND taken > 0"))
            .bind(id)
            .execute(&mut **tx)
            .await?;
        Ok(None)
    }
}
