//! Home visits (上门服务): a resident, or a relative for them, asks the station to come. The
//! request becomes a work item of kind home visit routed to the building's area director,
//! who proposes a time; the resident accepts or asks for another; the outcome is recorded.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

pub const PREFERRED: [&str; 4] = ["any", "weekday_morning", "weekday_afternoon", "weekend"];
pub const MOBILITY: [&str; 4] = ["none", "elderly", "wheelchair", "bedridden"];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalView {
    pub id: i64,
    pub when: String,
    pub status: String,
    pub note: String,
}

/// What the demand page shows of a home visit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitPanel {
    pub demand_id: i64,
    pub preferred: String,
    pub preferred_note: String,
    pub mobility: String,
    pub mobility_note: String,
    pub proposals: Vec<ProposalView>,
    pub outcome: String,
    /// The station may propose a time (nothing pending or agreed).
    pub can_propose: bool,
    /// The proposal the requester may answer.
    pub can_answer: Option<i64>,
    /// The station may record the outcome (a time was agreed).
    pub can_record: bool,
}

#[server(endpoint = "visits/request")]
#[allow(clippy::too_many_arguments)]
pub async fn request_visit(
    for_whom: Option<String>,
    reason: String,
    preferred: String,
    preferred_note: String,
    mobility: String,
    mobility_note: String,
    idempotency_key: String,
) -> Result<(), AppError> {
    let result = async {
        let user = crate::auth::server::require_user()?;
        let for_whom = for_whom.and_then(|f| f.trim().parse::<i64>().ok()).unwrap_or(user.id);
        let id = server::request(
            &crate::request::store()?,
            &user,
            server::Request {
                for_whom,
                reason: &reason,
                preferred: &preferred,
                preferred_note: &preferred_note,
                mobility: &mobility,
                mobility_note: &mobility_note,
                key: &idempotency_key,
            },
        )
        .await?;
        crate::form::server::forget("visit").await;
        crate::request::redirect(&format!("/demands/{id}"));
        Ok(())
    }
    .await;
    if result.is_err() {
        crate::form::server::keep_input(
            "visit",
            &[
                ("reason", &reason),
                ("preferred", &preferred),
                ("preferred_note", &preferred_note),
                ("mobility", &mobility),
                ("mobility_note", &mobility_note),
                ("idempotency_key", &idempotency_key),
            ],
        )
        .await;
    }
    result
}

/// The station proposes a visit time (`date` `YYYY-MM-DD`, `time` `HH:MM`, Beijing).
#[server(endpoint = "visits/propose")]
pub async fn propose_visit(demand_id: i64, date: String, time: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    server::propose(&crate::request::store()?, &user, demand_id, &date, &time).await?;
    crate::request::redirect(&format!("/demands/{demand_id}"));
    Ok(())
}

/// The resident accepts (`accept` = "1") or asks for another time (with a note).
#[server(endpoint = "visits/answer")]
pub async fn answer_visit(proposal_id: i64, accept: String, note: Option<String>) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let demand =
        server::answer(&crate::request::store()?, &user, proposal_id, accept == "1", note.as_deref().unwrap_or(""))
            .await?;
    crate::request::redirect(&format!("/demands/{demand}"));
    Ok(())
}

#[server(endpoint = "visits/outcome")]
pub async fn record_visit(demand_id: i64, outcome: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    server::record(&crate::request::store()?, &user, demand_id, &outcome).await?;
    crate::request::redirect(&format!("/demands/{demand_id}"));
    Ok(())
}
