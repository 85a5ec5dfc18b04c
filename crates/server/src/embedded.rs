//! The assets compiled into the binary by `cargo xtask dist` (see `build.rs`): the demo page,
//! `widget.js`, the widget app under `chat/` and the console under `console/`. Empty in a
//! plain `cargo build`; then the server serves assets only from `--assets DIR`.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/embedded_assets.rs"));

/// Whether this binary carries the assets.
pub fn present() -> bool {
    !EMBEDDED.is_empty()
}

/// An embedded file by its path under the assets directory (`chat/index.html`).
pub fn get(path: &str) -> Option<&'static [u8]> {
    EMBEDDED
        .binary_search_by(|(name, _)| (*name).cmp(path))
        .ok()
        .map(|i| EMBEDDED[i].1)
}

/// The content type of a file, by its extension (the kinds the assets have).
fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("wav") => "audio/wav",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Serves a `GET` for an embedded file, as `ServeDir` would from a directory: a path ending
/// in `/` means its `index.html`.
pub async fn serve(request: Request) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = request.uri().path().trim_start_matches('/');
    let path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    match get(&path) {
        Some(bytes) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&path)),
            )],
            bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
