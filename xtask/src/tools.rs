//! Installing what is missing on a fresh machine: the wasm32 target, wasm-opt from npm's
//! binaryen, terser and lightningcss from npm, Chromium and the Playwright packages;
//! wasm-bindgen-cli at the lockfile's version only for the tests' runner and trunk (the builds
//! use `bindgen_tool.rs`), and trunk only for the live-reload loop.
//!
//! Tools go where they survive a fresh clone (`~/.cargo/bin`, `~/.cache/tidings/tools`), so a
//! second run on the same machine installs nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::step::{self, cargo, Failure, Result};

const TRUNK_VERSION: &str = "0.21.14";
/// Debian's binaryen (108) emits wasm that fails to load; version 132 from npm works.
const BINARYEN_VERSION: &str = "132";
/// The JavaScript minifier for the loader (pure JavaScript, no binary download).
const TERSER_VERSION: &str = "5.51.4";
/// The CSS minifier trunk uses inside (lightningcss), as npm's prebuilt command.
const LIGHTNINGCSS_VERSION: &str = "1.33.0";

/// Where npm-installed tools live, outside any clone.
pub fn tools_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("TIDINGS_TOOLS_DIR") {
        return PathBuf::from(dir);
    }
    home().join(".cache/tidings/tools")
}

fn home() -> PathBuf {
    PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into()))
}

/// Puts cargo's `bin` (where `cargo install` puts trunk and wasm-bindgen-cli) and the npm
/// tools first on PATH for every child process, so trunk finds wasm-bindgen and wasm-opt
/// there and never tries to download them.
pub fn prepare_path() {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cargo"));
    let mut dirs = vec![
        tools_dir().join("node_modules/.bin"),
        cargo_home.join("bin"),
    ];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    let joined = std::env::join_paths(dirs).expect("PATH entries are valid");
    std::env::set_var("PATH", joined);
}

/// Everything needed to build the widget and the console.
pub fn ensure_wasm_tools(_root: &Path) -> Result {
    prepare_path();
    ensure_wasm_target()?;
    ensure_binaryen()?;
    ensure_terser()?;
    ensure_lightningcss()
}

/// The CSS minifier `wasm_app` runs on the apps' styles.
pub fn lightningcss() -> PathBuf {
    tools_dir().join("node_modules/.bin/lightningcss")
}

fn ensure_lightningcss() -> Result {
    // Its `--version` names the Rust crate inside (1.0.0-alpha…), not the npm package.
    let manifest = tools_dir().join("node_modules/lightningcss-cli/package.json");
    let have = std::fs::read_to_string(manifest).unwrap_or_default();
    let runs = step::output(Command::new(lightningcss()).arg("--version")).is_some();
    if runs && have.contains(&format!("\"version\": \"{LIGHTNINGCSS_VERSION}\"")) {
        return Ok(());
    }
    npm_install_tools(&[&format!("lightningcss-cli@{LIGHTNINGCSS_VERSION}")])
}

/// The minifier `assets` runs on the loader.
pub fn terser() -> PathBuf {
    tools_dir().join("node_modules/.bin/terser")
}

fn ensure_terser() -> Result {
    let have = step::output(Command::new(terser()).arg("--version")).unwrap_or_default();
    if have.contains(TERSER_VERSION) {
        return Ok(());
    }
    npm_install_tools(&[&format!("terser@{TERSER_VERSION}")])
}

fn ensure_wasm_target() -> Result {
    let installed = step::output(Command::new("rustup").args(["target", "list", "--installed"]))
        .unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    step::run(
        "install the wasm32-unknown-unknown target",
        Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
    )
}

/// Trunk, for `cargo xtask live` only: the builds do without it.
pub fn ensure_trunk() -> Result {
    let have = step::output(Command::new("trunk").arg("--version")).unwrap_or_default();
    if have.contains(TRUNK_VERSION) {
        return Ok(());
    }
    step::run(
        &format!("install trunk {TRUNK_VERSION} (takes several minutes once)"),
        cargo().args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]),
    )
}

/// wasm-bindgen-cli, for its `wasm-bindgen-test-runner` (the wasm tests in `cargo xtask
/// test`) and for trunk (`cargo xtask live`); the builds use `bindgen_tool.rs` instead. It
/// must equal the `wasm-bindgen` crate in Cargo.lock exactly.
pub fn ensure_wasm_bindgen_cli(root: &Path) -> Result {
    let version = lockfile_version(root, "wasm-bindgen")?;
    let have = step::output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    if have.split_whitespace().any(|w| w == version) {
        return Ok(());
    }
    // Not --locked: one dependency locked by that release is gone from the registry. No
    // default features: they are TLS for the test runner's HTTP client, which here only
    // talks to a local ChromeDriver, and TLS was much of what this install compiled.
    step::run(
        &format!("install wasm-bindgen-cli {version} (matches Cargo.lock)"),
        cargo().args([
            "install",
            "wasm-bindgen-cli",
            "--no-default-features",
            "--version",
            &version,
        ]),
    )
}

pub fn lockfile_version(root: &Path, package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .ok_or_else(|| Failure(format!("{package} is not in Cargo.lock")))?
        + needle.len();
    let end = lock[start..].find('"').map(|i| start + i);
    end.map(|end| lock[start..end].to_string())
        .ok_or_else(|| Failure("Cargo.lock is malformed".into()))
}

fn ensure_binaryen() -> Result {
    let wasm_opt = tools_dir().join("node_modules/.bin/wasm-opt");
    let have = step::output(Command::new(&wasm_opt).arg("--version")).unwrap_or_default();
    if have.contains(&format!("version {BINARYEN_VERSION}")) {
        return Ok(());
    }
    npm_install_tools(&[&format!("binaryen@{BINARYEN_VERSION}")])
}

fn npm_install_tools(packages: &[&str]) -> Result {
    let dir = tools_dir();
    std::fs::create_dir_all(&dir)?;
    let manifest = dir.join("package.json");
    if !manifest.exists() {
        std::fs::write(&manifest, "{\"name\":\"tidings-tools\",\"private\":true}\n")?;
    }
    step::run(
        &format!(
            "install {} with npm into {}",
            packages.join(" "),
            dir.display()
        ),
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .args(packages),
    )
}

/// Debian's Chromium and ChromeDriver, for the browser suite and the wasm tests.
pub fn ensure_chromium() -> Result {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        return Ok(());
    }
    let install = || {
        step::run(
            "install chromium and chromium-driver (Debian)",
            Command::new("apt-get")
                .args([
                    "install",
                    "-y",
                    "--no-install-recommends",
                    "chromium",
                    "chromium-driver",
                ])
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )
    };
    if install().is_ok() {
        return Ok(());
    }
    step::run(
        "refresh the Debian package lists",
        Command::new("apt-get").arg("update"),
    )?;
    install()
}

/// PostgreSQL's server programs, for the server tests on PostgreSQL and the multi-node
/// tests (each starts its own throwaway cluster with `initdb`): Debian's `postgresql`.
pub fn ensure_postgresql() -> Result {
    let has_initdb = || {
        Command::new("pg_config")
            .arg("--bindir")
            .output()
            .ok()
            .filter(|out| out.status.success())
            .is_some_and(|out| {
                Path::new(String::from_utf8_lossy(&out.stdout).trim())
                    .join("initdb")
                    .exists()
            })
    };
    if has_initdb() {
        return Ok(());
    }
    let install = || {
        step::run(
            "install PostgreSQL (Debian postgresql)",
            Command::new("apt-get")
                .args(["install", "-y", "--no-install-recommends", "postgresql"])
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )
    };
    if install().is_ok() {
        return Ok(());
    }
    step::run(
        "refresh the Debian package lists",
        Command::new("apt-get").arg("update"),
    )?;
    install()
}

/// The browser suite's npm packages (`end2end/package-lock.json`).
pub fn ensure_end2end_packages(root: &Path) -> Result {
    let dir = root.join("end2end");
    if dir.join("node_modules/@playwright/test").exists() {
        return Ok(());
    }
    step::run(
        "install the browser suite's npm packages (npm ci)",
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir),
    )
}
