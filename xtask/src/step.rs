//! Running commands as named steps: each step prints one line saying what it does, and a
//! failure names the step and the command.

use std::fmt;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus};
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
/// line names the step again, since steps may run alongside each other, and gives its wall
/// and CPU time (the command's and its descendants': on a shared machine the CPU time is
/// what the step costs, the wall time also what the others cost it).
pub fn run(what: &str, cmd: &mut Command) -> Result {
    println!("==> {what}");
    let started = Instant::now();
    let (status, cpu) = cmd
        .spawn()
        .and_then(wait_with_cpu_time)
        .map_err(|e| Failure(format!("{what}: cannot start {:?}: {e}", cmd.get_program())))?;
    if status.success() {
        println!(
            "    ok ({:.1}s, {cpu:.1}s CPU): {what}",
            started.elapsed().as_secs_f64()
        );
        Ok(())
    } else {
        Err(Failure(format!("{what}: {cmd:?} exited with {status}")))
    }
}

/// Waits for the child and returns its status and the CPU seconds (user and system) it and
/// the descendants it waited for used: `wait4`, since `Child::wait` does not report them.
fn wait_with_cpu_time(child: Child) -> std::io::Result<(ExitStatus, f64)> {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is valid, and `wait4` fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: the pointers are to live locals; `child` is ours and not waited for
        // elsewhere (it is dropped unwaited below, which leaves the reaped process alone).
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    drop(child);
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok((
        ExitStatus::from_raw(status),
        seconds(usage.ru_utime) + seconds(usage.ru_stime),
    ))
}

/// The result of steps run on another thread (a panic there is a failure here).
pub fn join<T>(handle: std::thread::ScopedJoinHandle<'_, Result<T>>) -> Result<T> {
    handle
        .join()
        .unwrap_or_else(|_| Err(Failure("a build step panicked".into())))
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
