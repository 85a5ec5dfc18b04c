//! Who may see what: visitors only their own conversations (socket and HTTP); plain
//! agents waiting ones and their own; admins everything (losing sight of a conversation
//! is in `losing_sight.rs`).

use crate::common;

use common::{ack_fields, Client, TestServer};
use reqwest::StatusCode;
use serde_json::json;
use tidings_protocol::http::ConversationList;
use tidings_protocol::{ErrorCode, ServerFrame};
use uuid::Uuid;

#[tokio::test]
async fn a_visitor_cannot_read_or_write_another_visitors_conversation() {
    let server = TestServer::start().await;
    let (_, a_token) = server.visitor().await;
    let (_, b_token) = server.visitor().await;
    let (mut a, _) = Client::connect(&server, &a_token).await;
    let (conversation_id, _) =
        ack_fields(&a.send_message(Uuid::new_v4(), None, "A's secret").await);

    let (mut b, _) = Client::connect(&server, &b_token).await;
    b.send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    let refused = b.next().await;
    assert!(
        matches!(refused, ServerFrame::Error { code: ErrorCode::NotFound, conversation_id: Some(c), .. } if c == conversation_id),
        "{refused:?}"
    );

    let intruder = Uuid::new_v4();
    let refused = b
        .send_message(intruder, Some(conversation_id), "let me in")
        .await;
    assert!(
        matches!(refused, ServerFrame::Error { code: ErrorCode::NotFound, id: Some(i), .. } if i == intruder),
        "{refused:?}"
    );

    b.send(json!({"type": "typing", "conversation_id": conversation_id, "typing": true}))
        .await;
    assert!(matches!(
        b.next().await,
        ServerFrame::Error {
            code: ErrorCode::NotFound,
            ..
        }
    ));
    b.send(json!({"type": "read", "conversation_id": conversation_id, "seq": 1}))
        .await;
    assert!(matches!(
        b.next().await,
        ServerFrame::Error {
            code: ErrorCode::NotFound,
            ..
        }
    ));

    for path in [
        format!("/v1/conversations/{conversation_id}"),
        format!("/v1/conversations/{conversation_id}/messages"),
    ] {
        let response = server.get(&path, &b_token).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            response.json::<serde_json::Value>().await.unwrap()["code"],
            "not_found"
        );
        assert_eq!(
            server.get(&path, &a_token).await.status(),
            StatusCode::OK,
            "{path}"
        );
    }
    let rating = reqwest::Client::new()
        .post(server.url(&format!("/v1/conversations/{conversation_id}/rating")))
        .bearer_auth(&b_token)
        .json(&json!({"rating": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(rating.status(), StatusCode::NOT_FOUND);
    let b_list: ConversationList = server
        .get("/v1/visitor/conversations", &b_token)
        .await
        .json()
        .await
        .unwrap();
    assert!(b_list.conversations.is_empty());
    // Visitors cannot use agent lists at all.
    assert_eq!(
        server.get("/v1/conversations", &b_token).await.status(),
        StatusCode::FORBIDDEN
    );

    // B's own message goes to a conversation of B's own; A's conversation is untouched.
    let (own, seq) = ack_fields(&b.send_message(Uuid::new_v4(), None, "my own chat").await);
    assert_ne!(own, conversation_id);
    assert_eq!(seq, 1);
    server.stop().await;
}

#[tokio::test]
async fn plain_agents_see_waiting_and_their_own_and_admins_see_all() {
    let server = TestServer::start().await;
    let (_, visitor_token) = server.visitor().await;
    let (ada, ada_token) = server.agent("Ada", false).await;
    let (_, bob_token) = server.agent("Bob", false).await;
    let (_, root_token) = server.agent("Root", true).await;

    let (mut visitor, _) = Client::connect(&server, &visitor_token).await;
    let (conversation_id, _) =
        ack_fields(&visitor.send_message(Uuid::new_v4(), None, "help").await);
    let path = format!("/v1/conversations/{conversation_id}");

    // Waiting: every agent sees it.
    assert_eq!(server.get(&path, &bob_token).await.status(), StatusCode::OK);

    let (mut ada_ws, _) = Client::connect(&server, &ada_token).await;
    let ack = ada_ws
        .send_message(Uuid::new_v4(), Some(conversation_id), "I'm on it")
        .await;
    assert!(matches!(ack, ServerFrame::Ack { .. }), "{ack:?}");

    // Assigned to Ada: Bob no longer sees it anywhere; Ada and the admin do.
    assert_eq!(
        server.get(&path, &bob_token).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        server
            .get(&format!("{path}/messages"), &bob_token)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let bob_all: ConversationList = server
        .get("/v1/conversations?filter=all", &bob_token)
        .await
        .json()
        .await
        .unwrap();
    assert!(bob_all.conversations.is_empty());
    let (mut bob_ws, _) = Client::connect(&server, &bob_token).await;
    bob_ws
        .send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    let answer = bob_ws
        .expect(|f| matches!(f, ServerFrame::Error { .. } | ServerFrame::Snapshot { .. }))
        .await;
    assert!(
        matches!(
            answer,
            ServerFrame::Error {
                code: ErrorCode::NotFound,
                ..
            }
        ),
        "{answer:?}"
    );
    let refused = bob_ws
        .send_message(Uuid::new_v4(), Some(conversation_id), "me too")
        .await;
    assert!(
        matches!(
            refused,
            ServerFrame::Error {
                code: ErrorCode::NotFound,
                ..
            }
        ),
        "{refused:?}"
    );
    bob_ws.send(json!({"type": "watch_queue"})).await;
    let queue = bob_ws
        .expect(|f| matches!(f, ServerFrame::Queue { .. }))
        .await;
    assert!(matches!(queue, ServerFrame::Queue { conversations } if conversations.is_empty()));

    let mine: ConversationList = server
        .get("/v1/conversations?filter=mine", &ada_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.conversations.len(), 1);
    assert_eq!(
        mine.conversations[0].assigned_agent.as_ref().map(|a| a.id),
        Some(ada.id)
    );
    assert_eq!(
        server.get(&path, &root_token).await.status(),
        StatusCode::OK
    );
    let root_all: ConversationList = server
        .get("/v1/conversations?filter=all", &root_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(root_all.conversations.len(), 1);
    let (mut root_ws, _) = Client::connect(&server, &root_token).await;
    root_ws
        .send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    let answer = root_ws
        .expect(|f| matches!(f, ServerFrame::Error { .. } | ServerFrame::Snapshot { .. }))
        .await;
    assert!(matches!(answer, ServerFrame::Snapshot { .. }), "{answer:?}");
    server.stop().await;
}
