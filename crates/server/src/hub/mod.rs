//! In-process fan-out: which connections are open, who they belong to, which
//! conversations they follow, who watches the agent queue, and agent presence.
//!
//! Frames are serialised once and shared (`Utf8Bytes` is reference counted). Each
//! connection has a bounded inbox; when it is full the connection is a slow consumer and
//! is told to close (it will reconnect and resume) instead of letting memory grow.
//! The lock is a plain mutex held only for map updates and `try_send`s, never across an
//! `.await`. Presence lives in [`presence`], publishing in [`fanout`], close requests in
//! [`closer`].

mod agent_followers;
mod closer;
mod fanout;
mod lists;
mod presence;
mod team;

pub use closer::Closer;
pub use fanout::frame_for_visitor;
pub use lists::{ListCache, ReadTicket};
pub use team::AgentTarget;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::ws::Utf8Bytes;
use tidings_protocol::frame::close;
use tidings_protocol::{PresenceStatus, ServerFrame};
use tokio::sync::mpsc;
use uuid::Uuid;

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
        /// The hash of the session token the connection authenticated with.
        session_hash: String,
    },
}

/// What the hub hands to a connection.
#[derive(Debug, Clone)]
pub enum Event {
    /// A frame to forward as is.
    Frame(Utf8Bytes),
    /// A live message; the connection drops it if it already sent `seq`, and first sends
    /// what it missed if `seq` is further ahead than the next one.
    Message {
        conversation_id: Uuid,
        seq: u64,
        frame: Utf8Bytes,
    },
    /// The conversation has messages up to `last_seq`: send any not sent yet (after the
    /// node lost, then regained, its link with the other nodes).
    CatchUp {
        conversation_id: Uuid,
        last_seq: u64,
    },
    /// The visitor started a conversation: subscribe to it from seq 0.
    AutoSubscribe(Uuid),
}

struct Conn {
    peer: Peer,
    inbox: mpsc::Sender<Event>,
    closer: Arc<Closer>,
    presence: PresenceStatus,
}

struct Inner {
    conns: HashMap<ConnId, Conn>,
    subscriptions: HashMap<Uuid, HashSet<ConnId>>,
    visitors: HashMap<Uuid, HashSet<ConnId>>,
    queue_watchers: HashSet<ConnId>,
    /// Other nodes' agents (cluster only): agent → node → (name, status).
    remote_agents: HashMap<Uuid, HashMap<Uuid, (String, PresenceStatus)>>,
    /// Other nodes' visitors (cluster only): visitor → nodes they are connected to.
    remote_visitors: HashMap<Uuid, HashSet<Uuid>>,
    /// Where this node's own presence changes go, for the other nodes (cluster only).
    feed: Option<mpsc::UnboundedSender<LocalPresence>>,
    /// Revocations so far, per stripe of conversations (see [`Hub::revocation_mark`]).
    revocations: Box<[u64; REVOCATION_STRIPES]>,
    /// Visitors recently joined to a verified one, and when (see [`Hub::close_visitor`]).
    joined: HashMap<Uuid, std::time::Instant>,
}

/// How long a joined visitor is remembered: far longer than a handshake takes between its
/// token lookup and its registration, the window [`Hub::close_visitor`] covers with it.
const JOINED_MEMORY: std::time::Duration = std::time::Duration::from_secs(60);

/// Conversations share revocation counters by stripes: a revocation in one makes a
/// subscribe to another of its stripe check again, which is rare and harmless, and the
/// counters take a fixed 2 KiB whatever the number of conversations.
const REVOCATION_STRIPES: usize = 256;

fn stripe(conversation_id: Uuid) -> usize {
    (conversation_id.as_u128() % REVOCATION_STRIPES as u128) as usize
}

/// A change of who is connected to this node, for the other nodes to hear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalPresence {
    /// An agent's status on this node (offline: no connection here any more).
    Agent {
        id: Uuid,
        name: String,
        status: PresenceStatus,
    },
    /// Whether a visitor has a connection on this node.
    Visitor { id: Uuid, online: bool },
}

/// The hub shared by every connection and request of this node.
pub struct Hub {
    inner: Mutex<Inner>,
    next_id: AtomicU64,
    inbox_capacity: usize,
    /// Closed by [`Hub::close_all`]: sockets still in their handshake and connections
    /// registered later are closed too.
    shutdown: Closer,
    /// The conversations' list data, kept from what this node publishes.
    lists: ListCache,
}

/// Serialises a frame once for any number of recipients.
pub fn encode(frame: &ServerFrame) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(frame).unwrap_or_default())
}

impl Default for Inner {
    fn default() -> Self {
        Inner {
            conns: HashMap::new(),
            subscriptions: HashMap::new(),
            visitors: HashMap::new(),
            queue_watchers: HashSet::new(),
            remote_agents: HashMap::new(),
            remote_visitors: HashMap::new(),
            feed: None,
            revocations: Box::new([0; REVOCATION_STRIPES]),
            joined: HashMap::new(),
        }
    }
}

impl Inner {
    fn feed(&self, change: LocalPresence) {
        if let Some(feed) = &self.feed {
            let _ = feed.send(change);
        }
    }

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
}

impl Hub {
    pub fn new(inbox_capacity: usize) -> Self {
        Hub {
            inner: Mutex::new(Inner::default()),
            next_id: AtomicU64::new(1),
            inbox_capacity,
            shutdown: Closer::default(),
            lists: ListCache::default(),
        }
    }

    /// The conversations' list data as far as this node's messages and receipts tell.
    pub fn lists(&self) -> &ListCache {
        &self.lists
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
        // A socket that finishes its handshake during shutdown goes away at once. Read
        // under the lock `close_all` holds while it sets this, so none slips between.
        if let Some(code) = self.shutdown.code() {
            closer.close(code);
        }
        match &peer {
            Peer::Visitor { id: visitor } => {
                // Its token was looked up just before the visitor was joined to another.
                if inner.joined.contains_key(visitor) {
                    closer.close(close::IDENTITY_CHANGED);
                }
                inner.conns.insert(id, conn);
                let first = !inner.visitors.contains_key(visitor);
                inner.visitors.entry(*visitor).or_default().insert(id);
                if first {
                    inner.feed(LocalPresence::Visitor {
                        id: *visitor,
                        online: true,
                    });
                }
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
                        inner.feed(LocalPresence::Visitor {
                            id: visitor,
                            online: false,
                        });
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

    pub fn subscribe(&self, id: ConnId, conversation_id: Uuid) {
        self.lock()
            .subscriptions
            .entry(conversation_id)
            .or_default()
            .insert(id);
    }

    /// The first half of a checked subscribe: a mark to take *before* reading whether the
    /// connection may see the conversation. [`Hub::subscribe_unless_revoked`] then joins
    /// only if no revocation ([`Hub::revoke_followers`]) touched the conversation since:
    /// a claim, assignment or close committed after the read revokes after it, so either
    /// the join comes first (and the revocation removes it) or the mark has moved (and the
    /// caller reads again). No change can slip between the check and the join.
    pub fn revocation_mark(&self, conversation_id: Uuid) -> u64 {
        self.lock().revocations[stripe(conversation_id)]
    }

    /// Follows the conversation if nothing was revoked on it since `mark`; `false` means
    /// "check again".
    pub fn subscribe_unless_revoked(&self, id: ConnId, conversation_id: Uuid, mark: u64) -> bool {
        let mut inner = self.lock();
        if inner.revocations[stripe(conversation_id)] != mark {
            return false;
        }
        inner
            .subscriptions
            .entry(conversation_id)
            .or_default()
            .insert(id);
        true
    }

    /// Every (conversation, connection, who is on it) this node delivers to, for tests and
    /// diagnostics.
    pub fn followers(&self) -> Vec<(Uuid, ConnId, Peer)> {
        let inner = self.lock();
        let mut all = Vec::new();
        for (conversation_id, subs) in &inner.subscriptions {
            for conn in subs {
                if let Some(c) = inner.conns.get(conn) {
                    all.push((*conversation_id, *conn, c.peer.clone()));
                }
            }
        }
        all
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

    /// A frame for one connection (the answer to something it asked for elsewhere).
    pub fn send_to(&self, id: ConnId, frame: &ServerFrame) {
        self.lock().deliver(id, Event::Frame(encode(frame)));
    }

    pub fn watch_queue(&self, id: ConnId) {
        self.lock().queue_watchers.insert(id);
    }

    /// Whether the visitor has a connection on any node.
    pub fn visitor_online(&self, visitor_id: Uuid) -> bool {
        let inner = self.lock();
        inner.visitors.contains_key(&visitor_id) || inner.remote_visitors.contains_key(&visitor_id)
    }

    /// The conversations followed on this node.
    pub fn followed(&self) -> Vec<Uuid> {
        self.lock().subscriptions.keys().copied().collect()
    }

    /// Tells the followers of a conversation that it has messages up to `last_seq`.
    pub fn catch_up(&self, conversation_id: Uuid, last_seq: u64) {
        let inner = self.lock();
        if let Some(subs) = inner.subscriptions.get(&conversation_id) {
            for conn in subs {
                inner.deliver(
                    *conn,
                    Event::CatchUp {
                        conversation_id,
                        last_seq,
                    },
                );
            }
        }
    }

    pub fn connection_count(&self) -> usize {
        self.lock().conns.len()
    }

    /// Closes the connections of an agent session that ended (logout): a token that no
    /// longer opens new connections must not keep the open ones.
    pub fn close_session(&self, session_hash: &str) {
        for conn in self.lock().conns.values() {
            if matches!(&conn.peer, Peer::Agent { session_hash: s, .. } if s == session_hash) {
                conn.closer.close(close::UNAUTHORIZED);
            }
        }
    }

    /// Closes the connections of a visitor whose token now opens another visitor (see
    /// `store::visitors::bind_user`): they reconnect with the same token as that visitor.
    /// A socket whose handshake looked its token up just before the join registers a moment
    /// later: the visitor is remembered for [`JOINED_MEMORY`] so that one is closed too.
    pub fn close_visitor(&self, visitor_id: Uuid) {
        // Their conversations now belong to the verified visitor: read them again.
        self.lists.forget_visitor(visitor_id);
        let mut inner = self.lock();
        let now = std::time::Instant::now();
        inner
            .joined
            .retain(|_, at| now.duration_since(*at) < JOINED_MEMORY);
        inner.joined.insert(visitor_id, now);
        for conn in inner.visitors.get(&visitor_id).into_iter().flatten() {
            if let Some(conn) = inner.conns.get(conn) {
                conn.closer.close(close::IDENTITY_CHANGED);
            }
        }
    }

    /// Resolves with the close code once the node is shutting down.
    pub async fn shutting_down(&self) -> u16 {
        self.shutdown.requested().await
    }

    /// Asks every connection, and every one registered from now on, to close with `code`
    /// (shutdown).
    pub fn close_all(&self, code: u16) {
        let inner = self.lock();
        self.shutdown.close(code);
        for conn in inner.conns.values() {
            conn.closer.close(code);
        }
    }
}

#[cfg(test)]
mod tests {
    use tidings_protocol::frame::close;
    use tidings_protocol::{Message, Sender};
    use uuid::Uuid;

    use super::{Hub, Peer};

    #[test]
    fn a_joined_visitors_sockets_close_even_one_registered_just_after_the_join() {
        let hub = Hub::new(4);
        let (joined, other) = (Uuid::new_v4(), Uuid::new_v4());
        let (_, _inbox, open) = hub.register(Peer::Visitor { id: joined });
        let (_, _inbox2, bystander) = hub.register(Peer::Visitor { id: other });
        hub.close_visitor(joined);
        assert_eq!(open.code(), Some(close::IDENTITY_CHANGED));
        assert_eq!(bystander.code(), None);
        // A handshake that looked the token up before the join registers afterwards.
        let (_, _inbox3, late) = hub.register(Peer::Visitor { id: joined });
        assert_eq!(late.code(), Some(close::IDENTITY_CHANGED));
    }

    #[tokio::test]
    async fn a_connection_that_does_not_drain_its_inbox_is_told_to_close() {
        let hub = Hub::new(4);
        let visitor = Uuid::new_v4();
        let conversation_id = Uuid::new_v4();
        let (slow, _inbox, closer) = hub.register(Peer::Visitor { id: visitor });
        hub.subscribe(slow, conversation_id);
        for seq in 1..=5 {
            let message = Message {
                id: Uuid::new_v4(),
                conversation_id,
                seq,
                sender: Sender::Visitor,
                author_name: None,
                agent_id: None,
                body: "x".into(),
                created_at: 0,
                attachment: None,
            };
            hub.publish_message(&message);
        }
        assert_eq!(closer.requested().await, close::SLOW_CONSUMER);
        hub.unregister(slow);
        assert!(!hub.visitor_online(visitor));
        assert_eq!(hub.connection_count(), 0);
    }
}
