//! The `conversation` updates that follow messages and receipts carry the list data a
//! fresh read gives (preview, last seq and activity, read seqs, unread counts for each
//! side), although the server no longer reads the conversation back after every message
//! (`hub::ListCache` keeps it from what it published). Each update is compared, whole,
//! with the conversation read over HTTP right after.

use crate::common;

use common::{ack_fields, Client, TestServer};
use serde_json::json;
use tidings_protocol::{Conversation, ServerFrame};
use uuid::Uuid;

/// Skips frames until a `conversation` frame for `id` whose conversation matches.
pub async fn update_where(
    ws: &mut Client,
    id: Uuid,
    matches: impl Fn(&Conversation) -> bool,
) -> Conversation {
    let frame = ws
        .expect(|f| {
            matches!(f, ServerFrame::Conversation { conversation, .. }
                if conversation.id == id && matches(conversation))
        })
        .await;
    let ServerFrame::Conversation { conversation, .. } = frame else {
        unreachable!("matched a conversation frame")
    };
    conversation
}

#[tokio::test]
async fn updates_after_messages_and_reads_carry_what_a_fresh_read_gives() {
    let server = TestServer::start().await;
    let (_, agent_token) = server.agent("Ada", false).await;
    let (_, visitor_token) = server.visitor().await;
    let (mut agent, _) = Client::connect(&server, &agent_token).await;
    agent.send(json!({"type": "watch_queue"})).await;
    agent
        .expect(|f| matches!(f, ServerFrame::Queue { .. }))
        .await;
    let (mut visitor, _) = Client::connect(&server, &visitor_token).await;
    let fresh = |token: &str, id: Uuid| {
        let (server, token) = (&server, token.to_string());
        async move {
            server
                .get_json::<Conversation>(&format!("/v1/conversations/{id}"), &token)
                .await
        }
    };

    // Three messages from the visitor: three unread for agents, the last one's preview.
    let (id, _) = ack_fields(&visitor.send_message(Uuid::new_v4(), None, "one").await);
    visitor.send_message(Uuid::new_v4(), Some(id), "two").await;
    visitor
        .send_message(Uuid::new_v4(), Some(id), "three")
        .await;
    let update = update_where(&mut agent, id, |c| c.last_seq == 3).await;
    assert_eq!(update.unread, 3);
    assert_eq!(update.last_message_preview.as_deref(), Some("three"));
    assert_eq!(update, fresh(&agent_token, id).await);

    // The agent reads two of them: one left.
    agent
        .send(json!({"type": "read", "conversation_id": id, "seq": 2}))
        .await;
    let update = update_where(&mut agent, id, |c| c.agent_read_seq == 2).await;
    assert_eq!((update.unread, update.agent_delivered_seq), (1, 2));
    assert_eq!(update, fresh(&agent_token, id).await);

    // The agent's first reply claims it (a "joined" notice at 4, the reply at 5), then a
    // second reply: two unread for the visitor (notices never count), the agents' unread
    // unchanged.
    agent.send_message(Uuid::new_v4(), Some(id), "a1").await;
    agent.send_message(Uuid::new_v4(), Some(id), "a2").await;
    let update = update_where(&mut visitor, id, |c| c.last_seq == 6).await;
    assert_eq!(update.unread, 2);
    assert_eq!(update.last_message_preview.as_deref(), Some("a2"));
    assert_eq!(update, fresh(&visitor_token, id).await);
    let update = update_where(&mut agent, id, |c| c.last_seq == 6).await;
    assert_eq!(update.unread, 1);
    assert_eq!(update, fresh(&agent_token, id).await);

    // The visitor reads up to the notice, before the last read of it: a1 and a2 unread.
    visitor
        .send(json!({"type": "read", "conversation_id": id, "seq": 4}))
        .await;
    let update = update_where(&mut visitor, id, |c| c.visitor_read_seq == 4).await;
    assert_eq!(update.unread, 2);
    assert_eq!(update, fresh(&visitor_token, id).await);
    // Up to a1: a2 is left; then everything: none.
    visitor
        .send(json!({"type": "read", "conversation_id": id, "seq": 5}))
        .await;
    let update = update_where(&mut visitor, id, |c| c.visitor_read_seq == 5).await;
    assert_eq!(update.unread, 1);
    assert_eq!(update, fresh(&visitor_token, id).await);
    visitor
        .send(json!({"type": "read", "conversation_id": id, "seq": 6}))
        .await;
    let update = update_where(&mut visitor, id, |c| c.visitor_read_seq == 6).await;
    assert_eq!(update.unread, 0);
    assert_eq!(update, fresh(&visitor_token, id).await);

    // A delivery receipt alone sends no update, but the next one carries it.
    agent
        .send(json!({"type": "delivered", "conversation_id": id, "seq": 6}))
        .await;
    visitor
        .expect(|f| {
            matches!(
                f,
                ServerFrame::Receipt {
                    delivered_seq: 6,
                    ..
                }
            )
        })
        .await;
    visitor.send_message(Uuid::new_v4(), Some(id), "four").await;
    let update = update_where(&mut agent, id, |c| c.last_seq == 7).await;
    assert_eq!(
        (
            update.unread,
            update.agent_delivered_seq,
            update.agent_read_seq
        ),
        (2, 6, 2)
    );
    assert_eq!(update.last_message_preview.as_deref(), Some("four"));
    assert_eq!(update, fresh(&agent_token, id).await);
}
