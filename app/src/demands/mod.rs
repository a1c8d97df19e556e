//! Demands (诉求): what residents post, or staff record for them at the window. Each becomes
//! a work item in the same transaction.

use crate::community::Named;
use crate::error::AppError;
use crate::i18n::T;
use crate::work::rules::{Place, State, Triage, TriageReason, Urgency};
use crate::work::LiveStatus;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::{MultipartData, MultipartFormData};

#[cfg(feature = "ssr")]
pub mod photos;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

pub const MAX_PHOTOS: usize = 3;
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_DESCRIPTION: usize = 2000;

pub const fn place_label(p: Place) -> T {
    match p {
        Place::Home => T::PlaceHome,
        Place::Building => T::PlaceBuilding,
        Place::PublicArea => T::PlacePublic,
    }
}

pub fn place_code(p: Place) -> &'static str {
    match p {
        Place::Home => "home",
        Place::Building => "building",
        Place::PublicArea => "public_area",
    }
}

pub fn parse_place(s: &str) -> Option<Place> {
    [Place::Home, Place::Building, Place::PublicArea].into_iter().find(|p| place_code(*p) == s)
}

pub fn urgency_code(u: Urgency) -> &'static str {
    match u {
        Urgency::Normal => "normal",
        Urgency::Emergency => "emergency",
    }
}

pub fn parse_urgency(s: &str) -> Option<Urgency> {
    [Urgency::Normal, Urgency::Emergency].into_iter().find(|u| urgency_code(*u) == s)
}

/// How the viewer stands to a demand, as far as the page cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewing {
    Requester,
    Station,
    Department,
    Overseer,
    Neighbour,
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
    pub requester_phone: String,
    /// Sent through Open311: the client system and the caller's contact (phone masked).
    pub open311_source: Option<String>,
    pub requester_address: String,
    /// Confidential: the station team of the community only.
    pub case_notes: Vec<CaseNoteView>,
    pub whistles: Vec<WhistleView>,
    pub handoffs: Vec<HandoffView>,
    pub departments: Vec<(i64, Named)>,
    pub partners: Vec<PartnerOption>,
    pub workers: Vec<(i64, String)>,
    pub can_act: bool,
    pub can_reassign: bool,
    pub can_urge: bool,
    /// The worker's own assessment of the case (staff only).
    pub assessment: Option<crate::ratings::Assessment>,
    pub can_assess: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandView {
    pub id: i64,
    pub item_id: i64,
    pub viewing: Viewing,
    pub triage: Triage,
    pub triage_reason: TriageReason,
    pub affair: Option<(String, Named)>,
    pub description: String,
    pub place: Place,
    pub building: Option<Named>,
    pub place_detail: String,
    pub urgency: Urgency,
    pub public: bool,
    pub contact_time: String,
    pub channel: String,
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
}

/// A line of a list of demands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandLine {
    pub id: i64,
    pub title: String,
    pub affair: Option<Named>,
    pub state: State,
    pub urgency: Urgency,
    pub posted: String,
    pub for_other: Option<String>,
    pub photos: i64,
}

/// Someone the signed-in resident may post for: themselves or a confirmed family member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingFor {
    pub user_id: i64,
    pub name: String,
    pub myself: bool,
}

/// What the posting form needs: buildings, who I can post for, photos already attached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingContext {
    pub buildings: Vec<crate::community::BuildingOption>,
    pub for_whom: Vec<PostingFor>,
    pub my_building: Option<i64>,
    pub kept_photos: Vec<i64>,
}

/// Posts a demand (multipart: text fields and up to three photos). Works as a plain form
/// post without JavaScript. Idempotent on the form's key.
#[server(input = MultipartFormData, endpoint = "demands/post")]
pub async fn post_demand(data: MultipartData) -> Result<(), AppError> {
    let result = server::post_from_form(data, server::Filing::Resident).await;
    server::finish_post("demand", result).await
}

/// The window (一窗受理): a station worker records a walk-in or phone demand for a resident.
#[server(input = MultipartFormData, endpoint = "station/intake/post")]
pub async fn intake_demand(data: MultipartData) -> Result<(), AppError> {
    let result = server::post_from_form(data, server::Filing::Staff).await;
    server::finish_post("intake", result).await
}

#[server(endpoint = "demands/posting-context")]
pub async fn load_posting_context(upload_key: String) -> Result<PostingContext, AppError> {
    let result = async {
        let user = crate::auth::server::require_user()?;
        server::posting_context(&crate::request::store()?, &user, &upload_key).await
    }
    .await;
    crate::request::respond(result)
}

#[server(endpoint = "demands/one")]
pub async fn demand(id: i64) -> Result<DemandView, AppError> {
    let result = async {
        let user = crate::auth::server::require_user()?;
        server::view(&crate::request::store()?, &user, id).await
    }
    .await;
    crate::request::respond(result)
}

/// State and timeline of a demand, for its live page.
#[server(endpoint = "demands/live")]
pub async fn demand_live(id: i64) -> Result<LiveStatus, AppError> {
    let result = async {
        let user = crate::auth::server::require_user()?;
        server::live(&crate::request::store()?, &user, id).await
    }
    .await;
    crate::request::respond(result)
}

#[server(endpoint = "demands/mine")]
pub async fn my_demands() -> Result<Vec<DemandLine>, AppError> {
    let result = async {
        let user = crate::auth::server::require_user()?;
        server::mine(&crate::request::store()?, &user).await
    }
    .await;
    crate::request::respond(result)
}

/// Public demands of the viewer's community (the Home page).
#[server(endpoint = "demands/community")]
pub async fn community_demands() -> Result<Vec<DemandLine>, AppError> {
    let result = async {
        let user = crate::auth::server::require_user()?;
        server::community_public(&crate::request::store()?, &user).await
    }
    .await;
    crate::request::respond(result)
}

/// A transition by the resident (confirm, reopen, withdraw) or the station (accept, start,
/// schedule a visit, visit done, resolve). `version` is what the page showed.
#[server(endpoint = "demands/act")]
pub async fn demand_action(id: i64, version: i64, action: String, note: Option<String>) -> Result<(), AppError> {
    let result = async {
        let user = crate::auth::server::require_user()?;
        let action = crate::work::parse_action(&action).ok_or(AppError::BadRequest)?;
        if action == crate::work::rules::Action::AutoClose {
            return Err(AppError::Forbidden);
        }
        let store = crate::request::store()?;
        let item = crate::work::server::item_of_demand(&store, id).await?.ok_or(AppError::NotFound)?;
        crate::work::server::act(&store, &user, item.id, version, action, note.as_deref().unwrap_or("")).await?;
        crate::request::redirect(&format!("/demands/{id}"));
        Ok(())
    }
    .await;
    crate::request::respond(result)
}
