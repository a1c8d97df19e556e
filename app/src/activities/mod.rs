//! Volunteer activities (志愿活动): the station publishes public-service activities; residents
//! sign up (a waitlist when full, moved up when someone cancels); attendance marked by staff
//! credits volunteer hours, shown on the resident's Me page and as a community total.

use crate::error::AppError;
use crate::places::SignupOutcome;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

pub const CATEGORIES: [&str; 5] = ["garbage_sorting", "safety_patrol", "culture_sports", "welfare", "other"];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub user_id: i64,
    pub name: String,
    pub phone: String,
    pub waiting: bool,
    pub attended: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub description: String,
    pub place: String,
    pub starts: String,
    pub ends: String,
    pub deadline: String,
    pub open_for_signup: bool,
    pub started: bool,
    pub capacity: i64,
    pub taken: i64,
    pub waiting: i64,
    pub hours: String,
    pub mine: Option<SignupOutcome>,
    pub waitlist_position: Option<i64>,
    pub attended: bool,
    /// Staff only.
    pub attendees: Vec<Attendee>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivitiesPage {
    pub upcoming: Vec<ActivityView>,
    pub past: Vec<ActivityView>,
    /// Volunteer hours credited this year (Beijing calendar year), as text: mine and the community's.
    pub my_hours: String,
    pub community_hours: String,
    pub station: bool,
    pub resident: bool,
}

#[server(endpoint = "activities")]
pub async fn load_activities() -> Result<ActivitiesPage, AppError> {
    let user = crate::auth::server::require_user()?;
    server::page(&crate::request::store()?, &user).await
}

/// Staff publish an activity: date `YYYY-MM-DD`, times `HH:MM` (Beijing), sign-up deadline
/// hours before the start, hours credited.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "activities/publish")]
pub async fn publish_activity(
    title: String,
    category: String,
    description: String,
    place: String,
    date: String,
    start: String,
    end: String,
    capacity: String,
    hours: String,
    deadline_hours: Option<String>,
) -> Result<(), AppError> {
    let deadline_hours = deadline_hours.unwrap_or_default();
    let result = async {
        let user = crate::auth::server::require_user()?;
        server::publish(
            &crate::request::store()?,
            &user,
            server::NewActivity {
                title: &title,
                category: &category,
                description: &description,
                place: &place,
                date: &date,
                start: &start,
                end: &end,
                capacity: &capacity,
                hours: &hours,
                deadline_hours: &deadline_hours,
            },
        )
        .await?;
        crate::request::redirect("/activities");
        Ok(())
    }
    .await;
    if result.is_err() {
        crate::form::server::keep_input(
            "activity",
            &[
                ("title", &title),
                ("category", &category),
                ("description", &description),
                ("place", &place),
                ("date", &date),
                ("start", &start),
                ("end", &end),
                ("capacity", &capacity),
                ("hours", &hours),
                ("deadline_hours", &deadline_hours),
            ],
        )
        .await;
    }
    result
}

/// Sign up (`join` = "1") or cancel.
#[server(endpoint = "activities/signup")]
pub async fn activity_signup(id: i64, join: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    server::signup(&crate::request::store()?, &user, id, join == "1").await?;
    crate::request::redirect(&format!("/activities#a{id}"));
    Ok(())
}

/// Staff mark a confirmed volunteer as attended: their hours are credited.
#[server(endpoint = "activities/attended")]
pub async fn mark_attended(id: i64, user_id: i64) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    server::attended(&crate::request::store()?, &user, id, user_id).await?;
    crate::request::redirect(&format!("/activities#a{id}"));
    Ok(())
}
