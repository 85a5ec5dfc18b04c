//! `cargo xtask test`: what CI runs. Installs what is missing, then formatting, lints (native
//! and wasm32), every Rust test (the server's suite on both SQLite and PostgreSQL), a few
//! seconds of each fuzz target, the widget's browser wasm tests and the Playwright suite
//! against freshly started servers, and ends with one summary line.
//!
//! Everything is compiled first, one build at a time (two cores cannot build two things
//! faster than one). What is left is running, which mostly waits on sockets, fsync and the
//! browser, so the runs go in two lanes at once: the Rust lane (every Rust test on SQLite,
//! then the server's suite on PostgreSQL) and the browser lane (fuzz smoke, wasm tests,
//! Playwright), which takes about as long: three lanes (SQLite and PostgreSQL apart) were
//! no faster in total, only busier on two cores. Each lane is `cargo xtask lane NAME` run
//! by this program, with its output in a log file, printed whole when the lane ends, so the
//! two never interleave.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::step::{self, cargo, Failure, Result};
use crate::{fuzz, tools};

/// The packages compiled to wasm32 (clippy runs on them for that target too).
const WASM_PACKAGES: &[&str] = &[
    "tidings-widget",
    "tidings-widget-extras",
    "tidings-console",
    "tidings-client",
];

/// The lanes that run at once once everything is built, and how many steps each counts.
const LANES: &[(&str, usize)] = &[("rust", 3), ("browser", 3)];

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
    tools::ensure_wasm_bindgen_cli(root)?;
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
    step::run(
        "build every Rust test (cargo test --workspace --no-run)",
        cargo().args(["test", "--quiet", "--workspace", "--no-run"]),
    )?;
    step::run(
        "build the browser wasm tests (--target wasm32-unknown-unknown --no-run)",
        wasm_tests().arg("--no-run"),
    )?;
    fuzz::build_targets(root)?;
    let mut lane_args = vec![];
    if e2e {
        // The release binary with the assets inside, built and checked once (it serves
        // everything alone, it unwinds on panic), is also the server the browser suite runs.
        let (server, assets) = crate::dist::build(root)?;
        count(Ok(()))?;
        println!("==> check what a visitor downloads against the size budgets (xtask/src/size.rs)");
        count(crate::size::check(&assets))?;
        lane_args = vec![
            "--server".into(),
            server.into_os_string(),
            "--assets".into(),
            assets.into_os_string(),
        ];
        if let Some(g) = grep {
            lane_args.extend(["--grep".into(), g.into()]);
        }
    } else {
        lane_args.push("--no-e2e".into());
    }
    let logs = crate::dev::target_dir().join("xtask-test-lanes");
    std::fs::create_dir_all(&logs)?;
    println!(
        "==> run the lanes at once: {} (logs in {})",
        LANES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
        logs.display()
    );
    let started = Instant::now();
    let mut running = vec![];
    for (name, steps) in LANES {
        let log_path = logs.join(format!("{name}.log"));
        let log = std::fs::File::create(&log_path)?;
        // Through cargo rather than this program's own path: another build sharing the
        // target directory may have replaced that file since this program started.
        let child = cargo()
            .args(["xtask", "lane"])
            .arg(name)
            .args(&lane_args)
            .current_dir(root)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(|e| Failure(format!("lane {name}: cannot start: {e}")))?;
        running.push((*name, *steps, log_path, child));
    }
    let mut failed = vec![];
    for (name, steps, log_path, mut child) in running {
        let status = child.wait()?;
        println!(
            "==> lane {name} ended after {:.1}s: {}",
            started.elapsed().as_secs_f64(),
            if status.success() { "ok" } else { "FAILED" }
        );
        print!("{}", std::fs::read_to_string(&log_path).unwrap_or_default());
        if status.success() {
            // Without the browser suite, the browser lane runs two steps, not three.
            *passed += if name == "browser" && !e2e {
                steps - 1
            } else {
                steps
            };
        } else {
            failed.push(name);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure(format!(
            "lane(s) {} failed (their output is above)",
            failed.join(", ")
        )))
    }
}

/// What the browser lane needs to run Playwright against the built release binary.
pub struct BrowserSuite {
    pub server: PathBuf,
    pub assets: PathBuf,
    pub grep: Option<String>,
}

/// `cargo xtask lane NAME`: one lane's steps, run by `cargo xtask test` after everything is
/// built. `suite` is None when the browser suite is skipped.
pub fn lane(root: &Path, name: &str, suite: Option<&BrowserSuite>) -> Result {
    match name {
        "rust" => {
            let sqlite = step::run(
                "run every Rust test natively (cargo test --workspace; the server on SQLite, \
                 its multi-node tests on PostgreSQL)",
                cargo().args(["test", "--quiet", "--no-fail-fast", "--workspace"]),
            );
            // The protocol with `wire` alone, as the widget builds it: in the workspace run,
            // feature unification turns `agent-frames` on and compiles this test to nothing.
            let wire = step::run(
                "run the protocol's wire test without agent frames (cargo test -p tidings-protocol --features wire)",
                cargo().args([
                    "test",
                    "--quiet",
                    "-p",
                    "tidings-protocol",
                    "--features",
                    "wire",
                    "--test",
                    "wire_agent_frames",
                ]),
            );
            // Every run even when one fails, so one CI run reports every failure.
            let postgres = lane(root, "postgres", suite);
            sqlite.and(wire).and(postgres)
        }
        "postgres" => step::run(
            "run the server's integration suite again on PostgreSQL (TIDINGS_TEST_BACKEND=postgres)",
            // Every package selected, as in the SQLite run, so that cargo resolves the same
            // features and reuses its test binaries (`-p tidings-server` alone would rebuild
            // the server's dependencies with other features: three minutes). Only the
            // server's tests read the backend variable; the others are quick to run twice.
            cargo()
                .args([
                    "test",
                    "--quiet",
                    "--no-fail-fast",
                    "--workspace",
                    "--test",
                    "*",
                    "--",
                    "--skip",
                    "cluster_",
                ])
                .env("TIDINGS_TEST_BACKEND", "postgres"),
        ),
        "browser" => {
            fuzz::smoke(root)?;
            tools::ensure_wasm_bindgen_cli(root)?;
            step::run(
                "run the browser wasm tests in Chromium (wasm-bindgen-test-runner)",
                &mut wasm_tests(),
            )?;
            let Some(suite) = suite else {
                return Ok(());
            };
            let mut playwright = Command::new(root.join("end2end/node_modules/.bin/playwright"));
            playwright
                .arg("test")
                .current_dir(root.join("end2end"))
                .env("TIDINGS_SERVER_BIN", &suite.server)
                .env("TIDINGS_ASSETS", &suite.assets)
                .env("CHROMIUM", "/usr/bin/chromium");
            if let Some(g) = &suite.grep {
                playwright.args(["--grep", g]);
            }
            step::run(
                "run the browser end-to-end suite (Playwright, Chromium)",
                &mut playwright,
            )
        }
        other => Err(Failure(format!(
            "no lane {other:?}; the lanes are {}",
            LANES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// The widget's and client's tests compiled to wasm32, run in Chromium by the runner.
fn wasm_tests() -> Command {
    let mut cmd = cargo();
    // No `--quiet`: cargo would pass it on to wasm-bindgen-test-runner, which refuses it.
    cmd.args([
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
    .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    cmd
}
