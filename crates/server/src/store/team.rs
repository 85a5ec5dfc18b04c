//! The changes admins make to the team from the console, and agents to themselves:
//! rename, promote or demote, remove, set a password, and one-time set-password links.
//! All on the pool, each in one transaction: none of it is ordered with messages (the
//! requeue of a removed agent's conversations goes through the writer, see
//! `lifecycle::requeue_orphans`).

use sqlx::Row;
use uuid::Uuid;

use super::{agents, now_millis, uuid_col};
use crate::auth::AgentIdentity;
use crate::db::Pool;
use crate::error::{Error, Result};

/// Renames, promotes or demotes an agent (absent values stay); the agent as it is now.
pub async fn update(
    pool: &Pool,
    id: Uuid,
    name: Option<&str>,
    is_admin: Option<bool>,
) -> Result<AgentIdentity> {
    let mut tx = pool.begin().await?;
    if let Some(name) = name {
        sqlx::query("UPDATE agents SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
    }
    if let Some(is_admin) = is_admin {
        sqlx::query("UPDATE agents SET is_admin = $1 WHERE id = $2")
            .bind(is_admin as i64)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    agents::by_id(pool, id)
        .await?
        .ok_or_else(|| Error::not_found("agent"))
}

/// The session token hashes of an agent, inside a transaction.
async fn session_hashes(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: Uuid,
) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT token_hash FROM agent_sessions WHERE agent_id = $1")
        .bind(id.to_string())
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|r| r.try_get("token_hash").map_err(Error::from))
        .collect()
}

/// Removes an agent with their sessions and links; the hashes of the sessions that
/// ended, so their sockets can be closed. `not_found` when there is no such agent.
pub async fn remove(pool: &Pool, id: Uuid) -> Result<Vec<String>> {
    let mut tx = pool.begin().await?;
    let ended = session_hashes(&mut tx, id).await?;
    let done = sqlx::query("DELETE FROM agents WHERE id = $1")
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::not_found("agent"));
    }
    tx.commit().await?;
    Ok(ended)
}

/// Sets an agent's password hash, drops their unused set-password links and ends their
/// sessions except `keep` (the session of an agent changing their own password); the
/// hashes of the sessions that ended. `not_found` when there is no such agent.
pub async fn set_password(
    pool: &Pool,
    id: Uuid,
    password_hash: &str,
    keep: Option<&str>,
) -> Result<Vec<String>> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query("UPDATE agents SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::not_found("agent"));
    }
    let ended = end_sessions_except(&mut tx, id, keep).await?;
    sqlx::query("DELETE FROM agent_password_links WHERE agent_id = $1")
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(ended)
}

async fn end_sessions_except(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: Uuid,
    keep: Option<&str>,
) -> Result<Vec<String>> {
    let ended: Vec<String> = session_hashes(tx, id)
        .await?
        .into_iter()
        .filter(|h| Some(h.as_str()) != keep)
        .collect();
    for hash in &ended {
        sqlx::query("DELETE FROM agent_sessions WHERE token_hash = $1")
            .bind(hash)
            .execute(&mut **tx)
            .await?;
    }
    Ok(ended)
}

/// Records a one-time set-password link (by its token's hash) valid until `expires_at`.
pub async fn create_link(pool: &Pool, id: Uuid, token_hash: &str, expires_at: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO agent_password_links (token_hash, agent_id, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(id.to_string())
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Whether a set-password link is known, unused and not expired.
pub async fn link_is_valid(pool: &Pool, token_hash: &str) -> Result<bool> {
    let row = sqlx::query(
        "SELECT agent_id FROM agent_password_links WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now_millis())
    .fetch_optional(pool)
    .await?;
    Ok(row.is_some())
}

/// Spends a set-password link: sets the password, drops the agent's links and ends their
/// sessions, in one transaction. The agent and the hashes of the sessions that ended;
/// `None` when the link is unknown, used or expired.
pub async fn spend_link(
    pool: &Pool,
    token_hash: &str,
    password_hash: &str,
) -> Result<Option<(Uuid, Vec<String>)>> {
    let mut tx = pool.begin().await?;
    // Deleting first claims the link: of two uses at once, one deletes it, the other
    // finds nothing.
    let row = sqlx::query(
        "DELETE FROM agent_password_links WHERE token_hash = $1 AND expires_at > $2
         RETURNING agent_id",
    )
    .bind(token_hash)
    .bind(now_millis())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let id = uuid_col(&row, "agent_id")?;
    sqlx::query("UPDATE agents SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM agent_password_links WHERE agent_id = $1")
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    let ended = end_sessions_except(&mut tx, id, None).await?;
    tx.commit().await?;
    Ok(Some((id, ended)))
}

/// The password hash of the agent with this id, to check their current password.
pub async fn password_hash(pool: &Pool, id: Uuid) -> Result<Option<String>> {
    let row = sqlx::query("SELECT password_hash FROM agents WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    row.map(|r| r.try_get("password_hash").map_err(Error::from))
        .transpose()
}
