//! Agents and their login sessions.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::Pool;
use tidings_protocol::ErrorCode;
use uuid::Uuid;

use super::{now_millis, uuid_col};
use crate::auth::AgentIdentity;
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

pub async fn create_session(pool: &Pool, agent_id: Uuid, token_hash: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO agent_sessions (token_hash, agent_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(agent_id.to_string())
    .bind(now_millis())
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

/// The agent a session token hash belongs to.
pub async fn by_session_hash(pool: &Pool, token_hash: &str) -> Result<Option<AgentIdentity>> {
    let row = sqlx::query(
        "SELECT a.id, a.email, a.name, a.is_admin FROM agent_sessions s
         JOIN agents a ON a.id = s.agent_id WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(identity).transpose()
}
