//! `cargo xtask dist`: one release binary that serves the whole product. Builds the assets
//! (widget, console, loader, demo page), then the server in the `release` profile with
//! `TIDINGS_EMBED_ASSETS` pointing at them (its `build.rs` compiles them in), copies it to
//! `target/dist/tidings-server`, and checks it: it unwinds on panic, and with no `--assets`
//! it serves `/`, `/widget.js`, `/chat/` (and its wasm, brotli-compressed and cached for a
//! year, decompressing to the built file) and `/console/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::bench_server::BenchServer;
use crate::step::{self, cargo, Failure, Result};
use crate::{assets, dev, tools};

/// Builds and checks the binary; returns its path and the assets directory it embeds.
pub fn build(root: &Path) -> Result<(PathBuf, PathBuf)> {
    tools::ensure_wasm_tools(root)?;
    let assets = std::fs::canonicalize(assets::build(root, &root.join("target/assets"))?)?;
    step::run(
        "build the release server with the assets inside (cargo build --release -p tidings-server)",
        cargo()
            .args(["build", "--quiet", "--release", "-p", "tidings-server"])
            .env("TIDINGS_EMBED_ASSETS", &assets),
    )?;
    let out = dev::target_dir().join("dist");
    std::fs::create_dir_all(&out)?;
    let bin = out.join("tidings-server");
    std::fs::copy(dev::target_dir().join("release/tidings-server"), &bin)?;
    let bin = std::fs::canonicalize(bin)?;
    check(&bin, &assets)?;
    Ok((bin, assets))
}

pub fn run(root: &Path) -> Result {
    let (bin, _) = build(root)?;
    println!(
        "==> {} serves everything: tidings-server serve --listen 0.0.0.0:8080 --database-url sqlite://./data/tidings.db",
        bin.display()
    );
    Ok(())
}

/// The checks `dist` runs on the binary it built.
fn check(bin: &Path, assets: &Path) -> Result {
    step::run(
        "check the binary unwinds on panic (tidings-server check-unwind)",
        Command::new(bin).arg("check-unwind"),
    )?;
    println!("==> check the binary alone serves /, /widget.js, /chat/ and /console/");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serves_everything(bin, assets))?;
    println!("    ok");
    Ok(())
}

async fn serves_everything(bin: &Path, assets: &Path) -> Result {
    let server = BenchServer::start(bin, &[]).await?;
    let http = reqwest::Client::new();
    let get = |path: String| {
        let http = http.clone();
        let url = format!("http://{}{path}", server.addr);
        async move {
            let response = http.get(&url).send().await?;
            let status = response.status();
            let kind = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let body = response.text().await?;
            if !status.is_success() {
                return Err(Failure(format!("GET {url}: {status}")));
            }
            Ok::<_, Failure>((kind, body))
        }
    };
    for (path, wanted) in [
        ("/", "<script"),
        ("/widget.js", "Tidings"),
        ("/chat/", "<html"),
        ("/console/", "<html"),
    ] {
        let (_, body) = get(path.to_string()).await?;
        if !body.contains(wanted) {
            return Err(Failure(format!("GET {path}: no {wanted:?} in the answer")));
        }
    }
    // The widget app's own wasm, as its page names it.
    let (_, chat) = get("/chat/".into()).await?;
    let wasm = chat
        .split(['"', '\''])
        .find(|s| s.starts_with("/chat/") && s.ends_with(".wasm"))
        .ok_or_else(|| Failure("/chat/ names no .wasm file".into()))?
        .to_string();
    let (kind, _) = get(wasm.clone()).await?;
    if kind != "application/wasm" {
        return Err(Failure(format!("GET {wasm}: content-type {kind}")));
    }
    // As a browser gets it: the brotli copy, cached for a year, the built file inside.
    let response = http
        .get(format!("http://{}{wasm}", server.addr))
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (encoding, cache) = (header("content-encoding"), header("cache-control"));
    if encoding != "br" || cache != "public, max-age=31536000, immutable" {
        return Err(Failure(format!(
            "GET {wasm} accepting brotli: content-encoding {encoding:?}, cache-control {cache:?}"
        )));
    }
    let mut body = Vec::new();
    brotli::BrotliDecompress(&mut &response.bytes().await?[..], &mut body)?;
    let built = std::fs::read(assets.join(wasm.trim_start_matches('/')))?;
    if body != built {
        return Err(Failure(format!(
            "GET {wasm}: the brotli body is not the built file"
        )));
    }
    Ok(())
}
