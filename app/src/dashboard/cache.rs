//! Dashboards computed at most once a minute per instance when computing them costs: an
//! admin's view over many communities (a district's 120 days is tens of thousands of
//! items), and a community's view whose computation took more than [`CHEAP_MS`] (a station
//! drowning in cases). A cheap community view (a station's usual month) is computed for
//! every request: live. Concurrent requests for the same view wait for the one computation
//! (`crate::memo`). Each answer carries when it was computed, and the page shows it.

use super::server::{dashboard_of, period, scope};
use super::*;
use crate::auth::SessionUser;
use crate::memo::Memo;
use crate::store::Store;
use std::sync::LazyLock;

/// (region, chosen community or "all", period start, period end)
type Key = (i64, String, i64, i64);

/// A community's view computed faster than this is not kept.
pub const CHEAP_MS: i64 = 50;

/// Views kept at most: one per scope and period asked for recently.
static VIEWS: LazyLock<Memo<Key, Dashboard>> = LazyLock::new(|| Memo::new(256));

/// The dashboard: computed now (when `ttl_seconds` is 0, or a cheap community view), else
/// the view computed less than `ttl_seconds` ago.
pub async fn load(
    store: &Store,
    user: &SessionUser,
    q: &DashboardQuery,
    now: i64,
    ttl_seconds: u64,
) -> Result<Dashboard, AppError> {
    // Who may see what is checked on every request, cached or not.
    let s = scope(store, user, q.community.as_deref()).await?;
    if ttl_seconds == 0 {
        return dashboard_of(store, s, q, now).await;
    }
    let (_, p, _, _) = period(q, now)?;
    let key = (s.region, s.chosen.clone(), p.start, p.end);
    let many = s.many;
    VIEWS
        .get(key, now, ttl_seconds as i64 * 1000, |k| many || k.cost_ms >= CHEAP_MS, || dashboard_of(store, s, q, now))
        .await
}
