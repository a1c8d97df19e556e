//! Household visits (入户走访, 包片入户): the station keeps a register of its households with
//! care flags (elderly living alone, disability, hardship…: staff only, every change logged),
//! area directors plan and record visits (day, topics, a note, the follow-up case if one was
//! filed), and everyone on the team sees each grid area's coverage this quarter. A round
//! lists who to visit next: planned visits, then households with care flags not yet seen this
//! quarter, then the longest unvisited.

use crate::error::AppError;
use crate::i18n::Named;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

use rules::{CareFlag, Topic};

/// One grid area's coverage this quarter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaCoverage {
    pub code: String,
    pub name: Named,
    pub households: i64,
    pub visited: i64,
    pub cared_for: i64,
    pub cared_for_visited: i64,
}

/// A household on a round or a building's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdLine {
    pub id: i64,
    pub address: String,
    pub care: Vec<CareFlag>,
    pub plan_on: Option<String>,
    pub last_visit: Option<String>,
    /// Residents registered at this address.
    pub residents: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundsPage {
    pub quarter: String,
    pub areas: Vec<AreaCoverage>,
    /// The area shown (code), and its buildings (code, name).
    pub area: Option<String>,
    pub buildings: Vec<(String, Named)>,
    /// The building shown instead of the round, if one was chosen.
    pub building: Option<String>,
    pub lines: Vec<HouseholdLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitLine {
    pub visited_on: String,
    pub visitor: String,
    pub topics: Vec<Topic>,
    pub note: String,
    pub demand: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareChange {
    pub at: String,
    pub by: String,
    pub before: Vec<CareFlag>,
    pub after: Vec<CareFlag>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdPage {
    pub id: i64,
    pub address: String,
    pub area: String,
    pub care: Vec<CareFlag>,
    pub plan_on: Option<String>,
    /// Names of the residents registered here (the station team's own residents).
    pub residents: Vec<String>,
    pub visits: Vec<VisitLine>,
    pub care_log: Vec<CareChange>,
    pub today: String,
}

#[server(endpoint = "rounds")]
pub async fn load_rounds(area: Option<String>, building: Option<String>) -> Result<RoundsPage, AppError> {
    let user = crate::auth::server::require_staff()?;
    let pick = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    server::overview(&crate::request::store()?, &user, pick(area), pick(building)).await
}

#[server(endpoint = "rounds/household")]
pub async fn load_household(id: i64) -> Result<HouseholdPage, AppError> {
    let user = crate::auth::server::require_staff()?;
    server::household(&crate::request::store()?, &user, id).await
}

/// Records a visit (`topics[health]=1`…). Idempotent on the key.
#[server(endpoint = "rounds/visit")]
pub async fn record_visit(
    household: i64,
    visited_on: String,
    topics: Option<BTreeMap<String, String>>,
    note: Option<String>,
    demand: Option<String>,
    idempotency_key: String,
) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    let topics = topics.unwrap_or_default();
    let chosen: Vec<&str> = topics.keys().map(String::as_str).collect();
    let (note, demand) = (note.unwrap_or_default(), demand.unwrap_or_default());
    match server::record(&store, &user, household, &visited_on, &chosen, &note, &demand, &idempotency_key).await {
        Ok(()) => {
            crate::form::server::forget("visit-record").await;
            crate::request::redirect(&format!("/station/rounds/{household}"));
            Ok(())
        }
        Err(e) => {
            let mut kept =
                vec![("visited_on", visited_on.as_str()), ("note", note.as_str()), ("demand", demand.as_str())];
            let names: Vec<String> = chosen.iter().map(|t| format!("topics[{t}]")).collect();
            kept.extend(names.iter().map(|n| (n.as_str(), "1")));
            crate::form::server::keep_input("visit-record", &kept).await;
            Err(e)
        }
    }
}

/// Sets the household's care flags (`care[alone_elderly]=1`…); the change is logged.
#[server(endpoint = "rounds/care")]
pub async fn set_care(household: i64, care: Option<BTreeMap<String, String>>) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let care = care.unwrap_or_default();
    let chosen: Vec<&str> = care.keys().map(String::as_str).collect();
    server::set_care(&crate::request::store()?, &user, household, &chosen).await?;
    crate::request::redirect(&format!("/station/rounds/{household}"));
    Ok(())
}

/// Plans the next visit for a day (empty: no plan).
#[server(endpoint = "rounds/plan")]
pub async fn plan_visit(household: i64, plan_on: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    server::plan(&crate::request::store()?, &user, household, &plan_on).await?;
    crate::request::redirect(&format!("/station/rounds/{household}"));
    Ok(())
}

/// Adds a household to the register (or opens the one at that address).
#[server(endpoint = "rounds/add")]
pub async fn add_household(building: String, unit_no: String, room: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let id = server::add(&crate::request::store()?, &user, &building, &unit_no, &room).await?;
    crate::request::redirect(&format!("/station/rounds/{id}"));
    Ok(())
}

/// Adds every address residents registered with that the register lacks.
#[server(endpoint = "rounds/import")]
pub async fn import_households() -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    server::import(&crate::request::store()?, &user).await?;
    crate::request::redirect("/station/rounds");
    Ok(())
}
