//! Which toolchain compiles the two wasm apps (the widget and the console; never the server).
//!
//! Where a nightly toolchain is installed (`rustup toolchain list`), the apps are built with
//! it, with the standard library rebuilt for them (`-Zbuild-std=std,panic_abort`) and panics
//! that abort at once (`-Cpanic=immediate-abort`): no panic messages, no formatting machinery
//! they would pull in, no file paths in the data section. `cargo xtask bench size` measured
//! what that saves (docs/ARCHITECTURE.md). Without nightly, or with `TIDINGS_WASM_STABLE=1`,
//! or when anything nightly needs is missing, the apps are built with the stable toolchain as
//! before: larger, same behaviour (a panic aborts either way: `panic = "abort"` in the
//! `wasm-release` profile).

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

use crate::step;

/// The toolchain and settings of one wasm build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WasmToolchain {
    Nightly,
    Stable,
}

impl WasmToolchain {
    /// Nightly when it is installed and ready for `-Zbuild-std` (its standard library's
    /// source and the wasm32 target, added here when missing, and the source's own
    /// dependencies fetched, since trunk builds offline); stable otherwise.
    pub fn choose() -> WasmToolchain {
        if std::env::var_os("TIDINGS_WASM_STABLE").is_some_and(|v| !v.is_empty() && v != "0") {
            println!("==> wasm apps: stable toolchain (TIDINGS_WASM_STABLE is set)");
            return WasmToolchain::Stable;
        }
        let toolchains =
            step::output(Command::new("rustup").args(["toolchain", "list"])).unwrap_or_default();
        if !toolchains.lines().any(|l| l.starts_with("nightly")) {
            println!(
                "==> wasm apps: stable toolchain (no nightly installed: `rustup toolchain \
                 install nightly` makes them smaller)"
            );
            return WasmToolchain::Stable;
        }
        match prepare_nightly() {
            Ok(()) => {
                println!(
                    "==> wasm apps: nightly toolchain, std rebuilt with immediate-abort panics"
                );
                WasmToolchain::Nightly
            }
            Err(why) => {
                println!("==> wasm apps: stable toolchain (nightly is not usable: {why})");
                WasmToolchain::Stable
            }
        }
    }

    /// Remembers what built the widget in this run (its size budget depends on it).
    pub fn record_widget(toolchain: WasmToolchain) {
        *WIDGET.lock().unwrap_or_else(|e| e.into_inner()) = Some(toolchain);
    }

    /// What built the widget in this run, if it was built.
    pub fn widget() -> Option<WasmToolchain> {
        *WIDGET.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets the environment of a `trunk build` (and so of its `cargo build`) for this
    /// toolchain. Only the wasm32 target gets the flags: build scripts and proc macros
    /// are compiled as usual.
    pub fn apply(self, command: &mut Command) {
        match self {
            WasmToolchain::Stable => {}
            WasmToolchain::Nightly => {
                command
                    .env("RUSTUP_TOOLCHAIN", "nightly")
                    .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
                    .env(
                        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
                        NIGHTLY_RUSTFLAGS,
                    );
            }
        }
    }
}

static WIDGET: Mutex<Option<WasmToolchain>> = Mutex::new(None);

/// The wasm32 flags of a nightly build (after the profile's `panic = "abort"`, which this
/// strategy replaces).
pub const NIGHTLY_RUSTFLAGS: &str = "-Zunstable-options -Cpanic=immediate-abort";

fn prepare_nightly() -> Result<(), String> {
    let quiet =
        |what: &str, cmd: &mut Command| step::output(cmd).ok_or_else(|| format!("`{what}` failed"));
    let installed = quiet(
        "rustup component list --installed",
        Command::new("rustup").args(["component", "list", "--installed", "--toolchain", "nightly"]),
    )?;
    if !installed.lines().any(|l| l.starts_with("rust-src")) {
        step::run(
            "add rust-src to the nightly toolchain (for -Zbuild-std)",
            Command::new("rustup").args(["component", "add", "rust-src", "--toolchain", "nightly"]),
        )
        .map_err(|e| e.to_string())?;
    }
    if !installed
        .lines()
        .any(|l| l.starts_with("rust-std-wasm32-unknown-unknown"))
    {
        step::run(
            "add the wasm32 target to the nightly toolchain",
            Command::new("rustup").args([
                "target",
                "add",
                "wasm32-unknown-unknown",
                "--toolchain",
                "nightly",
            ]),
        )
        .map_err(|e| e.to_string())?;
    }
    let sysroot = quiet(
        "rustc +nightly --print sysroot",
        Command::new("rustc").args(["+nightly", "--print", "sysroot"]),
    )?;
    let library = PathBuf::from(sysroot.trim()).join("lib/rustlib/src/rust/library/Cargo.toml");
    // Quick when they are there already; trunk's cargo runs offline. Through rustup's
    // `cargo` (first on PATH, see `tools::prepare_path`), which the variable switches.
    quiet(
        "cargo fetch (the standard library's dependencies)",
        Command::new("cargo")
            .env("RUSTUP_TOOLCHAIN", "nightly")
            .arg("fetch")
            .arg("--manifest-path")
            .arg(&library),
    )?;
    Ok(())
}
