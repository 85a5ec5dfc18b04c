//! Team news for agent connections: the whole team with live presence, and the canned
//! responses. The team's statuses are read under the hub's lock and delivered under it,
//! the same lock `agent_presence` frames are delivered under, so a connection never sees
//! an older status after a newer one.

use tidings_protocol::{Agent, CannedResponse, ServerFrame};

use super::{encode, ConnId, Event, Hub, Peer};
use crate::auth::AgentIdentity;

/// Which agent connections a frame goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentTarget {
    /// Every agent connection on this node.
    All,
    /// One connection (its first copy, after `watch_queue`).
    One(ConnId),
}

impl Hub {
    /// Sends `agents` (the team, each with their presence now) to `target`.
    pub fn send_team(&self, target: AgentTarget, team: &[AgentIdentity]) {
        let inner = self.lock();
        let agents = team
            .iter()
            .map(|a| Agent {
                id: a.id,
                email: a.email.clone(),
                name: a.name.clone(),
                is_admin: a.is_admin,
                status: inner.agent_status(a.id),
            })
            .collect();
        let frame = encode(&ServerFrame::Agents { agents });
        inner.deliver_to_agents(target, frame);
    }

    /// Sends `canned_responses` to `target`.
    pub fn send_canned(&self, target: AgentTarget, responses: Vec<CannedResponse>) {
        let frame = encode(&ServerFrame::CannedResponses { responses });
        self.lock().deliver_to_agents(target, frame);
    }

    /// Asks every connection of this agent on this node to close with `code` (their
    /// rights changed: they reconnect with the new ones).
    pub fn close_agent(&self, agent_id: uuid::Uuid, code: u16) {
        for conn in self.lock().conns.values() {
            if matches!(&conn.peer, Peer::Agent { id, .. } if *id == agent_id) {
                conn.closer.close(code);
            }
        }
    }
}

impl super::Inner {
    fn deliver_to_agents(&self, target: AgentTarget, frame: axum::extract::ws::Utf8Bytes) {
        let conns: Vec<ConnId> = match target {
            AgentTarget::One(id) => vec![id],
            AgentTarget::All => self
                .conns
                .iter()
                .filter(|(_, c)| matches!(c.peer, Peer::Agent { .. }))
                .map(|(k, _)| *k)
                .collect(),
        };
        for conn in conns {
            self.deliver(conn, Event::Frame(frame.clone()));
        }
    }
}
