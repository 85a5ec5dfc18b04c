//! Bounds no single client can exceed (issue 10 item 3): open sockets per address and per
//! visitor, one frame rate for all of a visitor's sockets, HTTP writes per token, a
//! deadline for request headers, and per-address limits behind a trusted proxy.

mod common;

use std::time::Duration;

use common::{test_settings, Client, Ending, TestServer, DEADLINE};
use serde_json::json;
use tidings_protocol::frame::close;
use tidings_protocol::{ErrorCode, ServerFrame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite;

#[tokio::test]
async fn an_address_holds_at_most_its_cap_of_sockets_authenticated_or_not() {
    let mut settings = test_settings();
    settings.max_sockets_per_address = 3;
    let server = TestServer::start_with_settings(settings).await;
    let (_, token) = server.visitor().await;
    let (_authenticated, _) = Client::connect(&server, &token).await;
    let silent = Client::connect_raw(&server).await;
    let _third = Client::connect_raw(&server).await;

    // The fourth upgrade is refused before it becomes a socket.
    let refused = tokio_tungstenite::connect_async(server.ws_url()).await;
    match refused {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429);
            assert!(response.headers().contains_key("retry-after"));
        }
        other => panic!("expected 429, got {other:?}"),
    }
    // A socket that goes away gives its place back.
    drop(silent);
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        match tokio_tungstenite::connect_async(server.ws_url()).await {
            Ok(_) => break,
            Err(_) if tokio::time::Instant::now() < deadline => {
                // The server notices the close when its task ends; ask again.
                tokio::task::yield_now().await;
            }
            Err(e) => panic!("the freed place was never given back: {e}"),
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn a_visitor_holds_at_most_its_cap_of_sockets_and_others_are_unaffected() {
    let mut settings = test_settings();
    settings.max_sockets_per_peer = 2;
    let server = TestServer::start_with_settings(settings).await;
    let (_, token) = server.visitor().await;
    let (_one, _) = Client::connect(&server, &token).await;
    let (_two, _) = Client::connect(&server, &token).await;
    let mut third = Client::connect_raw(&server).await;
    third
        .send(json!({"type": "auth", "token": token, "version": 1}))
        .await;
    assert_eq!(
        third.ending().await,
        Ending::Closed(Some(close::TOO_MANY_SOCKETS))
    );
    let (_, other) = server.visitor().await;
    let (_other, hello) = Client::connect(&server, &other).await;
    assert!(matches!(hello, ServerFrame::Hello { .. }));
    server.stop().await;
}

#[tokio::test]
async fn a_visitors_sockets_share_one_frame_rate() {
    let mut settings = test_settings();
    settings.rate_per_second = 1;
    settings.rate_burst = 4;
    let server = TestServer::start_with_settings(settings).await;
    let (_, token) = server.visitor().await;
    let (mut one, _) = Client::connect(&server, &token).await;
    let (mut two, _) = Client::connect(&server, &token).await;
    // Two pings on each socket use the shared burst of four...
    for ws in [&mut one, &mut two] {
        for nonce in 0..2 {
            ws.send(json!({"type": "ping", "nonce": nonce})).await;
            assert!(matches!(ws.next().await, ServerFrame::Pong { .. }));
        }
    }
    // ...so a fifth frame, on either socket, is over the rate.
    two.send(json!({"type": "ping", "nonce": 9})).await;
    assert!(
        matches!(
            two.next().await,
            ServerFrame::Error {
                code: ErrorCode::RateLimited,
                ..
            }
        ),
        "one more socket bought no more rate"
    );
    server.stop().await;
}

#[tokio::test]
async fn http_writes_are_limited_per_token() {
    let mut settings = test_settings();
    settings.http_writes_per_minute = 3;
    let server = TestServer::start_with_settings(settings).await;
    let (_, token) = server.visitor().await;
    let patch = |token: String, n: u32| {
        let url = server.url("/v1/visitor");
        async move {
            reqwest::Client::new()
                .patch(url)
                .bearer_auth(token)
                .json(&json!({"name": format!("Name {n}")}))
                .send()
                .await
                .unwrap()
        }
    };
    for n in 0..3 {
        assert_eq!(patch(token.clone(), n).await.status(), 200);
    }
    let refused = patch(token.clone(), 3).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    // Another visitor has a bucket of their own.
    let (_, other) = server.visitor().await;
    assert_eq!(patch(other, 0).await.status(), 200);
    server.stop().await;
}

/// `POST /v1/visitors` from 127.0.0.1 claiming to forward `client`.
async fn create_visitor_as(server: &TestServer, client: &str) -> u16 {
    reqwest::Client::new()
        .post(server.url("/v1/visitors"))
        .header("x-forwarded-for", client)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn forwarding_headers_count_only_from_a_trusted_proxy() {
    // Not trusted: the header is ignored, and both requests count against 127.0.0.1.
    let mut settings = test_settings();
    settings.visitor_create_per_minute = 1;
    let server = TestServer::start_with_settings(settings.clone()).await;
    assert_eq!(create_visitor_as(&server, "203.0.113.1").await, 201);
    assert_eq!(create_visitor_as(&server, "203.0.113.2").await, 429);
    server.stop().await;

    // Trusted: each forwarded client has its own bucket; a forged left entry is ignored.
    settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    let server = TestServer::start_with_settings(settings).await;
    assert_eq!(create_visitor_as(&server, "203.0.113.1").await, 201);
    assert_eq!(create_visitor_as(&server, "203.0.113.2").await, 201);
    assert_eq!(
        create_visitor_as(&server, "198.51.100.7, 203.0.113.1").await,
        429
    );
    server.stop().await;
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let mut settings = test_settings();
    settings.header_read_timeout = Duration::from_millis(300);
    let server = TestServer::start_with_settings(settings).await;
    let mut slow = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    // The server closes the connection (possibly after a 408) instead of waiting forever.
    let mut rest = Vec::new();
    let read = tokio::time::timeout(DEADLINE, slow.read_to_end(&mut rest)).await;
    assert!(
        read.is_ok(),
        "the connection was still open at the deadline"
    );
    let answer = String::from_utf8_lossy(&rest);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    // A prompt client is served as always.
    let health = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    server.stop().await;
}

/// Resident memory of this process (the server runs in it), in bytes.
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_of_100_000_messages_streams_in_pages_with_bounded_memory() {
    const HISTORY: u64 = 100_000;
    const BODY_BYTES: usize = 400;
    let server = TestServer::start().await;
    let (_, token) = server.visitor().await;
    let conversation_id = {
        let (mut writer, _) = Client::connect(&server, &token).await;
        common::ack_fields(
            &writer
                .send_message(uuid::Uuid::new_v4(), None, "start")
                .await,
        )
        .0
    };
    // About 40 MB of history, written straight into the store in batches.
    let body = "x".repeat(BODY_BYTES);
    let mut tx = server.state.pool.begin().await.unwrap();
    for first in (2..=HISTORY + 1).step_by(1000) {
        let last = (first + 999).min(HISTORY + 1);
        let rows: Vec<String> = (first..=last)
            .map(|seq| {
                let n = (seq - first) as usize * 3;
                format!("(${}, $1, ${}, 'visitor', $2, ${})", n + 3, n + 4, n + 5)
            })
            .collect();
        let sql = format!(
            "INSERT INTO messages (id, conversation_id, seq, sender, body, created_at) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(conversation_id.to_string())
            .bind(&body);
        for seq in first..=last {
            query = query
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(seq as i64)
                .bind(seq as i64);
        }
        query.execute(&mut *tx).await.unwrap();
    }
    sqlx::query("UPDATE conversations SET last_seq = $1 WHERE id = $2")
        .bind((HISTORY + 1) as i64)
        .bind(conversation_id.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let before = resident_bytes();
    let (mut reader, _) = Client::connect(&server, &token).await;
    reader
        .send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    let mut next_seq = 1;
    let mut peak = before;
    loop {
        match reader.next().await {
            ServerFrame::Message { message } => {
                assert_eq!(message.seq, next_seq, "in order, once");
                next_seq += 1;
                if next_seq % 5_000 == 0 {
                    peak = peak.max(resident_bytes());
                }
            }
            ServerFrame::Synced { last_seq, .. } => {
                assert_eq!(last_seq, HISTORY + 1);
                break;
            }
            _ => {}
        }
    }
    assert_eq!(next_seq, HISTORY + 2);
    let grown = peak.saturating_sub(before);
    eprintln!(
        "replayed {HISTORY} messages (about {} MB of frames); resident memory grew by {:.1} MB at most",
        HISTORY as usize * (BODY_BYTES + 200) / 1_000_000,
        grown as f64 / 1e6
    );
    // The whole history would be about 60 MB of frames; pages of 500 keep it to a few.
    assert!(
        grown < 25_000_000,
        "memory grew by {grown} bytes while replaying"
    );
    server.stop().await;
}
