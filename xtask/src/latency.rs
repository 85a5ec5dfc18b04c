//! `cargo xtask bench delivery`: how long a visitor's message takes to reach an agent, and
//! to be acknowledged (committed, fsynced) to the visitor, through the real server binary
//! (speed-optimised build), real sockets on loopback and a real SQLite file.
//!
//! One message in flight at a time, so this measures latency, not throughput.

use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tidings_protocol::{ClientFrame, ServerFrame, PROTOCOL_VERSION};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

use crate::bench_server::{self, BenchServer};
use crate::step::{Failure, Result};

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub fn run(messages: usize) -> Result {
    let bin = bench_server::build()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(measure(&bin, messages))
}

async fn measure(bin: &Path, messages: usize) -> Result {
    // The per-connection rate limit is lifted: this measures the delivery path, not the limiter.
    let server = BenchServer::start(
        bin,
        &["--rate-per-second", "1000000", "--rate-burst", "1000000"],
    )
    .await?;
    server.add_agent(bin, "bench@example.com", "bench-password")?;
    let addr = server.addr.clone();
    let http = reqwest::Client::new();
    let agent_token = token(
        &http,
        &addr,
        "/v1/agents/login",
        r#"{"email":"bench@example.com","password":"bench-password"}"#,
    )
    .await?;
    let visitor_token = token(&http, &addr, "/v1/visitors", "{}").await?;
    let mut agent = connect(&addr, &agent_token).await?;
    let mut visitor = connect(&addr, &visitor_token).await?;

    let first = Uuid::new_v4();
    send(
        &mut visitor,
        &ClientFrame::Send {
            id: first,
            conversation_id: None,
            body: "hello".into(),
        },
    )
    .await?;
    let conversation = match wait(
        &mut visitor,
        |f| matches!(f, ServerFrame::Ack { id, .. } if *id == first),
    )
    .await?
    {
        ServerFrame::Ack {
            conversation_id, ..
        } => conversation_id,
        _ => unreachable!(),
    };
    send(
        &mut agent,
        &ClientFrame::Subscribe {
            conversation_id: conversation,
            after_seq: 0,
        },
    )
    .await?;
    wait(&mut agent, |f| matches!(f, ServerFrame::Synced { .. })).await?;

    let mut to_agent = Vec::with_capacity(messages);
    let mut to_ack = Vec::with_capacity(messages);
    for i in 0..messages {
        let id = Uuid::new_v4();
        let started = Instant::now();
        send(
            &mut visitor,
            &ClientFrame::Send {
                id,
                conversation_id: Some(conversation),
                body: format!("message {i}"),
            },
        )
        .await?;
        // Each side's time is taken when its own frame arrives.
        let (delivered, acked) = tokio::join!(
            async {
                wait(
                    &mut agent,
                    |f| matches!(f, ServerFrame::Message { message } if message.id == id),
                )
                .await
                .map(|_| started.elapsed())
            },
            async {
                wait(
                    &mut visitor,
                    |f| matches!(f, ServerFrame::Ack { id: a, .. } if *a == id),
                )
                .await
                .map(|_| started.elapsed())
            },
        );
        to_agent.push(delivered?);
        to_ack.push(acked?);
    }
    report(
        "visitor send -> agent receives the message",
        &mut to_agent,
        messages,
    );
    report(
        "visitor send -> visitor receives the ack (committed)",
        &mut to_ack,
        messages,
    );
    drop(server);
    Ok(())
}

fn report(what: &str, samples: &mut [Duration], n: usize) {
    samples.sort();
    let at = |p: usize| samples[(n * p / 100).min(n - 1)].as_secs_f64() * 1000.0;
    println!(
        "{what}: n={n} p50={:.2} ms p90={:.2} ms p99={:.2} ms max={:.2} ms",
        at(50),
        at(90),
        at(99),
        samples[n - 1].as_secs_f64() * 1000.0
    );
}

pub(crate) async fn token(
    http: &reqwest::Client,
    addr: &str,
    path: &str,
    body: &str,
) -> Result<String> {
    let res = http
        .post(format!("http://{addr}{path}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await?;
    let value: serde_json::Value = res.json().await?;
    value["token"]
        .as_str()
        .map(String::from)
        .ok_or_else(|| Failure(format!("no token from {path}: {value}")))
}

pub(crate) async fn connect(addr: &str, token: &str) -> Result<Socket> {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/v1/socket")).await?;
    send(
        &mut ws,
        &ClientFrame::Auth {
            token: token.into(),
            version: PROTOCOL_VERSION,
        },
    )
    .await?;
    wait(&mut ws, |f| matches!(f, ServerFrame::Hello { .. })).await?;
    Ok(ws)
}

pub(crate) async fn send(ws: &mut Socket, frame: &ClientFrame) -> Result {
    ws.send(WsMessage::text(serde_json::to_string(frame)?))
        .await?;
    Ok(())
}

/// Reads frames until one matches, answering the server's heartbeats on the way.
pub(crate) async fn wait(
    ws: &mut Socket,
    want: impl Fn(&ServerFrame) -> bool,
) -> Result<ServerFrame> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let next = tokio::time::timeout_at(deadline, ws.next())
            .await
            .map_err(|_| Failure("no answer within 10 s".into()))?;
        let Some(msg) = next else {
            return Err(Failure("the server closed the socket".into()));
        };
        if let WsMessage::Text(text) = msg? {
            let frame: ServerFrame = serde_json::from_str(&text)?;
            if let ServerFrame::Ping { nonce } = frame {
                send(ws, &ClientFrame::Pong { nonce }).await?;
            } else if want(&frame) {
                return Ok(frame);
            }
        }
    }
}
