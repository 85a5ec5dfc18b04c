//! The conversation lifecycle over HTTP and sockets: login, claim, receipts and unread,
//! close, rating, a new conversation after the end, logout (which closes its sockets).

use crate::common;

use common::{ack_fields, Client, Ending, TestServer, AGENT_PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tidings_protocol::http::{ConversationList, LoginResponse};
use tidings_protocol::{
    Conversation, ConversationEvent, ConversationStatus, ErrorCode, Role, Sender, ServerFrame,
};
use uuid::Uuid;

/// The visitor's `POST /v1/conversations/{id}/rating` with `body`.
async fn rate(
    server: &TestServer,
    conversation_id: Uuid,
    visitor_token: &str,
    body: Value,
) -> reqwest::Response {
    server
        .post(
            &format!("/v1/conversations/{conversation_id}/rating"),
            visitor_token,
            body,
        )
        .await
}

#[tokio::test]
async fn login_claim_receipts_close_rate_and_start_again() {
    let server = TestServer::start().await;
    let (_, other_session) = server.agent("Ada", false).await;
    let client = reqwest::Client::new();
    let wrong = client
        .post(server.url("/v1/agents/login"))
        .json(&json!({"email": "ada@example.test", "password": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let login: LoginResponse = client
        .post(server.url("/v1/agents/login"))
        .json(&json!({"email": "ada@example.test", "password": AGENT_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let agent_token = login.token;
    let me: Value = server.get_json("/v1/agents/me", &agent_token).await;
    assert_eq!(me["name"], "Ada");

    let (_, visitor_token) = server.visitor().await;
    let patched = client
        .patch(server.url("/v1/visitor"))
        .bearer_auth(&visitor_token)
        .json(&json!({"name": "Vera", "email": "vera@example.test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    let (mut visitor, _) = Client::connect(&server, &visitor_token).await;
    let (conversation_id, _) = ack_fields(&visitor.send_message(Uuid::new_v4(), None, "one").await);
    visitor
        .send_message(Uuid::new_v4(), Some(conversation_id), "two")
        .await;

    let waiting: ConversationList = server
        .get_json("/v1/conversations?filter=waiting", &agent_token)
        .await;
    assert_eq!(waiting.conversations.len(), 1);
    assert_eq!(
        waiting.conversations[0].visitor_name.as_deref(),
        Some("Vera")
    );
    assert_eq!(waiting.conversations[0].unread, 2);
    assert!(waiting.conversations[0].visitor_online);

    // Claim without replying.
    let claimed: Conversation = server
        .post(
            &format!("/v1/conversations/{conversation_id}/claim"),
            &agent_token,
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(claimed.status, ConversationStatus::Active);
    let notice = visitor
        .expect(
            |f| matches!(f, ServerFrame::Message { message } if message.sender == Sender::System),
        )
        .await;
    assert!(
        matches!(notice, ServerFrame::Message { message } if message.seq == 3 && message.body == "Ada joined the chat")
    );
    visitor
        .expect(|f| {
            matches!(
                f,
                ServerFrame::Conversation {
                    event: ConversationEvent::Claimed,
                    ..
                }
            )
        })
        .await;

    // The agent receives and reads: the visitor gets receipts; the agent's unread drops.
    let (mut agent, _) = Client::connect(&server, &agent_token).await;
    agent
        .send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    agent
        .expect(|f| matches!(f, ServerFrame::Synced { last_seq: 3, .. }))
        .await;
    agent
        .send(json!({"type": "delivered", "conversation_id": conversation_id, "seq": 3}))
        .await;
    let receipt = visitor
        .expect(|f| matches!(f, ServerFrame::Receipt { .. }))
        .await;
    assert_eq!(
        receipt,
        ServerFrame::Receipt {
            conversation_id,
            role: Role::Agent,
            read_seq: 0,
            delivered_seq: 3
        }
    );
    agent
        .send(json!({"type": "read", "conversation_id": conversation_id, "seq": 99}))
        .await;
    let receipt = visitor
        .expect(|f| matches!(f, ServerFrame::Receipt { .. }))
        .await;
    assert_eq!(
        receipt,
        ServerFrame::Receipt {
            conversation_id,
            role: Role::Agent,
            read_seq: 3,
            delivered_seq: 3
        },
        "clamped to the last seq"
    );
    let mine: ConversationList = server
        .get_json("/v1/conversations?filter=mine", &agent_token)
        .await;
    assert_eq!(mine.conversations[0].unread, 0);

    // Rating before the end is refused; close; rate; the agent sees the rating live.
    let early = rate(
        &server,
        conversation_id,
        &visitor_token,
        json!({"rating": 5}),
    )
    .await;
    assert_eq!(early.status(), StatusCode::CONFLICT);
    let closed: Conversation = server
        .post(
            &format!("/v1/conversations/{conversation_id}/close"),
            &agent_token,
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(closed.status, ConversationStatus::Ended);
    visitor
        .expect(|f| {
            matches!(
                f,
                ServerFrame::Conversation {
                    event: ConversationEvent::Ended,
                    ..
                }
            )
        })
        .await;
    let bad = rate(
        &server,
        conversation_id,
        &visitor_token,
        json!({"rating": 6}),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let rated: Conversation = rate(
        &server,
        conversation_id,
        &visitor_token,
        json!({"rating": 4, "feedback": "quick"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (rated.rating, rated.feedback.as_deref()),
        (Some(4), Some("quick"))
    );
    let live = agent
        .expect(|f| {
            matches!(
                f,
                ServerFrame::Conversation {
                    event: ConversationEvent::Rated,
                    ..
                }
            )
        })
        .await;
    assert!(
        matches!(live, ServerFrame::Conversation { conversation, .. } if conversation.rating == Some(4))
    );

    // The ended conversation takes no more messages; a send without id starts a new one.
    let refused = visitor
        .send_message(Uuid::new_v4(), Some(conversation_id), "hello again")
        .await;
    assert!(
        matches!(
            refused,
            ServerFrame::Error {
                code: ErrorCode::ConversationEnded,
                ..
            }
        ),
        "{refused:?}"
    );
    let (fresh, seq) = ack_fields(
        &visitor
            .send_message(Uuid::new_v4(), None, "hello again")
            .await,
    );
    assert_ne!(fresh, conversation_id);
    assert_eq!(seq, 1);
    let list: ConversationList = server
        .get_json("/v1/visitor/conversations", &visitor_token)
        .await;
    assert_eq!(
        list.conversations.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![fresh, conversation_id],
        "newest first"
    );

    // Logout ends the session, and closes its sockets; another session of the same agent
    // goes on.
    let (mut other_tab, _) = Client::connect(&server, &other_session).await;
    let out = server
        .post("/v1/agents/logout", &agent_token, json!({}))
        .await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        agent.ending().await,
        Ending::Closed(Some(tidings_protocol::frame::close::UNAUTHORIZED))
    );
    other_tab.send(json!({"type": "ping", "nonce": 5})).await;
    other_tab
        .expect(|f| matches!(f, ServerFrame::Pong { nonce: 5 }))
        .await;
    let after = client
        .get(server.url("/v1/agents/me"))
        .bearer_auth(&agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    server.stop().await;
}
