//! The demo: the hierarchy, the two pilot communities' affairs, one account per role, demo
//! threads, bookings and a survey, and (in [`history`]) sixteen weeks of past cases for the
//! dashboard. For demos and tests only; a real district is set up without it.

use crate::auth::server::{insert_user, NewUser};
use crate::auth::Role;
use crate::error::AppError;
use crate::store::Store;

pub mod history;
pub mod scale;

/// The password of every demo account (documented in README; meets the password policy).
pub const DEMO_PASSWORD: &str = "shequ2026";

/// A demo account: (phone, name, role, region code, department code, building code, unit, room, directs area).
pub struct DemoAccount {
    pub phone: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub region: &'static str,
    pub department: Option<&'static str>,
    pub home: Option<(&'static str, &'static str, &'static str)>,
    pub directs: Option<&'static str>,
}

/// One account per role (README lists them), plus a few more residents for realistic pages.
pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        phone: "13800000001",
        name: "王秀兰",
        role: Role::Resident,
        region: "qianggen",
        department: None,
        home: Some(("b3", "2", "302")),
        directs: None,
    },
    DemoAccount {
        phone: "13800000002",
        name: "刘社工",
        role: Role::SocialWorker,
        region: "qianggen",
        department: None,
        home: None,
        directs: Some("g1"),
    },
    DemoAccount {
        phone: "13800000003",
        name: "赵副站长",
        role: Role::Dispatcher,
        region: "qianggen",
        department: None,
        home: None,
        directs: Some("g2"),
    },
    DemoAccount {
        phone: "13800000004",
        name: "陈站长",
        role: Role::Stationmaster,
        region: "qianggen",
        department: None,
        home: None,
        directs: Some("g3"),
    },
    DemoAccount {
        phone: "13800000005",
        name: "孙联络员",
        role: Role::Department,
        region: "guanganmenwai",
        department: Some("urban"),
        home: None,
        directs: None,
    },
    DemoAccount {
        phone: "13800000006",
        name: "周主任",
        role: Role::SubdistrictAdmin,
        region: "guanganmenwai",
        department: None,
        home: None,
        directs: None,
    },
    DemoAccount {
        phone: "13800000007",
        name: "吴科长",
        role: Role::DistrictAdmin,
        region: "xicheng",
        department: None,
        home: None,
        directs: None,
    },
    DemoAccount {
        phone: "13800000008",
        name: "杨社工",
        role: Role::SocialWorker,
        region: "qianggen",
        department: None,
        home: None,
        directs: Some("g4"),
    },
    DemoAccount {
        phone: "13800000011",
        name: "李建国",
        role: Role::Resident,
        region: "qianggen",
        department: None,
        home: Some(("b8", "1", "101")),
        directs: None,
    },
    DemoAccount {
        phone: "13800000012",
        name: "张桂芬",
        role: Role::Resident,
        region: "qianggen",
        department: None,
        home: Some(("h13", "1", "东厢房")),
        directs: None,
    },
    DemoAccount {
        phone: "13800000021",
        name: "何明",
        role: Role::Resident,
        region: "hetaoyuan",
        department: None,
        home: Some(("b2", "3", "501")),
        directs: None,
    },
];

/// The hierarchy and the demo accounts. Returns how many accounts it created.
pub async fn seed_demo(store: &Store) -> Result<usize, AppError> {
    let pilots = crate::community::seed::seed_hierarchy(store).await?;
    for community in pilots {
        let mut tx = store.write().await?;
        crate::affairs::seed::seed_community(&mut tx, community).await?;
        tx.commit().await?;
    }
    let mut created = 0;
    // One hash for every demo account (same password), computed before the write lock.
    let hash = crate::auth::server::hash_password(DEMO_PASSWORD.to_string()).await?;
    let mut tx = store.write().await?;
    for account in DEMO_ACCOUNTS {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE phone = $1")
            .bind(account.phone)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            continue;
        }
        let region: i64 = sqlx::query_scalar("SELECT id FROM regions WHERE code = $1")
            .bind(account.region)
            .fetch_one(&mut *tx)
            .await?;
        let department_id = match account.department {
            Some(code) => {
                sqlx::query_scalar("SELECT id FROM departments WHERE subdistrict_id = $1 AND code = $2")
                    .bind(region)
                    .bind(code)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => None,
        };
        let (building_id, unit_no, room) = match account.home {
            Some((building, unit, room)) => (
                sqlx::query_scalar("SELECT id FROM buildings WHERE community_id = $1 AND code = $2")
                    .bind(region)
                    .bind(building)
                    .fetch_optional(&mut *tx)
                    .await?,
                Some(unit.to_string()),
                Some(room.to_string()),
            ),
            None => (None, None, None),
        };
        let id = insert_user(
            &mut tx,
            NewUser {
                phone: account.phone.to_string(),
                password_hash: Some(hash.clone()),
                display_name: account.name.to_string(),
                role: account.role,
                region_id: region,
                department_id,
                building_id,
                unit_no,
                room,
            },
        )
        .await?;
        if let Some(area) = account.directs {
            crate::community::seed::set_director(&mut tx, region, area, id).await?;
        }
        created += 1;
    }
    crate::auth::server::households::confirm_seeded(&mut tx).await?;
    tx.commit().await?;
    crate::threads::server::seed_demo_threads(store).await?;
    crate::appointments::server::seed_demo_appointments(store).await?;
    crate::spaces::server::seed_demo_spaces(store).await?;
    crate::rounds::server::seed_demo_households(store).await?;
    crate::surveys::server::seed_demo_survey(store).await?;
    Ok(created)
}
