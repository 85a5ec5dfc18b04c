//! A returning visitor's past conversations (the widget's "Past conversations"): their own
//! list, newest first, with a preview of the latest message they can see and its dates,
//! and each one's history paged through the history endpoint; and never anyone else's,
//! whatever id another visitor's token asks for. Through real sockets and HTTP, on either
//! backend.

use crate::common;

use common::{Client, TestServer};
use serde_json::json;
use tidings_protocol::http::{ConversationList, HistoryPage};
use tidings_protocol::{ConversationStatus, ServerFrame};
use uuid::Uuid;

/// The visitor's message: the conversation it went to.
async fn visitor_says(socket: &mut Client, body: &str) -> Uuid {
    match socket.send_message(Uuid::new_v4(), None, body).await {
        ServerFrame::Ack {
            conversation_id, ..
        } => conversation_id,
        other => panic!("not acked: {other:?}"),
    }
}

/// A visitor with two conversations: the first claimed, answered and closed by an agent,
/// the second open. Returns (visitor token, first id, second id).
async fn two_conversations(server: &TestServer) -> (String, Uuid, Uuid) {
    let (_, visitor) = server.visitor().await;
    let (_, agent) = server.agent("Ada", false).await;
    let (mut socket, _) = Client::connect(server, &visitor).await;
    let first = visitor_says(&mut socket, "My order never came").await;
    let claimed = server
        .post(
            &format!("/v1/conversations/{first}/claim"),
            &agent,
            json!({}),
        )
        .await;
    assert_eq!(claimed.status(), 200);
    let (mut agent_socket, _) = Client::connect(server, &agent).await;
    let answer = agent_socket
        .send_message(Uuid::new_v4(), Some(first), "It ships tomorrow")
        .await;
    assert!(matches!(answer, ServerFrame::Ack { .. }), "{answer:?}");
    let closed = server
        .post(
            &format!("/v1/conversations/{first}/close"),
            &agent,
            json!({}),
        )
        .await;
    assert_eq!(closed.status(), 200);
    let second = visitor_says(&mut socket, "Another question").await;
    assert_ne!(first, second, "an ended conversation is not reopened");
    (visitor, first, second)
}

#[tokio::test]
async fn a_visitor_lists_their_conversations_with_previews_and_reads_old_ones_in_pages() {
    let server = TestServer::start().await;
    let (visitor, first, second) = two_conversations(&server).await;

    let list: ConversationList = server.get_json("/v1/visitor/conversations", &visitor).await;
    let ids: Vec<Uuid> = list.conversations.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![second, first], "newest first");
    let (newest, oldest) = (&list.conversations[0], &list.conversations[1]);
    assert_eq!(
        newest.last_message_preview.as_deref(),
        Some("Another question")
    );
    assert_eq!(
        oldest.last_message_preview.as_deref(),
        Some("It ships tomorrow"),
        "the latest message, not the closing notice"
    );
    assert_eq!(oldest.status, ConversationStatus::Ended);
    assert!(oldest.ended_at.is_some_and(|e| e >= oldest.started_at));
    assert!(newest.started_at >= oldest.started_at);

    // The old conversation, one message a page, newest page first.
    let path = format!("/v1/conversations/{first}/messages?limit=1");
    let page: HistoryPage = server.get_json(&path, &visitor).await;
    assert!(page.has_more);
    let mut bodies = vec![page.messages[0].body.clone()];
    let mut before = page.messages[0].seq;
    loop {
        let path = format!("/v1/conversations/{first}/messages?limit=1&before_seq={before}");
        let page: HistoryPage = server.get_json(&path, &visitor).await;
        bodies.insert(0, page.messages[0].body.clone());
        before = page.messages[0].seq;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(bodies[0], "My order never came");
    assert!(
        bodies.contains(&"It ships tomorrow".to_owned()),
        "{bodies:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_visitor_token_never_lists_or_reads_another_visitors_conversations() {
    let server = TestServer::start().await;
    let (_, first, second) = two_conversations(&server).await;
    let (_, stranger) = server.visitor().await;

    let list: ConversationList = server
        .get_json("/v1/visitor/conversations", &stranger)
        .await;
    assert!(list.conversations.is_empty(), "{:?}", list.conversations);

    // A stranger who talked too still sees only their own.
    let (mut socket, _) = Client::connect(&server, &stranger).await;
    let own = visitor_says(&mut socket, "Hello from elsewhere").await;
    let list: ConversationList = server
        .get_json("/v1/visitor/conversations", &stranger)
        .await;
    let ids: Vec<Uuid> = list.conversations.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![own]);

    for id in [first, second] {
        for path in [
            format!("/v1/conversations/{id}"),
            format!("/v1/conversations/{id}/messages"),
            format!("/v1/conversations/{id}/messages?limit=1&before_seq=2"),
        ] {
            let answer = server.get(&path, &stranger).await;
            assert_eq!(answer.status(), 404, "{path}");
            let body = answer.text().await.unwrap();
            assert!(!body.contains("My order"), "{path}: {body}");
        }
    }

    // The list is a visitor's own: an agent token is refused, no token is unauthorized.
    let (_, agent) = server.agent("Grace", true).await;
    let answer = server.get("/v1/visitor/conversations", &agent).await;
    assert_eq!(answer.status(), 403);
    let answer = reqwest::get(server.url("/v1/visitor/conversations"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    server.stop().await;
}
