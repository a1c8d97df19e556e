//! A district's year of cases, for measuring (`server seed-scale`): the demo (accounts,
//! pilots, their sixteen weeks), then communities spread over Xicheng's 15 subdistricts up
//! to `communities` in all, each with grid areas, buildings, the affairs menu, a station team,
//! residents and `years` of cases at about 100,000 a year for the district. The community
//! names are illustrative. Deterministic, and idempotent by community: a community that
//! already has its scale history is skipped, so an interrupted run resumes.

use super::history::{self, Span};
use crate::appointments::server::seed_past_appointments;
use crate::auth::server::{insert_user, NewUser};
use crate::auth::Role;
use crate::community::seed::{self as hierarchy, XICHENG_SUBDISTRICTS};
use crate::error::AppError;
use crate::store::Store;
use crate::threads::server::seed_past_threads;
use crate::work::server::WorkTx;
use rand::rngs::StdRng;
use rand::SeedableRng;

const DAY: i64 = 86_400_000;
/// Work items a year in the whole district (the figure), over its communities: a
/// smaller `--communities` keeps each community's rate, so the district is smaller.
pub const DISTRICT_ITEMS_PER_YEAR: f64 = 100_000.0;
const DISTRICT_COMMUNITIES: f64 = 260.0;
const NUMERALS: [&str; 20] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六", "十七",
    "十八", "十九", "二十",
];
const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗",
];
const GIVEN: [&str; 16] = [
    "秀英", "桂兰", "建国", "志强", "玉梅", "德胜", "淑珍", "国庆", "春花", "振东", "丽华", "永刚", "立新", "宝山",
    "秀云", "明",
];
const RESIDENTS_PER_COMMUNITY: usize = 30;

#[derive(Clone, Copy, Debug)]
pub struct ScaleOptions {
    /// Communities in the district, the two pilots included.
    pub communities: u32,
    pub years: u32,
}

impl Default for ScaleOptions {
    fn default() -> Self {
        ScaleOptions { communities: 260, years: 1 }
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct ScaleReport {
    pub communities: u32,
    pub skipped: u32,
    pub items: usize,
    pub threads: usize,
    pub appointments: usize,
}

/// The k-th generated community (k from 0): (subdistrict code, code, zh, en).
fn community_name(k: u32) -> (&'static str, String, String, String) {
    let (sub, zh, en) = XICHENG_SUBDISTRICTS[(k % 15) as usize];
    let n = k / 15;
    let short_zh = zh.trim_end_matches("街道");
    let short_en = en.trim_end_matches(" Subdistrict");
    let numeral = NUMERALS.get(n as usize).copied().unwrap_or("");
    let zh = if numeral.is_empty() {
        format!("{short_zh}第{}社区", n + 1)
    } else {
        format!("{short_zh}第{numeral}社区")
    };
    (sub, format!("{sub}-{:02}", n + 1), zh, format!("{short_en} Community {}", n + 1))
}

fn person(k: usize) -> String {
    format!("{}{}", SURNAMES[k % SURNAMES.len()], GIVEN[(k / SURNAMES.len() + k) % GIVEN.len()])
}

/// Seeds the district; `on_progress` hears of each community done.
pub async fn seed_scale(
    store: &Store,
    options: ScaleOptions,
    now: i64,
    mut on_progress: impl FnMut(u32, &str, usize),
) -> Result<ScaleReport, AppError> {
    super::seed_demo(store).await?;
    history::seed_history(store, now).await?;
    let mut report = ScaleReport::default();
    let days = 365 * options.years.max(1) as i64;
    // Weekends get half a weekday's cases: a weekday's rate is 7/6 of the daily average.
    let per_day = DISTRICT_ITEMS_PER_YEAR / 365.0 / DISTRICT_COMMUNITIES * 7.0 / 6.0;
    let first_day = crate::time::day_start(now) - days * DAY;
    // The pilots' demo history covers their last sixteen weeks: the scale history comes before.
    let pilot_last = crate::time::day_start(now) - (16 * 7 + 1) * DAY;
    for (code, per_day) in [("qianggen", 2.2), ("hetaoyuan", per_day)] {
        let span = Span { first_day, last_day: pilot_last, per_day, open_tail: false, key: "scale" };
        report.items += community(store, code, None, &span, now, &mut report).await?;
        on_progress(report.communities + report.skipped, code, report.items);
    }
    for k in 0..options.communities.saturating_sub(2) {
        let (sub, code, zh, en) = community_name(k);
        let span = Span { first_day, last_day: crate::time::day_start(now), per_day, open_tail: true, key: "scale" };
        let made = Made { k, subdistrict: sub, zh: &zh, en: &en };
        report.items += community(store, &code, Some(made), &span, now, &mut report).await?;
        on_progress(report.communities + report.skipped, &code, report.items);
    }
    // After a bulk load the planners need fresh statistics (autovacuum would get there,
    // later): without them PostgreSQL picks plans for empty tables.
    sqlx::query("ANALYZE").execute(store.pool()).await?;
    Ok(report)
}

/// A community the seed makes (the pilots already exist).
struct Made<'a> {
    k: u32,
    subdistrict: &'a str,
    zh: &'a str,
    en: &'a str,
}

/// One community in one transaction: its place in the hierarchy, team and residents (if
/// made here), then its history. Returns the items written.
async fn community(
    store: &Store,
    code: &str,
    made: Option<Made<'_>>,
    span: &Span,
    now: i64,
    report: &mut ScaleReport,
) -> Result<usize, AppError> {
    let mut w = WorkTx::begin(store).await?;
    let done: Option<i64> = sqlx::query_scalar(
        "SELECT d.id FROM demands d JOIN regions r ON r.id = d.community_id \
         WHERE r.code = $1 AND d.idempotency_key LIKE 'scale-%' LIMIT 1",
    )
    .bind(code)
    .fetch_optional(&mut **w.tx())
    .await?;
    if done.is_some() {
        report.skipped += 1;
        return Ok(0);
    }
    // Phones: 139 3xxx xxxx for the made communities' people, 139 4xxx xxxx for the pilots'.
    let phone_base = match &made {
        Some(m) => 13_930_000_000 + m.k as i64 * 100,
        None => 13_940_000_000 + if code == "qianggen" { 0 } else { 100 },
    };
    if let Some(m) = &made {
        let Some(id) = hierarchy::upsert_community(w.tx(), m.subdistrict, code, m.zh, m.en).await? else {
            return Ok(0);
        };
        crate::affairs::seed::seed_community(w.tx(), id).await?;
        for g in 1..=4_i64 {
            let area = hierarchy::upsert_area(
                w.tx(),
                id,
                &format!("g{g}"),
                &format!("第{}网格", NUMERALS[g as usize - 1]),
                &format!("Grid area {g}"),
            )
            .await?;
            for b in 1..=3_i64 {
                let n = (g - 1) * 3 + b;
                let (zh, en) = (format!("{n}号楼"), format!("Building {n}"));
                hierarchy::add_building(w.tx(), id, area, &format!("b{n}"), (&zh, &en), 36 + 12 * ((n * 7) % 6))
                    .await?;
            }
        }
        // The station team: a stationmaster, a dispatcher, four social workers directing the areas.
        let team = [
            Role::Stationmaster,
            Role::Dispatcher,
            Role::SocialWorker,
            Role::SocialWorker,
            Role::SocialWorker,
            Role::SocialWorker,
        ];
        for (j, role) in team.into_iter().enumerate() {
            let user = insert_user(
                w.tx(),
                NewUser {
                    phone: format!("{}", phone_base + 90 + j as i64),
                    password_hash: None,
                    display_name: person(m.k as usize * 7 + j + 3),
                    role,
                    region_id: id,
                    department_id: None,
                    building_id: None,
                    unit_no: None,
                    room: None,
                },
            )
            .await?;
            if j >= 2 {
                hierarchy::set_director(w.tx(), id, &format!("g{}", j - 1), user).await?;
            }
        }
    }
    let names: Vec<String> =
        (0..RESIDENTS_PER_COMMUNITY).map(|j| person(j + made.as_ref().map_or(0, |m| m.k as usize))).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let Some(c) = history::load(w.tx(), code, &names, phone_base).await? else { return Ok(0) };
    // One generator per community: the same community gets the same history however the run went.
    let seed = code.bytes().fold(20_261_201_u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    let mut rng = StdRng::seed_from_u64(seed);
    let written = history::fill(&mut w, &mut rng, &c, span, now).await?;
    // Its residents also deliberate and book the window, through their features' own seeds.
    let (first, last) = (span.first_day, span.last_day);
    report.threads += seed_past_threads(w.tx(), &mut rng, c.id(), c.residents(), first, last).await?;
    report.appointments +=
        seed_past_appointments(w.tx(), &mut rng, c.id(), c.residents(), c.window_staff(), first, now).await?;
    w.commit(store).await?;
    report.communities += 1;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_communities_have_unique_codes_and_chinese_names() {
        let names: Vec<_> = (0..258).map(community_name).collect();
        let mut codes: Vec<&str> = names.iter().map(|n| n.1.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 258);
        assert_eq!(names[0].2, "西长安街第一社区");
        assert_eq!(names[15].1, "xichanganjie-02");
        assert!(names.iter().all(|n| n.2.ends_with("社区") && !n.1.contains(' ')));
    }
}
