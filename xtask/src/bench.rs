//! `cargo xtask bench …`: measurements, printed with the command that made them.
//!
//! `load` is throughput and latency under load (see `load.rs`); `cluster` is the same across
//! two nodes on PostgreSQL, beside one SQLite node.
//!
//! `size` is what a visitor downloads (see `size.rs`, which also holds the budgets); `open`
//! is how long a slow phone takes from the launcher click to typing (`open_time.rs`).

use std::path::Path;

use clap::Subcommand;

use crate::load::Topology;
use crate::step::Result;
use crate::{assets, tools};

#[derive(Subcommand)]
pub enum Bench {
    /// Gzip bytes of the loader and of the open widget's wasm, js and css.
    Size {
        /// Fail when a budget is exceeded (as `cargo xtask test` does).
        #[arg(long)]
        check: bool,
    },
    /// Launcher click to a panel that accepts typing, in Chromium throttled like a slow
    /// phone (1.6 Mbit/s, 150 ms RTT, 4× CPU), cold and warm cache: medians.
    Open {
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Visitor-to-agent delivery and ack latency through the real server (p50/p90/p99/max).
    Delivery {
        /// How many messages to send, one at a time.
        #[arg(long, default_value_t = 2000)]
        messages: usize,
    },
    /// Server memory held by idle authenticated visitor sockets (RSS before and after).
    Connections {
        #[arg(long, default_value_t = 10_000)]
        connections: usize,
    },
    /// Throughput and latency under load: N visitor/agent pairs, each visitor sending R
    /// msgs/s. Without --pairs and --rate, a sweep from 1,000 msgs/s up past saturation.
    Load {
        /// Visitor/agent pairs (with --rate: one load instead of the sweep).
        #[arg(long, requires = "rate")]
        pairs: Option<usize>,
        /// Messages per second each visitor sends.
        #[arg(long, requires = "pairs")]
        rate: Option<f64>,
        /// How long each load sends.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// The server's write queue (`--write-queue`), if not its default: past saturation,
        /// a queue smaller than the number of writing clients refuses with `overloaded`.
        #[arg(long)]
        write_queue: Option<usize>,
    },
    /// Two nodes on one PostgreSQL, each visitor on one node and its agent on the other:
    /// cross-node delivery p50/p99 and acked msgs/s at a few loads, beside one SQLite node
    /// measured in the same run with the same loads.
    Cluster {
        /// Visitor/agent pairs (with --rate: one load instead of the sweep).
        #[arg(long, requires = "rate")]
        pairs: Option<usize>,
        /// Messages per second each visitor sends.
        #[arg(long, requires = "pairs")]
        rate: Option<f64>,
        /// How long each load sends.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
    },
    /// Console search time at 1k, 10k and 100k messages filled through the real server
    /// and database (see `bench_search.rs`).
    Search {
        /// An empty PostgreSQL database to measure instead of a fresh SQLite file.
        #[arg(long)]
        database_url: Option<String>,
    },
}

pub fn run(root: &Path, what: Bench) -> Result {
    match what {
        Bench::Size { check } => size(root, check),
        Bench::Open { runs } => crate::open_time::run(root, runs.max(1)),
        Bench::Delivery { messages } => crate::latency::run(messages.max(1)),
        Bench::Search { database_url } => crate::bench_search::run(database_url),
        Bench::Connections { connections } => crate::connections::run(connections.max(1)),
        Bench::Load {
            pairs,
            rate,
            seconds,
            write_queue,
        } => {
            let seconds = seconds.max(1.0);
            let loads: Vec<_> = match (pairs, rate) {
                (Some(pairs), Some(rate)) => vec![crate::load::Load {
                    pairs: pairs.max(1),
                    rate: rate.max(0.1),
                    seconds,
                    write_queue,
                    topology: Topology::SqliteNode,
                }],
                _ => crate::load::DEFAULT_SWEEP
                    .iter()
                    .map(|&(pairs, rate)| crate::load::Load {
                        pairs,
                        rate,
                        seconds,
                        write_queue,
                        topology: Topology::SqliteNode,
                    })
                    .collect(),
            };
            crate::load::run(&loads)
        }
        Bench::Cluster {
            pairs,
            rate,
            seconds,
        } => {
            let sweep = match (pairs, rate) {
                (Some(pairs), Some(rate)) => vec![(pairs.max(1), rate.max(0.1))],
                _ => crate::load::CLUSTER_SWEEP.to_vec(),
            };
            let loads: Vec<_> = sweep
                .into_iter()
                .flat_map(|(pairs, rate)| {
                    [Topology::TwoPostgresNodes, Topology::SqliteNode].map(|topology| {
                        crate::load::Load {
                            pairs,
                            rate,
                            seconds: seconds.max(1.0),
                            write_queue: None,
                            topology,
                        }
                    })
                })
                .collect();
            crate::load::run(&loads)
        }
    }
}

fn size(root: &Path, check: bool) -> Result {
    tools::ensure_wasm_tools(root)?;
    let out = assets::build(root, &root.join("target/assets"))?;
    if check {
        return crate::size::check(&out);
    }
    crate::size::print(&crate::size::measure(&out)?);
    Ok(())
}
