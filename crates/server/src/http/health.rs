//! `/healthz` (the database answers) and `/metrics` (Prometheus text).

use std::fmt::Write;
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use tidings_protocol::http::Health;
use tidings_protocol::PROTOCOL_VERSION;

use crate::error::{Error, Result};
use crate::AppState;

/// How long `/healthz` waits for the database: a database that is down or unreachable
/// makes the node unhealthy at once, not after the pool's connection timeout.
const DATABASE_DEADLINE: Duration = Duration::from_secs(1);

pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>> {
    tokio::time::timeout(
        DATABASE_DEADLINE,
        sqlx::query("SELECT 1").execute(&state.pool),
    )
    .await
    .map_err(|_| Error::internal("the database did not answer in time"))??;
    Ok(Json(Health {
        status: "ok".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        protocol: PROTOCOL_VERSION,
    }))
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
