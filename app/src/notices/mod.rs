//! Notices (社区公告 / 居务公开) at `/notices`: a station publishes to its community, one grid
//! area or one building; a subdistrict to all its communities. Categories: announcement,
//! public disclosure of community affairs and finances, emergency, event. A notice may stay
//! pinned on top until a date. Residents see unread ones highlighted (and the newest on
//! Home); an emergency notice also lands in every concerned resident's inbox, and its
//! station sees, building by building, who has not read it, to follow up by phone or visit.

use crate::error::AppError;
use crate::i18n::Named;
use crate::paging::Paged;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::{MultipartData, MultipartFormData};

#[cfg(feature = "ssr")]
pub mod attachments;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

crate::codes! {
    pub enum NoticeCategory {
        Announcement = "announcement",
        /// 居务公开: community affairs and finances.
        Disclosure = "disclosure",
        Emergency = "emergency",
        Event = "event",
    }
}

crate::codes! {
    /// Who a notice is for, within its publisher's region.
    pub enum Audience {
        Everyone = "everyone",
        GridArea = "grid_area",
        Building = "building",
    }
}

impl NoticeCategory {
    pub const fn label(self) -> crate::i18n::T {
        use crate::i18n::T;
        match self {
            NoticeCategory::Announcement => T::NoticesAnnouncement,
            NoticeCategory::Disclosure => T::NoticesDisclosure,
            NoticeCategory::Emergency => T::NoticesEmergency,
            NoticeCategory::Event => T::NoticesEvent,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeLine {
    pub id: i64,
    pub title: String,
    pub category: NoticeCategory,
    /// The community or subdistrict that published it.
    pub publisher: Named,
    pub published: String,
    pub pinned: bool,
    /// A resident has not opened it yet (always false for staff).
    pub unread: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoticeList {
    /// Pinned notices, on top of the first page only.
    pub pinned: Vec<NoticeLine>,
    pub page: Paged<NoticeLine>,
    pub may_publish: bool,
}

/// Readers of a notice in one building (or, for a subdistrict's notice, one community).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadCount {
    pub place: Named,
    pub residents: i64,
    pub read: i64,
}

/// A resident who has not read an emergency notice, for the station to call or visit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreached {
    pub name: String,
    pub building: String,
    pub room: String,
    pub phone: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub category: NoticeCategory,
    pub publisher: Named,
    pub published: String,
    pub pinned_until: Option<String>,
    /// Who it is for: the whole region, or the grid area's or building's name.
    pub audience: Audience,
    pub audience_name: Option<Named>,
    pub withdrawn: bool,
    /// For the staff who publish in its region: withdraw it, and the read counts.
    pub may_manage: bool,
    pub reads: Vec<ReadCount>,
    /// For the station team, an emergency notice's residents who have not read it.
    pub unreached: Vec<Unreached>,
    pub photos: Vec<i64>,
    pub files: Vec<NoticeFile>,
}

/// A PDF attached to a notice (a financial statement, the original of a circular).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeFile {
    pub id: i64,
    pub name: String,
    /// As people read it: 820 KB.
    pub size: String,
}

/// What Home shows a resident: the newest notices (pinned first) and how many are unread.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticesOnHome {
    pub lines: Vec<NoticeLine>,
    pub unread: i64,
}

/// The publish form's choices: a station's grid areas and buildings (code, name); a
/// subdistrict publishes to everyone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishTargets {
    pub region: Named,
    pub areas: Vec<(String, Named)>,
    pub buildings: Vec<(String, Named)>,
    /// Attachments an earlier try of this form kept.
    pub kept_photos: Vec<i64>,
    pub kept_files: Vec<NoticeFile>,
}

#[server(endpoint = "notices/list")]
pub async fn list_notices(before: Option<String>) -> Result<NoticeList, AppError> {
    let user = crate::auth::server::require_user()?;
    let before = crate::paging::Cursor::from_arg(before)?;
    server::list(&crate::request::store()?, &user, before).await
}

#[server(endpoint = "notices/home")]
pub async fn home_notices() -> Result<NoticesOnHome, AppError> {
    let user = crate::auth::server::require_user()?;
    server::home(&crate::request::store()?, &user).await
}

/// A notice; a resident's opening counts as reading it.
#[server(endpoint = "notices/one")]
pub async fn notice(id: i64) -> Result<NoticeView, AppError> {
    let user = crate::auth::server::require_user()?;
    server::one(&crate::request::store()?, &user, id).await
}

#[server(endpoint = "notices/choices")]
pub async fn publish_choices(upload_key: String) -> Result<PublishTargets, AppError> {
    let user = crate::auth::server::require_staff()?;
    server::choices(&crate::request::store()?, &user, &upload_key).await
}

/// Publishes a notice with up to three photos and PDFs (multipart; a plain form post
/// without JavaScript). Once per form: the key makes a retry land on the same notice.
#[server(input = MultipartFormData, endpoint = "notices/publish")]
pub async fn publish_notice(data: MultipartData) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    let store = crate::request::store()?;
    let (pairs, uploads) = crate::photos::server::read_multipart(data).await?;
    let field = |name: &str| pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let names = ["idempotency_key", "title", "body", "category", "audience", "target", "pinned_until"];
    let [key, title, body, category, audience, target, pinned_until] = names.map(field);
    let form = [&title, &body, &category, &audience, &target, &pinned_until];
    match server::publish(&store, &user, &key, form, uploads).await {
        Ok(id) => {
            crate::form::server::forget("notice").await;
            crate::request::redirect(&format!("/notices/{id}"));
            Ok(())
        }
        Err(e) => {
            let values = [&key, &title, &body, &category, &audience, &target, &pinned_until];
            let kept: Vec<(&str, &str)> = names.iter().zip(values).map(|(n, v)| (*n, v.as_str())).collect();
            crate::form::server::keep_input("notice", &kept).await;
            Err(e)
        }
    }
}

#[server(endpoint = "notices/withdraw")]
pub async fn withdraw_notice(id: i64) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    server::withdraw(&crate::request::store()?, &user, id).await?;
    crate::request::redirect(&format!("/notices/{id}"));
    Ok(())
}
