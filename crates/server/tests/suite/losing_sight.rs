//! An agent who loses sight of a conversation (another agent claimed it, an admin closed
//! or reassigned it) stops following it, sees it leave their lists, and learns nothing of
//! its content from then on; the admin who ended a chat still sees it. A removed agent's
//! sockets are closed.

use crate::common;

use common::{ack_fields, Client, Ending, TestServer};
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::json;
use tidings_protocol::{ConversationStatus, ServerFrame};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;

#[tokio::test]
async fn a_waiting_chat_an_admin_closes_leaves_plain_agents_view_and_stream() {
    let server = TestServer::start().await;
    let (_, visitor_token) = server.visitor().await;
    let (_, bob_token) = server.agent("Bob", false).await;
    let (_, root_token) = server.agent("Root", true).await;
    let (mut visitor, _) = Client::connect(&server, &visitor_token).await;
    let (conversation_id, _) =
        ack_fields(&visitor.send_message(Uuid::new_v4(), None, "anyone?").await);

    // Bob follows the waiting chat in one console tab and watches the queue in another.
    let (mut bob_viewer, _) = Client::connect(&server, &bob_token).await;
    bob_viewer
        .send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    bob_viewer
        .expect(|f| matches!(f, ServerFrame::Synced { .. }))
        .await;
    assert!(!common::typing_refused(&mut bob_viewer, conversation_id).await);
    let (mut bob_queue, _) = Client::connect(&server, &bob_token).await;
    bob_queue.send(json!({"type": "watch_queue"})).await;
    bob_queue
        .expect(|f| matches!(f, ServerFrame::Queue { conversations } if conversations.len() == 1))
        .await;

    // The admin closes it without replying: it becomes the admin's ended chat.
    let closed = reqwest::Client::new()
        .post(server.url(&format!("/v1/conversations/{conversation_id}/close")))
        .bearer_auth(&root_token)
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), StatusCode::OK);

    // Bob's queue hears of it, so it leaves his Waiting list...
    let news = bob_queue
        .expect(|f| matches!(f, ServerFrame::Conversation { .. }))
        .await;
    assert!(
        matches!(&news, ServerFrame::Conversation { conversation, .. }
            if conversation.id == conversation_id
                && conversation.status == ConversationStatus::Ended),
        "{news:?}"
    );
    // ...and his tab that followed it no longer does.
    assert!(common::typing_refused(&mut bob_viewer, conversation_id).await);
    assert_eq!(
        server
            .get(&format!("/v1/conversations/{conversation_id}"), &bob_token)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // The admin who ended it still sees it.
    assert_eq!(
        server
            .get(&format!("/v1/conversations/{conversation_id}"), &root_token)
            .await
            .status(),
        StatusCode::OK
    );
    server.stop().await;
}

#[tokio::test]
async fn agents_who_lose_sight_of_a_claimed_chat_learn_only_that_it_was_taken() {
    let server = TestServer::start().await;
    let (_, visitor_token) = server.visitor().await;
    let (ada, ada_token) = server.agent("Ada", false).await;
    let (_, bob_token) = server.agent("Bob", false).await;
    let (mut visitor, _) = Client::connect(&server, &visitor_token).await;
    let (conversation_id, _) =
        ack_fields(&visitor.send_message(Uuid::new_v4(), None, "hello").await);
    let identified = reqwest::Client::new()
        .patch(server.url("/v1/visitor"))
        .bearer_auth(&visitor_token)
        .json(&json!({"name": "Vera", "email": "vera@example.test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(identified.status(), StatusCode::OK);

    let (mut bob_queue, _) = Client::connect(&server, &bob_token).await;
    bob_queue.send(json!({"type": "watch_queue"})).await;
    bob_queue
        .expect(|f| matches!(f, ServerFrame::Queue { conversations } if conversations.len() == 1))
        .await;
    let (mut ada_ws, _) = Client::connect(&server, &ada_token).await;
    ada_ws
        .send_message(
            Uuid::new_v4(),
            Some(conversation_id),
            "your order ships Monday",
        )
        .await;

    let taken = bob_queue
        .expect(|f| {
            matches!(f, ServerFrame::Conversation { conversation, .. }
                if conversation.status == ConversationStatus::Active)
        })
        .await;
    let ServerFrame::Conversation { conversation, .. } = taken else {
        unreachable!()
    };
    assert_eq!(conversation.id, conversation_id);
    assert_eq!(conversation.assigned_agent.map(|a| a.id), Some(ada.id));
    assert_eq!(conversation.last_message_preview, None, "not Ada's reply");
    assert_eq!(conversation.visitor_name, None);
    assert_eq!(conversation.visitor_email, None);
    server.stop().await;
}

#[tokio::test]
async fn a_removed_agents_open_sockets_are_closed_at_the_next_heartbeat() {
    let server = TestServer::start().await;
    let (_, ada_token) = server.agent("Ada", false).await;
    let (_, bob_token) = server.agent("Bob", false).await;
    let (mut ada, _) = Client::connect(&server, &ada_token).await;
    let (mut bob, _) = Client::connect(&server, &bob_token).await;

    // What `tidings-server agent remove` does, from outside this server's process.
    let removed =
        tidings_server::store::agents::remove_by_email(&server.state.pool, "ada@example.test")
            .await
            .unwrap();
    assert!(removed);
    assert_eq!(
        ada.ending().await,
        Ending::Closed(Some(tidings_protocol::frame::close::UNAUTHORIZED))
    );
    // Bob's session is untouched: two more heartbeats pass (their pings answered) and he is
    // still served.
    let mut pings = 0;
    while pings < 2 {
        let frame = tokio::time::timeout(common::DEADLINE, bob.ws.next())
            .await
            .expect("a server ping before the deadline");
        if let Some(Ok(WsMessage::Text(text))) = frame {
            if let Ok(ServerFrame::Ping { nonce }) = serde_json::from_str(&text) {
                pings += 1;
                bob.send(json!({"type": "pong", "nonce": nonce})).await;
            }
        }
    }
    bob.send(json!({"type": "ping", "nonce": 9})).await;
    bob.expect(|f| matches!(f, ServerFrame::Pong { nonce: 9 }))
        .await;
    server.stop().await;
}
