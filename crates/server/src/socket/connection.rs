//! One WebSocket connection: authentication, then a loop over incoming frames, hub
//! events, heartbeats, typing expiry and close requests. The task is the only writer to
//! its socket; every write has a deadline, so a peer that stops reading is dropped.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message as WsMessage, Utf8Bytes, WebSocket};
use tidings_protocol::frame::close;
use tidings_protocol::{ErrorCode, ServerFrame};
use tokio::time::{sleep_until, timeout, Instant};
use uuid::Uuid;

use super::handshake;
use super::rate::TokenBucket;
use crate::auth::Principal;
use crate::hub::{encode, ConnId, Event, Hub, Peer};
use crate::store::agents::SessionUse;
use crate::store::{agents, visitors};
use crate::{chat, AppState};

pub(super) struct Connection {
    pub state: AppState,
    pub socket: WebSocket,
    pub principal: Principal,
    pub conn_id: ConnId,
    /// The frame rate bucket this visitor's or agent's sockets share on this node.
    pub bucket: Arc<std::sync::Mutex<TokenBucket>>,
    /// This socket's place in its visitor's or agent's count.
    pub _peer_slot: super::caps::PeerSlot,
    /// Frames refused in a row for exceeding the rate.
    pub strikes: u32,
    /// Followed conversations and the last seq sent of each, so the client sees every seq
    /// once and in order (`u64::MAX` while the replay runs).
    pub replayed: HashMap<Uuid, u64>,
    /// Our own typing indicators and when they lapse.
    pub typing: HashMap<Uuid, Instant>,
    /// The hash of an agent's session token, checked at each heartbeat (visitors: none).
    pub session_hash: Option<String>,
    /// Whether the client sent a frame other than heartbeats since the last heartbeat:
    /// then the heartbeat's session check counts as a use of the session (idle timeout).
    pub used: bool,
    pub last_heard: Instant,
    /// Nonce of our latest `ping`, and whether its `pong` is still to come.
    pub ping_nonce: u64,
    pub pong_due: bool,
}

/// Undoes what a connection registered even if its task panics or is dropped: a bug in
/// one connection must not leave a ghost subscriber or a ghost "online" agent behind.
struct Cleanup {
    hub: Arc<Hub>,
    conn_id: Option<ConnId>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(id) = self.conn_id {
            self.hub.unregister(id);
        }
        crate::metrics::global()
            .connections_open
            .fetch_sub(1, Ordering::Relaxed);
    }
}

/// Runs a connection to its end.
pub(super) async fn run(state: AppState, mut socket: WebSocket, user_agent: Option<String>) {
    let metrics = crate::metrics::global();
    metrics.connections_total.fetch_add(1, Ordering::Relaxed);
    metrics.connections_open.fetch_add(1, Ordering::Relaxed);
    let mut cleanup = Cleanup {
        hub: state.hub.clone(),
        conn_id: None,
    };
    // This future lives as long as the connection, and its size is the largest state any
    // await in it needs; database calls and frame handlers are boxed so that only while
    // they run do they cost memory (about 8 KB less per idle connection).
    if let Some((principal, token_hash)) =
        Box::pin(handshake::authenticate(&state, &mut socket)).await
    {
        let (peer, session_hash) = match &principal {
            Principal::Visitor { id } => (Peer::Visitor { id: *id }, None),
            Principal::Agent(a) => (
                Peer::Agent {
                    id: a.id,
                    name: a.name.clone(),
                    is_admin: a.is_admin,
                    session_hash: token_hash.clone(),
                },
                Some(token_hash),
            ),
        };
        let visitor = match &principal {
            Principal::Visitor { id } => Some(*id),
            Principal::Agent(_) => None,
        };
        let peer_key = match &principal {
            Principal::Visitor { id } => format!("v:{id}"),
            Principal::Agent(a) => format!("a:{}", a.id),
        };
        let settings = &state.settings;
        let Some(peer_slot) =
            state
                .socket_caps
                .enter_peer(peer_key, settings.max_sockets_per_peer, || {
                    TokenBucket::new(settings.rate_per_second, settings.rate_burst)
                })
        else {
            handshake::close_socket(
                &mut socket,
                close::TOO_MANY_SOCKETS,
                "too many open sockets for this visitor or agent",
            )
            .await;
            drop(cleanup);
            return;
        };
        let came_online = visitor.is_some_and(|id| !state.hub.visitor_online(id));
        if let Some(id) = visitor {
            let _ = Box::pin(visitors::touch(&state.pool, id, user_agent.as_deref())).await;
            state.hub.lists().forget_visitor(id);
        }
        let (conn_id, inbox, closer) = state.hub.register(peer);
        cleanup.conn_id = Some(conn_id);
        let span = tracing::debug_span!("socket", conn_id, visitor = ?visitor);
        tracing::debug!(parent: &span, "authenticated");
        if let (Some(id), true) = (visitor, came_online) {
            // Agents' lists show who is online now.
            let _ = Box::pin(chat::announce_visitor(&state, id)).await;
        }
        let mut conn = Connection {
            bucket: peer_slot.bucket.clone(),
            _peer_slot: peer_slot,
            state: state.clone(),
            socket,
            principal,
            conn_id,
            strikes: 0,
            replayed: HashMap::new(),
            typing: HashMap::new(),
            session_hash,
            used: false,
            last_heard: Instant::now(),
            ping_nonce: 0,
            pong_due: false,
        };
        // Frames are encoded before an await so the (large) frame value is not kept in
        // this long-lived future's state: its size is paid by every idle connection.
        let hello = encode(&handshake::hello(&state, &conn.principal));
        let code = match conn.send_raw(hello).await {
            Ok(()) => conn.serve(inbox, &closer).await,
            Err(_) => None,
        };
        state.hub.unregister(conn_id);
        cleanup.conn_id = None;
        conn.stop_typing_all();
        tracing::debug!(parent: &span, close_code = ?code, "closed");
        if let Some(code) = code {
            handshake::close_socket(&mut conn.socket, code, "").await;
        }
        if let Some(id) = visitor {
            let _ = Box::pin(visitors::touch(&state.pool, id, None)).await;
            state.hub.lists().forget_visitor(id);
            if !state.hub.visitor_online(id) {
                let _ = Box::pin(chat::announce_visitor(&state, id)).await;
            }
        }
    }
    drop(cleanup);
}

impl Connection {
    /// The main loop; returns the close code to send, or `None` when the peer is gone.
    /// Handlers are boxed (see [`run`]): an idle connection only holds the `select!`.
    async fn serve(
        &mut self,
        mut inbox: tokio::sync::mpsc::Receiver<Event>,
        closer: &crate::hub::Closer,
    ) -> Option<u16> {
        let settings = self.state.settings.clone();
        let mut heartbeat = tokio::time::interval_at(
            Instant::now() + settings.heartbeat_interval,
            settings.heartbeat_interval,
        );
        loop {
            let next_typing_expiry = self.typing.values().min().copied();
            let step = tokio::select! {
                received = self.socket.recv() => match received {
                    None | Some(Ok(WsMessage::Close(_))) => return None,
                    Some(Err(e)) => return Some(self.read_failure(&e)),
                    Some(Ok(message)) => {
                        self.last_heard = Instant::now();
                        Box::pin(self.on_socket_message(message)).await
                    }
                },
                event = inbox.recv() => match event {
                    Some(event) => Box::pin(self.on_event(event)).await,
                    None => return Some(close::GOING_AWAY),
                },
                _ = heartbeat.tick() => Box::pin(self.on_heartbeat()).await,
                _ = sleep_until(next_typing_expiry.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600))), if next_typing_expiry.is_some() => {
                    self.expire_typing();
                    Ok(())
                },
                code = closer.requested() => return Some(code),
            };
            match step {
                Ok(()) => {}
                Err(StepEnd::Closed) => return None,
                Err(StepEnd::Close(code)) => return Some(code),
            }
        }
    }

    /// Each heartbeat: a connection silent for too long is closed, and so is an agent's
    /// whose session has ended: idle past the idle timeout (heartbeats alone are not a use,
    /// any other frame is), past its lifetime, or gone (`agent remove`, `logout-all` and
    /// `passwd` run in another process and cannot reach this one's sockets); otherwise, a
    /// `ping`.
    async fn on_heartbeat(&mut self) -> Result<(), StepEnd> {
        if self.last_heard.elapsed() > self.state.settings.heartbeat_timeout {
            return Err(StepEnd::Close(close::HEARTBEAT_TIMEOUT));
        }
        if let Some(session_hash) = &self.session_hash {
            let usage = if std::mem::take(&mut self.used) {
                SessionUse::Touch
            } else {
                SessionUse::Check
            };
            let limits = self.state.settings.sessions;
            // A failed query says nothing about the session: only a missing one closes.
            if let Ok(None) =
                agents::by_session_hash(&self.state.pool, session_hash, limits, usage).await
            {
                return Err(StepEnd::Close(close::UNAUTHORIZED));
            }
        }
        self.ping_nonce += 1;
        self.pong_due = true;
        let ping = encode(&ServerFrame::Ping {
            nonce: self.ping_nonce,
        });
        self.send_raw(ping).await
    }

    /// A read error: an oversized frame gets TOO_BIG, anything else is a broken peer.
    fn read_failure(&self, error: &axum::Error) -> u16 {
        let text = error.to_string().to_lowercase();
        if text.contains("too long")
            || text.contains("too big")
            || text.contains("capacity")
            || text.contains("size")
        {
            crate::metrics::global().record_error(ErrorCode::FrameTooLarge);
            close::TOO_BIG
        } else {
            close::POLICY
        }
    }

    async fn on_event(&mut self, event: Event) -> Result<(), StepEnd> {
        match event {
            Event::Frame(text) => self.send_raw(text).await,
            Event::Message {
                conversation_id,
                seq,
                frame,
            } => {
                // Not followed, replay under way (boundary u64::MAX), or already sent.
                let Some(&sent) = self.replayed.get(&conversation_id) else {
                    return Ok(());
                };
                if seq <= sent {
                    return Ok(());
                }
                if seq > sent + 1 {
                    self.fill(conversation_id, sent, seq - 1).await?;
                }
                self.send_raw(frame).await?;
                self.replayed.insert(conversation_id, seq);
                Ok(())
            }
            Event::CatchUp {
                conversation_id,
                last_seq,
            } => match self.replayed.get(&conversation_id) {
                Some(&sent) if last_seq > sent => self.fill(conversation_id, sent, last_seq).await,
                _ => Ok(()),
            },
            Event::AutoSubscribe(conversation_id) => {
                if self.replayed.contains_key(&conversation_id) {
                    return Ok(());
                }
                self.subscribe(conversation_id, 0).await
            }
        }
    }

    pub(super) async fn send(&mut self, frame: &ServerFrame) -> Result<(), StepEnd> {
        self.send_raw(encode(frame)).await
    }

    pub(super) async fn send_raw(&mut self, text: Utf8Bytes) -> Result<(), StepEnd> {
        let deadline = self.state.settings.heartbeat_timeout;
        match timeout(deadline, self.socket.send(WsMessage::Text(text))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(StepEnd::Closed),
            Err(_) => Err(StepEnd::Close(close::SLOW_CONSUMER)),
        }
    }
}

/// Why a step ends the connection.
#[derive(Debug)]
pub(super) enum StepEnd {
    /// The peer is gone.
    Closed,
    /// Close with this code.
    Close(u16),
}
