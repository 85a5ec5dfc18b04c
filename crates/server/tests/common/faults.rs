//! Helpers for the fault tests (`faults_*.rs`): a socket that reports its end instead of
//! panicking, a client timeline that notices gaps and repeats, a flood of pipelined sends
//! that records every ack, seeds that are printed so a run can be repeated, and the audit
//! of what the database file holds.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tidings_protocol::{Message, Sender, ServerFrame, PROTOCOL_VERSION};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

/// How long a fault test waits for any one thing before it fails: generous, for a loaded
/// machine. Nothing waits this long when all is well.
pub const FAULT_DEADLINE: Duration = Duration::from_secs(60);

/// The seed for a test's random choices: `TIDINGS_FAULT_SEED` if set (to repeat a run),
/// else a fresh one. Printed either way.
pub fn seed(test: &str) -> u64 {
    let seed = std::env::var("TIDINGS_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("{test}: seed {seed} (repeat with TIDINGS_FAULT_SEED={seed})");
    seed
}

/// A protocol socket whose end is an answer (`None`), not a panic: in these tests sockets
/// die on purpose.
pub struct Wire {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The close code, once the server sent one.
    pub close_code: Option<u16>,
}

impl Wire {
    /// Opens a socket and authenticates; `None` if it dies on the way.
    pub async fn connect(url: &str, token: &str) -> Option<(Wire, ServerFrame)> {
        let (ws, _) = tokio_tungstenite::connect_async(url).await.ok()?;
        let mut wire = Wire {
            ws,
            close_code: None,
        };
        let auth = json!({"type": "auth", "token": token, "version": PROTOCOL_VERSION});
        if !wire.send(&auth).await {
            return None;
        }
        match wire.next().await? {
            hello @ ServerFrame::Hello { .. } => Some((wire, hello)),
            other => panic!("expected hello, got {other:?}"),
        }
    }

    /// Sends a frame; false if the socket is gone.
    pub async fn send(&mut self, frame: &Value) -> bool {
        self.ws
            .send(WsMessage::text(frame.to_string()))
            .await
            .is_ok()
    }

    /// The next protocol frame (server pings are answered and skipped), or `None` once the
    /// socket has ended. Fails the test if nothing at all comes for [`FAULT_DEADLINE`].
    pub async fn next(&mut self) -> Option<ServerFrame> {
        loop {
            let item = tokio::time::timeout(FAULT_DEADLINE, self.ws.next())
                .await
                .expect("a socket heard nothing, not even its end, before the deadline");
            match item {
                Some(Ok(WsMessage::Text(text))) => {
                    let frame: ServerFrame = serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("bad frame {text}: {e}"));
                    if let ServerFrame::Ping { nonce } = frame {
                        let pong = json!({"type": "pong", "nonce": nonce}).to_string();
                        let _ = self.ws.send(WsMessage::text(pong)).await;
                        continue;
                    }
                    return Some(frame);
                }
                Some(Ok(WsMessage::Close(frame))) => {
                    self.close_code = frame.map(|f| u16::from(f.code));
                    return None;
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }
}

/// What a client holds of one conversation: its messages, gap-free from seq 1, and what
/// arrived out of line (a gap: a seq past the next one; a repeat: a seq it already had).
#[derive(Debug, Default)]
pub struct Timeline {
    pub messages: Vec<Message>,
    /// Messages that arrived with a seq beyond the next expected one.
    pub gaps: usize,
    /// Messages that arrived again (same seq, same id).
    pub repeats: usize,
}

impl Timeline {
    /// The seq to resume after.
    pub fn last_seq(&self) -> u64 {
        self.messages.len() as u64
    }

    /// Takes a `message` frame's message. A different message under a seq already held
    /// fails the test at once: two messages can never share a seq.
    pub fn take(&mut self, message: Message) {
        let next = self.last_seq() + 1;
        if message.seq == next {
            self.messages.push(message);
        } else if message.seq < next && message.seq > 0 {
            let held = &self.messages[message.seq as usize - 1];
            assert_eq!(held.id, message.id, "two messages with seq {}", message.seq);
            self.repeats += 1;
        } else {
            self.gaps += 1;
        }
    }

    /// The bodies of one sender's messages, in seq order.
    pub fn bodies_from(&self, sender: Sender) -> Vec<String> {
        self.messages
            .iter()
            .filter(|m| m.sender == sender)
            .map(|m| m.body.clone())
            .collect()
    }
}

/// One visitor that floods its own conversation with pipelined sends, the way a client
/// with a full outbox would after a reconnect, recording every ack the moment it comes.
pub struct Flooder {
    pub name: String,
    pub token: String,
    pub conversation_id: Uuid,
    /// Every message sent, in the order sent: (id, body).
    pub sent: Vec<(Uuid, String)>,
    /// Acks received: id -> seq.
    pub acked: HashMap<Uuid, u64>,
    /// The conversation as this client's socket(s) delivered it.
    pub timeline: Timeline,
    /// How its last socket ended (`None`: dropped without a close frame).
    pub close_code: Option<u16>,
    wire: Option<Wire>,
}

impl Flooder {
    /// A new visitor at `address` (`http://…`) whose first message, acknowledged, opens
    /// its conversation.
    pub async fn start(address: &str, url: &str, name: &str) -> Flooder {
        let (_, token) = super::create_visitor(address).await;
        let (mut wire, _) = Wire::connect(url, &token).await.expect("connected");
        let id = Uuid::new_v4();
        let body = format!("{name} m0");
        assert!(
            wire.send(&json!({"type": "send", "id": id, "body": body}))
                .await
        );
        let mut timeline = Timeline::default();
        let (conversation_id, seq) = loop {
            match wire.next().await.expect("the first ack") {
                ServerFrame::Ack {
                    id: a,
                    conversation_id,
                    seq,
                    ..
                } if a == id => break (conversation_id, seq),
                ServerFrame::Message { message } => timeline.take(message),
                ServerFrame::Error { .. } => panic!("the first message was refused"),
                _ => {}
            }
        };
        Flooder {
            name: name.to_string(),
            token,
            conversation_id,
            sent: vec![(id, body)],
            acked: HashMap::from([(id, seq)]),
            timeline,
            close_code: None,
            wire: Some(wire),
        }
    }

    /// Sends `count` more messages as fast as the socket takes them while reading
    /// everything that comes back, until the socket ends (the server is killed or stops).
    /// Each ack adds one to `acks`; `enough` is notified once it reaches `notify_at`.
    pub async fn flood(
        &mut self,
        count: usize,
        acks: Arc<AtomicUsize>,
        notify_at: usize,
        enough: Arc<tokio::sync::Notify>,
    ) {
        let wire = self.wire.take().expect("a connected flooder");
        let Wire { ws, .. } = wire;
        let (mut sink, mut stream) = ws.split();
        let first = self.sent.len();
        let frames: Vec<(Uuid, String)> = (first..first + count)
            .map(|n| (Uuid::new_v4(), format!("{} m{n}", self.name)))
            .collect();
        let conversation_id = self.conversation_id;
        let (sent_tx, mut sent_rx) = tokio::sync::mpsc::unbounded_channel();
        let (pong_tx, mut pong_rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
        let sending = async move {
            let mut frames = frames.into_iter();
            loop {
                tokio::select! {
                    biased;
                    nonce = pong_rx.recv() => {
                        let Some(nonce) = nonce else { break };
                        let pong = json!({"type": "pong", "nonce": nonce}).to_string();
                        if sink.send(WsMessage::text(pong)).await.is_err() { break; }
                    }
                    _ = std::future::ready(()) => {
                        let Some((id, body)) = frames.next() else {
                            // All sent: keep answering pings until the reader is done.
                            while let Some(nonce) = pong_rx.recv().await {
                                let pong = json!({"type": "pong", "nonce": nonce}).to_string();
                                if sink.send(WsMessage::text(pong)).await.is_err() { break; }
                            }
                            break;
                        };
                        let frame = json!({"type": "send", "id": id, "conversation_id": conversation_id, "body": body});
                        // Recorded as sent before it goes: a send cut half-way may still
                        // have reached the server.
                        let _ = sent_tx.send((id, body));
                        if sink.send(WsMessage::text(frame.to_string())).await.is_err() {
                            break;
                        }
                    }
                }
            }
        };
        let acked = &mut self.acked;
        let timeline = &mut self.timeline;
        let mut close_code = None;
        let reading = async {
            loop {
                let item = tokio::time::timeout(FAULT_DEADLINE, stream.next())
                    .await
                    .expect("a flooding socket heard nothing before the deadline");
                let text = match item {
                    Some(Ok(WsMessage::Text(text))) => text,
                    Some(Ok(WsMessage::Close(frame))) => {
                        close_code = frame.map(|f| u16::from(f.code));
                        break;
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(_)) | None => break,
                };
                match serde_json::from_str::<ServerFrame>(&text) {
                    Ok(ServerFrame::Ack { id, seq, .. }) => {
                        acked.insert(id, seq);
                        if acks.fetch_add(1, Ordering::SeqCst) + 1 == notify_at {
                            enough.notify_one();
                        }
                    }
                    Ok(ServerFrame::Message { message }) => timeline.take(message),
                    Ok(ServerFrame::Ping { nonce }) => {
                        let _ = pong_tx.send(nonce);
                    }
                    Ok(ServerFrame::Error { code, id, .. }) => {
                        panic!("a flooding send was refused: {code:?} {id:?}")
                    }
                    Ok(_) => {}
                    Err(e) => panic!("bad frame {text}: {e}"),
                }
            }
            drop(pong_tx);
        };
        tokio::join!(sending, reading);
        self.close_code = close_code;
        while let Ok(sent) = sent_rx.try_recv() {
            self.sent.push(sent);
        }
    }

    /// Sent, never acknowledged: what an outbox still holds.
    pub fn unacked(&self) -> Vec<(Uuid, String)> {
        self.sent
            .iter()
            .filter(|(id, _)| !self.acked.contains_key(id))
            .cloned()
            .collect()
    }

    /// After a restart: reconnects, resumes from the last seq it holds (checking that what
    /// comes back continues its timeline with no gap and no repeat), then sends everything
    /// unacknowledged again with the same ids, in order, and waits for every ack. Returns
    /// how many messages the resume brought and how many of the retried ids the server had
    /// stored already (committed, but the ack was lost with the socket).
    pub async fn resume_and_retry(&mut self, url: &str) -> (usize, usize) {
        let (mut wire, _) = Wire::connect(url, &self.token).await.expect("reconnected");
        let held = self.timeline.last_seq();
        let subscribe = json!({"type": "subscribe", "conversation_id": self.conversation_id, "after_seq": held});
        assert!(wire.send(&subscribe).await);
        let synced = loop {
            match wire.next().await.expect("the resume") {
                ServerFrame::Message { message } => self.timeline.take(message),
                ServerFrame::Synced { last_seq, .. } => break last_seq,
                _ => {}
            }
        };
        assert_eq!(
            self.timeline.last_seq(),
            synced,
            "resumed up to the last seq"
        );
        let resumed = (synced - held) as usize;
        let stored: HashMap<Uuid, u64> = self
            .timeline
            .messages
            .iter()
            .map(|m| (m.id, m.seq))
            .collect();
        let retry = self.unacked();
        for (id, body) in &retry {
            let frame = json!({"type": "send", "id": id, "conversation_id": self.conversation_id, "body": body});
            assert!(wire.send(&frame).await);
        }
        let mut already = 0;
        let mut waiting = retry.len();
        while waiting > 0 {
            match wire.next().await.expect("the retries' acks") {
                ServerFrame::Ack { id, seq, .. } => {
                    if let Some(stored_seq) = stored.get(&id) {
                        assert_eq!(
                            *stored_seq, seq,
                            "a retry is answered with the original ack"
                        );
                        already += 1;
                    }
                    if self.acked.insert(id, seq).is_none() {
                        waiting -= 1;
                    }
                }
                ServerFrame::Message { message } => self.timeline.take(message),
                ServerFrame::Error { code, id, .. } => {
                    panic!("a retry was refused: {code:?} {id:?}")
                }
                _ => {}
            }
        }
        // Its own new messages come back to it too: wait until the timeline holds them.
        let last = self.acked.values().copied().max().unwrap_or(0);
        while self.timeline.last_seq() < last {
            if let ServerFrame::Message { message } =
                wire.next().await.expect("the retried messages")
            {
                self.timeline.take(message);
            }
        }
        self.wire = Some(wire);
        (resumed, already)
    }

    /// The messages it sent, in order, are the conversation, each once, each under the
    /// seq its ack named.
    pub fn check_complete(&self) {
        let bodies: Vec<String> = self.sent.iter().map(|(_, b)| b.clone()).collect();
        assert_eq!(
            self.timeline.bodies_from(Sender::Visitor),
            bodies,
            "every message once, in the order sent"
        );
        for message in &self.timeline.messages {
            assert_eq!(self.acked.get(&message.id), Some(&message.seq));
        }
    }
}

/// What the database holds against what clients were told.
#[derive(Debug, Default)]
pub struct Audit {
    pub conversations: usize,
    pub messages: usize,
    /// Acked messages missing (or stored under another seq or conversation).
    pub lost: usize,
    /// Messages stored more than once (same conversation, sender and body; every test
    /// message has a unique body).
    pub duplicated: usize,
    /// Missing seqs, and conversations whose `last_seq` is not their highest seq.
    pub gaps: usize,
}

impl Audit {
    pub fn assert_clean(&self) {
        assert_eq!(
            (self.lost, self.duplicated, self.gaps),
            (0, 0, 0),
            "lost, duplicated, gaps: {self:?}"
        );
    }
}

/// Audits the database at `database_url` (the server may be running, killed or stopped):
/// see [`audit`].
pub async fn audit_url(database_url: &str, acked: &[(Uuid, Uuid, u64)]) -> Audit {
    let db = tidings_server::db::connect(database_url)
        .await
        .expect("the database opens");
    let audited = audit(&db.pool, acked).await;
    db.close().await;
    audited
}

/// Audits what the database holds: every acked `(id, conversation, seq)` is stored as
/// acked, no message is stored twice, and every conversation's seqs run 1..=last_seq.
pub async fn audit(pool: &tidings_server::db::Pool, acked: &[(Uuid, Uuid, u64)]) -> Audit {
    let rows: Vec<(String, String, i64, String, String)> =
        sqlx::query_as("SELECT id, conversation_id, seq, sender, body FROM messages")
            .fetch_all(pool)
            .await
            .unwrap();
    let conversations: Vec<(String, i64)> =
        sqlx::query_as("SELECT id, last_seq FROM conversations")
            .fetch_all(pool)
            .await
            .unwrap();
    let mut audit = Audit {
        conversations: conversations.len(),
        messages: rows.len(),
        ..Audit::default()
    };
    let stored: HashMap<&str, (&str, i64)> = rows
        .iter()
        .map(|(id, c, seq, _, _)| (id.as_str(), (c.as_str(), *seq)))
        .collect();
    for (id, conversation_id, seq) in acked {
        let (id, conversation_id) = (id.to_string(), conversation_id.to_string());
        let found = stored.get(id.as_str()).copied();
        if found != Some((conversation_id.as_str(), *seq as i64)) {
            eprintln!("acked {id} ({conversation_id} seq {seq}) is stored as {found:?}");
            audit.lost += 1;
        }
    }
    let mut seqs: HashMap<&str, Vec<i64>> = HashMap::new();
    let mut bodies: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for (_, conversation_id, seq, sender, body) in &rows {
        seqs.entry(conversation_id).or_default().push(*seq);
        if sender != "system" {
            *bodies.entry((conversation_id, sender, body)).or_default() += 1;
        }
    }
    audit.duplicated = bodies.values().map(|n| n - 1).sum();
    for (id, last_seq) in &conversations {
        let mut held = seqs.remove(id.as_str()).unwrap_or_default();
        held.sort_unstable();
        let missing = (1..=*last_seq)
            .filter(|s| held.binary_search(s).is_err())
            .count();
        let beyond = held.iter().filter(|s| **s > *last_seq || **s < 1).count();
        if missing + beyond > 0 {
            eprintln!(
                "conversation {id}: last_seq {last_seq}, {missing} seqs missing, {beyond} beyond"
            );
        }
        audit.gaps += missing + beyond;
    }
    audit
}

/// Flags for a server under a flood: its limits are lifted, since the fault tests are about
/// what survives a crash or a stop, not about the limiters.
pub const FLOOD_FLAGS: &[&str] = &[
    "--rate-per-second",
    "1000000",
    "--rate-burst",
    "1000000",
    "--visitor-create-per-minute",
    "0",
    "--visitor-create-global-per-minute",
    "0",
    "--outbound-queue",
    "100000",
];

/// `writers` flooders, each pipelining `sends` messages into its own conversation.
pub struct Flood {
    tasks: Vec<tokio::task::JoinHandle<Flooder>>,
}

impl Flood {
    /// Starts the flood against the server at `address` and returns once `acked` acks have
    /// arrived across all writers (every writer still has sends under way then).
    pub async fn until_acked(address: &str, writers: usize, sends: usize, acked: usize) -> Flood {
        let url = crate::common::process::socket_url(address);
        let mut flooders = Vec::new();
        for n in 0..writers {
            flooders.push(Flooder::start(address, &url, &format!("w{n}")).await);
        }
        let acks = Arc::new(AtomicUsize::new(0));
        let enough = Arc::new(tokio::sync::Notify::new());
        let tasks = flooders
            .into_iter()
            .map(|mut flooder| {
                let (acks, enough) = (acks.clone(), enough.clone());
                tokio::spawn(async move {
                    flooder.flood(sends, acks, acked, enough).await;
                    flooder
                })
            })
            .collect();
        tokio::time::timeout(FAULT_DEADLINE, enough.notified())
            .await
            .expect("enough acks before the deadline");
        Flood { tasks }
    }

    /// Waits for every writer's socket to end (the server is gone) and returns the writers.
    pub async fn ended(self) -> Vec<Flooder> {
        let mut flooders = Vec::new();
        for task in self.tasks {
            flooders.push(task.await.unwrap());
        }
        flooders
    }
}
