//! Backups of a SQLite database, taken while the server runs, and their restore. PostgreSQL
//! is backed up with its own tools (`pg_dump`; see README).

use super::{sqlite_path, Backend, Store, StoreError};
use sqlx::Connection;
use std::path::Path;

/// What a checked backup holds.
#[derive(Debug)]
pub struct BackupSummary {
    pub bytes: u64,
    pub migrations: i64,
    pub work_items: i64,
    pub accounts: i64,
}

impl Store {
    /// A consistent copy of the SQLite database at `path`, taken while it is in use: `VACUUM
    /// INTO` reads one snapshot while writers go on, and writes a compact file. Refuses to
    /// overwrite a file; the copy is checked before this returns.
    pub async fn backup_sqlite(&self, path: &Path) -> Result<BackupSummary, StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported("PostgreSQL is backed up with pg_dump (see README)"));
        }
        if path.exists() {
            return Err(StoreError::Unsupported("the backup file already exists; give a new name"));
        }
        let target = path.to_str().ok_or(StoreError::Unsupported("the backup path must be UTF-8"))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(&self.pool).await?;
        check_backup(path).await
    }
}

/// Opens a backup read-only and checks it: SQLite's integrity check passes and it is a
/// database of this app (its migrations table is there).
pub async fn check_backup(path: &Path) -> Result<BackupSummary, StoreError> {
    let bytes = std::fs::metadata(path).map_err(|_| StoreError::Unsupported("no backup file at that path"))?.len();
    let url = format!("sqlite://{}?mode=ro", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut conn).await?;
    if integrity != "ok" {
        return Err(StoreError::Unsupported("the backup fails SQLite's integrity check"));
    }
    let count = |table: &'static str| format!("SELECT COUNT(*) FROM {table}");
    let migrations: i64 = sqlx::query_scalar(&count("_sqlx_migrations"))
        .fetch_one(&mut conn)
        .await
        .map_err(|_| StoreError::Unsupported("not a My Community database (no migrations table)"))?;
    let work_items: i64 = sqlx::query_scalar(&count("work_items")).fetch_one(&mut conn).await?;
    let accounts: i64 = sqlx::query_scalar(&count("users")).fetch_one(&mut conn).await?;
    conn.close().await?;
    Ok(BackupSummary { bytes, migrations, work_items, accounts })
}

/// Puts a checked backup in place of the SQLite database `database_url` names. The server
/// must be stopped. The file it replaces is kept beside it as `<name>.before-restore-<time>`
/// (with its WAL), so a mistaken restore can be undone.
pub async fn restore_sqlite(database_url: &str, backup: &Path) -> Result<(BackupSummary, Option<String>), StoreError> {
    if Backend::from_url(database_url) != Some(Backend::Sqlite) {
        return Err(StoreError::Unsupported("restore is for SQLite; PostgreSQL restores with pg_restore (see README)"));
    }
    let target = sqlite_path(database_url).ok_or(StoreError::Unsupported("DATABASE_URL names no file"))?;
    let summary = check_backup(backup).await?;
    let io = |e: std::io::Error| StoreError::Folder(target.display().to_string(), e);
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    // Copy next to the target first, so the swap is a rename on one file system.
    let incoming = target.with_extension("restoring");
    std::fs::copy(backup, &incoming).map_err(io)?;
    let mut kept = None;
    if target.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let aside = format!("{}.before-restore-{stamp}", target.display());
        std::fs::rename(&target, &aside).map_err(io)?;
        for suffix in ["-wal", "-shm"] {
            let side = format!("{}{suffix}", target.display());
            if Path::new(&side).exists() {
                std::fs::rename(&side, format!("{aside}{suffix}")).map_err(io)?;
            }
        }
        kept = Some(aside);
    }
    std::fs::rename(&incoming, &target).map_err(io)?;
    Ok((summary, kept))
}
