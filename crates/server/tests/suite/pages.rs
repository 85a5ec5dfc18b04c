//! Reading: history pages over HTTP, Prometheus metrics, and the static app pages with
//! their CSP.

use crate::common;

use common::{ack_fields, Client, TestServer};
use reqwest::StatusCode;
use tidings_protocol::http::HistoryPage;
use uuid::Uuid;

#[tokio::test]
async fn history_pages_go_backwards_in_ascending_order() {
    let server = TestServer::start().await;
    let (_, token) = server.visitor().await;
    let (mut ws, _) = Client::connect(&server, &token).await;
    let mut conversation = None;
    for n in 1..=7 {
        conversation = Some(
            ack_fields(
                &ws.send_message(Uuid::new_v4(), conversation, &format!("m{n}"))
                    .await,
            )
            .0,
        );
    }
    let id = conversation.unwrap();
    let page = |query: &'static str| {
        let url = server.url(&format!("/v1/conversations/{id}/messages{query}"));
        let token = token.clone();
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<HistoryPage>()
                .await
                .unwrap()
        }
    };
    let latest = page("?limit=3").await;
    assert_eq!(
        latest.messages.iter().map(|m| m.seq).collect::<Vec<_>>(),
        vec![5, 6, 7]
    );
    assert!(latest.has_more);
    let older = page("?limit=3&before_seq=5").await;
    assert_eq!(
        older.messages.iter().map(|m| m.seq).collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
    let oldest = page("?limit=3&before_seq=2").await;
    assert_eq!(
        oldest.messages.iter().map(|m| m.seq).collect::<Vec<_>>(),
        vec![1]
    );
    assert!(!oldest.has_more);
    let bad = reqwest::Client::new()
        .get(server.url(&format!("/v1/conversations/{id}/messages?limit=x")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    let metrics = reqwest::get(server.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let stored: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("tidings_messages_stored_total "))
        .and_then(|v| v.parse().ok())
        .expect("a messages counter");
    assert!(stored >= 7, "{metrics}");
    for name in [
        "tidings_connections_open ",
        "tidings_sockets_authenticated ",
        "tidings_message_store_seconds_count ",
        "tidings_errors_total{code=\"invalid_field\"}",
    ] {
        assert!(metrics.contains(name), "{name} missing from:\n{metrics}");
    }
    server.stop().await;
}

/// An assets directory with only the chat app's page, `html`.
fn chat_assets(html: &str) -> tempfile::TempDir {
    let assets = tempfile::TempDir::new().unwrap();
    std::fs::create_dir_all(assets.path().join("chat")).unwrap();
    std::fs::write(assets.path().join("chat/index.html"), html).unwrap();
    assets
}

#[tokio::test]
async fn the_chat_page_names_the_origins_allowed_to_embed_it() {
    let assets = chat_assets(
        "<html><HEAD lang=\"en\"><script type=\"module\">boot()</script></head></html>",
    );
    for (allowed, content) in [
        (
            vec!["https://shop.example".into(), "https://blog.example".into()],
            "https://shop.example https://blog.example",
        ),
        (vec![], "*"),
    ] {
        let mut settings = common::test_settings();
        settings.assets = Some(assets.path().to_path_buf());
        settings.allowed_origins = allowed;
        let server = TestServer::start_with_settings(settings).await;
        let page = reqwest::get(server.url("/chat/")).await.unwrap();
        let csp = page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let html = page.text().await.unwrap();
        let meta = format!("<meta name=\"tidings-allowed-origins\" content=\"{content}\">");
        assert!(
            html.starts_with(&format!("<html><HEAD lang=\"en\">{meta}<script")),
            "{html}"
        );
        let hash =
            tidings_server::assets::inline_script_hashes("<script type=\"module\">boot()</script>");
        assert!(
            csp.contains(&hash[0]),
            "the script's hash is unchanged: {csp}"
        );
        server.stop().await;
    }
}

/// `GET path` written as is on a raw connection (an HTTP client would normalise `./` and
/// `%69`), answered with the status line and headers.
async fn raw_get(server: &TestServer, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.addr
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    answer
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

#[tokio::test]
async fn an_app_page_goes_out_with_its_policy_at_every_path_or_not_at_all() {
    let assets = chat_assets("<html><head><script type=\"module\">boot()</script></head></html>");
    std::fs::create_dir_all(assets.path().join("console")).unwrap();
    std::fs::write(
        assets.path().join("console/index.html"),
        "<html><head><script type=\"module\">console()</script></head></html>",
    )
    .unwrap();
    let mut settings = common::test_settings();
    settings.assets = Some(assets.path().to_path_buf());
    settings.allowed_origins = vec!["https://shop.example".into()];
    let server = TestServer::start_with_settings(settings).await;

    for path in [
        "/chat/",
        "/chat/index.html",
        "/console/",
        "/console/index.html",
    ] {
        let head = raw_get(&server, path).await;
        assert!(head.starts_with("http/1.1 200"), "{path}: {head}");
        assert!(head.contains("content-security-policy:"), "{path}: {head}");
    }
    for path in [
        "/chat//",
        "/chat/%69ndex.html",
        "/chat/./index.html",
        "/chat//index.html",
        "/console//",
        "/console/%69ndex.html",
        "/console/./index.html",
    ] {
        let head = raw_get(&server, path).await;
        let with_policy =
            head.starts_with("http/1.1 200") && head.contains("content-security-policy:");
        assert!(
            head.starts_with("http/1.1 404") || with_policy,
            "{path} served a page without its policy: {head}"
        );
    }
    let console = raw_get(&server, "/console/").await;
    assert!(
        console.contains("frame-ancestors 'self'\r\n")
            || console.ends_with("frame-ancestors 'self'"),
        "the console is framed by itself only: {console}"
    );
    let chat = raw_get(&server, "/chat/").await;
    assert!(
        chat.contains("frame-ancestors 'self' https://shop.example"),
        "{chat}"
    );
    server.stop().await;
}

#[tokio::test]
async fn app_pages_get_a_csp_with_their_inline_script_hashes() {
    let assets = chat_assets("<html><script type=\"module\">boot()</script></html>");
    std::fs::write(assets.path().join("widget.js"), "/* loader */").unwrap();
    std::fs::write(assets.path().join("app.wasm"), vec![0u8; 4096]).unwrap();
    let mut settings = common::test_settings();
    settings.assets = Some(assets.path().to_path_buf());
    settings.allowed_origins = vec!["https://shop.example".into()];
    let server = TestServer::start_with_settings(settings).await;

    let page = reqwest::get(server.url("/chat/")).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let expected =
        tidings_server::assets::inline_script_hashes("<script type=\"module\">boot()</script>");
    assert!(csp.contains(&expected[0]), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"));
    assert!(csp.contains("frame-ancestors 'self' https://shop.example"));
    let loader = reqwest::get(server.url("/widget.js")).await.unwrap();
    assert_eq!(loader.text().await.unwrap(), "/* loader */");
    let wasm = reqwest::Client::new()
        .get(server.url("/app.wasm"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.headers()["content-encoding"], "gzip");
    assert!(
        wasm.bytes().await.unwrap().len() < 4096,
        "served compressed"
    );
    assert_eq!(
        reqwest::get(server.url("/console/"))
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    server.stop().await;
}
