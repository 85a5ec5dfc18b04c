//! The Tidings server as a library: [`app`] builds the whole HTTP + WebSocket router from
//! an [`AppState`], so the binary and the tests run exactly the same code.

pub mod announcer;
pub mod assets;
pub mod attachments;
pub mod auth;
pub mod chat;
pub mod cli;
pub mod client_address;
pub mod cluster;
pub mod config;
pub mod csv;
pub mod db;
pub mod email;
pub mod embedded;
pub mod error;
pub mod files;
pub mod http;
pub mod hub;
pub mod identity;
pub mod ip_limit;
pub mod lifecycle;
pub mod login_guard;
pub mod metrics;
pub mod open_files;
pub mod origin;
pub mod search_terms;
pub mod serve;
pub mod shutdown;
pub mod socket;
pub mod stall_watch;
pub mod store;
pub mod team_news;
pub mod visitor_page;
pub mod writer;

use std::sync::Arc;

use axum::Router;

pub use config::Settings;
pub use error::{Error, Result};

/// Everything a request or connection handler needs.
#[derive(Clone)]
pub struct AppState {
    pub pool: db::Pool,
    /// Which database, for what must differ between engines.
    pub backend: db::Backend,
    /// The other nodes (PostgreSQL only; `None` on SQLite, where there is one node).
    pub cluster: Option<Arc<cluster::Cluster>>,
    pub hub: Arc<hub::Hub>,
    pub settings: Arc<Settings>,
    pub pages: Arc<assets::Pages>,
    pub ip_limits: Arc<ip_limit::IpLimits>,
    /// Password checks bounded per core, and per-account backoff after failed logins.
    pub logins: Arc<login_guard::LoginGuard>,
    pub sockets: Arc<socket::LiveSockets>,
    /// Open sockets per client address and per visitor or agent, and their shared rates.
    pub socket_caps: Arc<socket::SocketCaps>,
    /// The one writer of messages, receipts and conversation changes (group commit).
    pub writer: Arc<writer::Writer>,
    /// Coalesces the `conversation` updates that follow messages and receipts.
    pub announcer: Arc<announcer::Announcer>,
    /// Wakes this node's email sender when an email is enqueued here.
    pub email_wake: Arc<tokio::sync::Notify>,
    /// The key attachment links are signed with, read from the database on first use.
    pub attachment_key: Arc<tokio::sync::OnceCell<attachments::LinkKey>>,
}

impl AppState {
    /// Builds the state and starts the writer task (so it needs a tokio runtime). On
    /// PostgreSQL, call [`AppState::join_cluster`] before serving.
    pub fn new(db: db::Database, settings: Settings) -> Self {
        let node = uuid::Uuid::new_v4();
        let db::Database { pool, backend } = db;
        let pages = assets::Pages::load(settings.assets.as_deref(), &settings.allowed_origins);
        let ip_limits = ip_limit::IpLimits::new(
            settings.visitor_create_per_minute,
            settings.visitor_create_global_per_minute,
            settings.login_per_minute,
            settings.http_writes_per_minute,
        );
        let hub = Arc::new(hub::Hub::new(settings.outbound_queue));
        let writer = writer::Writer::start(
            &db::Database {
                pool: pool.clone(),
                backend: backend.clone(),
            },
            hub.clone(),
            settings.write_queue,
            node,
        );
        let cluster = backend
            .is_postgres()
            .then(|| cluster::Cluster::start(pool.clone(), node));
        let state = AppState {
            pool,
            backend,
            cluster,
            hub,
            writer: Arc::new(writer),
            announcer: Arc::new(announcer::Announcer::default()),
            email_wake: Arc::new(tokio::sync::Notify::new()),
            attachment_key: Arc::new(tokio::sync::OnceCell::new()),
            settings: Arc::new(settings),
            pages: Arc::new(pages),
            ip_limits: Arc::new(ip_limits),
            logins: Arc::new(login_guard::LoginGuard::default()),
            sockets: Arc::new(socket::LiveSockets::default()),
            socket_caps: Arc::new(socket::SocketCaps::default()),
        };
        lifecycle::watch_orphans(state.clone());
        email::worker::start(&state);
        state
    }
}

impl AppState {
    /// Joins the other nodes (PostgreSQL only; nothing to do on SQLite): records this node
    /// as alive, starts hearing the others and reporting this node's presence. Returns
    /// once it listens, so nothing committed from then on is missed.
    pub async fn join_cluster(&self) -> Result<()> {
        let (Some(cluster), db::Backend::Postgres { url }) = (&self.cluster, &self.backend) else {
            return Ok(());
        };
        cluster::presence::start(self, cluster.clone()).await?;
        cluster::follow::start(self.clone(), url.clone(), cluster.node).await
    }

    /// Tells the other nodes, if there are any.
    pub fn tell(&self, note: cluster::note::Note) {
        if let Some(cluster) = &self.cluster {
            cluster.tell(note);
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
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::limit_writes,
        ))
        .layer(axum::middleware::from_fn(http::track_latency))
        .with_state(state)
}
