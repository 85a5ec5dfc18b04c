//! `kill -9` of the server process loses no acknowledged message: every acked send is
//! there, with its seq, when the binary starts again on the same database file.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::{ack_fields, message_of, Client};
use serde_json::json;
use tidings_protocol::ServerFrame;
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_tidings-server");

/// Starts `serve` on a free port and returns the child and its `http://…` address.
fn spawn_server(database_url: &str) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            database_url,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix("listening on ")
        .expect("the address line")
        .to_string();
    (child, address)
}

#[tokio::test]
async fn acknowledged_messages_survive_kill_9() {
    let dir = tempfile::TempDir::new().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("tidings.db").display());
    let (mut child, address) = spawn_server(&database_url);
    let socket_url = format!("{}/v1/socket", address.replacen("http://", "ws://", 1));

    let created: serde_json::Value = reqwest::Client::new()
        .post(format!("{address}/v1/visitors"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = created["token"].as_str().unwrap().to_string();
    let (mut ws, _) = Client::connect_url(&socket_url, &token).await;
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
    let socket_url = format!("{}/v1/socket", address.replacen("http://", "ws://", 1));
    let (mut ws, _) = Client::connect_url(&socket_url, &token).await;
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
