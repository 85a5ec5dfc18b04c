//! Building the directory the server serves with `--assets`: the demo host page and the loader
//! from `assets/`, the widget app under `chat/` with its on-demand extras under `chat/extras/`,
//! and the console under `console/` (built by `wasm_app.rs`), each compressible file with its brotli and gzip copies beside it
//! (`compress.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::step::{self, Result};
use crate::wasm_app::{self, App, Extras};
use crate::wasm_toolchain::WasmToolchain;

/// Builds every asset into `out` (replacing what was there) and returns `out`.
pub fn build(root: &Path, out: &Path) -> Result<PathBuf> {
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    std::fs::create_dir_all(out)?;
    let apps = [
        App {
            dir: root.to_path_buf(),
            public_url: "/chat/",
            extras: Some(Extras {
                package: "tidings-widget-extras",
                global: "tidingsExtras",
                catalogs: "crates/widget-extras/locales",
            }),
        },
        App {
            dir: root.join("crates/console"),
            public_url: "/console/",
            extras: None,
        },
    ];
    let built = wasm_app::build_all(&apps, out, WasmToolchain::choose())?;
    WasmToolchain::record_widget(built[0]);
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

/// Copies a directory's files and folders into `to`, which is created.
pub fn copy_tree(from: &Path, to: &Path) -> Result {
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
