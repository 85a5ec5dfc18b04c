//! Which origins may call the API and open the socket: the server's own origin always;
//! the configured `--allowed-origin`s; every origin when none is configured (development,
//! warned about at start). Others get 403 `origin_not_allowed`, before any WebSocket upgrade.
//! Requests without an `Origin` header (curl, server-to-server) are not browsers' and pass.

use axum::extract::{Request, State};
use axum::http::header::{HOST, ORIGIN};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tidings_protocol::ErrorCode;

use crate::error::Error;
use crate::AppState;

/// Whether a request with these headers may proceed under `allowed`.
pub fn is_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if allowed.is_empty() {
        return true;
    }
    let origin = origin.trim_end_matches('/');
    let own = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|host| {
            origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                == Some(host)
        });
    own || allowed.iter().any(|a| a.eq_ignore_ascii_case(origin))
}

/// Middleware guarding `/v1` (API and socket).
pub async fn check_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let guarded = request.uri().path().starts_with("/v1");
    if guarded && !is_allowed(request.headers(), &state.settings.allowed_origins) {
        return Error::client(
            ErrorCode::OriginNotAllowed,
            "this origin may not use this Tidings server",
        )
        .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::is_allowed;
    use axum::http::HeaderMap;

    fn headers(origin: &str, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("origin", origin.parse().unwrap());
        h.insert("host", host.parse().unwrap());
        h
    }

    #[test]
    fn own_configured_and_other_origins() {
        let allowed = vec!["https://shop.example".to_string()];
        assert!(is_allowed(
            &headers("http://chat.test:8080", "chat.test:8080"),
            &allowed
        ));
        assert!(is_allowed(
            &headers("https://shop.example", "chat.test:8080"),
            &allowed
        ));
        assert!(!is_allowed(
            &headers("https://evil.example", "chat.test:8080"),
            &allowed
        ));
        assert!(is_allowed(
            &headers("https://evil.example", "chat.test:8080"),
            &[]
        ));
    }
}
