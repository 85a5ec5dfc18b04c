//! `cargo xtask test`: what CI runs. Installs what is missing, then formatting, lints (native
//! and wasm32), every Rust test (the server's suite on both SQLite and PostgreSQL), a few seconds of each fuzz target, the widget's browser wasm
//! tests and the Playwright suite against freshly started servers, and ends with one summary
//! line.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::step::{self, cargo, Result};
use crate::{fuzz, tools};

/// The packages compiled to wasm32 (clippy runs on them for that target too).
const WASM_PACKAGES: &[&str] = &["tidings-widget", "tidings-console", "tidings-client"];

pub fn run(root: &Path, e2e: bool, grep: Option<&str>) -> Result {
    let started = Instant::now();
    let mut passed = 0usize;
    let result = steps(root, e2e, grep, &mut passed);
    let elapsed = started.elapsed().as_secs();
    match &result {
        Ok(()) => println!(
            "xtask test: PASSED, {passed} steps in {}m{:02}s",
            elapsed / 60,
            elapsed % 60
        ),
        Err(e) => println!(
            "xtask test: FAILED after {passed} passing steps in {}m{:02}s: {e}",
            elapsed / 60,
            elapsed % 60
        ),
    }
    result
}

fn steps(root: &Path, e2e: bool, grep: Option<&str>, passed: &mut usize) -> Result {
    let mut count = |r: Result| -> Result {
        r?;
        *passed += 1;
        Ok(())
    };
    tools::ensure_wasm_tools(root)?;
    tools::ensure_chromium()?;
    tools::ensure_postgresql()?;
    if e2e {
        tools::ensure_end2end_packages(root)?;
    }
    count(step::run(
        "check formatting (cargo fmt --check)",
        cargo().args(["fmt", "--all", "--check"]),
    ))?;
    count(step::run(
        "lint natively (cargo clippy --workspace --all-targets -D warnings)",
        cargo().args([
            "clippy",
            "--quiet",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    ))?;
    let mut wasm_clippy = cargo();
    wasm_clippy.args(["clippy", "--quiet", "--target", "wasm32-unknown-unknown"]);
    for p in WASM_PACKAGES {
        wasm_clippy.args(["-p", p]);
    }
    wasm_clippy.args(["--", "-D", "warnings"]);
    count(step::run(
        "lint the wasm crates for wasm32 (clippy -D warnings)",
        &mut wasm_clippy,
    ))?;
    count(step::run(
        "run every Rust test natively (cargo test --workspace; the server on SQLite, its \
         multi-node tests on PostgreSQL)",
        cargo().args(["test", "--quiet", "--workspace"]),
    ))?;
    count(step::run(
        "run the server's integration suite again on PostgreSQL (TIDINGS_TEST_BACKEND=postgres)",
        cargo()
            .args([
                "test",
                "--quiet",
                "-p",
                "tidings-server",
                "--",
                "--skip",
                "cluster_",
            ])
            .env("TIDINGS_TEST_BACKEND", "postgres"),
    ))?;
    count(fuzz::smoke(root))?;
    count(step::run(
        "run the browser wasm tests in Chromium (wasm-bindgen-test-runner)",
        cargo()
            .args([
                "test",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "tidings-client",
                "-p",
                "tidings-widget",
            ])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    ))?;
    if !e2e {
        return Ok(());
    }
    // The release binary with the assets inside, built and checked once (it serves
    // everything alone, it unwinds on panic), is also the server the browser suite runs.
    let (server, assets) = crate::dist::build(root)?;
    count(Ok(()))?;
    println!("==> check what a visitor downloads against the size budgets (xtask/src/size.rs)");
    count(crate::size::check(&assets))?;
    let mut playwright = Command::new(root.join("end2end/node_modules/.bin/playwright"));
    playwright
        .arg("test")
        .current_dir(root.join("end2end"))
        .env("TIDINGS_SERVER_BIN", server)
        .env("TIDINGS_ASSETS", assets)
        .env("CHROMIUM", "/usr/bin/chromium");
    if let Some(g) = grep {
        playwright.args(["--grep", g]);
    }
    count(step::run(
        "run the browser end-to-end suite (Playwright, Chromium)",
        &mut playwright,
    ))
}
