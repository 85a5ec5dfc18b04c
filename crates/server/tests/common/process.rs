//! The built `tidings-server` binary as a child process, for tests about the process
//! itself: signals, `kill -9`, restarts.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_tidings-server");

/// Starts `serve` on a free port and returns the child and its `http://…` address.
pub fn spawn_server(database_url: &str) -> (Child, String) {
    spawn_server_with(database_url, &[])
}

/// Like [`spawn_server`], with more flags.
pub fn spawn_server_with(database_url: &str, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            database_url,
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix("listening on ")
        .expect("the address line")
        .to_string();
    (child, address)
}

/// The socket URL of a server at `address` (`http://host:port`).
pub fn socket_url(address: &str) -> String {
    format!("{}/v1/socket", address.replacen("http://", "ws://", 1))
}

/// Waits for the child to exit, polling until `deadline` has passed (then kills it and
/// fails): a graceful shutdown must also be a prompt one.
pub fn wait_for_exit(child: &mut Child, deadline: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            panic!("the server did not exit within {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts a prepared `tidings-server serve …` command (for tests that wrap or adjust the
/// process) and returns the child and its `http://…` address, read from its first line.
pub fn spawn_prepared(mut command: Command) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix("listening on ")
        .expect("the address line")
        .to_string();
    (child, address)
}
