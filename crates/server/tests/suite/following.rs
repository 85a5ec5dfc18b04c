//! Who follows what: a subscribe checks that its agent may see the conversation and joins
//! its followers with no window between the two for a claim, assignment or close (the
//! server is slowed down in that very gap here), and a property test drives random claims,
//! assignments, closes, subscribes and agent removals, pairs of them at once, checking after
//! each step that every connection follows only conversations its agent may see.

use crate::common;

use std::collections::HashSet;
use std::time::Duration;

use common::{ack_fields, test_settings, Client, TestServer};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::StatusCode;
use serde_json::json;
use tidings_protocol::ServerFrame;
use tidings_server::auth::{agent_may_see, AgentIdentity};
use tidings_server::hub::Peer;
use tidings_server::store::{self, read_state::Side};
use tidings_server::Settings;
use uuid::Uuid;

/// Settings whose subscribes pause between their check and their join, so that a claim
/// sent meanwhile falls into the gap; heartbeats are frequent (a removed agent's sockets
/// close soon) but silence is tolerated long (sockets here are read only now and then).
fn settings(pause: Duration) -> Settings {
    Settings {
        subscribe_pause: pause,
        heartbeat_interval: Duration::from_millis(150),
        heartbeat_timeout: Duration::from_secs(120),
        rate_per_second: 1000,
        rate_burst: 1000,
        ..test_settings()
    }
}

/// Subscribes and waits for its outcome: `Some(true)` followed (synced), `Some(false)`
/// refused, `None` the socket closed.
async fn subscribe(client: &mut Client, conversation_id: Uuid) -> Option<bool> {
    client
        .send(json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": 0}))
        .await;
    tokio::time::timeout(common::DEADLINE, async {
        loop {
            match client.next_or_end().await? {
                ServerFrame::Synced {
                    conversation_id: c, ..
                } if c == conversation_id => return Some(true),
                ServerFrame::Error {
                    conversation_id: Some(c),
                    ..
                } if c == conversation_id => return Some(false),
                _ => {}
            }
        }
    })
    .await
    .expect("a subscribe answered before the deadline")
}

async fn post(server: &TestServer, path: &str, token: &str, body: serde_json::Value) -> StatusCode {
    server.post(path, token, body).await.status()
}

#[tokio::test]
async fn a_claim_between_a_subscribes_check_and_its_join_leaves_nobody_following() {
    let server = TestServer::start_with_settings(settings(Duration::from_millis(400))).await;
    let (_, visitor_token) = server.visitor().await;
    let (_, ada_token) = server.agent("Ada", false).await;
    let (bob, bob_token) = server.agent("Bob", false).await;
    let (mut visitor, _) = Client::connect(&server, &visitor_token).await;
    let (conversation_id, _) = ack_fields(&visitor.send_message(Uuid::new_v4(), None, "hi").await);

    let (mut bob_ws, _) = Client::connect(&server, &bob_token).await;
    let subscribing = tokio::spawn(async move {
        let outcome = subscribe(&mut bob_ws, conversation_id).await;
        (outcome, bob_ws)
    });
    // Bob's subscribe has checked (the chat is waiting) and pauses; Ada claims it now.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let claimed = post(
        &server,
        &format!("/v1/conversations/{conversation_id}/claim"),
        &ada_token,
        json!({}),
    )
    .await;
    assert_eq!(claimed, StatusCode::OK);
    let (outcome, mut bob_ws) = subscribing.await.unwrap();
    assert_eq!(outcome, Some(false), "refused: it is Ada's now");
    let followed_by_bob = server
        .state
        .hub
        .followers()
        .into_iter()
        .any(|(_, _, peer)| matches!(peer, Peer::Agent { id, .. } if id == bob.id));
    assert!(!followed_by_bob);

    // Ada's reply reaches the visitor and not Bob.
    let (mut ada_ws, _) = Client::connect(&server, &ada_token).await;
    ada_ws
        .send_message(Uuid::new_v4(), Some(conversation_id), "secret reply")
        .await;
    visitor
        .expect(|f| matches!(f, ServerFrame::Message { message } if message.body == "secret reply"))
        .await;
    bob_ws.send(json!({"type": "ping", "nonce": 5})).await;
    let next = bob_ws
        .expect(|f| {
            matches!(f, ServerFrame::Pong { nonce: 5 })
                || matches!(f, ServerFrame::Message { message } if message.conversation_id == conversation_id)
        })
        .await;
    assert!(matches!(next, ServerFrame::Pong { .. }), "{next:?}");
    server.stop().await;
}

/// Plain agents and one admin (the last).
const AGENTS: usize = 4;
const ADMIN: usize = AGENTS - 1;
/// Sockets per agent.
const SOCKETS: usize = 2;
const MAX_CONVERSATIONS: usize = 6;

#[derive(Debug, Clone)]
enum Op {
    Claim { agent: usize, conversation: usize },
    Assign { conversation: usize, to: usize },
    Close { agent: usize, conversation: usize },
    Subscribe { socket: usize, conversation: usize },
    NewConversation,
    Remove { agent: usize },
}

fn op() -> impl Strategy<Value = Op> {
    let n = MAX_CONVERSATIONS;
    prop_oneof![
        3 => (0..AGENTS, 0..n).prop_map(|(agent, conversation)| Op::Claim { agent, conversation }),
        2 => (0..n, 0..AGENTS).prop_map(|(conversation, to)| Op::Assign { conversation, to }),
        2 => (0..AGENTS, 0..n).prop_map(|(agent, conversation)| Op::Close { agent, conversation }),
        6 => (0..AGENTS * SOCKETS, 0..n)
            .prop_map(|(socket, conversation)| Op::Subscribe { socket, conversation }),
        2 => Just(Op::NewConversation),
        1 => (0..ADMIN).prop_map(|agent| Op::Remove { agent }),
    ]
}

/// A step: two operations at once (a removal runs alone).
fn steps() -> impl Strategy<Value = Vec<(Op, Op)>> {
    proptest::collection::vec((op(), op()), 1..20)
}

/// An operation under way; a subscribe gives its socket back (unless it closed).
type Pending<'a> = futures_util::future::BoxFuture<'a, Option<(usize, Client)>>;

struct World {
    server: TestServer,
    agents: Vec<(AgentIdentity, String)>,
    sockets: Vec<Option<Client>>,
    conversations: Vec<Uuid>,
    removed: HashSet<usize>,
}

impl World {
    async fn new() -> World {
        let server = TestServer::start_with_settings(settings(Duration::from_millis(15))).await;
        let mut agents = Vec::new();
        for i in 0..AGENTS {
            agents.push(server.agent(&format!("Agent{i}"), i == ADMIN).await);
        }
        let mut sockets = Vec::new();
        for i in 0..AGENTS * SOCKETS {
            sockets.push(Some(
                Client::connect(&server, &agents[i / SOCKETS].1).await.0,
            ));
        }
        let mut world = World {
            server,
            agents,
            sockets,
            conversations: Vec::new(),
            removed: HashSet::new(),
        };
        for _ in 0..3 {
            world.new_conversation().await;
        }
        world
    }

    async fn new_conversation(&mut self) {
        if self.conversations.len() >= MAX_CONVERSATIONS {
            return;
        }
        let (_, token) = self.server.visitor().await;
        let (mut visitor, _) = Client::connect(&self.server, &token).await;
        let (id, _) = ack_fields(&visitor.send_message(Uuid::new_v4(), None, "help").await);
        self.conversations.push(id);
    }

    fn conversation(&self, i: usize) -> Uuid {
        self.conversations[i % self.conversations.len()]
    }

    /// Runs one HTTP action to its answer (the change is announced and followers who lost
    /// sight of it are dropped before the answer).
    async fn act(server: &TestServer, token: String, path: String, body: serde_json::Value) {
        let _ = post(server, &path, &token, body).await;
    }

    async fn step(&mut self, a: Op, b: Op) {
        for op in [&a, &b] {
            if let Op::Remove { agent } = op {
                self.remove(*agent).await;
                return;
            }
            if matches!(op, Op::NewConversation) {
                self.new_conversation().await;
            }
        }
        // Take the sockets the two operations use, so both can run at once.
        let mut taken: Vec<(usize, Client)> = Vec::new();
        for op in [&a, &b] {
            if let Op::Subscribe { socket, .. } = op {
                if let Some(client) = self.sockets[*socket].take() {
                    taken.push((*socket, client));
                }
            }
        }
        let server = &self.server;
        let mut futures: Vec<Pending<'_>> = Vec::new();
        for op in [a, b] {
            match op {
                Op::Claim {
                    agent,
                    conversation,
                } => {
                    let path = format!(
                        "/v1/conversations/{}/claim",
                        self.conversation(conversation)
                    );
                    let token = self.agents[agent].1.clone();
                    futures.push(Box::pin(async move {
                        Self::act(server, token, path, json!({})).await;
                        None
                    }));
                }
                Op::Assign { conversation, to } => {
                    let path = format!(
                        "/v1/conversations/{}/assign",
                        self.conversation(conversation)
                    );
                    let token = self.agents[ADMIN].1.clone();
                    let body = json!({"agent_id": self.agents[to].0.id});
                    futures.push(Box::pin(async move {
                        Self::act(server, token, path, body).await;
                        None
                    }));
                }
                Op::Close {
                    agent,
                    conversation,
                } => {
                    let path = format!(
                        "/v1/conversations/{}/close",
                        self.conversation(conversation)
                    );
                    let token = self.agents[agent].1.clone();
                    futures.push(Box::pin(async move {
                        Self::act(server, token, path, json!({})).await;
                        None
                    }));
                }
                Op::Subscribe {
                    socket,
                    conversation,
                } => {
                    let conversation_id = self.conversation(conversation);
                    let Some(index) = taken.iter().position(|(s, _)| *s == socket) else {
                        continue;
                    };
                    let (socket, mut client) = taken.swap_remove(index);
                    futures.push(Box::pin(async move {
                        subscribe(&mut client, conversation_id)
                            .await
                            .map(|_| (socket, client))
                    }));
                }
                Op::NewConversation | Op::Remove { .. } => {}
            }
        }
        for (socket, client) in futures_util::future::join_all(futures)
            .await
            .into_iter()
            .flatten()
        {
            self.sockets[socket] = Some(client);
        }
    }

    /// What `tidings-server agent remove` does, from outside the server: then waits until
    /// the server has noticed (the agent's sockets closed, their chats back in the queue).
    async fn remove(&mut self, agent: usize) {
        if !self.removed.insert(agent) {
            return;
        }
        let email = self.agents[agent].0.email.clone();
        assert!(
            store::agents::remove_by_email(&self.server.state.pool, &email)
                .await
                .unwrap()
        );
        for socket in agent * SOCKETS..(agent + 1) * SOCKETS {
            if let Some(mut client) = self.sockets[socket].take() {
                client.ending().await;
            }
        }
        let deadline = tokio::time::Instant::now() + common::DEADLINE;
        while !store::conversations::orphaned(&self.server.state.pool)
            .await
            .unwrap()
            .is_empty()
        {
            assert!(tokio::time::Instant::now() < deadline, "orphans stay");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // The requeue is announced right after it is stored; let that run.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    /// Every connection follows only conversations its agent may see now.
    async fn check(&self) -> Result<(), TestCaseError> {
        let hub = &self.server.state.hub;
        for (conversation_id, _, peer) in hub.followers() {
            let Peer::Agent { id, is_admin, .. } = peer else {
                continue;
            };
            let exists = store::agents::by_id(&self.server.state.pool, id)
                .await
                .unwrap()
                .is_some();
            prop_assert!(exists, "a removed agent still follows {conversation_id}");
            let conversation =
                store::conversations::load(&self.server.state.pool, conversation_id, Side::Agent)
                    .await
                    .unwrap()
                    .unwrap();
            prop_assert!(
                agent_may_see(id, is_admin, &conversation),
                "agent {id} follows {conversation_id}, which is {:?} with {:?}",
                conversation.status,
                conversation.assigned_agent
            );
        }
        Ok(())
    }
}

async fn run_case(steps: Vec<(Op, Op)>) -> Result<(), TestCaseError> {
    let mut world = World::new().await;
    let mut result = Ok(());
    for (a, b) in steps {
        world.step(a, b).await;
        result = world.check().await;
        if result.is_err() {
            break;
        }
    }
    world.server.stop().await;
    result
}

#[test]
fn every_connection_follows_only_what_its_agent_may_see() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(10);
    let mut runner = TestRunner::new(Config {
        cases,
        max_shrink_iters: 16,
        failure_persistence: None,
        ..Config::default()
    });
    let outcome = runner.run(&steps(), |steps| runtime.block_on(run_case(steps)));
    if let Err(e) = outcome {
        panic!("{e}");
    }
}
