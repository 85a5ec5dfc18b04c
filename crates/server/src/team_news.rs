//! Keeping every open console's team and canned responses live: after a change on this
//! node, the lists are read again and sent to every agent connection here, and the other
//! nodes are told ([`Note::Team`], [`Note::Canned`]) to do the same for theirs. A console
//! gets both lists after `watch_queue` too, so a reconnect never leaves it stale.
//!
//! Each list is read and delivered under one lock per node, so two changes in quick
//! succession cannot deliver the older list last.

use tokio::sync::Mutex;

use crate::cluster::note::Note;
use crate::hub::{AgentTarget, ConnId};
use crate::store::{agents, canned};
use crate::{AppState, Result};

/// Serialises reading and delivering the lists on this node.
static DELIVERY: Mutex<()> = Mutex::const_new(());

/// Sends the team (with live presence) and the canned responses to one connection.
pub async fn send_to(state: &AppState, conn: ConnId) -> Result<()> {
    let _order = DELIVERY.lock().await;
    let team = agents::list(&state.pool).await?;
    state.hub.send_team(AgentTarget::One(conn), &team);
    let responses = canned::list(&state.pool).await?;
    state.hub.send_canned(AgentTarget::One(conn), responses);
    Ok(())
}

/// The team changed here: every console on every node gets it again.
pub async fn team_changed(state: &AppState) {
    state.tell(Note::Team);
    deliver_team(state).await;
}

/// The canned responses changed here: every console on every node gets them again.
pub async fn canned_changed(state: &AppState) {
    state.tell(Note::Canned);
    deliver_canned(state).await;
}

/// Sends the team to every agent connection on this node.
pub async fn deliver_team(state: &AppState) {
    // An agent's name may have changed: list updates read conversations again.
    state.hub.lists().clear();
    let _order = DELIVERY.lock().await;
    match agents::list(&state.pool).await {
        Ok(team) => state.hub.send_team(AgentTarget::All, &team),
        Err(e) => tracing::warn!(error = %e, "reading the team for the consoles failed"),
    }
}

/// Sends the canned responses to every agent connection on this node.
pub async fn deliver_canned(state: &AppState) {
    let _order = DELIVERY.lock().await;
    match canned::list(&state.pool).await {
        Ok(responses) => state.hub.send_canned(AgentTarget::All, responses),
        Err(e) => tracing::warn!(error = %e, "reading the canned responses failed"),
    }
}
