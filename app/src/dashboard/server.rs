//! Loads the facts for the dashboard from either database and hands them to [`super::rates`];
//! the CSV exports of the work items and of the rates.

use super::rates::{self, Ending, ItemFacts, Period, RatingFacts};
use super::*;
use crate::auth::{Level, Role, SessionUser};
use crate::i18n::T;
use crate::store::Store;
use chrono::{Datelike, NaiveDate, TimeZone};

/// The communities a dashboard covers: one, or every one under a region.
#[derive(Clone, Debug)]
pub struct Scope {
    /// SQL selecting the community ids (one bind: `$1`).
    pub filter: &'static str,
    pub region: i64,
    pub chosen: String,
    pub name: Named,
    pub choices: Vec<(String, Named)>,
    /// More than one community: the ranking table makes sense.
    pub many: bool,
}

impl Scope {
    /// One community, for a page whose caller decided who may see it (the public one).
    pub fn community(id: i64, code: String, name: Named) -> Scope {
        Scope { filter: ONE, region: id, chosen: code, name, choices: Vec::new(), many: false }
    }

    /// Every community of a subdistrict (its ranking).
    pub fn subdistrict(id: i64, name: Named) -> Scope {
        Scope { filter: UNDER_SUBDISTRICT, region: id, chosen: "all".into(), name, choices: Vec::new(), many: true }
    }
}

const ONE: &str = "SELECT id FROM regions WHERE id = $1";
const UNDER_SUBDISTRICT: &str = "SELECT id FROM regions WHERE parent_id = $1 AND level = 'community'";
const UNDER_DISTRICT: &str =
    "SELECT c.id FROM regions c JOIN regions s ON s.id = c.parent_id WHERE s.parent_id = $1 AND c.level = 'community'";

/// Who may see what. The station team sees its own community; subdistrict and district
/// admins any community under them, or all of them; residents and department liaisons
/// nothing (a liaison answers whistles, it does not run a station).
pub async fn scope(store: &Store, user: &SessionUser, community: Option<&str>) -> Result<Scope, AppError> {
    let region = crate::community::server::region_by_id(store, user.region_id).await?.ok_or(AppError::Internal)?;
    let choice = community.map(str::trim).filter(|c| !c.is_empty());
    if user.role.is_station_team() {
        if choice.is_some_and(|c| c != region.code) {
            return Err(AppError::Forbidden);
        }
        return Ok(Scope {
            filter: ONE,
            region: region.id,
            chosen: region.code.clone(),
            name: region.name,
            choices: Vec::new(),
            many: false,
        });
    }
    let under = match (user.role, region.level) {
        (Role::SubdistrictAdmin, Level::Subdistrict) => UNDER_SUBDISTRICT,
        (Role::DistrictAdmin, Level::District) => UNDER_DISTRICT,
        _ => return Err(AppError::Forbidden),
    };
    let rows: Vec<(i64, String, String, String)> =
        sqlx::query_as(&format!("SELECT id, code, name_zh, name_en FROM regions WHERE id IN ({under}) ORDER BY code"))
            .bind(region.id)
            .fetch_all(store.pool())
            .await?;
    let choices: Vec<(String, Named)> =
        rows.iter().map(|(_, c, zh, en)| (c.clone(), Named { zh: zh.clone(), en: en.clone() })).collect();
    match choice.filter(|c| *c != "all") {
        Some(code) => {
            let (id, code, zh, en) = rows.into_iter().find(|r| r.1 == code).ok_or(AppError::Forbidden)?;
            Ok(Scope { filter: ONE, region: id, chosen: code, name: Named { zh, en }, choices, many: false })
        }
        None => {
            Ok(Scope { filter: under, region: region.id, chosen: "all".into(), name: region.name, choices, many: true })
        }
    }
}

/// The period asked for, in UTC milliseconds, with its first and last Beijing dates.
pub fn period(q: &DashboardQuery, now: i64) -> Result<(String, Period, NaiveDate, NaiveDate), AppError> {
    let tz = crate::time::beijing();
    let today = crate::time::to_local(now).date_naive();
    let start_of = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .single()
            .map(|t| t.timestamp_millis())
            .unwrap_or_default()
    };
    let kind = q.period.as_deref().unwrap_or("month");
    let (first, last) = match kind {
        "week" => {
            let monday = today - chrono::Duration::days(today.weekday().num_days_from_monday() as i64);
            (monday, monday + chrono::Duration::days(6))
        }
        "custom" => {
            let parse = |field: &str, v: &Option<String>| {
                v.as_deref()
                    .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
                    .ok_or_else(|| AppError::invalid(field, T::ErrDateFormat))
            };
            let (from, to) = (parse("from", &q.from)?, parse("to", &q.to)?);
            if to < from || (to - from).num_days() > 366 {
                return Err(AppError::invalid("to", T::ErrPeriodRange));
            }
            (from, to)
        }
        _ => {
            let first = today.with_day(1).unwrap_or(today);
            let next = if first.month() == 12 {
                NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
            }
            .unwrap_or(first);
            (first, next - chrono::Duration::days(1))
        }
    };
    let kind = if matches!(kind, "week" | "custom") { kind } else { "month" };
    let p = Period { start: start_of(first), end: start_of(last + chrono::Duration::days(1)) };
    Ok((kind.to_string(), p, first, last))
}

/// What the rates need of one work item (narrow: a district's period is tens of thousands).
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct FactRow {
    pub community_id: i64,
    pub assignee_id: Option<i64>,
    pub state: String,
    pub respond_by: i64,
    pub complete_by: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub created_at: i64,
    pub reopens: i64,
    pub withdrawn_at: Option<i64>,
    pub found_via: Option<String>,
    pub merged_into: Option<i64>,
}

impl FactRow {
    pub fn facts(&self) -> ItemFacts {
        let state = crate::work::rules::State::parse(&self.state);
        let ending = match state {
            Some(crate::work::rules::State::Closed) => Ending::Closed { at: self.closed_at.unwrap_or(self.created_at) },
            Some(crate::work::rules::State::Withdrawn) => {
                Ending::Withdrawn { at: self.withdrawn_at.unwrap_or(self.created_at), after_reopen: self.reopens > 0 }
            }
            _ => Ending::Open,
        };
        ItemFacts {
            created_at: self.created_at,
            respond_by: self.respond_by,
            complete_by: self.complete_by,
            first_response_at: self.first_response_at,
            resolved_at: self.resolved_at,
            ending,
            open_now: state.is_some_and(|s| s.is_open()),
            found: self.found_via.is_some(),
            merged: self.merged_into.is_some(),
        }
    }
}

/// One work item as the CSV sees it.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct ItemRow {
    pub id: i64,
    pub kind: String,
    pub community_zh: String,
    pub triage: String,
    pub urgency: Option<String>,
    pub assignee: Option<String>,
    pub area_zh: Option<String>,
    pub family: Option<String>,
    pub category: Option<String>,
    pub affair_zh: Option<String>,
    pub overall: Option<i64>,
    #[sqlx(flatten)]
    pub f: FactRow,
}

/// The ids of the items that can count in the period: still open, touched since its start
/// (answered, resolved, closed or withdrawn in it: each of those moves `updated_at`), or due
/// in it. Three index ranges per community instead of one pass over all history. Binds:
/// `$1` the scope, `$3` the period's start.
fn counting(scope: &Scope) -> String {
    let f = scope.filter;
    // The open states named one by one: a few seeks in (community, state), not a scan of
    // the community's history for what is not closed.
    let open: Vec<String> =
        crate::work::rules::State::ALL.iter().filter(|s| s.is_open()).map(|s| format!("'{}'", s.as_str())).collect();
    let open = open.join(", ");
    format!(
        "SELECT id FROM work_items WHERE community_id IN ({f}) AND state IN ({open}) \
         UNION SELECT id FROM work_items WHERE community_id IN ({f}) AND updated_at >= $3 \
         UNION SELECT id FROM work_items WHERE community_id IN ({f}) AND respond_by >= $3"
    )
}

const FACT_COLUMNS: &str = "w.community_id, w.assignee_id, w.state, w.respond_by, w.complete_by, w.first_response_at, \
     w.resolved_at, w.closed_at, w.created_at, w.reopens, w.withdrawn_at, w.found_via, w.merged_into";

/// The facts of every item that can count in the period (posted before its end).
pub async fn facts(store: &Store, scope: &Scope, period: Period) -> Result<Vec<FactRow>, AppError> {
    let sql =
        format!("SELECT {FACT_COLUMNS} FROM work_items w WHERE w.id IN ({}) AND w.created_at < $2", counting(scope));
    Ok(sqlx::query_as(&sql).bind(scope.region).bind(period.end).bind(period.start).fetch_all(store.pool()).await?)
}

/// The same items with what the CSV shows, in id order, as a stream.
pub fn items_sql(scope: &Scope) -> String {
    format!(
        "SELECT w.id, w.kind, c.name_zh AS community_zh, w.triage, d.urgency, u.display_name AS assignee, \
         g.name_zh AS area_zh, a.family, a.category, a.name_zh AS affair_zh, r.overall, {FACT_COLUMNS} \
         FROM work_items w JOIN regions c ON c.id = w.community_id \
         LEFT JOIN demands d ON d.id = w.demand_id LEFT JOIN affairs a ON a.id = d.affair_id \
         LEFT JOIN users u ON u.id = w.assignee_id LEFT JOIN grid_areas g ON g.id = w.grid_area_id \
         LEFT JOIN ratings r ON r.work_item_id = w.id \
         WHERE w.id IN ({}) AND w.created_at < $2 ORDER BY w.id",
        counting(scope)
    )
}

/// Items posted in the period by kind, family, category and grid area, counted by the database.
async fn posted_by(store: &Store, scope: &Scope, period: Period) -> Result<Vec<Posted>, AppError> {
    let sql = format!(
        "SELECT w.kind, COALESCE(a.family, 'other'), COALESCE(a.category, 'other'), COALESCE(g.name_zh, ''), \
         COALESCE(g.name_en, ''), COUNT(*) FROM work_items w LEFT JOIN demands d ON d.id = w.demand_id \
         LEFT JOIN affairs a ON a.id = d.affair_id LEFT JOIN grid_areas g ON g.id = w.grid_area_id \
         WHERE w.community_id IN ({}) AND w.created_at >= $2 AND w.created_at < $3 \
         GROUP BY w.kind, a.family, a.category, g.name_zh, g.name_en",
        scope.filter
    );
    Ok(sqlx::query_as(&sql).bind(scope.region).bind(period.start).bind(period.end).fetch_all(store.pool()).await?)
}

/// (kind, family, category, area zh, area en, count)
type Posted = (String, String, String, String, String, i64);

/// Ratings given in the period, of closed cases (by their assignee; the requester's and each
/// co-requester's) and of served appointments (by the worker who served): (community,
/// worker, facts).
pub async fn ratings(
    store: &Store,
    scope: &Scope,
    period: Period,
) -> Result<Vec<(i64, Option<i64>, RatingFacts)>, AppError> {
    let sql = format!(
        "SELECT w.community_id, w.assignee_id, r.overall, r.created_at FROM ratings r JOIN work_items w ON w.id = r.work_item_id \
         WHERE w.community_id IN ({0}) AND r.created_at >= $2 AND r.created_at < $3 \
         UNION ALL \
         SELECT w.community_id, w.assignee_id, r.overall, r.created_at FROM co_ratings r JOIN work_items w ON w.id = r.work_item_id \
         WHERE w.community_id IN ({0}) AND r.created_at >= $2 AND r.created_at < $3 \
         UNION ALL \
         SELECT p.community_id, p.marked_by, a.overall, a.created_at FROM appointment_ratings a \
         JOIN appointments p ON p.id = a.appointment_id \
         WHERE p.community_id IN ({0}) AND a.created_at >= $2 AND a.created_at < $3",
        scope.filter
    );
    let rows: Vec<(i64, Option<i64>, i64, i64)> =
        sqlx::query_as(&sql).bind(scope.region).bind(period.start).bind(period.end).fetch_all(store.pool()).await?;
    Ok(rows
        .into_iter()
        .map(|(c, a, overall, at)| (c, a, RatingFacts { overall: overall.clamp(0, 5) as u8, rated_at: at }))
        .collect())
}

/// Sums of `key` over the grouped counts, largest first (ties by key).
fn count_by<K: Ord + Clone>(rows: &[Posted], key: impl Fn(&Posted) -> K) -> Vec<(K, u32)> {
    let mut m = std::collections::BTreeMap::<K, u32>::new();
    for r in rows {
        *m.entry(key(r)).or_default() += r.5 as u32;
    }
    let mut v: Vec<(K, u32)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

pub async fn dashboard(store: &Store, user: &SessionUser, q: &DashboardQuery, now: i64) -> Result<Dashboard, AppError> {
    let scope = scope(store, user, q.community.as_deref()).await?;
    dashboard_of(store, scope, q, now).await
}

/// The dashboard of a scope already checked for the viewer.
pub async fn dashboard_of(store: &Store, scope: Scope, q: &DashboardQuery, now: i64) -> Result<Dashboard, AppError> {
    let (kind, period, first, last) = period(q, now)?;
    let rows = facts(store, &scope, period).await?;
    let ratings = ratings(store, &scope, period).await?;
    let all: Vec<ItemFacts> = rows.iter().map(FactRow::facts).collect();
    let all_ratings: Vec<RatingFacts> = ratings.iter().map(|r| r.2).collect();
    let total = rates::rates(&all, &all_ratings, period, now);

    // Twelve weeks of volume up to the end of the period (or now, if sooner).
    let weekly_end = (period.end - 1).min(now);
    let weeks_from = rates::week_start(weekly_end) - 11 * rates::WEEK;
    let weekly = weekly(store, &scope, weeks_from, weekly_end + 1)
        .await?
        .into_iter()
        .map(|(start, n)| (crate::time::to_local(start).format("%m-%d").to_string(), n))
        .collect();

    let posted = posted_by(store, &scope, period).await?;
    let by_family = count_by(&posted, |r| r.1.clone());
    let by_category = count_by(&posted, |r| r.2.clone());
    let by_kind = count_by(&posted, |r| r.0.clone());
    let by_area = count_by(&posted, |r| (r.3.clone(), r.4.clone()))
        .into_iter()
        .map(|((zh, en), n)| (Named { zh, en }, n))
        .collect();

    // Per worker: the items assigned to them now, and the ratings of those items.
    let mut workers: Vec<WorkerLine> = Vec::new();
    if !scope.many {
        let mut by_worker = std::collections::BTreeMap::<i64, (Vec<ItemFacts>, Vec<RatingFacts>)>::new();
        for (r, f) in rows.iter().zip(&all) {
            if let Some(a) = r.assignee_id {
                by_worker.entry(a).or_default().0.push(*f);
            }
        }
        for (_, a, g) in &ratings {
            if let Some(entry) = a.and_then(|a| by_worker.get_mut(&a)) {
                entry.1.push(*g);
            }
        }
        let names = names(store, by_worker.keys().copied()).await?;
        for (id, (f, g)) in by_worker {
            let name = names.get(&id).cloned().unwrap_or_default();
            workers.push(WorkerLine { name, rates: rates::rates(&f, &g, period, now) });
        }
        workers.sort_by(|a, b| b.rates.open_now.cmp(&a.rates.open_now).then_with(|| a.name.cmp(&b.name)));
    }

    let ranking =
        if scope.many { ranking(store, &scope, &rows, &all, &ratings, period, now).await? } else { Vec::new() };

    let departments = departments(store, &scope, period, now).await?;
    let partners = partners(store, &scope, period).await?;

    Ok(Dashboard {
        departments,
        partners,
        choices: scope.choices,
        chosen: scope.chosen,
        scope_name: scope.name,
        period: kind,
        from: first.format("%Y-%m-%d").to_string(),
        to: last.format("%Y-%m-%d").to_string(),
        rates: total,
        weekly,
        by_family,
        by_category,
        by_area,
        by_kind,
        workers,
        ranking,
        as_of: crate::time::to_local(now).format("%H:%M").to_string(),
    })
}

/// The rates of each of `periods` (a community's months, say) from one load of the facts
/// and ratings over their whole span. The same pure `rates::rates` over a superset of the
/// items each period counts (the extra ones were only touched before it) gives the same
/// figures as the dashboard of each period, for one query instead of one per period.
pub async fn rates_by_period(
    store: &Store,
    scope: &Scope,
    periods: &[Period],
    now: i64,
) -> Result<Vec<rates::Rates>, AppError> {
    let (Some(start), Some(end)) = (periods.iter().map(|p| p.start).min(), periods.iter().map(|p| p.end).max()) else {
        return Ok(Vec::new());
    };
    let span = Period { start, end };
    let items: Vec<ItemFacts> = facts(store, scope, span).await?.iter().map(FactRow::facts).collect();
    let given: Vec<RatingFacts> = ratings(store, scope, span).await?.into_iter().map(|r| r.2).collect();
    Ok(periods
        .iter()
        .map(|p| {
            let before: Vec<ItemFacts> = items.iter().filter(|i| i.created_at < p.end).copied().collect();
            rates::rates(&before, &given, *p, now)
        })
        .collect())
}

/// The ranking of a scope's communities in a period, without the rest of the dashboard.
pub async fn ranking_of(store: &Store, scope: &Scope, period: Period, now: i64) -> Result<Vec<RankLine>, AppError> {
    let rows = facts(store, scope, period).await?;
    let given = ratings(store, scope, period).await?;
    let all: Vec<ItemFacts> = rows.iter().map(FactRow::facts).collect();
    ranking(store, scope, &rows, &all, &given, period, now).await
}

/// Items posted in the period by category (key as stored; "other" without an affair).
pub async fn by_category(store: &Store, scope: &Scope, period: Period) -> Result<Vec<(String, u32)>, AppError> {
    Ok(count_by(&posted_by(store, scope, period).await?, |r| r.2.clone()))
}

/// Whistles summoned in the period for the scope's items, department by department.
async fn departments(store: &Store, scope: &Scope, period: Period, now: i64) -> Result<Vec<UnitLine>, AppError> {
    type Row = (i64, String, String, i64, i64, i64, Option<i64>, Option<i64>);
    let sql = format!(
        "SELECT h.department_id, dp.name_zh, dp.name_en, h.summoned_at, h.checkin_by, h.report_by, h.checked_in_at, \
         h.reported_at FROM whistles h JOIN work_items w ON w.id = h.work_item_id \
         JOIN departments dp ON dp.id = h.department_id \
         WHERE h.summoned_at >= $2 AND h.summoned_at < $3 AND w.community_id IN ({})",
        scope.filter
    );
    let rows: Vec<Row> =
        sqlx::query_as(&sql).bind(scope.region).bind(period.start).bind(period.end).fetch_all(store.pool()).await?;
    let mut by_unit = std::collections::BTreeMap::<i64, (Named, Vec<super::units::WhistleFacts>)>::new();
    for (id, zh, en, summoned_at, checkin_by, report_by, checked_in_at, reported_at) in rows {
        let facts = super::units::WhistleFacts { summoned_at, checkin_by, report_by, checked_in_at, reported_at };
        by_unit.entry(id).or_insert_with(|| (Named { zh, en }, Vec::new())).1.push(facts);
    }
    let rated = unit_ratings(store, scope, period, "department").await?;
    for (id, zh, en, _) in &rated {
        by_unit.entry(*id).or_insert_with(|| (Named { zh: zh.clone(), en: en.clone() }, Vec::new()));
    }
    let residents = |id: i64| satisfied_of(rated.iter().filter(|r| r.0 == id).map(|r| r.3));
    let mut out: Vec<UnitLine> = by_unit
        .into_iter()
        .map(|(id, (name, w))| UnitLine { name, figures: super::units::timeliness(&w, now), residents: residents(id) })
        .collect();
    out.sort_by(|a, b| b.figures.late_now.cmp(&a.figures.late_now).then_with(|| a.name.zh.cmp(&b.name.zh)));
    Ok(out)
}

/// The residents' scores of units of a kind, rated in the period for the scope's cases:
/// (unit, name zh, name en, score).
async fn unit_ratings(
    store: &Store,
    scope: &Scope,
    period: Period,
    kind: &str,
) -> Result<Vec<(i64, String, String, i64)>, AppError> {
    let table = if kind == "department" { "departments" } else { "partners" };
    let sql = format!(
        "SELECT r.unit_id, u.name_zh, u.name_en, r.score FROM unit_ratings r JOIN work_items w ON w.id = r.work_item_id \
         JOIN {table} u ON u.id = r.unit_id \
         WHERE r.unit_kind = $4 AND r.rated_at >= $2 AND r.rated_at < $3 AND w.community_id IN ({})",
        scope.filter
    );
    Ok(sqlx::query_as(&sql)
        .bind(scope.region)
        .bind(period.start)
        .bind(period.end)
        .bind(kind)
        .fetch_all(store.pool())
        .await?)
}

fn satisfied_of(scores: impl Iterator<Item = i64>) -> rates::Rate {
    let mut rate = rates::Rate::default();
    for s in scores {
        rate.den += 1;
        rate.num += u32::from(crate::ratings::rules::satisfied(s));
    }
    rate
}

/// Partners handed the scope's cases in the period, and how residents rated their part.
async fn partners(store: &Store, scope: &Scope, period: Period) -> Result<Vec<super::PartnerAssessment>, AppError> {
    let sql = format!(
        "SELECT h.partner_id, p.name_zh, p.name_en FROM handoffs h JOIN work_items w ON w.id = h.work_item_id \
         JOIN partners p ON p.id = h.partner_id \
         WHERE h.handed_at >= $2 AND h.handed_at < $3 AND w.community_id IN ({})",
        scope.filter
    );
    let handed: Vec<(i64, String, String)> =
        sqlx::query_as(&sql).bind(scope.region).bind(period.start).bind(period.end).fetch_all(store.pool()).await?;
    let rated = unit_ratings(store, scope, period, "partner").await?;
    let mut by_partner = std::collections::BTreeMap::<i64, super::PartnerAssessment>::new();
    let blank = |zh: &str, en: &str| super::PartnerAssessment {
        name: Named { zh: zh.to_string(), en: en.to_string() },
        handoffs: 0,
        residents: rates::Rate::default(),
    };
    for (id, zh, en) in &handed {
        by_partner.entry(*id).or_insert_with(|| blank(zh, en)).handoffs += 1;
    }
    for (id, zh, en, _) in &rated {
        by_partner.entry(*id).or_insert_with(|| blank(zh, en));
    }
    let mut out: Vec<super::PartnerAssessment> = by_partner
        .into_iter()
        .map(|(id, mut p)| {
            p.residents = satisfied_of(rated.iter().filter(|r| r.0 == id).map(|r| r.3));
            p
        })
        .collect();
    out.sort_by(|a, b| b.handoffs.cmp(&a.handoffs).then_with(|| a.name.zh.cmp(&b.name.zh)));
    Ok(out)
}

/// The display names of these accounts.
async fn names(
    store: &Store,
    ids: impl Iterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    let list: Vec<String> = ids.map(|id| id.to_string()).collect();
    if list.is_empty() {
        return Ok(Default::default());
    }
    // Ids are integers from the database: safe to write into the statement.
    let sql = format!("SELECT id, display_name FROM users WHERE id IN ({})", list.join(","));
    // One of a kind: not kept prepared on the connection.
    let rows: Vec<(i64, String)> = sqlx::query_as(&sql).persistent(false).fetch_all(store.pool()).await?;
    Ok(rows.into_iter().collect())
}

/// Items posted in each week from `from` (a Beijing Monday) to `to`, counted by the database.
async fn weekly(store: &Store, scope: &Scope, from: i64, to: i64) -> Result<Vec<(i64, u32)>, AppError> {
    let sql = format!(
        "SELECT (created_at - $2) / {week} AS k, COUNT(*) FROM work_items \
         WHERE community_id IN ({}) AND created_at >= $2 AND created_at < $3 GROUP BY k",
        scope.filter,
        week = rates::WEEK
    );
    let counts: Vec<(i64, i64)> =
        sqlx::query_as(&sql).bind(scope.region).bind(from).bind(to).fetch_all(store.pool()).await?;
    let mut out: Vec<(i64, u32)> = (0..12).map(|k| (from + k * rates::WEEK, 0)).collect();
    for (k, n) in counts {
        if let Some(w) = out.get_mut(k as usize) {
            w.1 += n as u32;
        }
    }
    Ok(out)
}

/// Every community in scope, best first by the average of its rates (none last).
async fn ranking(
    store: &Store,
    scope: &Scope,
    rows: &[FactRow],
    facts: &[ItemFacts],
    ratings: &[(i64, Option<i64>, RatingFacts)],
    period: Period,
    now: i64,
) -> Result<Vec<RankLine>, AppError> {
    let sql = format!(
        "SELECT c.id, c.code, c.name_zh, c.name_en, s.name_zh, s.name_en FROM regions c JOIN regions s ON s.id = c.parent_id \
         WHERE c.id IN ({}) ORDER BY c.code",
        scope.filter
    );
    let communities: Vec<(i64, String, String, String, String, String)> =
        sqlx::query_as(&sql).bind(scope.region).fetch_all(store.pool()).await?;
    let mut by_community = std::collections::HashMap::<i64, (Vec<ItemFacts>, Vec<RatingFacts>)>::new();
    for (r, f) in rows.iter().zip(facts) {
        by_community.entry(r.community_id).or_default().0.push(*f);
    }
    for (c, _, g) in ratings {
        by_community.entry(*c).or_default().1.push(*g);
    }
    let mut out: Vec<RankLine> = communities
        .into_iter()
        .map(|(id, code, zh, en, szh, sen)| {
            let (f, g) = by_community.remove(&id).unwrap_or_default();
            let r = rates::rates(&f, &g, period, now);
            RankLine {
                code,
                name: Named { zh, en },
                subdistrict: Named { zh: szh, en: sen },
                composite: rates::composite(&r),
                rates: r,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.composite.unwrap_or(-1.0).total_cmp(&a.composite.unwrap_or(-1.0)).then_with(|| a.code.cmp(&b.code))
    });
    Ok(out)
}
