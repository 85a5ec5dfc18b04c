//! The grouped write path under concurrency: many writers on one conversation and on many
//! conversations get gap-free seqs and exactly one stored row per id, also when the same id
//! arrives twice in one group, and when a claim lands among sends to the same conversation.

use crate::common;

use std::collections::{BTreeSet, HashMap};

use common::{ack_fields, Client, TestServer, DEADLINE};
use serde_json::json;
use tidings_protocol::ServerFrame;
use uuid::Uuid;

/// Settings without the per-connection rate limit (this is about the writer, not the limiter).
fn unlimited() -> tidings_server::Settings {
    let mut settings = common::test_settings();
    settings.rate_per_second = 100_000;
    settings.rate_burst = 100_000;
    // Every socket follows the conversation and gets each big group's messages at once.
    settings.outbound_queue = 4096;
    settings
}

/// Sends every `(id, body)` at once (pipelined), then reads an answer for each: the ack's
/// seq per send, in the order they were sent.
async fn pipeline(
    ws: &mut Client,
    conversation_id: Option<Uuid>,
    sends: &[Uuid],
) -> Vec<(Uuid, u64)> {
    for id in sends {
        let mut frame = json!({"type": "send", "id": id, "body": format!("m {id}")});
        if let Some(c) = conversation_id {
            frame["conversation_id"] = json!(c);
        }
        ws.send(frame).await;
    }
    let mut acks = Vec::with_capacity(sends.len());
    while acks.len() < sends.len() {
        match ws.next().await {
            ServerFrame::Ack { id, seq, .. } => acks.push((id, seq)),
            ServerFrame::Error { code, message, .. } => panic!("refused: {code:?} {message}"),
            _ => {}
        }
    }
    acks
}

async fn count(server: &TestServer, sql: &'static str, conversation_id: Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(conversation_id.to_string())
        .fetch_one(&server.state.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_writers_on_one_conversation_get_gap_free_seqs_and_one_row_per_id() {
    let server = TestServer::start_with_settings(unlimited()).await;
    let (_, token) = server.visitor().await;
    let (mut first, _) = Client::connect(&server, &token).await;
    let (conversation_id, _) = ack_fields(&first.send_message(Uuid::new_v4(), None, "start").await);

    // Eight sockets, 30 ids each; every id is also sent by the next socket, so each id
    // arrives twice, from two connections at about the same time.
    const SOCKETS: usize = 8;
    const PER_SOCKET: usize = 30;
    let ids: Vec<Vec<Uuid>> = (0..SOCKETS)
        .map(|_| (0..PER_SOCKET).map(|_| Uuid::new_v4()).collect())
        .collect();
    let mut writers = Vec::new();
    for socket in 0..SOCKETS {
        let mut sends = ids[socket].clone();
        sends.extend(&ids[(socket + 1) % SOCKETS]);
        let (mut ws, _) = Client::connect(&server, &token).await;
        writers.push(tokio::spawn(async move {
            pipeline(&mut ws, Some(conversation_id), &sends).await
        }));
    }
    let mut seq_of: HashMap<Uuid, u64> = HashMap::new();
    for writer in writers {
        for (id, seq) in writer.await.unwrap() {
            let first_seq = *seq_of.entry(id).or_insert(seq);
            assert_eq!(first_seq, seq, "both acks of {id} carry the same seq");
        }
    }
    let total = SOCKETS * PER_SOCKET;
    assert_eq!(seq_of.len(), total);
    let seqs: BTreeSet<u64> = seq_of.values().copied().collect();
    assert_eq!(seqs.len(), total, "every id has its own seq");
    assert_eq!(
        seqs,
        (2..=total as u64 + 1).collect(),
        "gap-free after the first message"
    );
    let stored = "SELECT COUNT(*) FROM messages WHERE conversation_id = $1";
    assert_eq!(
        count(&server, stored, conversation_id).await,
        total as i64 + 1
    );
    let last = "SELECT last_seq FROM conversations WHERE id = $1";
    assert_eq!(
        count(&server, last, conversation_id).await,
        total as i64 + 1
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_conversations_written_at_once_each_get_gap_free_seqs() {
    let server = TestServer::start_with_settings(unlimited()).await;
    const VISITORS: usize = 20;
    const PER_VISITOR: usize = 25;
    let mut writers = Vec::new();
    for _ in 0..VISITORS {
        let (_, token) = server.visitor().await;
        let (mut ws, _) = Client::connect(&server, &token).await;
        writers.push(tokio::spawn(async move {
            // No conversation named: the first send opens one, the others go to it.
            let sends: Vec<Uuid> = (0..PER_VISITOR).map(|_| Uuid::new_v4()).collect();
            pipeline(&mut ws, None, &sends).await
        }));
    }
    let mut conversations = BTreeSet::new();
    for writer in writers {
        let acks = writer.await.unwrap();
        let seqs: Vec<u64> = acks.iter().map(|(_, seq)| *seq).collect();
        assert_eq!(
            seqs,
            (1..=PER_VISITOR as u64).collect::<Vec<_>>(),
            "in order, gap-free"
        );
        let conversation_id: Uuid =
            sqlx::query_scalar::<_, String>("SELECT conversation_id FROM messages WHERE id = $1")
                .bind(acks[0].0.to_string())
                .fetch_one(&server.state.pool)
                .await
                .unwrap()
                .parse()
                .unwrap();
        let stored = "SELECT COUNT(*) FROM messages WHERE conversation_id = $1";
        assert_eq!(
            count(&server, stored, conversation_id).await,
            PER_VISITOR as i64
        );
        conversations.insert(conversation_id);
    }
    assert_eq!(
        conversations.len(),
        VISITORS,
        "one conversation per visitor"
    );
    server.stop().await;
}

/// Waits (polling, with the test deadline) until the writer's queue and current group
/// hold what `want` says.
pub async fn until_writer(server: &TestServer, want: impl Fn((usize, usize)) -> bool) {
    tokio::time::timeout(DEADLINE, async {
        while !want(server.state.writer.pending()) {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the writer never got there");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_id_twice_in_one_group_is_stored_once_and_both_acks_carry_its_seq() {
    let server = TestServer::start_with_settings(unlimited()).await;
    let (_, token) = server.visitor().await;
    let (mut blocker, _) = Client::connect(&server, &token).await;
    let (conversation_id, _) =
        ack_fields(&blocker.send_message(Uuid::new_v4(), None, "start").await);
    let (mut a, _) = Client::connect(&server, &token).await;
    let (mut b, _) = Client::connect(&server, &token).await;

    // Hold the database (SQLite's write lock, PostgreSQL's lock on the conversation), so
    // the writer is stuck in its group with one write, while the same id arrives twice
    // behind it and waits in the queue: the next group has both.
    let lock = common::block_writer(&server, conversation_id).await;
    let first = Uuid::new_v4();
    blocker
        .send(
            json!({"type": "send", "id": first, "conversation_id": conversation_id, "body": "one"}),
        )
        .await;
    until_writer(&server, |(_, in_group)| in_group == 1).await;
    let twice = Uuid::new_v4();
    for ws in [&mut a, &mut b] {
        ws.send(
            json!({"type": "send", "id": twice, "conversation_id": conversation_id, "body": "two"}),
        )
        .await;
    }
    until_writer(&server, |(queued, _)| queued == 2).await;
    lock.commit().await.unwrap();

    let ack = |frame: ServerFrame| match frame {
        ServerFrame::Ack { id, seq, .. } => (id, seq),
        other => panic!("expected an ack, got {other:?}"),
    };
    let is_ack = |f: &ServerFrame| matches!(f, ServerFrame::Ack { .. });
    assert_eq!(ack(blocker.expect(is_ack).await), (first, 2));
    assert_eq!(ack(a.expect(is_ack).await), (twice, 3));
    assert_eq!(ack(b.expect(is_ack).await), (twice, 3));
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE id = $1")
        .bind(twice.to_string())
        .fetch_one(&server.state.pool)
        .await
        .unwrap();
    assert_eq!(stored, 1);
    let last = "SELECT last_seq FROM conversations WHERE id = $1";
    assert_eq!(count(&server, last, conversation_id).await, 3);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_claim_among_sends_in_one_group_keeps_seqs_gap_free_and_the_latest_preview() {
    let server = TestServer::start_with_settings(unlimited()).await;
    let (_, token) = server.visitor().await;
    let (_, agent_token) = server.agent("Ann", false).await;
    let (mut visitor, _) = Client::connect(&server, &token).await;
    let (conversation_id, _) =
        ack_fields(&visitor.send_message(Uuid::new_v4(), None, "start").await);
    let (mut agent, _) = Client::connect(&server, &agent_token).await;
    // A connection handles its frames one at a time: one socket per waiting send.
    let (mut second, _) = Client::connect(&server, &token).await;
    let (mut third, _) = Client::connect(&server, &token).await;

    // The writer is held in a group with one write while three more queue behind it, in
    // this order: a visitor's message, the agent's first reply (which claims the waiting
    // conversation: a "joined" notice, then the reply), another visitor's message. On
    // PostgreSQL the claim is a statement of its own in the middle of kept inserts.
    let lock = common::block_writer(&server, conversation_id).await;
    let send = |body: &str| json!({"type": "send", "id": Uuid::new_v4(), "conversation_id": conversation_id, "body": body});
    visitor.send(send("one")).await;
    until_writer(&server, |(_, in_group)| in_group == 1).await;
    second.send(send("two")).await;
    until_writer(&server, |(queued, _)| queued == 1).await;
    agent.send(send("reply")).await;
    until_writer(&server, |(queued, _)| queued == 2).await;
    third.send(send("three")).await;
    until_writer(&server, |(queued, _)| queued == 3).await;
    lock.commit().await.unwrap();

    let is_ack = |f: &ServerFrame| matches!(f, ServerFrame::Ack { .. });
    let seq = |frame: ServerFrame| ack_fields(&frame).1;
    assert_eq!(seq(visitor.expect(is_ack).await), 2);
    assert_eq!(seq(second.expect(is_ack).await), 3);
    assert_eq!(
        seq(agent.expect(is_ack).await),
        5,
        "the joined notice takes 4"
    );
    assert_eq!(seq(third.expect(is_ack).await), 6);

    let stored: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT seq, sender, body FROM messages WHERE conversation_id = $1 ORDER BY seq",
    )
    .bind(conversation_id.to_string())
    .fetch_all(&server.state.pool)
    .await
    .unwrap();
    let seqs: Vec<i64> = stored.iter().map(|(seq, _, _)| *seq).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(stored[3].1, "system");
    assert_eq!(stored[4].2, "reply");
    let (last_seq, status, preview): (i64, String, Option<String>) = sqlx::query_as(
        "SELECT last_seq, status, last_message_preview FROM conversations WHERE id = $1",
    )
    .bind(conversation_id.to_string())
    .fetch_one(&server.state.pool)
    .await
    .unwrap();
    assert_eq!(
        (last_seq, status.as_str(), preview.as_deref()),
        (6, "active", Some("three"))
    );
    server.stop().await;
}
