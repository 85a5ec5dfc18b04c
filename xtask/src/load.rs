//! `cargo xtask bench load`: throughput and latency under load, through the real server binary
//! (speed-optimised build) on a temporary SQLite file. `cargo xtask bench cluster`: the same
//! workload across two nodes on one PostgreSQL (each visitor on the first node, its agent on
//! the second, so every delivery crosses nodes), beside the single SQLite node.
//!
//! The workload is the one the issue compares against a relay that stores nothing: N
//! visitor/agent pairs, each visitor sending R messages per second into its own conversation,
//! which its agent follows. Sending is open-loop: message k of a visitor is due at a fixed
//! time (`start + phase + k / R`) and every latency is measured from that due time, so a
//! server (or a load generator) that falls behind shows as latency instead of silently
//! sending less ("coordinated omission"). A message's id encodes its pair and k, so either
//! side can tell when it was due without sharing state.
//!
//! One row per load: offered msgs/s, acked msgs/s (acks received while the load was
//! offered), delivered msgs/s (messages reaching the agents, likewise), sends refused
//! with `overloaded`, visitor→agent p50/p99 and ack p50/p99. Each load runs on a fresh
//! server and database. The load generator runs on the same cores as the server (one tokio
//! runtime, two workers), so on a 2-core machine both compete for the CPU.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tidings_protocol::{ClientFrame, ServerFrame};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

use crate::bench_server::{self, BenchServer};
use crate::step::{Failure, Result};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The loads `bench load` runs when not given `--pairs` and `--rate`: (pairs, msgs/s each).
pub const DEFAULT_SWEEP: &[(usize, f64)] = &[
    (200, 5.0),
    (100, 10.0),
    (500, 20.0),
    (500, 40.0),
    (1000, 30.0),
    (1000, 50.0),
];

/// How long after the last due send the run waits for missing acks and deliveries.
const DRAIN: Duration = Duration::from_secs(10);
/// Pairs set up at once (below the server's listen backlog and per-IP limits).
const SETUP_BATCH: usize = 100;
/// Each setup step's deadline.
const SETUP_DEADLINE: Duration = Duration::from_secs(30);

/// One load to run.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub pairs: usize,
    pub rate: f64,
    pub seconds: f64,
    /// The server's `--write-queue`, if not its default.
    pub write_queue: Option<usize>,
    /// Where: one node on SQLite, or two nodes on one PostgreSQL with each visitor on the
    /// first node and its agent on the second.
    pub topology: Topology,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topology {
    SqliteNode,
    TwoPostgresNodes,
}

impl std::fmt::Display for Topology {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Topology::SqliteNode => "1 node, SQLite",
            Topology::TwoPostgresNodes => "2 nodes, PostgreSQL",
        })
    }
}

/// The loads `bench cluster` runs when not given `--pairs` and `--rate`.
pub const CLUSTER_SWEEP: &[(usize, f64)] = &[(200, 5.0), (200, 10.0), (500, 8.0), (500, 16.0)];

pub fn run(loads: &[Load]) -> Result {
    let sockets = loads.iter().map(|l| l.pairs * 2).max().unwrap_or(0) as u64;
    let soft = rlimit::increase_nofile_limit(u64::MAX)?;
    if soft < sockets + 64 {
        return Err(Failure(format!(
            "{sockets} sockets need more open files than this process may open ({soft})"
        )));
    }
    let bin = bench_server::build()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    println!(
        "bench load: N visitor/agent pairs, each visitor sending R msgs/s (open loop) for {} s per load; \
         server and load generator share this machine's {} cores",
        loads.first().map(|l| l.seconds).unwrap_or(0.0),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:>19} {:>5} {:>5} | {:>8} {:>8} {:>9} {:>8} | {:>12} {:>12} | {:>9} {:>9}",
        "where",
        "pairs",
        "rate",
        "offered",
        "acked",
        "delivered",
        "refused",
        "v->a p50 ms",
        "v->a p99 ms",
        "ack p50",
        "ack p99"
    );
    for load in loads {
        let row = runtime.block_on(one_load(&bin, *load))?;
        println!("{row}");
    }
    Ok(())
}

/// What one load measured.
struct Row {
    load: Load,
    sent: usize,
    acked: Vec<u32>,
    delivered: Vec<u32>,
    refused: usize,
    /// Acks and deliveries received while the load was being offered (the steady rate;
    /// what arrives during the drain only shows in the latencies).
    acked_in_window: usize,
    delivered_in_window: usize,
    /// The server's write transactions and the writes they carried, if it reports them.
    groups: f64,
    group_items: f64,
    group_seconds: f64,
    /// CPU seconds the server (both nodes) and this process, the load generator, used from
    /// the first send to the last answer or the drain's end.
    server_cpu: Option<f64>,
    generator_cpu: Option<f64>,
}

impl std::fmt::Display for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let per_second = |n: usize| n as f64 / self.load.seconds;
        let offered = per_second(self.sent);
        write!(
            f,
            "{:>19} {:>5} {:>5} | {:>8.0} {:>8.0} {:>9.0} {:>8} | {:>12} {:>12} | {:>9} {:>9}",
            self.load.topology.to_string(),
            self.load.pairs,
            self.load.rate,
            offered,
            per_second(self.acked_in_window),
            per_second(self.delivered_in_window),
            self.refused,
            percentile(&self.delivered, 50),
            percentile(&self.delivered, 99),
            percentile(&self.acked, 50),
            percentile(&self.acked, 99),
        )?;
        if self.groups > 0.0 {
            write!(
                f,
                "  [{:.1} writes and {:.2} ms per commit]",
                self.group_items / self.groups,
                self.group_seconds * 1000.0 / self.groups
            )?;
        }
        if let (Some(server), Some(generator), false) =
            (self.server_cpu, self.generator_cpu, self.acked.is_empty())
        {
            let per_message = |cpu: f64| cpu * 1e6 / self.acked.len() as f64;
            write!(
                f,
                "  [CPU per acked message: server {:.0} µs, load generator {:.0} µs]",
                per_message(server),
                per_message(generator)
            )?;
        }
        let missing_acks = self.sent - self.acked.len() - self.refused;
        if missing_acks > 0 || self.delivered.len() < self.acked.len() {
            write!(
                f,
                "  ({} sends unanswered, {} acked but not delivered within {} s)",
                missing_acks,
                self.acked.len().saturating_sub(self.delivered.len()),
                DRAIN.as_secs()
            )?;
        }
        Ok(())
    }
}

/// The p-th percentile of microsecond samples, in milliseconds ("-" with no samples).
fn percentile(samples: &[u32], p: usize) -> String {
    if samples.is_empty() {
        return "-".into();
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let at = (sorted.len() * p / 100).min(sorted.len() - 1);
    format!("{:.2}", sorted[at] as f64 / 1000.0)
}

/// The schedule shared by every task of one load.
struct Schedule {
    start: Instant,
    rate: f64,
    pairs: usize,
    per_visitor: u64,
    /// Random per run, in the id's high bits, so ids never repeat across runs.
    run: u64,
    /// `start` on the wall clock (microseconds since 1970), for `TIDINGS_BENCH_SAMPLES`.
    start_unix_micros: u128,
}

impl Schedule {
    /// Each visitor starts at its own phase within the first period, so sends are spread.
    fn due(&self, pair: usize, k: u64) -> Instant {
        let period = 1.0 / self.rate;
        let phase = period * pair as f64 / self.pairs as f64;
        self.start + Duration::from_secs_f64(phase + k as f64 * period)
    }

    fn id(&self, pair: usize, k: u64) -> Uuid {
        Uuid::from_u128(((self.run as u128) << 64) | ((pair as u128) << 32) | k as u128)
    }

    /// The pair and k of an id this run made.
    fn decode(&self, id: Uuid) -> Option<(usize, u64)> {
        let n = id.as_u128();
        ((n >> 64) as u64 == self.run)
            .then_some((((n >> 32) & 0xffff_ffff) as usize, (n & 0xffff_ffff) as u64))
    }

    fn latency_micros(&self, id: Uuid) -> Option<u32> {
        let (pair, k) = self.decode(id)?;
        let elapsed = Instant::now().saturating_duration_since(self.due(pair, k));
        Some(elapsed.as_micros().min(u32::MAX as u128) as u32)
    }

    /// A sample's key: its pair and k.
    fn key(&self, id: Uuid) -> u64 {
        self.decode(id)
            .map_or(u64::MAX, |(pair, k)| ((pair as u64) << 32) | k)
    }

    /// When message `key` was due, on the wall clock (microseconds since 1970).
    fn due_unix_micros(&self, key: u64) -> u128 {
        let due = self.due((key >> 32) as usize, key & 0xffff_ffff);
        self.start_unix_micros + due.saturating_duration_since(self.start).as_micros()
    }
}

/// One pair, set up: the visitor's socket, its conversation, and the agent's socket
/// following it.
struct Pair {
    visitor: Socket,
    agent: Socket,
    conversation: Uuid,
}

async fn one_load(bin: &Path, load: Load) -> Result<Row> {
    let write_queue = load.write_queue.map(|q| q.to_string());
    let mut flags = vec![];
    if let Some(q) = &write_queue {
        flags.extend(["--write-queue", q.as_str()]);
    }
    // Rate and creation limits are lifted and heartbeats pushed past the run: this
    // measures the write and delivery path, not the limiters.
    flags.extend([
        "--rate-per-second",
        "1000000",
        "--rate-burst",
        "1000000",
        "--visitor-create-per-minute",
        "0",
        "--visitor-create-global-per-minute",
        "0",
        "--login-per-minute",
        "0",
        "--heartbeat-interval-ms",
        "600000",
        "--heartbeat-timeout-ms",
        "1200000",
    ]);
    // The PostgreSQL cluster (durable, as SQLite is) outlives its nodes: declared first,
    // dropped last.
    let (_postgres, server, agent_server) = match load.topology {
        Topology::SqliteNode => (None, BenchServer::start(bin, &flags).await?, None),
        Topology::TwoPostgresNodes => {
            crate::tools::ensure_postgresql()?;
            let postgres = crate::pg_cluster::PgCluster::start_with(true);
            let url = postgres.create_database("bench");
            let first = BenchServer::start_on(bin, &url, None, &flags).await?;
            let second = BenchServer::start_on(bin, &url, None, &flags).await?;
            (Some(postgres), first, Some(second))
        }
    };
    server.add_agent(bin, "bench@example.com", "bench-password")?;
    let addr = server.addr.clone();
    let agent_addr = agent_server
        .as_ref()
        .map_or(addr.clone(), |s| s.addr.clone());
    let http = reqwest::Client::new();
    let agent_token = crate::latency::token(
        &http,
        &agent_addr,
        "/v1/agents/login",
        r#"{"email":"bench@example.com","password":"bench-password"}"#,
    )
    .await?;

    let mut pairs = Vec::with_capacity(load.pairs);
    while pairs.len() < load.pairs {
        let mut setting_up = JoinSet::new();
        for _ in 0..SETUP_BATCH.min(load.pairs - pairs.len()) {
            let (http, addr, agent_addr, agent_token) = (
                http.clone(),
                addr.clone(),
                agent_addr.clone(),
                agent_token.clone(),
            );
            setting_up.spawn(async move {
                let pair = set_up_pair(&http, &addr, &agent_addr, &agent_token);
                tokio::time::timeout(SETUP_DEADLINE, pair)
                    .await
                    .map_err(|_| Failure("setting up a pair took over 30 s".into()))?
            });
        }
        while let Some(pair) = setting_up.join_next().await {
            pairs.push(pair.map_err(|e| Failure(e.to_string()))??);
        }
    }

    let per_visitor = (load.rate * load.seconds).round().max(1.0) as u64;
    let schedule = Arc::new(Schedule {
        start: Instant::now() + Duration::from_millis(500),
        rate: load.rate,
        pairs: load.pairs,
        per_visitor,
        run: rand_u64()?,
        start_unix_micros: (std::time::SystemTime::now() + Duration::from_millis(500))
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros()),
    });
    let window_end = schedule.start + Duration::from_secs_f64(load.seconds);
    let deadline = schedule.due(load.pairs, per_visitor) + DRAIN;
    let server_pids: Vec<u32> = std::iter::once(&server)
        .chain(agent_server.as_ref())
        .map(|s| s.pid)
        .collect();
    let servers_cpu = || {
        server_pids
            .iter()
            .map(|&pid| crate::process_cpu::seconds(pid))
            .sum::<Option<f64>>()
    };
    let cpu_before = (servers_cpu(), crate::process_cpu::own_seconds());
    let mut tasks = JoinSet::new();
    for (n, pair) in pairs.into_iter().enumerate() {
        let (visitor_tx, visitor_rx) = pair.visitor.split();
        let (agent_tx, agent_rx) = pair.agent.split();
        let s = schedule.clone();
        tasks.spawn(async move {
            let (
                (sent, visitor_tx),
                (acked, refused, acked_in_window),
                (delivered, delivered_in_window),
            ) = tokio::join!(
                send_all(visitor_tx, &s, n, pair.conversation),
                read_acks(visitor_rx, &s, window_end, deadline),
                read_deliveries(agent_rx, &s, window_end, deadline),
            );
            (
                sent,
                acked,
                refused,
                acked_in_window,
                delivered,
                delivered_in_window,
                (visitor_tx, agent_tx),
            )
        });
    }
    let mut row = Row {
        load,
        sent: 0,
        acked: Vec::new(),
        delivered: Vec::new(),
        refused: 0,
        acked_in_window: 0,
        delivered_in_window: 0,
        groups: 0.0,
        group_items: 0.0,
        group_seconds: 0.0,
        server_cpu: None,
        generator_cpu: None,
    };
    let mut samples = Vec::new();
    // Every socket stays open until every pair is done: dropping a write half closes its
    // socket, and pairs finish a few milliseconds apart (their schedules are staggered), so
    // closing each as it finished made the servers handle a storm of disconnects (presence,
    // availability, across nodes) while the last pairs' messages were still being measured.
    let mut open_sockets = Vec::with_capacity(load.pairs);
    while let Some(done) = tasks.join_next().await {
        let (sent, acked, refused, acked_in_window, delivered, delivered_in_window, sockets) =
            done.map_err(|e| Failure(e.to_string()))?;
        open_sockets.push(sockets);
        row.sent += sent;
        row.acked.extend(acked.iter().map(|(_, l)| *l));
        row.refused += refused;
        row.delivered.extend(delivered.iter().map(|(_, l)| *l));
        samples.extend(acked.iter().map(|&(k, l)| (k, l, true)));
        samples.extend(delivered.iter().map(|&(k, l)| (k, l, false)));
        row.acked_in_window += acked_in_window;
        row.delivered_in_window += delivered_in_window;
    }
    let used = |before: Option<f64>, after: Option<f64>| Some(after? - before?);
    row.server_cpu = used(cpu_before.0, servers_cpu());
    row.generator_cpu = used(cpu_before.1, crate::process_cpu::own_seconds());
    drop(open_sockets);
    write_samples(&schedule, &samples)?;
    row.groups = server_counter(&http, &addr, "tidings_write_groups_total").await;
    row.group_items = server_counter(&http, &addr, "tidings_write_group_items_total").await;
    row.group_seconds = server_counter(&http, &addr, "tidings_write_group_seconds_sum").await;
    drop(agent_server);
    drop(server);
    Ok(row)
}

/// A counter from the server's `/metrics` (0 when it has none, as before the writer).
async fn server_counter(http: &reqwest::Client, addr: &str, name: &str) -> f64 {
    let Ok(response) = http.get(format!("http://{addr}/metrics")).send().await else {
        return 0.0;
    };
    let text = response.text().await.unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

/// With `TIDINGS_BENCH_SAMPLES` set (a file name), appends every sample to it, one a line:
/// when its message was due (microseconds since 1970), pair, k, `ack` or `delivered`, and
/// its latency in microseconds; to see when the slow ones happened.
fn write_samples(s: &Schedule, samples: &[(u64, u32, bool)]) -> Result {
    let Some(path) = std::env::var_os("TIDINGS_BENCH_SAMPLES") else {
        return Ok(());
    };
    use std::io::Write;
    let mut out = std::io::BufWriter::new(
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)?,
    );
    for &(key, latency, ack) in samples {
        writeln!(
            out,
            "{} {} {} {} {}",
            s.due_unix_micros(key),
            key >> 32,
            key & 0xffff_ffff,
            if ack { "ack" } else { "delivered" },
            latency
        )?;
    }
    Ok(())
}

fn rand_u64() -> Result<u64> {
    use std::io::Read;
    let mut bytes = [0u8; 8];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(u64::from_le_bytes(bytes))
}

/// A visitor on `addr` with a conversation (started by one message) and an agent socket on
/// `agent_addr` following it.
async fn set_up_pair(
    http: &reqwest::Client,
    addr: &str,
    agent_addr: &str,
    agent_token: &str,
) -> Result<Pair> {
    let visitor_token = crate::latency::token(http, addr, "/v1/visitors", "{}").await?;
    let mut visitor = crate::latency::connect(addr, &visitor_token).await?;
    let first = Uuid::new_v4();
    crate::latency::send(
        &mut visitor,
        &ClientFrame::Send {
            id: first,
            conversation_id: None,
            body: "hello".into(),
        },
    )
    .await?;
    let conversation = match crate::latency::wait(&mut visitor, |f| {
        matches!(f, ServerFrame::Ack { id, .. } | ServerFrame::Error { id: Some(id), .. } if *id == first)
    })
    .await?
    {
        ServerFrame::Ack {
            conversation_id, ..
        } => conversation_id,
        other => return Err(Failure(format!("the first message was refused: {other:?}"))),
    };
    // The visitor's own tab follows the new conversation: let that replay finish first.
    crate::latency::wait(&mut visitor, |f| matches!(f, ServerFrame::Synced { .. })).await?;
    let mut agent = crate::latency::connect(agent_addr, agent_token).await?;
    crate::latency::send(
        &mut agent,
        &ClientFrame::Subscribe {
            conversation_id: conversation,
            after_seq: 0,
        },
    )
    .await?;
    crate::latency::wait(&mut agent, |f| matches!(f, ServerFrame::Synced { .. })).await?;
    Ok(Pair {
        visitor,
        agent,
        conversation,
    })
}

/// Sends visitor `pair`'s messages, each at its due time (or at once if already late).
async fn send_all(
    mut tx: SplitSink<Socket, WsMessage>,
    s: &Schedule,
    pair: usize,
    conversation: Uuid,
) -> (usize, SplitSink<Socket, WsMessage>) {
    let mut sent = 0;
    for k in 0..s.per_visitor {
        tokio::time::sleep_until(s.due(pair, k)).await;
        let frame = ClientFrame::Send {
            id: s.id(pair, k),
            conversation_id: Some(conversation),
            body: format!("load message {k} from visitor {pair}"),
        };
        let Ok(text) = serde_json::to_string(&frame) else {
            break;
        };
        if tx.send(WsMessage::text(text)).await.is_err() {
            break;
        }
        sent += 1;
    }
    (sent, tx)
}

/// Ack latencies (µs), the number of refusals, and how many acks came before `window_end`.
async fn read_acks(
    mut rx: SplitStream<Socket>,
    s: &Schedule,
    window_end: Instant,
    deadline: Instant,
) -> (Vec<(u64, u32)>, usize, usize) {
    let mut acked = Vec::with_capacity(s.per_visitor as usize);
    let (mut refused, mut in_window) = (0, 0);
    while (acked.len() + refused) < s.per_visitor as usize {
        let Some(frame) = next_frame(&mut rx, deadline).await else {
            break;
        };
        match frame {
            ServerFrame::Ack { id, .. } => {
                if let Some(latency) = s.latency_micros(id) {
                    acked.push((s.key(id), latency));
                    in_window += usize::from(Instant::now() <= window_end);
                }
            }
            // Any refusal naming one of ours (`overloaded` past saturation).
            ServerFrame::Error { id: Some(id), .. } if s.decode(id).is_some() => refused += 1,
            _ => {}
        }
    }
    (acked, refused, in_window)
}

/// Visitor→agent latencies (µs) and how many arrived before `window_end`.
async fn read_deliveries(
    mut rx: SplitStream<Socket>,
    s: &Schedule,
    window_end: Instant,
    deadline: Instant,
) -> (Vec<(u64, u32)>, usize) {
    let mut delivered = Vec::with_capacity(s.per_visitor as usize);
    let mut in_window = 0;
    while delivered.len() < s.per_visitor as usize {
        let Some(frame) = next_frame(&mut rx, deadline).await else {
            break;
        };
        if let ServerFrame::Message { message } = frame {
            if let Some(latency) = s.latency_micros(message.id) {
                delivered.push((s.key(message.id), latency));
                in_window += usize::from(Instant::now() <= window_end);
            }
        }
    }
    (delivered, in_window)
}

/// The next protocol frame before `deadline`; `None` once the deadline passed or the
/// socket ended.
async fn next_frame(rx: &mut SplitStream<Socket>, deadline: Instant) -> Option<ServerFrame> {
    loop {
        let message = tokio::time::timeout_at(deadline, rx.next()).await.ok()??;
        if let Ok(WsMessage::Text(text)) = message {
            if let Ok(frame) = serde_json::from_str::<ServerFrame>(&text) {
                return Some(frame);
            }
        } else if message.is_err() {
            return None;
        }
    }
}
