//! Running commands as named steps: each step prints one line saying what it does, and a
//! failure names the step and the command.

use std::fmt;
use std::process::Command;
use std::time::Instant;

/// What went wrong in a task, for the one-line failure report.
#[derive(Debug)]
pub struct Failure(pub String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

pub type Result<T = ()> = std::result::Result<T, Failure>;

/// Prints the step's one line, then runs the command with inherited output; the closing
/// line names the step again, since steps may run alongside each other.
pub fn run(what: &str, cmd: &mut Command) -> Result {
    println!("==> {what}");
    let started = Instant::now();
    let status = cmd
        .status()
        .map_err(|e| Failure(format!("{what}: cannot start {:?}: {e}", cmd.get_program())))?;
    if status.success() {
        println!("    ok ({:.1}s): {what}", started.elapsed().as_secs_f64());
        Ok(())
    } else {
        Err(Failure(format!("{what}: {cmd:?} exited with {status}")))
    }
}

/// Runs a command quietly and returns its stdout, for probing versions.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A `cargo` command using the same toolchain that runs xtask.
pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}
