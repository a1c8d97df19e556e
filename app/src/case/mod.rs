//! The case page (`/demands/{id}`): a demand with its work item as each viewer may see it:
//! the live timeline, the requester's actions, the station's panel, a home visit's
//! proposals and the rating. It puts together the demands, work, visits and ratings
//! features, so none of them depends on another's page.

use crate::error::AppError;
use crate::i18n::Named;
use crate::work::rules::{Place, Triage, TriageReason, Urgency};
use crate::work::LiveStatus;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod contact;
pub mod panel;
#[cfg(feature = "ssr")]
pub mod server;
pub mod timeline;
pub mod views;

/// How the viewer stands to a demand, as far as the page cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewing {
    Requester,
    Station,
    Department,
    Overseer,
    Neighbour,
    /// Reported the same incident (我也遇到了): follows it and rates it, sees it as a
    /// neighbour does.
    CoRequester,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseNoteView {
    pub step: String,
    pub body: String,
    pub author: String,
    pub when: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhistleView {
    pub id: i64,
    pub department: Named,
    pub summoned: String,
    pub checkin_by: String,
    pub checked_in: Option<String>,
    pub reported: Option<String>,
    pub report: Option<String>,
    /// Not checked in and the check-in time has passed.
    pub late: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoffView {
    pub partner: Named,
    pub phone: String,
    pub handed: String,
    pub note: String,
    pub outcome: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerOption {
    pub id: i64,
    pub kind: String,
    pub name: Named,
    pub serves: Named,
    pub phone: String,
}

/// What staff see beside the demand. Never built for residents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffPanel {
    /// Full for the station team; masked for overseers and liaisons until they show it.
    pub requester_phone: String,
    /// The contact is masked here: the "show contact" form is offered.
    pub contact_masked: bool,
    /// Sent through Open311: the client system and the caller's contact (phone masked).
    pub open311_source: Option<String>,
    pub requester_address: String,
    /// Confidential: the station team of the community only.
    pub case_notes: Vec<CaseNoteView>,
    pub whistles: Vec<WhistleView>,
    pub handoffs: Vec<HandoffView>,
    pub departments: Vec<(i64, Named)>,
    pub partners: Vec<PartnerOption>,
    /// The partner the resident asked for, if any: offered first for the hand-off.
    pub asked_partner: Option<i64>,
    pub workers: Vec<(i64, String)>,
    /// The community's affairs, for the station team's correction of an open case's affair.
    pub affairs: Vec<(String, Named)>,
    pub can_act: bool,
    pub can_reassign: bool,
    pub can_urge: bool,
    /// The station, or an admin above it (街乡吹哨).
    pub can_whistle: bool,
    /// The worker's own assessment of the case (staff only).
    pub assessment: Option<crate::ratings::Assessment>,
    pub can_assess: bool,
    /// Who was told of the case outside the app, how and when (the station team only).
    pub deliveries: Vec<crate::notifications::DeliveryLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandView {
    pub id: i64,
    pub item_id: i64,
    pub viewing: Viewing,
    pub triage: Triage,
    pub triage_reason: TriageReason,
    pub affair: Option<(String, Named)>,
    /// The server filed it under the best match for its words (the post chose none).
    pub affair_matched: bool,
    /// The requester's one-tap changes of the server's choice ("other" is always offered):
    /// only while that choice stands and the station has not taken the case up.
    pub affair_choices: Option<Vec<(String, Named)>>,
    pub description: String,
    pub place: Place,
    pub building: Option<Named>,
    pub place_detail: String,
    pub urgency: Urgency,
    /// Seen by residents of the community (or by everyone).
    pub public: bool,
    /// Seen by anyone, other systems included (Open311).
    pub everyone: bool,
    pub contact_time: String,
    pub channel: String,
    /// Found by the station itself (主动发现), and how.
    pub found_via: Option<crate::work::rules::FoundVia>,
    /// For whom and by whom (hidden from neighbours).
    pub requester: Option<String>,
    pub filed_by: Option<String>,
    pub photos: Vec<i64>,
    pub posted: String,
    pub respond_by: String,
    pub complete_by: String,
    pub overdue: bool,
    pub assignee: Option<String>,
    pub live: LiveStatus,
    pub staff: Option<StaffPanel>,
    /// For a home visit: the proposals, answers and outcome.
    pub visit: Option<crate::visits::VisitPanel>,
    /// After closure: the requester's rating (and the station's view of it).
    pub rating: Option<crate::ratings::RatingCard>,
    /// Residents who reported the same incident (我也遇到了, or merged into it).
    #[serde(default)]
    pub joined: u32,
    /// The viewer, a neighbour, may join it (open, not at someone's home).
    #[serde(default)]
    pub can_join: bool,
    /// Merged by the station into this demand (the same incident, worked there).
    #[serde(default)]
    pub merged_into: Option<i64>,
}

#[server(endpoint = "demands/one")]
pub async fn demand(id: i64) -> Result<DemandView, AppError> {
    let user = crate::auth::server::require_user()?;
    server::view(&crate::request::store()?, &user, id).await
}

/// An overseer or a whistled department liaison shows the requester's full contact, saying
/// why; the showing is recorded and lasts an hour.
#[server(endpoint = "demands/contact")]
pub async fn show_contact(id: i64, reason: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    contact::show(&crate::request::store()?, &user, id, &reason).await?;
    crate::request::redirect(&format!("/demands/{id}"));
    Ok(())
}

/// State and timeline of a demand, for its live page.
#[server(endpoint = "demands/live")]
pub async fn demand_live(id: i64) -> Result<LiveStatus, AppError> {
    let user = crate::auth::server::require_user()?;
    server::live(&crate::request::store()?, &user, id).await
}

/// A transition by the resident (confirm, reopen, withdraw) or the station (accept, start,
/// schedule a visit, visit done, resolve). `version` is what the page showed.
#[server(endpoint = "demands/act")]
pub async fn demand_action(id: i64, version: i64, action: String, note: Option<String>) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    let action = crate::work::rules::Action::parse(&action).ok_or(AppError::BadRequest)?;
    if action == crate::work::rules::Action::AutoClose {
        return Err(AppError::Forbidden);
    }
    let store = crate::request::store()?;
    let item = crate::work::server::item_of_demand(&store, id).await?.ok_or(AppError::NotFound)?;
    crate::work::server::act(&store, &user, item.id, version, action, note.as_deref().unwrap_or("")).await?;
    crate::request::redirect(&format!("/demands/{id}"));
    Ok(())
}
