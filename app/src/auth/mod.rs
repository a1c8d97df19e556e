//! Accounts, roles, sessions: registering, logging in and out, who may do what.

pub mod roles;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;

pub use roles::{CommunityPath, Level, Role, Scope};
use serde::{Deserialize, Serialize};

/// The account behind a valid session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub role: Role,
    pub display_name: String,
    pub phone: String,
    /// The region the account belongs to, at its role's level.
    pub region_id: i64,
    pub department_id: Option<i64>,
}

impl SessionUser {
    pub fn scope(&self) -> Scope {
        Scope { role: self.role, region: self.region_id }
    }
}

/// Is a session still alive at `now`? It dies when unused for `idle` or, however busy,
/// `absolute` after login. All times in milliseconds.
pub fn session_alive(created_at: i64, last_seen_at: i64, now: i64, idle_ms: i64, absolute_ms: i64) -> bool {
    now - last_seen_at < idle_ms && now - created_at < absolute_ms
}

/// Login throttling: given the times of recent failures (any order), how many seconds
/// must the next attempt wait? `None` when it may go ahead. At `limit` failures inside
/// the window it waits until the oldest of the last `limit` leaves the window.
pub fn throttle_wait_secs(failures: &[i64], limit: i64, window_ms: i64, now: i64) -> Option<i64> {
    let mut recent: Vec<i64> = failures.iter().copied().filter(|t| now - *t < window_ms).collect();
    if limit <= 0 || (recent.len() as i64) < limit {
        return None;
    }
    recent.sort_unstable();
    let oldest_that_counts = recent[recent.len() - limit as usize];
    Some(((oldest_that_counts + window_ms - now) + 999) / 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn session_idle_and_absolute_timeouts() {
        let (idle, abs) = (30 * MIN, 24 * 60 * MIN);
        assert!(session_alive(0, 0, 29 * MIN, idle, abs));
        assert!(!session_alive(0, 0, 30 * MIN, idle, abs));
        // Busy all day: still ends at the absolute limit.
        assert!(session_alive(0, 24 * 60 * MIN - 1, 24 * 60 * MIN - 1, idle, abs));
        assert!(!session_alive(0, 24 * 60 * MIN, 24 * 60 * MIN, idle, abs));
    }

    #[test]
    fn throttle_allows_up_to_the_limit() {
        let window = 15 * MIN;
        let now = 100 * MIN;
        assert_eq!(throttle_wait_secs(&[], 5, window, now), None);
        let four = [now - 4 * MIN, now - 3 * MIN, now - 2 * MIN, now - MIN];
        assert_eq!(throttle_wait_secs(&four, 5, window, now), None);
        let five = [now - 5 * MIN, now - 4 * MIN, now - 3 * MIN, now - 2 * MIN, now - MIN];
        // The oldest failure was 5 minutes ago: 10 minutes to wait.
        assert_eq!(throttle_wait_secs(&five, 5, window, now), Some(10 * 60));
        // Failures older than the window do not count.
        let old = [now - 20 * MIN, now - 19 * MIN, now - 18 * MIN, now - 17 * MIN, now - MIN];
        assert_eq!(throttle_wait_secs(&old, 5, window, now), None);
        // With more than the limit, the wait ends when enough of them age out.
        let six = [now - 6 * MIN, now - 5 * MIN, now - 4 * MIN, now - 3 * MIN, now - 2 * MIN, now - MIN];
        assert_eq!(throttle_wait_secs(&six, 5, window, now), Some(10 * 60));
    }
}

/// What the Me page shows the account's owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetails {
    pub display_name: String,
    /// The full number: only ever sent to its owner.
    pub phone: String,
    pub phone_masked: String,
    pub role: Role,
    pub region: crate::i18n::Named,
    pub building: Option<crate::i18n::Named>,
    pub unit_no: Option<String>,
    pub room: Option<String>,
    pub other_sessions: i64,
    /// Volunteer hours credited this year (residents), as shown.
    pub volunteer_hours: Option<String>,
}
