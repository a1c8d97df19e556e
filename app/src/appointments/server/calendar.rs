//! Calendar files (RFC 5545) and reminders.

use super::*;

/// Reminders 24 h and 2 h before, once each however many instances run the job.
pub async fn remind(store: &Store, now: i64) -> Result<usize, AppError> {
    let due: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT id, resident_id, starts_at FROM appointments WHERE status = 'booked' AND starts_at > $1 AND starts_at <= $2",
    )
    .bind(now)
    .bind(now + 24 * 3_600_000)
    .fetch_all(store.pool())
    .await?;
    let mut sent = 0;
    for (id, resident, start) in due {
        let Some(which) = rules::reminder_due(start, now) else { continue };
        let mut tx = store.write().await?;
        let when = format_local(start);
        let n = Send::new(resident, Kind::AppointmentReminder).detail(&when).link(format!("/appointments/{id}"));
        let done = send(&mut tx, n.once(format!("appointment-{id}-{which}"))).await?;
        tx.commit().await?;
        sent += done as usize;
    }
    Ok(sent)
}

/// The calendar file of a booking (RFC 5545): local times with `TZID=Asia/Shanghai` and the
/// zone's definition (UTC+8, no daylight saving since 1991).
pub fn ics(id: i64, start: i64, end: i64, summary: &str, location: &str, description: &str) -> String {
    use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike};
    let local = |ms: i64| CalendarDateTime::WithTimezone {
        date_time: crate::time::to_local(ms).naive_local(),
        tzid: "Asia/Shanghai".to_string(),
    };
    let event = Event::new()
        .uid(&format!("appointment-{id}@mycommunity"))
        .summary(&crate::export::calendar_text(summary))
        .location(&crate::export::calendar_text(location))
        .description(&crate::export::calendar_text(description))
        .starts(local(start))
        .ends(local(end))
        .timestamp(chrono::Utc::now())
        .done();
    let text = Calendar::new().name("我的社区 My Community").timezone("Asia/Shanghai").push(event).done().to_string();
    // The crate has no VTIMEZONE builder; the definition goes before the first component.
    const ZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
        TZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nTZNAME:CST\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
    text.replacen("BEGIN:VEVENT", &format!("{ZONE}BEGIN:VEVENT"), 1)
}

/// `GET /appointments/{id}/ics`, for the resident it is for and the station.
pub async fn booking_ics(
    axum::extract::State(store): axum::extract::State<Store>,
    axum::Extension(viewer): axum::Extension<crate::auth::server::Viewer>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let Some(user) = viewer.0 else { return StatusCode::NOT_FOUND.into_response() };
    let row: Option<(i64, i64, i64, i64, Option<String>, Option<String>, String)> = sqlx::query_as(
        "SELECT p.resident_id, p.community_id, p.starts_at, p.ends_at, a.name_zh, a.documents_zh, r.name_zh \
         FROM appointments p LEFT JOIN affairs a ON a.id = p.affair_id JOIN regions r ON r.id = p.community_id WHERE p.id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await
    .ok()
    .flatten();
    let Some((resident, community, start, end, affair, documents, place)) = row else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let allowed = resident == user.id || (user.role.is_station_team() && user.region_id == community);
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    let body = ics(
        id,
        start,
        end,
        &format!("社区服务站预约：{}", affair.unwrap_or_default()),
        &format!("{place}社区服务站"),
        &format!("请携带：{}", documents.unwrap_or_default()),
    );
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"appointment-{id}.ics\"")),
        ],
        body,
    )
        .into_response()
}
