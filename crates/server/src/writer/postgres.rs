//! The writer's SQL for PostgreSQL, on its own connection.
//!
//! The writer's loop is synchronous (see `group.rs`); here each statement runs to completion
//! on a small single-threaded runtime that belongs to the writer's thread, so the loop and
//! the rules in `ops` are the same for both engines.
//!
//! # Seq allocation across nodes
//! Several nodes write to one database, each with its own writer. [`Tx::head`] reads the
//! conversation `FOR UPDATE`: the row stays locked until the group commits, so a second
//! node's writer that wants the same conversation waits, then reads the `last_seq` the first
//! one committed. Seqs are therefore allocated one after the other, gap-free, and the
//! `UNIQUE (conversation_id, seq)` constraint backs that up. [`Tx::open_for_visitor`] locks
//! the visitor's row the same way, so two nodes never open two conversations for one
//! visitor. Idempotency comes from the message id being the primary key: a repeated id on
//! another node either finds the committed message, or (sent at the same moment) waits for
//! the first insert and fails on the key; the group then runs again and finds it.
//!
//! Notifications ([`Tx::notify`]) are `pg_notify` calls inside the transaction: PostgreSQL
//! delivers them only if it commits, in commit order.

use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{Connection, Row};
use tidings_protocol::{ConversationStatus, Message};
use tokio::runtime::Runtime;
use uuid::Uuid;

use super::tx::{parse_sender, preview, sender_str, Head, Tx};
use crate::cluster::note::{Envelope, Note, CHANNEL};
use crate::error::{Error, Result};
use crate::store::read_state::{ReadState, Side};

type Query = sqlx::query::Query<'static, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// The writer's PostgreSQL connection and the runtime its statements run on.
pub struct PgTx {
    runtime: Runtime,
    conn: Option<PgConnection>,
    url: String,
    node: Uuid,
    in_transaction: bool,
}

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
        };
        if let Err(e) = tx.connection() {
            tracing::warn!(error = %e, "the writer cannot reach PostgreSQL yet");
        }
        Ok(tx)
    }

    /// Connects if there is no connection (at start, or after PostgreSQL restarted).
    fn connection(&mut self) -> Result<()> {
        if self.conn.is_none() {
            let conn = self.runtime.block_on(PgConnection::connect(&self.url))?;
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
            }
        }
        Ok(result?)
    }

    fn fetch_optional(&mut self, query: Query) -> Result<Option<PgRow>> {
        self.run(|conn| Box::pin(async move { query.fetch_optional(conn).await }))
    }

    fn execute(&mut self, query: Query) -> Result<u64> {
        self.run(|conn| {
            Box::pin(async move { query.execute(conn).await.map(|done| done.rows_affected()) })
        })
    }
}

impl Tx for PgTx {
    fn begin(&mut self) -> Result<()> {
        self.exec("BEGIN")?;
        self.in_transaction = true;
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        let result = self.exec("COMMIT");
        self.in_transaction = false;
        result
    }

    fn rollback(&mut self) {
        if self.in_transaction {
            let _ = self.exec("ROLLBACK");
            self.in_transaction = false;
        }
    }

    fn savepoint(&mut self) -> Result<()> {
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
        let payload = Envelope {
            node: self.node,
            note: note.clone(),
        }
        .payload();
        if payload.is_empty() {
            return Ok(());
        }
        self.execute(
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(payload),
        )
        .map(drop)
    }

    fn touch(&mut self) -> Result<()> {
        // A transaction id makes the commit write (and flush) its WAL record.
        self.execute(sqlx::query("SELECT pg_current_xact_id()"))
            .map(drop)
    }

    fn close(mut self) {
        if let Some(conn) = self.conn.take() {
            let _ = self.runtime.block_on(conn.close());
        }
    }

    fn message_by_id(&mut self, id: Uuid) -> Result<Option<Message>> {
        let row = self.fetch_optional(
            sqlx::query(
                "SELECT id, conversation_id, seq, sender, agent_id, author_name, body, created_at
                 FROM messages WHERE id = $1",
            )
            .bind(id.to_string()),
        )?;
        let Some(row) = row else {
            return Ok(None);
        };
        let sender: String = row.try_get("sender")?;
        Ok(Some(Message {
            id: uuid(&row, "id")?,
            conversation_id: uuid(&row, "conversation_id")?,
            seq: seq(&row, "seq")?,
            sender: parse_sender(&sender)
                .ok_or_else(|| Error::internal(format!("bad sender {sender}")))?,
            author_name: row.try_get("author_name")?,
            agent_id: opt_uuid(&row, "agent_id")?,
            body: row.try_get("body")?,
            created_at: row.try_get("created_at")?,
        }))
    }

    fn head(&mut self, id: Uuid) -> Result<Option<Head>> {
        let row = self.fetch_optional(
            sqlx::query(
                "SELECT c.id, c.visitor_id, c.status, c.assigned_agent_id, c.last_seq,
                        v.name AS visitor_name, v.blocked_at AS visitor_blocked_at
                 FROM conversations c JOIN visitors v ON v.id = c.visitor_id
                 WHERE c.id = $1 FOR UPDATE OF c",
            )
            .bind(id.to_string()),
        )?;
        row.as_ref().map(head_of).transpose()
    }

    fn visitor_blocked(&mut self, visitor_id: Uuid) -> Result<bool> {
        let row = self.fetch_optional(
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
        let created = self.execute(
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
        self.execute(
            sqlx::query(
                "INSERT INTO messages (id, conversation_id, seq, sender, agent_id, author_name,
                    body, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(message.id.to_string())
            .bind(message.conversation_id.to_string())
            .bind(message.seq as i64)
            .bind(sender_str(message.sender))
            .bind(message.agent_id.map(|a| a.to_string()))
            .bind(message.author_name.clone())
            .bind(message.body.clone())
            .bind(message.created_at),
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
        self.execute(
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

    fn requeue(&mut self, id: Uuid) -> Result<()> {
        self.execute(
            sqlx::query(
                "UPDATE conversations SET status = 'waiting', assigned_agent_id = NULL,
                 assigned_at = NULL WHERE id = $1",
            )
            .bind(id.to_string()),
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
        let row = self.fetch_optional(
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
        self.execute(
            sqlx::query(
                "INSERT INTO read_states (conversation_id, side, read_seq, delivered_seq)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (conversation_id, side) DO UPDATE SET
                   read_seq = GREATEST(read_states.read_seq, excluded.read_seq),
                   delivered_seq = GREATEST(read_states.delivered_seq, excluded.delivered_seq,
                                            excluded.read_seq)",
            )
            .bind(conversation_id.to_string())
            .bind(side.as_str())
            .bind(read)
            .bind(delivered),
        )?;
        self.read_state(conversation_id, side)
    }
}
