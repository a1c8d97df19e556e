//! The station's answer (adopt with a plan, merge, decline) and the plan's milestones.

use super::*;

/// Parses the plan's milestones: one per line, `YYYY-MM-DD title`.
pub(super) fn parse_milestones(text: &str) -> Result<Vec<(chrono::NaiveDate, String)>, T> {
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
    let state = t.state;
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
    let mut w = WorkTx::begin(store).await?;
    let tx = w.tx();
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
    .execute(&mut **tx)
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
            .execute(&mut **tx)
            .await?;
        }
        work::station_steps(&mut w, item, user.id, &[Action::Accept, Action::Start], &note).await?;
        // The project is due when its last milestone is (end of that day, Beijing time).
        if let Some((last, _)) = plan.last() {
            let due = last
                .and_hms_opt(23, 59, 0)
                .and_then(|d| d.and_local_timezone(crate::time::beijing()).single())
                .map(|d| d.timestamp_millis())
                .unwrap_or(now);
            work::set_due(&mut w, item, due.max(now)).await?;
        }
    } else {
        work::station_steps(&mut w, item, user.id, &[Action::Accept, Action::Resolve], &note).await?;
    }
    notify_all(w.tx(), thread_id, user.id, Kind::ThreadAnswer, new_state.as_str()).await?;
    w.commit(store).await?;
    touched(store, thread_id).await;
    Ok(())
}

pub(super) fn answer_word(s: ThreadState) -> &'static str {
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
    let mut w = WorkTx::begin(store).await?;
    let tx = w.tx();
    let done = sqlx::query(
        "UPDATE thread_milestones SET done_at = $1, note = $2, updated_at = $1 WHERE id = $3 AND done_at IS NULL",
    )
    .bind(now)
    .bind(note)
    .bind(id)
    .execute(&mut **tx)
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
        work::note(&mut w, item, Some(user.id), &text, false).await?;
    }
    notify_all(w.tx(), thread, user.id, Kind::Milestone, &title).await?;
    w.commit(store).await?;
    touched(store, thread).await;
    Ok(thread)
}
