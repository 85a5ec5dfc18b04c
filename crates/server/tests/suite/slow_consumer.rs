//! A client that stops reading cannot make the server buffer without bound: once its
//! socket stays full past the deadline it is disconnected (it would reconnect and resume),
//! and everyone else is still served.

use crate::common;

use std::time::Duration;

use common::{ack_fields, Client, TestServer};
use serde_json::json;
use tidings_protocol::ServerFrame;
use uuid::Uuid;

/// Messages in the history the slow client asks for: far more than socket buffers hold.
const HISTORY: u64 = 4_000;

#[tokio::test]
async fn a_client_that_stops_reading_is_disconnected() {
    let mut settings = common::test_settings();
    settings.heartbeat_timeout = Duration::from_secs(1);
    let server = TestServer::start_with_settings(settings).await;
    let (_, token) = server.visitor().await;
    let conversation_id = {
        let (mut writer, _) = Client::connect(&server, &token).await;
        ack_fields(&writer.send_message(Uuid::new_v4(), None, "start").await).0
    };

    // A long history (about 16 MB of JSON), written straight into the store.
    let body = "x".repeat(4_000);
    // On SQLite, BEGIN IMMEDIATE takes the write lock (waiting for it if the server's own
    // writer holds it) before reading anything: a deferred BEGIN could find its snapshot
    // outdated by the writer's commit and fail with "database is locked" at once.
    let mut tx = if common::database::postgres() {
        server.state.pool.begin().await.unwrap()
    } else {
        server
            .state
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .unwrap()
    };
    for seq in 2..=HISTORY + 1 {
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, seq, sender, body, created_at)
             VALUES ($1, $2, $3, 'visitor', $4, $5)",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(conversation_id.to_string())
        .bind(seq as i64)
        .bind(&body)
        .bind(seq as i64)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query("UPDATE conversations SET last_seq = $1 WHERE id = $2")
        .bind((HISTORY + 1) as i64)
        .bind(conversation_id.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let (mut slow, _) = Client::connect(&server, &token).await;
    slow.send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    // From here on the slow client reads nothing. Wait (with a deadline) for the server to
    // drop it.
    let deadline = tokio::time::Instant::now() + common::DEADLINE;
    while server.state.hub.connection_count() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the slow client was never disconnected"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let (_, other) = server.visitor().await;
    let (mut ws, _) = Client::connect(&server, &other).await;
    let ack = ws
        .send_message(Uuid::new_v4(), None, "others are served")
        .await;
    assert!(matches!(ack, ServerFrame::Ack { .. }));
    drop(slow);
    server.stop().await;
}
