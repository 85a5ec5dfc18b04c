//! Numbers from clients at the edges of their types (`u64::MAX` seqs and limits, values
//! beyond `u64`, negative ones): each is clamped to what exists or refused with a clear
//! error, and never reaches the database as a wrapped-around value.

use crate::common;

use common::{ack_fields, Client, TestServer};
use reqwest::StatusCode;
use serde_json::json;
use tidings_protocol::http::{ApiError, HistoryPage};
use tidings_protocol::{ErrorCode, Role, ServerFrame};
use uuid::Uuid;

#[tokio::test]
async fn max_seqs_are_clamped_to_the_last_seq() {
    let server = TestServer::start().await;
    let (_, visitor_token) = server.visitor().await;
    let (_, agent_token) = server.agent("Ada", false).await;
    let (mut visitor, _) = Client::connect(&server, &visitor_token).await;
    let (conversation_id, _) = ack_fields(&visitor.send_message(Uuid::new_v4(), None, "one").await);
    visitor
        .send_message(Uuid::new_v4(), Some(conversation_id), "two")
        .await;

    // A resume point beyond everything: nothing to replay, synced at the real last seq,
    // and live messages after it still arrive.
    let (mut agent, _) = Client::connect(&server, &agent_token).await;
    agent
        .send(
            json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": u64::MAX}),
        )
        .await;
    agent
        .expect(|f| matches!(f, ServerFrame::Snapshot { .. }))
        .await;
    let synced = agent.next().await;
    assert_eq!(
        synced,
        ServerFrame::Synced {
            conversation_id,
            last_seq: 2,
            // More than exists is read as "everything up to the last seq".
            after_seq: 2,
        }
    );
    visitor
        .send_message(Uuid::new_v4(), Some(conversation_id), "three")
        .await;
    let live = agent
        .expect(|f| matches!(f, ServerFrame::Message { .. }))
        .await;
    assert_eq!(common::message_of(&live), (3, "three".to_string()));

    // Read and delivered at u64::MAX: clamped to the last seq.
    visitor
        .send(json!({"type": "delivered", "conversation_id": conversation_id, "seq": u64::MAX}))
        .await;
    visitor
        .send(json!({"type": "read", "conversation_id": conversation_id, "seq": u64::MAX}))
        .await;
    let receipt = agent
        .expect(|f| matches!(f, ServerFrame::Receipt { read_seq, .. } if *read_seq > 0))
        .await;
    assert_eq!(
        receipt,
        ServerFrame::Receipt {
            conversation_id,
            role: Role::Visitor,
            read_seq: 3,
            delivered_seq: 3
        }
    );

    // Past u64 or negative: not a frame this server takes; the connection stays usable.
    for seq in [json!(-1), json!(1e30), json!("7")] {
        visitor
            .send(json!({"type": "read", "conversation_id": conversation_id, "seq": seq}))
            .await;
        let refusal = visitor
            .expect(|f| matches!(f, ServerFrame::Error { .. }))
            .await;
        assert!(
            matches!(
                refusal,
                ServerFrame::Error {
                    code: ErrorCode::InvalidFrame,
                    ..
                }
            ),
            "{seq}: {refusal:?}"
        );
    }
    let ack = visitor
        .send_message(Uuid::new_v4(), Some(conversation_id), "four")
        .await;
    assert_eq!(ack_fields(&ack).1, 4);
    server.stop().await;
}

#[tokio::test]
async fn history_before_seq_and_limit_at_the_edges() {
    let server = TestServer::start().await;
    let (_, token) = server.visitor().await;
    let (mut visitor, _) = Client::connect(&server, &token).await;
    let (conversation_id, _) = ack_fields(&visitor.send_message(Uuid::new_v4(), None, "one").await);
    visitor
        .send_message(Uuid::new_v4(), Some(conversation_id), "two")
        .await;
    let history = |query: String| {
        reqwest::Client::new()
            .get(server.url(&format!(
                "/v1/conversations/{conversation_id}/messages?{query}"
            )))
            .bearer_auth(&token)
            .send()
    };

    let max = u64::MAX;
    let page: HistoryPage = history(format!("before_seq={max}&limit={max}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seqs: Vec<u64> = page.messages.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, vec![1, 2]);
    assert!(!page.has_more);

    let page: HistoryPage = history("limit=0".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 1, "a limit of 0 still returns one");
    assert!(page.has_more);

    for query in [
        "before_seq=-1",
        "limit=-5",
        "before_seq=18446744073709551616",
        "limit=1e3",
    ] {
        let response = history(query.to_string()).await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let error: ApiError = response.json().await.unwrap();
        assert_eq!(error.code, ErrorCode::InvalidField, "{query}");
    }
    server.stop().await;
}
