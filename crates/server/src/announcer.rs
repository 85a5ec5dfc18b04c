//! Coalesced `conversation` updates: the list data (preview, unread counts, last activity)
//! that follows every stored message and receipt.
//!
//! An update usually costs no read: its views come from what this node published since it
//! last read the conversation (`hub::ListCache`). When they must be read (the first update
//! of a conversation, a base that aged out), the read (a join and two counts of unread
//! messages) costs more than storing the message did. So an `updated` announcement runs
//! in its own task, never in the way of the sender's next frame, and at most one runs per
//! conversation: changes that arrive while it runs mark it stale, and it runs once more
//! when done, with the state as it is then. A calm conversation is
//! announced at once after each change; a busy one as often as the announcements keep up,
//! always ending with its latest state. Messages themselves are never delayed by this: they
//! are fanned out by the writer right after their commit.
//!
//! The other events (created, claimed, assigned, ended, rated) are announced inline by their
//! callers, in order; they also mark a running update stale, so an update that read the
//! state before them is followed by one that reads it after.

use std::collections::HashMap;
use std::sync::Mutex;

use uuid::Uuid;

use crate::AppState;

/// The conversations being announced, and whether each changed again meanwhile.
#[derive(Default)]
pub struct Announcer {
    running: Mutex<HashMap<Uuid, bool>>,
}

impl Announcer {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, bool>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The conversation changed: announce it (`updated`) now, or after the running
    /// announcement of it if there is one.
    pub fn updated(&self, state: &AppState, id: Uuid) {
        {
            let mut running = self.lock();
            if let Some(stale) = running.get_mut(&id) {
                *stale = true;
                return;
            }
            running.insert(id, false);
        }
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = crate::chat::announce_update(&state, id).await {
                    tracing::warn!(error = %e, "announcing a conversation update failed");
                }
                let mut running = state.announcer.lock();
                match running.get_mut(&id) {
                    Some(stale) if *stale => *stale = false,
                    _ => {
                        running.remove(&id);
                        break;
                    }
                }
            }
        });
    }

    /// Another announcement of the conversation went out: a running update may have read
    /// older state, so it runs once more.
    pub fn superseded(&self, id: Uuid) {
        if let Some(stale) = self.lock().get_mut(&id) {
            *stale = true;
        }
    }
}
