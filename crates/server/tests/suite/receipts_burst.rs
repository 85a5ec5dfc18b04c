//! A burst of receipts from one connection costs a few write groups (a few fsyncs), not one
//! each: receipts wait in the writer's queue together instead of one after the other.

use crate::common;

use common::{ack_fields, test_settings, Client, TestServer};
use serde_json::json;
use std::sync::atomic::Ordering;
use tidings_protocol::{Role, ServerFrame};
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_receipts_is_committed_in_a_few_groups() {
    const RECEIPTS: u64 = 30;
    let server = TestServer::start_with_settings(test_settings()).await;
    let (_, token) = server.visitor().await;
    let (mut ws, _) = Client::connect(&server, &token).await;
    let mut conversation = None;
    for n in 0..RECEIPTS {
        let ack = ws
            .send_message(Uuid::new_v4(), conversation, &format!("m{n}"))
            .await;
        conversation = Some(ack_fields(&ack).0);
    }
    let conversation_id = conversation.unwrap();
    let (_, agent_token) = server.agent("Ada", true).await;
    let (mut agent, _) = Client::connect(&server, &agent_token).await;

    let groups = || {
        tidings_server::metrics::global()
            .write_groups
            .load(Ordering::Relaxed)
    };
    let before = groups();
    for seq in 1..=RECEIPTS {
        agent
            .send(json!({"type": "read", "conversation_id": conversation_id, "seq": seq}))
            .await;
    }
    // The visitor hears every one once it is stored.
    for _ in 0..RECEIPTS {
        ws.expect(|f| {
            matches!(
                f,
                ServerFrame::Receipt {
                    role: Role::Agent,
                    ..
                }
            )
        })
        .await;
    }
    let used = groups() - before;
    eprintln!("{RECEIPTS} receipts from one socket took {used} write groups");
    assert!(
        used < RECEIPTS / 2,
        "{used} groups for {RECEIPTS} receipts: they were committed one by one"
    );
    server.stop().await;
}
