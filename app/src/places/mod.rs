//! Places with a capacity and a waitlist (consultation meetings, volunteer activities): the
//! pure rules here, the conditional updates that keep capacity in [`server`].

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod server;

/// A sign-up (meeting, activity): a confirmed place while any is left, else the waitlist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignupOutcome {
    Confirmed,
    Waitlisted,
}

pub fn signup_outcome(taken: i64, capacity: i64) -> SignupOutcome {
    if taken < capacity {
        SignupOutcome::Confirmed
    } else {
        SignupOutcome::Waitlisted
    }
}

/// Who gets a place freed by a cancellation: the first on the waitlist by the time they
/// asked (ties by user id, so every instance agrees).
pub fn next_from_waitlist(waitlist: &[(i64, i64)]) -> Option<i64> {
    waitlist.iter().min_by_key(|(user, queued)| (*queued, *user)).map(|(user, _)| *user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_then_waitlist_in_order() {
        assert_eq!(signup_outcome(0, 1), SignupOutcome::Confirmed);
        assert_eq!(signup_outcome(29, 30), SignupOutcome::Confirmed);
        assert_eq!(signup_outcome(30, 30), SignupOutcome::Waitlisted);
        assert_eq!(next_from_waitlist(&[]), None);
        assert_eq!(next_from_waitlist(&[(9, 300), (4, 200), (7, 200)]), Some(4));
    }
}
