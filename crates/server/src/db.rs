//! The SQLite pool: opened (and created if missing) with WAL, a busy timeout and
//! `synchronous = FULL`, then migrated from `crates/server/migrations`.
//!
//! # Durability: why `synchronous = FULL`
//! In WAL mode, `NORMAL` only syncs the WAL at checkpoints: a commit survives a process
//! crash (kill -9), but the last transactions can be lost if the machine loses power or
//! the OS crashes. Tidings acknowledges a message only after its commit and promises the
//! client it will never be lost, so we pay one fsync of the WAL per commit (`FULL`): once a
//! client has its `ack`, the message survives a crash of the process *and* of the machine.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

/// How long a writer waits for the database lock before giving up with `SQLITE_BUSY`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens (creating the file and its directory if needed) and migrates the database.
/// Only `sqlite:` URLs: anything else (a `postgres://` URL among them) is refused with a
/// clear error, never taken as a file name.
pub async fn connect(database_url: &str) -> Result<SqlitePool, sqlx::Error> {
    if !database_url.starts_with("sqlite:") {
        let scheme = database_url.split(':').next().unwrap_or_default();
        return Err(sqlx::Error::Configuration(
            format!(
                "unsupported database URL scheme {scheme:?}: this server stores its data in \
                 SQLite, given as sqlite://PATH (PostgreSQL is not built in yet)"
            )
            .into(),
        ));
    }
    let options = SqliteConnectOptions::from_str(database_url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true);
    if let Some(parent) = options.get_filename().parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
        }
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}
