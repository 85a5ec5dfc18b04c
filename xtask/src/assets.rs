//! Building the directory the server serves with `--assets`: the demo host page and the loader
//! from `assets/`, the widget app under `chat/` and the console under `console/`, each
//! compressible file with its brotli and gzip copies beside it (`compress.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::step::{self, Result};

/// Builds every asset into `out` (replacing what was there) and returns `out`.
pub fn build(root: &Path, out: &Path) -> Result<PathBuf> {
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    std::fs::create_dir_all(out)?;
    trunk_build(
        "build the widget app (trunk, release)",
        root,
        &out.join("chat"),
        "/chat/",
    )?;
    trunk_build(
        "build the agent console (trunk, release)",
        &root.join("crates/console"),
        &out.join("console"),
        "/console/",
    )?;
    println!("==> copy the loader, demo page and static files from assets/");
    copy_tree(&root.join("assets"), out)?;
    minify_loader(&out.join("widget.js"))?;
    println!("==> write the brotli and gzip copies the server sends (x.br, x.gz)");
    crate::compress::precompress(out)?;
    Ok(out.to_path_buf())
}

/// Every host page downloads the loader: it is served minified (terser; its readable
/// source with comments is `assets/widget.js`), which saves about a third of its gzip size.
fn minify_loader(file: &Path) -> Result {
    step::run(
        "minify the loader (terser)",
        Command::new(crate::tools::terser())
            .arg(file)
            .args(["--compress", "--mangle", "--comments", "false"])
            .arg("-o")
            .arg(file),
    )
}

fn trunk_build(what: &str, dir: &Path, dist: &Path, public_url: &str) -> Result {
    step::run(
        what,
        Command::new("trunk")
            // The size-tuned profile: the workspace's `release` is the server's.
            .args(["build", "--release", "--cargo-profile", "wasm-release"])
            .args(["--public-url", public_url, "--dist"])
            .arg(dist)
            .current_dir(dir)
            // Trunk must use the tools on PATH, never download its own.
            .env("TRUNK_OFFLINE", "true")
            .env("TRUNK_SKIP_VERSION_CHECK", "true"),
    )
}

fn copy_tree(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}
