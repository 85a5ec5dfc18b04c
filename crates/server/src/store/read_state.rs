//! Read and delivery state of each side of a conversation. Values only move forward and
//! never past the conversation's last seq.

use sqlx::SqliteConnection;
use tidings_protocol::Role;
use uuid::Uuid;

use super::u64_col;
use crate::error::Result;

/// One side of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Visitor,
    Agent,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Visitor => "visitor",
            Side::Agent => "agent",
        }
    }

    pub fn role(self) -> Role {
        match self {
            Side::Visitor => Role::Visitor,
            Side::Agent => Role::Agent,
        }
    }
}

/// A side's state after an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadState {
    pub read_seq: u64,
    pub delivered_seq: u64,
}

/// A side's state now (zero before its first receipt).
pub async fn current(
    conn: &mut SqliteConnection,
    conversation_id: Uuid,
    side: Side,
) -> Result<ReadState> {
    let row = sqlx::query(
        "SELECT read_seq, delivered_seq FROM read_states WHERE conversation_id = ? AND side = ?",
    )
    .bind(conversation_id.to_string())
    .bind(side.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(row) => ReadState {
            read_seq: u64_col(&row, "read_seq")?,
            delivered_seq: u64_col(&row, "delivered_seq")?,
        },
        None => ReadState {
            read_seq: 0,
            delivered_seq: 0,
        },
    })
}

/// Moves a side's read and/or delivered seq forward (clamped to the last seq); reading
/// implies delivery. Returns the resulting state.
pub async fn advance(
    conn: &mut SqliteConnection,
    conversation_id: Uuid,
    side: Side,
    read_seq: u64,
    delivered_seq: u64,
    last_seq: u64,
) -> Result<ReadState> {
    let read = read_seq.min(last_seq) as i64;
    let delivered = delivered_seq.max(read_seq).min(last_seq) as i64;
    sqlx::query(
        "INSERT INTO read_states (conversation_id, side, read_seq, delivered_seq) VALUES (?, ?, ?, ?)
         ON CONFLICT (conversation_id, side) DO UPDATE SET
           read_seq = MAX(read_seq, excluded.read_seq),
           delivered_seq = MAX(delivered_seq, excluded.delivered_seq, excluded.read_seq)",
    )
    .bind(conversation_id.to_string())
    .bind(side.as_str())
    .bind(read)
    .bind(delivered)
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query(
        "SELECT read_seq, delivered_seq FROM read_states WHERE conversation_id = ? AND side = ?",
    )
    .bind(conversation_id.to_string())
    .bind(side.as_str())
    .fetch_one(&mut *conn)
    .await?;
    Ok(ReadState {
        read_seq: u64_col(&row, "read_seq")?,
        delivered_seq: u64_col(&row, "delivered_seq")?,
    })
}
