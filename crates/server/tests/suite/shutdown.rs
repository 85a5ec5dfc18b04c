//! SIGTERM shuts the binary down gracefully: every open socket, authenticated or still in
//! its handshake, gets GOING_AWAY (so clients reconnect and resume) before the process
//! exits with success, and what was acknowledged is there after a restart.

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::process::{socket_url, spawn_server, wait_for_exit};
use common::{ack_fields, create_visitor, message_of, Client, Ending};
use serde_json::json;
use tidings_protocol::frame::close;
use tidings_protocol::ServerFrame;
use uuid::Uuid;

#[tokio::test]
async fn sigterm_sends_going_away_to_every_socket_and_exits_cleanly() {
    let db = common::TestDb::new().await;
    let database_url = db.url.clone();
    let (mut child, address) = spawn_server(&database_url);
    let (_, token) = create_visitor(&address).await;
    let (mut visitor, _) = Client::connect_url(&socket_url(&address), &token).await;
    let (conversation_id, seq) = ack_fields(
        &visitor
            .send_message(Uuid::new_v4(), None, "before the stop")
            .await,
    );
    // Open, but not authenticated yet.
    let mut unauthenticated = Client::connect_raw_url(&socket_url(&address)).await;
    visitor.send(json!({"type": "ping", "nonce": 1})).await;
    visitor
        .expect(|f| matches!(f, ServerFrame::Pong { nonce: 1 }))
        .await;

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(
        visitor.ending().await,
        Ending::Closed(Some(close::GOING_AWAY))
    );
    let status = wait_for_exit(&mut child, Duration::from_secs(10));
    assert!(status.success(), "graceful exit: {status:?}");
    assert_eq!(
        unauthenticated.ending().await,
        Ending::Closed(Some(close::GOING_AWAY)),
        "a socket in its handshake is told too"
    );

    let (mut child, address) = spawn_server(&database_url);
    let (mut visitor, _) = Client::connect_url(&socket_url(&address), &token).await;
    visitor
        .send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    let replayed = visitor
        .expect(|f| matches!(f, ServerFrame::Message { .. }))
        .await;
    assert_eq!(message_of(&replayed), (seq, "before the stop".to_string()));
    let _ = child.kill();
    let _ = child.wait();
}
