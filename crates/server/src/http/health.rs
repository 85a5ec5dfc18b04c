//! `/healthz` (the database answers reads and stores writes) and `/metrics` (Prometheus
//! text).

use std::fmt::Write;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tidings_protocol::http::Health;
use tidings_protocol::PROTOCOL_VERSION;

use crate::error::{Error, Result};
use crate::AppState;

/// How long `/healthz` waits for the database: a database that is down or unreachable
/// makes the node unhealthy at once, not after the pool's connection timeout.
const DATABASE_DEADLINE: Duration = Duration::from_secs(1);

/// 200 `ok`; 503 `storage_failing` while writes cannot reach the disk (full or failing),
/// when every send is refused. Once writes have failed, each call tries a write that
/// changes nothing (see `Writer::probe`), so health comes back as soon as there is room,
/// without waiting for a client's write.
pub async fn healthz(State(state): State<AppState>) -> Result<Response> {
    tokio::time::timeout(
        DATABASE_DEADLINE,
        sqlx::query("SELECT 1").execute(&state.pool),
    )
    .await
    .map_err(|_| Error::internal("the database did not answer in time"))??;
    let health = |status: &str| {
        Json(Health {
            status: status.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            protocol: PROTOCOL_VERSION,
        })
    };
    if state.writer.storage_failing() {
        let stored = match tokio::time::timeout(DATABASE_DEADLINE, state.writer.probe()).await {
            Ok(Ok(())) => true,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "health: the database still cannot store writes");
                false
            }
            Err(_) => {
                tracing::warn!("health: a write did not commit in time");
                false
            }
        };
        if !stored {
            return Ok((StatusCode::SERVICE_UNAVAILABLE, health("storage_failing")).into_response());
        }
    }
    Ok(health("ok").into_response())
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut text = crate::metrics::global().render();
    // Per-node state the hub knows (the counters above are process-wide).
    let _ = writeln!(
        text,
        "# HELP tidings_sockets_authenticated Authenticated WebSocket connections in the hub.\n\
         # TYPE tidings_sockets_authenticated gauge\ntidings_sockets_authenticated {}",
        state.hub.connection_count()
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}
