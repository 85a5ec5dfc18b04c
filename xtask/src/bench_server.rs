//! The server as the benchmarks run it: built for speed (`server-release` profile), started
//! on 127.0.0.1:0 with a temporary SQLite file, its address read from the one line it prints.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::step::{self, cargo, Failure, Result};

/// Builds the speed-optimised server binary and returns its path. `TIDINGS_BENCH_SERVER`
/// names another binary to measure instead (an older build, for a before/after comparison).
pub fn build() -> Result<PathBuf> {
    if let Some(bin) = std::env::var_os("TIDINGS_BENCH_SERVER") {
        println!(
            "==> measure the server at {}",
            PathBuf::from(&bin).display()
        );
        return Ok(PathBuf::from(bin));
    }
    step::run(
        "build the server for speed (cargo build --profile server-release)",
        cargo().args([
            "build",
            "--quiet",
            "--profile",
            "server-release",
            "-p",
            "tidings-server",
        ]),
    )?;
    Ok(crate::dev::target_dir().join("server-release/tidings-server"))
}

/// Where a server's log goes: a new file in `TIDINGS_BENCH_LOGS` (a directory) when set,
/// to see what the server did during a run (with `RUST_LOG`), else nowhere.
fn server_log() -> Stdio {
    let Some(dir) = std::env::var_os("TIDINGS_BENCH_LOGS") else {
        return Stdio::null();
    };
    let dir = PathBuf::from(dir);
    let _ = std::fs::create_dir_all(&dir);
    for n in 1.. {
        let path = dir.join(format!("server-{n}.log"));
        if let Ok(file) = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            return Stdio::from(file);
        }
    }
    Stdio::null()
}

/// A running server; killed when dropped.
pub struct BenchServer {
    /// Held so the server lives as long as this value (`kill_on_drop`).
    _child: tokio::process::Child,
    /// `host:port` it listens on.
    pub addr: String,
    pub pid: u32,
    pub database_url: String,
    /// Keeps the database's directory until the server is gone (SQLite only).
    _dir: Option<tempfile::TempDir>,
}

impl BenchServer {
    /// Starts `bin serve` with `extra` flags on a fresh SQLite file and waits until it
    /// listens.
    pub async fn start(bin: &Path, extra: &[&str]) -> Result<BenchServer> {
        let dir = tempfile::tempdir()?;
        let database_url = format!("sqlite://{}", dir.path().join("bench.db").display());
        Self::start_on(bin, &database_url, Some(dir), extra).await
    }

    /// Starts `bin serve` on `database_url` (a node of a cluster when it is PostgreSQL).
    pub async fn start_on(
        bin: &Path,
        database_url: &str,
        dir: Option<tempfile::TempDir>,
        extra: &[&str],
    ) -> Result<BenchServer> {
        let database_url = database_url.to_string();
        let mut child = tokio::process::Command::new(bin)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--database-url",
                &database_url,
            ])
            .args(extra)
            // Benchmarks measure the delivery and write paths, not the per-client caps: one
            // load generator on one address opens thousands of sockets, many for one agent.
            // (Environment, not flags, so an older binary named by TIDINGS_BENCH_SERVER
            // still starts.)
            .env("TIDINGS_MAX_SOCKETS_PER_ADDRESS", "0")
            .env("TIDINGS_MAX_SOCKETS_PER_PEER", "0")
            .env("TIDINGS_HTTP_WRITES_PER_MINUTE", "0")
            .stdout(Stdio::piped())
            .stderr(server_log())
            .kill_on_drop(true)
            .spawn()?;
        let pid = child
            .id()
            .ok_or_else(|| Failure("the server exited".into()))?;
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let addr = loop {
            let line = lines
                .next_line()
                .await?
                .ok_or_else(|| Failure("the server exited before listening".into()))?;
            if let Some(a) = line.strip_prefix("listening on http://") {
                break a.trim().to_string();
            }
        };
        Ok(BenchServer {
            _child: child,
            addr,
            pid,
            database_url,
            _dir: dir,
        })
    }

    /// Adds an agent through the binary's own CLI (on the live database).
    pub fn add_agent(&self, bin: &Path, email: &str, password: &str) -> Result {
        let added = std::process::Command::new(bin)
            .args([
                "agent",
                "add",
                "--database-url",
                &self.database_url,
                "--email",
                email,
            ])
            .args(["--name", "Bench", "--password", password])
            .output()?;
        if added.status.success() {
            Ok(())
        } else {
            Err(Failure(format!(
                "agent add failed: {}",
                String::from_utf8_lossy(&added.stderr)
            )))
        }
    }
}
