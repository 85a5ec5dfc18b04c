//! `cargo xtask live widget|console`: the live-reload loop for UI work. Trunk rebuilds the
//! app on every save and serves it (widget on port 8081, console on 8082, as each
//! `Trunk.toml` says), proxying `/v1` to a server on 127.0.0.1:8080 (`cargo xtask dev`).
//! Only this task needs trunk, so only this task installs it (and, for trunk, wasm-bindgen-cli,
//! which `cargo xtask test` installs too for its test runner).

use std::path::Path;
use std::process::Command;

use crate::step::{self, Result};
use crate::tools;

/// Which app to serve live.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum LiveApp {
    Widget,
    Console,
}

pub fn run(root: &Path, app: LiveApp) -> Result {
    tools::ensure_wasm_tools(root)?;
    // Trunk runs wasm-bindgen's command line (the builds use its library instead).
    tools::ensure_wasm_bindgen_cli(root)?;
    tools::ensure_trunk()?;
    let dir = match app {
        LiveApp::Widget => root.to_path_buf(),
        LiveApp::Console => root.join("crates/console"),
    };
    step::run(
        "trunk serve (Ctrl-C stops)",
        Command::new("trunk")
            .arg("serve")
            .current_dir(dir)
            // Trunk must use the tools on PATH, never download its own.
            .env("TRUNK_OFFLINE", "true")
            .env("TRUNK_SKIP_VERSION_CHECK", "true"),
    )
}
