//! The `email_outbox` table: each email to send is one row with a unique key (kind,
//! conversation, message, recipient), so enqueueing twice (a retried request, two nodes)
//! inserts once. A node sends a row only after [`claim`]ing it: one UPDATE that succeeds
//! only where the row is due, not done and not claimed by a live claim, so of two nodes (or
//! two tasks) racing for the same row exactly one wins. The same SQL serves both engines.

use sqlx::Row;
use tidings_protocol::Millis;
use uuid::Uuid;

use crate::db::Pool;
use crate::error::Result;
use crate::store::uuid_col;

/// What an email is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An agent's reply to a visitor who is away.
    Reply,
    /// The whole conversation, asked for by the visitor once it ended.
    Transcript,
    /// A conversation is waiting and no agent is online.
    Waiting,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Reply => "reply",
            Kind::Transcript => "transcript",
            Kind::Waiting => "waiting",
        }
    }

    fn parse(text: &str) -> Option<Kind> {
        match text {
            "reply" => Some(Kind::Reply),
            "transcript" => Some(Kind::Transcript),
            "waiting" => Some(Kind::Waiting),
            _ => None,
        }
    }
}

/// One email to send.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: Uuid,
    pub kind: Kind,
    pub conversation_id: Uuid,
    /// The message it is about (replies only).
    pub message_id: Option<Uuid>,
    pub recipient: String,
    /// Claims so far, this one included.
    pub attempts: u64,
}

/// Records an email to send at `due_at`, unless the same one is already recorded. Returns
/// whether a row was inserted.
pub async fn enqueue(
    pool: &Pool,
    kind: Kind,
    conversation_id: Uuid,
    message_id: Option<Uuid>,
    recipient: &str,
    due_at: Millis,
) -> Result<bool> {
    let now = crate::store::now_millis();
    let done = sqlx::query(
        "INSERT INTO email_outbox (id, kind, conversation_id, message_id, recipient, due_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (kind, conversation_id, message_id, recipient) DO NOTHING",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(kind.as_str())
    .bind(conversation_id.to_string())
    .bind(message_id.map(|m| m.to_string()).unwrap_or_default())
    .bind(recipient)
    .bind(due_at)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ids of rows due at `now` and not claimed by a live claim, oldest first.
pub async fn due(pool: &Pool, now: Millis, limit: i64) -> Result<Vec<Uuid>> {
    let rows = sqlx::query(
        "SELECT id FROM email_outbox
         WHERE done_at IS NULL AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
         ORDER BY due_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| uuid_col(r, "id")).collect()
}

/// Claims a row until `until`: `Some` for exactly one of any number of racing claimers.
pub async fn claim(pool: &Pool, id: Uuid, now: Millis, until: Millis) -> Result<Option<Entry>> {
    let claimed = sqlx::query(
        "UPDATE email_outbox SET claimed_until = $1, attempts = attempts + 1
         WHERE id = $2 AND done_at IS NULL AND due_at <= $3
           AND (claimed_until IS NULL OR claimed_until < $3)",
    )
    .bind(until)
    .bind(id.to_string())
    .bind(now)
    .execute(pool)
    .await?;
    if claimed.rows_affected() != 1 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT kind, conversation_id, message_id, recipient, attempts FROM email_outbox WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_one(pool)
    .await?;
    let kind: String = row.try_get("kind")?;
    let message_id: String = row.try_get("message_id")?;
    let attempts: i64 = row.try_get("attempts")?;
    Ok(Some(Entry {
        id,
        kind: Kind::parse(&kind).unwrap_or(Kind::Reply),
        conversation_id: uuid_col(&row, "conversation_id")?,
        message_id: Uuid::parse_str(&message_id).ok(),
        recipient: row.try_get("recipient")?,
        attempts: attempts.max(0) as u64,
    }))
}

/// Marks a claimed row done: `outcome` is `sent`, `failed` (gave up) or why it was skipped.
pub async fn finish(pool: &Pool, id: Uuid, outcome: &str, error: Option<&str>) -> Result<()> {
    sqlx::query(
        "UPDATE email_outbox SET done_at = $1, outcome = $2, last_error = COALESCE($3, last_error),
         claimed_until = NULL WHERE id = $4",
    )
    .bind(crate::store::now_millis())
    .bind(outcome)
    .bind(error)
    .bind(id.to_string())
    .execute(pool)
    .await?;
    Ok(())
}

/// Releases a claimed row to be tried again at `due_at`. A postponement (not a failed
/// attempt) gives back the attempt its claim counted.
pub async fn retry_at(
    pool: &Pool,
    id: Uuid,
    due_at: Millis,
    error: Option<&str>,
    postponed: bool,
) -> Result<()> {
    sqlx::query(
        "UPDATE email_outbox SET due_at = $1, claimed_until = NULL,
         last_error = COALESCE($2, last_error), attempts = attempts - $3 WHERE id = $4",
    )
    .bind(due_at)
    .bind(error)
    .bind(i64::from(postponed))
    .bind(id.to_string())
    .execute(pool)
    .await?;
    Ok(())
}
