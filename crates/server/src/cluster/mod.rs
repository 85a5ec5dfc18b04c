//! Several nodes on one PostgreSQL database: what each node tells the others ([`note`]),
//! how it hears them and catches up after losing the notification connection
//! ([`follow`]), and which nodes are alive with whom connected to each ([`presence`]).
//!
//! On SQLite there is one node and no cluster: [`Cluster`] is absent from the state and
//! nothing here runs.

pub mod follow;
pub mod note;
pub mod presence;

use std::sync::Arc;

use tokio::sync::mpsc;
use uuid::Uuid;

use note::{Note, CHANNEL};

/// Most ephemeral notes sent in one transaction.
const MAX_BATCH: usize = 256;

/// This node's handle on the cluster: its id, and the queue of ephemeral notes to send.
pub struct Cluster {
    pub node: Uuid,
    outbox: mpsc::UnboundedSender<Note>,
}

impl Cluster {
    /// Starts the task that sends this node's ephemeral notes, in order, on `pool`.
    ///
    /// Every notification is a transaction that PostgreSQL commits (and flushes to its WAL)
    /// on its own, so the notes queued while one is being sent go out together in the next
    /// (as many per payload as fit, see [`note::payloads`]).
    pub fn start(pool: crate::db::Pool, node: Uuid) -> Arc<Cluster> {
        let (outbox, mut queue) = mpsc::unbounded_channel::<Note>();
        tokio::spawn(async move {
            let mut notes = Vec::new();
            while queue.recv_many(&mut notes, MAX_BATCH).await > 0 {
                for payload in note::payloads(node, &notes) {
                    let sent = sqlx::query("SELECT pg_notify($1, $2)")
                        .bind(CHANNEL)
                        .bind(payload)
                        .execute(&pool)
                        .await;
                    if let Err(e) = sent {
                        // Ephemeral: a typing indicator or a presence change lost while the
                        // database is down is made good by the catch-up after reconnecting.
                        tracing::warn!(error = %e, "notifying the other nodes failed");
                    }
                }
                notes.clear();
            }
        });
        Arc::new(Cluster { node, outbox })
    }

    /// Tells the other nodes (ephemeral notes: committed changes go through the writer).
    pub fn tell(&self, note: Note) {
        let _ = self.outbox.send(note);
    }
}
