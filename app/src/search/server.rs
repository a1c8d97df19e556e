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
        let mut q = sqlx::query_scalar::<_, i64>(&self.text);
        for a in self.args {
            q = match a {
                Arg::I(i) => q.bind(i),
                Arg::S(s) => q.bind(s),
            };
        }
        Ok(q.fetch_all(store.pool()).await?)
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

    /// PostgreSQL: the communities of the scope, as a condition on `column`.
    fn communities(&self, sql: &mut Sql, column: &str) {
        sql.push(&format!(" AND {column} "));
        match self.level {
            Level::Community => sql.push("= ").arg(Arg::I(self.region)),
            Level::Subdistrict => {
                sql.push("IN (SELECT id FROM regions WHERE parent_id = ").arg(Arg::I(self.region)).push(")")
            }
            Level::District => sql
                .push("IN (SELECT c.id FROM regions c JOIN regions s ON s.id = c.parent_id WHERE s.parent_id = ")
                .arg(Arg::I(self.region))
                .push(")"),
        };
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
    let mut sql = Sql::default();
    let (table, words, alias) = match f.kind {
        Kind::Demands => ("demands", "demand_words", "d"),
        Kind::Threads => ("threads", "thread_words", "t"),
    };
    let id = match store.backend() {
        Backend::Sqlite => {
            let Some(query) = rules::fts5_query(groups, &scope.place(), any) else { return Ok(Vec::new()) };
            // The index yields its matches in the scope by rowid, newest first, from the
            // cursor down; the joins only filter them.
            sql.push(&format!("SELECT {words}.rowid FROM {words} JOIN {table} {alias} ON {alias}.id = {words}.rowid"));
            joins(&mut sql, f.kind);
            sql.push(&format!(" WHERE {words} MATCH ")).arg(Arg::S(query));
            sql.push(&format!(" AND {words}.rowid < ")).arg(Arg::I(top));
            format!("{words}.rowid")
        }
        Backend::Postgres => {
            let Some(query) = rules::tsquery(groups, any) else { return Ok(Vec::new()) };
            sql.push(&format!("SELECT {alias}.id FROM {table} {alias}"));
            joins(&mut sql, f.kind);
            // The expression of the GIN index (migration 0035), word for word.
            sql.push(&format!(" WHERE to_tsvector('simple', {alias}.tokens) @@ to_tsquery('simple', "))
                .arg(Arg::S(query))
                .push(")");
            scope.communities(&mut sql, &format!("{alias}.community_id"));
            sql.push(&format!(" AND {alias}.id < ")).arg(Arg::I(top));
            format!("{alias}.id")
        }
    };
    match f.kind {
        Kind::Demands => demand_filters(&mut sql, scope, f),
        Kind::Threads => {
            if scope.department.is_some() {
                return Err(AppError::Forbidden);
            }
            if scope.resident.is_some() {
                sql.push(" AND t.hidden IS NULL");
            }
        }
    }
    if let Some(from) = f.from {
        sql.push(&format!(" AND {alias}.created_at >= ")).arg(Arg::I(from));
    }
    if let Some(to) = f.to {
        sql.push(&format!(" AND {alias}.created_at < ")).arg(Arg::I(to));
    }
    sql.push(&format!(" ORDER BY {id} DESC LIMIT {}", PAGE + 1));
    sql.ids(store).await
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
/// choose among the district catalogue's affairs; buildings are a community's).
pub async fn options(store: &Store, user: &SessionUser) -> Result<SearchOptions, AppError> {
    if user.role.home_level() != Level::Community {
        let affairs = crate::affairs::seed::affairs()
            .into_iter()
            .map(|a| (a.code.to_string(), Named { zh: a.name.0.to_string(), en: a.name.1.to_string() }))
            .collect();
        return Ok(SearchOptions { affairs, buildings: Vec::new(), staff: true });
    }
    // Codes and names only (the affairs' own listing reads every column).
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, name_zh, name_en FROM affairs WHERE community_id = $1 ORDER BY id LIMIT 500")
            .bind(user.region_id)
            .fetch_all(store.pool())
            .await?;
    let affairs = rows.into_iter().map(|(code, zh, en)| (code, Named { zh, en })).collect();
    let code: String = sqlx::query_scalar("SELECT code FROM regions WHERE id = $1")
        .bind(user.region_id)
        .fetch_one(store.pool())
        .await?;
    let buildings = crate::community::server::buildings(store, &code).await?;
    Ok(SearchOptions { affairs, buildings, staff: user.role.is_staff() })
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
