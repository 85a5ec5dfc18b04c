//! The `attachments` table: a file stored once under its message's id, and read back whole
//! to be served. Written through the pool, not the writer: a file is stored before the
//! message that carries it (the writer then stores the message), and files are too large to
//! hold up a group commit.

use sqlx::Row;
use uuid::Uuid;

use crate::db::Pool;
use crate::error::{Error, Result};

/// What is known of a stored file besides its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub uploader: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
}

/// A stored file with its bytes and the conversation of the message that carries it
/// (`None` while no message carries it yet).
pub struct File {
    pub stored: Stored,
    pub conversation_id: Option<Uuid>,
    pub data: Vec<u8>,
}

/// Stores a file under `id` unless one is stored there already; answers what is stored
/// under `id` now and whether this call stored it.
pub async fn insert(
    pool: &Pool,
    id: Uuid,
    file: &Stored,
    data: Vec<u8>,
    now: i64,
) -> Result<(Stored, bool)> {
    let inserted = sqlx::query(
        "INSERT INTO attachments (id, uploader, name, content_type, size, data, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(file.uploader.clone())
    .bind(file.name.clone())
    .bind(file.content_type.clone())
    .bind(file.size.min(i64::MAX as u64) as i64)
    .bind(data)
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected()
        == 1;
    let row =
        sqlx::query("SELECT uploader, name, content_type, size FROM attachments WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(pool)
            .await?;
    Ok((stored_of(&row)?, inserted))
}

fn stored_of(row: &sqlx::any::AnyRow) -> Result<Stored> {
    Ok(Stored {
        uploader: row.try_get("uploader")?,
        name: row.try_get("name")?,
        content_type: row.try_get("content_type")?,
        size: crate::store::u64_col(row, "size")?,
    })
}

/// Forgets a file no message carries (its message was refused).
pub async fn delete_unsent(pool: &Pool, id: Uuid) -> Result<()> {
    sqlx::query(
        "DELETE FROM attachments WHERE id = $1
         AND NOT EXISTS (SELECT 1 FROM messages WHERE messages.id = attachments.id)",
    )
    .bind(id.to_string())
    .execute(pool)
    .await?;
    Ok(())
}

/// The file stored under `id`, with its bytes.
pub async fn load(pool: &Pool, id: Uuid) -> Result<Option<File>> {
    let row = sqlx::query(
        "SELECT a.uploader, a.name, a.content_type, a.size, a.data, m.conversation_id
         FROM attachments a LEFT JOIN messages m ON m.id = a.id WHERE a.id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let conversation_id: Option<String> = row.try_get("conversation_id")?;
    Ok(Some(File {
        stored: stored_of(&row)?,
        conversation_id: conversation_id
            .map(|c| Uuid::parse_str(&c))
            .transpose()
            .map_err(|e| Error::internal(format!("bad conversation id: {e}")))?,
        data: row.try_get("data")?,
    }))
}
