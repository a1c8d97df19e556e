//! The demo community: Xicheng District with its 15 subdistricts, G Subdistrict's pilot
//! communities Qianggen and Hetaoyuan (from the paper in shared/docs), Qianggen's grid
//! areas and buildings, the subdistrict's departments, and one demo account per role.
//! Idempotent: running it again changes nothing that is already there.

use crate::auth::server::{insert_user, NewUser};
use crate::auth::Role;
use crate::error::AppError;
use crate::store::{Store, Tx};

/// Xicheng's 15 subdistricts (街道), with the codes used in URLs and on the command line.
/// The paper calls the pilot subdistrict "G"; we take it to be Guang'anmenwai (广安门外).
pub const XICHENG_SUBDISTRICTS: [(&str, &str, &str); 15] = [
    ("xichanganjie", "西长安街街道", "Xichang'anjie Subdistrict"),
    ("xinjiekou", "新街口街道", "Xinjiekou Subdistrict"),
    ("yuetan", "月坛街道", "Yuetan Subdistrict"),
    ("zhanlanlu", "展览路街道", "Zhanlanlu Subdistrict"),
    ("desheng", "德胜街道", "Desheng Subdistrict"),
    ("jinrongjie", "金融街街道", "Jinrongjie Subdistrict"),
    ("shichahai", "什刹海街道", "Shichahai Subdistrict"),
    ("dashilan", "大栅栏街道", "Dashilan Subdistrict"),
    ("tianqiao", "天桥街道", "Tianqiao Subdistrict"),
    ("chunshu", "椿树街道", "Chunshu Subdistrict"),
    ("taoranting", "陶然亭街道", "Taoranting Subdistrict"),
    ("guanganmennei", "广安门内街道", "Guang'anmennei Subdistrict"),
    ("niujie", "牛街街道", "Niujie Subdistrict"),
    ("baizhifang", "白纸坊街道", "Baizhifang Subdistrict"),
    ("guanganmenwai", "广安门外街道", "Guang'anmenwai Subdistrict (G)"),
];

pub const G_SUBDISTRICT: &str = "guanganmenwai";
pub const DEMO_COMMUNITY: &str = "qianggen";
/// The password of every demo account (documented in README; meets the password policy).
pub const DEMO_PASSWORD: &str = "shequ2026";

const G_COMMUNITIES: [(&str, &str, &str); 2] =
    [("qianggen", "强根社区", "Qianggen Community"), ("hetaoyuan", "核桃园社区", "Hetaoyuan Community")];

/// Departments of G Subdistrict that the station can whistle up (街乡吹哨、部门报到).
const G_DEPARTMENTS: [(&str, &str, &str); 6] = [
    ("urban", "城市管理办公室", "Urban Management Office"),
    ("safety", "平安建设办公室", "Public Safety Office"),
    ("welfare", "民生保障办公室", "Livelihood Security Office"),
    ("community", "社区建设办公室", "Community Development Office"),
    ("enforcement", "综合行政执法队", "Comprehensive Law Enforcement Team"),
    ("services", "政务服务中心", "Government Service Centre"),
];

/// Grid areas of a community: (code, zh, en, [(building code, zh, en, households)]).
type AreaSeed = (&'static str, &'static str, &'static str, &'static [(&'static str, &'static str, &'static str, i64)]);

const QIANGGEN_AREAS: [AreaSeed; 4] = [
    (
        "g1",
        "第一网格",
        "Grid area 1",
        &[
            ("b1", "1号楼", "Building 1", 48),
            ("b2", "2号楼", "Building 2", 48),
            ("b3", "3号楼", "Building 3", 60),
            ("b4", "4号楼", "Building 4", 36),
        ],
    ),
    (
        "g2",
        "第二网格",
        "Grid area 2",
        &[("b5", "5号楼", "Building 5", 72), ("b6", "6号楼", "Building 6", 72), ("b7", "7号楼", "Building 7", 54)],
    ),
    (
        "g3",
        "第三网格",
        "Grid area 3",
        &[("b8", "8号楼", "Building 8", 96), ("b9", "9号楼", "Building 9", 96), ("b10", "10号楼", "Building 10", 30)],
    ),
    (
        "g4",
        "第四网格（平房院落）",
        "Grid area 4 (courtyard houses)",
        &[
            ("h11", "胡同11号院", "Courtyard No. 11", 12),
            ("h13", "胡同13号院", "Courtyard No. 13", 9),
            ("h15", "胡同15号院", "Courtyard No. 15", 14),
        ],
    ),
];

const HETAOYUAN_AREAS: [AreaSeed; 2] = [
    ("g1", "第一网格", "Grid area 1", &[("b1", "1号楼", "Building 1", 80), ("b2", "2号楼", "Building 2", 80)]),
    ("g2", "第二网格", "Grid area 2", &[("b3", "3号楼", "Building 3", 66), ("b4", "4号楼", "Building 4", 66)]),
];

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

async fn upsert_region(
    tx: &mut Tx,
    level: &str,
    code: &str,
    zh: &str,
    en: &str,
    parent: Option<i64>,
) -> Result<i64, AppError> {
    if let Some(id) = sqlx::query_scalar::<_, i64>("SELECT id FROM regions WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?
    {
        return Ok(id);
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO regions (level, code, name_zh, name_en, parent_id) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(level)
    .bind(code)
    .bind(zh)
    .bind(en)
    .bind(parent)
    .fetch_one(&mut **tx)
    .await?)
}

async fn seed_areas(tx: &mut Tx, community: i64, areas: &[AreaSeed]) -> Result<(), AppError> {
    for (code, zh, en, buildings) in areas {
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM grid_areas WHERE community_id = $1 AND code = $2")
                .bind(community)
                .bind(code)
                .fetch_optional(&mut **tx)
                .await?;
        let area = match existing {
            Some(id) => id,
            None => sqlx::query_scalar(
                "INSERT INTO grid_areas (community_id, code, name_zh, name_en) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(community)
            .bind(code)
            .bind(zh)
            .bind(en)
            .fetch_one(&mut **tx)
            .await?,
        };
        for (bcode, bzh, ben, households) in buildings.iter() {
            sqlx::query(
                "INSERT INTO buildings (community_id, grid_area_id, code, name_zh, name_en, households) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (community_id, code) DO NOTHING",
            )
            .bind(community)
            .bind(area)
            .bind(bcode)
            .bind(bzh)
            .bind(ben)
            .bind(households)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// The hierarchy alone: district, subdistricts, pilot communities, areas, buildings, departments.
pub async fn seed_hierarchy(store: &Store) -> Result<(), AppError> {
    let mut tx = store.write().await?;
    let xicheng = upsert_region(&mut tx, "district", "xicheng", "西城区", "Xicheng District", None).await?;
    for (code, zh, en) in XICHENG_SUBDISTRICTS {
        let sub = upsert_region(&mut tx, "subdistrict", code, zh, en, Some(xicheng)).await?;
        if code == G_SUBDISTRICT {
            for (ccode, czh, cen) in G_COMMUNITIES {
                let community = upsert_region(&mut tx, "community", ccode, czh, cen, Some(sub)).await?;
                let areas: &[AreaSeed] = if ccode == "qianggen" { &QIANGGEN_AREAS } else { &HETAOYUAN_AREAS };
                seed_areas(&mut tx, community, areas).await?;
                crate::affairs::seed::seed_community(&mut tx, community).await?;
            }
            for (dcode, dzh, den) in G_DEPARTMENTS {
                sqlx::query(
                    "INSERT INTO departments (subdistrict_id, code, name_zh, name_en) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (subdistrict_id, code) DO NOTHING",
                )
                .bind(sub)
                .bind(dcode)
                .bind(dzh)
                .bind(den)
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The hierarchy and the demo accounts. Returns how many accounts it created.
pub async fn seed_demo(store: &Store) -> Result<usize, AppError> {
    seed_hierarchy(store).await?;
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
            sqlx::query(
                "UPDATE grid_areas SET director_id = $1 WHERE community_id = $2 AND code = $3 AND director_id IS NULL",
            )
            .bind(id)
            .bind(region)
            .bind(area)
            .execute(&mut *tx)
            .await?;
        }
        created += 1;
    }
    tx.commit().await?;
    crate::threads::server::seed_demo_threads(store).await?;
    crate::appointments::server::seed_demo_appointments(store).await?;
    crate::surveys::server::seed_demo_survey(store).await?;
    Ok(created)
}
