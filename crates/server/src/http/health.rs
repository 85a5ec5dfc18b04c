//! `/healthz` (the database answers) and `/metrics` (Prometheus text).

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use tidings_protocol::http::Health;
use tidings_protocol::PROTOCOL_VERSION;

use crate::error::Result;
use crate::AppState;

pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>> {
    sqlx::query("SELECT 1").execute(&state.pool).await?;
    Ok(Json(Health {
        status: "ok".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        protocol: PROTOCOL_VERSION,
    }))
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let metrics = crate::metrics::global();
    // The hub is the truth for open connections; the counter can lag during shutdown.
    let _ = state.hub.connection_count();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics.render(),
    )
}
