//! The waiting queue survives a flood, through real sockets: agents block a visitor (their
//! sends are refused with an error naming the message, their waiting chats end and leave
//! every queue), close waiting chats in bulk (never one claimed meanwhile), and read the
//! whole waiting list, oldest first, page by page past the 200 a list used to stop at.

use crate::common;

use std::collections::HashSet;

use common::{Client, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tidings_protocol::http::{CloseWaitingResponse, ConversationList, VisitorBlock};
use tidings_protocol::{ConversationEvent, ConversationStatus, ErrorCode, ServerFrame};
use tidings_server::auth::{self, Principal};
use tidings_server::store::visitors::{self, VisitorDetails};
use tidings_server::writer::{Write, Written};
use uuid::Uuid;

/// A visitor's first message, opening a waiting conversation: its id.
async fn open_conversation(server: &TestServer, visitor_token: &str) -> Uuid {
    let (mut ws, _) = Client::connect(server, visitor_token).await;
    let ack = ws.send_message(Uuid::new_v4(), None, "hello?").await;
    match ack {
        ServerFrame::Ack {
            conversation_id, ..
        } => conversation_id,
        other => panic!("expected an ack, got {other:?}"),
    }
}

/// Waits on a queue watcher for the end of `id`.
async fn ended(watcher: &mut Client, id: Uuid) {
    watcher
        .expect(|f| {
            matches!(
                f,
                ServerFrame::Conversation {
                    event: ConversationEvent::Ended,
                    conversation,
                } if conversation.id == id && conversation.status == ConversationStatus::Ended
            )
        })
        .await;
}

async fn waiting_ids(server: &TestServer, token: &str) -> Vec<Uuid> {
    let list: ConversationList = server
        .get_json("/v1/conversations?filter=waiting", token)
        .await;
    list.conversations.iter().map(|c| c.id).collect()
}

#[tokio::test]
async fn a_blocked_visitor_cannot_send_and_their_waiting_chat_leaves_the_queue() {
    let server = TestServer::start().await;
    let (_, ada_token) = server.agent("Ada", false).await;
    let (_, bob_token) = server.agent("Bob", false).await;
    let (_, admin_token) = server.agent("Root", true).await;
    let (mut ada_queue, _) = Client::connect(&server, &ada_token).await;
    ada_queue.send(json!({"type": "watch_queue"})).await;
    ada_queue
        .expect(|f| matches!(f, ServerFrame::Queue { .. }))
        .await;

    let (flooder, flooder_token) = server.visitor().await;
    let waiting = open_conversation(&server, &flooder_token).await;
    let (quiet, _) = server.visitor().await;
    assert_eq!(waiting_ids(&server, &ada_token).await, vec![waiting]);

    // A plain agent may block only a visitor one of whose conversations they may see; an
    // admin any visitor that exists; a visitor nobody.
    let response = server
        .post(
            &format!("/v1/visitors/{quiet}/block"),
            &ada_token,
            json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = server
        .post(
            &format!("/v1/visitors/{}/block", Uuid::new_v4()),
            &admin_token,
            json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = server
        .post(
            &format!("/v1/visitors/{flooder}/block"),
            &flooder_token,
            json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // Ada blocks the flooder: their waiting chat ends, announced to the queue.
    let response = server
        .post(
            &format!("/v1/visitors/{flooder}/block"),
            &ada_token,
            json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let block: VisitorBlock = response.json().await.unwrap();
    assert_eq!(block.visitor_id, flooder);
    assert!(block.blocked);
    assert_eq!(block.ended, vec![waiting]);
    ended(&mut ada_queue, waiting).await;
    assert!(waiting_ids(&server, &ada_token).await.is_empty());

    // Their next message (which would open a new conversation) is refused, naming it.
    let (mut flooder_ws, _) = Client::connect(&server, &flooder_token).await;
    let refused_id = Uuid::new_v4();
    match flooder_ws.send_message(refused_id, None, "again").await {
        ServerFrame::Error {
            code, message, id, ..
        } => {
            assert_eq!(code, ErrorCode::Forbidden);
            assert_eq!(id, Some(refused_id));
            assert!(message.contains("not sent"), "{message}");
            assert!(message.contains("blocked"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(waiting_ids(&server, &ada_token).await.is_empty());
    // Blocking again changes nothing and ends nothing.
    let again: VisitorBlock = server
        .post(
            &format!("/v1/visitors/{flooder}/block"),
            &admin_token,
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(again.blocked && again.ended.is_empty());

    // A visitor in an active chat: Bob blocks them; the chat stays his, but their sends in
    // it are refused until he unblocks them.
    let (rude, rude_token) = server.visitor().await;
    let active = open_conversation(&server, &rude_token).await;
    let claimed = server
        .post(
            &format!("/v1/conversations/{active}/claim"),
            &bob_token,
            json!({}),
        )
        .await;
    assert_eq!(claimed.status(), StatusCode::OK);
    let block: VisitorBlock = server
        .post(&format!("/v1/visitors/{rude}/block"), &bob_token, json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert!(block.blocked && block.ended.is_empty());
    let (mut rude_ws, _) = Client::connect(&server, &rude_token).await;
    let id = Uuid::new_v4();
    let refusal = rude_ws.send_message(id, Some(active), "!!!").await;
    assert!(
        matches!(refusal, ServerFrame::Error { code: ErrorCode::Forbidden, id: Some(i), .. } if i == id),
        "{refusal:?}"
    );
    // Ada cannot see Bob's chat, so she cannot unblock its visitor; Bob can.
    let response = server
        .post(
            &format!("/v1/visitors/{rude}/unblock"),
            &ada_token,
            json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let unblock: VisitorBlock = server
        .post(
            &format!("/v1/visitors/{rude}/unblock"),
            &bob_token,
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(!unblock.blocked);
    let id = Uuid::new_v4();
    let ack = rude_ws.send_message(id, Some(active), "sorry").await;
    assert!(matches!(ack, ServerFrame::Ack { .. }), "{ack:?}");
    // The agent's own messages were never affected.
    let mut bob_ws = Client::connect(&server, &bob_token).await.0;
    let ack = bob_ws
        .send_message(Uuid::new_v4(), Some(active), "ok")
        .await;
    assert!(matches!(ack, ServerFrame::Ack { .. }), "{ack:?}");
    server.stop().await;
}

#[tokio::test]
async fn waiting_chats_close_in_bulk_but_never_a_claimed_one() {
    let server = TestServer::start().await;
    let (_, ada_token) = server.agent("Ada", false).await;
    let (_, bob_token) = server.agent("Bob", false).await;
    let (mut bob_queue, _) = Client::connect(&server, &bob_token).await;
    bob_queue.send(json!({"type": "watch_queue"})).await;
    bob_queue
        .expect(|f| matches!(f, ServerFrame::Queue { .. }))
        .await;

    let mut waiting = Vec::new();
    for _ in 0..5 {
        let (_, token) = server.visitor().await;
        waiting.push(open_conversation(&server, &token).await);
    }
    // Bob claims one before Ada's bulk close reaches it.
    let claimed = waiting[2];
    let response = server
        .post(
            &format!("/v1/conversations/{claimed}/claim"),
            &bob_token,
            json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let unknown = Uuid::new_v4();
    let mut asked = waiting.clone();
    asked.push(unknown);
    asked.push(waiting[0]);
    let response = server
        .post(
            "/v1/conversations/close-waiting",
            &ada_token,
            json!({"conversation_ids": asked}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let result: CloseWaitingResponse = response.json().await.unwrap();
    let expected: Vec<Uuid> = waiting.iter().copied().filter(|&c| c != claimed).collect();
    assert_eq!(result.closed, expected);
    assert_eq!(result.skipped, vec![claimed, unknown]);
    // Announced concurrently, so in any order.
    let mut unseen: HashSet<Uuid> = expected.iter().copied().collect();
    while !unseen.is_empty() {
        if let ServerFrame::Conversation {
            event: ConversationEvent::Ended,
            conversation,
        } = bob_queue.next().await
        {
            assert!(unseen.remove(&conversation.id), "{conversation:?}");
        }
    }
    assert!(waiting_ids(&server, &ada_token).await.is_empty());
    let mine: ConversationList = server
        .get_json("/v1/conversations?filter=mine", &bob_token)
        .await;
    assert_eq!(mine.conversations.len(), 1);
    assert_eq!(mine.conversations[0].id, claimed);
    assert_eq!(mine.conversations[0].status, ConversationStatus::Active);

    // Sent again (a retry): nothing is left to close.
    let again: CloseWaitingResponse = server
        .post(
            "/v1/conversations/close-waiting",
            &ada_token,
            json!({"conversation_ids": waiting}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(again.closed.is_empty());
    assert_eq!(again.skipped.len(), 5);

    // Bounded per request, and for agents only.
    let too_many: Vec<Uuid> = (0..201).map(|_| Uuid::new_v4()).collect();
    let response = server
        .post(
            "/v1/conversations/close-waiting",
            &ada_token,
            json!({"conversation_ids": too_many}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (_, visitor_token) = server.visitor().await;
    let response = server
        .post(
            "/v1/conversations/close-waiting",
            &visitor_token,
            json!({"conversation_ids": [claimed]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    server.stop().await;
}

/// `count` waiting conversations, opened through the writer (faster than a socket each).
async fn flood(server: &TestServer, count: usize) -> Vec<Uuid> {
    let mut visitor_ids = Vec::with_capacity(count);
    for _ in 0..count {
        let token = auth::new_visitor_token();
        let id = visitors::create(
            &server.state.pool,
            &auth::token_hash(&token),
            &VisitorDetails::default(),
        )
        .await
        .unwrap();
        visitor_ids.push(id);
    }
    let sends = visitor_ids.iter().map(|&visitor| {
        server.state.writer.submit(Write::Send {
            principal: Principal::Visitor { id: visitor },
            id: Uuid::new_v4(),
            conversation_id: None,
            body: "flood".into(),
            attachment: None,
        })
    });
    let mut ids = Vec::with_capacity(count);
    for written in futures_util::future::join_all(sends).await {
        match written.unwrap() {
            Written::Sent { message, .. } => ids.push(message.conversation_id),
            other => panic!("{other:?}"),
        }
    }
    ids
}

#[tokio::test]
async fn the_waiting_list_is_complete_and_oldest_first() {
    let server = TestServer::start().await;
    let (_, ada_token) = server.agent("Ada", false).await;
    // A real customer arrives first; a flood of 260 follows.
    let (_, customer_token) = server.visitor().await;
    let customer = open_conversation(&server, &customer_token).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let flooded = flood(&server, 260).await;
    // The customer writes again, so by activity they are the newest.
    let (mut customer_ws, _) = Client::connect(&server, &customer_token).await;
    customer_ws
        .send_message(Uuid::new_v4(), Some(customer), "still there?")
        .await;

    // The first page: 200, oldest first, the customer at the top.
    let first: ConversationList = server
        .get_json("/v1/conversations?filter=waiting", &ada_token)
        .await;
    assert_eq!(first.conversations.len(), 200);
    assert_eq!(first.conversations[0].id, customer);
    assert!(first.next.is_some());

    // A console's queue starts with that same first page (the longest-waiting), not with
    // the flood's newest.
    let (mut ada_ws, _) = Client::connect(&server, &ada_token).await;
    ada_ws.send(json!({"type": "watch_queue"})).await;
    let ServerFrame::Queue { conversations } = ada_ws
        .expect(|f| matches!(f, ServerFrame::Queue { .. }))
        .await
    else {
        unreachable!()
    };
    let queued: HashSet<Uuid> = conversations.iter().map(|c| c.id).collect();
    assert!(
        first.conversations.iter().all(|c| queued.contains(&c.id)),
        "the queue frame misses some of the longest-waiting"
    );

    // Pages of 70 reach every waiting conversation exactly once, in (started_at, id) order.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &after {
            Some(cursor) => format!("/v1/conversations?filter=waiting&limit=70&after={cursor}"),
            None => "/v1/conversations?filter=waiting&limit=70".to_string(),
        };
        let page: ConversationList = server.get_json(&path, &ada_token).await;
        assert!(page.conversations.len() <= 70);
        seen.extend(page.conversations);
        pages += 1;
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(seen.len(), 261);
    let order: Vec<(i64, String)> = seen
        .iter()
        .map(|c| (c.started_at, c.id.to_string()))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "oldest first");
    let ids: HashSet<Uuid> = seen.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), 261);
    assert!(ids.contains(&customer));
    assert!(flooded.iter().all(|id| ids.contains(id)));

    // A cursor that is not one is refused; paging other filters is too.
    for path in [
        "/v1/conversations?filter=waiting&after=nonsense",
        "/v1/conversations?filter=waiting&after=12.not-a-uuid",
        "/v1/conversations?filter=mine&after=1.0b8f6c1e-4a57-4f0e-9c39-1f5d2a7c9e10",
        "/v1/conversations?filter=waiting&limit=ten",
    ] {
        let response = server.get(path, &ada_token).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "invalid_field", "{path}: {body}");
    }
    server.stop().await;
}
