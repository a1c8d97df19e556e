//! The affairs menu (服务事项): what the station offers, in four service families and seven
//! categories, with how each is handled, what to bring and how long it takes.

use crate::error::AppError;
use crate::i18n::Named;
use crate::i18n::T;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod directory;
#[cfg(feature = "ssr")]
pub mod partners;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod templates;
pub mod views;

crate::codes! {
    pub enum Family {
        Party = "party",
        Government = "government",
        Life = "life",
        Public = "public",
    }
}

impl Family {
    pub const fn label(self) -> T {
        match self {
            Family::Party => T::FamilyPartyMasses,
            Family::Government => T::FamilyGovernment,
            Family::Life => T::FamilyLife,
            Family::Public => T::FamilyPublic,
        }
    }

    pub const fn description(self) -> T {
        match self {
            Family::Party => T::FamilyPartyMassesDesc,
            Family::Government => T::FamilyGovernmentDesc,
            Family::Life => T::FamilyLifeDesc,
            Family::Public => T::FamilyPublicDesc,
        }
    }
}

crate::codes! {
    pub enum Category {
        PartyBuilding = "party_building",
        SocialSecurity = "social_security",
        Assistance = "assistance",
        ElderlyDisability = "elderly_disability",
        Certificates = "certificates",
        DailyLife = "daily_life",
        Volunteering = "volunteering",
    }
}

crate::codes! {
    /// How an affair is handled, from the catalogue.
    pub enum Mode {
        /// Handled directly at the station (48 of Qianggen's government affairs).
        OnTheSpot = "on_the_spot",
        /// Documents collected and forms filled at the station, then submitted upward (68).
        SubmitUpward = "submit_upward",
        /// Served by a partner (repairs, housekeeping, legal aid…).
        Referral = "referral",
    }
}

impl Category {
    pub const fn label(self) -> T {
        match self {
            Category::PartyBuilding => T::CatPartyBuilding,
            Category::SocialSecurity => T::CatSocialSecurity,
            Category::Assistance => T::CatAssistance,
            Category::ElderlyDisability => T::CatElderlyDisability,
            Category::Certificates => T::CatCertificates,
            Category::DailyLife => T::CatDailyLife,
            Category::Volunteering => T::CatVolunteering,
        }
    }
}

pub const fn mode_label(mode: Mode) -> T {
    match mode {
        Mode::OnTheSpot => T::ModeOnTheSpot,
        Mode::SubmitUpward => T::ModeSubmitUpward,
        Mode::Referral => T::ModeReferral,
    }
}

/// One affair as the menu lists it.
/// What a template change did: communities whose affair changed, and communities that got it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pushed {
    pub updated: i64,
    pub added: i64,
}

/// One template affair as the catalogue page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateLine {
    pub code: String,
    pub name: Named,
    pub response_hours: i64,
    pub completion_hours: i64,
    /// Communities that follow it, and of those the ones that hide it.
    pub following: i64,
    pub hidden: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffairSummary {
    pub code: String,
    pub family: Family,
    pub category: Category,
    pub mode: Mode,
    pub name: Named,
    pub served_by: Named,
    pub response_hours: i64,
    pub completion_hours: i64,
    pub retired: bool,
}

/// One affair in full.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffairDetail {
    pub summary: AffairSummary,
    pub description: Named,
    /// What to bring, one document a line.
    pub documents: Named,
    pub keywords: String,
    /// A catalogue template governs it: the station may hide it, not change it.
    pub from_template: bool,
}

impl AffairDetail {
    pub fn document_list(&self, lang: crate::i18n::Lang) -> Vec<String> {
        self.documents
            .get(lang)
            .split(['；', ';', '\n'])
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// The menu of the viewer's community (or the default community for visitors), optionally
/// one family, optionally searched. Retired affairs only for staff who ask for them.
#[server(endpoint = "affairs")]
pub async fn affairs_menu(
    q: Option<String>,
    family: Option<String>,
    include_retired: Option<bool>,
) -> Result<Vec<AffairSummary>, AppError> {
    let store = crate::request::store()?;
    let viewer = crate::auth::server::viewer();
    let community = server::menu_community(&store, viewer.as_ref()).await?;
    let family = family
        .as_deref()
        .filter(|f| !f.is_empty())
        .map(|f| Family::parse(f).ok_or(AppError::BadRequest))
        .transpose()?;
    let retired =
        include_retired.unwrap_or(false) && viewer.as_ref().is_some_and(|v| v.role == crate::auth::Role::Stationmaster);
    server::search(&store, community, q.as_deref().unwrap_or(""), family, retired).await
}

#[server(endpoint = "affairs/one")]
pub async fn affair(code: String) -> Result<AffairDetail, AppError> {
    let store = crate::request::store()?;
    let viewer = crate::auth::server::viewer();
    let community = server::menu_community(&store, viewer.as_ref()).await?;
    server::detail(&store, community, &code).await?.ok_or(AppError::NotFound)
}

/// Adds or edits an affair of the stationmaster's own community.
#[server(endpoint = "affairs/save")]
#[allow(clippy::too_many_arguments)]
pub async fn save_affair(
    code: String,
    family: String,
    category: String,
    mode: String,
    response_hours: String,
    completion_hours: String,
    name_zh: String,
    name_en: String,
    description_zh: String,
    description_en: String,
    documents_zh: String,
    documents_en: String,
    served_by_zh: String,
    served_by_en: String,
    keywords: String,
    existing: Option<String>,
) -> Result<(), AppError> {
    let form = server::AffairForm {
        code,
        family,
        category,
        mode,
        response_hours,
        completion_hours,
        name_zh,
        name_en,
        description_zh,
        description_en,
        documents_zh,
        documents_en,
        served_by_zh,
        served_by_en,
        keywords,
        existing: existing.filter(|e| !e.is_empty()),
    };
    let kept = form.kept();
    let result = server::save(form).await;
    match &result {
        Ok(code) => {
            crate::form::server::forget("affair").await;
            crate::request::redirect(&format!("/services/{code}"));
        }
        Err(_) => {
            let kept: Vec<(&str, &str)> = kept.iter().map(|(k, v)| (*k, v.as_str())).collect();
            crate::form::server::keep_input("affair", &kept).await
        }
    }
    result.map(|_| ())
}

/// Retires an affair (it leaves the menu; demands already posted keep it) or brings it back.
#[server(endpoint = "affairs/retire")]
pub async fn retire_affair(code: String, retire: String) -> Result<(), AppError> {
    let user = crate::auth::server::require_staff()?;
    if user.role != crate::auth::Role::Stationmaster {
        return Err(AppError::Forbidden);
    }
    server::set_retired(&crate::request::store()?, user.region_id, &code, retire == "1").await?;
    crate::request::redirect(&format!("/services/{code}"));
    Ok(())
}
