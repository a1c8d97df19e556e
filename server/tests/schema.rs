//! Both migration folders make the same schema: the same tables, columns, nullability and
//! indexes (unique or not, on which columns, partial or not). Runs in the PostgreSQL pass,
//! which has both databases at hand.

mod common;

use common::*;
use sqlx::{Connection, Row};
use std::collections::{BTreeMap, BTreeSet};

/// table → (columns with whether they may be NULL, indexes as "unique? partial? (cols)").
type Schema = BTreeMap<String, (BTreeMap<String, bool>, BTreeSet<String>)>;

fn index(unique: bool, partial: bool, columns: &[String]) -> String {
    format!("{}{}({})", if unique { "unique " } else { "" }, if partial { "partial " } else { "" }, columns.join(","))
}

async fn sqlite_schema(url: &str) -> Schema {
    let mut c = sqlx::SqliteConnection::connect(url).await.expect("sqlite");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let mut out = Schema::new();
    for t in tables {
        let mut columns = BTreeMap::new();
        for r in sqlx::query(&format!("PRAGMA table_info({t})")).fetch_all(&mut c).await.unwrap() {
            let (name, notnull, pk): (String, i64, i64) = (r.get("name"), r.get("notnull"), r.get("pk"));
            columns.insert(name, notnull == 0 && pk == 0);
        }
        let mut indexes = BTreeSet::new();
        for r in sqlx::query(&format!("PRAGMA index_list({t})")).fetch_all(&mut c).await.unwrap() {
            let (name, unique, origin, partial): (String, i64, String, i64) =
                (r.get("name"), r.get("unique"), r.get("origin"), r.get("partial"));
            if origin == "pk" {
                continue;
            }
            let cols: Vec<String> = sqlx::query(&format!("PRAGMA index_xinfo({name})"))
                .fetch_all(&mut c)
                .await
                .unwrap()
                .into_iter()
                .filter(|r| r.get::<i64, _>("key") == 1)
                .map(|r| r.get::<Option<String>, _>("name").unwrap_or_else(|| "<expr>".into()))
                .collect();
            indexes.insert(index(unique == 1, partial == 1, &cols));
        }
        out.insert(t, (columns, indexes));
    }
    out
}

async fn postgres_schema(url: &str) -> Schema {
    let mut c = sqlx::PgConnection::connect(url).await.expect("postgres");
    let mut out = Schema::new();
    let rows = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c, is_nullable::text AS n FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    for r in rows {
        let (t, col, n): (String, String, String) = (r.get("t"), r.get("c"), r.get("n"));
        out.entry(t).or_default().0.insert(col, n == "YES");
    }
    let rows = sqlx::query(
        "SELECT t.relname::text AS t, x.indisunique AS u, x.indpred IS NOT NULL AS partial, \
           ARRAY(SELECT COALESCE(a.attname::text, '<expr>') FROM unnest(x.indkey) WITH ORDINALITY k(n, o) \
             LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n ORDER BY k.o) AS cols \
         FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace \
         WHERE s.nspname = 'public' AND NOT x.indisprimary AND t.relname <> '_sqlx_migrations'",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    for r in rows {
        let (t, unique, partial, cols): (String, bool, bool, Vec<String>) =
            (r.get("t"), r.get("u"), r.get("partial"), r.get("cols"));
        out.entry(t).or_default().1.insert(index(unique, partial, &cols));
    }
    out
}

/// The search index is each backend's own (migration 0035): FTS5 tables (and the shadow
/// tables FTS5 keeps) on SQLite, a stored, GIN-indexed tsvector column on PostgreSQL. These
/// and only these are set aside before comparing; each must be there.
fn set_aside_search_index(lite: &mut Schema, post: &mut Schema) -> Vec<String> {
    let mut missing = Vec::new();
    for fts in ["demand_words", "thread_words"] {
        for part in ["", "_config", "_content", "_data", "_docsize", "_idx"] {
            let t = format!("{fts}{part}");
            if lite.remove(&t).is_none() {
                missing.push(format!("SQLite has no table {t}"));
            }
        }
    }
    for table in ["demands", "threads"] {
        let Some((columns, indexes)) = post.get_mut(table) else {
            missing.push(format!("PostgreSQL has no table {table}"));
            continue;
        };
        if columns.remove("words").is_none() {
            missing.push(format!("PostgreSQL {table} has no column words"));
        }
        if !indexes.remove(&index(false, false, &["words".to_string()])) {
            missing.push(format!("PostgreSQL {table} has no index on words"));
        }
    }
    missing
}

/// What one schema has that the other has not, table by table.
fn differences_between(lite: &Schema, post: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let tables: BTreeSet<&String> = lite.keys().chain(post.keys()).collect();
    let none = (BTreeMap::new(), BTreeSet::new());
    for t in tables {
        match (lite.contains_key(t), post.contains_key(t)) {
            (true, false) => out.push(format!("table {t} only on SQLite")),
            (false, true) => out.push(format!("table {t} only on PostgreSQL")),
            _ => {}
        }
        let (columns, indexes) = lite.get(t).unwrap_or(&none);
        let (pg_columns, pg_indexes) = post.get(t).unwrap_or(&none);
        if columns != pg_columns {
            out.push(format!("{t} columns (name: nullable): SQLite {columns:?} / PostgreSQL {pg_columns:?}"));
        }
        if indexes != pg_indexes {
            out.push(format!("{t} indexes: SQLite {indexes:?} / PostgreSQL {pg_indexes:?}"));
        }
    }
    out
}

#[test]
fn the_comparison_sees_each_kind_of_difference() {
    let table = |cols: &[(&str, bool)], idx: &[&str]| {
        (cols.iter().map(|(c, n)| (c.to_string(), *n)).collect(), idx.iter().map(|i| i.to_string()).collect())
    };
    let base: Schema = [("t".to_string(), table(&[("id", false), ("a", true)], &["unique (a)"]))].into();
    assert!(differences_between(&base, &base.clone()).is_empty());
    let nullable: Schema = [("t".to_string(), table(&[("id", false), ("a", false)], &["unique (a)"]))].into();
    let column: Schema = [("t".to_string(), table(&[("id", false)], &["unique (a)"]))].into();
    let index: Schema = [("t".to_string(), table(&[("id", false), ("a", true)], &["(a)"]))].into();
    let mut extra = base.clone();
    extra.insert("u".to_string(), table(&[], &[]));
    for other in [nullable, column, index, extra] {
        assert_eq!(differences_between(&base, &other).len(), 1, "{other:?}");
    }
}

#[tokio::test]
async fn both_backends_have_the_same_schema() {
    if backend() != Backend::Postgres {
        eprintln!("schema parity runs in the PostgreSQL pass");
        return;
    }
    let Some(pg) = TestDb::create().await else { return };
    let dir = std::env::temp_dir().join(format!("mc_schema_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite_url = format!("sqlite://{}/schema.db", dir.display());
    for url in [&pg.url, &sqlite_url] {
        let out = std::process::Command::new(server_bin())
            .arg("migrate")
            .env("DATABASE_URL", url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run migrate");
        assert!(out.status.success(), "migrate {url}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let mut lite = sqlite_schema(&sqlite_url).await;
    let mut post = postgres_schema(&pg.url).await;
    let _ = std::fs::remove_dir_all(&dir);
    let mut differences = set_aside_search_index(&mut lite, &mut post);
    differences.extend(differences_between(&lite, &post));
    assert!(differences.is_empty(), "schemas differ:\n{}", differences.join("\n"));
    println!("schema parity: {} tables, {} indexes", lite.len(), lite.values().map(|v| v.1.len()).sum::<usize>());
}
