//! Transfer: the agent holding a conversation (or an admin) hands it to another agent, with
//! an optional note stored as a private note, or puts it back in the waiting queue. The new
//! holder's queue hears `assigned`, the visitor sees "<name> joined the chat" (never the
//! note), and the giver loses sight of it as after an admin's reassignment. Every rule is
//! checked here; runs on SQLite, and on PostgreSQL with `TIDINGS_TEST_BACKEND=postgres`.

use crate::common;

use common::{ack_fields, Client, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tidings_protocol::http::{ApiError, HistoryPage};
use tidings_protocol::{Conversation, ConversationEvent, ConversationStatus, ErrorCode};
use tidings_protocol::{Sender, ServerFrame};
use uuid::Uuid;

async fn transfer(
    server: &TestServer,
    token: &str,
    conversation_id: Uuid,
    body: Value,
) -> reqwest::Response {
    server
        .post(
            &format!("/v1/conversations/{conversation_id}/transfer"),
            token,
            body,
        )
        .await
}

async fn error_code(response: reqwest::Response) -> (StatusCode, ErrorCode) {
    let status = response.status();
    let error: ApiError = response.json().await.unwrap();
    (status, error.code)
}

/// A visitor's conversation that the agent with `token` holds (claimed by replying).
async fn held_by(server: &TestServer, visitor: &mut Client, token: &str) -> Uuid {
    let (conversation_id, _) =
        ack_fields(&visitor.send_message(Uuid::new_v4(), None, "hello").await);
    let claimed = server
        .post(
            &format!("/v1/conversations/{conversation_id}/claim"),
            token,
            json!({}),
        )
        .await;
    assert_eq!(claimed.status(), StatusCode::OK);
    conversation_id
}

#[tokio::test]
async fn the_holder_hands_a_chat_to_a_colleague_with_a_note_the_visitor_never_sees() {
    let server = TestServer::start().await;
    let (_, visitor_token) = server.visitor().await;
    let (_, ada_token) = server.agent("Ada", false).await;
    let (grace, grace_token) = server.agent("Grace", false).await;
    let (mut visitor, _) = Client::connect(&server, &visitor_token).await;
    let conversation_id = held_by(&server, &mut visitor, &ada_token).await;

    // Ada follows it; Grace watches her queue.
    let (mut ada, _) = Client::connect(&server, &ada_token).await;
    ada.send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    ada.expect(|f| matches!(f, ServerFrame::Synced { .. }))
        .await;
    let (mut grace_ws, _) = Client::connect(&server, &grace_token).await;
    grace_ws.send(json!({"type": "watch_queue"})).await;
    grace_ws
        .expect(|f| matches!(f, ServerFrame::Queue { .. }))
        .await;

    let answer = transfer(
        &server,
        &ada_token,
        conversation_id,
        json!({"agent_id": grace.id, "note": "NOTE-ONLY: wants a refund, order 1234"}),
    )
    .await;
    assert_eq!(answer.status(), StatusCode::OK);
    let conversation: Conversation = answer.json().await.unwrap();
    assert_eq!(conversation.status, ConversationStatus::Active);
    assert_eq!(conversation.assigned_agent.map(|a| a.id), Some(grace.id));

    // Grace's console hears that it was assigned to her.
    let news = grace_ws
        .expect(|f| {
            matches!(f, ServerFrame::Conversation { event: ConversationEvent::Assigned, conversation, .. }
                if conversation.id == conversation_id)
        })
        .await;
    let ServerFrame::Conversation { conversation, .. } = news else {
        unreachable!()
    };
    assert_eq!(
        conversation.assigned_agent.map(|a| a.name),
        Some("Grace".into())
    );

    // The visitor sees Grace join, and never the note (its seq comes as `synced`).
    let mut seen = Vec::new();
    let joined = loop {
        let frame = visitor.next().await;
        let text = serde_json::to_string(&frame).unwrap();
        assert!(!text.contains("NOTE-ONLY"), "the visitor received {text}");
        seen.push(frame.clone());
        if let ServerFrame::Message { message } = frame {
            assert_ne!(message.sender, Sender::Note);
            if message.sender == Sender::System && message.body == "Grace joined the chat" {
                break message;
            }
        }
    };
    assert!(
        seen.iter().any(
            |f| matches!(f, ServerFrame::Synced { last_seq, .. } if *last_seq == joined.seq - 1)
        ),
        "the note's seq is covered: {seen:?}"
    );

    // Ada loses sight of it, exactly as after an admin's reassignment.
    assert!(common::typing_refused(&mut ada, conversation_id).await);
    assert_eq!(
        server
            .get(&format!("/v1/conversations/{conversation_id}"), &ada_token)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Grace reads the note in the history (before the notice); the visitor does not.
    let path = format!("/v1/conversations/{conversation_id}/messages");
    let page: HistoryPage = server.get_json(&path, &grace_token).await;
    let note = page
        .messages
        .iter()
        .find(|m| m.sender == Sender::Note)
        .expect("the transfer note");
    assert_eq!(note.body, "NOTE-ONLY: wants a refund, order 1234");
    assert_eq!(note.author_name.as_deref(), Some("Ada"));
    assert_eq!(note.seq + 1, joined.seq);
    let raw = server
        .get(&path, &visitor_token)
        .await
        .text()
        .await
        .unwrap();
    assert!(!raw.contains("NOTE-ONLY"), "{raw}");
    server.stop().await;
}

#[tokio::test]
async fn only_the_holder_or_an_admin_may_transfer_and_only_to_an_existing_agent() {
    let server = TestServer::start().await;
    let (_, visitor_token) = server.visitor().await;
    let (ada, ada_token) = server.agent("Ada", false).await;
    let (bob, bob_token) = server.agent("Bob", false).await;
    let (_, root_token) = server.agent("Root", true).await;
    let (mut visitor, _) = Client::connect(&server, &visitor_token).await;

    // A waiting chat has no holder: a plain agent may not hand it on.
    let (waiting_id, _) = ack_fields(&visitor.send_message(Uuid::new_v4(), None, "hi").await);
    let refused = transfer(&server, &bob_token, waiting_id, json!({"agent_id": ada.id})).await;
    assert_eq!(
        error_code(refused).await,
        (StatusCode::FORBIDDEN, ErrorCode::Forbidden)
    );
    // Nor put it back in the queue it is in (an admin gets the conflict).
    let refused = transfer(&server, &root_token, waiting_id, json!({})).await;
    assert_eq!(
        error_code(refused).await,
        (StatusCode::CONFLICT, ErrorCode::Conflict)
    );

    // Ada holds it now (by claiming); Bob, who does not, cannot even see it.
    let claimed = server
        .post(
            &format!("/v1/conversations/{waiting_id}/claim"),
            &ada_token,
            json!({}),
        )
        .await;
    assert_eq!(claimed.status(), StatusCode::OK);
    let refused = transfer(&server, &bob_token, waiting_id, json!({"agent_id": bob.id})).await;
    assert_eq!(
        error_code(refused).await,
        (StatusCode::NOT_FOUND, ErrorCode::NotFound)
    );

    // The target must be an agent that exists, and not the one holding it already.
    let refused = transfer(
        &server,
        &ada_token,
        waiting_id,
        json!({"agent_id": Uuid::new_v4()}),
    )
    .await;
    assert_eq!(
        error_code(refused).await,
        (StatusCode::NOT_FOUND, ErrorCode::NotFound)
    );
    let refused = transfer(&server, &ada_token, waiting_id, json!({"agent_id": ada.id})).await;
    assert_eq!(
        error_code(refused).await,
        (StatusCode::CONFLICT, ErrorCode::Conflict)
    );
    // A note is checked like a message.
    let long = "x".repeat(4_001);
    let refused = transfer(
        &server,
        &ada_token,
        waiting_id,
        json!({"agent_id": bob.id, "note": long}),
    )
    .await;
    assert!(refused.status().is_client_error());
    let refused = transfer(&server, &ada_token, waiting_id, json!({"agent": bob.id})).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

    // An admin may transfer a chat someone else holds.
    let by_admin = transfer(
        &server,
        &root_token,
        waiting_id,
        json!({"agent_id": bob.id}),
    )
    .await;
    assert_eq!(by_admin.status(), StatusCode::OK);
    let now: Conversation = by_admin.json().await.unwrap();
    assert_eq!(now.assigned_agent.map(|a| a.id), Some(bob.id));
    // And Ada, no longer the holder, can no longer see it or hand it on.
    let refused = transfer(&server, &ada_token, waiting_id, json!({"agent_id": ada.id})).await;
    assert_eq!(
        error_code(refused).await,
        (StatusCode::NOT_FOUND, ErrorCode::NotFound)
    );

    // Ended chats are not transferred; a visitor's token is no agent's.
    let closed = server
        .post(
            &format!("/v1/conversations/{waiting_id}/close"),
            &bob_token,
            json!({}),
        )
        .await;
    assert_eq!(closed.status(), StatusCode::OK);
    let refused = transfer(&server, &bob_token, waiting_id, json!({"agent_id": ada.id})).await;
    assert_eq!(
        error_code(refused).await,
        (StatusCode::CONFLICT, ErrorCode::ConversationEnded)
    );
    let refused = transfer(
        &server,
        &visitor_token,
        waiting_id,
        json!({"agent_id": ada.id}),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    server.stop().await;
}

#[tokio::test]
async fn returning_a_chat_to_the_queue_makes_it_waiting_for_everyone_again() {
    let server = TestServer::start().await;
    let (_, visitor_token) = server.visitor().await;
    let (_, ada_token) = server.agent("Ada", false).await;
    let (_, bob_token) = server.agent("Bob", false).await;
    let (mut visitor, _) = Client::connect(&server, &visitor_token).await;
    let conversation_id = held_by(&server, &mut visitor, &ada_token).await;
    assert_eq!(
        server
            .get(&format!("/v1/conversations/{conversation_id}"), &bob_token)
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "Ada's chat is hidden from Bob"
    );
    let (mut bob_ws, _) = Client::connect(&server, &bob_token).await;
    bob_ws.send(json!({"type": "watch_queue"})).await;
    bob_ws
        .expect(|f| matches!(f, ServerFrame::Queue { .. }))
        .await;

    let answer = transfer(
        &server,
        &ada_token,
        conversation_id,
        json!({"note": "NOTE-ONLY: I am off shift"}),
    )
    .await;
    assert_eq!(answer.status(), StatusCode::OK);
    let back: Conversation = answer.json().await.unwrap();
    assert_eq!(back.status, ConversationStatus::Waiting);
    assert_eq!(back.assigned_agent, None);

    // Bob's queue has it as waiting again, and he may open and claim it.
    bob_ws
        .expect(|f| {
            matches!(f, ServerFrame::Conversation { conversation, .. }
                if conversation.id == conversation_id && conversation.status == ConversationStatus::Waiting)
        })
        .await;
    let page: HistoryPage = server
        .get_json(
            &format!("/v1/conversations/{conversation_id}/messages"),
            &bob_token,
        )
        .await;
    assert!(page
        .messages
        .iter()
        .any(|m| m.sender == Sender::Note && m.body == "NOTE-ONLY: I am off shift"));
    // Ada holds it no more: she cannot return (or hand on) what is waiting for anyone.
    let again = transfer(&server, &ada_token, conversation_id, json!({})).await;
    assert_eq!(
        error_code(again).await,
        (StatusCode::FORBIDDEN, ErrorCode::Forbidden)
    );
    let claimed = server
        .post(
            &format!("/v1/conversations/{conversation_id}/claim"),
            &bob_token,
            json!({}),
        )
        .await;
    assert_eq!(claimed.status(), StatusCode::OK);
    // The visitor never received the note, up to Bob joining.
    loop {
        let frame = visitor.next().await;
        let text = serde_json::to_string(&frame).unwrap();
        assert!(!text.contains("NOTE-ONLY"), "the visitor received {text}");
        if matches!(&frame, ServerFrame::Message { message } if message.body == "Bob joined the chat")
        {
            break;
        }
    }
    server.stop().await;
}
