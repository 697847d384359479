use crate::{migrate, Result, StoreError};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard, Semaphore};

/// Which database is behind a [`Db`]; only for the few places where dialects differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How to connect. `schema` keeps Klade's tables in a PostgreSQL schema of their own (the test
/// harness gives each test one).
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub max_connections: u32,
    pub schema: Option<String>,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            schema: None,
        }
    }
}

/// A pool over either backend. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite only: connections for the hot reads, beside the pool (see [`Db::read`]).
    readers: Option<Arc<Readers>>,
}

/// How many SQLite connections [`Db::read`] keeps: reads run in parallel in WAL mode, and on a
/// few cores more of them would only queue for the CPU.
const READERS: usize = 4;

/// SQLite connections that only read, each opened when first needed and kept. sqlx's pool pings
/// every connection as it comes back — for SQLite a trip to the connection's thread and back,
/// as dear as the query itself; a reader that cannot write has nothing to flush, so these are
/// lent without the pool.
#[derive(Debug)]
struct Readers {
    options: AnyConnectOptions,
    free: Arc<Semaphore>,
    slots: Vec<Arc<Mutex<Option<AnyConnection>>>>,
}

/// A connection lent for reading: one of SQLite's readers, or a connection from PostgreSQL's pool.
/// Use it for one statement and let it go (`&mut *db.read().await?`); holding one while asking
/// for another could wait forever.
pub struct Reader(Lease);

enum Lease {
    Pooled(PoolConnection<Any>),
    /// The slot's guard comes first: fields drop in order, so the slot is free before the permit.
    Own {
        conn: OwnedMappedMutexGuard<Option<AnyConnection>, AnyConnection>,
        _permit: tokio::sync::OwnedSemaphorePermit,
    },
}

impl std::ops::Deref for Reader {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match &self.0 {
            Lease::Pooled(c) => c,
            Lease::Own { conn, .. } => conn,
        }
    }
}

impl std::ops::DerefMut for Reader {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.0 {
            Lease::Pooled(c) => c,
            Lease::Own { conn, .. } => conn,
        }
    }
}

pub type Tx = sqlx::Transaction<'static, Any>;

impl Db {
    /// Opens `address`: a `postgres://` URL, or a SQLite file path (created when missing; a
    /// `sqlite:` URL is taken as it is). SQLite runs in WAL mode with foreign keys on and
    /// `synchronous = FULL`, so an acknowledged write survives a crash or a power cut.
    pub async fn connect(address: &str, options: DbOptions) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if address.starts_with("postgres://") || address.starts_with("postgresql://") {
            (Backend::Postgres, address.to_string())
        } else if address.starts_with("sqlite:") {
            (Backend::Sqlite, address.to_string())
        } else if address.contains("://") {
            return Err(StoreError::Address(address.to_string()));
        } else {
            (Backend::Sqlite, format!("sqlite://{address}?mode=rwc"))
        };
        let connect = AnyConnectOptions::from_str(&url)?;
        let schema = options.schema.clone();
        let max = match backend {
            // One writer at a time in SQLite; a few readers beside it are plenty.
            Backend::Sqlite => options.max_connections.min(8),
            Backend::Postgres => options.max_connections,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            // A pool pings a connection before lending it, which for SQLite is a trip to the
            // connection's thread and back: an embedded database cannot have hung up, and every
            // query paid for the trip. A PostgreSQL server can go away, so its connections are
            // still tested.
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                            )
                            .await?;
                        }
                        Backend::Postgres => {
                            if let Some(schema) = schema {
                                let quoted = schema.replace('"', "\"\"");
                                conn.execute(
                                    format!(
                                        "CREATE SCHEMA IF NOT EXISTS \"{quoted}\"; SET search_path TO \"{quoted}\""
                                    )
                                    .as_str(),
                                )
                                .await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(connect.clone())
            .await?;
        if backend == Backend::Sqlite {
            // Both settings are asked for at every connection, but a file system without shared
            // memory (a network drive) keeps SQLite out of WAL without an error: checked, not assumed.
            let mut conn = pool.acquire().await?;
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *conn).await?;
            let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *conn).await?;
            if !mode.eq_ignore_ascii_case("wal") || sync != 2 {
                return Err(StoreError::Unsafe(format!(
                    "SQLite at {address} runs with journal_mode={mode} and synchronous={sync}; Klade needs \
                     journal_mode=WAL and synchronous=FULL (2), so that every acknowledged save survives a \
                     crash or a power cut. Put the database on a local disk."
                )));
            }
        }
        let readers = (backend == Backend::Sqlite).then(|| {
            Arc::new(Readers {
                options: connect,
                free: Arc::new(Semaphore::new(READERS)),
                slots: (0..READERS).map(|_| Arc::new(Mutex::new(None))).collect(),
            })
        });
        Ok(Self { pool, backend, readers })
    }

    /// A connection for a read that every request makes (the session, the diary's week). On
    /// SQLite it is one of the readers, which are not pinged on return and refuse to write
    /// (`query_only`); on PostgreSQL, a connection from the pool.
    pub async fn read(&self) -> Result<Reader> {
        let Some(readers) = &self.readers else {
            return Ok(Reader(Lease::Pooled(self.pool.acquire().await?)));
        };
        let permit = readers
            .free
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        // A lease lets go of its slot before its permit, so with a permit in hand a slot is free.
        let mut guard = readers
            .slots
            .iter()
            .find_map(|s| s.clone().try_lock_owned().ok())
            .ok_or(sqlx::Error::PoolClosed)?;
        if guard.is_none() {
            let mut conn = AnyConnection::connect_with(&readers.options).await?;
            conn.execute("PRAGMA query_only = ON; PRAGMA busy_timeout = 10000;")
                .await?;
            *guard = Some(conn);
        }
        let conn = OwnedMutexGuard::try_map(guard, Option::as_mut).map_err(|_| sqlx::Error::PoolClosed)?;
        Ok(Reader(Lease::Own { conn, _permit: permit }))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of failing.
    ///
    /// The start runs in a task of its own, to its end, even when the caller is dropped (a
    /// browser gone away): sqlx sends `BEGIN` and then awaits the answer, and a future dropped
    /// in between left the connection inside a transaction with nothing to roll it back — on
    /// SQLite holding the write lock, so every later write failed until a restart. Run to its
    /// end, the transaction reaches its owner, and if the owner is gone it is dropped there,
    /// which rolls it back before the connection is lent again.
    pub async fn begin(&self) -> Result<Tx> {
        let pool = self.pool.clone();
        let backend = self.backend;
        let started = tokio::spawn(async move {
            match backend {
                Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
                Backend::Postgres => pool.begin().await,
            }
        });
        match started.await {
            Ok(tx) => Ok(tx?),
            Err(_) => Err(StoreError::Sql(sqlx::Error::WorkerCrashed)),
        }
    }

    /// Brings the schema up to date; returns the versions it applied.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        migrate::run(self).await
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Every (table, column) of Klade's schema, sorted; the test that keeps the two backends'
    /// migrations in step compares these.
    pub async fn schema_columns(&self) -> Result<Vec<(String, String)>> {
        use sqlx::Row;
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1, 2"
            }
            Backend::Postgres => {
                "SELECT CAST(table_name AS TEXT) AS t, CAST(column_name AS TEXT) AS c \
                 FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, 2"
            }
        };
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get("t")?, r.try_get("c")?))).collect()
    }

    pub async fn close(&self) {
        if let Some(readers) = &self.readers {
            readers.free.close();
            for slot in &readers.slots {
                if let Some(conn) = slot.lock().await.take() {
                    let _ = conn.close().await;
                }
            }
        }
        self.pool.close().await;
    }
}

impl std::ops::Deref for Db {
    type Target = AnyPool;
    fn deref(&self) -> &AnyPool {
        &self.pool
    }
}
