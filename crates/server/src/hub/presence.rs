//! Agent presence: each agent connection is online or away; an agent's status is the best
//! of their connections on every node (offline when none), and availability the best of
//! all agents. Changes are broadcast (`agent_presence` to agents, `availability` to
//! visitors). In a cluster, other nodes' agents and visitors are kept here as they report
//! them (`set_remote_*`), and this node's own changes go out through the feed.

use tidings_protocol::{PresenceStatus, ServerFrame};
use uuid::Uuid;

use std::collections::HashSet;

use tokio::sync::mpsc;

use super::{encode, ConnId, Event, Hub, Inner, LocalPresence, Peer};

/// Other nodes' agents as read from the database: (node, agent, name, status).
pub type RemoteAgents = [(Uuid, Uuid, String, PresenceStatus)];
/// Other nodes' visitors as read from the database: (node, visitor).
pub type RemoteVisitors = [(Uuid, Uuid)];

impl Inner {
    /// The agent's status on this node alone.
    fn local_agent_status(&self, agent_id: Uuid) -> PresenceStatus {
        best(self.conns.values().filter_map(|c| match &c.peer {
            Peer::Agent { id, .. } if *id == agent_id => Some(c.presence),
            _ => None,
        }))
    }

    /// The agent's status on every node.
    pub(super) fn agent_status(&self, agent_id: Uuid) -> PresenceStatus {
        let remote = self
            .remote_agents
            .get(&agent_id)
            .into_iter()
            .flat_map(|nodes| nodes.values().map(|(_, status)| *status));
        best(std::iter::once(self.local_agent_status(agent_id)).chain(remote))
    }

    pub(super) fn availability(&self) -> PresenceStatus {
        let local = self.conns.values().filter_map(|c| match c.peer {
            Peer::Agent { .. } => Some(c.presence),
            Peer::Visitor { .. } => None,
        });
        let remote = self
            .remote_agents
            .values()
            .flat_map(|nodes| nodes.values().map(|(_, status)| *status));
        best(local.chain(remote))
    }

    /// Broadcasts presence changes after `change` ran.
    pub(super) fn with_presence_change(
        &mut self,
        agent: Option<(Uuid, String)>,
        change: impl FnOnce(&mut Inner),
    ) {
        let before_agent = agent.as_ref().map(|(id, _)| self.agent_status(*id));
        let before_local = agent.as_ref().map(|(id, _)| self.local_agent_status(*id));
        let before_all = self.availability();
        change(self);
        if let (Some((id, name)), Some(before_local)) = (&agent, before_local) {
            let now_local = self.local_agent_status(*id);
            if now_local != before_local {
                self.feed(LocalPresence::Agent {
                    id: *id,
                    name: name.clone(),
                    status: now_local,
                });
            }
        }
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

    /// Sends this node's presence changes to `feed` from now on, starting with everyone
    /// connected now (cluster only).
    pub fn feed_presence(&self, feed: mpsc::UnboundedSender<LocalPresence>) {
        let mut inner = self.lock();
        let mut agents: Vec<(Uuid, String)> = inner
            .conns
            .values()
            .filter_map(|c| match &c.peer {
                Peer::Agent { id, name, .. } => Some((*id, name.clone())),
                Peer::Visitor { .. } => None,
            })
            .collect();
        agents.sort();
        agents.dedup_by_key(|(id, _)| *id);
        for (id, name) in agents {
            let status = inner.local_agent_status(id);
            let _ = feed.send(LocalPresence::Agent { id, name, status });
        }
        for id in inner.visitors.keys() {
            let _ = feed.send(LocalPresence::Visitor {
                id: *id,
                online: true,
            });
        }
        inner.feed = Some(feed);
    }

    /// Another node reports an agent's status there (offline: no connection there).
    pub fn set_remote_agent(&self, node: Uuid, agent: Uuid, name: &str, status: PresenceStatus) {
        let mut inner = self.lock();
        inner.with_presence_change(Some((agent, name.to_string())), |inner| {
            if status == PresenceStatus::Offline {
                if let Some(nodes) = inner.remote_agents.get_mut(&agent) {
                    nodes.remove(&node);
                    if nodes.is_empty() {
                        inner.remote_agents.remove(&agent);
                    }
                }
            } else {
                inner
                    .remote_agents
                    .entry(agent)
                    .or_default()
                    .insert(node, (name.to_string(), status));
            }
        });
    }

    /// Another node reports whether a visitor is connected there. Returns whether the
    /// visitor's online state (on any node) changed.
    pub fn set_remote_visitor(&self, node: Uuid, visitor: Uuid, online: bool) -> bool {
        let mut inner = self.lock();
        let before =
            inner.visitors.contains_key(&visitor) || inner.remote_visitors.contains_key(&visitor);
        if online {
            inner
                .remote_visitors
                .entry(visitor)
                .or_default()
                .insert(node);
        } else if let Some(nodes) = inner.remote_visitors.get_mut(&visitor) {
            nodes.remove(&node);
            if nodes.is_empty() {
                inner.remote_visitors.remove(&visitor);
            }
        }
        let after =
            inner.visitors.contains_key(&visitor) || inner.remote_visitors.contains_key(&visitor);
        before != after
    }

    /// Forgets what the nodes not in `alive` reported (they died or were cut off), and
    /// what `node` reported if given, replacing it by `agents` and `visitors` (a reload
    /// from the database). Returns the visitors whose online state changed.
    pub fn replace_remote(
        &self,
        alive: &HashSet<Uuid>,
        reload: Option<(&RemoteAgents, &RemoteVisitors)>,
    ) -> Vec<Uuid> {
        let mut inner = self.lock();
        let mut agents: Vec<(Uuid, String)> = inner
            .remote_agents
            .iter()
            .map(|(id, nodes)| {
                let name = nodes
                    .values()
                    .next()
                    .map(|(n, _)| n.clone())
                    .unwrap_or_default();
                (*id, name)
            })
            .collect();
        if let Some((reloaded, _)) = reload {
            agents.extend(reloaded.iter().map(|(_, id, name, _)| (*id, name.clone())));
        }
        agents.sort();
        agents.dedup_by_key(|(id, _)| *id);
        for (agent, name) in agents {
            inner.with_presence_change(Some((agent, name)), |inner| {
                if let Some(nodes) = inner.remote_agents.get_mut(&agent) {
                    nodes.retain(|node, _| alive.contains(node) && reload.is_none());
                }
                if let Some((reloaded, _)) = reload {
                    for (node, id, name, status) in reloaded {
                        if *id == agent && alive.contains(node) {
                            inner
                                .remote_agents
                                .entry(agent)
                                .or_default()
                                .insert(*node, (name.clone(), *status));
                        }
                    }
                }
                if inner
                    .remote_agents
                    .get(&agent)
                    .is_some_and(|n| n.is_empty())
                {
                    inner.remote_agents.remove(&agent);
                }
            });
        }
        let online_before: HashSet<Uuid> = inner.remote_visitors.keys().copied().collect();
        for nodes in inner.remote_visitors.values_mut() {
            nodes.retain(|node| alive.contains(node) && reload.is_none());
        }
        if let Some((_, visitors)) = reload {
            for (node, visitor) in visitors {
                if alive.contains(node) {
                    inner
                        .remote_visitors
                        .entry(*visitor)
                        .or_default()
                        .insert(*node);
                }
            }
        }
        inner.remote_visitors.retain(|_, nodes| !nodes.is_empty());
        let online_after: HashSet<Uuid> = inner.remote_visitors.keys().copied().collect();
        online_before
            .symmetric_difference(&online_after)
            .filter(|v| !inner.visitors.contains_key(v))
            .copied()
            .collect()
    }

    pub fn agent_status(&self, agent_id: Uuid) -> PresenceStatus {
        self.lock().agent_status(agent_id)
    }
}
