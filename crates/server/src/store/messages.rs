//! Messages: the client-chosen id is the primary key and `(conversation, seq)` is unique,
//! so a message is stored once and seq numbers cannot collide. Private notes are rows here
//! too (`is_note`, read back as [`Sender::Note`]); a visitor's history page leaves them out
//! ([`Audience`]), and a replay to a visitor skips them (`socket::handlers`).

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::Pool;
use tidings_protocol::Message;
use uuid::Uuid;

use super::{opt_uuid_col, u64_col, uuid_col};
use crate::error::{Error, Result};

pub(crate) fn from_row(row: &AnyRow) -> Result<Message> {
    let sender: String = row.try_get("sender")?;
    let sender = crate::writer::parse_sender(&sender)
        .ok_or_else(|| Error::internal(format!("bad sender {sender}")))?;
    Ok(Message {
        id: uuid_col(row, "id")?,
        conversation_id: uuid_col(row, "conversation_id")?,
        seq: u64_col(row, "seq")?,
        sender,
        author_name: row.try_get("author_name")?,
        agent_id: opt_uuid_col(row, "agent_id")?,
        body: row.try_get("body")?,
        created_at: row.try_get("created_at")?,
        attachment: attachment_of(row)?,
    })
}

/// The attachment columns a query joined in (see [`crate::attachments::store`]); a query
/// without them (search results) reads as no attachment.
fn attachment_of(row: &AnyRow) -> Result<Option<tidings_protocol::Attachment>> {
    let name: Option<String> = match row.try_get("attachment_name") {
        Ok(name) => name,
        Err(sqlx::Error::ColumnNotFound(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let Some(name) = name else {
        return Ok(None);
    };
    Ok(Some(tidings_protocol::Attachment {
        id: uuid_col(row, "id")?,
        name,
        size: u64_col(row, "attachment_size")?,
        content_type: row.try_get("attachment_type")?,
        url: None,
    }))
}

/// The columns of a message read with its attachment, if it has one: the queries below
/// select these `FROM messages m LEFT JOIN attachments a ON a.id = m.id`.
const COLUMNS: &str = "m.id, m.conversation_id, m.seq,
    CASE WHEN m.is_note = 1 THEN 'note' ELSE m.sender END AS sender,
    m.agent_id, m.author_name, m.body, m.created_at,
    a.name AS attachment_name, a.size AS attachment_size, a.content_type AS attachment_type";

/// Up to `limit` messages with `seq > after_seq`, ascending (one chunk of a replay).
pub async fn after_seq(
    pool: &Pool,
    conversation_id: Uuid,
    after_seq: u64,
    limit: u32,
) -> Result<Vec<Message>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM messages m LEFT JOIN attachments a ON a.id = m.id
         WHERE m.conversation_id = $1 AND m.seq > $2 ORDER BY m.seq ASC LIMIT $3"
    )))
    .bind(conversation_id.to_string())
    .bind(after_seq.min(i64::MAX as u64) as i64)
    .bind(limit as i64)
    .fetch_all(pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Who reads a history page: a visitor's pages never hold private notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Visitor,
    Agent,
}

/// The `limit` messages just below `before_seq` (or the latest ones) that `audience` may
/// read, ascending, and whether older ones exist.
pub async fn page_before(
    pool: &Pool,
    conversation_id: Uuid,
    before_seq: Option<u64>,
    limit: u32,
    audience: Audience,
) -> Result<(Vec<Message>, bool)> {
    let before = before_seq.unwrap_or(i64::MAX as u64).min(i64::MAX as u64) as i64;
    // `is_note <= $4`: a visitor (0) reads only messages that are not notes, an agent (1) all.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM messages m LEFT JOIN attachments a ON a.id = m.id
         WHERE m.conversation_id = $1 AND m.seq < $2 AND m.is_note <= $4
         ORDER BY m.seq DESC LIMIT $3"
    )))
    .bind(conversation_id.to_string())
    .bind(before)
    .bind(limit as i64 + 1)
    .bind(i64::from(audience == Audience::Agent))
    .fetch_all(pool)
    .await?;
    let has_more = rows.len() > limit as usize;
    let mut messages = rows
        .iter()
        .take(limit as usize)
        .map(from_row)
        .collect::<Result<Vec<_>>>()?;
    messages.reverse();
    Ok((messages, has_more))
}
