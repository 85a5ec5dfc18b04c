//! `cargo xtask dev`: from a fresh machine to a running Tidings at http://127.0.0.1:8080.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::step::{self, cargo, Failure, Result};
use crate::{assets, tools};

pub fn run(root: &Path, listen: &str, database_url: &str) -> Result {
    tools::ensure_wasm_tools(root)?;
    // The debug server builds in `target/debug` while the apps build in their own profile's
    // directory: neither waits for the other's lock, and on 2 cores each fills the gaps the
    // other's single-threaded stretches (linking, the apps' whole-program optimisation) leave.
    let (server, assets) = std::thread::scope(|scope| {
        let server = scope.spawn(build_server);
        let assets = assets::build(root, &root.join("target/assets"));
        let server = step::join(server);
        Ok::<_, Failure>((server?, assets?))
    })?;
    if let Some(dir) = sqlite_parent_dir(database_url) {
        std::fs::create_dir_all(dir)?;
    }
    ensure_demo_admin(&server, database_url)?;
    println!("==> serve http://{listen}/ (demo page), /console/ (agents); Ctrl-C stops");
    let status = Command::new(&server)
        .args([
            "serve",
            "--listen",
            listen,
            "--database-url",
            database_url,
            "--assets",
        ])
        .arg(&assets)
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure(format!("the server exited with {status}")))
    }
}

/// Builds the server binary and returns its path.
pub fn build_server() -> Result<PathBuf> {
    step::run(
        "build the server (cargo build -p tidings-server)",
        cargo().args(["build", "--quiet", "-p", "tidings-server"]),
    )?;
    Ok(target_dir().join("debug/tidings-server"))
}

/// The cargo target directory, honouring `CARGO_TARGET_DIR`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// `sqlite://./data/tidings.db` → `./data`, so the database's folder exists.
fn sqlite_parent_dir(url: &str) -> Option<PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or(url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    Path::new(path).parent().map(Path::to_path_buf)
}

/// Creates `admin@example.com` with a random password if the database has no admin yet,
/// and prints the login.
fn ensure_demo_admin(server: &Path, database_url: &str) -> Result {
    let list =
        step::output(Command::new(server).args(["agent", "list", "--database-url", database_url]))
            .ok_or_else(|| Failure("`tidings-server agent list` failed".into()))?;
    // `agent list` prints `email<TAB>name<TAB>admin|agent<TAB>id` per agent.
    if list.lines().any(|l| l.split('\t').nth(2) == Some("admin")) {
        println!("==> an admin exists already (tidings-server agent list shows the agents)");
        return Ok(());
    }
    let password = random_password()?;
    step::run(
        "create the demo admin",
        Command::new(server).args([
            "agent",
            "add",
            "--database-url",
            database_url,
            "--email",
            "admin@example.com",
            "--name",
            "Demo Admin",
            "--admin",
            "--password",
            &password,
        ]),
    )?;
    println!("    console login: admin@example.com / {password}");
    Ok(())
}

fn random_password() -> Result<String> {
    let mut bytes = [0u8; 12];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
