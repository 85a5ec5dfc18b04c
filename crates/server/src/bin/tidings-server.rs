//! The `tidings-server` binary: parses the command line, sets up logging once, runs.

use clap::Parser;
use tidings_server::cli::{self, Cli};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    // Logs go to stderr; stdout carries only the `listening on …` line and command output.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    if let Err(message) = cli::run(Cli::parse()).await {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}
