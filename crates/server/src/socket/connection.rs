//! One WebSocket connection: authentication, then a loop over incoming frames, hub
//! events, heartbeats, typing expiry and close requests. The task is the only writer to
//! its socket; every write has a deadline, so a peer that stops reading is dropped.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as WsMessage, Utf8Bytes, WebSocket};
use tidings_protocol::frame::close;
use tidings_protocol::{
    ClientFrame, ErrorCode, PresenceStatus, Role, ServerFrame, PROTOCOL_VERSION,
};
use tokio::time::{sleep_until, timeout, Instant};
use uuid::Uuid;

use super::rate::TokenBucket;
use crate::auth::{self, Principal};
use crate::error::Error;
use crate::hub::{encode, ConnId, Event, Peer};
use crate::store::{now_millis, visitors};
use crate::AppState;

pub(super) struct Connection {
    pub state: AppState,
    pub socket: WebSocket,
    pub principal: Principal,
    pub conn_id: ConnId,
    pub bucket: TokenBucket,
    /// Frames refused in a row for exceeding the rate.
    pub strikes: u32,
    /// Followed conversations and the seq their replay covered (live copies at or below
    /// it were already sent).
    pub replayed: HashMap<Uuid, u64>,
    /// Our own typing indicators and when they lapse.
    pub typing: HashMap<Uuid, Instant>,
    pub last_heard: Instant,
    pub ping_nonce: u64,
}

/// Runs a connection to its end.
pub(super) async fn run(state: AppState, mut socket: WebSocket, user_agent: Option<String>) {
    let metrics = crate::metrics::global();
    metrics.connections_total.fetch_add(1, Ordering::Relaxed);
    metrics.connections_open.fetch_add(1, Ordering::Relaxed);
    if let Some(principal) = authenticate(&state, &mut socket).await {
        let peer = match &principal {
            Principal::Visitor { id } => Peer::Visitor { id: *id },
            Principal::Agent(a) => Peer::Agent {
                id: a.id,
                name: a.name.clone(),
                is_admin: a.is_admin,
            },
        };
        if let Principal::Visitor { id } = &principal {
            let _ = visitors::touch(&state.pool, *id, user_agent.as_deref()).await;
        }
        let (conn_id, inbox, closer) = state.hub.register(peer);
        let mut conn = Connection {
            bucket: TokenBucket::new(state.settings.rate_per_second, state.settings.rate_burst),
            state: state.clone(),
            socket,
            principal,
            conn_id,
            strikes: 0,
            replayed: HashMap::new(),
            typing: HashMap::new(),
            last_heard: Instant::now(),
            ping_nonce: 0,
        };
        let code = conn.serve(inbox, &closer).await;
        state.hub.unregister(conn_id);
        conn.stop_typing_all();
        if let Some(code) = code {
            conn.close(code, "").await;
        }
        if let Principal::Visitor { id } = &conn.principal {
            let _ = visitors::touch(&state.pool, *id, None).await;
        }
    }
    metrics.connections_open.fetch_sub(1, Ordering::Relaxed);
}

/// Waits for a valid `auth` frame and answers `hello`; anything else is refused.
async fn authenticate(state: &AppState, socket: &mut WebSocket) -> Option<Principal> {
    let deadline = Instant::now() + state.settings.heartbeat_timeout;
    let mut refused = 0;
    loop {
        let received = timeout(
            deadline.saturating_duration_since(Instant::now()),
            socket.recv(),
        )
        .await;
        let text = match received {
            Err(_) => {
                return close_with(socket, close::HEARTBEAT_TIMEOUT, "no auth frame in time").await
            }
            Ok(None) | Ok(Some(Err(_))) => return None,
            Ok(Some(Ok(WsMessage::Text(text)))) => text,
            Ok(Some(Ok(WsMessage::Close(_)))) => return None,
            Ok(Some(Ok(_))) => continue,
        };
        let refusal = match serde_json::from_str::<ClientFrame>(&text) {
            Ok(ClientFrame::Auth { version, .. }) if version != PROTOCOL_VERSION => {
                let e = Error::client(
                    ErrorCode::UnsupportedVersion,
                    format!("this server speaks protocol version {PROTOCOL_VERSION}"),
                );
                send_now(socket, &e.to_frame(None)).await;
                return close_with(socket, close::POLICY, "unsupported protocol version").await;
            }
            Ok(ClientFrame::Auth { token, .. }) => {
                match auth::authenticate(&state.pool, &token).await {
                    Ok(principal) => {
                        let hello = hello(state, &principal);
                        if !send_now(socket, &hello).await {
                            return None;
                        }
                        return Some(principal);
                    }
                    Err(e) => {
                        send_now(socket, &e.to_frame(None)).await;
                        let code = if e.code() == ErrorCode::Internal {
                            close::GOING_AWAY
                        } else {
                            close::UNAUTHORIZED
                        };
                        return close_with(socket, code, "authentication failed").await;
                    }
                }
            }
            Ok(_) => Error::client(ErrorCode::NotAuthenticated, "send an auth frame first"),
            Err(e) => parse_error(&text, &e).0,
        };
        send_now(socket, &refusal.to_frame(None)).await;
        refused += 1;
        if refused >= 10 {
            return close_with(socket, close::POLICY, "not authenticated").await;
        }
    }
}

fn hello(state: &AppState, principal: &Principal) -> ServerFrame {
    let (role, visitor_id, agent) = match principal {
        Principal::Visitor { id } => (Role::Visitor, Some(*id), None),
        Principal::Agent(a) => (
            Role::Agent,
            None,
            Some(tidings_protocol::Agent {
                id: a.id,
                email: a.email.clone(),
                name: a.name.clone(),
                is_admin: a.is_admin,
                status: PresenceStatus::Online,
            }),
        ),
    };
    ServerFrame::Hello {
        version: PROTOCOL_VERSION,
        role,
        visitor_id,
        agent,
        heartbeat_interval_ms: state.settings.heartbeat_interval.as_millis() as u64,
        heartbeat_timeout_ms: state.settings.heartbeat_timeout.as_millis() as u64,
        availability: state.hub.availability(),
        now: now_millis(),
    }
}

async fn send_now(socket: &mut WebSocket, frame: &ServerFrame) -> bool {
    let text = encode(frame);
    matches!(
        timeout(Duration::from_secs(5), socket.send(WsMessage::Text(text))).await,
        Ok(Ok(()))
    )
}

async fn close_with<T>(socket: &mut WebSocket, code: u16, reason: &'static str) -> Option<T> {
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    };
    let _ = timeout(
        Duration::from_secs(1),
        socket.send(WsMessage::Close(Some(frame))),
    )
    .await;
    None
}

/// Classifies a frame that did not parse: bad JSON, or JSON that is not a known frame.
/// Returns the error and the message id it names, if one can be read.
pub(super) fn parse_error(text: &str, error: &serde_json::Error) -> (Error, Option<Uuid>) {
    match serde_json::from_str::<serde_json::Value>(text) {
        Err(_) => (
            Error::client(
                ErrorCode::BadJson,
                format!("the frame is not valid JSON: {error}"),
            ),
            None,
        ),
        Ok(value) => {
            let id = value
                .get("id")
                .and_then(|v| v.as_str())
                .and_then(|s| Uuid::parse_str(s).ok());
            (
                Error::client(
                    ErrorCode::InvalidFrame,
                    format!("not a frame this server knows: {error}"),
                ),
                id,
            )
        }
    }
}

impl Connection {
    /// The main loop; returns the close code to send, or `None` when the peer is gone.
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
                        self.on_socket_message(message).await
                    }
                },
                event = inbox.recv() => match event {
                    Some(event) => self.on_event(event).await,
                    None => return Some(close::GOING_AWAY),
                },
                _ = heartbeat.tick() => {
                    if self.last_heard.elapsed() > settings.heartbeat_timeout {
                        return Some(close::HEARTBEAT_TIMEOUT);
                    }
                    self.ping_nonce += 1;
                    self.send(&ServerFrame::Ping { nonce: self.ping_nonce }).await
                },
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
            } => match self.replayed.get(&conversation_id) {
                Some(boundary) if seq > *boundary => self.send_raw(frame).await,
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

    async fn close(&mut self, code: u16, reason: &'static str) {
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        let _ = timeout(
            Duration::from_secs(1),
            self.socket.send(WsMessage::Close(Some(frame))),
        )
        .await;
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
