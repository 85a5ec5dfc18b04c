//! Agent sessions end: one left unused past the idle timeout, and one past its lifetime
//! however busy, stop working on HTTP, and their open sockets close (UNAUTHORIZED) at the
//! next heartbeat. Heartbeats alone do not keep a session alive; requests and other frames
//! do.

use crate::common;

use std::time::{Duration, Instant};

use common::{test_settings, Client, Ending, TestServer};
use reqwest::StatusCode;
use serde_json::json;
use tidings_protocol::frame::close;
use tidings_server::config::SessionLimits;
use tidings_server::Settings;

fn settings(idle: Duration, lifetime: Duration) -> Settings {
    Settings {
        heartbeat_interval: Duration::from_millis(200),
        sessions: SessionLimits { idle, lifetime },
        ..test_settings()
    }
}

async fn me(server: &TestServer, token: &str) -> StatusCode {
    server.get("/v1/agents/me", token).await.status()
}

#[tokio::test]
async fn an_unused_session_ends_on_http_and_its_idle_socket_closes_while_a_used_one_lives_on() {
    let idle = Duration::from_millis(1500);
    let server = TestServer::start_with_settings(settings(idle, Duration::from_secs(3600))).await;
    let (_, idle_token) = server.agent("Ada", false).await;
    let (_, busy_token) = server.agent("Bob", false).await;
    assert_eq!(me(&server, &idle_token).await, StatusCode::OK);

    // Ada's console sits open and answers heartbeats, nothing more; Bob's console is used.
    let (mut ada, _) = Client::connect(&server, &idle_token).await;
    let started = Instant::now();
    let (mut bob, _) = Client::connect(&server, &busy_token).await;
    let ada_ending = tokio::spawn(async move { ada.ending().await });
    while started.elapsed() < 2 * idle {
        assert_eq!(me(&server, &busy_token).await, StatusCode::OK);
        bob.send(json!({"type": "presence", "status": "online"}))
            .await;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(
        ada_ending.await.unwrap(),
        Ending::Closed(Some(close::UNAUTHORIZED)),
        "the idle session's socket closes at a heartbeat"
    );
    assert_eq!(me(&server, &idle_token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&server, &busy_token).await, StatusCode::OK);
    bob.send(json!({"type": "ping", "nonce": 3})).await;
    bob.expect(|f| matches!(f, tidings_protocol::ServerFrame::Pong { nonce: 3 }))
        .await;
    // A socket cannot be opened with the ended session either.
    let mut late = Client::connect_raw(&server).await;
    late.send(
        json!({"type": "auth", "token": idle_token, "version": tidings_protocol::PROTOCOL_VERSION}),
    )
    .await;
    assert_eq!(
        late.ending().await,
        Ending::Closed(Some(close::UNAUTHORIZED))
    );
    server.stop().await;
}

#[tokio::test]
async fn a_session_ends_at_its_lifetime_however_busy() {
    let lifetime = Duration::from_millis(2000);
    let server =
        TestServer::start_with_settings(settings(Duration::from_secs(3600), lifetime)).await;
    // Before the session is created: the server counts its lifetime from that moment, so
    // the end measured from here is never early (taken after creating the agent and the
    // session, it was early by the time that took: 1.975 s of 2 on a busy machine).
    let created = Instant::now();
    let (_, token) = server.agent("Ada", false).await;
    let (mut ada, _) = Client::connect(&server, &token).await;
    let mut ended_at = None;
    while created.elapsed() < lifetime + Duration::from_secs(3) {
        ada.send(json!({"type": "presence", "status": "online"}))
            .await;
        if me(&server, &token).await == StatusCode::UNAUTHORIZED {
            ended_at = Some(created.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let ended_at = ended_at.expect("the session ended");
    assert!(
        ended_at >= lifetime,
        "not before its lifetime: {ended_at:?}"
    );
    assert_eq!(
        ada.ending().await,
        Ending::Closed(Some(close::UNAUTHORIZED))
    );
    server.stop().await;
}
