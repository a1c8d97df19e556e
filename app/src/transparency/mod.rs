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
    //! Anyone may open the page, so 64 phones may open the same community at once: its
    //! figures are computed once (one query for the six months' facts, the subdistrict's
    //! ranking once for all its communities) and kept as long as the admins' dashboards
    //! (`DASHBOARD_CACHE_SECONDS`, a minute), never per request. The page says when.
    use super::*;
    use crate::dashboard::rates::Period;
    use crate::dashboard::server::{by_category, period, ranking_of, rates_by_period, Scope};
    use crate::dashboard::DashboardQuery;
    use crate::memo::Memo;
    use crate::store::Store;
    use chrono::Datelike;
    use std::sync::LazyLock;

    /// (community, first day of the month)
    static PAGES: LazyLock<Memo<(i64, chrono::NaiveDate), Transparency>> = LazyLock::new(|| Memo::new(512));
    /// (subdistrict, first day of the month): shared by all its communities' pages.
    static RANKINGS: LazyLock<Memo<(i64, chrono::NaiveDate), Vec<RankLine>>> = LazyLock::new(|| Memo::new(128));
    static CHOICES: LazyLock<Memo<(), Vec<CommunityOption>>> = LazyLock::new(|| Memo::new(1));

    fn month_period(code: &str, first: chrono::NaiveDate, now: i64) -> Result<Period, AppError> {
        let q = DashboardQuery {
            period: Some("custom".into()),
            from: Some(first.format("%Y-%m-%d").to_string()),
            to: Some(month_end(first).format("%Y-%m-%d").to_string()),
            community: Some(code.to_string()),
        };
        Ok(period(&q, now)?.1)
    }

    /// Kept for `ttl` ms when `ttl` > 0, else computed now.
    async fn kept<K, V, F>(memo: &Memo<K, V>, key: K, now: i64, ttl: i64, compute: F) -> Result<V, AppError>
    where
        K: Eq + std::hash::Hash + Clone,
        V: Clone,
        F: std::future::Future<Output = Result<V, AppError>>,
    {
        if ttl <= 0 {
            return compute.await;
        }
        memo.get(key, now, ttl, |_| true, || compute).await
    }

    pub async fn load(
        store: &Store,
        code: Option<&str>,
        month: Option<&str>,
        now: i64,
    ) -> Result<Transparency, AppError> {
        let ttl = crate::request::config().dashboard_cache_seconds as i64 * 1000;
        load_kept(store, code, month, now, ttl).await
    }

    async fn load_kept(
        store: &Store,
        code: Option<&str>,
        month: Option<&str>,
        now: i64,
        ttl: i64,
    ) -> Result<Transparency, AppError> {
        let choices =
            kept(&CHOICES, (), now, ttl, async { crate::community::server::list_communities(store).await }).await?;
        let chosen = match code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => choices.iter().find(|o| o.code == c).ok_or(AppError::NotFound)?,
            None => choices.first().ok_or(AppError::NotFound)?,
        }
        .clone();
        let today = crate::time::to_local(now).date_naive();
        let this = today.with_day(1).unwrap_or(today);
        let first = match month.map(str::trim).filter(|m| !m.is_empty()) {
            Some(m) => {
                month_start(m, today).ok_or_else(|| AppError::invalid("month", crate::i18n::T::ErrDateFormat))?
            }
            None => this,
        };
        let region = crate::community::server::region_by_code(store, &chosen.code).await?.ok_or(AppError::NotFound)?;
        let page = async {
            let subdistrict = region.parent_id.ok_or(AppError::Internal)?;
            let one = Scope::community(region.id, chosen.code.clone(), chosen.name.clone());
            // The six months, oldest first; the last one is the month shown in detail.
            let mut firsts = vec![first];
            for _ in 1..MONTHS {
                firsts.push(month_before(*firsts.last().unwrap_or(&first)));
            }
            firsts.reverse();
            let periods = firsts.iter().map(|m| month_period(&chosen.code, *m, now)).collect::<Result<Vec<_>, _>>()?;
            let rates = rates_by_period(store, &one, &periods, now).await?;
            let months: Vec<MonthLine> = firsts
                .iter()
                .zip(&rates)
                .map(|(m, r)| MonthLine { month: m.format("%Y-%m").to_string(), rates: *r })
                .collect();
            let detail = *periods.last().ok_or(AppError::Internal)?;
            let above = Scope::subdistrict(subdistrict, chosen.subdistrict.clone());
            let ranking =
                kept(&RANKINGS, (subdistrict, first), now, ttl, ranking_of(store, &above, detail, now)).await?;
            Ok(Transparency {
                code: chosen.code.clone(),
                name: chosen.name.clone(),
                subdistrict: chosen.subdistrict.clone(),
                month: first.format("%Y-%m").to_string(),
                rates: months.last().map(|m| m.rates).unwrap_or_default(),
                months,
                by_category: by_category(store, &one, detail).await?,
                ranking,
                choices: Vec::new(),
                as_of: crate::time::to_local(now).format("%H:%M").to_string(),
                outcomes: super::outcomes::server::listed(store, region.id).await?,
            })
        };
        let mut t = kept(&PAGES, (region.id, first), now, ttl, page).await?;
        t.choices = choices;
        Ok(t)
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
