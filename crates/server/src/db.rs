//! The database: SQLite (embedded, the default) or PostgreSQL (for several nodes), chosen by
//! the URL's scheme, opened as one [`Pool`] for reads and rare writes, and migrated on
//! start from `migrations/sqlite` or `migrations/postgres` (the same tables and meaning).
//!
//! Reads and the rare writes outside the writer use sqlx's `Any` driver, so each query is
//! written once for both backends: `$1`-style placeholders (SQLite reads them as numbered
//! parameters), integers and text only, and SQL that both engines understand. The writer's
//! queries, where the two engines differ in locking, live in `writer/sqlite.rs` and
//! `writer/postgres.rs`.
//!
//! # SQLite durability: why `synchronous = FULL`
//! In WAL mode, `NORMAL` only syncs the WAL at checkpoints: a commit survives a process
//! crash (kill -9), but the last transactions can be lost if the machine loses power or
//! the OS crashes. Tidings acknowledges a message only after its commit and promises the
//! client it will never be lost, so we pay one fsync of the WAL per commit (`FULL`): once a
//! client has its `ack`, the message survives a crash of the process *and* of the machine.
//! PostgreSQL's default (`synchronous_commit = on`) gives the same promise.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::Executor;

/// The pool every handler reads through.
pub type Pool = sqlx::AnyPool;

/// How long a writer waits for the database lock before giving up with `SQLITE_BUSY`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Which engine holds the data, with what the writer needs to open its own connection.
#[derive(Debug, Clone)]
pub enum Backend {
    /// The embedded default: one file, one node.
    Sqlite { path: PathBuf },
    /// A PostgreSQL server that several nodes share.
    Postgres { url: String },
}

impl Backend {
    pub fn is_postgres(&self) -> bool {
        matches!(self, Backend::Postgres { .. })
    }
}

/// An open, migrated database.
#[derive(Debug, Clone)]
pub struct Database {
    pub pool: Pool,
    pub backend: Backend,
}

impl Database {
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Opens and migrates the database named by `database_url`: `sqlite://PATH` (the file and
/// its directory are created if missing) or `postgres://USER:PASS@HOST:PORT/DB` (also
/// `postgresql://`). Any other scheme is refused with a clear error, never taken as a file
/// name.
pub async fn connect(database_url: &str) -> Result<Database, sqlx::Error> {
    sqlx::any::install_default_drivers();
    if database_url.starts_with("sqlite:") {
        connect_sqlite(database_url).await
    } else if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        connect_postgres(database_url).await
    } else {
        let scheme = database_url.split(':').next().unwrap_or_default();
        Err(sqlx::Error::Configuration(
            format!(
                "unsupported database URL scheme {scheme:?}: give sqlite://PATH for the embedded \
                 database or postgres://USER:PASSWORD@HOST:PORT/DATABASE for PostgreSQL"
            )
            .into(),
        ))
    }
}

async fn connect_sqlite(database_url: &str) -> Result<Database, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(database_url)?;
    let path = options.get_filename().to_path_buf();
    if let Some(parent) = path.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
        }
    }
    // Created if missing (`mode=rwc`), whatever else the URL says.
    let url = if database_url.contains("mode=") {
        database_url.to_string()
    } else if database_url.contains('?') {
        format!("{database_url}&mode=rwc")
    } else {
        format!("{database_url}?mode=rwc")
    };
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        .after_connect(|conn, _| {
            Box::pin(async move {
                // busy_timeout is BUSY_TIMEOUT in milliseconds.
                conn.execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                )
                .await?;
                Ok(())
            })
        })
        .connect(&url)
        .await?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(Database {
        pool,
        backend: Backend::Sqlite { path },
    })
}

/// What every PostgreSQL connection of a node runs first (the pool's and the writer's).
///
/// sqlx prepares every statement, and after five runs PostgreSQL may keep one *generic*
/// plan per statement and connection, costed with the statistics of the moment. On a
/// database just created or migrated, the tables look empty until autovacuum first
/// analyses them, so that plan scans `messages` whole instead of using its index, and a
/// connection keeps it: the writer's lookup of a group's message ids (`= ANY($2)`) grew from
/// half a millisecond to a hundred within fifteen seconds of the cluster benchmark, and
/// every commit with it. A custom plan for every run costs a fraction of a millisecond of
/// planning and always sees the rows that are there (and the arrays the writer passes, whose
/// length changes with every group), so nodes ask for that.
pub const POSTGRES_SESSION: &str = "SET plan_cache_mode = force_custom_plan";

async fn connect_postgres(database_url: &str) -> Result<Database, sqlx::Error> {
    let pool = AnyPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(POSTGRES_SESSION).await?;
                Ok(())
            })
        })
        .connect(database_url)
        .await?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(Database {
        pool,
        backend: Backend::Postgres {
            url: database_url.to_string(),
        },
    })
}
