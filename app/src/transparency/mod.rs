//! Public accountability (`/transparency`, no login): a community's three rates month by
//! month with their definitions, its volumes by category and median times, and its
//! subdistrict's monthly ranking of communities. The figures are the staff dashboard's
//! (`dashboard::server::dashboard_of`, one module), without anything personal: no names, no
//! workers, no cases.

use crate::community::CommunityOption;
use crate::dashboard::rates::Rates;
use crate::dashboard::RankLine;
use crate::error::AppError;
use crate::i18n::Named;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod outcomes;
pub mod views;

/// Months the page goes back (this one included).
pub const MONTHS: u32 = 6;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthLine {
    /// `YYYY-MM`.
    pub month: String,
    pub rates: Rates,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transparency {
    pub code: String,
    pub name: Named,
    pub subdistrict: Named,
    /// The month shown in detail (`YYYY-MM`), and the months before it, oldest first.
    pub month: String,
    pub months: Vec<MonthLine>,
    pub rates: Rates,
    /// Items posted in the month by category (key as stored; "other" without an affair).
    pub by_category: Vec<(String, u32)>,
    /// The subdistrict's communities in the month, best first.
    pub ranking: Vec<RankLine>,
    pub choices: Vec<CommunityOption>,
    pub as_of: String,
    /// Resolved cases the station chose to tell in one line, newest first.
    #[serde(default)]
    pub outcomes: Vec<outcomes::OutcomeLine>,
}

/// The public figures of a community (`community`: a code; none: the first) for a month
/// (`YYYY-MM`, one of the last twelve; none: this one).
#[server(endpoint = "transparency")]
pub async fn load_transparency(community: Option<String>, month: Option<String>) -> Result<Transparency, AppError> {
    server::load(&crate::request::store()?, community.as_deref(), month.as_deref(), crate::store::Millis::now().0).await
}

/// The first day of `month` (`YYYY-MM`) if it is one of the twelve months up to `today`'s.
pub fn month_start(month: &str, today: chrono::NaiveDate) -> Option<chrono::NaiveDate> {
    use chrono::Datelike;
    let first = chrono::NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d").ok()?;
    let this = today.with_day(1)?;
    let back = (this.year() - first.year()) * 12 + this.month() as i32 - first.month() as i32;
    (0..12).contains(&back).then_some(first)
}

/// The month before the one starting on `first`.
pub fn month_before(first: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    (first - chrono::Duration::days(1)).with_day(1).unwrap_or(first)
}

/// The last day of the month starting on `first`.
pub fn month_end(first: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    let next = if first.month() == 12 {
        chrono::NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        chrono::NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    next.map(|n| n - chrono::Duration::days(1)).unwrap_or(first)
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::dashboard::server::{dashboard_of, Scope};
    use crate::dashboard::DashboardQuery;
    use chrono::Datelike;

    fn query(code: &str, first: chrono::NaiveDate) -> DashboardQuery {
        DashboardQuery {
            period: Some("custom".into()),
            from: Some(first.format("%Y-%m-%d").to_string()),
            to: Some(month_end(first).format("%Y-%m-%d").to_string()),
            community: Some(code.to_string()),
        }
    }

    pub async fn load(
        store: &crate::store::Store,
        code: Option<&str>,
        month: Option<&str>,
        now: i64,
    ) -> Result<Transparency, AppError> {
        let choices = crate::community::server::list_communities(store).await?;
        let chosen = match code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => choices.iter().find(|o| o.code == c).ok_or(AppError::NotFound)?,
            None => choices.first().ok_or(AppError::NotFound)?,
        }
        .clone();
        let region = crate::community::server::region_by_code(store, &chosen.code).await?.ok_or(AppError::NotFound)?;
        let subdistrict = region.parent_id.ok_or(AppError::Internal)?;
        let today = crate::time::to_local(now).date_naive();
        let this = today.with_day(1).unwrap_or(today);
        let first = match month.map(str::trim).filter(|m| !m.is_empty()) {
            Some(m) => {
                month_start(m, today).ok_or_else(|| AppError::invalid("month", crate::i18n::T::ErrDateFormat))?
            }
            None => this,
        };
        let one = Scope::community(region.id, chosen.code.clone(), chosen.name.clone());
        let mut months = Vec::new();
        let mut m = first;
        for _ in 0..MONTHS {
            let d = dashboard_of(store, one.clone(), &query(&chosen.code, m), now).await?;
            months.push(MonthLine { month: m.format("%Y-%m").to_string(), rates: d.rates });
            m = month_before(m);
        }
        months.reverse();
        let detail = dashboard_of(store, one, &query(&chosen.code, first), now).await?;
        let above = Scope::subdistrict(subdistrict, chosen.subdistrict.clone());
        let ranking = dashboard_of(store, above, &query(&chosen.code, first), now).await?.ranking;
        Ok(Transparency {
            code: chosen.code,
            name: chosen.name,
            subdistrict: chosen.subdistrict,
            month: first.format("%Y-%m").to_string(),
            months,
            rates: detail.rates,
            by_category: detail.by_category,
            ranking,
            choices,
            as_of: detail.as_of,
            outcomes: super::outcomes::server::listed(store, region.id).await?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_go_back_a_year_and_not_forward() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let d = |y, m| chrono::NaiveDate::from_ymd_opt(y, m, 1).unwrap();
        assert_eq!(month_start("2026-12", today), Some(d(2026, 12)));
        assert_eq!(month_start("2026-01", today), Some(d(2026, 1)));
        assert_eq!(month_start("2025-12", today), None, "thirteen months back");
        assert_eq!(month_start("2027-01", today), None, "the future");
        assert_eq!(month_start("2026-13", today), None);
        assert_eq!(month_start("x", today), None);
        assert_eq!(month_before(d(2026, 1)), d(2025, 12));
        assert_eq!(month_end(d(2026, 2)), chrono::NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        assert_eq!(month_end(d(2026, 12)), chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
    }
}
