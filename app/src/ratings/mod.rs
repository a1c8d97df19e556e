//! Satisfaction after closure (满意度评价) and the worker's own assessment. Every kind of work
//! item (demands, home visits, autonomy projects) is rated the same way on its case page, and
//! so is a served appointment on its own page.

use crate::error::AppError;
use crate::i18n::{Named, T};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod units;
pub mod views;

pub fn level_label(n: i64) -> T {
    match n {
        5 => T::LevelVerySatisfied,
        4 => T::LevelSatisfied,
        3 => T::LevelBasicallySatisfied,
        2 => T::LevelDissatisfied,
        _ => T::LevelVeryDissatisfied,
    }
}

crate::codes! {
    /// A unit that had a part in a case: a department whistled to, a partner handed it.
    pub enum UnitKind {
        Department = "department",
        Partner = "partner",
    }
}

/// A unit's part in a case, as the rating card shows it (双向考核).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitPart {
    /// The form's name for it: `department-3`, `partner-12`.
    pub key: String,
    pub kind: UnitKind,
    pub name: Named,
    pub score: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingCard {
    /// What is rated: a case (by its demand) or a served appointment.
    pub demand_id: i64,
    pub appointment_id: Option<i64>,
    pub scores: Option<rules::Scores>,
    pub comment: String,
    /// The requester may rate or change the rating (closed, within the window).
    pub can_rate: bool,
    pub window_ends: String,
    /// Staff see the callback it opened.
    pub callback_demand: Option<i64>,
    /// The departments and partners that had a part, rated with the case (optional).
    #[serde(default)]
    pub units: Vec<UnitPart>,
}

/// The worker's assessment (staff only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub difficulty: i64,
    pub cooperation: i64,
    pub helped: String,
    pub author: String,
}

#[server(endpoint = "ratings/rate")]
pub async fn rate_case(
    demand_id: i64,
    overall: String,
    timeliness: String,
    attitude: String,
    outcome: String,
    comment: String,
    u: Option<BTreeMap<String, String>>,
) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let scores = rules::Scores::from_form(&overall, &timeliness, &attitude, &outcome);
    server::rate(&crate::request::store()?, &user, demand_id, scores, &comment, &u.unwrap_or_default()).await?;
    crate::request::redirect(&format!("/demands/{demand_id}#rating"));
    Ok(())
}

/// The resident rates a served appointment (arrived or walk-in), the same five levels.
#[server(endpoint = "ratings/rate-appointment")]
pub async fn rate_appointment(
    appointment_id: i64,
    overall: String,
    timeliness: String,
    attitude: String,
    outcome: String,
    comment: String,
) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let scores = rules::Scores::from_form(&overall, &timeliness, &attitude, &outcome);
    server::rate_appointment(&crate::request::store()?, &user, appointment_id, scores, &comment).await?;
    crate::request::redirect(&format!("/appointments/{appointment_id}#rating"));
    Ok(())
}

#[server(endpoint = "ratings/assess")]
pub async fn assess_case(
    demand_id: i64,
    difficulty: String,
    cooperation: String,
    helped: String,
) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let n = |v: &str| v.trim().parse::<i64>().unwrap_or(0);
    server::assess(&crate::request::store()?, &user, demand_id, n(&difficulty), n(&cooperation), &helped).await?;
    crate::request::redirect(&format!("/demands/{demand_id}#assessment"));
    Ok(())
}
