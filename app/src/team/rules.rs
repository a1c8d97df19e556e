//! Who may make and manage which staff accounts, where. Pure.

use crate::auth::{Level, Role, Scope};

/// A place staff accounts are attached to: a community (the station's team), a subdistrict
/// (its departments' liaisons and admins) or the district, with the regions above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    pub id: i64,
    pub level: Level,
    pub subdistrict: Option<i64>,
    pub district: i64,
}

/// May this account manage the staff of the unit? A stationmaster their own station; a
/// subdistrict admin the subdistrict and its communities; a district admin everything in
/// the district.
pub fn oversees(scope: &Scope, unit: &Unit) -> bool {
    match scope.role {
        Role::Stationmaster => unit.level == Level::Community && unit.id == scope.region,
        Role::SubdistrictAdmin => unit.subdistrict == Some(scope.region),
        Role::DistrictAdmin => unit.district == scope.region,
        _ => false,
    }
}

/// The roles this account may give to an account of a unit at `level`: always below its
/// own, except that a district admin may make another (the first came from `server init`).
pub fn grantable(actor: Role, level: Level) -> &'static [Role] {
    use Role::*;
    match (actor, level) {
        (Stationmaster, Level::Community) => &[SocialWorker, Dispatcher],
        (SubdistrictAdmin | DistrictAdmin, Level::Community) => &[SocialWorker, Dispatcher, Stationmaster],
        (SubdistrictAdmin, Level::Subdistrict) => &[Department],
        (DistrictAdmin, Level::Subdistrict) => &[Department, SubdistrictAdmin],
        (DistrictAdmin, Level::District) => &[DistrictAdmin],
        _ => &[],
    }
}

/// May `actor` (account `actor_id`) deactivate, reset or change the account `target_id`
/// holding `role` in a unit at `level` it oversees? Never its own account, nor a peer's
/// (a district admin may open another's account, but a reset's code would let it take that
/// account over: a departed district admin is deactivated with `server user`).
pub fn may_manage(actor: Role, actor_id: i64, role: Role, level: Level, target_id: i64) -> bool {
    actor_id != target_id && role != actor && grantable(actor, level).contains(&role)
}

/// The level of the regions `actor` adds and renames below a unit at `level` it oversees:
/// a subdistrict's communities (its admins and the district's), the district's
/// subdistricts (its admins).
pub fn keeps_below(actor: Role, level: Level) -> Option<Level> {
    use Role::*;
    match (actor, level) {
        (SubdistrictAdmin | DistrictAdmin, Level::Subdistrict) => Some(Level::Community),
        (DistrictAdmin, Level::District) => Some(Level::Subdistrict),
        _ => None,
    }
}

/// An account the station routes work to, and whose duty a stationmaster sets.
pub fn keeps_duty(role: Role) -> bool {
    role.is_station_team()
}

#[cfg(test)]
mod tests {
    use super::*;

    const QIANGGEN: Unit = Unit { id: 30, level: Level::Community, subdistrict: Some(20), district: 10 };
    const ELSEWHERE: Unit = Unit { id: 40, level: Level::Community, subdistrict: Some(21), district: 10 };
    const SUBDISTRICT: Unit = Unit { id: 20, level: Level::Subdistrict, subdistrict: Some(20), district: 10 };
    const DISTRICT: Unit = Unit { id: 10, level: Level::District, subdistrict: None, district: 10 };

    #[test]
    fn each_admin_oversees_its_own_part_of_the_district() {
        let s = |role, region| Scope { role, region };
        assert!(oversees(&s(Role::Stationmaster, 30), &QIANGGEN));
        assert!(!oversees(&s(Role::Stationmaster, 30), &ELSEWHERE));
        assert!(!oversees(&s(Role::Stationmaster, 30), &SUBDISTRICT));
        assert!(oversees(&s(Role::SubdistrictAdmin, 20), &QIANGGEN));
        assert!(oversees(&s(Role::SubdistrictAdmin, 20), &SUBDISTRICT));
        assert!(!oversees(&s(Role::SubdistrictAdmin, 20), &ELSEWHERE));
        assert!(!oversees(&s(Role::SubdistrictAdmin, 20), &DISTRICT));
        assert!(oversees(&s(Role::DistrictAdmin, 10), &ELSEWHERE));
        assert!(oversees(&s(Role::DistrictAdmin, 10), &DISTRICT));
        assert!(!oversees(&s(Role::DistrictAdmin, 11), &QIANGGEN));
        for role in [Role::SocialWorker, Role::Dispatcher, Role::Department, Role::Resident] {
            assert!(!oversees(&s(role, 30), &QIANGGEN), "{role}");
            assert!(!oversees(&s(role, 20), &SUBDISTRICT), "{role}");
        }
    }

    #[test]
    fn nobody_grants_a_role_at_or_above_their_own_but_district_admins() {
        assert_eq!(grantable(Role::Stationmaster, Level::Community), &[Role::SocialWorker, Role::Dispatcher]);
        assert!(grantable(Role::Stationmaster, Level::Subdistrict).is_empty());
        assert!(!grantable(Role::SubdistrictAdmin, Level::Subdistrict).contains(&Role::SubdistrictAdmin));
        assert!(grantable(Role::SubdistrictAdmin, Level::District).is_empty());
        assert!(grantable(Role::DistrictAdmin, Level::District).contains(&Role::DistrictAdmin));
        for level in [Level::Community, Level::Subdistrict, Level::District] {
            assert!(grantable(Role::Dispatcher, level).is_empty());
            for actor in Role::ALL {
                assert!(!grantable(actor, level).contains(&Role::Resident));
                for r in grantable(actor, level) {
                    assert_eq!(r.home_level(), level, "{actor} grants {r} at {level:?}");
                }
            }
        }
    }

    #[test]
    fn nobody_manages_their_own_account_or_a_peer() {
        assert!(may_manage(Role::Stationmaster, 1, Role::SocialWorker, Level::Community, 2));
        assert!(!may_manage(Role::Stationmaster, 1, Role::Stationmaster, Level::Community, 2));
        assert!(!may_manage(Role::DistrictAdmin, 1, Role::DistrictAdmin, Level::District, 1));
        assert!(!may_manage(Role::DistrictAdmin, 1, Role::DistrictAdmin, Level::District, 2));
        assert!(may_manage(Role::DistrictAdmin, 1, Role::SubdistrictAdmin, Level::Subdistrict, 2));
        assert!(may_manage(Role::SubdistrictAdmin, 1, Role::Stationmaster, Level::Community, 2));
    }

    #[test]
    fn regions_below_are_kept_by_the_admins_above_them() {
        use Role::*;
        assert_eq!(keeps_below(SubdistrictAdmin, Level::Subdistrict), Some(Level::Community));
        assert_eq!(keeps_below(DistrictAdmin, Level::Subdistrict), Some(Level::Community));
        assert_eq!(keeps_below(DistrictAdmin, Level::District), Some(Level::Subdistrict));
        assert_eq!(keeps_below(SubdistrictAdmin, Level::District), None);
        assert_eq!(keeps_below(Stationmaster, Level::Community), None);
        assert_eq!(keeps_below(DistrictAdmin, Level::Community), None);
    }
}
