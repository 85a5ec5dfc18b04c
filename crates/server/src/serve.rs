//! Running the app on a listener until a shutdown future resolves; then every socket is
//! closed with GOING_AWAY (clients reconnect and resume elsewhere or later). Requests carry
//! their peer address (`ConnectInfo<SocketAddr>`), which the per-IP limits key on.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::time::Duration;

use tidings_protocol::frame::close;
use tokio::net::TcpListener;

use crate::{app, AppState};

/// How long in-flight requests get to finish after the sockets were told to go away.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves `state` on `listener` until `shutdown` resolves.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let hub = state.hub.clone();
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, service).with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: closing sockets");
        hub.close_all(close::GOING_AWAY);
        let _ = stopping_tx.send(());
    });
    let server = std::pin::pin!(server.into_future());
    // Once shutdown starts, in-flight work gets a bounded time to finish.
    tokio::select! {
        result = server => result,
        _ = async {
            let _ = stopping_rx.await;
            tokio::time::sleep(DRAIN_TIMEOUT).await;
        } => Ok(()),
    }
}
