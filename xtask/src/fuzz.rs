//! `cargo xtask fuzz`: runs the fuzz targets in `fuzz/` (libFuzzer through cargo-fuzz, on
//! the nightly toolchain, which only fuzzing uses), one target at a time; and the short
//! smoke run of every target that `cargo xtask test` includes.
//!
//! Each target starts from its committed seeds (`fuzz/seeds/<target>`, which also hold the
//! inputs of crashes once found) and grows its own corpus in `fuzz/corpus/<target>`, kept
//! between runs but not committed. A crash stops the run; libFuzzer saves the input under
//! `fuzz/artifacts/<target>/`, and `cargo fuzz run <target> <file>` replays it.

use std::path::Path;
use std::process::Command;

use crate::step::{self, cargo, Failure, Result};

/// Every target, cheapest first (the smoke run stops at the first failure).
pub const TARGETS: &[&str] = &[
    "settings",
    "linkify",
    "server_input",
    "json_reader",
    "client_decode",
];

/// The cargo-fuzz installed when it is missing (a known-good version, not whatever is new).
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Seconds each target runs in `cargo xtask test`: enough to replay the seeds and corpus
/// and try some hundred thousand new inputs, small next to the rest of the suite.
const SMOKE_SECONDS: u64 = 5;

/// How long and how much to fuzz.
pub struct Budget {
    /// Wall-clock seconds per target.
    pub seconds: u64,
    /// Stop a target after this many inputs, if it gets there first.
    pub runs: Option<u64>,
    /// Keep libFuzzer's progress lines (one per new input it keeps) out of the output and
    /// show them only when the target fails, as the test suite wants.
    pub quiet: bool,
}

/// `cargo xtask fuzz [--minutes N] [--runs N] [--target NAME]`.
pub fn run(root: &Path, budget: &Budget, only: Option<&str>) -> Result {
    let targets: Vec<&str> = match only {
        Some(name) if TARGETS.contains(&name) => vec![name],
        Some(name) => {
            return Err(Failure(format!(
                "no fuzz target {name:?}; the targets are {}",
                TARGETS.join(", ")
            )))
        }
        None => TARGETS.to_vec(),
    };
    ensure_tools()?;
    build(root)?;
    for target in targets {
        run_target(root, target, budget)?;
    }
    Ok(())
}

/// The step `cargo xtask test` runs: every target for a few seconds.
pub fn smoke(root: &Path) -> Result {
    let budget = Budget {
        seconds: SMOKE_SECONDS,
        runs: None,
        quiet: true,
    };
    run(root, &budget, None)
}

fn run_target(root: &Path, target: &str, budget: &Budget) -> Result {
    let fuzz = root.join("fuzz");
    let corpus = fuzz.join("corpus").join(target);
    std::fs::create_dir_all(&corpus)?;
    let mut cmd = cargo_fuzz(root);
    cmd.arg("run")
        .args(BUILD_FLAGS)
        .arg(target)
        .arg(&corpus)
        .arg(fuzz.join("seeds").join(target))
        .arg("--")
        .arg(format!("-max_total_time={}", budget.seconds))
        // One input taking over 10 s is a hang worth reporting, not a slow input.
        .arg("-timeout=10")
        .arg("-print_final_stats=1");
    if let Some(runs) = budget.runs {
        cmd.arg(format!("-runs={runs}"));
    }
    if matches!(target, "server_input" | "json_reader" | "client_decode") {
        cmd.arg(format!(
            "-dict={}",
            fuzz.join("dicts/protocol.dict").display()
        ));
    }
    let limit = match budget.runs {
        Some(runs) => format!("{}s or {runs} inputs", budget.seconds),
        None => format!("{}s", budget.seconds),
    };
    let what = format!("fuzz {target} ({limit})");
    if !budget.quiet {
        return step::run(&what, &mut cmd);
    }
    println!("==> {what}");
    let started = std::time::Instant::now();
    let out = cmd
        .output()
        .map_err(|e| Failure(format!("{what}: cannot start cargo fuzz: {e}")))?;
    let log = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        let runs = log
            .lines()
            .find_map(|l| l.strip_prefix("stat::number_of_executed_units: "))
            .unwrap_or("?");
        println!(
            "    ok, {runs} inputs ({:.1}s)",
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let lines: Vec<&str> = log.lines().collect();
    for line in &lines[lines.len().saturating_sub(60)..] {
        eprintln!("{line}");
    }
    Err(Failure(format!(
        "{what} failed ({}); the input is saved under fuzz/artifacts/{target}/",
        out.status
    )))
}

/// `-s none`: the targets are safe Rust, where a sanitizer finds nothing a panic does not,
/// at a third of the speed. `-a`: debug assertions, so an arithmetic overflow panics here
/// as it would in a debug build instead of wrapping silently.
const BUILD_FLAGS: &[&str] = &["--sanitizer", "none", "--debug-assertions"];

/// Installs what fuzzing needs and builds every target, so that a later smoke run only runs.
pub fn build_targets(root: &Path) -> Result {
    ensure_tools()?;
    build(root)
}

fn build(root: &Path) -> Result {
    step::run(
        "build the fuzz targets (cargo +nightly fuzz build)",
        cargo_fuzz(root).arg("build").args(BUILD_FLAGS),
    )
}

/// `cargo +nightly fuzz …` from the repository root. The variables cargo sets for xtask
/// (`CARGO`, `RUSTC`, the toolchain) would make cargo-fuzz build with the stable toolchain
/// that runs xtask; a stable target directory is left to stable builds.
fn cargo_fuzz(root: &Path) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("+nightly")
        .arg("fuzz")
        .current_dir(root)
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO_TARGET_DIR");
    cmd
}

/// The nightly toolchain and cargo-fuzz, installed when missing.
fn ensure_tools() -> Result {
    let toolchains =
        step::output(Command::new("rustup").args(["toolchain", "list"])).unwrap_or_default();
    if !toolchains.lines().any(|l| l.starts_with("nightly")) {
        step::run(
            "install the nightly toolchain (for fuzzing only)",
            Command::new("rustup").args([
                "toolchain",
                "install",
                "nightly",
                "--profile",
                "minimal",
            ]),
        )?;
    }
    let have = step::output(Command::new("cargo").args(["fuzz", "--version"])).unwrap_or_default();
    if have.contains(CARGO_FUZZ_VERSION) {
        return Ok(());
    }
    step::run(
        &format!("install cargo-fuzz {CARGO_FUZZ_VERSION}"),
        cargo().args([
            "install",
            "--locked",
            "cargo-fuzz",
            "--version",
            CARGO_FUZZ_VERSION,
        ]),
    )
}
