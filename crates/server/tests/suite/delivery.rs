//! Delivery semantics through real sockets: visitor ↔ agent, claim on first reply with the
//! joined notice, idempotent sends, resume from a seq, resume across a server restart.

use crate::common;

use common::{ack_fields, message_of, test_settings, Client, TestDb, TestServer};
use serde_json::json;
use tidings_protocol::{ConversationEvent, ConversationStatus, Sender, ServerFrame};
use uuid::Uuid;

#[tokio::test]
async fn visitor_and_agent_exchange_messages_and_first_reply_claims() {
    let server = TestServer::start().await;
    let (_, visitor_token) = server.visitor().await;
    let (agent, agent_token) = server.agent("Ada", false).await;

    let (mut agent_ws, _) = Client::connect(&server, &agent_token).await;
    agent_ws.send(json!({"type": "watch_queue"})).await;
    agent_ws
        .expect(|f| matches!(f, ServerFrame::Queue { .. }))
        .await;

    let (mut visitor_ws, _) = Client::connect(&server, &visitor_token).await;
    let first = Uuid::new_v4();
    let ack = visitor_ws
        .send_message(first, None, "  Hello, is anyone there?  ")
        .await;
    let (conversation_id, seq) = ack_fields(&ack);
    assert_eq!(seq, 1);

    // The visitor's connection is subscribed automatically to the new conversation.
    let snapshot = visitor_ws
        .expect(|f| matches!(f, ServerFrame::Snapshot { .. }))
        .await;
    let ServerFrame::Snapshot { conversation } = snapshot else {
        unreachable!()
    };
    assert_eq!(conversation.id, conversation_id);
    assert_eq!(conversation.status, ConversationStatus::Waiting);
    let replayed = visitor_ws
        .expect(|f| matches!(f, ServerFrame::Message { .. }))
        .await;
    assert_eq!(
        message_of(&replayed),
        (1, "Hello, is anyone there?".to_string())
    );
    visitor_ws
        .expect(|f| matches!(f, ServerFrame::Synced { last_seq: 1, .. }))
        .await;

    // The agent's queue learns of the new conversation.
    let created = agent_ws
        .expect(|f| {
            matches!(
                f,
                ServerFrame::Conversation {
                    event: ConversationEvent::Created,
                    ..
                }
            )
        })
        .await;
    let ServerFrame::Conversation { conversation, .. } = created else {
        unreachable!()
    };
    assert_eq!(conversation.id, conversation_id);
    assert_eq!(conversation.unread, 1);

    // The agent follows the conversation and gets the visitor's message.
    agent_ws
        .send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    let message = agent_ws
        .expect(|f| matches!(f, ServerFrame::Message { .. }))
        .await;
    assert_eq!(
        message_of(&message),
        (1, "Hello, is anyone there?".to_string())
    );
    agent_ws
        .expect(|f| matches!(f, ServerFrame::Synced { .. }))
        .await;

    // A visitor message sent now arrives live.
    let live = Uuid::new_v4();
    visitor_ws
        .send_message(live, Some(conversation_id), "My order is late")
        .await;
    let message = agent_ws
        .expect(|f| matches!(f, ServerFrame::Message { .. }))
        .await;
    assert_eq!(message_of(&message), (2, "My order is late".to_string()));

    // The agent's first reply claims it: the joined notice comes first, with its own seq.
    let reply = Uuid::new_v4();
    let ack = agent_ws
        .send_message(reply, Some(conversation_id), "Hi! Let me check.")
        .await;
    assert_eq!(ack_fields(&ack), (conversation_id, 4));
    let notice = visitor_ws
        .expect(|f| matches!(f, ServerFrame::Message { message } if message.seq == 3))
        .await;
    let ServerFrame::Message { message: notice } = notice else {
        unreachable!()
    };
    assert_eq!(notice.sender, Sender::System);
    assert_eq!(notice.body, "Ada joined the chat");
    let answer = visitor_ws.next().await;
    let ServerFrame::Message { message: answer } = answer else {
        panic!("expected the reply, got {answer:?}")
    };
    assert_eq!(
        (answer.seq, answer.sender, answer.id),
        (4, Sender::Agent, reply)
    );
    assert_eq!(answer.author_name.as_deref(), Some("Ada"));

    let claimed = visitor_ws
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
    let ServerFrame::Conversation { conversation, .. } = claimed else {
        unreachable!()
    };
    assert_eq!(conversation.status, ConversationStatus::Active);
    assert_eq!(conversation.assigned_agent.map(|a| a.id), Some(agent.id));
    server.stop().await;
}

#[tokio::test]
async fn duplicate_send_is_stored_once_and_acked_twice_with_the_same_seq() {
    let server = TestServer::start().await;
    let (_, token) = server.visitor().await;
    let (mut ws, _) = Client::connect(&server, &token).await;
    let id = Uuid::new_v4();
    let first = ws.send_message(id, None, "only once").await;
    let (conversation_id, seq) = ack_fields(&first);

    // Same id again, from another connection (a retry after a reconnect).
    let (mut retry, _) = Client::connect(&server, &token).await;
    let second = retry
        .send_message(id, Some(conversation_id), "only once")
        .await;
    assert_eq!(first, second, "the retry gets the original ack");
    let third = retry.send_message(id, None, "only once").await;
    assert_eq!(ack_fields(&third), (conversation_id, seq));

    let next = ws
        .send_message(Uuid::new_v4(), Some(conversation_id), "then this")
        .await;
    assert_eq!(
        ack_fields(&next).1,
        seq + 1,
        "no seq was used by the duplicates"
    );

    let page: tidings_protocol::http::HistoryPage = server
        .get_json(
            &format!("/v1/conversations/{conversation_id}/messages"),
            &token,
        )
        .await;
    let ids: Vec<Uuid> = page.messages.iter().map(|m| m.id).collect();
    assert_eq!(ids.iter().filter(|m| **m == id).count(), 1);
    assert_eq!(page.messages.len(), 2);
    server.stop().await;
}

/// Sends `count` numbered messages and returns the conversation id.
async fn fill(ws: &mut Client, count: u64) -> Uuid {
    let mut conversation = None;
    for n in 1..=count {
        let ack = ws
            .send_message(Uuid::new_v4(), conversation, &format!("message {n}"))
            .await;
        let (c, seq) = ack_fields(&ack);
        assert_eq!(seq, n);
        conversation = Some(c);
    }
    conversation.unwrap()
}

#[tokio::test]
async fn resume_after_seq_replays_exactly_the_later_messages_then_live_ones() {
    let server = TestServer::start().await;
    let (_, token) = server.visitor().await;
    let (mut writer, _) = Client::connect(&server, &token).await;
    let conversation_id = fill(&mut writer, 8).await;

    let (mut reader, _) = Client::connect(&server, &token).await;
    reader
        .send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 5}))
        .await;
    // The visitor's list updates for the writer's sends may still be on their way (on
    // PostgreSQL they come back through NOTIFY) and arrive first; messages cannot, as this
    // socket follows nothing yet.
    reader
        .expect(|f| matches!(f, ServerFrame::Snapshot { .. }))
        .await;
    for expected in 6..=8 {
        assert_eq!(
            message_of(&reader.next().await),
            (expected, format!("message {expected}"))
        );
    }
    assert_eq!(
        reader.next().await,
        ServerFrame::Synced {
            conversation_id,
            last_seq: 8,
            after_seq: 5,
        }
    );

    writer
        .send_message(Uuid::new_v4(), Some(conversation_id), "live one")
        .await;
    // The first message after `synced` (list updates may come before it).
    let live = reader
        .expect(|f| matches!(f, ServerFrame::Message { .. }))
        .await;
    assert_eq!(message_of(&live), (9, "live one".to_string()));
    server.stop().await;
}

#[tokio::test]
async fn resume_works_after_the_server_restarts_on_the_same_database() {
    let db = TestDb::new().await;
    let server = TestServer::start_with(db.clone(), test_settings()).await;
    let (_, token) = server.visitor().await;
    let (mut ws, _) = Client::connect(&server, &token).await;
    let conversation_id = fill(&mut ws, 4).await;
    server.stop().await;
    assert_eq!(
        ws.ending().await,
        common::Ending::Closed(Some(tidings_protocol::frame::close::GOING_AWAY)),
        "shutdown tells sockets to go away"
    );

    let server = TestServer::start_with(db, test_settings()).await;
    let (mut ws, _) = Client::connect(&server, &token).await;
    ws.send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 2}))
        .await;
    assert!(matches!(ws.next().await, ServerFrame::Snapshot { .. }));
    assert_eq!(message_of(&ws.next().await), (3, "message 3".to_string()));
    assert_eq!(message_of(&ws.next().await), (4, "message 4".to_string()));
    assert_eq!(
        ws.next().await,
        ServerFrame::Synced {
            conversation_id,
            last_seq: 4,
            after_seq: 2,
        }
    );
    let ack = ws
        .send_message(Uuid::new_v4(), None, "after the restart")
        .await;
    assert_eq!(
        ack_fields(&ack),
        (conversation_id, 5),
        "the open conversation continues gap-free"
    );
    server.stop().await;
}
