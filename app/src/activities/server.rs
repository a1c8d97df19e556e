//! Server side of volunteer activities: publishing, sign-ups through the shared places, the
//! promotion notice, attendance and the hours it credits.

use super::*;
use crate::auth::rules::mask_phone;
use crate::auth::{Role, SessionUser};
use crate::error::Problems;
use crate::i18n::T;
use crate::notifications::{server::Send, Kind};
use crate::places::server::ACTIVITIES;
use crate::store::{Millis, Store};
use crate::time::format_local;

/// Sign-ups close this long before the start.
pub const SIGNUP_CLOSES_BEFORE_MS: i64 = 2 * 3_600_000;

pub fn hours_text(minutes: i64) -> String {
    let tenths = (minutes * 10 + 30) / 60;
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// The start of the current Beijing calendar year, UTC ms.
fn year_start(now: i64) -> i64 {
    use chrono::Datelike;
    let local = crate::time::to_local(now);
    chrono::NaiveDate::from_ymd_opt(local.year(), 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|d| d.and_local_timezone(crate::time::beijing()).single())
        .map(|d| d.timestamp_millis())
        .unwrap_or(0)
}

/// Volunteer minutes credited this year: the user's (if any) and the community's.
pub async fn hours_this_year(store: &Store, community: i64, user: Option<i64>) -> Result<(i64, i64), AppError> {
    let since = year_start(Millis::now().0);
    let all: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(s.credited_minutes), 0) AS BIGINT) FROM activity_signups s JOIN activities a ON a.id = s.activity_id \
         WHERE a.community_id = $1 AND s.attended_at IS NOT NULL AND a.starts_at >= $2",
    )
    .bind(community)
    .bind(since)
    .fetch_one(store.pool())
    .await?;
    let mine: i64 = match user {
        Some(u) => sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(s.credited_minutes), 0) AS BIGINT) FROM activity_signups s JOIN activities a ON a.id = s.activity_id \
             WHERE s.user_id = $1 AND s.attended_at IS NOT NULL AND a.starts_at >= $2",
        )
        .bind(u)
        .bind(since)
        .fetch_one(store.pool())
        .await?,
        None => 0,
    };
    Ok((mine, all))
}

pub async fn page(store: &Store, user: &SessionUser) -> Result<ActivitiesPage, AppError> {
    if user.role.home_level() != crate::auth::Level::Community {
        return Err(AppError::Forbidden);
    }
    let community = user.region_id;
    let station = user.role.is_station_team();
    let now = Millis::now().0;
    #[derive(sqlx::FromRow)]
    struct A {
        id: i64,
        title: String,
        category: String,
        description: String,
        place: String,
        starts_at: i64,
        ends_at: i64,
        signup_deadline: i64,
        capacity: i64,
        taken: i64,
        credit_minutes: i64,
    }
    let rows: Vec<A> = sqlx::query_as(
        "SELECT id, title, category, description, place, starts_at, ends_at, signup_deadline, capacity, taken, credit_minutes \
         FROM activities WHERE community_id = $1 AND starts_at > $2 ORDER BY starts_at LIMIT 100",
    )
    .bind(community)
    .bind(now - 60 * 86_400_000)
    .fetch_all(store.pool())
    .await?;
    let mut upcoming = Vec::new();
    let mut past = Vec::new();
    for a in rows {
        let signups: Vec<(i64, String, i64, Option<i64>, String, String)> = sqlx::query_as(
            "SELECT s.user_id, s.status, s.queued_at, s.attended_at, u.display_name, u.phone FROM activity_signups s \
             JOIN users u ON u.id = s.user_id WHERE s.activity_id = $1 AND s.status <> 'cancelled' ORDER BY s.queued_at, s.user_id",
        )
        .bind(a.id)
        .fetch_all(store.pool())
        .await?;
        let waitlist: Vec<i64> = signups.iter().filter(|s| s.1 == "waitlist").map(|s| s.0).collect();
        let me = signups.iter().find(|s| s.0 == user.id);
        let v = ActivityView {
            id: a.id,
            title: a.title,
            category: a.category,
            description: a.description,
            place: a.place,
            starts: format_local(a.starts_at),
            ends: crate::time::to_local(a.ends_at).format("%H:%M").to_string(),
            deadline: format_local(a.signup_deadline),
            open_for_signup: now < a.signup_deadline,
            started: now >= a.starts_at,
            capacity: a.capacity,
            taken: a.taken,
            waiting: waitlist.len() as i64,
            hours: hours_text(a.credit_minutes),
            mine: me.map(|s| if s.1 == "confirmed" { SignupOutcome::Confirmed } else { SignupOutcome::Waitlisted }),
            waitlist_position: waitlist.iter().position(|u| *u == user.id).map(|p| p as i64 + 1),
            attended: me.is_some_and(|s| s.3.is_some()),
            attendees: if station {
                signups
                    .iter()
                    .map(|s| Attendee {
                        user_id: s.0,
                        name: s.4.clone(),
                        phone: mask_phone(&s.5),
                        waiting: s.1 == "waitlist",
                        attended: s.3.is_some(),
                    })
                    .collect()
            } else {
                Vec::new()
            },
        };
        if a.ends_at > now {
            upcoming.push(v);
        } else {
            past.push(v);
        }
    }
    past.reverse();
    let (mine, all) = hours_this_year(store, community, Some(user.id)).await?;
    Ok(ActivitiesPage {
        upcoming,
        past,
        my_hours: hours_text(mine),
        community_hours: hours_text(all),
        station,
        resident: user.role == Role::Resident,
    })
}

pub struct NewActivity<'a> {
    pub title: &'a str,
    pub category: &'a str,
    pub description: &'a str,
    pub place: &'a str,
    pub date: &'a str,
    pub start: &'a str,
    pub end: &'a str,
    pub capacity: &'a str,
    pub hours: &'a str,
    /// Sign-up closes this many hours before the start (blank: 2).
    pub deadline_hours: &'a str,
}

fn parse_local(date: &str, time: &str) -> Option<i64> {
    let d = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let t = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    d.and_time(t).and_local_timezone(crate::time::beijing()).single().map(|x| x.timestamp_millis())
}

pub async fn publish(store: &Store, user: &SessionUser, a: NewActivity<'_>) -> Result<i64, AppError> {
    if !user.role.is_station_team() {
        return Err(AppError::Forbidden);
    }
    let now = Millis::now().0;
    let mut p = Problems::default();
    let title = a.title.trim();
    match title.chars().count() {
        0 => p.add("title", T::ErrRequired),
        n if n > 80 => p.add("title", T::ErrTitleLength),
        _ => {}
    }
    if !CATEGORIES.contains(&a.category) {
        p.add("category", T::ErrRequired);
    }
    let place = a.place.trim();
    if place.is_empty() {
        p.add("place", T::ErrRequired);
    }
    let (starts, ends) = (parse_local(a.date, a.start), parse_local(a.date, a.end));
    match (starts, ends) {
        (None, _) => p.add("start", T::ErrDateTime),
        (_, None) => p.add("end", T::ErrDateTime),
        (Some(s), _) if s <= now => p.add("start", T::ErrActivityTooSoon),
        (Some(s), Some(e)) if e <= s => p.add("end", T::ErrEndBeforeStart),
        _ => {}
    }
    let capacity = a.capacity.trim().parse::<i64>().ok().filter(|c| (1..=500).contains(c));
    if capacity.is_none() {
        p.add("capacity", T::ErrCapacity);
    }
    let minutes =
        a.hours.trim().parse::<f64>().ok().filter(|h| (0.0..=24.0).contains(h)).map(|h| (h * 60.0).round() as i64);
    if minutes.is_none() {
        p.add("hours", T::ErrVolunteerHours);
    }
    let closes_before = match a.deadline_hours.trim() {
        "" => Some(SIGNUP_CLOSES_BEFORE_MS),
        h => h.parse::<i64>().ok().filter(|h| (0..=168).contains(h)).map(|h| h * 3_600_000),
    };
    if closes_before.is_none() {
        p.add("deadline_hours", T::ErrDeadlineHours);
    }
    p.into_result()?;
    let (Some(starts), Some(ends), Some(capacity), Some(minutes), Some(closes_before)) =
        (starts, ends, capacity, minutes, closes_before)
    else {
        return Err(AppError::Internal);
    };
    let mut tx = store.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO activities (community_id, title, category, description, place, starts_at, ends_at, signup_deadline, \
         capacity, credit_minutes, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(user.region_id)
    .bind(title)
    .bind(a.category)
    .bind(a.description.trim().chars().take(2000).collect::<String>())
    .bind(place)
    .bind(starts)
    .bind(ends)
    .bind(starts - closes_before)
    .bind(capacity)
    .bind(minutes)
    .bind(user.id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn activity_of(store: &Store, id: i64) -> Result<(i64, i64, i64, i64, String), AppError> {
    let row: Option<(i64, i64, i64, i64, String)> = sqlx::query_as(
        "SELECT community_id, starts_at, signup_deadline, credit_minutes, title FROM activities WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.ok_or(AppError::NotFound)
}

pub async fn signup(store: &Store, user: &SessionUser, id: i64, join: bool) -> Result<(), AppError> {
    let (community, starts, deadline, _, title) = activity_of(store, id).await?;
    if user.region_id != community || user.role.home_level() != crate::auth::Level::Community {
        return Err(AppError::NotFound);
    }
    if user.role != Role::Resident {
        return Err(AppError::Forbidden);
    }
    let now = Millis::now().0;
    if (join && now >= deadline) || now >= starts {
        return Err(AppError::invalid("id", T::ErrSignupClosed));
    }
    let mut tx = store.write().await?;
    if join {
        ACTIVITIES.join(&mut tx, id, user.id, now).await?;
    } else if let Some(promoted) = ACTIVITIES.leave(&mut tx, id, user.id).await? {
        let notice = Send::new(promoted, Kind::ActivityPromoted).detail(&title).link(format!("/activities#a{id}"));
        crate::notifications::server::send(&mut tx, notice).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn attended(store: &Store, user: &SessionUser, id: i64, volunteer: i64) -> Result<(), AppError> {
    let (community, starts, _, minutes, _) = activity_of(store, id).await?;
    if !user.role.is_station_team() || user.region_id != community {
        return Err(AppError::Forbidden);
    }
    let now = Millis::now().0;
    if now < starts {
        return Err(AppError::invalid("id", T::ErrNotStartedYet));
    }
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE activity_signups SET attended_at = $1, credited_minutes = $2 \
         WHERE activity_id = $3 AND user_id = $4 AND status = 'confirmed' AND attended_at IS NULL",
    )
    .bind(now)
    .bind(minutes)
    .bind(id)
    .bind(volunteer)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::WrongState);
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hours_are_shown_to_a_tenth() {
        assert_eq!(super::hours_text(0), "0");
        assert_eq!(super::hours_text(120), "2");
        assert_eq!(super::hours_text(90), "1.5");
        assert_eq!(super::hours_text(100), "1.7");
    }
}
