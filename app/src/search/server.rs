//! Server side of search: the scope a searcher may see, one full-text query per backend
//! (FTS5 on SQLite, a GIN-indexed tsvector on PostgreSQL), and the lines drawn by the
//! features that own them (a search result names nobody).

use super::rules::{self, Filters, Kind};
use super::*;
use crate::auth::{Level, Role, SessionUser};
use crate::paging::Cursor;

/// Results a page shows (one more is read to know whether a next page exists).
pub const PAGE: usize = 20;
use crate::store::{Backend, Store};

enum Arg {
    I(i64),
    S(String),
}

/// A query assembled with numbered parameters (each bound in order, each used).
#[derive(Default)]
struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }
    fn arg(&mut self, a: Arg) -> &mut Self {
        self.args.push(a);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }
    async fn ids(self, store: &Store) -> Result<Vec<i64>, AppError> {
        let mut c = store.pool().acquire().await?;
        self.ids_on(&mut c).await
    }
    async fn ids_on(self, c: &mut sqlx::AnyConnection) -> Result<Vec<i64>, AppError> {
        let mut q = sqlx::query_scalar::<_, i64>(&self.text);
        for a in self.args {
            q = match a {
                Arg::I(i) => q.bind(i),
                Arg::S(s) => q.bind(s),
            };
        }
        Ok(q.fetch_all(c).await?)
    }
}

/// Who may search what: residents their community's shown demands and threads (and their
/// own demands), station staff their community's every case, overseers their subdistrict's
/// or district's, a department's liaison the cases whistled to it.
struct Scope {
    level: Level,
    region: i64,
    resident: Option<i64>,
    department: Option<i64>,
}

impl Scope {
    fn of(user: &SessionUser) -> Result<Scope, AppError> {
        let department = match user.role {
            Role::Department => Some(user.department_id.ok_or(AppError::Forbidden)?),
            _ => None,
        };
        Ok(Scope {
            level: user.role.home_level(),
            region: user.region_id,
            resident: (user.role == Role::Resident).then_some(user.id),
            department,
        })
    }

    /// The FTS5 place token of the scope (see migration 0035).
    fn place(&self) -> String {
        let prefix = match self.level {
            Level::Community => 'c',
            Level::Subdistrict => 's',
            Level::District => 'd',
        };
        format!("{prefix}{}", self.region)
    }

    /// PostgreSQL: the scope's communities. They go into the query as a literal list (ids
    /// read from `regions`, never user text) so the planner knows how many the scope holds:
    /// as a subquery it guessed 15 for a district of 260 and walked each one's demands.
    async fn communities(&self, store: &Store) -> Result<Vec<i64>, AppError> {
        let sql = match self.level {
            Level::Community => return Ok(vec![self.region]),
            Level::Subdistrict => "SELECT id FROM regions WHERE parent_id = $1 ORDER BY id",
            Level::District => {
                "SELECT c.id FROM regions c JOIN regions s ON s.id = c.parent_id WHERE s.parent_id = $1 ORDER BY c.id"
            }
        };
        Ok(sqlx::query_scalar(sql).bind(self.region).fetch_all(store.pool()).await?)
    }
}

/// One page of what the words find, newest first, below `before`. With no word to look for
/// the page is empty (a search never lists everything). When every word together finds
/// nothing, the first page looks again for any of them and says so.
pub async fn search(
    store: &Store,
    user: &SessionUser,
    q: &str,
    filters: &Filters,
    before: Option<Cursor>,
    any: bool,
) -> Result<Found, AppError> {
    let scope = Scope::of(user)?;
    let text: String = q.chars().take(rules::MAX_QUERY).collect();
    let groups = crate::intake::segment::query_groups(&text);
    let mut found = Found { kind: filters.kind, any, ..Found::default() };
    let mut ids = page(store, &scope, &groups, filters, before, any).await?;
    if ids.is_empty() && !any && before.is_none() && groups.len() > 1 {
        ids = page(store, &scope, &groups, filters, None, true).await?;
        found.any = true;
    }
    // A page of results is shorter than a list's: a search is read from the top.
    if ids.len() > PAGE {
        ids.truncate(PAGE);
        found.next = ids.last().map(|id| Cursor::id(*id).text());
    }
    match filters.kind {
        Kind::Demands => found.demands = crate::demands::server::lines_by_id(store, &ids).await?,
        Kind::Threads => found.threads = crate::threads::server::posts::lines_by_id(store, user, &ids).await?,
    }
    Ok(found)
}

async fn page(
    store: &Store,
    scope: &Scope,
    groups: &[Vec<String>],
    f: &Filters,
    before: Option<Cursor>,
    any: bool,
) -> Result<Vec<i64>, AppError> {
    let top = Cursor::or_top(before).id;
    let (table, words, alias) = match f.kind {
        Kind::Demands => ("demands", "demand_words", "d"),
        Kind::Threads => ("threads", "thread_words", "t"),
    };
    if f.kind == Kind::Threads && scope.department.is_some() {
        return Err(AppError::Forbidden);
    }
    if store.backend() == Backend::Postgres {
        return pg_page(store, scope, groups, f, top, any).await;
    }
    let Some(query) = rules::fts5_query(groups, &scope.place(), any) else { return Ok(Vec::new()) };
    // The index yields its matches in the scope by rowid, newest first, from the cursor
    // down; the joins only filter them.
    let mut sql = Sql::default();
    sql.push(&format!("SELECT {words}.rowid FROM {words} JOIN {table} {alias} ON {alias}.id = {words}.rowid"));
    joins(&mut sql, f.kind);
    sql.push(&format!(" WHERE {words} MATCH ")).arg(Arg::S(query));
    sql.push(&format!(" AND {words}.rowid < ")).arg(Arg::I(top));
    filters(&mut sql, scope, f);
    sql.push(&format!(" ORDER BY {words}.rowid DESC LIMIT {}", PAGE + 1));
    sql.ids(store).await
}

/// PostgreSQL has no index that yields a word's matches newest first (FTS5 does), and its
/// estimate of how often a word occurs decides between walking the newest rows and the GIN
/// index: a rare word walked (every row of the district read to find none) or a common one
/// sorted (every match fetched for 20) — both measured at 50–80 ms. So the search decides
/// by itself, in two bounded steps: the scope's newest rows below the cursor (a window),
/// filtered by the words (a common word fills the page here); then, only if the page is not
/// full, the GIN index below that window (a word rarer than 2% in a window of 1,000, so few
/// matches to fetch and sort). `SEARCH_WINDOW` sets the window (tests make it tiny so that
/// both steps run). `MATERIALIZED` keeps each step the plan it is meant to be.
async fn pg_page(
    store: &Store,
    scope: &Scope,
    groups: &[Vec<String>],
    f: &Filters,
    top: i64,
    any: bool,
) -> Result<Vec<i64>, AppError> {
    let Some(query) = rules::tsquery(groups, any) else { return Ok(Vec::new()) };
    let communities = scope.communities(store).await?;
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let list = communities.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let window_rows = crate::request::config().search_window.clamp(1, 100_000);
    let (table, alias) = match f.kind {
        Kind::Demands => ("demands", "d"),
        Kind::Threads => ("threads", "t"),
    };
    let window = |sql: &mut Sql| {
        sql.push(&format!("SELECT id, words FROM {table} WHERE community_id IN ({list}) AND id < "))
            .arg(Arg::I(top))
            .push(&format!(" ORDER BY id DESC LIMIT {window_rows}"));
    };
    let rest = |sql: &mut Sql, limit: usize, below_window: bool| {
        sql.push(&format!(" SELECT {alias}.id FROM m JOIN {table} {alias} ON {alias}.id = m.id"));
        joins(sql, f.kind);
        sql.push(&format!(" WHERE {alias}.community_id IN ({list})"));
        if below_window {
            sql.push(&format!(" AND {alias}.id < (SELECT min(id) FROM r)"));
        }
        filters(sql, scope, f);
        sql.push(&format!(" ORDER BY {alias}.id DESC LIMIT {limit}"));
    };
    let mut newest = Sql::default();
    newest.push("WITH r AS MATERIALIZED (");
    window(&mut newest);
    newest
        .push("), m AS MATERIALIZED (SELECT id FROM r WHERE words @@ to_tsquery('simple', ")
        .arg(Arg::S(query.clone()));
    newest.push("))");
    rest(&mut newest, PAGE + 1, false);
    let mut ids = newest.ids(store).await?;
    if ids.len() > PAGE {
        return Ok(ids);
    }
    // Below the window, through the index; nothing when the window held the whole scope.
    let mut older = Sql::default();
    older.push("WITH r AS MATERIALIZED (");
    window(&mut older);
    // The words alone in `m`, so the GIN index is the only way in (with an id range the
    // planner walked the primary key instead: 59 ms for a common word).
    older.push(&format!(
        "), m AS MATERIALIZED (SELECT id FROM {table} WHERE (SELECT count(*) FROM r) = {window_rows} \
         AND words @@ to_tsquery('simple', "
    ));
    older.arg(Arg::S(query)).push("))");
    rest(&mut older, PAGE + 1 - ids.len(), true);
    // Nor may it scan the table for a word it guesses common (87 ms at district scale,
    // against 30 ms through the index for the most common word there is).
    let mut tx = store.pool().begin().await?;
    sqlx::query("SET LOCAL enable_seqscan = off").execute(&mut *tx).await?;
    ids.extend(older.ids_on(&mut tx).await?);
    tx.rollback().await?;
    Ok(ids)
}

/// What the searcher may see of each match and the filters chosen.
fn filters(sql: &mut Sql, scope: &Scope, f: &Filters) {
    let alias = match f.kind {
        Kind::Demands => {
            demand_filters(sql, scope, f);
            "d"
        }
        Kind::Threads => {
            if scope.resident.is_some() {
                sql.push(" AND t.hidden IS NULL");
            }
            "t"
        }
    };
    if let Some(from) = f.from {
        sql.push(&format!(" AND {alias}.created_at >= ")).arg(Arg::I(from));
    }
    if let Some(to) = f.to {
        sql.push(&format!(" AND {alias}.created_at < ")).arg(Arg::I(to));
    }
}

fn joins(sql: &mut Sql, kind: Kind) {
    if kind == Kind::Demands {
        sql.push(" JOIN work_items w ON w.demand_id = d.id LEFT JOIN affairs a ON a.id = d.affair_id");
    }
}

fn demand_filters(sql: &mut Sql, scope: &Scope, f: &Filters) {
    if let Some(me) = scope.resident {
        // What the community may see (and one's own, whatever its setting); a withdrawn
        // report is no longer anyone's business.
        sql.push(" AND w.state <> 'withdrawn' AND (d.visibility <> 'private' OR d.requester_id = ")
            .arg(Arg::I(me))
            .push(" OR d.filed_by_id = ")
            .arg(Arg::I(me))
            .push(")");
    }
    if let Some(dept) = scope.department {
        sql.push(" AND EXISTS (SELECT 1 FROM whistles h WHERE h.work_item_id = w.id AND h.department_id = ")
            .arg(Arg::I(dept))
            .push(")");
    }
    sql.push(&f.state.sql());
    if let Some(code) = &f.affair {
        sql.push(" AND a.code = ").arg(Arg::S(code.clone()));
    }
    if let Some(b) = f.building {
        sql.push(" AND d.building_id = ").arg(Arg::I(b));
    }
}

/// What the filters offer: the community's affairs and buildings (staff above a community
/// choose among the district catalogue's affairs; buildings are a community's). Kept a
/// minute per community in this instance: every search page shows them, and a new affair
/// or building only needs to reach the filter list, not the cases.
pub async fn options(store: &Store, user: &SessionUser) -> Result<SearchOptions, AppError> {
    use std::sync::LazyLock;
    static KEPT: LazyLock<crate::memo::Memo<i64, SearchOptions>> = LazyLock::new(|| crate::memo::Memo::new(1024));
    if user.role.home_level() != Level::Community {
        let affairs = crate::affairs::seed::affairs()
            .into_iter()
            .map(|a| (a.code.to_string(), Named { zh: a.name.0.to_string(), en: a.name.1.to_string() }))
            .collect();
        return Ok(SearchOptions { affairs, buildings: Vec::new(), staff: true });
    }
    let community = user.region_id;
    let kept = KEPT
        .get(community, crate::store::Millis::now().0, 60_000, |_| true, || community_options(store, community))
        .await?;
    Ok(SearchOptions { staff: user.role.is_staff(), ..kept })
}

async fn community_options(store: &Store, community: i64) -> Result<SearchOptions, AppError> {
    // Codes and names only (the affairs' own listing reads every column).
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, name_zh, name_en FROM affairs WHERE community_id = $1 ORDER BY id LIMIT 500")
            .bind(community)
            .fetch_all(store.pool())
            .await?;
    let affairs = rows.into_iter().map(|(code, zh, en)| (code, Named { zh, en })).collect();
    let code: String =
        sqlx::query_scalar("SELECT code FROM regions WHERE id = $1").bind(community).fetch_one(store.pool()).await?;
    let buildings = crate::community::server::buildings(store, &code).await?;
    Ok(SearchOptions { affairs, buildings, staff: false })
}

/// Job: texts written before their words were stored (an upgraded district's history) get
/// them, a batch of each kind a round, walking the ids once per process; idempotent on
/// several instances (a text is only given words it has none of).
pub async fn store_missing_words(store: &Store) -> Result<(), AppError> {
    use std::sync::atomic::{AtomicI64, Ordering};
    static DEMANDS: AtomicI64 = AtomicI64::new(0);
    static THREADS: AtomicI64 = AtomicI64::new(0);
    const BATCH: i64 = 500;
    const DONE: i64 = i64::MAX;
    let after = DEMANDS.load(Ordering::Relaxed);
    if after != DONE {
        let last = crate::demands::server::store_missing_words(store, after, BATCH).await?;
        DEMANDS.store(last.unwrap_or(DONE), Ordering::Relaxed);
    }
    let after = THREADS.load(Ordering::Relaxed);
    if after != DONE {
        let last = crate::threads::server::store_missing_words(store, after, BATCH).await?;
        THREADS.store(last.unwrap_or(DONE), Ordering::Relaxed);
    }
    reread_for_new_synonyms(store).await
}

/// Texts stored before a station added a synonym group that use one of its words are read
/// again (the segmenter now knows the word whole, with the group's head): a search for the
/// group finds them. Each instance does it for the groups added since it started (the first
/// round only notes where the groups stand); reading again is idempotent.
async fn reread_for_new_synonyms(store: &Store) -> Result<(), AppError> {
    use std::sync::atomic::{AtomicI64, Ordering};
    static SEEN: AtomicI64 = AtomicI64::new(-1);
    crate::intake::words_server::reload_if_changed(store).await?;
    let seen = SEEN.load(Ordering::Relaxed);
    if seen < 0 {
        SEEN.store(crate::intake::words_server::newest_group(store).await?, Ordering::Relaxed);
        return Ok(());
    }
    for (id, words) in crate::intake::words_server::groups_after(store, seen, 10).await? {
        crate::demands::server::store_words_again(store, &words).await?;
        crate::threads::server::store_words_again(store, &words).await?;
        SEEN.store(id, Ordering::Relaxed);
    }
    Ok(())
}
