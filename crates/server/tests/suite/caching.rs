//! The static files as a browser gets them, through a real socket, from a directory and from
//! files compiled in alike: the brotli copy when accepted (and it decompresses to the file),
//! else the gzip copy, else the file; `Vary: Accept-Encoding`; a year's immutable cache for
//! hashed names; a short cache with `ETag` revalidation (`304`) for the loader and the pages.

use crate::common;

use std::io::{Read, Write};
use std::sync::Arc;

use common::TestServer;
use reqwest::StatusCode;
use tidings_server::assets::Pages;
use tidings_server::files::{Embedded, Files};
use tidings_server::{db, serve, AppState};

const WASM: &str = "chat/tidings-widget-0123456789abcdef_bg.wasm";
const PAGE: &str = "<html><head><script type=\"module\">boot()</script></head><body></body></html>";

/// The files of a small built assets directory: (path, bytes), with the brotli and gzip
/// copies `cargo xtask assets` writes beside every file but the pages and the sound.
fn files() -> Vec<(String, Vec<u8>)> {
    let wasm: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8 ^ b'w').collect();
    let loader = b"/* loader */ (function(){ window.Tidings = 1; })();".repeat(20);
    let mut files = vec![
        ("index.html".to_string(), b"<html>demo</html>".to_vec()),
        ("chat/index.html".to_string(), PAGE.as_bytes().to_vec()),
        ("chat/notify.wav".to_string(), vec![1u8; 64]),
    ];
    for (path, bytes) in [(WASM, wasm), ("widget.js", loader)] {
        files.push((format!("{path}.br"), brotli(&bytes)));
        files.push((format!("{path}.gz"), gzip(&bytes)));
        files.push((path.to_string(), bytes));
    }
    files
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &Default::default()).unwrap();
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &bytes[..], &mut out).unwrap();
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn original(path: &str) -> Vec<u8> {
    files().into_iter().find(|(p, _)| p == path).unwrap().1
}

async fn get(base: &str, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("{base}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

const BROWSER: (&str, &str) = ("accept-encoding", "gzip, deflate, br, zstd");

/// Everything a browser should see, whichever way the files are kept.
async fn serves_like_a_cdn(server: &str) {
    // A hashed file: brotli, a year, immutable; it decompresses to the file.
    let wasm = get(server, &format!("/{WASM}"), &[BROWSER]).await;
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(header(&wasm, "content-encoding"), "br");
    assert_eq!(header(&wasm, "content-type"), "application/wasm");
    assert_eq!(header(&wasm, "vary"), "accept-encoding");
    assert_eq!(
        header(&wasm, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(unbrotli(&wasm.bytes().await.unwrap()), original(WASM));

    // Without brotli: gzip; without either: the file itself. Each its own tag.
    let gz = get(server, &format!("/{WASM}"), &[("accept-encoding", "gzip")]).await;
    assert_eq!(header(&gz, "content-encoding"), "gzip");
    assert_eq!(header(&gz, "vary"), "accept-encoding");
    let gz_tag = header(&gz, "etag");
    assert_eq!(gunzip(&gz.bytes().await.unwrap()), original(WASM));
    let plain = get(server, &format!("/{WASM}"), &[]).await;
    assert_eq!(header(&plain, "content-encoding"), "");
    assert_eq!(header(&plain, "vary"), "accept-encoding");
    let plain_tag = header(&plain, "etag");
    assert_eq!(plain.bytes().await.unwrap().to_vec(), original(WASM));
    assert_ne!(gz_tag, plain_tag);

    // The loader: five minutes, then revalidated by its tag.
    let loader = get(server, "/widget.js", &[BROWSER]).await;
    assert_eq!(header(&loader, "content-encoding"), "br");
    assert_eq!(header(&loader, "cache-control"), "public, max-age=300");
    let tag = header(&loader, "etag");
    assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");
    assert_eq!(
        unbrotli(&loader.bytes().await.unwrap()),
        original("widget.js")
    );
    let again = get(server, "/widget.js", &[BROWSER, ("if-none-match", &tag)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&again, "etag"), tag);
    assert!(again.bytes().await.unwrap().is_empty());
    let stale = get(
        server,
        "/widget.js",
        &[BROWSER, ("if-none-match", "\"old\"")],
    )
    .await;
    assert_eq!(stale.status(), StatusCode::OK);

    // The chat page: compressed, revalidated on every use, with its policy and its tag.
    let page = get(server, "/chat/", &[BROWSER]).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(header(&page, "content-encoding"), "br");
    assert_eq!(header(&page, "cache-control"), "no-cache");
    assert_eq!(header(&page, "vary"), "accept-encoding");
    assert!(header(&page, "content-security-policy").contains("'wasm-unsafe-eval'"));
    let tag = header(&page, "etag");
    let html = String::from_utf8(unbrotli(&page.bytes().await.unwrap())).unwrap();
    assert!(html.contains("tidings-allowed-origins"), "{html}");
    assert!(html.contains("boot()"), "{html}");
    let again = get(server, "/chat/", &[BROWSER, ("if-none-match", &tag)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let gz = get(server, "/chat/index.html", &[("accept-encoding", "gzip")]).await;
    assert_eq!(header(&gz, "content-encoding"), "gzip");
    assert_eq!(
        String::from_utf8(gunzip(&gz.bytes().await.unwrap())).unwrap(),
        html
    );

    // The demo page and the sound have no copies: sent as they are (or gzipped on the fly),
    // revalidated on every use.
    for path in ["/", "/chat/notify.wav"] {
        let file = get(server, path, &[]).await;
        assert_eq!(file.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&file, "cache-control"), "no-cache", "{path}");
        assert!(!header(&file, "etag").is_empty(), "{path}");
    }

    // The copies are not files of their own, and nothing outside the assets is reachable
    // (written raw: an HTTP client would resolve the `..` itself).
    for path in [&format!("/{WASM}.br") as &str, "/widget.js.gz"] {
        let response = get(server, path, &[BROWSER]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    for path in ["/chat/../index.html", "/chat/../../etc/passwd", "/%2e%2e/x"] {
        let status = raw_status(server, path).await;
        assert!(status.starts_with("HTTP/1.1 404"), "{path}: {status}");
    }
}

/// The status line of `GET path`, the path sent exactly as written.
async fn raw_status(base: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_directory_is_served_precompressed_and_cached_by_name() {
    let dir = tempfile::TempDir::new().unwrap();
    for (path, bytes) in files() {
        let file = dir.path().join(&path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, bytes).unwrap();
    }
    let mut settings = common::test_settings();
    settings.assets = Some(dir.path().to_path_buf());
    let server = TestServer::start_with_settings(settings).await;
    serves_like_a_cdn(&server.url("")).await;
    server.stop().await;
}

#[tokio::test]
async fn files_compiled_in_are_served_the_same_way() {
    // As `build.rs` writes the table: static, sorted by path.
    let mut table: Vec<(&'static str, &'static [u8])> = files()
        .into_iter()
        .map(|(path, bytes)| {
            (
                &*Box::leak(path.into_boxed_str()),
                &*Box::leak(bytes.into_boxed_slice()),
            )
        })
        .collect();
    table.sort();
    let table: &'static [(&'static str, &'static [u8])] = Box::leak(table.into_boxed_slice());

    // The harness's start, with the files swapped before serving. Files need no database:
    // SQLite whatever the run's backend.
    let test_db = common::TestDb::sqlite();
    let database = db::connect(&test_db.url).await.unwrap();
    let mut state = AppState::new(database, common::test_settings());
    state.join_cluster().await.unwrap();
    state.pages = Arc::new(Pages::from_files(
        Files::Embedded(Embedded::new(table)),
        &[],
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve::serve_on(listener, state.clone(), async move {
        let _ = stopped.await;
    }));
    serves_like_a_cdn(&format!("http://{addr}")).await;
    let _ = stop.send(());
    task.await.unwrap().unwrap();
    state.writer.close().await;
    state.pool.close().await;
}
