//! `kill -9` of the server process loses no acknowledged message: every acked send is
//! there, with its seq, when the binary starts again on the same database file, also
//! when the process dies while many writers keep it busy (an ack is never sent before its
//! group has committed).

use crate::common;

use std::sync::Arc;

use common::process::{socket_url, spawn_server, spawn_server_with};
use common::{ack_fields, create_visitor, message_of, Client};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tidings_protocol::ServerFrame;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;

#[tokio::test]
async fn acknowledged_messages_survive_kill_9() {
    let db = common::TestDb::new().await;
    let database_url = db.url.clone();
    let (mut child, address) = spawn_server(&database_url);
    let url = socket_url(&address);

    let (_, token) = create_visitor(&address).await;
    let (mut ws, _) = Client::connect_url(&url, &token).await;
    let mut conversation = None;
    let mut acked = Vec::new();
    for n in 1..=20u64 {
        let id = Uuid::new_v4();
        let (c, seq) = ack_fields(
            &ws.send_message(id, conversation, &format!("durable {n}"))
                .await,
        );
        assert_eq!(seq, n);
        conversation = Some(c);
        acked.push(id);
    }
    // The crash: no shutdown, no checkpoint, straight after the last ack.
    child.kill().unwrap();
    child.wait().unwrap();

    let (mut child, address) = spawn_server(&database_url);
    let url = socket_url(&address);
    let (mut ws, _) = Client::connect_url(&url, &token).await;
    let conversation_id = conversation.unwrap();
    ws.send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    assert!(matches!(ws.next().await, ServerFrame::Snapshot { .. }));
    for (n, id) in acked.iter().enumerate() {
        let frame = ws.next().await;
        let n = n as u64 + 1;
        assert_eq!(message_of(&frame), (n, format!("durable {n}")));
        assert!(matches!(&frame, ServerFrame::Message { message } if message.id == *id));
    }
    assert_eq!(
        ws.next().await,
        ServerFrame::Synced {
            conversation_id,
            last_seq: 20,
            after_seq: 0,
        }
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_ack_received_before_kill_9_under_load_is_stored_with_its_seq() {
    let db = common::TestDb::new().await;
    let database_url = db.url.clone();
    let (mut child, address) = spawn_server_with(
        &database_url,
        &["--rate-per-second", "100000", "--rate-burst", "100000"],
    );
    let url = socket_url(&address);

    // Writers pipeline sends as fast as the server takes them; every ack is recorded the
    // moment it arrives. The process is killed once enough acks are in, while groups are
    // still being committed.
    const WRITERS: usize = 8;
    const SENDS: usize = 400;
    const KILL_AFTER: usize = 400;
    let acked = Arc::new(std::sync::Mutex::new(Vec::<(Uuid, Uuid, u64)>::new()));
    let enough = Arc::new(tokio::sync::Notify::new());
    let mut writers = Vec::new();
    for _ in 0..WRITERS {
        let (_, token) = create_visitor(&address).await;
        let (mut ws, _) = Client::connect_url(&url, &token).await;
        let (conversation_id, _) =
            ack_fields(&ws.send_message(Uuid::new_v4(), None, "start").await);
        let (acked, enough) = (acked.clone(), enough.clone());
        writers.push(tokio::spawn(async move {
            for n in 0..SENDS {
                let frame = json!({"type": "send", "id": Uuid::new_v4(), "conversation_id": conversation_id, "body": format!("n{n}")});
                // The kill may come while this writer is still sending: stop there.
                if ws.ws.send(WsMessage::text(frame.to_string())).await.is_err() {
                    break;
                }
            }
            // Read until the socket dies with the process; never panic on that.
            while let Some(Ok(message)) = ws.ws.next().await {
                let Ok(text) = message.into_text() else { continue };
                if let Ok(ServerFrame::Ack { id, conversation_id, seq, .. }) =
                    serde_json::from_str::<ServerFrame>(&text)
                {
                    let mut acked = acked.lock().unwrap();
                    acked.push((id, conversation_id, seq));
                    if acked.len() >= KILL_AFTER {
                        enough.notify_one();
                    }
                }
            }
        }));
    }
    tokio::time::timeout(common::DEADLINE, enough.notified())
        .await
        .expect("enough acks before the deadline");
    child.kill().unwrap();
    child.wait().unwrap();
    for writer in writers {
        writer.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= KILL_AFTER);
    assert!(
        acked.len() < WRITERS * SENDS,
        "the kill came while writes were still under way"
    );

    // The database as the crash left it (opening it recovers the WAL).
    let pool = tidings_server::db::connect(&database_url)
        .await
        .unwrap()
        .pool;
    for (id, conversation_id, seq) in &acked {
        let stored: Option<(String, i64)> =
            sqlx::query_as("SELECT conversation_id, seq FROM messages WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&pool)
                .await
                .unwrap();
        assert_eq!(
            stored,
            Some((conversation_id.to_string(), *seq as i64)),
            "acked message {id} is stored with its seq"
        );
    }
    pool.close().await;
}
