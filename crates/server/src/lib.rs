//! The Tidings server as a library: [`app`] builds the whole HTTP + WebSocket router from
//! an [`AppState`], so the binary and the tests run exactly the same code.

pub mod announcer;
pub mod assets;
pub mod auth;
pub mod chat;
pub mod cli;
pub mod config;
pub mod db;
pub mod embedded;
pub mod error;
pub mod http;
pub mod hub;
pub mod ip_limit;
pub mod lifecycle;
pub mod metrics;
pub mod open_files;
pub mod origin;
pub mod serve;
pub mod shutdown;
pub mod socket;
pub mod store;
pub mod writer;

use std::sync::Arc;

use axum::Router;
use sqlx::SqlitePool;

pub use config::Settings;
pub use error::{Error, Result};

/// Everything a request or connection handler needs.
#[derive(Clone)]
pub struct AppState {
    pub pool: SqlitePool,
    pub hub: Arc<hub::Hub>,
    pub settings: Arc<Settings>,
    pub pages: Arc<assets::Pages>,
    pub ip_limits: Arc<ip_limit::IpLimits>,
    pub sockets: Arc<socket::LiveSockets>,
    /// The one writer of messages, receipts and conversation changes (group commit).
    pub writer: Arc<writer::Writer>,
    /// Coalesces the `conversation` updates that follow messages and receipts.
    pub announcer: Arc<announcer::Announcer>,
}

impl AppState {
    /// Builds the state and starts the writer task (so it needs a tokio runtime).
    pub fn new(pool: SqlitePool, settings: Settings) -> Self {
        let pages = assets::Pages::load(settings.assets.as_deref(), &settings.allowed_origins);
        let ip_limits = ip_limit::IpLimits::new(
            settings.visitor_create_per_minute,
            settings.login_per_minute,
        );
        let hub = Arc::new(hub::Hub::new(settings.outbound_queue));
        let writer = writer::Writer::start(&pool, hub.clone(), settings.write_queue);
        AppState {
            pool,
            hub,
            writer: Arc::new(writer),
            announcer: Arc::new(announcer::Announcer::default()),
            settings: Arc::new(settings),
            pages: Arc::new(pages),
            ip_limits: Arc::new(ip_limits),
            sockets: Arc::new(socket::LiveSockets::default()),
        }
    }
}

/// The whole app: `/v1` API and socket, `/healthz`, `/metrics`, and the static assets.
pub fn app(state: AppState) -> Router {
    let api = http::router();
    assets::router(state.clone())
        .merge(api)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            origin::check_origin,
        ))
        .layer(axum::middleware::from_fn(http::track_latency))
        .with_state(state)
}
