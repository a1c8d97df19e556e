//! Dashboards computed at most once a minute per instance when computing them costs: an
//! admin's view over many communities (a district's 120 days is tens of thousands of
//! items), and a community's view whose computation took more than [`CHEAP_MS`] (a station
//! drowning in cases). A cheap community view (a station's usual month) is computed for
//! every request: live. Concurrent requests for the same view wait for the one computation
//! (never several at once). Each answer carries when it was computed, and the page shows it.
//! Nothing here is shared state: another instance computes its own, and losing it loses
//! nothing.

use super::server::{dashboard_of, period, scope};
use super::*;
use crate::auth::SessionUser;
use crate::store::Store;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use tokio::sync::OnceCell;

/// (region, chosen community or "all", period start, period end)
type Key = (i64, String, i64, i64);
/// (computed at, how long it took in ms, the view)
type Slot = Arc<OnceCell<(i64, i64, Dashboard)>>;

/// A community's view computed faster than this is not kept.
pub const CHEAP_MS: i64 = 50;

/// Views kept at most: one per scope and period asked for recently.
const MAX_VIEWS: usize = 256;

static VIEWS: LazyLock<Mutex<HashMap<Key, Slot>>> = LazyLock::new(Default::default);

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
    let ttl = ttl_seconds as i64 * 1000;
    let slot = {
        let mut views = VIEWS.lock().map_err(|_| AppError::Internal)?;
        // Being computed (join it), or computed recently and worth keeping.
        let kept = |(at, cost, _): &(i64, i64, Dashboard)| now - at < ttl && (s.many || *cost >= CHEAP_MS);
        let fresh = views.get(&key).filter(|slot| slot.get().is_none_or(kept)).cloned();
        match fresh {
            Some(slot) => slot,
            None => {
                if views.len() >= MAX_VIEWS {
                    views.retain(|_, slot| slot.get().is_some_and(|(at, ..)| now - at < ttl));
                }
                let slot: Slot = Arc::new(OnceCell::new());
                views.insert(key, slot.clone());
                slot
            }
        }
    };
    let (.., d) = slot
        .get_or_try_init(|| async {
            let started = std::time::Instant::now();
            let d = dashboard_of(store, s.clone(), q, now).await?;
            Ok::<_, AppError>((now, started.elapsed().as_millis() as i64, d))
        })
        .await?;
    Ok(d.clone())
}
