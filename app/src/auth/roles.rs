//! Roles and scope: who may do what, and where. Pure; the server functions call these.

pub use crate::community::{CommunityPath, Level};
use crate::i18n::T;
use serde::{Deserialize, Serialize};

crate::codes! {
    pub enum Role {
        Resident = "resident",
        /// 全科社工: accepts every kind of affair.
        SocialWorker = "social_worker",
        /// 副站长: background transfer and coordination.
        Dispatcher = "dispatcher",
        Stationmaster = "stationmaster",
        /// Liaison of a subdistrict department (answers the whistle).
        Department = "department",
        SubdistrictAdmin = "subdistrict_admin",
        DistrictAdmin = "district_admin",
    }
}

impl Role {
    pub const fn label(self) -> T {
        match self {
            Role::Resident => T::RoleResident,
            Role::SocialWorker => T::RoleSocialWorker,
            Role::Dispatcher => T::RoleDispatcher,
            Role::Stationmaster => T::RoleStationmaster,
            Role::Department => T::RoleDepartment,
            Role::SubdistrictAdmin => T::RoleSubdistrictAdmin,
            Role::DistrictAdmin => T::RoleDistrictAdmin,
        }
    }

    /// Everyone but residents works for the station or above it.
    pub const fn is_staff(self) -> bool {
        !matches!(self, Role::Resident)
    }

    /// The station's own team in one community.
    pub const fn is_station_team(self) -> bool {
        matches!(self, Role::SocialWorker | Role::Dispatcher | Role::Stationmaster)
    }

    /// The kind of region an account of this role is attached to.
    pub const fn home_level(self) -> Level {
        match self {
            Role::Resident | Role::SocialWorker | Role::Dispatcher | Role::Stationmaster => Level::Community,
            Role::Department | Role::SubdistrictAdmin => Level::Subdistrict,
            Role::DistrictAdmin => Level::District,
        }
    }
}

/// The region an account belongs to, at its role's level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub role: Role,
    pub region: i64,
}

impl Scope {
    /// May this account see the community's shared content (threads, public demands, its board)?
    /// Residents and the station team: their own community. Department liaisons and
    /// subdistrict admins: every community of their subdistrict. District admins: the district.
    pub fn covers(&self, path: &CommunityPath) -> bool {
        match self.role.home_level() {
            Level::Community => self.region == path.community,
            Level::Subdistrict => self.region == path.subdistrict,
            Level::District => self.region == path.district,
        }
    }

    /// May this account use the station desk (`/station`)? Every staff role may; what it sees
    /// there is limited by [`Scope::covers`].
    pub fn may_enter_station(&self) -> bool {
        self.role.is_staff()
    }

    /// May this account act as the station of the community (accept, reply, dispatch)?
    pub fn acts_for_station(&self, path: &CommunityPath) -> bool {
        self.role.is_station_team() && self.region == path.community
    }

    /// May this account change how the community is set up (grid areas, buildings)? Its
    /// stationmaster, and the admins of its subdistrict and district; nobody else.
    pub fn administers(&self, path: &CommunityPath) -> bool {
        match self.role {
            Role::Stationmaster => self.region == path.community,
            Role::SubdistrictAdmin => self.region == path.subdistrict,
            Role::DistrictAdmin => self.region == path.district,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QIANGGEN: CommunityPath = CommunityPath { community: 30, subdistrict: 20, district: 10 };
    const HETAOYUAN: CommunityPath = CommunityPath { community: 31, subdistrict: 20, district: 10 };
    const ELSEWHERE: CommunityPath = CommunityPath { community: 40, subdistrict: 21, district: 10 };
    const OTHER_DISTRICT: CommunityPath = CommunityPath { community: 50, subdistrict: 22, district: 11 };

    #[test]
    fn only_the_stationmaster_and_the_admins_above_set_a_community_up() {
        let s = |role, region| Scope { role, region };
        assert!(s(Role::Stationmaster, 30).administers(&QIANGGEN));
        assert!(!s(Role::Stationmaster, 30).administers(&HETAOYUAN));
        assert!(!s(Role::Dispatcher, 30).administers(&QIANGGEN));
        assert!(!s(Role::SocialWorker, 30).administers(&QIANGGEN));
        assert!(s(Role::SubdistrictAdmin, 20).administers(&HETAOYUAN));
        assert!(!s(Role::SubdistrictAdmin, 20).administers(&ELSEWHERE));
        assert!(s(Role::DistrictAdmin, 10).administers(&ELSEWHERE));
        assert!(!s(Role::DistrictAdmin, 10).administers(&OTHER_DISTRICT));
        assert!(!s(Role::Department, 20).administers(&QIANGGEN));
        assert!(!s(Role::Resident, 30).administers(&QIANGGEN));
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(Role::parse("Resident"), None);
    }

    #[test]
    fn residents_and_station_team_see_only_their_community() {
        for role in [Role::Resident, Role::SocialWorker, Role::Dispatcher, Role::Stationmaster] {
            let s = Scope { role, region: 30 };
            assert!(s.covers(&QIANGGEN), "{role:?}");
            assert!(!s.covers(&HETAOYUAN), "{role:?}");
            assert!(!s.covers(&ELSEWHERE), "{role:?}");
        }
    }

    #[test]
    fn subdistrict_and_district_reach_down() {
        for role in [Role::Department, Role::SubdistrictAdmin] {
            let s = Scope { role, region: 20 };
            assert!(s.covers(&QIANGGEN) && s.covers(&HETAOYUAN));
            assert!(!s.covers(&ELSEWHERE));
        }
        let d = Scope { role: Role::DistrictAdmin, region: 10 };
        assert!(d.covers(&QIANGGEN) && d.covers(&ELSEWHERE));
        assert!(!d.covers(&OTHER_DISTRICT));
    }

    #[test]
    fn station_entry_and_acting() {
        assert!(!Scope { role: Role::Resident, region: 30 }.may_enter_station());
        for role in Role::ALL.into_iter().filter(|r| *r != Role::Resident) {
            assert!(Scope { role, region: 30 }.may_enter_station(), "{role:?}");
        }
        assert!(Scope { role: Role::SocialWorker, region: 30 }.acts_for_station(&QIANGGEN));
        assert!(!Scope { role: Role::SocialWorker, region: 30 }.acts_for_station(&HETAOYUAN));
        assert!(!Scope { role: Role::SubdistrictAdmin, region: 20 }.acts_for_station(&QIANGGEN));
        assert!(!Scope { role: Role::Resident, region: 30 }.acts_for_station(&QIANGGEN));
    }
}
