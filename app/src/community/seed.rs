//! The demo hierarchy: Xicheng District with its 15 subdistricts, G Subdistrict's pilot
//! communities Qianggen and Hetaoyuan (from the paper in shared/docs), their grid areas and
//! buildings, and the subdistrict's departments. Idempotent: running it again changes
//! nothing that is already there. The demo seed (`crate::demo`) calls it.

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

pub(super) async fn upsert_region(
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
        let area = upsert_area(tx, community, code, zh, en).await?;
        for (bcode, bzh, ben, households) in buildings.iter() {
            add_building(tx, community, area, bcode, (bzh, ben), *households).await?;
        }
    }
    Ok(())
}

/// A grid area of a community (found by code, else created); returns its id.
pub async fn upsert_area(tx: &mut Tx, community: i64, code: &str, zh: &str, en: &str) -> Result<i64, AppError> {
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM grid_areas WHERE community_id = $1 AND code = $2")
        .bind(community)
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match existing {
        Some(id) => id,
        None => {
            sqlx::query_scalar(
                "INSERT INTO grid_areas (community_id, code, name_zh, name_en) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(community)
            .bind(code)
            .bind(zh)
            .bind(en)
            .fetch_one(&mut **tx)
            .await?
        }
    })
}

/// A building in a grid area, unless the community already has one with that code.
pub async fn add_building(
    tx: &mut Tx,
    community: i64,
    area: i64,
    code: &str,
    (zh, en): (&str, &str),
    households: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO buildings (community_id, grid_area_id, code, name_zh, name_en, households) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (community_id, code) DO NOTHING",
    )
    .bind(community)
    .bind(area)
    .bind(code)
    .bind(zh)
    .bind(en)
    .bind(households)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A community under a subdistrict (by codes), found or created; `None` if the
/// subdistrict does not exist.
pub async fn upsert_community(
    tx: &mut Tx,
    subdistrict: &str,
    code: &str,
    zh: &str,
    en: &str,
) -> Result<Option<i64>, AppError> {
    let parent: Option<i64> = sqlx::query_scalar("SELECT id FROM regions WHERE code = $1 AND level = 'subdistrict'")
        .bind(subdistrict)
        .fetch_optional(&mut **tx)
        .await?;
    match parent {
        Some(p) => {
            // A subdistrict with communities has its offices to whistle up.
            departments(tx, p).await?;
            Ok(Some(upsert_region(tx, "community", code, zh, en, Some(p)).await?))
        }
        None => Ok(None),
    }
}

/// The subdistrict's offices that stations whistle up (the same six in every subdistrict).
async fn departments(tx: &mut Tx, subdistrict: i64) -> Result<(), AppError> {
    for (dcode, dzh, den) in G_DEPARTMENTS {
        sqlx::query(
            "INSERT INTO departments (subdistrict_id, code, name_zh, name_en) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (subdistrict_id, code) DO NOTHING",
        )
        .bind(subdistrict)
        .bind(dcode)
        .bind(dzh)
        .bind(den)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The hierarchy alone: district, subdistricts, pilot communities, areas, buildings,
/// departments. Returns the pilot communities' ids.
pub async fn seed_hierarchy(store: &Store) -> Result<Vec<i64>, AppError> {
    let mut pilots = Vec::new();
    let mut tx = store.write().await?;
    let xicheng = upsert_region(&mut tx, "district", "xicheng", "西城区", "Xicheng District", None).await?;
    for (code, zh, en) in XICHENG_SUBDISTRICTS {
        let sub = upsert_region(&mut tx, "subdistrict", code, zh, en, Some(xicheng)).await?;
        if code == G_SUBDISTRICT {
            for (ccode, czh, cen) in G_COMMUNITIES {
                let community = upsert_region(&mut tx, "community", ccode, czh, cen, Some(sub)).await?;
                let areas: &[AreaSeed] = if ccode == "qianggen" { &QIANGGEN_AREAS } else { &HETAOYUAN_AREAS };
                seed_areas(&mut tx, community, areas).await?;
                pilots.push(community);
            }
            departments(&mut tx, sub).await?;
        }
    }
    tx.commit().await?;
    Ok(pilots)
}

/// Makes `user` the director of a grid area that has none yet.
pub async fn set_director(tx: &mut Tx, community: i64, area: &str, user: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE grid_areas SET director_id = $1 WHERE community_id = $2 AND code = $3 AND director_id IS NULL")
        .bind(user)
        .bind(community)
        .bind(area)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
