//! Pure rules of booking the station's rooms and things. The time grid, the booking window
//! and the cancellation deadline are appointments' (`appointments::rules`): one set of
//! rules for the station's time. Here: what a booking request and a space must say, and a
//! resident's limits.

use crate::i18n::T;

/// Upcoming bookings (waiting or approved) a resident may hold at once, all spaces together.
pub const MAX_UPCOMING: usize = 3;
pub const MAX_PURPOSE: usize = 200;
pub const MAX_PEOPLE: i64 = 200;
pub const MAX_NOTE: usize = 200;
pub const MAX_NAME: usize = 30;
pub const MAX_ABOUT: usize = 300;
pub const MAX_CAPACITY: i64 = 20;
pub const MAX_HOURS: i64 = 8;

crate::codes! {
    /// A room one uses in place, or a thing one borrows and brings back.
    pub enum SpaceKind {
        Room = "room",
        Thing = "thing",
    }
}

crate::codes! {
    pub enum BookingStatus {
        /// Waiting for the station; the place is held meanwhile.
        Pending = "pending",
        Approved = "approved",
        Refused = "refused",
        Cancelled = "cancelled",
    }
}

impl BookingStatus {
    /// Does a booking in this state hold its place?
    pub const fn holds(self) -> bool {
        matches!(self, BookingStatus::Pending | BookingStatus::Approved)
    }

    pub const fn label(self) -> T {
        match self {
            BookingStatus::Pending => T::SpacePending,
            BookingStatus::Approved => T::SpaceApproved,
            BookingStatus::Refused => T::SpaceRefused,
            BookingStatus::Cancelled => T::StatusCancelled,
        }
    }
}

pub type Problems = Vec<(&'static str, T)>;

fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string()
}

/// A booking request as its form was filled in, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub hours: i64,
    pub purpose: String,
    pub people: i64,
}

/// Checks the request's fields against the space (`max_hours`; a thing is for one person).
pub fn check_request(
    hours: &str,
    purpose: &str,
    people: &str,
    kind: SpaceKind,
    max_hours: i64,
) -> Result<Request, Problems> {
    let mut problems = Vec::new();
    let hours = match hours.trim().parse::<i64>() {
        Ok(h) if (1..=max_hours).contains(&h) => h,
        _ => {
            problems.push(("hours", T::ErrSpaceHours));
            0
        }
    };
    let purpose = clean(purpose);
    if purpose.chars().count() < 2 {
        problems.push(("purpose", T::ErrRequired));
    } else if purpose.chars().count() > MAX_PURPOSE {
        problems.push(("purpose", T::ErrTooLong));
    }
    let people = match kind {
        SpaceKind::Thing => 1,
        SpaceKind::Room => match people.trim().parse::<i64>() {
            Ok(n) if (1..=MAX_PEOPLE).contains(&n) => n,
            _ => {
                problems.push(("people", T::ErrSpacePeople));
                0
            }
        },
    };
    if problems.is_empty() {
        Ok(Request { hours, purpose, people })
    } else {
        Err(problems)
    }
}

/// A resident's other holding bookings as the limits see them: (space, Beijing day).
pub fn check_limits(upcoming: &[(i64, String)], space: i64, day: &str) -> Result<(), T> {
    if upcoming.len() >= MAX_UPCOMING {
        return Err(T::ErrTooManyBookings);
    }
    if upcoming.iter().any(|(s, d)| *s == space && d == day) {
        return Err(T::ErrSpaceSameDay);
    }
    Ok(())
}

/// The station's decision on a waiting booking: a refusal says why.
pub fn check_decision(decision: &str, note: &str) -> Result<(bool, String), Problems> {
    let note = clean(note);
    let approve = match decision.trim() {
        "approve" => true,
        "refuse" => false,
        _ => return Err(vec![("decision", T::ErrSpaceDecision)]),
    };
    if note.chars().count() > MAX_NOTE {
        return Err(vec![("note", T::ErrTooLong)]);
    }
    if !approve && note.is_empty() {
        return Err(vec![("note", T::ErrSpaceRefusalReason)]);
    }
    Ok((approve, note))
}

/// A space as the station describes it, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpaceDraft {
    pub code: String,
    pub kind: SpaceKind,
    pub name_zh: String,
    pub name_en: String,
    pub about: String,
    pub capacity: i64,
    pub max_hours: i64,
    pub approval: bool,
}

#[allow(clippy::too_many_arguments)]
pub fn check_space(
    code: &str,
    kind: &str,
    name_zh: &str,
    name_en: &str,
    about: &str,
    capacity: &str,
    max_hours: &str,
    approval: bool,
) -> Result<SpaceDraft, Problems> {
    let mut problems = Vec::new();
    let code = code.trim().to_ascii_lowercase();
    let code_ok = (2..=32).contains(&code.len())
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !code.starts_with('-');
    if !code_ok {
        problems.push(("code", T::ErrSpaceCode));
    }
    let kind = SpaceKind::parse(kind.trim());
    if kind.is_none() {
        problems.push(("kind", T::ErrSpaceKind));
    }
    let (name_zh, name_en, about) = (clean(name_zh), clean(name_en), clean(about));
    for (field, v) in [("name_zh", &name_zh), ("name_en", &name_en)] {
        if v.is_empty() {
            problems.push((field, T::ErrRequired));
        } else if v.chars().count() > MAX_NAME {
            problems.push((field, T::ErrTooLong));
        }
    }
    if about.chars().count() > MAX_ABOUT {
        problems.push(("about", T::ErrTooLong));
    }
    let number = |s: &str, max: i64| s.trim().parse::<i64>().ok().filter(|n| (1..=max).contains(n));
    let capacity = number(capacity, MAX_CAPACITY);
    if capacity.is_none() {
        problems.push(("capacity", T::ErrSpaceCapacity));
    }
    let max_hours = number(max_hours, MAX_HOURS);
    if max_hours.is_none() {
        problems.push(("max_hours", T::ErrSpaceHours));
    }
    match (kind, capacity, max_hours) {
        (Some(kind), Some(capacity), Some(max_hours)) if problems.is_empty() => {
            Ok(SpaceDraft { code, kind, name_zh, name_en, about, capacity, max_hours, approval })
        }
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_checked_against_the_space() {
        let ok = check_request("2", " 书法班练习 ", "12", SpaceKind::Room, 4).unwrap();
        assert_eq!(ok, Request { hours: 2, purpose: "书法班练习".into(), people: 12 });
        // A thing is borrowed by one person, whatever the form said.
        assert_eq!(check_request("1", "借电钻装窗帘", "", SpaceKind::Thing, 2).unwrap().people, 1);
        let bad = check_request("5", "x", "0", SpaceKind::Room, 4).unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|p| p.0).collect();
        assert_eq!(fields, ["hours", "purpose", "people"]);
        assert_eq!(check_request("0", "开会", "3", SpaceKind::Room, 4).unwrap_err()[0].0, "hours");
        assert_eq!(
            check_request("1", &"长".repeat(201), "3", SpaceKind::Room, 4).unwrap_err()[0],
            ("purpose", T::ErrTooLong)
        );
        assert_eq!(check_request("1", "开会", "201", SpaceKind::Room, 4).unwrap_err()[0].0, "people");
    }

    #[test]
    fn a_resident_holds_three_bookings_and_one_a_day_per_space() {
        let held = vec![(1, "2026-12-03".to_string())];
        assert_eq!(check_limits(&held, 1, "2026-12-03"), Err(T::ErrSpaceSameDay));
        assert_eq!(check_limits(&held, 2, "2026-12-03"), Ok(()));
        assert_eq!(check_limits(&held, 1, "2026-12-04"), Ok(()));
        let three = vec![(1, "a".to_string()), (2, "b".to_string()), (3, "c".to_string())];
        assert_eq!(check_limits(&three, 4, "d"), Err(T::ErrTooManyBookings));
    }

    #[test]
    fn a_refusal_says_why() {
        assert_eq!(check_decision("approve", ""), Ok((true, String::new())));
        assert_eq!(check_decision("refuse", " 当天有消防检查 "), Ok((false, "当天有消防检查".into())));
        assert_eq!(check_decision("refuse", "  ").unwrap_err()[0], ("note", T::ErrSpaceRefusalReason));
        assert_eq!(check_decision("maybe", "").unwrap_err()[0].0, "decision");
    }

    #[test]
    fn a_space_names_itself_and_its_limits() {
        let s = check_space("Tool-cabinet", "thing", "共享工具柜", "Shared tool cabinet", "", "3", "4", false).unwrap();
        assert_eq!((s.code.as_str(), s.kind, s.capacity, s.max_hours), ("tool-cabinet", SpaceKind::Thing, 3, 4));
        let bad = check_space("-x", "hall", "", &"n".repeat(31), "", "0", "9", true).unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|p| p.0).collect();
        assert_eq!(fields, ["code", "kind", "name_zh", "name_en", "capacity", "max_hours"]);
        assert!(check_space("会议室", "room", "会议室", "Meeting room", "", "1", "2", true).is_err());
    }

    #[test]
    fn only_waiting_and_approved_bookings_hold_a_place() {
        let holding: Vec<BookingStatus> = BookingStatus::ALL.into_iter().filter(|s| s.holds()).collect();
        assert_eq!(holding, [BookingStatus::Pending, BookingStatus::Approved]);
        assert_eq!(BookingStatus::parse("lapsed"), None);
    }
}
