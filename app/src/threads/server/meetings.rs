//! Consultation meetings: listing, scheduling, sign-ups with a waitlist, minutes, calendar files.

use super::*;

pub(super) async fn meetings(
    store: &Store,
    user: &SessionUser,
    thread: i64,
    station: bool,
) -> Result<Vec<MeetingView>, AppError> {
    #[derive(sqlx::FromRow)]
    struct M {
        id: i64,
        starts_at: i64,
        ends_at: i64,
        place: String,
        capacity: i64,
        taken: i64,
        minutes: String,
        decision: String,
    }
    let rows: Vec<M> = sqlx::query_as(
        "SELECT id, starts_at, ends_at, place, capacity, taken, minutes, decision FROM meetings WHERE thread_id = $1 ORDER BY starts_at",
    )
    .bind(thread)
    .fetch_all(store.pool())
    .await?;
    let now = Millis::now().0;
    let mut out = Vec::new();
    for m in rows {
        let signups: Vec<(i64, String, i64, String, String)> = sqlx::query_as(
            "SELECT s.user_id, s.status, s.queued_at, u.display_name, u.phone FROM meeting_signups s \
             JOIN users u ON u.id = s.user_id WHERE s.meeting_id = $1 AND s.status <> 'cancelled' ORDER BY s.queued_at, s.user_id",
        )
        .bind(m.id)
        .fetch_all(store.pool())
        .await?;
        let waitlist: Vec<&(i64, String, i64, String, String)> = signups.iter().filter(|s| s.1 == "waitlist").collect();
        let mine = signups.iter().find(|s| s.0 == user.id).map(|s| {
            if s.1 == "confirmed" {
                SignupOutcome::Confirmed
            } else {
                SignupOutcome::Waitlisted
            }
        });
        let waitlist_position = waitlist.iter().position(|s| s.0 == user.id).map(|p| p as i64 + 1);
        out.push(MeetingView {
            id: m.id,
            starts: format_local(m.starts_at),
            ends: crate::time::to_local(m.ends_at).format("%H:%M").to_string(),
            place: m.place,
            capacity: m.capacity,
            taken: m.taken,
            waitlist: waitlist.len() as i64,
            mine,
            waitlist_position,
            started: now >= m.starts_at,
            minutes: m.minutes,
            decision: m.decision,
            attendees: if station {
                signups
                    .iter()
                    .map(|s| {
                        let tag = if s.1 == "waitlist" { " (候补 waitlist)" } else { "" };
                        format!("{} {}{tag}", s.3, mask_phone(&s.4))
                    })
                    .collect()
            } else {
                Vec::new()
            },
        });
    }
    Ok(out)
}

pub(super) fn parse_local(date: &str, time: &str) -> Option<i64> {
    let d = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let t = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    d.and_time(t).and_local_timezone(crate::time::beijing()).single().map(|x| x.timestamp_millis())
}

#[allow(clippy::too_many_arguments)]
pub async fn schedule_meeting(
    store: &Store,
    user: &SessionUser,
    thread_id: i64,
    date: &str,
    start: &str,
    end: &str,
    place: &str,
    capacity: &str,
) -> Result<i64, AppError> {
    let (t, a) = readable(store, user, thread_id).await?;
    if !a.station {
        return Err(AppError::Forbidden);
    }
    let now = Millis::now().0;
    let mut p = Problems::default();
    let starts = parse_local(date, start);
    let ends = parse_local(date, end);
    match (starts, ends) {
        (None, _) => p.add("start", T::ErrDateTime),
        (_, None) => p.add("end", T::ErrDateTime),
        // A meeting already held may be recorded (to post its minutes), up to 30 days back.
        (Some(s), _) if s < now - 30 * 24 * 3_600_000 => p.add("start", T::ErrInThePast),
        (Some(s), Some(e)) if e <= s => p.add("end", T::ErrEndBeforeStart),
        _ => {}
    }
    let place = place.trim();
    match place.chars().count() {
        0 => p.add("place", T::ErrRequired),
        n if n > 100 => p.add("place", T::ErrTooLong),
        _ => {}
    }
    let capacity = capacity.trim().parse::<i64>().ok().filter(|c| (1..=500).contains(c));
    if capacity.is_none() {
        p.add("capacity", T::ErrCapacity);
    }
    p.into_result()?;
    let (Some(starts), Some(ends), Some(capacity)) = (starts, ends, capacity) else { return Err(AppError::Internal) };
    let mut w = WorkTx::begin(store).await?;
    let tx = w.tx();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO meetings (thread_id, starts_at, ends_at, place, capacity, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(thread_id)
    .bind(starts)
    .bind(ends)
    .bind(place)
    .bind(capacity)
    .bind(user.id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    if let Some(item) = t.work_item_id {
        let text = format!("议事会 Consultation meeting：{} {}", format_local(starts), place);
        work::note(&mut w, item, Some(user.id), &text, false).await?;
    }
    notify_all(w.tx(), thread_id, user.id, Kind::Meeting, &format_local(starts)).await?;
    w.commit(store).await?;
    touched(store, thread_id).await;
    Ok(id)
}

/// Signs up (a place while any is left, else the waitlist) or cancels (the first on the
/// waitlist moves up and hears about it). Places are taken by a conditional update, so
/// capacity holds with any number of concurrent sign-ups and server instances.
pub async fn signup(store: &Store, user: &SessionUser, meeting_id: i64, join: bool) -> Result<i64, AppError> {
    let row: Option<(i64, i64)> = sqlx::query_as("SELECT thread_id, starts_at FROM meetings WHERE id = $1")
        .bind(meeting_id)
        .fetch_optional(store.pool())
        .await?;
    let (thread, starts) = row.ok_or(AppError::NotFound)?;
    let (_, a) = readable(store, user, thread).await?;
    if !a.resident {
        return Err(AppError::Forbidden);
    }
    let now = Millis::now().0;
    if now >= starts {
        return Err(AppError::WrongState);
    }
    let mut tx = store.write().await?;
    if join {
        crate::places::server::MEETINGS.join(&mut tx, meeting_id, user.id, now).await?;
    } else if let Some(promoted) = crate::places::server::MEETINGS.leave(&mut tx, meeting_id, user.id).await? {
        send(&mut tx, Send::new(promoted, Kind::MeetingPromoted).link(format!("/threads/{thread}#meetings"))).await?;
    }
    tx.commit().await?;
    touched(store, thread).await;
    Ok(thread)
}

pub async fn minutes(
    store: &Store,
    user: &SessionUser,
    meeting_id: i64,
    minutes: &str,
    decision: &str,
) -> Result<i64, AppError> {
    let row: Option<(i64, i64)> = sqlx::query_as("SELECT thread_id, starts_at FROM meetings WHERE id = $1")
        .bind(meeting_id)
        .fetch_optional(store.pool())
        .await?;
    let (thread, starts) = row.ok_or(AppError::NotFound)?;
    let (t, a) = readable(store, user, thread).await?;
    if !a.station {
        return Err(AppError::Forbidden);
    }
    let now = Millis::now().0;
    if now < starts {
        return Err(AppError::invalid("minutes", T::ErrMeetingNotHeld));
    }
    let (minutes, decision) = (minutes.trim(), decision.trim());
    let mut p = Problems::default();
    match minutes.chars().count() {
        0 => p.add("minutes", T::ErrRequired),
        n if n > rules::MAX_BODY => p.add("minutes", T::ErrTooLong),
        _ => {}
    }
    match decision.chars().count() {
        0 => p.add("decision", T::ErrRequired),
        n if n > 1000 => p.add("decision", T::ErrTooLong),
        _ => {}
    }
    p.into_result()?;
    let mut w = WorkTx::begin(store).await?;
    let tx = w.tx();
    sqlx::query("UPDATE meetings SET minutes = $1, decision = $2, minutes_at = $3 WHERE id = $4")
        .bind(minutes)
        .bind(decision)
        .bind(now)
        .bind(meeting_id)
        .execute(&mut **tx)
        .await?;
    if let Some(item) = t.work_item_id {
        let text = format!("议事会决定 Meeting decision：{decision}");
        work::note(&mut w, item, Some(user.id), &text, false).await?;
    }
    notify_all(w.tx(), thread, user.id, Kind::Minutes, "").await?;
    w.commit(store).await?;
    touched(store, thread).await;
    Ok(thread)
}

/// `GET /meetings/{id}/ics`: the meeting as an iCalendar file (RFC 5545), for anyone who may
/// read its thread.
pub async fn meeting_ics(
    axum::extract::State(store): axum::extract::State<Store>,
    axum::Extension(viewer): axum::Extension<crate::auth::server::Viewer>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    use icalendar::{Calendar, Component, Event, EventLike};
    let Some(user) = viewer.0 else { return StatusCode::NOT_FOUND.into_response() };
    let row: Option<(i64, i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT m.thread_id, m.starts_at, m.ends_at, m.place, t.title, r.name_zh FROM meetings m \
         JOIN threads t ON t.id = m.thread_id JOIN regions r ON r.id = t.community_id WHERE m.id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await
    .ok()
    .flatten();
    let Some((thread, starts, ends, place, title, community)) = row else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !may_read(&store, &user, thread).await.unwrap_or(false) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let utc = |ms: i64| Millis(ms).to_utc();
    let host = request_host();
    let event = Event::new()
        .uid(&format!("meeting-{id}@{host}"))
        .summary(&crate::export::calendar_text(&format!("居民议事会 Consultation meeting：{title}")))
        .description(&crate::export::calendar_text(&format!("{community} · /threads/{thread}")))
        .location(&crate::export::calendar_text(&place))
        .starts(utc(starts))
        .ends(utc(ends))
        .timestamp(chrono::Utc::now())
        .done();
    let calendar = Calendar::new().name("我的社区 My Community").timezone("Asia/Shanghai").push(event).done();
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"meeting-{id}.ics\"")),
        ],
        calendar.to_string(),
    )
        .into_response()
}

pub(super) fn request_host() -> String {
    "mycommunity.local".to_string()
}
