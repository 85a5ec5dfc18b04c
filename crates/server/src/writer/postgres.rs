//! The writer's SQL for PostgreSQL, on its own connection.
//!
//! The writer's loop is synchronous (see `group.rs`); here each statement runs to completion
//! on a small single-threaded runtime that belongs to the writer's thread, so the loop and
//! the rules in `ops` are the same for both engines.
//!
//! # Few round trips per group
//! Every statement is a round trip to the database (and, on a busy machine, a wait for the
//! database's process and then this thread to be scheduled again), so a group costs about
//! as many round trips as it has statements. Sending a message took six (the id check, the
//! conversation's head, the insert, the new `last_seq`, two notifications), which made the
//! writer, not the commit, the limit. So a group now runs in three, however many writes it
//! carries:
//!
//! 1. (`BEGIN`, sent with the previous group's `COMMIT`, below;)
//! 2. [`Tx::prepare`] reads and locks, in one statement, the heads of every conversation
//!    the group names and whichever of its message ids are already stored;
//! 3. the rules in `ops` run against those, and the writes they make to `messages` and to
//!    the conversations' latest seq are kept here, not sent;
//! 4. at commit, one statement inserts every kept message, updates every conversation once
//!    and notifies the other nodes ([`note::payloads`]: the group's notes, packed), then
//!    `COMMIT; BEGIN`.
//!
//! The `BEGIN` costs no round trip of its own either: the commit is sent as `COMMIT; BEGIN`
//! (one simple query), so the next group's transaction is already open when it starts, and a
//! group takes three round trips in all. The transaction opened ahead waits idle, with no
//! snapshot taken (READ COMMITTED takes one per statement) and no transaction id, so it holds
//! back neither vacuum nor other sessions; nothing in the writer's SQL reads the
//! transaction's start time. If PostgreSQL ends that session meanwhile (a restart, an
//! `idle_in_transaction_session_timeout`), the next group fails on the lost connection before
//! anything was acknowledged and is applied again on a new one (see `group.rs`).
//!
//! Any other statement (a claim, a close, a block, ...) first sends what is kept, so the
//! database sees the statements in the order the rules made them; one that may change a
//! conversation also forgets the heads read so far, to read them again. A failure of the
//! kept statements surfaces at commit, before anything was acknowledged: the group is
//! rolled back and applied again as any failed group is (see `group.rs`). The second pass,
//! with a savepoint per write, sends every statement at once and keeps nothing, so a failing
//! write is rolled back alone.
//!
//! # Seq allocation across nodes
//! Several nodes write to one database, each with its own writer. [`Tx::head`] (and
//! [`Tx::prepare`]) read the conversation `FOR UPDATE`: the row stays locked until the group
//! commits, so a second node's writer that wants the same conversation waits, then reads the
//! `last_seq` the first one committed. Seqs are therefore allocated one after the other,
//! gap-free, and the `UNIQUE (conversation_id, seq)` constraint backs that up. `prepare`
//! locks a group's conversations in the order of their ids, so two nodes' groups do not
//! lock the same ones in opposite orders. [`Tx::open_for_visitor`] locks the visitor's row
//! the same way, so two nodes never open two conversations for one visitor. Idempotency
//! comes from the message id being the primary key: a repeated id on another node either
//! finds the committed message, or (sent at the same moment) waits for the first insert
//! and fails on the key; the group then runs again and finds it.
//!
//! Notifications are `pg_notify` calls inside the transaction: PostgreSQL delivers them only
//! if it commits, in commit order.

use std::collections::HashMap;

use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{Connection, Row};
use tidings_protocol::{ConversationStatus, Message};
use tokio::runtime::Runtime;
use uuid::Uuid;

use super::tx::{is_note, parse_sender, preview, sender_str, Head, Tx};
use super::Write;
use crate::cluster::note::{self, Note, CHANNEL};
use crate::error::{Error, Result};
use crate::store::read_state::{ReadState, Side};

type Query = sqlx::query::Query<'static, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// The writer's PostgreSQL connection and the runtime its statements run on, and what the
/// open transaction has read and not yet sent.
pub struct PgTx {
    runtime: Runtime,
    conn: Option<PgConnection>,
    url: String,
    node: Uuid,
    in_transaction: bool,
    /// The last commit opened the next transaction (`COMMIT; BEGIN`): `begin` has nothing
    /// to send.
    open_ahead: bool,
    /// The savepoint pass: every statement is sent at once and nothing is kept.
    through: bool,
    /// Heads locked in this transaction, with the kept `last_seq` changes applied.
    heads: HashMap<Uuid, Head>,
    /// Message ids `prepare` looked up: the stored message, or `None` if none was stored.
    looked_up: HashMap<Uuid, Option<Message>>,
    /// Messages inserted in this transaction and not sent yet, and where each id is.
    new_messages: Vec<Message>,
    new_ids: HashMap<Uuid, usize>,
    /// `record_message` calls not sent yet, in order.
    records: Vec<Record>,
    /// Notes for the other nodes, sent with the last statement before `COMMIT`.
    notes: Vec<Note>,
}

/// A conversation's new latest message, kept until it is sent.
struct Record {
    id: Uuid,
    seq: u64,
    preview: Option<String>,
    now: i64,
}

/// Sends what a group kept: its new messages, each conversation's latest seq, activity and
/// preview (one row per conversation), and its notifications, in order. One statement, so
/// one round trip; data-modifying `WITH` queries run exactly once, whatever the final
/// `SELECT` reads.
const FLUSH: &str = "WITH new_messages AS (
        INSERT INTO messages (id, conversation_id, seq, sender, agent_id, author_name, body,
            created_at, is_note)
        SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[],
            $6::TEXT[], $7::TEXT[], $8::BIGINT[], $15::BIGINT[])
    ), latest AS (
        UPDATE conversations c SET last_seq = r.seq, last_activity_at = r.at,
            last_message_preview = COALESCE(r.preview, c.last_message_preview)
        FROM unnest($9::TEXT[], $10::BIGINT[], $11::BIGINT[], $12::TEXT[]) AS r(id, seq, at, preview)
        WHERE c.id = r.id
    )
    SELECT pg_notify($13, n.payload) FROM unnest($14::TEXT[]) AS n(payload)";

/// What a group needs first, in one statement: the heads of the conversations it names,
/// locked in the order of their ids (`is_head`), and the messages already stored under its
/// message ids. Both shapes share the columns: a head's `owner` is its visitor, `kind` its
/// status, `number` its visitor's `blocked_at`; a message's `owner` is its conversation,
/// `kind` its sender, `number` its `created_at`.
const PREPARE: &str = "WITH heads AS (
        SELECT c.id, c.visitor_id, c.status, c.assigned_agent_id, c.last_seq,
               v.name AS visitor_name, v.blocked_at
        FROM conversations c JOIN visitors v ON v.id = c.visitor_id
        WHERE c.id = ANY($1) ORDER BY c.id FOR UPDATE OF c
    )
    SELECT TRUE AS is_head, id, visitor_id AS owner, status AS kind, assigned_agent_id AS agent,
           last_seq AS seq, visitor_name AS name, blocked_at AS number, NULL::TEXT AS body
    FROM heads
    UNION ALL
    SELECT FALSE, id, conversation_id, CASE WHEN is_note = 1 THEN 'note' ELSE sender END,
           agent_id, seq, author_name, created_at, body
    FROM messages WHERE id = ANY($2)";

fn uuid(row: &PgRow, column: &str) -> Result<Uuid> {
    let text: String = row.try_get(column)?;
    Uuid::parse_str(&text).map_err(|e| Error::internal(format!("bad uuid in {column}: {e}")))
}

fn opt_uuid(row: &PgRow, column: &str) -> Result<Option<Uuid>> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| Uuid::parse_str(&t))
        .transpose()
        .map_err(|e| Error::internal(format!("bad uuid in {column}: {e}")))
}

fn seq(row: &PgRow, column: &str) -> Result<u64> {
    Ok(row.try_get::<i64, _>(column)?.max(0) as u64)
}

/// A [`Head`] from its row.
fn head_of(row: &PgRow) -> Result<Head> {
    let status: String = row.try_get("status")?;
    Ok(Head {
        id: uuid(row, "id")?,
        visitor_id: uuid(row, "visitor_id")?,
        status: ConversationStatus::parse(&status)
            .ok_or_else(|| Error::internal(format!("bad conversation status {status}")))?,
        assigned_agent_id: opt_uuid(row, "assigned_agent_id")?,
        last_seq: seq(row, "last_seq")?,
        visitor_name: row.try_get("visitor_name")?,
        visitor_blocked: row
            .try_get::<Option<i64>, _>("visitor_blocked_at")?
            .is_some(),
    })
}

/// A stored message from its row.
fn message_of(row: &PgRow) -> Result<Message> {
    let sender: String = row.try_get("sender")?;
    Ok(Message {
        id: uuid(row, "id")?,
        conversation_id: uuid(row, "conversation_id")?,
        seq: seq(row, "seq")?,
        sender: parse_sender(&sender)
            .ok_or_else(|| Error::internal(format!("bad sender {sender}")))?,
        author_name: row.try_get("author_name")?,
        agent_id: opt_uuid(row, "agent_id")?,
        body: row.try_get("body")?,
        created_at: row.try_get("created_at")?,
        attachment: None,
    })
}

/// A row of [`PREPARE`]: a head or a stored message.
enum Prepared {
    Head(Head),
    Message(Message),
}

fn prepared_of(row: &PgRow) -> Result<Prepared> {
    let kind: String = row.try_get("kind")?;
    if row.try_get("is_head")? {
        return Ok(Prepared::Head(Head {
            id: uuid(row, "id")?,
            visitor_id: uuid(row, "owner")?,
            status: ConversationStatus::parse(&kind)
                .ok_or_else(|| Error::internal(format!("bad conversation status {kind}")))?,
            assigned_agent_id: opt_uuid(row, "agent")?,
            last_seq: seq(row, "seq")?,
            visitor_name: row.try_get("name")?,
            visitor_blocked: row.try_get::<Option<i64>, _>("number")?.is_some(),
        }));
    }
    Ok(Prepared::Message(Message {
        id: uuid(row, "id")?,
        conversation_id: uuid(row, "owner")?,
        seq: seq(row, "seq")?,
        sender: parse_sender(&kind).ok_or_else(|| Error::internal(format!("bad sender {kind}")))?,
        author_name: row.try_get("name")?,
        agent_id: opt_uuid(row, "agent")?,
        body: row
            .try_get::<Option<String>, _>("body")?
            .unwrap_or_default(),
        created_at: row.try_get::<Option<i64>, _>("number")?.unwrap_or_default(),
        attachment: None,
    }))
}

impl PgTx {
    /// Starts the runtime and connects. A database that cannot be reached yet is not an
    /// error: every group connects first if there is no connection (and fails, to be
    /// retried by its clients, while PostgreSQL is down).
    pub fn open(url: &str, node: Uuid) -> Result<PgTx> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::internal(format!("cannot start the writer's runtime: {e}")))?;
        let mut tx = PgTx {
            runtime,
            conn: None,
            url: url.to_string(),
            node,
            in_transaction: false,
            open_ahead: false,
            through: false,
            heads: HashMap::new(),
            looked_up: HashMap::new(),
            new_messages: Vec::new(),
            new_ids: HashMap::new(),
            records: Vec::new(),
            notes: Vec::new(),
        };
        if let Err(e) = tx.connection() {
            tracing::warn!(error = %e, "the writer cannot reach PostgreSQL yet");
        }
        Ok(tx)
    }

    /// Connects if there is no connection (at start, or after PostgreSQL restarted).
    fn connection(&mut self) -> Result<()> {
        if self.conn.is_none() {
            let conn = self.runtime.block_on(async {
                let mut conn = PgConnection::connect(&self.url).await?;
                // Custom plans for the group's arrays (see `db::POSTGRES_SESSION`).
                sqlx::Executor::execute(&mut conn, crate::db::POSTGRES_SESSION).await?;
                Ok::<_, sqlx::Error>(conn)
            })?;
            self.conn = Some(conn);
        }
        Ok(())
    }

    /// Runs a statement's future on the writer's runtime with the connection.
    fn run<T>(
        &mut self,
        statement: impl for<'c> FnOnce(
            &'c mut PgConnection,
        ) -> futures_util::future::BoxFuture<
            'c,
            std::result::Result<T, sqlx::Error>,
        >,
    ) -> Result<T> {
        self.connection()?;
        let conn = self.conn.as_mut().expect("connected above");
        let result = self.runtime.block_on(statement(conn));
        self.keep_if_alive(result)
    }

    /// Runs a statement without parameters (transaction control). A connection that failed
    /// is dropped, to be made again by the next group.
    fn exec(&mut self, sql: &'static str) -> Result<()> {
        self.run(|conn| Box::pin(async move { sqlx::query(sql).execute(conn).await.map(drop) }))
    }

    fn keep_if_alive<T>(&mut self, result: std::result::Result<T, sqlx::Error>) -> Result<T> {
        if let Err(e) = &result {
            if !matches!(e, sqlx::Error::Database(_) | sqlx::Error::RowNotFound) {
                self.conn = None;
                self.in_transaction = false;
                self.open_ahead = false;
            }
        }
        Ok(result?)
    }

    /// Forgets everything of the transaction (it ended, or is starting).
    fn forget(&mut self) {
        self.through = false;
        self.heads.clear();
        self.looked_up.clear();
        self.new_messages.clear();
        self.new_ids.clear();
        self.records.clear();
        self.notes.clear();
    }

    /// Sends the kept messages and latest seqs (and, with `notes`, the notifications) in
    /// one statement ([`FLUSH`]).
    fn flush(&mut self, notes: bool) -> Result<()> {
        let payloads = if notes {
            note::payloads(self.node, &std::mem::take(&mut self.notes))
        } else {
            Vec::new()
        };
        if self.new_messages.is_empty() && self.records.is_empty() && payloads.is_empty() {
            return Ok(());
        }
        let messages = std::mem::take(&mut self.new_messages);
        self.new_ids.clear();
        // One row per conversation: its last record's seq and time, and the last preview
        // given (a notice keeps the preview, as `COALESCE` does for one record).
        let mut latest: Vec<Record> = Vec::new();
        let mut at: HashMap<Uuid, usize> = HashMap::new();
        for record in std::mem::take(&mut self.records) {
            match at.get(&record.id) {
                Some(&i) => {
                    let kept = &mut latest[i];
                    kept.seq = record.seq;
                    kept.now = record.now;
                    if record.preview.is_some() {
                        kept.preview = record.preview;
                    }
                }
                None => {
                    at.insert(record.id, latest.len());
                    latest.push(record);
                }
            }
        }
        let column = |f: &dyn Fn(&Message) -> String| messages.iter().map(f).collect::<Vec<_>>();
        let query = sqlx::query(FLUSH)
            .bind(column(&|m| m.id.to_string()))
            .bind(column(&|m| m.conversation_id.to_string()))
            .bind(messages.iter().map(|m| m.seq as i64).collect::<Vec<_>>())
            .bind(column(&|m| sender_str(m.sender).to_string()))
            .bind(
                messages
                    .iter()
                    .map(|m| m.agent_id.map(|a| a.to_string()))
                    .collect::<Vec<_>>(),
            )
            .bind(
                messages
                    .iter()
                    .map(|m| m.author_name.clone())
                    .collect::<Vec<_>>(),
            )
            .bind(column(&|m| m.body.clone()))
            .bind(messages.iter().map(|m| m.created_at).collect::<Vec<_>>())
            .bind(latest.iter().map(|r| r.id.to_string()).collect::<Vec<_>>())
            .bind(latest.iter().map(|r| r.seq as i64).collect::<Vec<_>>())
            .bind(latest.iter().map(|r| r.now).collect::<Vec<_>>())
            .bind(
                latest
                    .iter()
                    .map(|r| r.preview.as_deref().map(preview))
                    .collect::<Vec<_>>(),
            )
            .bind(CHANNEL)
            .bind(payloads)
            .bind(
                messages
                    .iter()
                    .map(|m| is_note(m.sender))
                    .collect::<Vec<_>>(),
            );
        self.statement(query).map(drop)
    }

    fn statement_row(&mut self, query: Query) -> Result<Option<PgRow>> {
        self.run(|conn| Box::pin(async move { query.fetch_optional(conn).await }))
    }

    fn statement(&mut self, query: Query) -> Result<u64> {
        self.run(|conn| {
            Box::pin(async move { query.execute(conn).await.map(|done| done.rows_affected()) })
        })
    }

    /// A read that sees everything the transaction wrote (kept writes are sent first).
    fn fetch_optional(&mut self, query: Query) -> Result<Option<PgRow>> {
        self.flush(false)?;
        self.statement_row(query)
    }

    /// A write after the kept ones, which may change any conversation: the heads read so
    /// far are read again when asked for.
    fn execute(&mut self, query: Query) -> Result<u64> {
        self.flush(false)?;
        let changed = self.statement(query)?;
        self.heads.clear();
        Ok(changed)
    }
}

impl Tx for PgTx {
    fn begin(&mut self) -> Result<()> {
        self.forget();
        // A lost connection forgets the transaction opened ahead (`keep_if_alive`).
        if !self.open_ahead {
            self.exec("BEGIN")?;
        }
        self.open_ahead = false;
        self.in_transaction = true;
        Ok(())
    }

    fn prepare(&mut self, writes: &[&Write]) -> Result<()> {
        let mut conversations = Vec::new();
        let mut ids = Vec::new();
        for write in writes {
            match write {
                Write::Send {
                    id,
                    conversation_id,
                    ..
                } => {
                    ids.push(*id);
                    conversations.extend(*conversation_id);
                }
                Write::Give {
                    conversation_id, ..
                }
                | Write::Close {
                    conversation_id, ..
                }
                | Write::Rate {
                    conversation_id, ..
                }
                | Write::Requeue { conversation_id }
                | Write::Mark {
                    conversation_id, ..
                }
                | Write::Transfer {
                    conversation_id, ..
                } => conversations.push(*conversation_id),
                Write::Note {
                    id,
                    conversation_id,
                    ..
                } => {
                    ids.push(*id);
                    conversations.push(*conversation_id);
                }
                Write::Block { .. } | Write::Probe => {}
            }
        }
        if conversations.is_empty() && ids.is_empty() {
            return Ok(());
        }
        conversations.sort_unstable();
        conversations.dedup();
        let query = sqlx::query(PREPARE)
            .bind(
                conversations
                    .iter()
                    .map(Uuid::to_string)
                    .collect::<Vec<_>>(),
            )
            .bind(ids.iter().map(Uuid::to_string).collect::<Vec<_>>());
        let rows = self.run(|conn| Box::pin(async move { query.fetch_all(conn).await }))?;
        for id in ids {
            self.looked_up.insert(id, None);
        }
        for row in &rows {
            match prepared_of(row)? {
                Prepared::Head(head) => {
                    self.heads.insert(head.id, head);
                }
                Prepared::Message(message) => {
                    self.looked_up.insert(message.id, Some(message));
                }
            }
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        // A failure here leaves the transaction open: the group rolls it back.
        let t0 = std::time::Instant::now();
        self.flush(true)?;
        let flushed = t0.elapsed();
        // The next group's `BEGIN` rides along (see "Few round trips per group"). A simple
        // query runs its statements in turn and stops at the first error, so a failed
        // `COMMIT` opens nothing.
        let result = self.run(|conn| {
            Box::pin(async move { sqlx::raw_sql("COMMIT; BEGIN").execute(conn).await.map(drop) })
        });
        self.open_ahead = result.is_ok();
        tracing::debug!(
            target: "tidings::timing",
            flush_us = flushed.as_micros() as u64,
            commit_us = t0.elapsed().saturating_sub(flushed).as_micros() as u64,
            "pg commit"
        );
        self.in_transaction = false;
        self.forget();
        result
    }

    fn rollback(&mut self) {
        self.forget();
        if self.in_transaction {
            let _ = self.exec("ROLLBACK");
            self.in_transaction = false;
        }
    }

    fn savepoint(&mut self) -> Result<()> {
        // From here on every statement is sent at once: a failing write is rolled back
        // alone, and nothing kept could outlive its rollback.
        self.flush(false)?;
        self.through = true;
        self.heads.clear();
        self.looked_up.clear();
        self.exec("SAVEPOINT write")
    }

    fn rollback_to_savepoint(&mut self) -> Result<()> {
        self.exec("ROLLBACK TO SAVEPOINT write")
    }

    fn release_savepoint(&mut self) -> Result<()> {
        self.exec("RELEASE SAVEPOINT write")
    }

    fn shared(&self) -> bool {
        true
    }

    fn notify(&mut self, note: &Note) -> Result<()> {
        // Only writes that succeeded are told (see `group.rs`), so a note never needs
        // taking back: sent with the last statement before `COMMIT`, or not at all.
        self.notes.push(note.clone());
        Ok(())
    }

    fn touch(&mut self) -> Result<()> {
        // A transaction id makes the commit write (and flush) its WAL record.
        self.statement(sqlx::query("SELECT pg_current_xact_id()"))
            .map(drop)
    }

    fn close(mut self) {
        if let Some(conn) = self.conn.take() {
            // Closing the session rolls back the transaction opened ahead.
            let _ = self.runtime.block_on(conn.close());
        }
    }

    fn message_by_id(&mut self, id: Uuid) -> Result<Option<Message>> {
        if let Some(&i) = self.new_ids.get(&id) {
            return Ok(Some(self.new_messages[i].clone()));
        }
        if let Some(found) = self.looked_up.get(&id) {
            return Ok(found.clone());
        }
        // Kept messages were looked at above: the stored ones are all there is.
        let row = self.statement_row(
            sqlx::query(
                "SELECT id, conversation_id, seq,
                        CASE WHEN is_note = 1 THEN 'note' ELSE sender END AS sender,
                        agent_id, author_name, body, created_at
                 FROM messages WHERE id = $1",
            )
            .bind(id.to_string()),
        )?;
        row.as_ref().map(message_of).transpose()
    }

    fn head(&mut self, id: Uuid) -> Result<Option<Head>> {
        if let Some(head) = self.heads.get(&id) {
            return Ok(Some(head.clone()));
        }
        let row = self.fetch_optional(
            sqlx::query(
                "SELECT c.id, c.visitor_id, c.status, c.assigned_agent_id, c.last_seq,
                        v.name AS visitor_name, v.blocked_at AS visitor_blocked_at
                 FROM conversations c JOIN visitors v ON v.id = c.visitor_id
                 WHERE c.id = $1 FOR UPDATE OF c",
            )
            .bind(id.to_string()),
        )?;
        let head = row.as_ref().map(head_of).transpose()?;
        if let (Some(head), false) = (&head, self.through) {
            self.heads.insert(id, head.clone());
        }
        Ok(head)
    }

    fn visitor_blocked(&mut self, visitor_id: Uuid) -> Result<bool> {
        // Nothing kept touches visitors.
        let row = self.statement_row(
            sqlx::query("SELECT blocked_at FROM visitors WHERE id = $1")
                .bind(visitor_id.to_string()),
        )?;
        Ok(match row {
            Some(row) => row.try_get::<Option<i64>, _>("blocked_at")?.is_some(),
            None => false,
        })
    }

    fn visitor_conversations(&mut self, visitor_id: Uuid) -> Result<Vec<Head>> {
        // Locks the visitor first, as opening a conversation does: a node creating one for
        // them waits until the block has committed, then sees it.
        self.fetch_optional(
            sqlx::query("SELECT id FROM visitors WHERE id = $1 FOR UPDATE")
                .bind(visitor_id.to_string()),
        )?;
        let query = sqlx::query(
            "SELECT c.id, c.visitor_id, c.status, c.assigned_agent_id, c.last_seq,
                    v.name AS visitor_name, v.blocked_at AS visitor_blocked_at
             FROM conversations c JOIN visitors v ON v.id = c.visitor_id
             WHERE c.visitor_id = $1 ORDER BY c.started_at, c.id FOR UPDATE OF c",
        )
        .bind(visitor_id.to_string());
        let rows = self.run(|conn| Box::pin(async move { query.fetch_all(conn).await }))?;
        rows.iter().map(head_of).collect()
    }

    fn set_blocked(&mut self, visitor_id: Uuid, blocked_at: Option<i64>) -> Result<bool> {
        let changed = self.execute(
            sqlx::query(
                "UPDATE visitors SET blocked_at = CASE WHEN $1::BIGINT IS NULL THEN NULL
                    ELSE COALESCE(blocked_at, $1) END WHERE id = $2",
            )
            .bind(blocked_at)
            .bind(visitor_id.to_string()),
        )?;
        Ok(changed > 0)
    }

    fn open_for_visitor(&mut self, visitor_id: Uuid) -> Result<Option<Uuid>> {
        // Locks the visitor: another node opening a conversation for them waits here.
        self.fetch_optional(
            sqlx::query("SELECT id FROM visitors WHERE id = $1 FOR UPDATE")
                .bind(visitor_id.to_string()),
        )?;
        let row = self.fetch_optional(
            sqlx::query(
                "SELECT id FROM conversations WHERE visitor_id = $1
                 AND status IN ('waiting', 'active')
                 ORDER BY last_activity_at DESC LIMIT 1",
            )
            .bind(visitor_id.to_string()),
        )?;
        row.map(|r| uuid(&r, "id")).transpose()
    }

    fn create_conversation(&mut self, visitor_id: Uuid, now: i64) -> Result<Uuid> {
        let id = Uuid::now_v7();
        // A new row: nothing kept or read so far is about it.
        let created = self.statement(
            sqlx::query(
                "INSERT INTO conversations (id, visitor_id, status, started_at, page_url,
                    user_agent, last_seq, last_activity_at)
                 SELECT $1, id, 'waiting', $2, page_url, user_agent, 0, $2
                 FROM visitors WHERE id = $3 AND merged_into IS NULL",
            )
            .bind(id.to_string())
            .bind(now)
            .bind(visitor_id.to_string()),
        )?;
        if created == 0 {
            return Err(Error::not_found("visitor"));
        }
        Ok(id)
    }

    fn insert_message(&mut self, message: &Message) -> Result<()> {
        if !self.through {
            self.new_ids.insert(message.id, self.new_messages.len());
            self.new_messages.push(message.clone());
            return Ok(());
        }
        self.statement(
            sqlx::query(
                "INSERT INTO messages (id, conversation_id, seq, sender, agent_id, author_name,
                    body, created_at, is_note)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(message.id.to_string())
            .bind(message.conversation_id.to_string())
            .bind(message.seq as i64)
            .bind(sender_str(message.sender))
            .bind(message.agent_id.map(|a| a.to_string()))
            .bind(message.author_name.clone())
            .bind(message.body.clone())
            .bind(message.created_at)
            .bind(is_note(message.sender)),
        )
        .map(drop)
    }

    fn record_message(
        &mut self,
        id: Uuid,
        seq: u64,
        preview: Option<&str>,
        now: i64,
    ) -> Result<()> {
        if !self.through {
            if let Some(head) = self.heads.get_mut(&id) {
                head.last_seq = seq;
            }
            self.records.push(Record {
                id,
                seq,
                preview: preview.map(str::to_string),
                now,
            });
            return Ok(());
        }
        self.statement(
            sqlx::query(
                "UPDATE conversations SET last_seq = $1, last_activity_at = $2,
                 last_message_preview = COALESCE($3, last_message_preview) WHERE id = $4",
            )
            .bind(seq as i64)
            .bind(now)
            .bind(preview.map(self::preview))
            .bind(id.to_string()),
        )
        .map(drop)
    }

    fn assign(&mut self, id: Uuid, agent_id: Uuid, now: i64) -> Result<()> {
        self.execute(
            sqlx::query(
                "UPDATE conversations SET status = 'active', assigned_agent_id = $1,
                 assigned_at = $2, last_activity_at = $2 WHERE id = $3",
            )
            .bind(agent_id.to_string())
            .bind(now)
            .bind(id.to_string()),
        )
        .map(drop)
    }

    fn end(&mut self, id: Uuid, closed_by: Uuid, now: i64) -> Result<()> {
        self.execute(
            sqlx::query(
                "UPDATE conversations SET status = 'ended', ended_at = $1, last_activity_at = $1,
                 assigned_agent_id = COALESCE(assigned_agent_id, $2) WHERE id = $3",
            )
            .bind(now)
            .bind(closed_by.to_string())
            .bind(id.to_string()),
        )
        .map(drop)
    }

    fn requeue(&mut self, id: Uuid, now: i64) -> Result<()> {
        self.execute(
            sqlx::query(
                "UPDATE conversations SET status = 'waiting', assigned_agent_id = NULL,
                 assigned_at = NULL, last_activity_at = $2 WHERE id = $1",
            )
            .bind(id.to_string())
            .bind(now),
        )
        .map(drop)
    }

    fn rate(&mut self, id: Uuid, rating: u8, feedback: Option<&str>) -> Result<()> {
        self.execute(
            sqlx::query("UPDATE conversations SET rating = $1, feedback = $2 WHERE id = $3")
                .bind(rating as i64)
                .bind(feedback.map(str::to_string))
                .bind(id.to_string()),
        )
        .map(drop)
    }

    fn read_state(&mut self, conversation_id: Uuid, side: Side) -> Result<ReadState> {
        // Nothing kept touches read states.
        let row = self.statement_row(
            sqlx::query(
                "SELECT read_seq, delivered_seq FROM read_states
                 WHERE conversation_id = $1 AND side = $2",
            )
            .bind(conversation_id.to_string())
            .bind(side.as_str()),
        )?;
        Ok(match row {
            Some(row) => ReadState {
                read_seq: seq(&row, "read_seq")?,
                delivered_seq: seq(&row, "delivered_seq")?,
            },
            None => ReadState {
                read_seq: 0,
                delivered_seq: 0,
            },
        })
    }

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
        // Read states are apart from what is kept, and from the heads: no need to send or
        // forget anything. The row as it ends up is the answer.
        let row = self
            .statement_row(
                sqlx::query(
                    "INSERT INTO read_states (conversation_id, side, read_seq, delivered_seq)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (conversation_id, side) DO UPDATE SET
                   read_seq = GREATEST(read_states.read_seq, excluded.read_seq),
                   delivered_seq = GREATEST(read_states.delivered_seq, excluded.delivered_seq,
                                            excluded.read_seq)
                 RETURNING read_seq, delivered_seq",
                )
                .bind(conversation_id.to_string())
                .bind(side.as_str())
                .bind(read)
                .bind(delivered),
            )?
            .ok_or_else(|| Error::internal("the read state was not stored"))?;
        Ok(ReadState {
            read_seq: seq(&row, "read_seq")?,
            delivered_seq: seq(&row, "delivered_seq")?,
        })
    }
}
