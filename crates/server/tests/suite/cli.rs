//! The built binary: `agent add | list | remove` on a fresh database file, and `serve`
//! printing its bound address and answering `/healthz`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common;

const BIN: &str = env!("CARGO_BIN_EXE_tidings-server");

fn run(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `agent add --database-url URL --email EMAIL --name NAME EXTRA…`, the password from
/// `stdin` unless `extra` gives `--password`.
fn add_agent(
    url: &str,
    email: &str,
    name: &str,
    extra: &[&str],
    stdin: Option<&str>,
) -> (bool, String, String) {
    let mut args = vec![
        "agent",
        "add",
        "--database-url",
        url,
        "--email",
        email,
        "--name",
        name,
    ];
    args.extend_from_slice(extra);
    run(&args, stdin)
}

#[test]
fn agents_are_added_listed_and_removed_on_a_database_created_on_demand() {
    let dir = tempfile::TempDir::new().unwrap();
    let url = format!(
        "sqlite://{}",
        dir.path().join("nested/dir/tidings.db").display()
    );
    agent_commands(&url);
}

/// The same commands on PostgreSQL (a fresh database on the test cluster), migrated on
/// first use.
#[test]
fn agents_are_added_listed_and_removed_on_postgres() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = runtime.block_on(common::database::create_database(
        common::database::shared_cluster(),
    ));
    agent_commands(&url);
}

fn agent_commands(url: &str) {
    let url = url.to_string();
    let (ok, out, err) = run(&["agent", "list", "--database-url", &url], None);
    assert!(ok, "{err}");
    assert_eq!(out, "", "a new database has no agents");

    let (ok, out, err) = add_agent(
        &url,
        "ada@example.test",
        "Ada Lovelace",
        &["--admin"],
        Some("s3cret-password\n"),
    );
    assert!(ok, "{err}");
    assert!(out.starts_with("added admin ada@example.test ("), "{out}");
    let (ok, _, err) = add_agent(
        &url,
        "bob@example.test",
        "Bob",
        &["--password", "another-password"],
        None,
    );
    assert!(ok, "{err}");

    let (ok, _, err) = add_agent(
        &url,
        "ada@example.test",
        "Ada",
        &["--password", "whatever-pass"],
        None,
    );
    assert!(!ok, "a duplicate email is refused");
    assert!(err.contains("already exists"), "{err}");
    let (ok, _, err) = add_agent(&url, "c@example.test", "C", &[], Some(""));
    assert!(!ok, "no password is refused");
    assert!(err.contains("password"), "{err}");

    let (ok, out, _) = run(&["agent", "list", "--database-url", &url], None);
    assert!(ok);
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        &rows[0][..3],
        &["ada@example.test", "Ada Lovelace", "admin"]
    );
    assert_eq!(&rows[1][..3], &["bob@example.test", "Bob", "agent"]);
    let (_, json, _) = run(&["agent", "list", "--json", "--database-url", &url], None);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 2);

    let (ok, out, _) = run(
        &[
            "agent",
            "remove",
            "--database-url",
            &url,
            "--email",
            "bob@example.test",
        ],
        None,
    );
    assert!(ok, "{out}");
    let (ok, _, err) = run(
        &[
            "agent",
            "remove",
            "--database-url",
            &url,
            "--email",
            "bob@example.test",
        ],
        None,
    );
    assert!(!ok);
    assert!(err.contains("no agent"), "{err}");
    let (_, out, _) = run(&["agent", "list", "--database-url", &url], None);
    assert_eq!(out.lines().count(), 1);
}

#[test]
fn a_database_url_of_another_engine_is_refused_and_creates_nothing() {
    let dir = tempfile::TempDir::new().unwrap();
    for url in ["mysql://x/y", "data/tidings.db"] {
        for args in [
            vec!["agent", "list", "--database-url", url],
            vec!["serve", "--listen", "127.0.0.1:0", "--database-url", url],
        ] {
            let out = Command::new(BIN)
                .args(&args)
                .current_dir(dir.path())
                .stdin(Stdio::null())
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{args:?} must fail");
            assert!(
                err.contains("unsupported database URL scheme"),
                "{args:?}: {err}"
            );
        }
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing created in the working directory"
    );
}

/// Enforcing verified identity without the secret to verify with would refuse every
/// `identify`: the server says so and does not start.
#[test]
fn identity_required_without_a_secret_does_not_start() {
    let dir = tempfile::TempDir::new().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
        .arg("--identity-required")
        .env_remove("TIDINGS_IDENTITY_SECRET")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("--identity-required needs --identity-secret"),
        "{err}"
    );
}

/// A PostgreSQL URL is taken as PostgreSQL: with nobody listening there, every command
/// fails saying it cannot open it, and no SQLite file named after the URL appears.
#[test]
fn a_postgres_url_is_never_taken_as_a_file_name() {
    let dir = tempfile::TempDir::new().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://tidings@127.0.0.1:{port}/tidings");
    for args in [
        vec!["agent", "list", "--database-url", &url],
        vec!["serve", "--listen", "127.0.0.1:0", "--database-url", &url],
    ] {
        let out = Command::new(BIN)
            .args(&args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} must fail");
        assert!(err.contains("cannot open postgres://"), "{args:?}: {err}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn serve_prints_its_address_and_answers_healthz() {
    let dir = tempfile::TempDir::new().unwrap();
    let url = format!("sqlite://{}", dir.path().join("tidings.db").display());
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("TIDINGS_DATABASE_URL", &url)
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
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    assert!(
        address.starts_with("http://127.0.0.1:") && !address.ends_with(":0"),
        "{address}"
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let health: serde_json::Value = runtime.block_on(async {
        let response = tokio::time::timeout(
            Duration::from_secs(10),
            reqwest::get(format!("{address}/healthz")),
        )
        .await
        .unwrap()
        .unwrap();
        response.json().await.unwrap()
    });
    assert_eq!(health["status"], "ok");
    assert_eq!(health["protocol"], 1);

    // SIGTERM stops it gracefully.
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful exit on SIGTERM: {status:?}");
    assert!(dir.path().join("tidings.db").exists());
}

/// Started with a low soft limit on open files (as many shells and service managers do),
/// `serve` raises it to the hard limit so sockets do not run out first.
#[cfg(target_os = "linux")]
#[test]
fn serve_raises_its_open_files_soft_limit_to_the_hard_limit() {
    let dir = tempfile::TempDir::new().unwrap();
    let url = format!("sqlite://{}", dir.path().join("tidings.db").display());
    let mut child = Command::new("sh")
        .args(["-c", "ulimit -Sn 256 && exec \"$0\" \"$@\""])
        .args([
            BIN,
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            &url,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("listening on "), "{line:?}");
    // `exec` kept the pid: this is the server's own limit.
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
    let open_files: Vec<&str> = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("an open files line")
        .split_whitespace()
        .skip(3)
        .take(2)
        .collect();
    let (soft, hard) = (open_files[0], open_files[1]);
    assert_eq!(soft, hard, "{limits}");
    if hard != "unlimited" {
        assert!(hard.parse::<u64>().unwrap() >= 256, "{limits}");
    }
}
