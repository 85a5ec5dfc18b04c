//! wasm-bindgen for the apps' builds, as the workspace's small `xtask-bindgen` binary
//! (`xtask/bindgen`, wasm-bindgen's own library) instead of an installed wasm-bindgen-cli.
//!
//! `cargo install wasm-bindgen-cli` compiled the whole command line suite (the test runner's
//! web server and HTTP client with TLS among it): 8 of a fresh machine's first 36 minutes.
//! The library alone compiles in about a minute, alongside the widget's build, into a
//! profile directory of its own (`target/bindgen-tool`), so that it never waits for the
//! lock of a server build in `target/debug` running at the same time. Only `cargo xtask test`
//! still installs wasm-bindgen-cli, for its test runner.

use std::path::PathBuf;

use crate::step::{self, cargo, Result};

/// The cargo profile the tool is built with (Cargo.toml: the dev settings without debug info).
const PROFILE: &str = "bindgen-tool";

/// Builds the tool (quick when it is built already) and returns its path.
pub fn build() -> Result<PathBuf> {
    step::run(
        "build xtask-bindgen (wasm-bindgen's library, the lockfile's version)",
        cargo().args([
            "build",
            "--quiet",
            "--profile",
            PROFILE,
            "-p",
            "xtask-bindgen",
        ]),
    )?;
    Ok(crate::dev::target_dir().join(PROFILE).join("xtask-bindgen"))
}

#[cfg(test)]
mod tests {
    /// wasm-bindgen refuses a wasm file made by another version of its crate: the tool's
    /// library must be pinned to exactly the `wasm-bindgen` the apps link.
    #[test]
    fn the_tool_pins_the_wasm_bindgen_version_of_the_lockfile() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let locked = crate::tools::lockfile_version(&root, "wasm-bindgen").unwrap();
        let manifest = std::fs::read_to_string(root.join("xtask/bindgen/Cargo.toml")).unwrap();
        assert!(
            manifest.contains(&format!("wasm-bindgen-cli-support = \"={locked}\"")),
            "xtask/bindgen/Cargo.toml must pin wasm-bindgen-cli-support to ={locked}"
        );
        assert_eq!(
            crate::tools::lockfile_version(&root, "wasm-bindgen-cli-support").unwrap(),
            locked
        );
    }
}
