//! `cargo xtask bench connections`: what an idle visitor connection costs the server. Starts
//! the real server binary (speed-optimised build) on a temporary SQLite file, opens N
//! authenticated visitor WebSockets that then stay idle (answering the server's heartbeats),
//! and reads the server's resident memory (`VmRSS` in `/proc/<pid>/status`) before and
//! after. The "after" figure is taken once every socket has lived through a full heartbeat
//! round, so it is the steady idle state, not the handshake peak.
//!
//! Each socket is its own visitor, as on a real site. Visitors are created first (the
//! per-IP and node-wide limits are lifted with `--visitor-create-per-minute 0
//! --visitor-create-global-per-minute 0`), and "before" is read after
//! that, so only the sockets are counted. Sockets are opened in batches below the listen
//! backlog; this process and the server each need a file descriptor per socket, so both
//! raise their soft open-files limit to the hard limit.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tidings_protocol::{ClientFrame, ServerFrame, PROTOCOL_VERSION};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::bench_server::{self, BenchServer};
use crate::step::{Failure, Result};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Sockets (or visitor creations) in flight at once: below the server's listen backlog.
const BATCH: usize = 256;
/// File descriptors this process needs besides the sockets.
const SPARE_FILES: u64 = 64;
/// Each step's deadline.
const DEADLINE: Duration = Duration::from_secs(30);

pub fn run(connections: usize) -> Result {
    let soft = rlimit::increase_nofile_limit(u64::MAX)?;
    if soft < connections as u64 + SPARE_FILES {
        return Err(Failure(format!(
            "{connections} sockets need about {} open files, but this process may open {soft} \
             (raise the hard limit: ulimit -Hn)",
            connections as u64 + SPARE_FILES
        )));
    }
    let bin = bench_server::build()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(measure(&bin, connections))
}

async fn measure(bin: &Path, connections: usize) -> Result {
    let server = BenchServer::start(
        bin,
        &[
            "--visitor-create-per-minute",
            "0",
            "--visitor-create-global-per-minute",
            "0",
        ],
    )
    .await?;
    let (pid, addr) = (server.pid, server.addr.clone());
    let http = reqwest::Client::new();
    let (interval, server_limit) = server_facts(pid, &http, &addr).await?;
    if server_limit < connections as u64 + SPARE_FILES {
        return Err(Failure(format!(
            "the server may open only {server_limit} files; {connections} sockets need more"
        )));
    }

    let started = Instant::now();
    let tokens = create_visitors(&http, &addr, connections).await?;
    println!(
        "created {connections} visitors in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let before = rss_bytes(pid)?;

    let started = Instant::now();
    let alive = Arc::new(AtomicUsize::new(0));
    let mut idle = JoinSet::new();
    for batch in tokens.chunks(BATCH) {
        let mut opening = JoinSet::new();
        for token in batch {
            opening.spawn(open(addr.clone(), token.clone()));
        }
        while let Some(opened) = opening.join_next().await {
            let (socket, _) = opened.map_err(|e| Failure(e.to_string()))??;
            alive.fetch_add(1, Ordering::Relaxed);
            idle.spawn(stay_idle(socket, alive.clone()));
        }
    }
    println!(
        "opened {connections} authenticated sockets in {:.1} s; idling through a heartbeat round ({} s)",
        started.elapsed().as_secs_f64(),
        interval.as_secs()
    );
    // Past one full server heartbeat interval every socket has been pinged and answered.
    tokio::time::sleep(interval + Duration::from_secs(1)).await;
    let after = rss_bytes(pid)?;
    let open_now = alive.load(Ordering::Relaxed);
    let authenticated = metric(&http, &addr, "tidings_sockets_authenticated").await?;

    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "connections open: {open_now} of {connections} (server counts {authenticated} authenticated)"
    );
    println!("server RSS before: {:.1} MiB", mib(before));
    println!("server RSS after: {:.1} MiB", mib(after));
    println!(
        "bytes per connection: {}",
        after.saturating_sub(before) / connections.max(1) as u64
    );
    idle.abort_all();
    drop(server);
    if open_now != connections || authenticated != connections as u64 {
        return Err(Failure(format!(
            "only {open_now} sockets stayed open ({authenticated} on the server)"
        )));
    }
    Ok(())
}

/// The server's heartbeat interval (from a `hello`) and its open-files soft limit.
async fn server_facts(pid: u32, http: &reqwest::Client, addr: &str) -> Result<(Duration, u64)> {
    let token = create_visitor(http, addr).await?;
    let (mut socket, interval) = open(addr.to_string(), token).await?;
    socket.close(None).await.ok();
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits"))?;
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .map(|s| s.parse().unwrap_or(u64::MAX))
        .ok_or_else(|| Failure("no open files limit in /proc".into()))?;
    Ok((interval, soft))
}

async fn create_visitors(http: &reqwest::Client, addr: &str, n: usize) -> Result<Vec<String>> {
    let mut tokens = Vec::with_capacity(n);
    while tokens.len() < n {
        let mut creating = JoinSet::new();
        for _ in 0..BATCH.min(n - tokens.len()) {
            let (http, addr) = (http.clone(), addr.to_string());
            creating.spawn(async move { create_visitor(&http, &addr).await });
        }
        while let Some(created) = creating.join_next().await {
            tokens.push(created.map_err(|e| Failure(e.to_string()))??);
        }
    }
    Ok(tokens)
}

async fn create_visitor(http: &reqwest::Client, addr: &str) -> Result<String> {
    let response = http
        .post(format!("http://{addr}/v1/visitors"))
        .timeout(DEADLINE)
        .send()
        .await?;
    let value: serde_json::Value = response.json().await?;
    value["token"]
        .as_str()
        .map(String::from)
        .ok_or_else(|| Failure(format!("no visitor token: {value}")))
}

/// Connects with small client buffers (this process holds every socket too) and
/// authenticates; returns the socket and the heartbeat interval its `hello` announced.
async fn open(addr: String, token: String) -> Result<(Socket, Duration)> {
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let url = format!("ws://{addr}/v1/socket");
    let (mut ws, _) = tokio::time::timeout(
        DEADLINE,
        tokio_tungstenite::connect_async_with_config(url, Some(config), true),
    )
    .await
    .map_err(|_| Failure("no WebSocket handshake within 30 s".into()))??;
    let auth = ClientFrame::Auth {
        token,
        version: PROTOCOL_VERSION,
    };
    ws.send(WsMessage::text(serde_json::to_string(&auth)?))
        .await?;
    let interval = wait_for_hello(&mut ws).await?;
    Ok((ws, interval))
}

/// Reads until the `hello`; returns its heartbeat interval.
async fn wait_for_hello(ws: &mut Socket) -> Result<Duration> {
    loop {
        let next = tokio::time::timeout(DEADLINE, ws.next())
            .await
            .map_err(|_| Failure("no hello within 30 s".into()))?;
        match next {
            Some(Ok(WsMessage::Text(text))) => match serde_json::from_str(&text)? {
                ServerFrame::Hello {
                    heartbeat_interval_ms,
                    ..
                } => return Ok(Duration::from_millis(heartbeat_interval_ms)),
                ServerFrame::Error { code, message, .. } => {
                    return Err(Failure(format!("auth refused: {code:?}: {message}")))
                }
                _ => continue,
            },
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.into()),
            None => return Err(Failure("the server closed the socket".into())),
        }
    }
}

/// Holds a socket open, answering the server's heartbeat pings, until it ends.
async fn stay_idle(mut ws: Socket, alive: Arc<AtomicUsize>) {
    while let Some(Ok(message)) = ws.next().await {
        let WsMessage::Text(text) = message else {
            continue;
        };
        if let Ok(ServerFrame::Ping { nonce }) = serde_json::from_str(&text) {
            let pong = serde_json::to_string(&ClientFrame::Pong { nonce }).unwrap_or_default();
            if ws.send(WsMessage::text(pong)).await.is_err() {
                break;
            }
        }
    }
    alive.fetch_sub(1, Ordering::Relaxed);
}

/// A gauge or counter from the server's `/metrics`.
async fn metric(http: &reqwest::Client, addr: &str, name: &str) -> Result<u64> {
    let text = http
        .get(format!("http://{addr}/metrics"))
        .timeout(DEADLINE)
        .send()
        .await?
        .text()
        .await?;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
        .ok_or_else(|| Failure(format!("no {name} in /metrics")))
}

/// Resident memory of a process, from `VmRSS` in `/proc/<pid>/status`.
fn rss_bytes(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| Failure(format!("no VmRSS in /proc/{pid}/status")))?;
    Ok(kib * 1024)
}
