//! Server functions for the station's work on items. Each checks the session, the role and
//! the item's community itself (see `server::item_for` and `relation`).

use crate::error::AppError;
use crate::work::rules::State;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// After a staff action: back to the demand page the form was on.
#[cfg(feature = "ssr")]
async fn back_to_demand(item: i64) -> Result<(), AppError> {
    let store = crate::request::store()?;
    let demand: Option<Option<i64>> = sqlx::query_scalar("SELECT demand_id FROM work_items WHERE id = $1")
        .bind(item)
        .fetch_optional(store.pool())
        .await?;
    let to = demand.flatten().map(|d| format!("/demands/{d}")).unwrap_or_else(|| "/station".to_string());
    crate::request::redirect(&to);
    Ok(())
}

#[server(endpoint = "work/reply")]
pub async fn reply(item: i64, text: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    super::server::reply(&crate::request::store()?, &user, item, &text).await?;
    back_to_demand(item).await
}

#[server(endpoint = "work/case-note")]
pub async fn case_note(item: i64, step: String, body: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    super::server::add_case_note(&crate::request::store()?, &user, item, &step, &body).await?;
    back_to_demand(item).await
}

/// Whistles departments. The form posts one `departments[i]` field per ticked department.
#[server(endpoint = "work/whistle")]
pub async fn whistle(
    item: i64,
    version: i64,
    departments: Option<Vec<i64>>,
    note: Option<String>,
) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let departments = departments.unwrap_or_default();
    super::server::whistle(
        &crate::request::store()?,
        &user,
        item,
        version,
        &departments,
        note.as_deref().unwrap_or(""),
    )
    .await?;
    back_to_demand(item).await
}

#[server(endpoint = "work/hand-off")]
pub async fn hand_off(item: i64, version: i64, partner: String, note: Option<String>) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let partner = partner.parse::<i64>().map_err(|_| AppError::invalid("partner", crate::i18n::T::ErrChoosePartner))?;
    super::server::hand_off(&crate::request::store()?, &user, item, version, partner, note.as_deref().unwrap_or(""))
        .await?;
    back_to_demand(item).await
}

#[server(endpoint = "work/hand-off-outcome")]
pub async fn hand_off_outcome(item: i64, version: i64, outcome: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    super::server::hand_off_outcome(&crate::request::store()?, &user, item, version, &outcome).await?;
    back_to_demand(item).await
}

#[server(endpoint = "work/reassign")]
pub async fn reassign(item: i64, version: i64, assignee: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let to = assignee.parse::<i64>().map_err(|_| AppError::invalid("assignee", crate::i18n::T::ErrChooseWorker))?;
    super::server::reassign(&crate::request::store()?, &user, item, version, to).await?;
    back_to_demand(item).await
}

#[server(endpoint = "work/urge")]
pub async fn urge(item: i64, note: Option<String>) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    super::server::urge(&crate::request::store()?, &user, item, note.as_deref().unwrap_or("")).await?;
    back_to_demand(item).await
}

/// A transition by the station from the board or the item page.
#[server(endpoint = "work/act")]
pub async fn act(
    item: i64,
    version: i64,
    action: String,
    note: Option<String>,
    back: Option<String>,
) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let action = super::rules::Action::parse(&action).ok_or(AppError::BadRequest)?;
    super::server::act(&crate::request::store()?, &user, item, version, action, note.as_deref().unwrap_or("")).await?;
    match crate::request::safe_next(back.as_deref()) {
        Some(to) => crate::request::redirect(&to),
        None => back_to_demand(item).await?,
    }
    Ok(())
}

#[server(endpoint = "work/check-in")]
pub async fn check_in(whistle: i64) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    super::server::check_in(&crate::request::store()?, &user, whistle).await?;
    crate::request::redirect("/station");
    Ok(())
}

#[server(endpoint = "work/report")]
pub async fn report(whistle: i64, report: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    super::server::report(&crate::request::store()?, &user, whistle, &report).await?;
    crate::request::redirect("/station");
    Ok(())
}

/// A station worker goes on or off duty (off duty: new items are not routed to them).
#[server(endpoint = "work/duty")]
pub async fn set_on_duty(on: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    if !user.role.is_station_team() {
        return Err(AppError::Forbidden);
    }
    crate::auth::server::set_on_duty(&crate::request::store()?, user.id, on == "1").await?;
    crate::request::redirect("/station");
    Ok(())
}

/// Filters of the station board, from its GET form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardFilter {
    pub state: Option<String>,
    pub area: Option<String>,
    pub family: Option<String>,
    pub urgency: Option<String>,
    pub overdue: bool,
    pub mine: bool,
    /// Where the page starts: the cursor of the previous page's last line.
    pub after: Option<String>,
}

/// One line of the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardLine {
    pub item_id: i64,
    pub demand_id: i64,
    /// Set for an autonomy project: its thread, where the station answers.
    pub thread_id: Option<i64>,
    pub version: i64,
    pub state: State,
    pub title: String,
    pub affair: Option<crate::i18n::Named>,
    pub family: Option<String>,
    pub urgency_emergency: bool,
    pub triage_transfer: bool,
    pub area: Option<crate::i18n::Named>,
    pub assignee: Option<String>,
    pub mine: bool,
    pub channel: String,
    pub posted: String,
    /// Milliseconds left to the next deadline (response if unanswered, else completion);
    /// negative when overdue.
    pub due_in_ms: i64,
    pub due_is_response: bool,
    pub overdue: bool,
    /// Whistles still waiting for a report: how many, how many checked in, how many late.
    pub whistles_waiting: i64,
    pub whistles_checked_in: i64,
    pub whistles_late: i64,
    /// A request to a unit's Open311 system failed and is being retried.
    pub remote_retrying: bool,
    /// A subdistrict or the district urged it, and the station has not answered yet.
    pub urged: bool,
    /// Residents who reported the same incident besides its requester (我也遇到了).
    #[serde(default)]
    pub joined: u32,
}

/// A whistle waiting on a department liaison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentLine {
    pub whistle_id: i64,
    pub item_id: i64,
    pub title: String,
    pub community: crate::i18n::Named,
    pub summoned: String,
    pub checkin_by: String,
    pub checked_in: bool,
    pub late: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub counts: Vec<(State, i64)>,
    pub overdue: i64,
    pub lines: Vec<BoardLine>,
    pub areas: Vec<(String, crate::i18n::Named)>,
    pub on_duty: bool,
    pub can_urge: bool,
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
}

/// The board. Every filter is optional (missing means "any").
#[server(endpoint = "station/board")]
pub async fn station_board(
    state: Option<String>,
    area: Option<String>,
    family: Option<String>,
    urgency: Option<String>,
    overdue: Option<bool>,
    mine: Option<bool>,
    after: Option<String>,
) -> Result<Board, AppError> {
    let filter = BoardFilter {
        state,
        area,
        family,
        urgency,
        overdue: overdue.unwrap_or(false),
        mine: mine.unwrap_or(false),
        after,
    };
    let user = crate::auth::server::require_staff()?;
    if !user.role.is_station_team() {
        return Err(AppError::Forbidden);
    }
    super::board::query::board(&crate::request::store()?, &user, &filter).await
}

#[server(endpoint = "station/department")]
pub async fn department_board() -> Result<Vec<DepartmentLine>, AppError> {
    let user = crate::auth::server::require_staff()?;
    if user.role != crate::auth::Role::Department {
        return Err(AppError::Forbidden);
    }
    super::board::query::department(&crate::request::store()?, &user).await
}
