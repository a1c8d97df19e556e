//! The station's rooms and things for residents (场地和物品预约): the activity room, the
//! meeting room, the shared tool cabinet, the emergency kit. Residents book them in the
//! station's hours on appointments' grid and window; a place is taken by a conditional
//! update of the space's grid slot, so capacity holds across instances. Spaces that need it
//! wait for the station's approval, holding their place meanwhile; the station approves or
//! refuses with a reason, and the resident is told.

use crate::appointments::DaySlots;
use crate::error::AppError;
use crate::i18n::Named;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

use rules::{BookingStatus, SpaceKind};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceCard {
    pub code: String,
    pub kind: SpaceKind,
    pub name: Named,
    pub about: String,
    pub capacity: i64,
    pub max_hours: i64,
    pub approval: bool,
    pub retired: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceBooking {
    pub id: i64,
    pub space: Named,
    pub space_code: String,
    pub kind: SpaceKind,
    pub when: String,
    pub ends: String,
    pub status: BookingStatus,
    pub purpose: String,
    pub people: i64,
    pub decision_note: String,
    pub can_cancel: bool,
    pub upcoming: bool,
    /// For the station only: who booked (name, building and room, masked phone).
    pub booker: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpacesPage {
    pub spaces: Vec<SpaceCard>,
    pub mine: Vec<SpaceBooking>,
    /// The station's hours, which every booking keeps to.
    pub hours: Vec<crate::appointments::rules::Opening>,
}

/// One space's free times for a booking of `hours`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceTimes {
    pub space: SpaceCard,
    pub hours: i64,
    pub days: Vec<DaySlots>,
}

/// The station's desk: bookings waiting for a decision, the coming approved ones, the spaces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpacesDesk {
    pub waiting: Vec<SpaceBooking>,
    pub coming: Vec<SpaceBooking>,
    pub spaces: Vec<SpaceCard>,
    /// The stationmaster or a deputy: may add and change spaces.
    pub may_edit: bool,
}

#[server(endpoint = "spaces")]
pub async fn load_spaces() -> Result<SpacesPage, AppError> {
    let user = crate::auth::server::require_user()?;
    server::page(&crate::request::store()?, &user).await
}

#[server(endpoint = "spaces/times")]
pub async fn load_space_times(code: String, hours: Option<i64>) -> Result<SpaceTimes, AppError> {
    let user = crate::auth::server::require_user()?;
    server::times(&crate::request::store()?, &user, &code, hours.unwrap_or(1)).await
}

/// Books `space` from `start` (UTC ms) for `hours`. Idempotent on the key.
#[server(endpoint = "spaces/book")]
pub async fn book_space(
    space: String,
    // Absent when no time was chosen: the form still comes back with its fields named.
    start: Option<String>,
    hours: String,
    purpose: String,
    people: Option<String>,
    idempotency_key: String,
) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let store = crate::request::store()?;
    let (people, start) = (people.unwrap_or_default(), start.unwrap_or_default());
    match server::book(&store, &user, &space, &start, &hours, &purpose, &people, &idempotency_key).await {
        Ok(id) => {
            crate::form::server::forget("space-book").await;
            crate::request::redirect(&format!("/spaces/bookings/{id}"));
            Ok(())
        }
        Err(e) => {
            crate::form::server::keep_input("space-book", &[("purpose", &purpose), ("people", &people)]).await;
            Err(e)
        }
    }
}

#[server(endpoint = "spaces/booking")]
pub async fn load_space_booking(id: i64) -> Result<SpaceBooking, AppError> {
    let user = crate::auth::server::require_user()?;
    server::one(&crate::request::store()?, &user, id).await
}

#[server(endpoint = "spaces/cancel")]
pub async fn cancel_space_booking(id: i64) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    server::cancel(&crate::request::store()?, &user, id).await?;
    crate::request::redirect(&format!("/spaces/bookings/{id}"));
    Ok(())
}

#[server(endpoint = "spaces/desk")]
pub async fn load_spaces_desk() -> Result<SpacesDesk, AppError> {
    let user = crate::auth::server::require_staff()?;
    server::desk(&crate::request::store()?, &user).await
}

/// The station approves or refuses a waiting booking (`decision`: approve | refuse).
#[server(endpoint = "spaces/decide")]
pub async fn decide_space_booking(id: i64, decision: String, note: Option<String>) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    server::decide(&crate::request::store()?, &user, id, &decision, &note.unwrap_or_default()).await?;
    crate::request::redirect("/station/spaces");
    Ok(())
}

/// Adds a space, or changes the one with this code (`retired` takes it off the residents' list).
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "spaces/save")]
pub async fn save_space(
    code: String,
    kind: String,
    name_zh: String,
    name_en: String,
    about: Option<String>,
    capacity: String,
    max_hours: String,
    approval: Option<String>,
    retired: Option<String>,
) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    let about = about.unwrap_or_default();
    let draft = rules::check_space(&code, &kind, &name_zh, &name_en, &about, &capacity, &max_hours, approval.is_some());
    match server::save(&store, &user, draft, retired.is_some()).await {
        Ok(()) => {
            crate::form::server::forget("space-save").await;
            crate::request::redirect("/station/spaces");
            Ok(())
        }
        Err(e) => {
            let fields = [
                ("code", code.as_str()),
                ("kind", kind.as_str()),
                ("name_zh", name_zh.as_str()),
                ("name_en", name_en.as_str()),
                ("about", about.as_str()),
                ("capacity", capacity.as_str()),
                ("max_hours", max_hours.as_str()),
            ];
            crate::form::server::keep_input("space-save", &fields).await;
            Err(e)
        }
    }
}
