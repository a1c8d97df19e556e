//! Supervision from above (督办): a subdistrict's or the district's admins look over the
//! cases of their communities (overdue, reopened, rated badly, a department late), urge a
//! station with a date by which it must answer, and read the answer. They may also whistle
//! the subdistrict's departments themselves (街乡吹哨), through `work`'s whistle. Urges show
//! on the station's board and on the case's staff timeline.

use crate::error::AppError;
use crate::i18n::Named;
use crate::paging::Paged;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

use rules::UrgeState;

/// One case in the supervision list. Nothing personal: no requester, no contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLine {
    pub item_id: i64,
    pub demand_id: i64,
    pub community: Named,
    /// The first words of the description; empty for a private case (read on its page).
    pub title: String,
    pub affair: Option<Named>,
    pub state: crate::work::rules::State,
    pub posted: String,
    pub overdue: bool,
    pub whistles_late: i64,
    /// The resident's overall rating, 1–5, once rated.
    pub rating: Option<i64>,
    /// The latest urge: its answer date and where it stands.
    pub urge: Option<(String, UrgeState)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseList {
    /// The unit looked over (a subdistrict or the district).
    pub unit: Named,
    /// Its communities, for the community filter (code, name).
    pub communities: Vec<(String, Named)>,
    pub page: Paged<CaseLine>,
}

/// An urge as the case page shows it to staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrgeView {
    pub id: i64,
    pub unit: Named,
    pub by: String,
    pub note: String,
    pub urged: String,
    pub answer_by: String,
    pub state: UrgeState,
    pub answer: Option<String>,
    pub answered: Option<String>,
    pub answered_by: Option<String>,
}

/// The supervision part of a case page: the urges, and what this viewer may do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrgesOfCase {
    pub urges: Vec<UrgeView>,
    /// An admin above the community, while the case is open and no urge waits.
    pub may_urge: bool,
    /// The station team, while an urge waits.
    pub may_answer: bool,
    /// The earliest and latest answer dates the form offers (Beijing, `YYYY-MM-DD`).
    pub first_day: String,
    pub last_day: String,
}

#[server(endpoint = "supervision/cases")]
pub async fn supervision_cases(
    filter: Option<String>,
    community: Option<String>,
    before: Option<String>,
) -> Result<CaseList, AppError> {
    let user = crate::auth::server::require_staff()?;
    let filter = rules::Filter::from_query(filter.as_deref()).ok_or(AppError::BadRequest)?;
    let before = crate::paging::Cursor::from_arg(before)?;
    let community = community.filter(|c| !c.trim().is_empty());
    server::cases(&crate::request::store()?, &user, filter, community.as_deref(), before).await
}

/// 督办: urges the station on a case; it must answer by the end of `answer_by`.
#[server(endpoint = "supervision/urge")]
pub async fn urge_case(demand: i64, answer_by: String, note: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    match server::urge(&store, &user, demand, &answer_by, &note).await {
        Ok(demand) => {
            crate::form::server::forget("urge").await;
            crate::request::redirect(&format!("/demands/{demand}"));
            Ok(())
        }
        Err(e) => {
            crate::form::server::keep_input("urge", &[("answer_by", &answer_by), ("note", &note)]).await;
            Err(e)
        }
    }
}

/// The station answers an urge.
#[server(endpoint = "supervision/answer")]
pub async fn answer_urge(urge: i64, answer: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    match server::answer(&store, &user, urge, &answer).await {
        Ok(demand) => {
            crate::form::server::forget("urge-answer").await;
            crate::request::redirect(&format!("/demands/{demand}"));
            Ok(())
        }
        Err(e) => {
            crate::form::server::keep_input("urge-answer", &[("answer", &answer)]).await;
            Err(e)
        }
    }
}

/// The urges of a case and what the viewer may do with them.
#[server(endpoint = "supervision/case")]
pub async fn case_supervision(demand: i64) -> Result<UrgesOfCase, AppError> {
    let user = crate::auth::server::require_staff()?;
    server::of_case(&crate::request::store()?, &user, demand).await
}
