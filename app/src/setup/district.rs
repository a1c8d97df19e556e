//! A real district's hierarchy from a file (`server init --district FILE`): district →
//! subdistricts → communities → grid areas → buildings, and each subdistrict's departments.
//! Checked whole before anything is written, then written in one transaction; running it
//! again adds what is new and renames what changed, and never deletes. Each new community
//! gets the standard affairs catalogue.

use crate::community::admin::{put_building, put_department, put_grid_area, put_region};
use crate::error::AppError;
use crate::store::{Store, Tx};
use serde::Deserialize;
use std::collections::HashSet;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistrictFile {
    pub district: Unit,
    /// Departments of every subdistrict that does not list its own.
    #[serde(default)]
    pub departments: Vec<Unit>,
    #[serde(default)]
    pub subdistricts: Vec<Subdistrict>,
    /// The district administrator `init` creates (the password never comes from the file).
    pub admin: Option<Admin>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subdistrict {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub departments: Option<Vec<Unit>>,
    #[serde(default)]
    pub communities: Vec<Community>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Community {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Made up for the example (no public source): replace before going live.
    #[serde(default)]
    pub illustrative: bool,
    #[serde(default)]
    pub grid_areas: Vec<GridArea>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridArea {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub buildings: Vec<Building>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Building {
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    #[serde(default)]
    pub households: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Admin {
    pub phone: String,
    pub name: String,
}

/// What a load wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    pub subdistricts: usize,
    pub communities: usize,
    pub illustrative: usize,
    pub grid_areas: usize,
    pub buildings: usize,
    pub departments: usize,
}

fn code_ok(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn name_ok(name: &str) -> bool {
    let n = name.trim().chars().count();
    (1..=60).contains(&n) && !name.chars().any(char::is_control)
}

impl DistrictFile {
    pub fn parse(text: &str) -> Result<DistrictFile, Vec<String>> {
        let file: DistrictFile = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        file.check()?;
        Ok(file)
    }

    /// Every problem, each with where it is, so a whole file is fixed in one go.
    pub fn check(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        let mut regions = HashSet::new();
        let unit = |at: &str, code: &str, zh: &str, en: &str, problems: &mut Vec<String>| {
            if !code_ok(code) {
                problems.push(format!("{at}: code {code:?} must be 1-40 of a-z, 0-9, - and _"));
            }
            if !name_ok(zh) || !name_ok(en) {
                problems.push(format!("{at}: names must have 1-60 characters"));
            }
        };
        let d = &self.district;
        unit("district", &d.code, &d.name_zh, &d.name_en, &mut problems);
        regions.insert(d.code.clone());
        let check_departments = |at: &str, list: &[Unit], problems: &mut Vec<String>| {
            let mut seen = HashSet::new();
            for (i, dep) in list.iter().enumerate() {
                let here = format!("{at}departments[{i}]");
                if !code_ok(&dep.code) || !name_ok(&dep.name_zh) || !name_ok(&dep.name_en) {
                    problems.push(format!("{here}: a code of a-z, 0-9, - and _, and names of 1-60 characters"));
                }
                if !seen.insert(dep.code.clone()) {
                    problems.push(format!("{here}: code {:?} twice", dep.code));
                }
            }
        };
        check_departments("", &self.departments, &mut problems);
        if self.subdistricts.is_empty() {
            problems.push("subdistricts: at least one".into());
        }
        for (s, sub) in self.subdistricts.iter().enumerate() {
            let at = format!("subdistricts[{s}] ({})", sub.code);
            unit(&at, &sub.code, &sub.name_zh, &sub.name_en, &mut problems);
            if !regions.insert(sub.code.clone()) {
                problems.push(format!("{at}: code {:?} is already used in this file", sub.code));
            }
            check_departments(&format!("{at}."), sub.departments.as_deref().unwrap_or(&[]), &mut problems);
            if sub.departments.is_none() && self.departments.is_empty() {
                problems.push(format!("{at}: no departments (list them here or at the top)"));
            }
            for (c, com) in sub.communities.iter().enumerate() {
                let at = format!("{at}.communities[{c}] ({})", com.code);
                unit(&at, &com.code, &com.name_zh, &com.name_en, &mut problems);
                if !regions.insert(com.code.clone()) {
                    problems.push(format!("{at}: code {:?} is already used in this file", com.code));
                }
                let (mut areas, mut buildings) = (HashSet::new(), HashSet::new());
                for (g, area) in com.grid_areas.iter().enumerate() {
                    let at = format!("{at}.grid_areas[{g}] ({})", area.code);
                    unit(&at, &area.code, &area.name_zh, &area.name_en, &mut problems);
                    if !areas.insert(area.code.clone()) {
                        problems.push(format!("{at}: code {:?} twice in the community", area.code));
                    }
                    for (b, building) in area.buildings.iter().enumerate() {
                        let at = format!("{at}.buildings[{b}] ({})", building.code);
                        let en = building.name_en.as_deref().unwrap_or(&building.name_zh);
                        unit(&at, &building.code, &building.name_zh, en, &mut problems);
                        if !buildings.insert(building.code.clone()) {
                            problems.push(format!("{at}: code {:?} twice in the community", building.code));
                        }
                        if !(0..=5000).contains(&building.households) {
                            problems.push(format!("{at}: households must be 0-5000"));
                        }
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// Why a load wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("code {0:?} already names another region (another level or another parent)")]
    CodeTaken(String),
    #[error("database: {0}")]
    Store(#[from] AppError),
}

impl From<sqlx::Error> for LoadError {
    fn from(e: sqlx::Error) -> Self {
        LoadError::Store(e.into())
    }
}

/// A region by code, created or renamed; a code another region holds is refused.
async fn region(
    tx: &mut Tx,
    level: &str,
    code: &str,
    zh: &str,
    en: &str,
    parent: Option<i64>,
) -> Result<i64, LoadError> {
    put_region(tx, level, code, (zh, en), parent).await?.ok_or_else(|| LoadError::CodeTaken(code.to_string()))
}

/// Writes the hierarchy in one transaction (nothing of it if any part fails).
pub async fn load(store: &Store, file: &DistrictFile) -> Result<LoadReport, LoadError> {
    let mut report = LoadReport::default();
    let mut tx = store.write().await?;
    let d = &file.district;
    let district = region(&mut tx, "district", &d.code, &d.name_zh, &d.name_en, None).await?;
    for sub in &file.subdistricts {
        let id = region(&mut tx, "subdistrict", &sub.code, &sub.name_zh, &sub.name_en, Some(district)).await?;
        report.subdistricts += 1;
        for dep in sub.departments.as_deref().unwrap_or(&file.departments) {
            put_department(&mut tx, id, &dep.code, &dep.name_zh, &dep.name_en).await?;
            report.departments += 1;
        }
        for com in &sub.communities {
            let community = region(&mut tx, "community", &com.code, &com.name_zh, &com.name_en, Some(id)).await?;
            crate::affairs::seed::seed_community(&mut tx, community).await?;
            crate::affairs::templates::apply_to_new_community(&mut tx, community).await?;
            report.communities += 1;
            report.illustrative += usize::from(com.illustrative);
            for area in &com.grid_areas {
                put_grid_area(&mut tx, community, &area.code, &area.name_zh, &area.name_en).await?;
                report.grid_areas += 1;
                for b in &area.buildings {
                    let names = (b.name_zh.as_str(), b.name_en.as_deref().unwrap_or(&b.name_zh));
                    put_building(&mut tx, community, &b.code, names, b.households, &area.code).await?;
                    report.buildings += 1;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
        [district]
        code = "xicheng"
        name_zh = "西城区"
        name_en = "Xicheng District"
        [[departments]]
        code = "urban"
        name_zh = "城市管理办公室"
        name_en = "Urban Management Office"
        [[subdistricts]]
        code = "guanganmenwai"
        name_zh = "广安门外街道"
        name_en = "Guang'anmenwai Subdistrict"
        [[subdistricts.communities]]
        code = "qianggen"
        name_zh = "强根社区"
        name_en = "Qianggen Community"
        [[subdistricts.communities.grid_areas]]
        code = "g1"
        name_zh = "第一网格"
        name_en = "Grid area 1"
        buildings = [{ code = "b1", name_zh = "1号楼", households = 48 }]
    "#;

    #[test]
    fn the_shipped_example_and_a_small_file_parse() {
        let f = DistrictFile::parse(SMALL).unwrap();
        assert_eq!(f.subdistricts[0].communities[0].grid_areas[0].buildings[0].households, 48);
        let xicheng = DistrictFile::parse(include_str!("../../../deploy/xicheng.toml")).unwrap();
        assert_eq!(xicheng.subdistricts.len(), 15);
        assert!(xicheng.admin.is_some());
    }

    #[test]
    fn every_problem_is_named_with_where_it_is() {
        let bad = SMALL.replace("\"b1\"", "\"B 1\"").replace("code = \"qianggen\"", "code = \"guanganmenwai\"");
        let problems = DistrictFile::parse(&bad).unwrap_err();
        assert!(problems.iter().any(|p| p.contains("buildings[0]") && p.contains("B 1")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("already used")), "{problems:?}");
        let unknown = SMALL.replace("[district]", "[district]\npopulation = 1");
        assert!(DistrictFile::parse(&unknown).unwrap_err()[0].contains("population"));
    }
}
