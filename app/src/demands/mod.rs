//! Demands (诉求): what residents post, or staff record for them at the window. Each becomes
//! a work item in the same transaction.

use crate::error::AppError;
use crate::i18n::{Named, T};
use crate::paging::Paged;
use crate::work::rules::{Place, State, Urgency};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::{MultipartData, MultipartFormData};

#[cfg(feature = "ssr")]
pub mod affair;
#[cfg(feature = "ssr")]
pub mod file;
pub mod me_too;
#[cfg(feature = "ssr")]
pub mod posting;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

pub const MAX_DESCRIPTION: usize = 2000;

crate::codes! {
    /// How a case reached the station.
    pub enum Channel {
        App = "app",
        WalkIn = "walk_in",
        Phone = "phone",
        Open311 = "open311",
    }
}

pub const fn place_label(p: Place) -> T {
    match p {
        Place::Home => T::PlaceHome,
        Place::Building => T::PlaceBuilding,
        Place::PublicArea => T::PlacePublic,
    }
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
    /// The community's code: the form asks `/api/suggest/affairs` for it as the resident types.
    pub community: String,
}

/// Posts a demand (multipart: text fields and up to three photos). Works as a plain form
/// post without JavaScript. Idempotent on the form's key.
#[server(input = MultipartFormData, endpoint = "demands/post")]
pub async fn post_demand(data: MultipartData) -> Result<(), AppError> {
    let result = posting::post_from_form(data, posting::Filing::Resident).await;
    posting::finish_post("demand", result).await
}

/// The window (一窗受理): a station worker records a walk-in or phone demand for a resident.
#[server(input = MultipartFormData, endpoint = "station/intake/post")]
pub async fn intake_demand(data: MultipartData) -> Result<(), AppError> {
    let result = posting::post_from_form(data, posting::Filing::Staff).await;
    posting::finish_post("intake", result).await
}

/// 主动发现: a station worker files a case they found on a patrol, a visit or a call.
#[server(input = MultipartFormData, endpoint = "station/found")]
pub async fn file_found_case(data: MultipartData) -> Result<(), AppError> {
    let result = posting::post_from_form(data, posting::Filing::Found).await;
    posting::finish_post("found", result).await
}

/// Changes a demand's affair: the requester's one tap on the server's choice, or the
/// station's correction (`version`: the case as the worker saw it; a change since is a
/// conflict). Works as a plain form post.
#[server(endpoint = "demands/affair")]
pub async fn change_affair(id: i64, affair: String, version: Option<i64>) -> Result<(), AppError> {
    let user = crate::auth::server::require_user()?;
    affair::change(&crate::request::store()?, &user, id, &affair, version).await?;
    crate::request::redirect(&format!("/demands/{id}"));
    Ok(())
}

#[server(endpoint = "demands/posting-context")]
pub async fn load_posting_context(upload_key: String) -> Result<PostingContext, AppError> {
    let user = crate::auth::server::require_user()?;
    server::posting_context(&crate::request::store()?, &user, &upload_key).await
}

/// A page of my demands (filed by me, for me, or for family I act for), newest first.
#[server(endpoint = "demands/mine")]
pub async fn my_demands(before: Option<String>) -> Result<Paged<DemandLine>, AppError> {
    let user = crate::auth::server::require_user()?;
    let before = crate::paging::Cursor::from_arg(before)?;
    server::mine(&crate::request::store()?, &user, before).await
}

/// A page of the public demands of the viewer's community (Home shows the newest, the
/// neighbourhood page all of them), newest first.
#[server(endpoint = "demands/community")]
pub async fn community_demands(before: Option<String>) -> Result<Paged<DemandLine>, AppError> {
    let user = crate::auth::server::require_user()?;
    let before = crate::paging::Cursor::from_arg(before)?;
    server::community_public(&crate::request::store()?, &user, before).await
}
