//! Which nodes are alive, and who is connected to each: the `nodes` and `node_presence`
//! tables. A node renews its row every heartbeat interval, with an expiry one heartbeat
//! timeout ahead; a node that stops renewing (killed, cut off from the database) is dead
//! once its row expires, and every other node then forgets the agents and visitors it
//! held, so nobody sees a dead node's agent "online" for longer than the heartbeat timeout
//! plus one interval.
//!
//! This node's own changes (from the hub's feed) are written to `node_presence` and then
//! notified, in the order they happened; a node that starts or reconnects reads the table
//! to know the others' state without waiting for their next change.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::Row;
use tidings_protocol::PresenceStatus;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::note::Note;
use super::Cluster;
use crate::db::Pool;
use crate::error::Result;
use crate::hub::LocalPresence;
use crate::store::now_millis;
use crate::AppState;

fn status_str(status: PresenceStatus) -> &'static str {
    match status {
        PresenceStatus::Away => "away",
        _ => "online",
    }
}

/// Records this node as alive until one heartbeat timeout from now.
pub async fn renew(pool: &Pool, node: Uuid, timeout: Duration) -> Result<()> {
    let expires = now_millis() + timeout.as_millis() as i64;
    sqlx::query(
        "INSERT INTO nodes (id, expires_at) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at",
    )
    .bind(node.to_string())
    .bind(expires)
    .execute(pool)
    .await?;
    Ok(())
}

/// The nodes alive now, after deleting the expired ones (and, by cascade, what they held).
pub async fn alive(pool: &Pool) -> Result<HashSet<Uuid>> {
    sqlx::query("DELETE FROM nodes WHERE expires_at < $1")
        .bind(now_millis())
        .execute(pool)
        .await?;
    let rows = sqlx::query("SELECT id FROM nodes").fetch_all(pool).await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>("id").ok())
        .filter_map(|id| Uuid::from_str(&id).ok())
        .collect())
}

type Agents = Vec<(Uuid, Uuid, String, PresenceStatus)>;
type Visitors = Vec<(Uuid, Uuid)>;

/// Everyone connected to the other nodes, as recorded in `node_presence`.
async fn others(pool: &Pool, node: Uuid) -> Result<(Agents, Visitors)> {
    let rows = sqlx::query(
        "SELECT node_id, kind, peer_id, name, status FROM node_presence WHERE node_id <> $1",
    )
    .bind(node.to_string())
    .fetch_all(pool)
    .await?;
    let (mut agents, mut visitors) = (Vec::new(), Vec::new());
    for row in rows {
        let node: String = row.try_get("node_id")?;
        let peer: String = row.try_get("peer_id")?;
        let (Ok(node), Ok(peer)) = (Uuid::from_str(&node), Uuid::from_str(&peer)) else {
            continue;
        };
        let kind: String = row.try_get("kind")?;
        if kind == "visitor" {
            visitors.push((node, peer));
        } else {
            let status: String = row.try_get("status")?;
            let status = if status == "away" {
                PresenceStatus::Away
            } else {
                PresenceStatus::Online
            };
            let name: Option<String> = row.try_get("name")?;
            agents.push((node, peer, name.unwrap_or_default(), status));
        }
    }
    Ok((agents, visitors))
}

/// Reads the other nodes' state from the database and replaces what the hub knew of it
/// (at start, and after the notification link was lost). Visitors whose online state
/// changed are announced to agents.
pub async fn reload(state: &AppState, node: Uuid) -> Result<()> {
    let live = alive(&state.pool).await?;
    let (agents, visitors) = others(&state.pool, node).await?;
    let changed = state
        .hub
        .replace_remote(&live, Some((agents.as_slice(), visitors.as_slice())));
    for visitor in changed {
        let _ = crate::chat::announce_visitor(state, visitor).await;
    }
    Ok(())
}

/// Writes one change of this node's presence to the table.
async fn record(pool: &Pool, node: Uuid, change: &LocalPresence) -> Result<()> {
    match change {
        LocalPresence::Agent { id, status, .. } if *status == PresenceStatus::Offline => {
            sqlx::query(
                "DELETE FROM node_presence WHERE node_id = $1 AND kind = 'agent' AND peer_id = $2",
            )
            .bind(node.to_string())
            .bind(id.to_string())
            .execute(pool)
            .await?;
        }
        LocalPresence::Agent { id, name, status } => {
            sqlx::query(
                "INSERT INTO node_presence (node_id, kind, peer_id, name, status)
                 VALUES ($1, 'agent', $2, $3, $4)
                 ON CONFLICT (node_id, kind, peer_id) DO UPDATE SET status = excluded.status,
                   name = excluded.name",
            )
            .bind(node.to_string())
            .bind(id.to_string())
            .bind(name.clone())
            .bind(status_str(*status))
            .execute(pool)
            .await?;
        }
        LocalPresence::Visitor { id, online: true } => {
            sqlx::query(
                "INSERT INTO node_presence (node_id, kind, peer_id, status)
                 VALUES ($1, 'visitor', $2, 'online') ON CONFLICT DO NOTHING",
            )
            .bind(node.to_string())
            .bind(id.to_string())
            .execute(pool)
            .await?;
        }
        LocalPresence::Visitor { id, online: false } => {
            sqlx::query(
                "DELETE FROM node_presence WHERE node_id = $1 AND kind = 'visitor' AND peer_id = $2",
            )
            .bind(node.to_string())
            .bind(id.to_string())
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}

/// Starts the node's presence tasks: the heartbeat (renewing this node, forgetting dead
/// ones) and the writer of this node's changes (table, then notification).
pub async fn start(state: &AppState, cluster: Arc<Cluster>) -> Result<()> {
    let node = cluster.node;
    renew(&state.pool, node, state.settings.heartbeat_timeout).await?;
    let (feed, mut changes) = mpsc::unbounded_channel();
    state.hub.feed_presence(feed);
    let pool = state.pool.clone();
    let teller = cluster.clone();
    tokio::spawn(async move {
        while let Some(change) = changes.recv().await {
            // Retried while the database is down: the table must end up as the hub is.
            let mut delay = Duration::from_millis(100);
            while let Err(e) = record(&pool, node, &change).await {
                tracing::warn!(error = %e, "recording presence failed; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(2));
            }
            teller.tell(match change {
                LocalPresence::Agent { id, name, status } => Note::Presence {
                    agent_id: id,
                    name,
                    status,
                },
                LocalPresence::Visitor { id, online } => Note::Visitor {
                    visitor_id: id,
                    online,
                },
            });
        }
    });
    let state = state.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(state.settings.heartbeat_interval);
        loop {
            ticks.tick().await;
            if let Err(e) = renew(&state.pool, node, state.settings.heartbeat_timeout).await {
                tracing::warn!(error = %e, "renewing this node's heartbeat failed");
                continue;
            }
            match alive(&state.pool).await {
                Ok(live) => {
                    for visitor in state.hub.replace_remote(&live, None) {
                        let _ = crate::chat::announce_visitor(&state, visitor).await;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "reading the live nodes failed"),
            }
        }
    });
    Ok(())
}
