//! Several real `tidings-server` processes on one PostgreSQL database: what a visitor on one
//! node and an agent on another see, and what survives a node's or the database's crash.
//!
//! These tests always run on PostgreSQL (the test binary's throwaway cluster, or their own
//! when they restart it), whatever `TIDINGS_TEST_BACKEND` says: a cluster needs it. Their
//! names start with `cluster_` so a SQLite-only run can skip them.

use crate::common;

use std::collections::{BTreeMap, HashSet};
use std::process::Child;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::database::{create_database, shared_cluster};
use common::postgres::PgCluster;
use common::process::{socket_url, spawn_server_with};
use common::{ack_fields, create_visitor, message_of, Client, DEADLINE};
use serde_json::json;
use tidings_protocol::{ConversationStatus, PresenceStatus, Role, ServerFrame};
use tidings_server::{auth, db, store};
use uuid::Uuid;

/// One server process; killed when dropped.
struct Node {
    child: Child,
    address: String,
}

impl Node {
    /// A node whose silent sockets (and dead peers) time out after 2 s.
    fn start(url: &str) -> Node {
        Self::start_with_timeout(url, "2000")
    }

    fn start_with_timeout(url: &str, heartbeat_timeout_ms: &str) -> Node {
        let (child, address) = spawn_server_with(
            url,
            &[
                "--heartbeat-interval-ms",
                "300",
                "--heartbeat-timeout-ms",
                heartbeat_timeout_ms,
                "--rate-per-second",
                "1000",
                "--rate-burst",
                "1000",
            ],
        );
        Node { child, address }
    }

    fn socket(&self) -> String {
        socket_url(&self.address)
    }

    async fn connect(&self, token: &str) -> (Client, ServerFrame) {
        Client::connect_url(&self.socket(), token).await
    }

    fn kill_9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill_9();
    }
}

/// A fresh database on the shared cluster.
async fn database() -> String {
    create_database(shared_cluster()).await
}

/// An agent with a session on the database at `url`: (id, token).
async fn agent(url: &str, name: &str) -> (Uuid, String) {
    let pool = db::connect(url).await.unwrap().pool;
    let email = format!("{}@example.test", name.to_lowercase());
    let agent = store::agents::insert(&pool, &email, name, common::password_hash(), false)
        .await
        .unwrap();
    let token = auth::new_agent_token();
    store::agents::create_session(
        &pool,
        agent.id,
        &auth::token_hash(&token),
        Default::default(),
    )
    .await
    .unwrap();
    pool.close().await;
    (agent.id, token)
}

/// Subscribes and reads the replay: the messages' (seq, body) up to `synced`.
async fn subscribe(ws: &mut Client, conversation_id: Uuid, after_seq: u64) -> Vec<(u64, String)> {
    ws.send(
        json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": after_seq}),
    )
    .await;
    ws.expect(|f| matches!(f, ServerFrame::Snapshot { .. }))
        .await;
    let mut replay = Vec::new();
    loop {
        match ws.next().await {
            ServerFrame::Message { message } => replay.push((message.seq, message.body)),
            ServerFrame::Synced { .. } => return replay,
            _ => {}
        }
    }
}

/// The next message past `seq` (its seq and body), skipping other frames and repeats. A
/// second tab of the visitor who just started a conversation can see its start replayed
/// twice: the news of the new conversation reaches the other node a moment later and
/// subscribes that tab too, which is harmless (clients keep a message once by its seq).
async fn next_message_after(ws: &mut Client, seq: u64) -> (u64, String) {
    loop {
        let message = next_message(ws).await;
        if message.0 > seq {
            return message;
        }
    }
}

/// `POST /v1/conversations/{id}/claim` on `node` as the agent with `token`.
async fn claim(node: &Node, conversation_id: Uuid, token: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .post(format!(
            "{}/v1/conversations/{conversation_id}/claim",
            node.address
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

/// Skips frames until an `availability` frame with `status`.
async fn expect_availability(ws: &mut Client, status: PresenceStatus) {
    ws.expect(|f| matches!(f, ServerFrame::Availability { status: s } if *s == status))
        .await;
}

/// The next message frame's (seq, body), skipping other frames.
async fn next_message(ws: &mut Client) -> (u64, String) {
    message_of(
        &ws.expect(|f| matches!(f, ServerFrame::Message { .. }))
            .await,
    )
}

#[tokio::test]
async fn cluster_visitor_and_agent_on_two_nodes_exchange_messages_live_both_ways() {
    let url = database().await;
    let (one, two) = (Node::start(&url), Node::start(&url));
    let (_, agent_token) = agent(&url, "Grace").await;
    let (mut agent_ws, _) = two.connect(&agent_token).await;
    agent_ws.send(json!({"type": "watch_queue"})).await;
    agent_ws
        .expect(|f| matches!(f, ServerFrame::Queue { .. }))
        .await;

    let (_, visitor_token) = create_visitor(&one.address).await;
    let (mut visitor_ws, _) = one.connect(&visitor_token).await;
    let (conversation_id, seq) = ack_fields(
        &visitor_ws
            .send_message(Uuid::new_v4(), None, "hello from one")
            .await,
    );
    assert_eq!(seq, 1);

    // The queue on node two hears of the new conversation, and the agent follows it.
    agent_ws
        .expect(|f| matches!(f, ServerFrame::Conversation { conversation, .. } if conversation.id == conversation_id))
        .await;
    let replay = subscribe(&mut agent_ws, conversation_id, 0).await;
    assert_eq!(replay, vec![(1, "hello from one".to_string())]);

    // Agent (node two) → visitor (node one): the reply claims it ("joined" notice first).
    let (_, seq) = ack_fields(
        &agent_ws
            .send_message(Uuid::new_v4(), Some(conversation_id), "hi, Grace here")
            .await,
    );
    assert_eq!(seq, 3);
    // The visitor follows the conversation it started: its own first message, then the
    // agent's "joined" notice and reply.
    assert_eq!(next_message(&mut visitor_ws).await.0, 1);
    assert_eq!(next_message(&mut visitor_ws).await.0, 2);
    assert_eq!(
        next_message(&mut visitor_ws).await,
        (3, "hi, Grace here".to_string())
    );
    // Visitor (node one) → agent (node two), live.
    visitor_ws
        .send_message(Uuid::new_v4(), Some(conversation_id), "thanks")
        .await;
    // The agent follows it too: the notice and reply it caused, then the visitor's answer.
    assert_eq!(next_message(&mut agent_ws).await.0, 2);
    assert_eq!(next_message(&mut agent_ws).await.0, 3);
    assert_eq!(next_message(&mut agent_ws).await, (4, "thanks".to_string()));
}

#[tokio::test]
async fn cluster_a_message_too_big_for_a_notification_still_reaches_the_other_node() {
    let url = database().await;
    let (one, two) = (Node::start(&url), Node::start(&url));
    let (_, token) = create_visitor(&one.address).await;
    let (mut writer, _) = one.connect(&token).await;
    let (conversation_id, _) = ack_fields(&writer.send_message(Uuid::new_v4(), None, "hi").await);
    let (mut reader, _) = two.connect(&token).await;
    subscribe(&mut reader, conversation_id, 0).await;
    // 4,000 characters of 3 bytes each: 12 KB of JSON, past NOTIFY's 8,000 bytes.
    let big = "€".repeat(4_000);
    writer
        .send_message(Uuid::new_v4(), Some(conversation_id), &big)
        .await;
    assert_eq!(next_message_after(&mut reader, 1).await, (2, big));
}

#[tokio::test]
async fn cluster_a_duplicate_sent_to_node_one_then_node_two_is_stored_once_with_one_seq() {
    let url = database().await;
    let (one, two) = (Node::start(&url), Node::start(&url));
    let (_, token) = create_visitor(&one.address).await;
    let (mut on_one, _) = one.connect(&token).await;
    let (conversation_id, _) =
        ack_fields(&on_one.send_message(Uuid::new_v4(), None, "first").await);
    let id = Uuid::new_v4();
    let first = ack_fields(&on_one.send_message(id, Some(conversation_id), "once").await);
    let (mut on_two, _) = two.connect(&token).await;
    let again = ack_fields(&on_two.send_message(id, Some(conversation_id), "once").await);
    assert_eq!(
        first, again,
        "both acks carry the same conversation and seq"
    );
    let pool = db::connect(&url).await.unwrap().pool;
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn cluster_resume_on_node_two_after_leaving_node_one_returns_exactly_the_missed_messages() {
    let url = database().await;
    let (one, two) = (Node::start(&url), Node::start(&url));
    let (_, token) = create_visitor(&one.address).await;
    let (mut writer, _) = one.connect(&token).await;
    let (conversation_id, _) = ack_fields(&writer.send_message(Uuid::new_v4(), None, "m1").await);
    let (mut reader, _) = one.connect(&token).await;
    let seen = subscribe(&mut reader, conversation_id, 0).await;
    assert_eq!(seen.last().unwrap().0, 1);
    drop(reader);
    for n in 2..=5 {
        writer
            .send_message(Uuid::new_v4(), Some(conversation_id), &format!("m{n}"))
            .await;
    }
    let (mut resumed, _) = two.connect(&token).await;
    let replay = subscribe(&mut resumed, conversation_id, 1).await;
    assert_eq!(
        replay,
        (2..=5).map(|n| (n, format!("m{n}"))).collect::<Vec<_>>()
    );
    // And it is live on node two for what node one stores next.
    writer
        .send_message(Uuid::new_v4(), Some(conversation_id), "m6")
        .await;
    assert_eq!(next_message(&mut resumed).await, (6, "m6".to_string()));
}

#[tokio::test]
async fn cluster_two_agents_on_two_nodes_claim_at_once_and_exactly_one_wins() {
    let url = database().await;
    let (one, two) = (Node::start(&url), Node::start(&url));
    let (_, token) = create_visitor(&one.address).await;
    let (mut visitor, _) = one.connect(&token).await;
    let (conversation_id, _) =
        ack_fields(&visitor.send_message(Uuid::new_v4(), None, "help").await);
    let (ada, ada_token) = agent(&url, "Ada").await;
    let (bob, bob_token) = agent(&url, "Bob").await;
    let (a, b) = tokio::join!(
        claim(&one, conversation_id, &ada_token),
        claim(&two, conversation_id, &bob_token)
    );
    let wins = [a, b].iter().filter(|s| s.is_success()).count();
    assert_eq!(wins, 1, "exactly one claim succeeds: {a} {b}");
    let loser = if a.is_success() { b } else { a };
    // Told it is taken (409), or that it may no longer see it (404), as on one node.
    assert!(
        [404, 409].contains(&loser.as_u16()),
        "the other claim is refused: {loser}"
    );
    let pool = db::connect(&url).await.unwrap().pool;
    let (status, assignee, notices): (String, String, i64) = sqlx::query_as(
        "SELECT status, assigned_agent_id,
            (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.sender = 'system')
         FROM conversations c WHERE id = $1",
    )
    .bind(conversation_id.to_string())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(status, "active");
    let winner = if a.is_success() { ada } else { bob };
    assert_eq!(assignee, winner.to_string());
    assert_eq!(notices, 1, "one joined notice");
}

#[tokio::test]
async fn cluster_presence_and_typing_cross_nodes() {
    let url = database().await;
    let (one, two) = (Node::start(&url), Node::start(&url));
    let (_, token) = create_visitor(&one.address).await;
    let (mut visitor, hello) = one.connect(&token).await;
    assert!(
        matches!(
            hello,
            ServerFrame::Hello {
                availability: PresenceStatus::Offline,
                ..
            }
        ),
        "{hello:?}"
    );
    let (conversation_id, _) = ack_fields(&visitor.send_message(Uuid::new_v4(), None, "hi").await);

    // An agent comes online on node two: the visitor on node one hears it.
    let (_, agent_token) = agent(&url, "Grace").await;
    let (mut agent_ws, _) = two.connect(&agent_token).await;
    expect_availability(&mut visitor, PresenceStatus::Online).await;
    // A visitor connecting to node one now is told so in its hello.
    let (_, hello) = one.connect(&token).await;
    assert!(
        matches!(
            hello,
            ServerFrame::Hello {
                availability: PresenceStatus::Online,
                ..
            }
        ),
        "{hello:?}"
    );

    // Typing crosses nodes both ways.
    subscribe(&mut agent_ws, conversation_id, 0).await;
    visitor
        .send(json!({"type": "typing", "conversation_id": conversation_id, "typing": true}))
        .await;
    agent_ws
        .expect(|f| {
            matches!(
                f,
                ServerFrame::Typing {
                    role: Role::Visitor,
                    typing: true,
                    ..
                }
            )
        })
        .await;
    agent_ws
        .send(json!({"type": "typing", "conversation_id": conversation_id, "typing": true}))
        .await;
    visitor
        .expect(|f| {
            matches!(
                f,
                ServerFrame::Typing {
                    role: Role::Agent,
                    typing: true,
                    ..
                }
            )
        })
        .await;

    // The agent's last socket (on node two) closes: offline on node one too.
    drop(agent_ws);
    expect_availability(&mut visitor, PresenceStatus::Offline).await;
}

#[tokio::test]
async fn cluster_a_killed_nodes_agents_go_offline_within_the_heartbeat_timeout() {
    let url = database().await;
    let (mut one, two) = (Node::start(&url), Node::start(&url));
    let (_, agent_token) = agent(&url, "Grace").await;
    let (_agent_ws, _) = one.connect(&agent_token).await;
    let (_, token) = create_visitor(&two.address).await;
    let (mut visitor, hello) = two.connect(&token).await;
    if !matches!(
        hello,
        ServerFrame::Hello {
            availability: PresenceStatus::Online,
            ..
        }
    ) {
        expect_availability(&mut visitor, PresenceStatus::Online).await;
    }
    one.kill_9();
    // The node's heartbeat row expires after 2 s; node two forgets what it held.
    expect_availability(&mut visitor, PresenceStatus::Offline).await;
}

#[tokio::test]
async fn cluster_a_claim_on_node_one_stops_node_two_streaming_to_the_agent_who_lost_sight() {
    let url = database().await;
    let (one, two) = (Node::start(&url), Node::start(&url));
    let (_, token) = create_visitor(&one.address).await;
    let (mut visitor, _) = one.connect(&token).await;
    let (conversation_id, _) =
        ack_fields(&visitor.send_message(Uuid::new_v4(), None, "help").await);
    let (_, watcher_token) = agent(&url, "Bob").await;
    let (mut watcher, _) = two.connect(&watcher_token).await;
    subscribe(&mut watcher, conversation_id, 0).await;
    let (_, claimer_token) = agent(&url, "Ada").await;
    assert!(claim(&one, conversation_id, &claimer_token)
        .await
        .is_success());
    // Bob (node two) learns it is Ada's now, without its content...
    let frame = watcher
        .expect(|f| matches!(f, ServerFrame::Conversation { conversation, .. } if conversation.status == ConversationStatus::Active))
        .await;
    let ServerFrame::Conversation { conversation, .. } = frame else {
        unreachable!()
    };
    assert_eq!(conversation.last_message_preview, None);
    // ...and receives none of what is said afterwards. A marker conversation he may see
    // proves frames still flow to him, and that nothing of the claimed one came first.
    visitor
        .send_message(Uuid::new_v4(), Some(conversation_id), "secret")
        .await;
    let (_, other_token) = create_visitor(&one.address).await;
    let (mut other, _) = one.connect(&other_token).await;
    let (marker, _) = ack_fields(&other.send_message(Uuid::new_v4(), None, "marker").await);
    subscribe(&mut watcher, marker, 0).await;
    watcher.send(json!({"type": "ping", "nonce": 7})).await;
    loop {
        match watcher.next().await {
            ServerFrame::Pong { nonce: 7 } => break,
            ServerFrame::Message { message } => {
                assert_ne!(message.conversation_id, conversation_id, "{message:?}")
            }
            _ => {}
        }
    }
}

/// Writes `count` messages through `ws`, one at a time, returning the acked (id, seq) pairs;
/// stops early (without failing) if the node goes away.
async fn write_until_gone(
    ws: &mut Client,
    conversation_id: Uuid,
    count: usize,
    tag: &str,
    progress: &AtomicUsize,
) -> Vec<(Uuid, u64)> {
    let mut acked = Vec::new();
    for n in 0..count {
        let id = Uuid::new_v4();
        ws.send(json!({"type": "send", "id": id, "conversation_id": conversation_id, "body": format!("{tag}{n}")}))
            .await;
        let answer = tokio::time::timeout(DEADLINE, async {
            loop {
                match ws.next_or_end().await {
                    Some(ServerFrame::Ack { id: a, seq, .. }) if a == id => return Some(seq),
                    Some(ServerFrame::Error { id: Some(a), .. }) if a == id => return None,
                    // Messages and list updates of the followed conversation.
                    Some(_) => continue,
                    None => return None,
                }
            }
        })
        .await;
        match answer {
            Ok(Some(seq)) => {
                acked.push((id, seq));
                progress.fetch_add(1, Ordering::SeqCst);
            }
            _ => break,
        }
    }
    acked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cluster_kill_9_of_one_node_loses_nothing_acknowledged_and_the_other_keeps_serving() {
    let url = database().await;
    let (mut one, two) = (Node::start(&url), Node::start(&url));
    let (_, token) = create_visitor(&two.address).await;
    let (mut on_two, _) = two.connect(&token).await;
    let (conversation_id, _) =
        ack_fields(&on_two.send_message(Uuid::new_v4(), None, "start").await);
    let (mut on_one, _) = one.connect(&token).await;
    subscribe(&mut on_one, conversation_id, 0).await;

    // Both nodes' clients write to one conversation; node one is killed meanwhile, once
    // it has acknowledged 100 writes.
    let one_progress = Arc::new(AtomicUsize::new(0));
    let one_writes = tokio::spawn({
        let progress = one_progress.clone();
        async move {
            let acked =
                write_until_gone(&mut on_one, conversation_id, 100_000, "one-", &progress).await;
            (acked, on_one)
        }
    });
    let two_writer = tokio::spawn(async move {
        let acked = write_until_gone(
            &mut on_two,
            conversation_id,
            60,
            "two-",
            &AtomicUsize::new(0),
        )
        .await;
        (acked, on_two)
    });
    tokio::time::timeout(DEADLINE, async {
        while one_progress.load(Ordering::SeqCst) < 100 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("node one acknowledged 100 writes");
    one.kill_9();
    let (one_acked, _) = one_writes.await.unwrap();
    let (two_acked, _) = two_writer.await.unwrap();
    assert_eq!(two_acked.len(), 60, "node two never stopped serving");
    assert!(
        !one_acked.is_empty(),
        "node one acknowledged writes before it died"
    );

    // Every acknowledged id is stored once, with its seq; the conversation has no gap.
    let pool = db::connect(&url).await.unwrap().pool;
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT id, seq FROM messages WHERE conversation_id = $1 ORDER BY seq")
            .bind(conversation_id.to_string())
            .fetch_all(&pool)
            .await
            .unwrap();
    let stored: BTreeMap<String, i64> = rows.iter().cloned().collect();
    assert_eq!(stored.len(), rows.len(), "no id stored twice");
    for (id, seq) in one_acked.iter().chain(&two_acked) {
        assert_eq!(
            stored.get(&id.to_string()),
            Some(&(*seq as i64)),
            "acked {id} is stored with its seq"
        );
    }
    let seqs: Vec<i64> = rows.iter().map(|(_, s)| *s).collect();
    assert_eq!(seqs, (1..=rows.len() as i64).collect::<Vec<_>>(), "no gap");

    // A client of node one resumes on node two: exactly what it had not seen, once.
    let (mut resumed, _) = two.connect(&token).await;
    let last_seen = one_acked.iter().map(|(_, s)| *s).max().unwrap();
    let replay = subscribe(&mut resumed, conversation_id, last_seen).await;
    let replayed: Vec<u64> = replay.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        replayed,
        ((last_seen + 1)..=rows.len() as u64).collect::<Vec<_>>()
    );
    let unique: HashSet<u64> = replayed.iter().copied().collect();
    assert_eq!(unique.len(), replayed.len());
    eprintln!(
        "kill -9 of node one: node one acked {}, node two acked {}, stored {}, lost 0, duplicated 0, gaps 0",
        one_acked.len(),
        two_acked.len(),
        rows.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cluster_a_follower_sees_every_seq_once_in_order_while_two_nodes_write_one_conversation() {
    let url = database().await;
    // The reader reads nothing (so answers no pings) until both writers are done, which
    // takes seconds on a busy machine: a long heartbeat timeout keeps its socket open.
    let (one, two) = (
        Node::start_with_timeout(&url, "60000"),
        Node::start_with_timeout(&url, "60000"),
    );
    let (_, token) = create_visitor(&one.address).await;
    let (mut on_one, _) = one.connect(&token).await;
    let (conversation_id, _) =
        ack_fields(&on_one.send_message(Uuid::new_v4(), None, "start").await);
    let (on_two, _) = two.connect(&token).await;
    let (mut reader, _) = one.connect(&token).await;
    subscribe(&mut reader, conversation_id, 0).await;
    const EACH: usize = 150;
    let writers = [(on_one, "one-"), (on_two, "two-")].map(|(mut ws, tag)| {
        tokio::spawn(async move {
            write_until_gone(&mut ws, conversation_id, EACH, tag, &AtomicUsize::new(0)).await
        })
    });
    for writer in writers {
        assert_eq!(writer.await.unwrap().len(), EACH);
    }
    // Node one's own messages are fanned out at once, node two's come through PostgreSQL:
    // the reader still gets 2, 3, 4, ... with no gap and no repeat.
    let total = 1 + 2 * EACH as u64;
    let mut seqs = Vec::new();
    let mut last = 1;
    while seqs.len() < total as usize - 1 {
        last = next_message_after(&mut reader, last).await.0;
        seqs.push(last);
    }
    assert_eq!(seqs, (2..=total).collect::<Vec<_>>());
}

#[tokio::test]
async fn cluster_postgres_restarted_under_a_running_node_delivers_what_was_committed_meanwhile() {
    let pg = PgCluster::start();
    let url = create_database(&pg.base_url()).await;
    // The test's clients answer no pings while PostgreSQL stops and starts (a blocking
    // call): a timeout longer than that keeps their sockets open.
    let (one, two) = (
        Node::start_with_timeout(&url, "60000"),
        Node::start_with_timeout(&url, "60000"),
    );
    let (_, token) = create_visitor(&one.address).await;
    let (mut writer, _) = two.connect(&token).await;
    let (conversation_id, _) =
        ack_fields(&writer.send_message(Uuid::new_v4(), None, "before").await);
    let (mut reader, _) = one.connect(&token).await;
    subscribe(&mut reader, conversation_id, 0).await;

    pg.stop_server();
    // While PostgreSQL is down: unhealthy, and a send is refused (nothing acknowledged),
    // so the client keeps it in its outbox.
    let health = reqwest::get(format!("{}/healthz", one.address))
        .await
        .unwrap();
    assert!(!health.status().is_success(), "{}", health.status());
    let refused = writer
        .send_message(Uuid::new_v4(), Some(conversation_id), "while down")
        .await;
    assert!(matches!(refused, ServerFrame::Error { .. }), "{refused:?}");
    pg.start_server();
    // Node two's writer reconnects at its next group: sends are refused (and retried by
    // the client) until it has; then they are stored and acknowledged.
    let mut seq = None;
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while seq.is_none() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "node two never stored again"
        );
        let ack = writer
            .send_message(Uuid::new_v4(), Some(conversation_id), "after")
            .await;
        if let ServerFrame::Ack { seq: s, .. } = ack {
            seq = Some(s);
        } else {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // Node one's reader gets it, whether the notification made it or its catch-up did.
    // (It may see "before" again first: the news that the conversation was created can
    // reach node one after the reader connected, and subscribe it once more.)
    assert_eq!(
        next_message_after(&mut reader, 1).await,
        (seq.unwrap(), "after".to_string())
    );
}

/// Reads a visitor's frames until the message with `body`, failing on any note or any
/// frame that says what a note says; returns the frames read.
async fn visitor_frames_until(ws: &mut Client, body: &str) -> Vec<ServerFrame> {
    let mut frames = Vec::new();
    loop {
        let frame = ws.next().await;
        let text = serde_json::to_string(&frame).unwrap();
        assert!(!text.contains("NOTE-ONLY"), "the visitor received {text}");
        let done = matches!(&frame, ServerFrame::Message { message } if message.body == body);
        frames.push(frame);
        if done {
            return frames;
        }
    }
}

#[tokio::test]
async fn cluster_a_note_and_a_transfer_on_node_one_reach_node_twos_agents_but_never_its_visitor() {
    let url = database().await;
    let (one, two) = (Node::start(&url), Node::start(&url));
    let (_, ada_token) = agent(&url, "Ada").await;
    let (grace_id, grace_token) = agent(&url, "Grace").await;
    let (_, visitor_token) = create_visitor(&two.address).await;
    let (mut visitor_ws, _) = two.connect(&visitor_token).await;
    let (conversation_id, _) = ack_fields(
        &visitor_ws
            .send_message(Uuid::new_v4(), None, "hello from two")
            .await,
    );
    // Ada claims it on node one and follows it on node two; Grace watches her queue there.
    assert_eq!(
        claim(&one, conversation_id, &ada_token).await,
        reqwest::StatusCode::OK
    );
    let (mut ada_two, _) = two.connect(&ada_token).await;
    let replay = subscribe(&mut ada_two, conversation_id, 0).await;
    assert_eq!(replay.len(), 2, "the message and Ada's joined notice");
    let (mut grace_two, _) = two.connect(&grace_token).await;
    grace_two.send(json!({"type": "watch_queue"})).await;
    grace_two
        .expect(|f| matches!(f, ServerFrame::Queue { .. }))
        .await;

    // A note posted on node one: Ada's socket on node two gets it as a note...
    let http = reqwest::Client::new();
    let noted = http
        .post(format!(
            "{}/v1/conversations/{conversation_id}/notes",
            one.address
        ))
        .bearer_auth(&ada_token)
        .json(&json!({"id": Uuid::new_v4(), "body": "NOTE-ONLY: check the warehouse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(noted.status(), reqwest::StatusCode::OK);
    let note = ada_two
        .expect(|f| matches!(f, ServerFrame::Message { .. }))
        .await;
    let ServerFrame::Message { message: note } = note else {
        unreachable!()
    };
    assert_eq!(
        (note.seq, note.sender, note.body.as_str()),
        (
            3,
            tidings_protocol::Sender::Note,
            "NOTE-ONLY: check the warehouse"
        )
    );

    // ...then a transfer with a note, also on node one, to Grace.
    let moved = http
        .post(format!(
            "{}/v1/conversations/{conversation_id}/transfer",
            one.address
        ))
        .bearer_auth(&ada_token)
        .json(&json!({"agent_id": grace_id, "note": "NOTE-ONLY: over to you"}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), reqwest::StatusCode::OK);
    grace_two
        .expect(|f| {
            matches!(f, ServerFrame::Conversation { event: tidings_protocol::ConversationEvent::Assigned, conversation, .. }
                if conversation.id == conversation_id
                    && conversation.assigned_agent.as_ref().map(|a| a.id) == Some(grace_id))
        })
        .await;

    // The visitor on node two: both hidden seqs (3, 4) come as `synced`, then Grace joins.
    let frames = visitor_frames_until(&mut visitor_ws, "Grace joined the chat").await;
    let covered: Vec<u64> = frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::Synced { last_seq, .. } => Some(*last_seq),
            _ => None,
        })
        .collect();
    assert!(covered.contains(&3) && covered.contains(&4), "{covered:?}");
    let joined = frames
        .iter()
        .find_map(|f| match f {
            ServerFrame::Message { message } if message.body == "Grace joined the chat" => {
                Some(message.seq)
            }
            _ => None,
        })
        .unwrap();
    assert_eq!(joined, 5);

    // A resume on node one gives the visitor the same: no notes, synced to the end.
    let (mut visitor_one, _) = one.connect(&visitor_token).await;
    let replay = subscribe(&mut visitor_one, conversation_id, 0).await;
    assert_eq!(
        replay.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
        [1, 2, 5]
    );
    assert!(replay.iter().all(|(_, body)| !body.contains("NOTE-ONLY")));
}

/// `GET /v1/conversations/{id}` on `node` with `token`.
async fn conversation_on(node: &Node, id: Uuid, token: &str) -> tidings_protocol::Conversation {
    reqwest::Client::new()
        .get(format!("{}/v1/conversations/{id}", node.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn cluster_updates_after_messages_and_reads_on_the_other_node_carry_what_a_fresh_read_gives()
{
    use crate::list_updates::update_where;
    let url = database().await;
    let (one, two) = (Node::start(&url), Node::start(&url));
    let (_, agent_token) = agent(&url, "Grace").await;
    let (mut agent_ws, _) = two.connect(&agent_token).await;
    agent_ws.send(json!({"type": "watch_queue"})).await;
    agent_ws
        .expect(|f| matches!(f, ServerFrame::Queue { .. }))
        .await;
    let (_, visitor_token) = create_visitor(&one.address).await;
    let (mut visitor_ws, _) = one.connect(&visitor_token).await;

    // Messages stored on node one: node two's agents hear the unread count and preview.
    let (id, _) = ack_fields(&visitor_ws.send_message(Uuid::new_v4(), None, "one").await);
    for body in ["two", "three"] {
        visitor_ws
            .send_message(Uuid::new_v4(), Some(id), body)
            .await;
    }
    let update = update_where(&mut agent_ws, id, |c| c.last_seq == 3).await;
    assert_eq!(update.unread, 3);
    assert_eq!(update.last_message_preview.as_deref(), Some("three"));
    assert_eq!(update, conversation_on(&two, id, &agent_token).await);

    // The agent on node two replies twice (the first claims, after a notice) and reads
    // two: node one's visitor hears two unread; the agents one unread.
    agent_ws.send_message(Uuid::new_v4(), Some(id), "a1").await;
    agent_ws.send_message(Uuid::new_v4(), Some(id), "a2").await;
    agent_ws
        .send(json!({"type": "read", "conversation_id": id, "seq": 2}))
        .await;
    let update = update_where(&mut visitor_ws, id, |c| {
        c.last_seq == 6 && c.agent_read_seq == 2
    })
    .await;
    assert_eq!(update.unread, 2);
    assert_eq!(update, conversation_on(&one, id, &visitor_token).await);

    // The visitor reads on node one: none unread for them; node two's agents see the read
    // seq, with their own unread count unchanged.
    visitor_ws
        .send(json!({"type": "read", "conversation_id": id, "seq": 6}))
        .await;
    let update = update_where(&mut visitor_ws, id, |c| c.visitor_read_seq == 6).await;
    assert_eq!(update.unread, 0);
    assert_eq!(update, conversation_on(&one, id, &visitor_token).await);
    let update = update_where(&mut agent_ws, id, |c| c.visitor_read_seq == 6).await;
    assert_eq!((update.unread, update.agent_read_seq), (1, 2));
    assert_eq!(update, conversation_on(&two, id, &agent_token).await);
}
