//! `kill -9` of the server process loses no acknowledged message: every acked send is
//! there, with its seq, when the binary starts again on the same database file.

mod common;

use common::process::{socket_url, spawn_server};
use common::{ack_fields, create_visitor, message_of, Client};
use serde_json::json;
use tidings_protocol::ServerFrame;
use uuid::Uuid;

#[tokio::test]
async fn acknowledged_messages_survive_kill_9() {
    let dir = tempfile::TempDir::new().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("tidings.db").display());
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
            last_seq: 20
        }
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
