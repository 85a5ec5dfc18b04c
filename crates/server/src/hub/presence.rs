//! Agent presence: each agent connection is online or away; an agent's status is the best
//! of their connections (offline when none), and availability the best of all agents.
//! Changes are broadcast (`agent_presence` to agents, `availability` to visitors).

use tidings_protocol::{PresenceStatus, ServerFrame};
use uuid::Uuid;

use super::{encode, ConnId, Event, Hub, Inner, Peer};

impl Inner {
    pub(super) fn agent_status(&self, agent_id: Uuid) -> PresenceStatus {
        best(self.conns.values().filter_map(|c| match &c.peer {
            Peer::Agent { id, .. } if *id == agent_id => Some(c.presence),
            _ => None,
        }))
    }

    pub(super) fn availability(&self) -> PresenceStatus {
        best(self.conns.values().filter_map(|c| match c.peer {
            Peer::Agent { .. } => Some(c.presence),
            Peer::Visitor { .. } => None,
        }))
    }

    /// Broadcasts presence changes after `change` ran.
    pub(super) fn with_presence_change(
        &mut self,
        agent: Option<(Uuid, String)>,
        change: impl FnOnce(&mut Inner),
    ) {
        let before_agent = agent.as_ref().map(|(id, _)| self.agent_status(*id));
        let before_all = self.availability();
        change(self);
        if let (Some((id, name)), Some(before)) = (agent, before_agent) {
            let now = self.agent_status(id);
            if now != before {
                let frame = encode(&ServerFrame::AgentPresence {
                    agent_id: id,
                    name,
                    status: now,
                });
                let agents: Vec<ConnId> = self
                    .conns
                    .iter()
                    .filter(|(_, c)| matches!(c.peer, Peer::Agent { .. }))
                    .map(|(k, _)| *k)
                    .collect();
                for conn in agents {
                    self.deliver(conn, Event::Frame(frame.clone()));
                }
            }
        }
        let after_all = self.availability();
        if after_all != before_all {
            let frame = encode(&ServerFrame::Availability { status: after_all });
            let visitors: Vec<ConnId> = self.visitors.values().flatten().copied().collect();
            for conn in visitors {
                self.deliver(conn, Event::Frame(frame.clone()));
            }
        }
    }
}

/// Online beats away beats offline.
fn best(statuses: impl Iterator<Item = PresenceStatus>) -> PresenceStatus {
    statuses.fold(PresenceStatus::Offline, |acc, s| match (acc, s) {
        (PresenceStatus::Online, _) | (_, PresenceStatus::Online) => PresenceStatus::Online,
        (PresenceStatus::Away, _) | (_, PresenceStatus::Away) => PresenceStatus::Away,
        _ => PresenceStatus::Offline,
    })
}

impl Hub {
    /// Sets an agent connection's presence (online or away).
    pub fn set_presence(&self, id: ConnId, status: PresenceStatus) {
        let mut inner = self.lock();
        let Some(Peer::Agent {
            id: agent, name, ..
        }) = inner.conns.get(&id).map(|c| c.peer.clone())
        else {
            return;
        };
        inner.with_presence_change(Some((agent, name)), |inner| {
            if let Some(conn) = inner.conns.get_mut(&id) {
                conn.presence = status;
            }
        });
    }

    pub fn availability(&self) -> PresenceStatus {
        self.lock().availability()
    }

    pub fn agent_status(&self, agent_id: Uuid) -> PresenceStatus {
        self.lock().agent_status(agent_id)
    }
}
