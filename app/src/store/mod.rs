//! The store: one interface for every feature, over SQLite (the default, zero set-up) or
//! PostgreSQL (when `DATABASE_URL` says `postgres://`). Queries are written once, with `$n`
//! placeholders and portable SQL, and run through sqlx's `Any` driver; each backend has its
//! own migrations folder. Timestamps are UTC milliseconds ([`Millis`]).

use chrono::{DateTime, TimeZone, Utc};
use sqlx::any::{Any, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Transaction};
use std::str::FromStr;
use std::time::Duration;

pub mod backup;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("DATABASE_URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    #[error("cannot create the database folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Unsupported(&'static str),
}

/// A write transaction. On SQLite it also holds this process's turn to write: writers
/// queue here in order, each without a pooled connection, so readers always find one
/// (SQLite has one writer at a time anyway; the busy timeout still orders other processes).
pub struct Tx {
    inner: Transaction<'static, Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}

/// The shared handle on the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite: the turn to write (see [`Tx`]).
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl Store {
    /// Connects (creating a SQLite file and its folder if needed). Does not migrate.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or(StoreError::UnsupportedUrl)?;
        let mut url = url.to_string();
        if backend == Backend::Sqlite {
            prepare_sqlite_file(&mut url)?;
        }
        let options = sqlx::any::AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    use sqlx::Executor;
                    let statements: &[&str] = if backend == Backend::Sqlite {
                        // WAL lets readers go on while one writer writes; the busy timeout makes
                        // a second writer wait instead of failing.
                        &[
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 30000",
                            "PRAGMA synchronous = NORMAL",
                        ]
                    } else {
                        &["SET TIME ZONE 'UTC'"]
                    };
                    for statement in statements {
                        conn.execute(*statement).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let store = Store { pool, backend, writer: Default::default() };
        store.warn_without_autovacuum().await;
        Ok(store)
    }

    /// PostgreSQL plans from table statistics that autovacuum keeps fresh; without it, plans
    /// made while a table was small stay in use as it grows. Operators hear of it at start.
    async fn warn_without_autovacuum(&self) {
        if self.backend != Backend::Postgres {
            return;
        }
        let on: Result<String, _> =
            sqlx::query_scalar("SELECT setting FROM pg_settings WHERE name = 'autovacuum'").fetch_one(&self.pool).await;
        if matches!(on.as_deref(), Ok("off")) {
            tracing::warn!(
                "PostgreSQL runs with autovacuum off: statistics go stale as tables grow and queries slow \
                 down; turn it on, or run ANALYZE regularly"
            );
        }
    }

    /// Connects once, without a pool (so a refused connection is reported at once, with its
    /// reason), runs `SELECT 1`, and disconnects. Does not create or migrate anything.
    pub async fn check(url: &str) -> Result<Backend, StoreError> {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or(StoreError::UnsupportedUrl)?;
        let mut conn = tokio::time::timeout(Duration::from_secs(10), sqlx::AnyConnection::connect(url))
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)??;
        sqlx::query("SELECT 1").execute(&mut conn).await?;
        conn.close().await?;
        Ok(backend)
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Migrations this build has that the database has not applied (0: ready).
    pub async fn pending_migrations(&self) -> Result<usize, StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&self.pool)
            .await
            .unwrap_or_default();
        Ok(migrator.iter().filter(|m| !m.migration_type.is_down_migration() && !applied.contains(&m.version)).count())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one failing
    /// when it upgrades a read lock.
    pub async fn write(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                let turn = self.writer.clone().lock_owned().await;
                let inner = self.pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(Tx { inner, _turn: Some(turn) })
            }
            Backend::Postgres => Ok(Tx { inner: self.pool.begin().await?, _turn: None }),
        }
    }

    /// Makes transactions that decide on the same `key` (count, then insert) take turns, so
    /// parallel requests cannot all pass a limit: on PostgreSQL a lock held until the
    /// transaction ends; SQLite already writes one transaction at a time (`BEGIN IMMEDIATE`).
    pub async fn take_turn(&self, tx: &mut Tx, key: &str) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext($1))) l")
                .bind(key)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Is the database reachable now?
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        tokio::time::timeout(Duration::from_secs(3), sqlx::query("SELECT 1").execute(&self.pool))
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)??;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Creates the folder of a SQLite file and asks sqlx to create the file itself.
/// The file a `sqlite:` URL names (`None` for an in-memory database).
/// Did a unique constraint refuse the write? (Either backend; SQLite's driver may only say
/// so in its message.) Lets a constraint speak instead of a pre-check SELECT.
pub fn is_unique(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation() || d.message().to_lowercase().contains("unique"))
}

pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

fn prepare_sqlite_file(url: &mut String) -> Result<(), StoreError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or("");
    if !path.is_empty() && path != ":memory:" {
        if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Folder(dir.display().to_string(), e))?;
        }
    }
    if !url.contains("mode=") {
        url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
    }
    Ok(())
}

/// A point in time as stored: UTC milliseconds since the epoch.
/// The row a form carrying `key` already created for `owner`, if any: a double tap, a retried
/// request or a back-and-resubmit answers with it instead of creating another. `table` and
/// `owner_column` are fixed names from the caller, never user input.
pub async fn created_with_key(
    store: &Store,
    table: &'static str,
    owner_column: &'static str,
    owner: i64,
    key: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE {owner_column} = $1 AND idempotency_key = $2"))
        .bind(owner)
        .bind(key)
        .fetch_optional(store.pool())
        .await
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub i64);

impl Millis {
    pub fn now() -> Millis {
        Millis(Utc::now().timestamp_millis())
    }

    pub fn to_utc(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0).single().unwrap_or_default()
    }

    pub fn plus_minutes(self, minutes: i64) -> Millis {
        Millis(self.0 + minutes * 60_000)
    }
}

impl From<DateTime<Utc>> for Millis {
    fn from(t: DateTime<Utc>) -> Self {
        Millis(t.timestamp_millis())
    }
}

impl sqlx::Type<Any> for Millis {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<Any>>::type_info()
    }
    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <i64 as sqlx::Type<Any>>::compatible(ty)
    }
}

impl<'q> sqlx::Encode<'q, Any> for Millis {
    fn encode_by_ref(
        &self,
        buf: &mut <Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <i64 as sqlx::Encode<'q, Any>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> sqlx::Decode<'r, Any> for Millis {
    fn decode(value: <Any as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Millis(<i64 as sqlx::Decode<'r, Any>>::decode(value)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_url() {
        assert_eq!(Backend::from_url("sqlite://data/x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("postgres://postgres@127.0.0.1/test"), Some(Backend::Postgres));
        assert_eq!(Backend::from_url("mysql://x"), None);
    }

    #[test]
    fn sqlite_url_gets_create_mode() {
        let dir = std::env::temp_dir().join(format!("mc-store-test-{}", std::process::id()));
        let mut url = format!("sqlite://{}/sub/x.db", dir.display());
        prepare_sqlite_file(&mut url).unwrap();
        assert!(url.ends_with("?mode=rwc"));
        assert!(dir.join("sub").is_dir());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn millis_round_trip() {
        let t = Utc.with_ymd_and_hms(2026, 11, 29, 3, 0, 0).unwrap();
        assert_eq!(Millis::from(t).to_utc(), t);
        assert_eq!(Millis(0).plus_minutes(15), Millis(900_000));
    }
}
