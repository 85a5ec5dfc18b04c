//! Agents and their login sessions.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::Pool;
use tidings_protocol::ErrorCode;
use uuid::Uuid;

use super::{now_millis, uuid_col};
use crate::auth::AgentIdentity;
use crate::config::SessionLimits;
use crate::error::{Error, Result};

fn identity(row: &AnyRow) -> Result<AgentIdentity> {
    Ok(AgentIdentity {
        id: uuid_col(row, "id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        is_admin: row.try_get::<i64, _>("is_admin")? != 0,
    })
}

/// Adds an agent; an email already in use is a `conflict`.
pub async fn insert(
    pool: &Pool,
    email: &str,
    name: &str,
    password_hash: &str,
    is_admin: bool,
) -> Result<AgentIdentity> {
    let id = Uuid::now_v7();
    let inserted = sqlx::query(
        "INSERT INTO agents (id, email, name, password_hash, is_admin, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(id.to_string())
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .bind(is_admin as i64)
    .bind(now_millis())
    .execute(pool)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(Error::client(
            ErrorCode::Conflict,
            format!("an agent with email {email} already exists"),
        ));
    }
    Ok(AgentIdentity {
        id,
        email: email.to_string(),
        name: name.to_string(),
        is_admin,
    })
}

/// Every agent, by name.
pub async fn list(pool: &Pool) -> Result<Vec<AgentIdentity>> {
    let rows = sqlx::query("SELECT id, email, name, is_admin FROM agents ORDER BY name, email")
        .fetch_all(pool)
        .await?;
    rows.iter().map(identity).collect()
}

/// Removes an agent and their sessions; whether one existed.
pub async fn remove_by_email(pool: &Pool, email: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM agents WHERE lower(email) = lower($1)")
        .bind(email)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The agent with this email and their password hash, for login.
pub async fn by_email_with_hash(
    pool: &Pool,
    email: &str,
) -> Result<Option<(AgentIdentity, String)>> {
    let row =
        sqlx::query("SELECT id, email, name, is_admin, password_hash FROM agents WHERE lower(email) = lower($1)")
            .bind(email)
            .fetch_optional(pool)
            .await?;
    row.map(|r| Ok((identity(&r)?, r.try_get("password_hash")?)))
        .transpose()
}

pub async fn by_id(pool: &Pool, id: Uuid) -> Result<Option<AgentIdentity>> {
    let row = sqlx::query("SELECT id, email, name, is_admin FROM agents WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(identity).transpose()
}

/// A new session for an agent, used now. Sessions of that agent that have ended (idle or
/// past their lifetime) are deleted on the way, so ended sessions do not pile up.
pub async fn create_session(
    pool: &Pool,
    agent_id: Uuid,
    token_hash: &str,
    limits: SessionLimits,
) -> Result<()> {
    let now = now_millis();
    let (created_after, used_after) = cutoffs(now, limits);
    sqlx::query(
        "DELETE FROM agent_sessions WHERE agent_id = $1 AND (created_at <= $2 OR last_used_at <= $3)",
    )
    .bind(agent_id.to_string())
    .bind(created_after)
    .bind(used_after)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO agent_sessions (token_hash, agent_id, created_at, last_used_at)
         VALUES ($1, $2, $3, $3)",
    )
    .bind(token_hash)
    .bind(agent_id.to_string())
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn delete_session(pool: &Pool, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM agent_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// Ends every session of the agent with this email (`agent logout-all`, `agent passwd`):
/// `None` when there is no such agent, else how many sessions ended.
pub async fn end_sessions_by_email(pool: &Pool, email: &str) -> Result<Option<u64>> {
    let Some((agent, _)) = by_email_with_hash(pool, email).await? else {
        return Ok(None);
    };
    let done = sqlx::query("DELETE FROM agent_sessions WHERE agent_id = $1")
        .bind(agent.id.to_string())
        .execute(pool)
        .await?;
    Ok(Some(done.rows_affected()))
}

/// Sets a new password hash for the agent with this email and ends all their sessions, in
/// one transaction; whether the agent exists.
pub async fn set_password_by_email(pool: &Pool, email: &str, password_hash: &str) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query("SELECT id FROM agents WHERE lower(email) = lower($1)")
        .bind(email)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    let id = uuid_col(&row, "id")?;
    sqlx::query("UPDATE agents SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM agent_sessions WHERE agent_id = $1")
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// The times a live session must be newer than: (created after, last used after).
fn cutoffs(now: i64, limits: SessionLimits) -> (i64, i64) {
    let millis = |d: std::time::Duration| d.as_millis().min(i64::MAX as u128) as i64;
    (
        now.saturating_sub(millis(limits.lifetime)),
        now.saturating_sub(millis(limits.idle)),
    )
}

/// Whether looking a session up counts as using it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionUse {
    /// A request, a socket opened, a frame: moves the last-use time (at most every
    /// [`SessionLimits::touch_every`]).
    Touch,
    /// Only checks that it is still live (the heartbeat of a socket that sent nothing).
    Check,
}

/// The agent a live session token hash belongs to: `None` when the session is unknown,
/// ended (logout, `agent logout-all`, `agent passwd`, the agent removed), idle longer than
/// `limits.idle` or older than `limits.lifetime`.
pub async fn by_session_hash(
    pool: &Pool,
    token_hash: &str,
    limits: SessionLimits,
    usage: SessionUse,
) -> Result<Option<AgentIdentity>> {
    let now = now_millis();
    let (created_after, used_after) = cutoffs(now, limits);
    let row = sqlx::query(
        "SELECT a.id, a.email, a.name, a.is_admin, s.last_used_at FROM agent_sessions s
         JOIN agents a ON a.id = s.agent_id
         WHERE s.token_hash = $1 AND s.created_at > $2 AND s.last_used_at > $3",
    )
    .bind(token_hash)
    .bind(created_after)
    .bind(used_after)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let last_used: i64 = row.try_get("last_used_at")?;
    let touch_every = limits.touch_every().as_millis() as i64;
    if usage == SessionUse::Touch && now.saturating_sub(last_used) >= touch_every {
        sqlx::query("UPDATE agent_sessions SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(pool)
            .await?;
    }
    identity(&row).map(Some)
}
