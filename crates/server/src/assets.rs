//! Static files: the demo page at `/`, `/widget.js`, the widget app under `/chat/` and the
//! console under `/console/`, from `--assets DIR` when given, else from the copy embedded
//! in the binary by `cargo xtask dist` ([`crate::embedded`]), served by [`crate::files`]
//! (precompressed brotli or gzip, cached by name). The two app pages are served with a
//! Content-Security-Policy that allows exactly their own inline scripts (by SHA-256,
//! computed when the server starts), wasm, and framing by the allowed origins; they are
//! compressed once at start and revalidated on every use (`no-cache`, `ETag`).

use std::path::Path;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::compression::CompressionLayer;

use crate::files::{self, Files, Variants};
use crate::AppState;

/// An app page, read once, with its policy.
#[derive(Debug, Clone)]
pub struct Page {
    pub html: String,
    pub csp: String,
}

/// A page as it is served: its policy and its body in every encoding.
#[derive(Debug, Clone)]
pub struct Served {
    pub csp: String,
    pub body: Variants,
}

impl From<Page> for Served {
    fn from(page: Page) -> Self {
        Served {
            csp: page.csp,
            body: Variants::compress(page.html.into_bytes()),
        }
    }
}

/// The pages served with a CSP, and the static files beside them.
#[derive(Debug, Default)]
pub struct Pages {
    pub chat: Option<Served>,
    pub console: Option<Served>,
    pub files: Files,
}

impl Pages {
    /// Reads `chat/index.html` and `console/index.html` under `dir`, or from the embedded
    /// assets without one, if present.
    pub fn load(dir: Option<&Path>, allowed_origins: &[String]) -> Self {
        Self::from_files(Files::from_settings(dir), allowed_origins)
    }

    /// The pages of `files`, which are then served beside them.
    pub fn from_files(files: Files, allowed_origins: &[String]) -> Self {
        let page = |sub: &str| {
            let html = String::from_utf8(files.read(&format!("{sub}/index.html"))?).ok()?;
            // The console is framed by nobody but itself, whoever may embed the widget.
            let csp = match sub {
                "chat" => content_security_policy(&html, allowed_origins),
                _ => page_policy(&html, "'self'"),
            };
            Some(Page { html, csp })
        };
        Pages {
            chat: page("chat")
                .map(|page| tell_allowed_origins(page, allowed_origins))
                .map(Served::from),
            console: page("console").map(Served::from),
            files,
        }
    }
}

/// Writes the origins allowed to embed the chat app into its page
/// (`<meta name="tidings-allowed-origins" content="https://a https://b">`, or `*` when every
/// origin is), so the app talks only to a parent on that list, whatever `?origin=` claims.
/// A `<meta>` is not a script: the page's CSP hashes stay the same.
fn tell_allowed_origins(mut page: Page, allowed_origins: &[String]) -> Page {
    let list = if allowed_origins.is_empty() {
        "*".to_string()
    } else {
        allowed_origins.join(" ")
    };
    // Origins are parsed URLs' origins (scheme, host, port): nothing to escape but quotes.
    let meta = format!(
        "<meta name=\"tidings-allowed-origins\" content=\"{}\">",
        list.replace('"', "&quot;")
    );
    // Right after `<head …>` where there is one (so it precedes every script), else first.
    let lower = page.html.to_ascii_lowercase();
    let at = lower
        .find("<head")
        .and_then(|start| lower[start..].find('>').map(|end| start + end + 1))
        .unwrap_or(0);
    page.html.insert_str(at, &meta);
    page
}

/// The `'sha256-…'` source of every inline `<script>` (one without `src`) in `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut from = 0;
    while let Some(start) = lower[from..].find("<script").map(|i| i + from) {
        let Some(tag_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|i| i + tag_end) else {
            break;
        };
        let attributes = &lower[start + "<script".len()..tag_end];
        if !attributes.contains("src=") {
            let body = &html[tag_end + 1..close];
            hashes.push(format!(
                "'sha256-{}'",
                STANDARD.encode(Sha256::digest(body.as_bytes()))
            ));
        }
        from = close;
    }
    hashes
}

/// The policy for the chat app's page: framed by the allowed origins (see the module doc).
pub fn content_security_policy(html: &str, allowed_origins: &[String]) -> String {
    let ancestors = if allowed_origins.is_empty() {
        "'self' *".to_string()
    } else {
        format!("'self' {}", allowed_origins.join(" "))
    };
    page_policy(html, &ancestors)
}

/// The policy for an app page that `frame_ancestors` may frame.
fn page_policy(html: &str, frame_ancestors: &str) -> String {
    let mut script_src = vec!["'self'".to_string(), "'wasm-unsafe-eval'".to_string()];
    script_src.extend(inline_script_hashes(html));
    format!(
        "default-src 'self'; script-src {}; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; \
         img-src 'self' data:; media-src 'self' data:; frame-ancestors {frame_ancestors}",
        script_src.join(" ")
    )
}

/// The HTML pages, by the only paths they are served at. Any other path that would give
/// HTML (`/chat//`, `/chat/%69ndex.html`, `/chat/./index.html`: the static files would
/// serve the page there, without its policy) is a 404, so a page never goes out without
/// its headers.
const PAGE_PATHS: &[&str] = &[
    "/",
    "/index.html",
    "/chat/",
    "/chat/index.html",
    "/console/",
    "/console/index.html",
];

async fn only_pages_at_their_paths(request: Request, next: Next) -> Response {
    let known = PAGE_PATHS.contains(&request.uri().path());
    let response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if html && !known {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    response
}

fn page_response(page: Option<&Served>, request: &HeaderMap) -> Response {
    match page {
        Some(page) => {
            let csp = HeaderValue::from_str(&page.csp)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
            let mut response =
                page.body
                    .respond(request, "text/html; charset=utf-8", files::REVALIDATE);
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, csp);
            response
        }
        None => (
            StatusCode::NOT_FOUND,
            "not built: this server has no assets; run `cargo xtask dist` (or pass --assets DIR)",
        )
            .into_response(),
    }
}

async fn chat_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    page_response(state.pages.chat.as_ref(), &headers)
}

async fn console_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    page_response(state.pages.console.as_ref(), &headers)
}

/// Routes for the pages and the static files (a fallback, so API routes win), gzipped.
pub fn router(state: AppState) -> Router<AppState> {
    let router = Router::new()
        .route("/chat", get(|| async { Redirect::permanent("/chat/") }))
        .route("/chat/", get(chat_page))
        .route("/chat/index.html", get(chat_page))
        .route(
            "/console",
            get(|| async { Redirect::permanent("/console/") }),
        )
        .route("/console/", get(console_page))
        .route("/console/index.html", get(console_page));
    let router = if state.pages.files.present() {
        router.fallback(files::serve)
    } else {
        router
    };
    // Files served without a precompressed copy (a directory not built by `cargo xtask
    // assets`) are gzipped on the fly when the browser accepts it; the rest carry their
    // `Content-Encoding` already, which this layer leaves alone. The API and socket are
    // not behind this layer.
    router
        .layer(middleware::from_fn(only_pages_at_their_paths))
        .layer(CompressionLayer::new())
}

#[cfg(test)]
mod tests {
    use super::{content_security_policy, inline_script_hashes};

    #[test]
    fn hashes_only_inline_scripts() {
        let html = r#"<script src="/a.js"></script><script type="module">init()</script>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        assert!(hashes[0].starts_with("'sha256-"));
        let csp = content_security_policy(html, &["https://shop.test".into()]);
        assert!(csp.contains(&hashes[0]));
        assert!(csp.ends_with("frame-ancestors 'self' https://shop.test"));
    }
}
