//! A throwaway PostgreSQL cluster for tests: `initdb` into a temporary directory, started on
//! a free port with `pg_ctl`, as the unprivileged `postgres` user when the tests run as
//! root (PostgreSQL refuses to run as root). A watchdog process stops the cluster and
//! removes its files when the handle is dropped or the test binary exits, however it exits.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The role every test connects as (trust authentication, no password).
pub const USER: &str = "tidings";

pub struct PgCluster {
    pub port: u16,
    /// Whether commits reach the disk (`fsync = on`, as in production); tests run without.
    durable: bool,
    top: PathBuf,
    bin: PathBuf,
    user: Option<(u32, u32)>,
    watchdog: Option<Child>,
}

/// The directory of PostgreSQL's server programs.
fn bindir() -> PathBuf {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        if out.status.success() {
            let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            if dir.join("initdb").exists() {
                return dir;
            }
        }
    }
    // Debian keeps the server programs out of PATH, one directory per major version.
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| dirs.flatten().map(|d| d.path().join("bin")).collect())
        .unwrap_or_default();
    found.sort();
    found
        .into_iter()
        .rev()
        .find(|d| d.join("initdb").exists())
        .expect("PostgreSQL's initdb (install the postgresql package)")
}

/// The uid and gid of the `postgres` user, when running as root.
fn unprivileged() -> Option<(u32, u32)> {
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let line = passwd.lines().find(|l| l.starts_with("postgres:"))?;
    let fields: Vec<&str> = line.split(':').collect();
    Some((fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl PgCluster {
    /// Creates and starts a cluster for tests (no fsync); returns once it accepts connections.
    pub fn start() -> PgCluster {
        Self::start_with(false)
    }

    /// Creates and starts a cluster; `durable` keeps PostgreSQL's default of syncing every
    /// commit to disk (for benchmarks that compare with a durable SQLite).
    pub fn start_with(durable: bool) -> PgCluster {
        let top = tempfile::Builder::new()
            .prefix("tidings-pg-")
            .tempdir()
            .unwrap()
            .keep();
        let user = unprivileged();
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(&top, Some(uid), Some(gid)).unwrap();
        }
        let mut cluster = PgCluster {
            port: free_port(),
            durable,
            top,
            bin: bindir(),
            user,
            watchdog: None,
        };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                USER,
                "--auth=trust",
                "-N",
                "-E",
                "UTF8",
            ],
        );
        // Stops the cluster and removes its files once our end of the pipe closes: when
        // this handle is dropped, or when the test binary exits, even killed.
        let script = format!(
            "read _; '{}' -D '{}' -m immediate stop >/dev/null 2>&1; rm -rf '{}'",
            cluster.bin.join("pg_ctl").display(),
            data.display(),
            cluster.top.display()
        );
        let mut watchdog = Command::new("sh");
        watchdog
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some((uid, gid)) = user {
            watchdog.uid(uid).gid(gid);
        }
        cluster.watchdog = Some(watchdog.spawn().unwrap());
        // The free port may be taken by another process (another test binary running at
        // the same time) before the server binds it: then pick another.
        for _ in 0..4 {
            if cluster.try_start_server().is_ok() {
                return cluster;
            }
            cluster.port = free_port();
        }
        cluster.start_server();
        cluster
    }

    fn data(&self) -> PathBuf {
        self.top.join("data")
    }

    fn run(&self, program: &str, args: &[&str]) {
        if let Err(e) = self.try_run(program, args) {
            panic!("{e}");
        }
    }

    fn try_run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let mut command = Command::new(self.bin.join(program));
        command
            .args(args)
            .current_dir(&self.top)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some((uid, gid)) = self.user {
            command.uid(uid).gid(gid);
        }
        let out = command.output().unwrap();
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Starts (or starts again) the server and waits until it accepts connections.
    pub fn start_server(&self) {
        if let Err(e) = self.try_start_server() {
            panic!("{e}");
        }
    }

    fn try_start_server(&self) -> Result<(), String> {
        let mut options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=400 \
             -c shared_buffers=64MB",
            self.port,
            self.top.display()
        );
        if !self.durable {
            options.push_str(" -c fsync=off -c full_page_writes=off");
        }
        // More settings for a look at what the server does (logging, say).
        if let Ok(more) = std::env::var("TIDINGS_PG_OPTIONS") {
            options.push(' ');
            options.push_str(&more);
        }
        let log = self.top.join("log");
        self.try_run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        )
    }

    /// Stops the server (fast shutdown: sessions are cut, committed data stays).
    pub fn stop_server(&self) {
        self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }

    /// Creates a database with PostgreSQL's `createdb` and returns its URL.
    pub fn create_database(&self, name: &str) -> String {
        let port = self.port.to_string();
        self.run(
            "createdb",
            &["-h", "127.0.0.1", "-p", &port, "-U", USER, name],
        );
        format!("{}/{name}", self.base_url())
    }

    /// `postgres://tidings@127.0.0.1:PORT`; append `/DATABASE`.
    pub fn base_url(&self) -> String {
        format!("postgres://{USER}@127.0.0.1:{}", self.port)
    }

    pub fn top(&self) -> &Path {
        &self.top
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if let Some(mut watchdog) = self.watchdog.take() {
            if let Some(mut stdin) = watchdog.stdin.take() {
                let _ = stdin.write_all(b"stop\n");
            }
            let _ = watchdog.wait();
        }
    }
}
