//! The writer's SQL, on its own SQLite connection (rusqlite, used synchronously on the
//! writer's thread). Every statement is prepared once and cached, and a whole group runs
//! without leaving the thread: storing a message costs a few microseconds of SQLite work
//! instead of a round trip to a database thread per statement.
//!
//! Ids are UUID text, times milliseconds since the Unix epoch (see the migrations).

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row};
use tidings_protocol::{ConversationStatus, Message, Sender};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::store::read_state::{ReadState, Side};

/// Longest preview kept of the latest message, in characters.
const PREVIEW_CHARS: usize = 140;

/// Opens the writer's connection with the durability the pool has (`synchronous = FULL`:
/// the WAL is fsynced at every commit, so a commit, and the ack after it, survives a
/// crash of the process or of the machine) and the same busy timeout.
pub fn open(path: &Path, busy_timeout: Duration) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(busy_timeout)?;
    conn.pragma_update(None, "journal_mode", "wal")?;
    conn.pragma_update(None, "synchronous", "full")?;
    conn.pragma_update(None, "foreign_keys", "on")?;
    // Every group dirties pages all over the messages' indexes (ids are random UUIDs):
    // a larger page cache than SQLite's 2 MB default saves re-reading them.
    conn.pragma_update(None, "cache_size", -65536)?;
    // The writer commits often and big: checkpointing every 1,000 WAL pages (the default)
    // would copy pages back into the database file after nearly every group. Every 10,000
    // pages (about 40 MB of WAL) it copies each hot page once for many groups.
    conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// Runs a statement without parameters (transaction control).
pub fn exec(conn: &Connection, sql: &str) -> Result<()> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

fn uuid(row: &Row, column: &str) -> rusqlite::Result<Uuid> {
    let text: String = row.get(column)?;
    Uuid::parse_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn opt_uuid(row: &Row, column: &str) -> rusqlite::Result<Option<Uuid>> {
    let text: Option<String> = row.get(column)?;
    text.map(|t| Uuid::parse_str(&t)).transpose().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn seq(row: &Row, column: &str) -> rusqlite::Result<u64> {
    Ok(row.get::<_, i64>(column)?.max(0) as u64)
}

fn sender_str(sender: Sender) -> &'static str {
    match sender {
        Sender::Visitor => "visitor",
        Sender::Agent => "agent",
        Sender::System => "system",
    }
}

/// The stored message with this client id, in whatever conversation.
pub fn message_by_id(conn: &Connection, id: Uuid) -> Result<Option<Message>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, conversation_id, seq, sender, agent_id, author_name, body, created_at
         FROM messages WHERE id = ?1",
    )?;
    let found = statement
        .query_row(params![id.to_string()], |row| {
            let sender: String = row.get("sender")?;
            Ok((
                Message {
                    id: uuid(row, "id")?,
                    conversation_id: uuid(row, "conversation_id")?,
                    seq: seq(row, "seq")?,
                    sender: Sender::System,
                    author_name: row.get("author_name")?,
                    agent_id: opt_uuid(row, "agent_id")?,
                    body: row.get("body")?,
                    created_at: row.get("created_at")?,
                },
                sender,
            ))
        })
        .optional()?;
    let Some((mut message, sender)) = found else {
        return Ok(None);
    };
    message.sender = match sender.as_str() {
        "visitor" => Sender::Visitor,
        "agent" => Sender::Agent,
        "system" => Sender::System,
        other => return Err(Error::internal(format!("bad sender {other}"))),
    };
    Ok(Some(message))
}

/// What a write needs to know of a conversation: who owns it, who may see it, its last seq.
#[derive(Debug, Clone)]
pub struct Head {
    pub id: Uuid,
    pub visitor_id: Uuid,
    pub status: ConversationStatus,
    pub assigned_agent_id: Option<Uuid>,
    pub last_seq: u64,
    pub visitor_name: Option<String>,
}

impl Head {
    /// Whether an agent may see it (the rule of [`crate::auth::agent_may_see`]).
    pub fn agent_may_see(&self, agent_id: Uuid, is_admin: bool) -> bool {
        is_admin
            || self.status == ConversationStatus::Waiting
            || self.assigned_agent_id == Some(agent_id)
    }
}

/// The [`Head`] of a conversation.
pub fn head(conn: &Connection, id: Uuid) -> Result<Option<Head>> {
    let mut statement = conn.prepare_cached(
        "SELECT c.id, c.visitor_id, c.status, c.assigned_agent_id, c.last_seq, v.name AS visitor_name
         FROM conversations c JOIN visitors v ON v.id = c.visitor_id WHERE c.id = ?1",
    )?;
    let found = statement
        .query_row(params![id.to_string()], |row| {
            Ok((
                Head {
                    id: uuid(row, "id")?,
                    visitor_id: uuid(row, "visitor_id")?,
                    status: ConversationStatus::Waiting,
                    assigned_agent_id: opt_uuid(row, "assigned_agent_id")?,
                    last_seq: seq(row, "last_seq")?,
                    visitor_name: row.get("visitor_name")?,
                },
                row.get::<_, String>("status")?,
            ))
        })
        .optional()?;
    let Some((mut head, status)) = found else {
        return Ok(None);
    };
    head.status = ConversationStatus::parse(&status)
        .ok_or_else(|| Error::internal(format!("bad conversation status {status}")))?;
    Ok(Some(head))
}

/// The visitor's newest open (waiting or active) conversation, if any.
pub fn open_for_visitor(conn: &Connection, visitor_id: Uuid) -> Result<Option<Uuid>> {
    let mut statement = conn.prepare_cached(
        "SELECT id FROM conversations WHERE visitor_id = ?1 AND status IN ('waiting', 'active')
         ORDER BY last_activity_at DESC LIMIT 1",
    )?;
    Ok(statement
        .query_row(params![visitor_id.to_string()], |row| uuid(row, "id"))
        .optional()?)
}

/// A new waiting conversation, carrying the visitor's page URL and browser.
pub fn create_conversation(conn: &Connection, visitor_id: Uuid, now: i64) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let created = conn
        .prepare_cached(
            "INSERT INTO conversations (id, visitor_id, status, started_at, page_url, user_agent, last_seq, last_activity_at)
             SELECT ?1, id, 'waiting', ?2, page_url, user_agent, 0, ?2 FROM visitors WHERE id = ?3",
        )?
        .execute(params![id.to_string(), now, visitor_id.to_string()])?;
    if created == 0 {
        return Err(Error::not_found("visitor"));
    }
    Ok(id)
}

/// Inserts a message whose seq the caller allocated in the same transaction.
pub fn insert_message(conn: &Connection, message: &Message) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO messages (id, conversation_id, seq, sender, agent_id, author_name, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        message.id.to_string(),
        message.conversation_id.to_string(),
        message.seq as i64,
        sender_str(message.sender),
        message.agent_id.map(|a| a.to_string()),
        message.author_name,
        message.body,
        message.created_at,
    ])?;
    Ok(())
}

/// Records a newly stored message as the conversation's latest.
pub fn record_message(
    conn: &Connection,
    id: Uuid,
    seq: u64,
    preview: Option<&str>,
    now: i64,
) -> Result<()> {
    let preview = preview.map(|p| p.chars().take(PREVIEW_CHARS).collect::<String>());
    conn.prepare_cached(
        "UPDATE conversations SET last_seq = ?1, last_activity_at = ?2,
         last_message_preview = COALESCE(?3, last_message_preview) WHERE id = ?4",
    )?
    .execute(params![seq as i64, now, preview, id.to_string()])?;
    Ok(())
}

/// Gives the conversation to an agent and makes it active.
pub fn assign(conn: &Connection, id: Uuid, agent_id: Uuid, now: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE conversations SET status = 'active', assigned_agent_id = ?1, assigned_at = ?2,
         last_activity_at = ?2 WHERE id = ?3",
    )?
    .execute(params![agent_id.to_string(), now, id.to_string()])?;
    Ok(())
}

/// Ends the conversation; one never assigned is given to the agent who closed it, so it
/// stays visible to them.
pub fn end(conn: &Connection, id: Uuid, closed_by: Uuid, now: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE conversations SET status = 'ended', ended_at = ?1, last_activity_at = ?1,
         assigned_agent_id = COALESCE(assigned_agent_id, ?2) WHERE id = ?3",
    )?
    .execute(params![now, closed_by.to_string(), id.to_string()])?;
    Ok(())
}

/// Stores the visitor's rating and feedback.
pub fn rate(conn: &Connection, id: Uuid, rating: u8, feedback: Option<&str>) -> Result<()> {
    conn.prepare_cached("UPDATE conversations SET rating = ?1, feedback = ?2 WHERE id = ?3")?
        .execute(params![rating as i64, feedback, id.to_string()])?;
    Ok(())
}

/// A side's read and delivered seqs now (zero before its first receipt).
pub fn read_state(conn: &Connection, conversation_id: Uuid, side: Side) -> Result<ReadState> {
    let mut statement = conn.prepare_cached(
        "SELECT read_seq, delivered_seq FROM read_states WHERE conversation_id = ?1 AND side = ?2",
    )?;
    let found = statement
        .query_row(params![conversation_id.to_string(), side.as_str()], |row| {
            Ok(ReadState {
                read_seq: seq(row, "read_seq")?,
                delivered_seq: seq(row, "delivered_seq")?,
            })
        })
        .optional()?;
    Ok(found.unwrap_or(ReadState {
        read_seq: 0,
        delivered_seq: 0,
    }))
}

/// Moves a side's read and/or delivered seq forward (clamped to the last seq; reading
/// implies delivery; values never move back). Returns the resulting state.
pub fn advance_read_state(
    conn: &Connection,
    conversation_id: Uuid,
    side: Side,
    read_seq: u64,
    delivered_seq: u64,
    last_seq: u64,
) -> Result<ReadState> {
    let read = read_seq.min(last_seq) as i64;
    let delivered = delivered_seq.max(read_seq).min(last_seq) as i64;
    conn.prepare_cached(
        "INSERT INTO read_states (conversation_id, side, read_seq, delivered_seq) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (conversation_id, side) DO UPDATE SET
           read_seq = MAX(read_seq, excluded.read_seq),
           delivered_seq = MAX(delivered_seq, excluded.delivered_seq, excluded.read_seq)",
    )?
    .execute(params![conversation_id.to_string(), side.as_str(), read, delivered])?;
    read_state(conn, conversation_id, side)
}
