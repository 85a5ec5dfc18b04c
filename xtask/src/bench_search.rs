//! `cargo xtask bench search`: the console's search time as history grows. Fills the real
//! server (speed-optimised build) with 1,000, then 10,000, then 100,000 messages through
//! its sockets and database, and after each size times `GET /v1/search` for a rare word
//! (the same 20 messages at every size), a common one (1 message in 100, so its matches
//! grow with history; a page of results is 50), and one visitor's name: the index, not a
//! scan, keeps these times flat. History is many conversations of 20 messages, each with a
//! visitor of its own.
//!
//! SQLite by default; `--database-url postgres://…` measures a PostgreSQL database instead
//! (an empty one: the bench fills it).

use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tidings_protocol::{ClientFrame, ServerFrame};
use uuid::Uuid;

use crate::bench_server::{self, BenchServer};
use crate::latency::{connect, send, token, wait};
use crate::step::{Failure, Result};

/// History sizes measured, in messages.
const SIZES: [usize; 3] = [1_000, 10_000, 100_000];
/// Conversations being written at once.
const WRITERS: usize = 50;
/// Messages per conversation (each has a visitor of its own), as in a real history: many
/// conversations of a few dozen messages.
const PER_CONVERSATION: usize = 20;
/// Messages holding the rare word, all written within the first size.
const RARE: usize = 20;
/// Searches timed per query and size.
const RUNS: usize = 30;

pub fn run(database_url: Option<String>) -> Result {
    let bin = bench_server::build()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(measure(&bin, database_url))
}

/// The text of message `n`: eight words of a 5,000-word vocabulary, `rareword` in the
/// first [`RARE`] messages (spread over the writers), `commonword` in one in a hundred.
fn body(n: usize) -> String {
    let mut words: Vec<String> = (0..8)
        .map(|k| format!("w{}", (n * 7919 + k * 104_729) % 5_000))
        .collect();
    if n % (SIZES[0] / RARE) == 7 && n < SIZES[0] {
        words.push("rareword".into());
    }
    if n % 100 == 3 {
        words.push("commonword".into());
    }
    words.join(" ")
}

async fn measure(bin: &Path, database_url: Option<String>) -> Result {
    // Limits lifted: this measures search, not the limiters.
    let flags = [
        "--rate-per-second",
        "1000000",
        "--rate-burst",
        "1000000",
        "--visitor-create-per-minute",
        "0",
        "--visitor-create-global-per-minute",
        "0",
    ];
    let server = match &database_url {
        Some(url) => BenchServer::start_on(bin, url, None, &flags).await?,
        None => BenchServer::start(bin, &flags).await?,
    };
    server.add_agent(bin, "bench@example.com", "bench-password")?;
    let addr = server.addr.clone();
    let http = reqwest::Client::new();
    let agent = token(
        &http,
        &addr,
        "/v1/agents/login",
        r#"{"email":"bench@example.com","password":"bench-password"}"#,
    )
    .await?;

    println!("search time through GET /v1/search ({RUNS} runs each; median / p90, results):");
    println!(
        "{:>9} | {:>24} | {:>24} | {:>24}",
        "messages", "rare word (20 messages)", "common word (1%)", "one visitor's name"
    );
    let mut written = 0;
    for size in SIZES {
        let started = Instant::now();
        let conversations = (written / PER_CONVERSATION)..(size / PER_CONVERSATION);
        let mut fills =
            futures_util::stream::iter(conversations.map(|k| conversation(&http, &addr, k)))
                .buffer_unordered(WRITERS);
        while let Some(done) = fills.next().await {
            done?;
        }
        written = size;
        let fill = started.elapsed();
        let rare = time(&http, &addr, &agent, "rareword").await?;
        let common = time(&http, &addr, &agent, "commonword").await?;
        let name = time(&http, &addr, &agent, "zebedee").await?;
        println!(
            "{size:>9} | {rare:>24} | {common:>24} | {name:>24}   (filled in {:.1} s)",
            fill.as_secs_f64()
        );
    }
    drop(server);
    Ok(())
}

/// Conversation `k`: a new visitor (the first one is called Zebedee, the others VisitorK)
/// writes its [`PER_CONVERSATION`] messages, `body(k * PER_CONVERSATION)` onwards, and
/// waits for their acks.
async fn conversation(http: &reqwest::Client, addr: &str, k: usize) -> Result {
    let name = if k == 0 {
        "Zebedee Benchfolk".to_string()
    } else {
        format!("Visitor{k} Benchfolk")
    };
    let details = format!(r#"{{"name":"{name}","email":"visitor{k}@bench.test"}}"#);
    let visitor = token(http, addr, "/v1/visitors", &details).await?;
    let mut ws = connect(addr, &visitor).await?;
    let first = k * PER_CONVERSATION;
    send(
        &mut ws,
        &ClientFrame::Send {
            id: Uuid::new_v4(),
            conversation_id: None,
            body: body(first),
        },
    )
    .await?;
    let ServerFrame::Ack {
        conversation_id, ..
    } = wait(&mut ws, |f| matches!(f, ServerFrame::Ack { .. })).await?
    else {
        unreachable!()
    };
    for n in first + 1..first + PER_CONVERSATION {
        let frame = ClientFrame::Send {
            id: Uuid::new_v4(),
            conversation_id: Some(conversation_id),
            body: body(n),
        };
        send(&mut ws, &frame).await?;
    }
    for _ in 1..PER_CONVERSATION {
        wait(&mut ws, |f| matches!(f, ServerFrame::Ack { .. })).await?;
    }
    Ok(())
}

/// Median and p90 of [`RUNS`] searches for `query`, checked to find something.
async fn time(http: &reqwest::Client, addr: &str, agent: &str, query: &str) -> Result<String> {
    let mut samples: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut found = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let response = http
            .get(format!("http://{addr}/v1/search"))
            .query(&[("q", query)])
            .bearer_auth(agent)
            .send()
            .await?;
        let value: serde_json::Value = response.json().await?;
        samples.push(started.elapsed());
        found = value["results"].as_array().map_or(0, Vec::len);
    }
    if found == 0 {
        return Err(Failure(format!("the search for {query} found nothing")));
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok(format!(
        "{:.2} / {:.2} ms ({found})",
        ms(samples[RUNS / 2]),
        ms(samples[RUNS * 9 / 10])
    ))
}
