//! Station appointments (预约, "one window, one visit"): residents book a time at the station
//! for an affair and bring the right documents; staff keep the day. Capacity lives in the
//! database and is taken by conditional updates, so it holds across server instances.

use crate::error::AppError;
use crate::i18n::Named;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

/// An affair one can book for, with what to bring.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookableAffair {
    pub code: String,
    pub name: Named,
    pub minutes: i64,
    pub documents: Vec<Named>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeSlot {
    pub start: i64,
    pub label: String,
    pub places_left: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySlots {
    pub date: String,
    pub label: String,
    pub slots: Vec<FreeSlot>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub id: i64,
    pub affair_code: Option<String>,
    pub affair: Option<Named>,
    pub when: String,
    pub ends: String,
    pub status: String,
    pub can_cancel: bool,
    pub documents: Vec<Named>,
    pub upcoming: bool,
    /// On the booking's own page, once served: the resident's rating card.
    pub rating: Option<crate::ratings::RatingCard>,
}

/// The booking page: what one can book, the chosen affair's days and slots, my bookings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingPage {
    pub affairs: Vec<BookableAffair>,
    pub chosen: Option<BookableAffair>,
    pub days: Vec<DaySlots>,
    pub mine: Vec<Booking>,
    /// Set when the resident may not book now (no-shows), until then.
    pub banned_until: Option<String>,
}

/// One line of the staff day view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayLine {
    pub id: i64,
    pub time: String,
    pub resident: String,
    pub phone: String,
    pub affair: Option<Named>,
    pub status: String,
    pub walk_in: bool,
    pub started: bool,
    pub demand_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationDay {
    pub date: String,
    pub lines: Vec<DayLine>,
    pub capacity: i64,
    pub capacity_setting: Option<i64>,
    pub hours: Vec<String>,
    pub closed: Vec<(String, String)>,
    pub affairs: Vec<(String, Named)>,
    /// Affairs whose appointment is longer than one slot: (code, minutes).
    pub durations: Vec<(String, i64)>,
}

#[server(endpoint = "appointments")]
pub async fn load_booking_page(affair: String) -> Result<BookingPage, AppError> {
    let user = crate::auth::server::require_user()?;
    server::page(&crate::request::store()?, &user, &affair).await
}

/// Books `start` (UTC ms) for `affair`. Idempotent on the key.
#[server(endpoint = "appointments/book")]
pub async fn book(affair: String, start: String, idempotency_key: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let start = start.trim().parse::<i64>().map_err(|_| AppError::invalid("start", crate::i18n::T::ErrChooseSlot))?;
    let id = server::book(&crate::request::store()?, &user, &affair, start, &idempotency_key).await?;
    crate::request::redirect(&format!("/appointments/{id}"));
    Ok(())
}

#[server(endpoint = "appointments/one")]
pub async fn load_booking(id: i64) -> Result<Booking, AppError> {
    let user = crate::auth::server::require_user()?;
    server::one(&crate::request::store()?, &user, id).await
}

#[server(endpoint = "appointments/cancel")]
pub async fn cancel(id: i64) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    server::cancel(&crate::request::store()?, &user, id).await?;
    crate::request::redirect("/appointments");
    Ok(())
}

/// Moves a booking to another free time (until 1 hour before): the new place is taken and
/// the old one released in one transaction, or nothing changes.
#[server(endpoint = "appointments/reschedule")]
pub async fn reschedule(id: i64, start: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let start = start.trim().parse::<i64>().map_err(|_| AppError::invalid("start", crate::i18n::T::ErrChooseSlot))?;
    server::reschedule(&crate::request::store()?, &user, id, start).await?;
    crate::request::redirect(&format!("/appointments/{id}"));
    Ok(())
}

#[server(endpoint = "station/appointments")]
pub async fn load_station_day(date: String) -> Result<StationDay, AppError> {
    let user = crate::auth::server::require_user()?;
    server::day(&crate::request::store()?, &user, &date).await
}

/// Staff mark a booking: `arrived` (check-in), `no_show` (after its start), or `follow_up`
/// (it becomes a work item in the demands pipeline).
#[server(endpoint = "station/appointments/mark")]
pub async fn mark(id: i64, mark: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let date = server::mark(&crate::request::store()?, &user, id, &mark).await?;
    crate::request::redirect(&format!("/station/appointments?date={date}"));
    Ok(())
}

/// A walk-in: a resident found by phone, served now (recorded as arrived).
#[server(endpoint = "station/appointments/walk-in")]
pub async fn walk_in(phone: String, affair: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let date = server::walk_in(&crate::request::store()?, &user, &phone, &affair).await?;
    crate::request::redirect(&format!("/station/appointments?date={date}"));
    Ok(())
}

/// Station settings: places per slot (blank: general social workers on duty), opening hours
/// (one line per period: `weekday HH:MM-HH:MM`, weekday 1 = Monday … 7 = Sunday), closed days
/// (one per line: `YYYY-MM-DD reason`).
#[server(endpoint = "station/appointments/settings")]
pub async fn save_settings(
    capacity: String,
    hours: String,
    closed: String,
    durations: Option<String>,
) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let durations = durations.unwrap_or_default();
    server::save_settings(&crate::request::store()?, &user, &capacity, &hours, &closed, &durations).await?;
    crate::request::redirect("/station/appointments");
    Ok(())
}

/// The feature's own routes: a booking's calendar file.
#[cfg(feature = "ssr")]
pub fn routes() -> axum::Router<crate::request::AppState> {
    axum::Router::new().route("/appointments/{id}/ics", axum::routing::get(server::booking_ics))
}
