//! In-process fan-out: which connections are open, who they belong to, which
//! conversations they follow, who watches the agent queue, and agent presence.
//!
//! Frames are serialised once and shared (`Utf8Bytes` is reference counted). Each
//! connection has a bounded inbox; when it is full the connection is a slow consumer and
//! is told to close (it will reconnect and resume) instead of letting memory grow.
//! The lock is a plain mutex held only for map updates and `try_send`s, never across an
//! `.await`.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::ws::Utf8Bytes;
use tidings_protocol::frame::close;
use tidings_protocol::{Conversation, ConversationEvent, Message, PresenceStatus, ServerFrame};
use tokio::sync::{mpsc, Notify};
use uuid::Uuid;

use crate::auth::agent_may_see;

/// Identifies one WebSocket connection.
pub type ConnId = u64;

/// Who is on a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    Visitor {
        id: Uuid,
    },
    Agent {
        id: Uuid,
        name: String,
        is_admin: bool,
    },
}

/// What the hub hands to a connection.
#[derive(Debug, Clone)]
pub enum Event {
    /// A frame to forward as is.
    Frame(Utf8Bytes),
    /// A live message; the connection drops it if its replay already covered `seq`.
    Message {
        conversation_id: Uuid,
        seq: u64,
        frame: Utf8Bytes,
    },
    /// The visitor started a conversation: subscribe to it from seq 0.
    AutoSubscribe(Uuid),
}

/// Asks a connection to close with a code (slow consumer, shutdown). The first code wins.
#[derive(Debug, Default)]
pub struct Closer {
    code: AtomicU16,
    notify: Notify,
}

impl Closer {
    pub fn close(&self, code: u16) {
        if self
            .code
            .compare_exchange(0, code, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            self.notify.notify_one();
        }
    }

    /// Waits until a close is requested, then returns its code.
    pub async fn requested(&self) -> u16 {
        loop {
            let code = self.code.load(Ordering::SeqCst);
            if code != 0 {
                return code;
            }
            self.notify.notified().await;
        }
    }
}

struct Conn {
    peer: Peer,
    inbox: mpsc::Sender<Event>,
    closer: Arc<Closer>,
    presence: PresenceStatus,
}

#[derive(Default)]
struct Inner {
    conns: HashMap<ConnId, Conn>,
    subscriptions: HashMap<Uuid, HashSet<ConnId>>,
    visitors: HashMap<Uuid, HashSet<ConnId>>,
    queue_watchers: HashSet<ConnId>,
}

/// The hub shared by every connection and request of this node.
pub struct Hub {
    inner: Mutex<Inner>,
    next_id: AtomicU64,
    inbox_capacity: usize,
}

/// Serialises a frame once for any number of recipients.
pub fn encode(frame: &ServerFrame) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(frame).unwrap_or_default())
}

impl Inner {
    fn deliver(&self, id: ConnId, event: Event) {
        if let Some(conn) = self.conns.get(&id) {
            if let Err(mpsc::error::TrySendError::Full(_)) = conn.inbox.try_send(event) {
                crate::metrics::global()
                    .slow_consumers_closed
                    .fetch_add(1, Ordering::Relaxed);
                conn.closer.close(close::SLOW_CONSUMER);
            }
        }
    }

    fn agent_status(&self, agent_id: Uuid) -> PresenceStatus {
        best(self.conns.values().filter_map(|c| match &c.peer {
            Peer::Agent { id, .. } if *id == agent_id => Some(c.presence),
            _ => None,
        }))
    }

    fn availability(&self) -> PresenceStatus {
        best(self.conns.values().filter_map(|c| match c.peer {
            Peer::Agent { .. } => Some(c.presence),
            Peer::Visitor { .. } => None,
        }))
    }

    /// Broadcasts presence changes after `change` ran.
    fn with_presence_change(
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
    pub fn new(inbox_capacity: usize) -> Self {
        Hub {
            inner: Mutex::new(Inner::default()),
            next_id: AtomicU64::new(1),
            inbox_capacity,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a connection (agents start online) and returns its id, inbox and closer.
    pub fn register(&self, peer: Peer) -> (ConnId, mpsc::Receiver<Event>, Arc<Closer>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(self.inbox_capacity);
        let closer = Arc::new(Closer::default());
        let conn = Conn {
            peer: peer.clone(),
            inbox: tx,
            closer: closer.clone(),
            presence: PresenceStatus::Online,
        };
        let mut inner = self.lock();
        match &peer {
            Peer::Visitor { id: visitor } => {
                inner.conns.insert(id, conn);
                inner.visitors.entry(*visitor).or_default().insert(id);
            }
            Peer::Agent {
                id: agent, name, ..
            } => {
                inner.with_presence_change(Some((*agent, name.clone())), |inner| {
                    inner.conns.insert(id, conn);
                });
            }
        }
        (id, rx, closer)
    }

    /// Removes a connection from everything; presence is recomputed.
    pub fn unregister(&self, id: ConnId) {
        let mut inner = self.lock();
        let Some(peer) = inner.conns.get(&id).map(|c| c.peer.clone()) else {
            return;
        };
        inner.subscriptions.retain(|_, subs| {
            subs.remove(&id);
            !subs.is_empty()
        });
        inner.queue_watchers.remove(&id);
        match peer {
            Peer::Visitor { id: visitor } => {
                inner.conns.remove(&id);
                if let Some(set) = inner.visitors.get_mut(&visitor) {
                    set.remove(&id);
                    if set.is_empty() {
                        inner.visitors.remove(&visitor);
                    }
                }
            }
            Peer::Agent {
                id: agent, name, ..
            } => {
                inner.with_presence_change(Some((agent, name)), |inner| {
                    inner.conns.remove(&id);
                });
            }
        }
    }

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

    pub fn subscribe(&self, id: ConnId, conversation_id: Uuid) {
        self.lock()
            .subscriptions
            .entry(conversation_id)
            .or_default()
            .insert(id);
    }

    pub fn unsubscribe(&self, id: ConnId, conversation_id: Uuid) {
        let mut inner = self.lock();
        if let Some(subs) = inner.subscriptions.get_mut(&conversation_id) {
            subs.remove(&id);
            if subs.is_empty() {
                inner.subscriptions.remove(&conversation_id);
            }
        }
    }

    pub fn is_subscribed(&self, id: ConnId, conversation_id: Uuid) -> bool {
        self.lock()
            .subscriptions
            .get(&conversation_id)
            .is_some_and(|s| s.contains(&id))
    }

    pub fn watch_queue(&self, id: ConnId) {
        self.lock().queue_watchers.insert(id);
    }

    /// A stored message, to every connection following its conversation.
    pub fn publish_message(&self, message: &Message) {
        let frame = encode(&ServerFrame::Message {
            message: message.clone(),
        });
        let inner = self.lock();
        if let Some(subs) = inner.subscriptions.get(&message.conversation_id) {
            for conn in subs {
                inner.deliver(
                    *conn,
                    Event::Message {
                        conversation_id: message.conversation_id,
                        seq: message.seq,
                        frame: frame.clone(),
                    },
                );
            }
        }
    }

    /// An ephemeral frame (typing, receipt) to the conversation's followers but `except`.
    pub fn publish_to_followers(
        &self,
        conversation_id: Uuid,
        frame: &ServerFrame,
        except: Option<ConnId>,
    ) {
        let frame = encode(frame);
        let inner = self.lock();
        if let Some(subs) = inner.subscriptions.get(&conversation_id) {
            for conn in subs.iter().filter(|c| Some(**c) != except) {
                inner.deliver(*conn, Event::Frame(frame.clone()));
            }
        }
    }

    /// A `conversation` frame to everyone concerned: the visitor's connections (with the
    /// visitor's unread count), and agents following it or watching a queue it is in
    /// (with the agents' count). Claims and assignments also reach agents who lose sight of
    /// it, so it leaves their waiting list.
    pub fn publish_conversation(
        &self,
        event: ConversationEvent,
        visitor_view: &Conversation,
        agent_view: &Conversation,
    ) {
        let for_visitor = encode(&ServerFrame::Conversation {
            event,
            conversation: visitor_view.clone(),
        });
        let for_agents = encode(&ServerFrame::Conversation {
            event,
            conversation: agent_view.clone(),
        });
        let inner = self.lock();
        let mut agents: HashSet<ConnId> = inner
            .subscriptions
            .get(&agent_view.id)
            .cloned()
            .unwrap_or_default();
        let leaving_waiting = matches!(
            event,
            ConversationEvent::Claimed | ConversationEvent::Assigned
        );
        for watcher in &inner.queue_watchers {
            if let Some(Conn {
                peer: Peer::Agent { id, is_admin, .. },
                ..
            }) = inner.conns.get(watcher)
            {
                if leaving_waiting || agent_may_see(*id, *is_admin, agent_view) {
                    agents.insert(*watcher);
                }
            }
        }
        for conn in agents {
            if matches!(
                inner.conns.get(&conn).map(|c| &c.peer),
                Some(Peer::Agent { .. })
            ) {
                inner.deliver(conn, Event::Frame(for_agents.clone()));
            }
        }
        if let Some(conns) = inner.visitors.get(&visitor_view.visitor_id) {
            for conn in conns {
                inner.deliver(*conn, Event::Frame(for_visitor.clone()));
            }
        }
    }

    /// Tells every connection of a visitor to follow a conversation they just started.
    pub fn auto_subscribe(&self, visitor_id: Uuid, conversation_id: Uuid) {
        let inner = self.lock();
        if let Some(conns) = inner.visitors.get(&visitor_id) {
            for conn in conns {
                inner.deliver(*conn, Event::AutoSubscribe(conversation_id));
            }
        }
    }

    /// After a claim or assignment, plain agents other than the assignee stop following.
    pub fn revoke_followers(&self, conversation: &Conversation) {
        let mut inner = self.lock();
        let Inner {
            conns,
            subscriptions,
            ..
        } = &mut *inner;
        if let Some(subs) = subscriptions.get_mut(&conversation.id) {
            subs.retain(|c| match conns.get(c).map(|c| &c.peer) {
                Some(Peer::Agent { id, is_admin, .. }) => {
                    agent_may_see(*id, *is_admin, conversation)
                }
                _ => true,
            });
        }
    }

    pub fn availability(&self) -> PresenceStatus {
        self.lock().availability()
    }

    pub fn agent_status(&self, agent_id: Uuid) -> PresenceStatus {
        self.lock().agent_status(agent_id)
    }

    pub fn visitor_online(&self, visitor_id: Uuid) -> bool {
        self.lock().visitors.contains_key(&visitor_id)
    }

    pub fn connection_count(&self) -> usize {
        self.lock().conns.len()
    }

    /// Asks every connection to close with `code` (shutdown).
    pub fn close_all(&self, code: u16) {
        for conn in self.lock().conns.values() {
            conn.closer.close(code);
        }
    }
}
