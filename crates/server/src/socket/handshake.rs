//! The handshake: the first frame must be `auth` with a known token and our protocol
//! version; the answer is `hello`. Frames that do not parse are classified by
//! `ClientFrame::parse` in the protocol crate.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as WsMessage, Utf8Bytes, WebSocket};
use tidings_protocol::frame::close;
use tidings_protocol::{
    ClientFrame, ErrorCode, PresenceStatus, Role, ServerFrame, PROTOCOL_VERSION,
};
use tokio::time::{timeout, Instant};

use crate::auth::{self, Principal};
use crate::error::Error;
use crate::hub::encode;
use crate::store::now_millis;
use crate::AppState;

/// How long closing a socket may take, its close frame sent and the peer's answer read.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Frames refused before `auth` after which the connection is closed.
const MAX_REFUSED_BEFORE_AUTH: u32 = 10;

/// Waits for a valid `auth` frame; anything else is refused. Returns who the token
/// belongs to and the token's hash (which names an agent's session, so logging out can
/// close that session's sockets).
pub(super) async fn authenticate(
    state: &AppState,
    socket: &mut WebSocket,
) -> Option<(Principal, String)> {
    let deadline = Instant::now() + state.settings.auth_timeout;
    let mut refused = 0;
    loop {
        let received = tokio::select! {
            received = timeout(deadline.saturating_duration_since(Instant::now()), socket.recv()) => received,
            code = state.hub.shutting_down() => {
                return close_with(socket, code, "the server is shutting down").await
            }
        };
        let text = match received {
            Err(_) => {
                return close_with(socket, close::HEARTBEAT_TIMEOUT, "no auth frame in time").await
            }
            Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(WsMessage::Close(_)))) => return None,
            Ok(Some(Ok(WsMessage::Text(text)))) => Some(text),
            // Binary frames and WebSocket pings are not `auth` either: they count as
            // refused, or a client could keep the connection busy with them until the
            // deadline. (Pings get their pong from the WebSocket layer, nothing more.)
            Ok(Some(Ok(_))) => None,
        };
        let refusal = match text.as_deref().map(ClientFrame::parse) {
            None => None,
            Some(Ok(ClientFrame::Auth { version, .. })) if version != PROTOCOL_VERSION => {
                let e = Error::client(
                    ErrorCode::UnsupportedVersion,
                    format!("this server speaks protocol version {PROTOCOL_VERSION}"),
                );
                send_now(socket, &e.to_frame(None)).await;
                return close_with(socket, close::POLICY, "unsupported protocol version").await;
            }
            Some(Ok(ClientFrame::Auth { token, .. })) => {
                match auth::authenticate(&state.pool, state.settings.sessions, &token).await {
                    // `hello` is sent by the caller once the connection is in the hub,
                    // so no presence change can fall between it and the live stream.
                    Ok(principal) => return Some((principal, auth::token_hash(&token))),
                    Err(e) => {
                        send_now(socket, &e.to_frame(None)).await;
                        // A passing failure (the database's, a full disk's) is not the
                        // token's fault: the client comes back instead of forgetting it.
                        let code =
                            if matches!(e.code(), ErrorCode::Internal | ErrorCode::Overloaded) {
                                close::GOING_AWAY
                            } else {
                                close::UNAUTHORIZED
                            };
                        return close_with(socket, code, "authentication failed").await;
                    }
                }
            }
            Some(Ok(_)) => Some(Error::client(
                ErrorCode::NotAuthenticated,
                "send an auth frame first",
            )),
            Some(Err(e)) => Some(Error::client(e.code, e.message)),
        };
        if let Some(refusal) = refusal {
            send_now(socket, &refusal.to_frame(None)).await;
        }
        refused += 1;
        if refused >= MAX_REFUSED_BEFORE_AUTH {
            return close_with(socket, close::POLICY, "not authenticated").await;
        }
    }
}

/// The answer to a successful `auth`.
pub(super) fn hello(state: &AppState, principal: &Principal) -> ServerFrame {
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
        email: crate::email::enabled(state),
    }
}

async fn send_now(socket: &mut WebSocket, frame: &ServerFrame) -> bool {
    let text = encode(frame);
    matches!(
        timeout(Duration::from_secs(5), socket.send(WsMessage::Text(text))).await,
        Ok(Ok(()))
    )
}

/// Closes the socket with `code` during the handshake (see [`close_socket`]).
async fn close_with<T>(socket: &mut WebSocket, code: u16, reason: &'static str) -> Option<T> {
    close_socket(socket, code, reason).await;
    None
}

/// Sends a close frame, then reads what the peer still sends until its closing answer,
/// for at most [`CLOSE_GRACE`]. Dropping a socket with unread data makes the kernel reset
/// the connection, and a reset throws away our close frame before the peer reads it: a
/// client closed for flooding would never learn why.
pub(super) async fn close_socket(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    };
    let _ = timeout(CLOSE_GRACE, async {
        if socket.send(WsMessage::Close(Some(frame))).await.is_ok() {
            while let Some(Ok(message)) = socket.recv().await {
                if matches!(message, WsMessage::Close(_)) {
                    break;
                }
            }
        }
    })
    .await;
}
