//! SQLite storage, one file per table family. Reads take the pool; the writes that change
//! conversations take the writer's connection inside its group transaction
//! ([`crate::writer`]); a few rare writes (visitors, agents, sessions) take the pool.

pub mod agents;
pub mod canned;
pub mod conversations;
pub mod messages;
pub mod read_state;
pub mod reports;
pub mod search;
pub mod team;
pub mod visitors;

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::AnyRow;
use sqlx::Row;
use tidings_protocol::Millis;
use uuid::Uuid;

use crate::error::{Error, Result};

/// Milliseconds since the Unix epoch, now.
pub fn now_millis() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
}

/// Reads a UUID stored as text.
pub(crate) fn uuid_col(row: &AnyRow, column: &str) -> Result<Uuid> {
    let text: String = row.try_get(column)?;
    Uuid::parse_str(&text).map_err(|e| Error::internal(format!("bad uuid in {column}: {e}")))
}

/// Reads a nullable UUID stored as text.
pub(crate) fn opt_uuid_col(row: &AnyRow, column: &str) -> Result<Option<Uuid>> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| Uuid::parse_str(&t))
        .transpose()
        .map_err(|e| Error::internal(format!("bad uuid in {column}: {e}")))
}

/// Reads a non-negative integer column as `u64`.
pub(crate) fn u64_col(row: &AnyRow, column: &str) -> Result<u64> {
    let v: i64 = row.try_get(column)?;
    Ok(v.max(0) as u64)
}
