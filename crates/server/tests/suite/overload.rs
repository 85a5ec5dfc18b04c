//! Past saturation the writer's queue refuses at once with `overloaded` (a passing refusal:
//! nothing is stored), and a client whose outbox retries such refusals delivers everything,
//! once, in order, when the load drops. The queue is made tiny (`write_queue = 1`) and the
//! writer is held up by SQLite's write lock, so "saturated" is a state the test controls.

use crate::common;

use common::{ack_fields, Client, TestServer, DEADLINE};
use serde_json::json;
use tidings_client::outbox::is_transient;
use tidings_client::{MemoryStorage, Outbox};
use tidings_protocol::{ErrorCode, ServerFrame};
use uuid::Uuid;

async fn until_writer(server: &TestServer, want: impl Fn((usize, usize)) -> bool) {
    tokio::time::timeout(DEADLINE, async {
        while !want(server.state.writer.pending()) {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the writer never got there");
}

/// The answer naming `id`: an ack's seq, or the refusal's code.
async fn answer(ws: &mut Client, id: Uuid) -> Result<u64, ErrorCode> {
    match ws
        .expect(|f| matches!(f, ServerFrame::Ack { id: a, .. } | ServerFrame::Error { id: Some(a), .. } if *a == id))
        .await
    {
        ServerFrame::Ack { seq, .. } => Ok(seq),
        ServerFrame::Error { code, .. } => Err(code),
        _ => unreachable!(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_write_queue_refuses_with_overloaded_and_the_outbox_delivers_everything_later() {
    let mut settings = common::test_settings();
    settings.write_queue = 1;
    settings.rate_per_second = 100_000;
    settings.rate_burst = 100_000;
    let server = TestServer::start_with_settings(settings).await;
    let mut clients = Vec::new();
    for _ in 0..3 {
        let (_, token) = server.visitor().await;
        let (mut ws, _) = Client::connect(&server, &token).await;
        let (conversation_id, _) = ack_fields(&ws.send_message(Uuid::new_v4(), None, "hi").await);
        clients.push((ws, conversation_id));
    }
    let (mut c, c_conversation) = clients.pop().unwrap();
    let (mut b, b_conversation) = clients.pop().unwrap();
    let (mut a, a_conversation) = clients.pop().unwrap();

    // Saturate: the writer is stuck on a held write lock with A's write, and B's write
    // fills the queue.
    let lock = common::block_writer(&server, a_conversation).await;
    let (a_id, b_id) = (Uuid::new_v4(), Uuid::new_v4());
    a.send(json!({"type": "send", "id": a_id, "conversation_id": a_conversation, "body": "a"}))
        .await;
    until_writer(&server, |(_, in_group)| in_group == 1).await;
    b.send(json!({"type": "send", "id": b_id, "conversation_id": b_conversation, "body": "b"}))
        .await;
    until_writer(&server, |(queued, _)| queued == 1).await;

    // C's outbox holds three messages; the first one is refused at once.
    let mut outbox = Outbox::new(MemoryStorage::default(), "tidings.outbox.");
    let ids: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
    for (n, id) in ids.iter().enumerate() {
        outbox
            .enqueue(*id, Some(c_conversation), format!("c{n}"), n as i64)
            .unwrap();
    }
    let entry = outbox.next_to_send().unwrap();
    c.send(json!({"type": "send", "id": entry.id, "conversation_id": c_conversation, "body": entry.body}))
        .await;
    let refused = answer(&mut c, entry.id).await;
    assert_eq!(refused, Err(ErrorCode::Overloaded));
    assert!(
        is_transient(ErrorCode::Overloaded),
        "the outbox keeps it and retries"
    );
    // What the browser's delivery does with a passing refusal: try the same entry again.
    outbox.connection_lost();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE id = $1")
        .bind(entry.id.to_string())
        .fetch_one(&server.state.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "a refused write stored nothing");

    // The load drops: everything queued commits, and C's outbox drains in order.
    lock.commit().await.unwrap();
    assert_eq!(answer(&mut a, a_id).await, Ok(2));
    assert_eq!(answer(&mut b, b_id).await, Ok(2));
    let mut seqs = Vec::new();
    while let Some(entry) = outbox.next_to_send() {
        c.send(json!({"type": "send", "id": entry.id, "conversation_id": c_conversation, "body": entry.body}))
            .await;
        match answer(&mut c, entry.id).await {
            Ok(seq) => {
                outbox.acknowledge(entry.id);
                seqs.push(seq);
            }
            Err(code) => panic!("refused again once the load dropped: {code:?}"),
        }
    }
    assert_eq!(seqs, vec![2, 3, 4], "each once, in the outbox's order");
    for id in &ids {
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&server.state.pool)
            .await
            .unwrap();
        assert_eq!(stored, 1);
    }
    server.stop().await;
}

#[tokio::test]
async fn an_http_change_past_saturation_is_a_503_overloaded() {
    let mut settings = common::test_settings();
    settings.write_queue = 1;
    let server = TestServer::start_with_settings(settings).await;
    let (_, agent_token) = server.agent("Ada", false).await;
    let (_, token) = server.visitor().await;
    let (mut ws, _) = Client::connect(&server, &token).await;
    let (conversation_id, _) = ack_fields(&ws.send_message(Uuid::new_v4(), None, "hi").await);
    let (_, other_token) = server.visitor().await;
    let (mut other, _) = Client::connect(&server, &other_token).await;

    let lock = common::block_writer(&server, conversation_id).await;
    let (first, second) = (Uuid::new_v4(), Uuid::new_v4());
    ws.send(json!({"type": "send", "id": first, "conversation_id": conversation_id, "body": "1"}))
        .await;
    until_writer(&server, |(_, in_group)| in_group == 1).await;
    other
        .send(json!({"type": "send", "id": second, "body": "2"}))
        .await;
    until_writer(&server, |(queued, _)| queued == 1).await;
    let response = server
        .post(
            &format!("/v1/conversations/{conversation_id}/claim"),
            &agent_token,
            json!({}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "overloaded");
    lock.commit().await.unwrap();
    assert_eq!(answer(&mut ws, first).await, Ok(2));
    assert!(answer(&mut other, second).await.is_ok());
    server.stop().await;
}
