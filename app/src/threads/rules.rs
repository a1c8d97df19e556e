//! The rules of deliberation, pure and tested on their own: the support threshold, stance
//! counts, where a reply goes, the edit window, when flags hide something, rate limits,
//! meeting places and the waitlist, and which links in a body become clickable.

use serde::{Deserialize, Serialize};

/// Threads that gather this share of households' support go to the station (5%)...
pub const THRESHOLD_SHARE_PERCENT: i64 = 5;
/// ...but never fewer supports than this.
pub const THRESHOLD_FLOOR: i64 = 10;
pub const MAX_DEPTH: i64 = 3;
pub const EDIT_WINDOW_MS: i64 = 15 * 60_000;
pub const FLAGS_TO_HIDE: i64 = 3;
pub const MAX_TITLE: usize = 80;
pub const MAX_BODY: usize = 5000;
pub const MAX_COMMENT: usize = 2000;

/// The support threshold of a community: its own setting, or max(10, 5% of registered
/// households, rounded up).
pub fn support_threshold(setting: Option<i64>, households: i64) -> i64 {
    match setting {
        Some(n) if n > 0 => n,
        _ => THRESHOLD_FLOOR.max((households.max(0) * THRESHOLD_SHARE_PERCENT + 99) / 100),
    }
}

/// Does a thread with `supports` move to station review? Only an open thread, once.
pub fn reaches_threshold(state: ThreadState, supports: i64, threshold: i64) -> bool {
    state == ThreadState::Open && supports >= threshold
}

crate::codes! {
    pub enum ThreadState {
        Open = "open",
        /// Reached the threshold: an autonomy-project work item awaits the station's answer.
        Review = "review",
        Adopted = "adopted",
        Merged = "merged",
        Declined = "declined",
    }
}

impl ThreadState {
    /// The station may answer only a thread under review.
    pub fn can_answer(self) -> bool {
        self == ThreadState::Review
    }
    /// Residents may still support (and withdraw support) while nothing is decided.
    pub fn accepts_supports(self) -> bool {
        matches!(self, ThreadState::Open | ThreadState::Review)
    }
}

crate::codes! {
    pub enum Stance {
        Support = "support",
        Oppose = "oppose",
        Neutral = "neutral",
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StanceCounts {
    pub support: i64,
    pub oppose: i64,
    pub neutral: i64,
}

/// Stances of the comments that count: not deleted and not hidden.
pub fn stance_counts<'a>(comments: impl IntoIterator<Item = (Stance, bool)>) -> StanceCounts {
    let mut c = StanceCounts::default();
    for (stance, counts) in comments {
        if !counts {
            continue;
        }
        match stance {
            Stance::Support => c.support += 1,
            Stance::Oppose => c.oppose += 1,
            Stance::Neutral => c.neutral += 1,
        }
    }
    c
}

/// Where a new comment goes: at the top (depth 1), under its parent, or, under a comment
/// already at the deepest level, beside it (same parent, same depth) so that a reply is
/// never refused and the tree never grows past three levels.
/// `parent`: (its id, its depth, its own parent).
pub fn placement(parent: Option<(i64, i64, Option<i64>)>) -> (Option<i64>, i64) {
    match parent {
        None => (None, 1),
        Some((id, depth, _)) if depth < MAX_DEPTH => (Some(id), depth + 1),
        Some((_, _, grandparent)) => (grandparent, MAX_DEPTH),
    }
}

/// May the author still edit a comment written at `created`?
pub fn can_edit(created: i64, now: i64) -> bool {
    now >= created && now - created <= EDIT_WINDOW_MS
}

/// How a deleted comment shows: gone, or a "deleted" placeholder keeping its replies in place.
pub fn deleted_placeholder(has_replies: bool) -> bool {
    has_replies
}

/// Is something with this many unreviewed flags hidden pending review?
pub fn hidden_by_flags(unreviewed_flags: i64) -> bool {
    unreviewed_flags >= FLAGS_TO_HIDE
}

/// A rate limit: at most `max` actions within `window_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub max: usize,
    pub window_ms: i64,
}

/// Five threads a day.
pub const THREADS_PER_DAY: RateLimit = RateLimit { max: 5, window_ms: 24 * 3_600_000 };
/// A comment every ten seconds.
pub const COMMENT_INTERVAL: RateLimit = RateLimit { max: 1, window_ms: 10_000 };

/// Given the times of the user's earlier actions, may they act at `now`? If not, when (ms)
/// they may again.
pub fn rate_check(limit: RateLimit, earlier: &[i64], now: i64) -> Result<(), i64> {
    let mut recent: Vec<i64> = earlier.iter().copied().filter(|&t| t > now - limit.window_ms && t <= now).collect();
    if recent.len() < limit.max {
        return Ok(());
    }
    recent.sort_unstable();
    // The oldest action that still counts must leave the window first.
    let oldest_counting = recent[recent.len() - limit.max];
    Err(oldest_counting + limit.window_ms)
}

/// May someone post at `now`, given a block until `blocked_until`?
pub fn may_post(blocked_until: Option<i64>, now: i64) -> bool {
    blocked_until.is_none_or(|until| now >= until)
}

pub use crate::places::{next_from_waitlist, signup_outcome, SignupOutcome};

/// A piece of a body as shown: plain text, or a web link made clickable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Piece {
    Text(String),
    Link(String),
    Break,
}

/// Splits plain text into lines, text and links. Only `http://` and `https://` links become
/// links (never `javascript:` or `data:`); nothing else is treated as markup.
pub fn pieces(body: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    for (i, line) in body.lines().enumerate() {
        if i > 0 {
            out.push(Piece::Break);
        }
        let mut rest = line;
        while let Some(start) = find_link_start(rest) {
            if start > 0 {
                out.push(Piece::Text(rest[..start].to_string()));
            }
            let tail = &rest[start..];
            let end = tail
                .char_indices()
                .find(|(_, c)| c.is_whitespace() || !c.is_ascii() || matches!(c, '<' | '>' | '"' | '\''))
                .map(|(i, _)| i)
                .unwrap_or(tail.len());
            // Trailing punctuation belongs to the sentence, not the link.
            let link = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
            let scheme_len = if link.starts_with("https://") { 8 } else { 7 };
            if link.len() > scheme_len {
                out.push(Piece::Link(link.to_string()));
            } else {
                out.push(Piece::Text(link.to_string()));
            }
            rest = &tail[link.len()..];
        }
        if !rest.is_empty() {
            out.push(Piece::Text(rest.to_string()));
        }
    }
    out
}

fn find_link_start(s: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    match (lower.find("http://"), lower.find("https://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
    // Lower-casing ASCII keeps byte offsets, so the index is valid in `s`.
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_the_setting_or_five_percent_of_households_with_a_floor_of_ten() {
        assert_eq!(support_threshold(None, 0), 10);
        assert_eq!(support_threshold(None, 150), 10);
        assert_eq!(support_threshold(None, 200), 10);
        assert_eq!(support_threshold(None, 201), 11); // 10.05 rounds up
        assert_eq!(support_threshold(None, 1200), 60);
        assert_eq!(support_threshold(Some(3), 1200), 3);
        assert_eq!(support_threshold(Some(0), 1200), 60);
        assert!(reaches_threshold(ThreadState::Open, 10, 10));
        assert!(!reaches_threshold(ThreadState::Open, 9, 10));
        assert!(!reaches_threshold(ThreadState::Review, 11, 10), "reached once only");
        assert!(!reaches_threshold(ThreadState::Declined, 50, 10));
    }

    #[test]
    fn stance_counts_skip_deleted_and_hidden_comments() {
        let c = stance_counts([
            (Stance::Support, true),
            (Stance::Support, true),
            (Stance::Oppose, true),
            (Stance::Neutral, true),
            (Stance::Oppose, false),
        ]);
        assert_eq!(c, StanceCounts { support: 2, oppose: 1, neutral: 1 });
        assert_eq!(stance_counts([]), StanceCounts::default());
    }

    #[test]
    fn replies_nest_three_deep_then_go_beside() {
        assert_eq!(placement(None), (None, 1));
        assert_eq!(placement(Some((5, 1, None))), (Some(5), 2));
        assert_eq!(placement(Some((6, 2, Some(5)))), (Some(6), 3));
        assert_eq!(placement(Some((7, 3, Some(6)))), (Some(6), 3), "never a fourth level");
    }

    #[test]
    fn edits_within_fifteen_minutes() {
        assert!(can_edit(0, 0));
        assert!(can_edit(0, 15 * 60_000));
        assert!(!can_edit(0, 15 * 60_000 + 1));
        assert!(!can_edit(100, 50), "clock skew never opens the window");
        assert!(deleted_placeholder(true));
        assert!(!deleted_placeholder(false));
    }

    #[test]
    fn three_flags_hide() {
        assert!(!hidden_by_flags(0));
        assert!(!hidden_by_flags(2));
        assert!(hidden_by_flags(3));
        assert!(hidden_by_flags(7));
    }

    #[test]
    fn rate_limits_say_when_to_try_again() {
        let now = 1_000_000_000;
        assert_eq!(rate_check(COMMENT_INTERVAL, &[], now), Ok(()));
        assert_eq!(rate_check(COMMENT_INTERVAL, &[now - 3_000], now), Err(now + 7_000));
        assert_eq!(rate_check(COMMENT_INTERVAL, &[now - 10_000], now), Ok(()));
        let day = 24 * 3_600_000;
        let four: Vec<i64> = (1..=4).map(|h| now - h * 3_600_000).collect();
        assert_eq!(rate_check(THREADS_PER_DAY, &four, now), Ok(()));
        let mut five = four.clone();
        five.push(now - 20 * 3_600_000);
        assert_eq!(rate_check(THREADS_PER_DAY, &five, now), Err(now - 20 * 3_600_000 + day));
        let mut old = five.clone();
        old.push(now - 2 * day);
        assert_eq!(rate_check(THREADS_PER_DAY, &old, now), Err(now - 20 * 3_600_000 + day), "old ones don't count");
        assert!(may_post(None, now));
        assert!(!may_post(Some(now + 1), now));
        assert!(may_post(Some(now), now));
    }

    #[test]
    fn meeting_places_then_waitlist_in_order() {}

    #[test]
    fn only_web_links_become_links() {
        assert_eq!(
            pieces("看这里 https://example.org/a?b=1. 好\n第二行"),
            vec![
                Piece::Text("看这里 ".into()),
                Piece::Link("https://example.org/a?b=1".into()),
                Piece::Text(". 好".into()),
                Piece::Break,
                Piece::Text("第二行".into()),
            ]
        );
        assert_eq!(pieces("javascript:alert(1)"), vec![Piece::Text("javascript:alert(1)".into())]);
        assert_eq!(pieces("<script>alert(1)</script>"), vec![Piece::Text("<script>alert(1)</script>".into())]);
        assert_eq!(
            pieces("x http://a.b<img src=x onerror=alert(1)>"),
            vec![
                Piece::Text("x ".into()),
                Piece::Link("http://a.b".into()),
                Piece::Text("<img src=x onerror=alert(1)>".into())
            ]
        );
        assert_eq!(pieces("https://"), vec![Piece::Text("https://".into())]);
        assert_eq!(pieces("HTTPS://EXAMPLE.ORG"), vec![Piece::Link("HTTPS://EXAMPLE.ORG".into())]);
    }
}
