//! `GET /v1/socket`: the WebSocket upgrade, with buffer and size limits chosen on purpose.
//!
//! Buffers: tungstenite's defaults (128 KiB read buffer, 128 KiB write buffer target) cost
//! a quarter of a megabyte per connection, which would cap an idle node at a few thousand
//! visitors. Our frames are small (a maximal message is about 16 KB of JSON, most are a
//! few hundred bytes; an idle client sends only pongs of about 40), so a 1 KiB read buffer
//! (grown on demand for a bigger frame, which then takes a few more reads) and an 8 KiB
//! write target keep the socket's own buffers small. The write buffer is capped so a peer
//! that stops reading cannot make it grow without bound. All told an idle authenticated
//! visitor connection costs the server about 8 KB of resident memory (measured with 10,000
//! sockets by `cargo xtask bench connections`; a 4 KiB read buffer made it 11 KB).

mod caps;
mod connection;
mod handlers;
mod handshake;
mod live;
mod rate;
mod typing;

pub use caps::SocketCaps;
pub use live::LiveSockets;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use tidings_protocol::limits::MAX_FRAME_BYTES;
use tidings_protocol::ErrorCode;

use crate::error::Error;
use crate::AppState;

/// Bytes read from the socket at a time.
const READ_BUFFER_BYTES: usize = 1024;
/// Bytes gathered before a write goes to the socket.
const WRITE_BUFFER_BYTES: usize = 8 * 1024;
/// Most bytes waiting to be written before the connection is failed.
const MAX_WRITE_BUFFER_BYTES: usize = WRITE_BUFFER_BYTES + 4 * MAX_FRAME_BYTES;

pub async fn upgrade(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    // Counted from the upgrade: a socket that never authenticates holds its place too.
    let peer = peer.map_or(IpAddr::from([0, 0, 0, 0]), |Extension(ConnectInfo(a))| {
        a.ip()
    });
    let address = crate::client_address::client_ip(peer, &headers, &state.settings.trusted_proxies);
    let Some(address_slot) = state
        .socket_caps
        .enter_address(address, state.settings.max_sockets_per_address)
    else {
        let error = Error::client(
            ErrorCode::RateLimited,
            "too many open sockets from this address; close some and retry",
        );
        return crate::ip_limit::retry_later(error, std::time::Duration::from_secs(5));
    };
    // A plain HTTP request here gets an `ApiError`, not axum's plain-text rejection.
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => {
            let mut response = Error::client(
                ErrorCode::InvalidFrame,
                format!(
                    "open this endpoint as a WebSocket: {}",
                    rejection.body_text()
                ),
            )
            .into_response();
            *response.status_mut() = rejection.status();
            return response;
        }
    };
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| {
            s.chars()
                .take(tidings_protocol::limits::MAX_FIELD_CHARS)
                .collect::<String>()
        });
    // Counted from here: if the upgrade never happens the closure, and the count, drop.
    let alive = state.sockets.enter();
    ws.read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| async move {
            connection::run(state, socket, user_agent).await;
            drop((alive, address_slot));
        })
}
