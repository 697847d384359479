//! Copies of a SQLite database: a consistent one taken from a live database while the server keeps
//! writing ([`Db::backup_to`]), and one put back in place as a database ([`restore_file`]).
//!
//! A PostgreSQL database is copied with PostgreSQL's own tools (`pg_dump`, `pg_restore`), which do
//! the same job better than Klade could; [`POSTGRES`] says so to the operator.

use crate::{Backend, Db, Result, StoreError};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};
use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};

/// The tables whose row counts tell an operator what a copy holds.
pub const KEY_TABLES: [&str; 5] = ["persons", "lessons", "attendance", "grades", "journal_history"];

/// Why `klade backup` does not copy a PostgreSQL database, and what to use instead.
pub const POSTGRES: &str = "a PostgreSQL database is backed up with PostgreSQL's own tools: \
     pg_dump --format=custom --file=klade.dump URL, and restored with \
     pg_restore --dbname=URL --no-owner --single-transaction klade.dump \
     (see the README, \"Backup and restore\")";

/// What a copy holds: SQLite's `PRAGMA integrity_check` answer (`["ok"]` when intact) and the row
/// counts of [`KEY_TABLES`].
#[derive(Debug, Clone)]
pub struct Report {
    pub integrity: Vec<String>,
    pub counts: Vec<(&'static str, i64)>,
}

impl Report {
    pub fn is_intact(&self) -> bool {
        self.integrity == ["ok"]
    }
}

impl Db {
    /// Writes a consistent copy of this SQLite database to `out`, which must not exist, while other
    /// connections go on writing. `VACUUM INTO` reads one snapshot (a WAL reader does not block
    /// writers), so the copy holds every transaction committed before it began and none after.
    ///
    /// The copy is written beside `out` as `<out>.partial`, synced, opened read-only and checked,
    /// and only then renamed to `out`: a file named `out` is always a whole, checked copy.
    pub async fn backup_to(&self, out: &Path) -> Result<Report> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::Backup(POSTGRES.to_string()));
        }
        refuse_existing(out)?;
        let partial = with_suffix(out, ".partial");
        // What an interrupted backup left behind; VACUUM INTO would refuse to write over it.
        remove_if_present(&partial)?;
        let target = partial
            .to_str()
            .ok_or_else(|| StoreError::Backup(format!("{}: the path is not valid UTF-8", partial.display())))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(self.pool()).await?;
        // SQLite does not sync the file VACUUM INTO writes.
        sync_file(&partial)?;
        let report = match inspect(&partial).await {
            Ok(r) => r,
            Err(e) => {
                remove_if_present(&partial)?;
                return Err(e);
            }
        };
        if !report.is_intact() {
            return Err(StoreError::Backup(format!(
                "the copy fails SQLite's integrity check ({}); it is left at {}",
                report.integrity.join("; "),
                partial.display()
            )));
        }
        refuse_existing(out)?;
        rename(&partial, out)?;
        Ok(report)
    }
}

/// Opens the SQLite file at `path` read-only and reports its integrity and row counts.
pub async fn inspect(path: &Path) -> Result<Report> {
    let pool = open_read_only(path).await?;
    let report = async {
        Ok(Report {
            integrity: integrity_check(&pool).await?,
            counts: counts(&pool).await?,
        })
    }
    .await;
    pool.close().await;
    report
}

async fn integrity_check(pool: &AnyPool) -> Result<Vec<String>> {
    let rows = sqlx::query("PRAGMA integrity_check").fetch_all(pool).await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<std::result::Result<Vec<_>, _>>()?)
}

/// The row counts of [`KEY_TABLES`], on either backend.
pub async fn counts(pool: &AnyPool) -> Result<Vec<(&'static str, i64)>> {
    let mut out = Vec::new();
    for table in KEY_TABLES {
        // The table names are the constants above, never input.
        let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(pool)
            .await?;
        out.push((table, row.try_get("n")?));
    }
    Ok(out)
}

/// Puts the backup `from` in place as the SQLite database `to`, which must not exist unless
/// `force`. The server must not be running on `to`.
///
/// The backup is copied beside `to` as `<to>.partial`, synced and checked (SQLite's integrity check,
/// and Klade's migrations table) before `to` is touched; then the old database's `-wal` and `-shm`
/// files are removed (SQLite would otherwise replay the old log onto the new file) and the copy is
/// renamed over `to`, and the directory synced, so `to` is at every moment either the old database
/// or the whole new one. Migrations and the history check are the caller's next step, on the
/// database in place: a backup from an older version may lack tables the counts need.
pub async fn restore_file(from: &Path, to: &Path, force: bool) -> Result<()> {
    if !from.is_file() {
        return Err(StoreError::Backup(format!("{}: no such file", from.display())));
    }
    if !force {
        refuse_existing(to)?;
    }
    if to.exists() && same_file(from, to)? {
        return Err(StoreError::Backup(format!(
            "{} is the database itself, not a backup of it",
            from.display()
        )));
    }
    // A database a server has open keeps recent writes in its `-wal` file; copying the main file
    // alone would lose them. `klade backup` makes a copy that has none.
    let wal = with_suffix(from, "-wal");
    if wal.metadata().is_ok_and(|m| m.len() > 0) {
        return Err(StoreError::Backup(format!(
            "{} is a database in use (it has a write-ahead log, {}): take a copy with `klade backup` first",
            from.display(),
            wal.display()
        )));
    }
    let partial = with_suffix(to, ".partial");
    remove_if_present(&partial)?;
    std::fs::copy(from, &partial).map_err(|e| io(&partial, e))?;
    sync_file(&partial)?;
    if let Err(e) = check_backup(&partial).await {
        remove_if_present(&partial)?;
        return Err(StoreError::Backup(format!("{}: {e}", from.display())));
    }
    for suffix in ["-wal", "-shm"] {
        remove_if_present(&with_suffix(to, suffix))?;
    }
    rename(&partial, to)?;
    Ok(())
}

/// Whether the file at `path` is a whole SQLite database that Klade wrote.
async fn check_backup(path: &Path) -> std::result::Result<(), String> {
    let pool = open_read_only(path)
        .await
        .map_err(|e| format!("cannot be read as a database: {e}"))?;
    let checked = async {
        let integrity = integrity_check(&pool)
            .await
            .map_err(|e| format!("cannot be read as a database: {e}"))?;
        if integrity != ["ok"] {
            return Err(format!("fails SQLite's integrity check: {}", integrity.join("; ")));
        }
        let migrations = sqlx::query("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'schema_migrations'")
            .fetch_one(&pool)
            .await
            .and_then(|r| r.try_get::<i64, _>("n"))
            .map_err(|e| e.to_string())?;
        if migrations == 0 {
            return Err("is not a Klade database (it has no schema_migrations table)".to_string());
        }
        Ok(())
    }
    .await;
    pool.close().await;
    checked
}

async fn open_read_only(path: &Path) -> Result<AnyPool> {
    sqlx::any::install_default_drivers();
    let path = path
        .to_str()
        .ok_or_else(|| StoreError::Backup(format!("{}: the path is not valid UTF-8", path.display())))?;
    // The URL's path is percent-decoded, so the characters that would end it or start an escape are
    // escaped.
    let escaped = path.replace('%', "%25").replace('?', "%3F").replace('#', "%23");
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&format!("sqlite://{escaped}?mode=ro"))
        .await?;
    Ok(pool)
}

/// `path` with `suffix` appended to its file name: `klade.db` → `klade.db-wal`.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

fn refuse_existing(path: &Path) -> Result<()> {
    if path.exists() {
        return Err(StoreError::Backup(format!(
            "{} already exists; nothing was written over it",
            path.display()
        )));
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> Result<bool> {
    let a = a.canonicalize().map_err(|e| io(a, e))?;
    let b = b.canonicalize().map_err(|e| io(b, e))?;
    Ok(a == b)
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path, e)),
        _ => Ok(()),
    }
}

fn sync_file(path: &Path) -> Result<()> {
    File::open(path).and_then(|f| f.sync_all()).map_err(|e| io(path, e))
}

/// Renames `from` to `to` and syncs their directory, so the new name survives a power cut.
fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| io(to, e))?;
    let dir = match to.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    sync_dir(dir)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|f| f.sync_all()).map_err(|e| io(dir, e))
}

// Elsewhere a directory cannot be opened to sync it; the rename is as durable as the system makes it.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<()> {
    Ok(())
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Backup(format!("{}: {e}", path.display()))
}
