//! The leaders' dashboard (`/station/dashboard`): 响应率、解决率、满意率 for a period and a
//! scope, volumes, medians, overdue now, per-worker load, a ranking of communities for
//! subdistrict and district admins, and CSV exports. The arithmetic is in [`rates`].

use crate::error::AppError;
use crate::i18n::Named;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod cache;
#[cfg(feature = "ssr")]
pub mod exports;
pub mod rates;
#[cfg(feature = "ssr")]
pub mod server;
pub mod units;
pub mod views;

pub use rates::Rates;

/// The page's GET form: `period` = week | month | custom (with `from`, `to` as YYYY-MM-DD,
/// both days included), `community` = a community code or `all` (admins only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardQuery {
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub community: Option<String>,
}

impl DashboardQuery {
    /// The same query as URL parameters, for the CSV links.
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [("period", &self.period), ("from", &self.from), ("to", &self.to), ("community", &self.community)]
        {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                let safe: String = v.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
                parts.push(format!("{k}={safe}"));
            }
        }
        parts.join("&")
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerLine {
    pub name: String,
    pub rates: Rates,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankLine {
    pub code: String,
    pub name: Named,
    pub subdistrict: Named,
    pub rates: Rates,
    pub composite: Option<f64>,
}

/// A department's answers to the whistles of the period (吹哨报到), for its assessment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitLine {
    pub name: Named,
    pub figures: units::UnitTimeliness,
    /// Residents satisfied with the department's part (rated 4–5) ÷ rated, in the period.
    #[serde(default)]
    pub residents: rates::Rate,
}

/// A partner's hand-offs in the period and how residents rated its part (双向考核).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartnerAssessment {
    pub name: Named,
    pub handoffs: u32,
    pub residents: rates::Rate,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// The community codes this account may pick, with names; empty for the station team
    /// (their own community only).
    pub choices: Vec<(String, Named)>,
    pub chosen: String,
    pub scope_name: Named,
    pub period: String,
    /// First and last day of the period (Beijing dates, both included).
    pub from: String,
    pub to: String,
    pub rates: Rates,
    /// Twelve weeks up to the period's end: (Monday as MM-DD, items posted).
    pub weekly: Vec<(String, u32)>,
    /// Items posted in the period by family, category, grid area and kind (keys as stored;
    /// "other" for demands without an affair).
    pub by_family: Vec<(String, u32)>,
    pub by_category: Vec<(String, u32)>,
    pub by_area: Vec<(Named, u32)>,
    pub by_kind: Vec<(String, u32)>,
    pub workers: Vec<WorkerLine>,
    /// Communities ranked by the average of their rates (admins looking at more than one).
    pub ranking: Vec<RankLine>,
    /// The departments whistled in the period by the scope's stations (or admins), with
    /// their check-in and report timeliness; most late first.
    pub departments: Vec<UnitLine>,
    #[serde(default)]
    pub partners: Vec<PartnerAssessment>,
    /// When these figures were computed (Beijing, "HH:MM"): admins' views may be a minute old.
    pub as_of: String,
}

/// The dashboard. Station team: their community. Subdistrict and district admins: any
/// community under them, or all of them. Everyone else: forbidden.
#[server(endpoint = "station/dashboard")]
pub async fn load_dashboard(query: DashboardQuery) -> Result<Dashboard, AppError> {
    let user = crate::auth::server::require_staff()?;
    let ttl = crate::request::config().dashboard_cache_seconds;
    cache::load(&crate::request::store()?, &user, &query, crate::store::Millis::now().0, ttl).await
}

/// The feature's own routes: the CSV exports.
#[cfg(feature = "ssr")]
pub fn routes() -> axum::Router<crate::request::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/station/dashboard/items.csv", get(exports::items_csv_route))
        .route("/station/dashboard/rates.csv", get(exports::rates_csv_route))
}
