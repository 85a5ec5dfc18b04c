//! The writer's SQL for SQLite, on its own connection (rusqlite, used synchronously on the
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

use super::tx::{is_note, parse_sender, preview, sender_str, Head, Tx};
use crate::error::{Error, Result};
use crate::store::read_state::{ReadState, Side};

/// Opens the writer's connection with the durability the pool has (`synchronous = FULL`:
/// the WAL is fsynced at every commit, so a commit, and the ack after it, survives a
/// crash of the process or of the machine) and the same busy timeout.
fn open(path: &Path, busy_timeout: Duration) -> Result<Connection> {
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

/// The writer's SQLite connection.
pub struct SqliteTx {
    conn: Connection,
}

impl SqliteTx {
    /// Opens the writer's connection.
    pub fn open(path: &Path, busy_timeout: Duration) -> Result<SqliteTx> {
        Ok(SqliteTx {
            conn: open(path, busy_timeout)?,
        })
    }

    /// Runs a statement without parameters (transaction control).
    fn exec(&self, sql: &str) -> Result<()> {
        self.conn.prepare_cached(sql)?.execute([])?;
        Ok(())
    }
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

/// A [`Head`] row (status still as text).
fn head_of(row: &Row) -> rusqlite::Result<(Head, String)> {
    Ok((
        Head {
            id: uuid(row, "id")?,
            visitor_id: uuid(row, "visitor_id")?,
            status: ConversationStatus::Waiting,
            assigned_agent_id: opt_uuid(row, "assigned_agent_id")?,
            last_seq: seq(row, "last_seq")?,
            visitor_name: row.get("visitor_name")?,
            visitor_blocked: row.get::<_, Option<i64>>("visitor_blocked_at")?.is_some(),
        },
        row.get::<_, String>("status")?,
    ))
}

fn parsed_head((mut head, status): (Head, String)) -> Result<Head> {
    head.status = ConversationStatus::parse(&status)
        .ok_or_else(|| Error::internal(format!("bad conversation status {status}")))?;
    Ok(head)
}

impl Tx for SqliteTx {
    // IMMEDIATE: take the write lock now (waiting for it up to the busy timeout while a
    // rare write outside the writer holds it) rather than fail when upgrading later.
    fn begin(&mut self) -> Result<()> {
        self.exec("BEGIN IMMEDIATE")
    }

    fn commit(&mut self) -> Result<()> {
        self.exec("COMMIT")
    }

    fn rollback(&mut self) {
        if !self.conn.is_autocommit() {
            let _ = self.exec("ROLLBACK");
        }
    }

    fn savepoint(&mut self) -> Result<()> {
        self.exec("SAVEPOINT write")
    }

    fn rollback_to_savepoint(&mut self) -> Result<()> {
        self.exec("ROLLBACK TO write")
    }

    fn release_savepoint(&mut self) -> Result<()> {
        self.exec("RELEASE write")
    }

    fn touch(&mut self) -> Result<()> {
        // The header's user version, written back unchanged: page 1 goes to the WAL.
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?;
        self.conn
            .execute_batch(&format!("PRAGMA user_version = {version}"))?;
        Ok(())
    }

    fn close(self) {
        if let Err((_, e)) = self.conn.close() {
            tracing::warn!(error = %e, "closing the writer's connection failed");
        }
    }

    /// The stored message with this client id, in whatever conversation.
    fn message_by_id(&mut self, id: Uuid) -> Result<Option<Message>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id, conversation_id, seq,
                    CASE WHEN is_note = 1 THEN 'note' ELSE sender END AS sender,
                    agent_id, author_name, body, created_at
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
                        attachment: None,
                    },
                    sender,
                ))
            })
            .optional()?;
        let Some((mut message, sender)) = found else {
            return Ok(None);
        };
        message.sender =
            parse_sender(&sender).ok_or_else(|| Error::internal(format!("bad sender {sender}")))?;
        Ok(Some(message))
    }

    /// The [`Head`] of a conversation.
    fn head(&mut self, id: Uuid) -> Result<Option<Head>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT c.id, c.visitor_id, c.status, c.assigned_agent_id, c.last_seq, v.name AS visitor_name,
                v.blocked_at AS visitor_blocked_at
             FROM conversations c JOIN visitors v ON v.id = c.visitor_id WHERE c.id = ?1",
        )?;
        let found = statement
            .query_row(params![id.to_string()], head_of)
            .optional()?;
        found.map(parsed_head).transpose()
    }

    fn visitor_blocked(&mut self, visitor_id: Uuid) -> Result<bool> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT blocked_at FROM visitors WHERE id = ?1")?;
        let blocked_at: Option<Option<i64>> = statement
            .query_row(params![visitor_id.to_string()], |row| row.get(0))
            .optional()?;
        Ok(blocked_at.flatten().is_some())
    }

    fn visitor_conversations(&mut self, visitor_id: Uuid) -> Result<Vec<Head>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT c.id, c.visitor_id, c.status, c.assigned_agent_id, c.last_seq, v.name AS visitor_name,
                v.blocked_at AS visitor_blocked_at
             FROM conversations c JOIN visitors v ON v.id = c.visitor_id WHERE c.visitor_id = ?1
             ORDER BY c.started_at, c.id",
        )?;
        let rows = statement
            .query_map(params![visitor_id.to_string()], head_of)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(parsed_head).collect()
    }

    fn set_blocked(&mut self, visitor_id: Uuid, blocked_at: Option<i64>) -> Result<bool> {
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE visitors SET blocked_at = CASE WHEN ?1 IS NULL THEN NULL
                    ELSE COALESCE(blocked_at, ?1) END WHERE id = ?2",
            )?
            .execute(params![blocked_at, visitor_id.to_string()])?;
        Ok(changed > 0)
    }

    /// The visitor's newest open (waiting or active) conversation, if any.
    fn open_for_visitor(&mut self, visitor_id: Uuid) -> Result<Option<Uuid>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id FROM conversations WHERE visitor_id = ?1 AND status IN ('waiting', 'active')
             ORDER BY last_activity_at DESC LIMIT 1",
        )?;
        Ok(statement
            .query_row(params![visitor_id.to_string()], |row| uuid(row, "id"))
            .optional()?)
    }

    /// A new waiting conversation, carrying the visitor's page URL and browser.
    fn create_conversation(&mut self, visitor_id: Uuid, now: i64) -> Result<Uuid> {
        let id = Uuid::now_v7();
        let created = self
                .conn
            .prepare_cached(
                "INSERT INTO conversations (id, visitor_id, status, started_at, page_url, user_agent, last_seq, last_activity_at)
                 SELECT ?1, id, 'waiting', ?2, page_url, user_agent, 0, ?2 FROM visitors WHERE id = ?3 AND merged_into IS NULL",
            )?
            .execute(params![id.to_string(), now, visitor_id.to_string()])?;
        if created == 0 {
            return Err(Error::not_found("visitor"));
        }
        Ok(id)
    }

    /// Inserts a message whose seq the caller allocated in the same transaction.
    fn insert_message(&mut self, message: &Message) -> Result<()> {
        self.conn.prepare_cached(
            "INSERT INTO messages (id, conversation_id, seq, sender, agent_id, author_name, body, created_at,
                is_note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
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
            is_note(message.sender),
        ])?;
        Ok(())
    }

    /// Records a newly stored message as the conversation's latest.
    fn record_message(
        &mut self,
        id: Uuid,
        seq: u64,
        preview: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let preview = preview.map(self::preview);
        self.conn
            .prepare_cached(
                "UPDATE conversations SET last_seq = ?1, last_activity_at = ?2,
             last_message_preview = COALESCE(?3, last_message_preview) WHERE id = ?4",
            )?
            .execute(params![seq as i64, now, preview, id.to_string()])?;
        Ok(())
    }

    /// Gives the conversation to an agent and makes it active.
    fn assign(&mut self, id: Uuid, agent_id: Uuid, now: i64) -> Result<()> {
        self.conn.prepare_cached(
            "UPDATE conversations SET status = 'active', assigned_agent_id = ?1, assigned_at = ?2,
             last_activity_at = ?2 WHERE id = ?3",
        )?
        .execute(params![agent_id.to_string(), now, id.to_string()])?;
        Ok(())
    }

    /// Ends the conversation; one never assigned is given to the agent who closed it, so it
    /// stays visible to them.
    fn end(&mut self, id: Uuid, closed_by: Uuid, now: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE conversations SET status = 'ended', ended_at = ?1, last_activity_at = ?1,
             assigned_agent_id = COALESCE(assigned_agent_id, ?2) WHERE id = ?3",
            )?
            .execute(params![now, closed_by.to_string(), id.to_string()])?;
        Ok(())
    }

    fn requeue(&mut self, id: Uuid, now: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE conversations SET status = 'waiting', assigned_agent_id = NULL,
                 assigned_at = NULL, last_activity_at = ?2 WHERE id = ?1",
            )?
            .execute(params![id.to_string(), now])?;
        Ok(())
    }

    /// Stores the visitor's rating and feedback.
    fn rate(&mut self, id: Uuid, rating: u8, feedback: Option<&str>) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE conversations SET rating = ?1, feedback = ?2 WHERE id = ?3")?
            .execute(params![rating as i64, feedback, id.to_string()])?;
        Ok(())
    }

    /// A side's read and delivered seqs now (zero before its first receipt).
    fn read_state(&mut self, conversation_id: Uuid, side: Side) -> Result<ReadState> {
        let mut statement = self.conn.prepare_cached(
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
    fn advance_read_state(
        &mut self,
        conversation_id: Uuid,
        side: Side,
        read_seq: u64,
        delivered_seq: u64,
        last_seq: u64,
    ) -> Result<ReadState> {
        let read = read_seq.min(last_seq) as i64;
        let delivered = delivered_seq.max(read_seq).min(last_seq) as i64;
        self.conn.prepare_cached(
            "INSERT INTO read_states (conversation_id, side, read_seq, delivered_seq) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (conversation_id, side) DO UPDATE SET
               read_seq = MAX(read_seq, excluded.read_seq),
               delivered_seq = MAX(delivered_seq, excluded.delivered_seq, excluded.read_seq)",
        )?
        .execute(params![conversation_id.to_string(), side.as_str(), read, delivered])?;
        self.read_state(conversation_id, side)
    }
}
