//! Concurrent writers: sends racing on several connections (and an agent) into one
//! conversation all commit, each with its own seq, and the seqs are gap-free.

use crate::common;

use common::{ack_fields, Client, TestServer};
use tidings_protocol::ServerFrame;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_sends_get_distinct_gap_free_seqs() {
    let server = TestServer::start().await;
    let (_, visitor_token) = server.visitor().await;
    let (_, agent_token) = server.agent("Ada", false).await;
    let (mut first, _) = Client::connect(&server, &visitor_token).await;
    let (conversation_id, _) = ack_fields(&first.send_message(Uuid::new_v4(), None, "start").await);

    // The auto-subscription to the new conversation ends with its own `synced`.
    first
        .expect(|f| matches!(f, ServerFrame::Synced { .. }))
        .await;

    let mut writers = Vec::new();
    for writer in 0..4 {
        let token = if writer == 0 {
            agent_token.clone()
        } else {
            visitor_token.clone()
        };
        let (mut ws, _) = Client::connect(&server, &token).await;
        writers.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for n in 0..10 {
                let ack = ws
                    .send_message(
                        Uuid::new_v4(),
                        Some(conversation_id),
                        &format!("w{writer} n{n}"),
                    )
                    .await;
                assert!(matches!(ack, ServerFrame::Ack { .. }), "{ack:?}");
                seqs.push(ack_fields(&ack).1);
            }
            seqs
        }));
    }
    let mut seqs = vec![1];
    for writer in writers {
        let own = writer.await.unwrap();
        assert!(
            own.windows(2).all(|w| w[0] < w[1]),
            "one writer's messages keep their order"
        );
        seqs.extend(own);
    }
    seqs.sort_unstable();
    // 1 + 40 sends + the agent's "joined" notice.
    assert_eq!(seqs.len(), 41);
    let mut expected: Vec<u64> = (1..=42).collect();
    expected.retain(|s| !seqs.contains(s));
    assert_eq!(
        expected.len(),
        1,
        "exactly one seq (the joined notice) is not an ack: {seqs:?}"
    );

    first.send(serde_json::json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0})).await;
    let synced = first
        .expect(|f| matches!(f, ServerFrame::Synced { .. }))
        .await;
    assert_eq!(
        synced,
        ServerFrame::Synced {
            conversation_id,
            last_seq: 42,
            after_seq: 0,
        }
    );
    server.stop().await;
}
