//! Building the directory the server serves with `--assets`: the demo host page and the loader
//! from `assets/`, the widget app under `chat/` and the console under `console/`, each
//! compressible file with its brotli and gzip copies beside it (`compress.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha384};

use crate::step::{self, Failure, Result};
use crate::wasm_toolchain::WasmToolchain;

/// Builds every asset into `out` (replacing what was there) and returns `out`.
pub fn build(root: &Path, out: &Path) -> Result<PathBuf> {
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    std::fs::create_dir_all(out)?;
    let toolchain = WasmToolchain::choose();
    let widget = trunk_build(
        "build the widget app (trunk, release)",
        root,
        &out.join("chat"),
        "/chat/",
        toolchain,
    )?;
    WasmToolchain::record_widget(widget);
    trunk_build(
        "build the agent console (trunk, release)",
        &root.join("crates/console"),
        &out.join("console"),
        "/console/",
        toolchain,
    )?;
    minify_glue(&out.join("chat"))?;
    minify_glue(&out.join("console"))?;
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

/// Trunk minifies the CSS and HTML (`minify = "on_release"` in each Trunk.toml) but its JS
/// minifier cannot parse wasm-bindgen's glue (it warns and copies it as it is): terser
/// minifies that (an ES module: its top level is private) and the page's `integrity` for it
/// is updated. The file keeps its name: trunk's hash names the same glue, which terser turns
/// into the same bytes every time.
fn minify_glue(app: &Path) -> Result {
    let page = app.join("index.html");
    let mut html = std::fs::read_to_string(&page)?;
    let mut glue: Vec<PathBuf> = std::fs::read_dir(app)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "js"))
        .collect();
    glue.sort();
    for file in glue {
        let before = std::fs::read(&file)?;
        step::run(
            &format!("minify {} (terser)", file.display()),
            Command::new(crate::tools::terser())
                .arg(&file)
                .args(["--module", "--compress", "--mangle", "--comments", "false"])
                .arg("-o")
                .arg(&file),
        )?;
        let (old, new) = (integrity(&before), integrity(&std::fs::read(&file)?));
        if !html.contains(&old) {
            return Err(Failure(format!(
                "{} names {} without its integrity {old}",
                page.display(),
                file.display()
            )));
        }
        html = html.replace(&old, &new);
    }
    std::fs::write(&page, html)?;
    Ok(())
}

/// A subresource integrity value, as trunk writes them (`sha384-…`).
fn integrity(bytes: &[u8]) -> String {
    format!("sha384-{}", STANDARD.encode(Sha384::digest(bytes)))
}

fn trunk_build(
    what: &str,
    dir: &Path,
    dist: &Path,
    public_url: &str,
    toolchain: WasmToolchain,
) -> Result<WasmToolchain> {
    let trunk = |toolchain: WasmToolchain| {
        let mut command = Command::new("trunk");
        command
            // The size-tuned profile: the workspace's `release` is the server's.
            .args(["build", "--release", "--cargo-profile", "wasm-release"])
            .args(["--public-url", public_url, "--dist"])
            .arg(dist)
            .current_dir(dir)
            // Trunk must use the tools on PATH, never download its own.
            .env("TRUNK_OFFLINE", "true")
            .env("TRUNK_SKIP_VERSION_CHECK", "true");
        toolchain.apply(&mut command);
        command
    };
    let stable =
        || step::run(what, &mut trunk(WasmToolchain::Stable)).map(|()| WasmToolchain::Stable);
    match toolchain {
        WasmToolchain::Stable => stable(),
        // A nightly that cannot build what stable can (nightlies break now and then) costs
        // size, not the build.
        WasmToolchain::Nightly => {
            match step::run(&format!("{what} with nightly"), &mut trunk(toolchain)) {
                Ok(()) => Ok(WasmToolchain::Nightly),
                Err(e) => {
                    println!("    nightly failed ({e}); building with stable instead");
                    stable()
                }
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::integrity;

    #[test]
    fn integrity_is_written_as_trunk_writes_it() {
        // `printf abc | openssl dgst -sha384 -binary | base64`
        assert_eq!(
            integrity(b"abc"),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
    }
}
