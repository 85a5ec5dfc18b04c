//! `cargo xtask bench open`: the time from a click on the launcher to a panel that accepts
//! typing, in Chromium throttled like a mid-range phone on a poor connection (1.6 Mbit/s
//! down, 150 ms round trip, CPU 4× slower), cold cache and warm cache, median of several
//! runs. The browser side is `end2end/bench/open.mjs`; this builds the assets, serves them
//! from the speed-built server and runs it.

use std::path::Path;
use std::process::Command;

use crate::bench_server::{self, BenchServer};
use crate::step::{self, Result};
use crate::{assets, tools};

pub fn run(root: &Path, runs: usize) -> Result {
    tools::ensure_wasm_tools(root)?;
    tools::ensure_chromium()?;
    tools::ensure_end2end_packages(root)?;
    let out = assets::build(root, &root.join("target/assets"))?;
    let bin = bench_server::build()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let server = runtime.block_on(async {
        BenchServer::start(&bin, &["--assets", &out.display().to_string()]).await
    })?;
    let url = format!("http://{}/", server.addr);
    step::run(
        &format!(
            "{runs} runs of launcher click → typing possible, cold and warm (Chromium, throttled)"
        ),
        Command::new("node")
            .current_dir(root.join("end2end"))
            .arg("bench/open.mjs")
            .arg(&url)
            .arg(runs.to_string())
            .env("CHROMIUM", "/usr/bin/chromium"),
    )?;
    drop(server);
    Ok(())
}
