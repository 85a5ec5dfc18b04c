//! 1,000 random disconnects during a two-sided conversation: a TCP proxy in the test cuts
//! each connection after a random number of bytes (either way), so cuts land anywhere: in
//! the upgrade, in the `auth` or the replay, half-way through a frame, and between a send
//! and its ack. The visitor and the agent both keep sending, a few messages in flight at
//! a time, reconnect at once when cut, resume by seq, and send their unacknowledged
//! messages again with the same ids (as the outbox does). In the end each side holds
//! exactly the other's messages, in the order sent, once, and the same conversation as the
//! other side and the database.

use crate::common;

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use common::faults::{audit, seed, Timeline, Wire, FAULT_DEADLINE};
use common::{ack_fields, Client, TestServer};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use tidings_protocol::{Sender, ServerFrame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use uuid::Uuid;

/// Cuts before the sides stop writing new messages (connections opened by then keep their
/// budgets, so a few more may follow).
const CUTS: usize = 1_000;
/// A connection is cut after 1..=this many bytes, counted both ways.
const MAX_BUDGET: usize = 8_192;
/// Messages a side keeps in flight (sent, not yet acknowledged).
const WINDOW: usize = 3;

/// A TCP proxy to the server that cuts every connection after a random byte budget until
/// `CUTS` connections have been cut; later connections are left alone.
struct Proxy {
    addr: SocketAddr,
}

impl Proxy {
    async fn start(upstream: SocketAddr, seed: u64, cuts: Arc<AtomicUsize>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed);
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let budget = rng.random_range(1..=MAX_BUDGET);
                let budget = (cuts.load(Ordering::SeqCst) < CUTS).then_some(budget);
                tokio::spawn(pipe(client, upstream, budget, cuts.clone()));
            }
        });
        Proxy { addr }
    }

    fn ws_url(&self) -> String {
        format!("ws://{}/v1/socket", self.addr)
    }
}

/// Forwards both ways until either side closes, or until `budget` bytes have passed: then
/// both connections are dropped at once, wherever that falls.
async fn pipe(
    client: TcpStream,
    upstream: SocketAddr,
    budget: Option<usize>,
    cuts: Arc<AtomicUsize>,
) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let mut left = budget.unwrap_or(usize::MAX);
    let (mut up, mut down) = ([0u8; 4096], [0u8; 4096]);
    loop {
        let (data, to) = tokio::select! {
            n = client_read.read(&mut up) => match n {
                Ok(n) if n > 0 => (&up[..n], &mut server_write),
                _ => return,
            },
            n = server_read.read(&mut down) => match n {
                Ok(n) if n > 0 => (&down[..n], &mut client_write),
                _ => return,
            },
        };
        let passed = data.len().min(left);
        if to.write_all(&data[..passed]).await.is_err() {
            return;
        }
        left -= passed;
        if left == 0 {
            cuts.fetch_add(1, Ordering::SeqCst);
            return;
        }
    }
}

/// One participant: its outbox, what it has been told, and what happened to it.
struct Side {
    me: Sender,
    token: String,
    conversation_id: Uuid,
    /// Every message it wrote, in order: (id, body).
    sent: Vec<(Uuid, String)>,
    /// Written and not yet acknowledged, oldest first.
    outbox: VecDeque<(Uuid, String)>,
    acked: HashMap<Uuid, u64>,
    timeline: Timeline,
    /// Ids that have been on the wire at least once.
    put_on_wire: HashSet<Uuid>,
    figures: Figures,
}

#[derive(Debug, Default, Clone, Copy)]
struct Figures {
    connections: usize,
    /// Connections that ended before the resume had finished (`synced`).
    cut_before_synced: usize,
    /// Connections that ended with sends on the wire and their acks not yet in.
    cut_with_sends_in_flight: usize,
    /// Sends the server had stored when the cut came before their ack: cut between a
    /// send and its ack.
    stored_ack_cut: usize,
    /// Send frames put on the wire again with the same id.
    resent: usize,
}

impl Side {
    fn write_more(&mut self, stop: bool) {
        while !stop && self.outbox.len() < WINDOW {
            let id = Uuid::new_v4();
            let body = format!("{:?} {}", self.me, self.sent.len());
            self.sent.push((id, body.clone()));
            self.outbox.push_back((id, body));
        }
    }

    fn other(&self) -> Sender {
        match self.me {
            Sender::Visitor => Sender::Agent,
            _ => Sender::Visitor,
        }
    }

    /// Runs until it has written its share (the proxy has cut `CUTS` connections), every
    /// one is acknowledged, and it holds everything the other side wrote.
    async fn run(
        mut self,
        url: String,
        cuts: Arc<AtomicUsize>,
        done: watch::Sender<Option<usize>>,
        mut other_done: watch::Receiver<Option<usize>>,
    ) -> Side {
        let other = self.other();
        let finished = |side: &Side, other_done: &watch::Receiver<Option<usize>>| {
            let count = |sender| {
                side.timeline
                    .messages
                    .iter()
                    .filter(|m| m.sender == sender)
                    .count()
            };
            side.outbox.is_empty()
                && count(side.me) == side.sent.len()
                && *other_done.borrow() == Some(count(other))
        };
        // Until the other side has finished (and dropped its end of the channel).
        let mut other_running = true;
        loop {
            self.figures.connections += 1;
            let Some((mut wire, _)) = Wire::connect(&url, &self.token).await else {
                self.figures.cut_before_synced += 1;
                continue;
            };
            let held = self.timeline.last_seq();
            let subscribe = json!({"type": "subscribe", "conversation_id": self.conversation_id, "after_seq": held});
            // Sent on this connection, not yet acknowledged.
            let mut in_flight: Vec<Uuid> = Vec::new();
            // What was in flight when the last connection was cut, until the resume shows
            // whether the server had stored it.
            let mut suspects: HashSet<Uuid> = self.outbox.iter().map(|(id, _)| *id).collect();
            let mut synced = false;
            if wire.send(&subscribe).await {
                loop {
                    if synced && finished(&self, &other_done) {
                        return self;
                    }
                    let frame = if other_running {
                        tokio::select! {
                            frame = wire.next() => frame,
                            changed = other_done.changed() => {
                                other_running = changed.is_ok();
                                continue;
                            }
                        }
                    } else {
                        wire.next().await
                    };
                    let Some(frame) = frame else { break };
                    match frame {
                        ServerFrame::Message { message } => {
                            if !synced && suspects.remove(&message.id) {
                                self.figures.stored_ack_cut += 1;
                            }
                            self.timeline.take(message);
                        }
                        ServerFrame::Synced { .. } => {
                            synced = true;
                            suspects.clear();
                        }
                        ServerFrame::Ack { id, seq, .. } => {
                            assert!(in_flight.contains(&id), "an ack for a send in flight");
                            in_flight.retain(|i| *i != id);
                            if let Some(before) = self.acked.insert(id, seq) {
                                assert_eq!(before, seq, "a repeated ack names the same seq");
                            }
                            self.outbox.retain(|(i, _)| *i != id);
                        }
                        ServerFrame::Error { code, message, .. } => {
                            panic!("{:?} was refused: {code:?} {message}", self.me)
                        }
                        _ => {}
                    }
                    if synced {
                        let stop = cuts.load(Ordering::SeqCst) >= CUTS;
                        self.write_more(stop);
                        if stop && self.outbox.is_empty() && done.borrow().is_none() {
                            let _ = done.send(Some(self.sent.len()));
                        }
                        for (id, body) in &self.outbox {
                            if in_flight.contains(id) {
                                continue;
                            }
                            if !self.put_on_wire.insert(*id) {
                                self.figures.resent += 1;
                            }
                            let frame = json!({"type": "send", "id": id, "conversation_id": self.conversation_id, "body": body});
                            if !wire.send(&frame).await {
                                break;
                            }
                            in_flight.push(*id);
                        }
                    }
                }
            }
            if !synced {
                self.figures.cut_before_synced += 1;
            }
            if !in_flight.is_empty() {
                self.figures.cut_with_sends_in_flight += 1;
            }
            // A message whose `message` frame came back before the cut but whose ack did
            // not: stored, ack lost.
            let held: HashSet<Uuid> = self.timeline.messages.iter().map(|m| m.id).collect();
            self.figures.stored_ack_cut += in_flight.iter().filter(|id| held.contains(id)).count();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_random_disconnects_lose_repeat_and_reorder_nothing() {
    let seed = seed("disconnects");
    let mut settings = common::test_settings();
    settings.rate_per_second = 1_000_000;
    settings.rate_burst = 1_000_000;
    let server = TestServer::start_with_settings(settings).await;
    let (_, visitor_token) = server.visitor().await;
    let (_, agent_token) = server.agent("Ada", false).await;

    // The conversation, opened directly: the visitor's first message, the agent's first
    // reply (which claims it, with a "joined" notice).
    let (mut direct, _) = Client::connect(&server, &visitor_token).await;
    let (v0, a0) = (Uuid::new_v4(), Uuid::new_v4());
    let (conversation_id, _) = ack_fields(&direct.send_message(v0, None, "Visitor 0").await);
    let (mut agent_direct, _) = Client::connect(&server, &agent_token).await;
    let (_, a0_seq) = ack_fields(
        &agent_direct
            .send_message(a0, Some(conversation_id), "Agent 0")
            .await,
    );
    assert_eq!(
        a0_seq, 3,
        "after the visitor's message and the joined notice"
    );
    drop((direct, agent_direct));

    let cuts = Arc::new(AtomicUsize::new(0));
    let side = |me: Sender, token: &str, first: Uuid, seq: u64| Side {
        me,
        token: token.to_string(),
        conversation_id,
        sent: vec![(first, format!("{me:?} 0"))],
        outbox: VecDeque::new(),
        acked: HashMap::from([(first, seq)]),
        timeline: Timeline::default(),
        put_on_wire: HashSet::from([first]),
        figures: Figures::default(),
    };
    // Seq 1 the visitor's, 2 the "joined" notice, 3 the agent's reply.
    let visitor = side(Sender::Visitor, &visitor_token, v0, 1);
    let agent = side(Sender::Agent, &agent_token, a0, 3);
    let visitor_proxy = Proxy::start(server.addr, seed, cuts.clone()).await;
    let agent_proxy = Proxy::start(server.addr, seed.wrapping_add(1), cuts.clone()).await;
    let (visitor_done, visitor_done_rx) = watch::channel(None);
    let (agent_done, agent_done_rx) = watch::channel(None);
    let started = Instant::now();
    let visitor = tokio::spawn(visitor.run(
        visitor_proxy.ws_url(),
        cuts.clone(),
        visitor_done,
        agent_done_rx,
    ));
    let agent = tokio::spawn(agent.run(
        agent_proxy.ws_url(),
        cuts.clone(),
        agent_done,
        visitor_done_rx,
    ));
    let (visitor, agent) = tokio::time::timeout(FAULT_DEADLINE * 5, async {
        (visitor.await.unwrap(), agent.await.unwrap())
    })
    .await
    .expect("the conversation completes before the deadline");
    let took = started.elapsed();

    let audited = audit(
        &server.state.pool,
        &visitor
            .acked
            .iter()
            .chain(&agent.acked)
            .map(|(id, seq)| (*id, conversation_id, *seq))
            .collect::<Vec<_>>(),
    )
    .await;
    let cut = cuts.load(Ordering::SeqCst);
    for s in [&visitor, &agent] {
        let f = s.figures;
        eprintln!(
            "disconnects: {:?} wrote {} messages ({} acked) over {} connections: {} cut before \
             its resume was done, {} cut with sends in flight, {} sends stored but their ack \
             cut off, {} sends repeated with the same id; it holds {} messages, gaps {}, \
             repeats {}",
            s.me,
            s.sent.len(),
            s.acked.len(),
            f.connections,
            f.cut_before_synced,
            f.cut_with_sends_in_flight,
            f.stored_ack_cut,
            f.resent,
            s.timeline.messages.len(),
            s.timeline.gaps,
            s.timeline.repeats
        );
    }
    eprintln!(
        "disconnects: {cut} cut by the proxy in {took:?} (seed {seed}); stored {} messages; \
         lost {}, duplicated {}, gaps {}",
        audited.messages, audited.lost, audited.duplicated, audited.gaps
    );

    assert!(cut >= CUTS, "{cut} disconnects");
    let total = |f: fn(&Figures) -> usize| f(&visitor.figures) + f(&agent.figures);
    assert!(
        total(|f| f.stored_ack_cut) > 0,
        "some cuts fell between a send and its ack"
    );
    assert!(
        total(|f| f.cut_before_synced) > 0,
        "some cuts fell in the upgrade, the auth or the resume"
    );
    for (side, other) in [(&visitor, &agent), (&agent, &visitor)] {
        let theirs: Vec<String> = other.sent.iter().map(|(_, b)| b.clone()).collect();
        assert_eq!(
            side.timeline.bodies_from(other.me),
            theirs,
            "{:?} holds exactly the other side's messages, in order, once",
            side.me
        );
        let mine: Vec<String> = side.sent.iter().map(|(_, b)| b.clone()).collect();
        assert_eq!(side.timeline.bodies_from(side.me), mine);
        assert_eq!((side.timeline.gaps, side.timeline.repeats), (0, 0));
    }
    let ids = |s: &Side| s.timeline.messages.iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(
        ids(&visitor),
        ids(&agent),
        "both sides see one conversation"
    );
    audited.assert_clean();
    assert_eq!(audited.messages, visitor.timeline.messages.len());
    server.stop().await;
}
