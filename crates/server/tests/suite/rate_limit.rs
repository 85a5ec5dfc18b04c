//! The per-connection rate limit: every kind of frame a client can flood with (protocol
//! frames, pongs nobody asked for, binary frames, WebSocket pings) is refused with
//! `rate_limited` once over the rate, a sustained flood is closed with RATE_LIMITED, and
//! other clients are served meanwhile. Before `auth`, every kind of frame counts towards
//! the few refusals a connection gets.

use crate::common;

use common::{still_serving, Client, TestServer};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tidings_protocol::frame::close;
use tidings_protocol::{ErrorCode, ServerFrame};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;

/// Frames sent by each flood: far above the default burst (40) plus the strikes (20).
const FLOOD: usize = 400;

/// How a flood was answered.
struct FloodOutcome {
    /// `rate_limited` error frames received, and how many of them named a message id.
    rate_limited: usize,
    naming_an_id: usize,
    /// The close code the server ended with (`None`: dropped without one).
    close_code: Option<u16>,
}

/// Connects a visitor, sends `FLOOD` frames made by `frame`, and reads until the end.
async fn flood(server: &TestServer, frame: impl Fn(usize) -> WsMessage) -> FloodOutcome {
    let (_, token) = server.visitor().await;
    let (mut flooder, _) = Client::connect(server, &token).await;
    for n in 0..FLOOD {
        if flooder.ws.send(frame(n)).await.is_err() {
            break;
        }
    }
    let mut outcome = FloodOutcome {
        rate_limited: 0,
        naming_an_id: 0,
        close_code: None,
    };
    tokio::time::timeout(common::DEADLINE, async {
        loop {
            match flooder.ws.next().await {
                Some(Ok(WsMessage::Text(text))) => {
                    if let Ok(ServerFrame::Error {
                        code: ErrorCode::RateLimited,
                        id,
                        ..
                    }) = serde_json::from_str(&text)
                    {
                        outcome.rate_limited += 1;
                        outcome.naming_an_id += usize::from(id.is_some());
                    }
                }
                Some(Ok(WsMessage::Close(frame))) => {
                    outcome.close_code = frame.map(|f| u16::from(f.code));
                    return;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            }
        }
    })
    .await
    .expect("the flooder was not closed");
    outcome
}

#[tokio::test]
async fn a_flood_of_sends_gets_rate_limited_then_closed_while_others_are_served() {
    let server = TestServer::start().await;
    let outcome = flood(&server, |n| {
        let frame = json!({"type": "send", "id": Uuid::new_v4(), "body": format!("spam {n}")});
        WsMessage::text(frame.to_string())
    })
    .await;
    assert!(
        outcome.rate_limited > 0,
        "excess frames got rate_limited errors"
    );
    assert_eq!(
        outcome.naming_an_id, outcome.rate_limited,
        "a refused send names its id"
    );
    assert_eq!(outcome.close_code, Some(close::RATE_LIMITED));
    still_serving(&server).await;
    server.stop().await;
}

#[tokio::test]
async fn floods_of_pongs_binary_frames_and_websocket_pings_are_limited_too() {
    let server = TestServer::start().await;
    let pongs = flood(&server, |n| {
        WsMessage::text(json!({"type": "pong", "nonce": 1_000_000 + n}).to_string())
    })
    .await;
    assert!(
        pongs.rate_limited > 0,
        "unasked pongs count against the rate"
    );
    assert_eq!(pongs.close_code, Some(close::RATE_LIMITED));

    let binary = flood(&server, |n| WsMessage::binary(vec![n as u8; 16])).await;
    assert!(
        binary.rate_limited > 0,
        "binary frames count against the rate"
    );
    assert_eq!(binary.close_code, Some(close::RATE_LIMITED));

    let pings = flood(&server, |n| WsMessage::Ping(vec![n as u8; 8].into())).await;
    assert!(
        pings.rate_limited > 0,
        "WebSocket pings count against the rate"
    );
    assert_eq!(pings.close_code, Some(close::RATE_LIMITED));
    still_serving(&server).await;
    server.stop().await;
}

#[tokio::test]
async fn before_auth_binary_frames_and_pings_count_as_refused_frames() {
    let server = TestServer::start().await;
    for frame in [
        WsMessage::binary(vec![1u8; 16]),
        WsMessage::Ping(vec![2u8; 8].into()),
    ] {
        let mut client = Client::connect_raw(&server).await;
        for _ in 0..20 {
            if client.ws.send(frame.clone()).await.is_err() {
                break;
            }
        }
        assert_eq!(
            client.ending().await,
            common::Ending::Closed(Some(close::POLICY)),
            "{frame:?}"
        );
    }
    still_serving(&server).await;
    server.stop().await;
}
