//! `cargo xtask`: every developer task of Tidings in one place.
//!
//! `cargo xtask dev` sets up a fresh machine, builds the widget and the console and serves
//! everything; `cargo xtask test` runs every check CI runs; `cargo xtask dist` builds the one
//! binary that serves everything; `cargo xtask bench …` measures (size, delivery, load, …).

mod assets;
mod bench;
mod bench_search;
mod bench_server;
mod bindgen_tool;
mod compress;
mod connections;
mod dev;
mod dist;
mod fuzz;
mod latency;
mod live;
mod load;
mod open_time;
/// The throwaway PostgreSQL cluster, shared with the server's tests (one source).
#[path = "../../crates/server/tests/common/postgres.rs"]
#[allow(dead_code)]
mod pg_cluster;
mod process_cpu;
mod size;
mod step;
mod test;
mod tools;
mod wasm_app;
mod wasm_toolchain;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Tidings developer tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install what is missing, build the assets, create a demo admin and serve.
    Dev {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        #[arg(long, default_value = "sqlite://./data/tidings.db")]
        database_url: String,
    },
    /// Formatting, lints, every Rust test, the wasm tests and the browser suite.
    Test {
        /// Skip the browser end-to-end suite (quicker inner loop).
        #[arg(long)]
        no_e2e: bool,
        /// Only run browser tests whose title matches this (passed to Playwright --grep).
        #[arg(long)]
        grep: Option<String>,
    },
    /// One lane of `cargo xtask test`, run by it once everything is built.
    #[command(hide = true)]
    Lane {
        name: String,
        #[arg(long)]
        no_e2e: bool,
        #[arg(long)]
        server: Option<PathBuf>,
        #[arg(long)]
        assets: Option<PathBuf>,
        #[arg(long)]
        grep: Option<String>,
    },
    /// Build the widget, console and static files into a directory the server can serve.
    Assets {
        #[arg(long, default_value = "target/assets")]
        out: PathBuf,
    },
    /// The live-reload loop for UI work (trunk serve; proxies /v1 to a server on :8080).
    Live {
        #[arg(value_enum)]
        app: live::LiveApp,
    },
    /// One release binary that serves everything: builds the assets, embeds them in
    /// `target/dist/tidings-server`, and checks it.
    Dist,
    /// Fuzz every parser that takes outside input (nightly, cargo-fuzz), one target at a time.
    Fuzz {
        /// Minutes per target.
        #[arg(long, default_value_t = 1.0)]
        minutes: f64,
        /// Stop each target after this many inputs, if sooner.
        #[arg(long)]
        runs: Option<u64>,
        /// Only this target.
        #[arg(long)]
        target: Option<String>,
    },
    /// Measurements.
    Bench {
        #[command(subcommand)]
        what: bench::Bench,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = workspace_root();
    std::env::set_current_dir(&root).expect("cd to the workspace root");
    let result = match cli.command {
        Command::Dev {
            listen,
            database_url,
        } => dev::run(&root, &listen, &database_url),
        Command::Test { no_e2e, grep } => test::run(&root, !no_e2e, grep.as_deref()),
        Command::Lane {
            name,
            no_e2e,
            server,
            assets,
            grep,
        } => {
            let suite = match (no_e2e, server, assets) {
                (false, Some(server), Some(assets)) => Some(test::BrowserSuite {
                    server,
                    assets,
                    grep,
                }),
                _ => None,
            };
            test::lane(&root, &name, suite.as_ref())
        }
        Command::Assets { out } => tools::ensure_wasm_tools(&root)
            .and_then(|_| assets::build(&root, &root.join(out)).map(|_| ())),
        Command::Dist => dist::run(&root),
        Command::Live { app } => live::run(&root, app),
        Command::Bench { what } => bench::run(&root, what),
        Command::Fuzz {
            minutes,
            runs,
            target,
        } => fuzz::run(
            &root,
            &fuzz::Budget {
                seconds: (minutes * 60.0).round().max(1.0) as u64,
                runs,
                quiet: false,
            },
            target.as_deref(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}
