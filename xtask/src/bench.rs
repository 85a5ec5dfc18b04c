//! `cargo xtask bench …`: measurements, printed with the command that made them.
//!
//! `load` is throughput and latency under load (see `load.rs`).
//!
//! `size` is what a visitor downloads: the loader every host page loads, and everything the
//! open widget loads (its wasm, js and css), each gzip-compressed at level 9.

use std::io::Write;
use std::path::Path;

use clap::Subcommand;
use flate2::write::GzEncoder;
use flate2::Compression;

use crate::step::Result;
use crate::{assets, tools};

#[derive(Subcommand)]
pub enum Bench {
    /// Gzip bytes of the loader and of the open widget's wasm, js and css.
    Size,
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
    },
}

pub fn run(root: &Path, what: Bench) -> Result {
    match what {
        Bench::Size => size(root),
        Bench::Delivery { messages } => crate::latency::run(messages.max(1)),
        Bench::Connections { connections } => crate::connections::run(connections.max(1)),
        Bench::Load {
            pairs,
            rate,
            seconds,
        } => {
            let seconds = seconds.max(1.0);
            let loads: Vec<_> = match (pairs, rate) {
                (Some(pairs), Some(rate)) => vec![crate::load::Load {
                    pairs: pairs.max(1),
                    rate: rate.max(0.1),
                    seconds,
                }],
                _ => crate::load::DEFAULT_SWEEP
                    .iter()
                    .map(|&(pairs, rate)| crate::load::Load {
                        pairs,
                        rate,
                        seconds,
                    })
                    .collect(),
            };
            crate::load::run(&loads)
        }
    }
}

fn size(root: &Path) -> Result {
    tools::ensure_wasm_tools(root)?;
    let out = assets::build(root, &root.join("target/assets"))?;
    let loader = gzip_len(&std::fs::read(out.join("widget.js"))?)?;
    println!("loader   widget.js                      {loader:>7} bytes gzip (budget 5120)");
    let mut total = 0;
    let mut files: Vec<_> = std::fs::read_dir(out.join("chat"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js" | "css" | "html")
            )
        })
        .collect();
    files.sort();
    for file in files {
        let bytes = gzip_len(&std::fs::read(&file)?)?;
        total += bytes;
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        println!("widget   chat/{name:<32} {bytes:>7} bytes gzip");
    }
    println!("widget   total (html+wasm+js+css)       {total:>7} bytes gzip (budget 81920)");
    Ok(())
}

fn gzip_len(data: &[u8]) -> Result<usize> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(data)?;
    Ok(gz.finish()?.len())
}
