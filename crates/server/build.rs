//! Build script: rebuilds when a migration is added (`sqlx::migrate!` embeds the
//! `migrations/` folder at compile time, and cargo does not watch a folder's new files on its
//! own), and embeds the built assets when `TIDINGS_EMBED_ASSETS` names their directory.
//!
//! `cargo xtask dist` builds the widget, console and static files, then builds the server
//! with `TIDINGS_EMBED_ASSETS` set: every file under that directory is compiled into the
//! binary (`include_bytes!`), so the binary alone serves the whole product. Without the
//! variable (a plain `cargo build`), nothing is embedded and the server needs `--assets`.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-env-changed=TIDINGS_EMBED_ASSETS");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut files = Vec::new();
    if let Some(dir) = std::env::var_os("TIDINGS_EMBED_ASSETS").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        let dir = dir
            .canonicalize()
            .unwrap_or_else(|e| panic!("TIDINGS_EMBED_ASSETS={}: {e}", dir.display()));
        println!("cargo:rerun-if-changed={}", dir.display());
        collect(&dir, &dir, &mut files);
        files.sort();
    }
    let mut code = String::from(
        "/// Files embedded at build time: (path under the assets directory, bytes).\n\
         pub static EMBEDDED: &[(&str, &[u8])] = &[\n",
    );
    for (name, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        code.push_str(&format!(
            "    ({name:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    std::fs::write(out.join("embedded_assets.rs"), code).expect("write embedded_assets.rs");
}

/// Every file under `dir`, as (`/`-separated path relative to `root`, absolute path).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.push((name, path));
        }
    }
}
