//! Running the app on a listener until a shutdown future resolves; then every socket is
//! closed with GOING_AWAY (clients reconnect and resume elsewhere or later), and serving
//! ends once HTTP requests and socket tasks are done, or after [`DRAIN_TIMEOUT`]. Requests
//! carry their peer address (`ConnectInfo<SocketAddr>`), which the per-IP limits key on.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::time::Duration;

use axum::serve::ListenerExt;
use tidings_protocol::frame::close;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::{app, AppState};

/// How long in-flight requests and sockets get to finish after the sockets were told to
/// go away.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves `state` on `listener` until `shutdown` resolves.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let hub = state.hub.clone();
    let sockets = state.sockets.clone();
    let (stopping_tx, stopping_rx) = watch::channel(false);
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    // Frames are small and latency matters: without TCP_NODELAY, an ack written right after
    // the sender's own message echo waits for the client's delayed TCP ACK (about 40 ms).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    let server = axum::serve(listener, service).with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: closing sockets");
        hub.close_all(close::GOING_AWAY);
        let _ = stopping_tx.send(true);
    });
    // A dropped sender also means serving is over.
    let stopping = |mut stopping: watch::Receiver<bool>| async move {
        let _ = stopping.wait_for(|stopping| *stopping).await;
    };
    // Axum's graceful shutdown does not wait for upgraded connections: wait for the socket
    // tasks too, so their close frames go out before the process exits.
    let everything_done = async {
        let (served, ()) = tokio::join!(server.into_future(), async {
            stopping(stopping_rx.clone()).await;
            sockets.all_closed().await;
        });
        served
    };
    tokio::select! {
        served = everything_done => served,
        _ = async {
            stopping(stopping_rx.clone()).await;
            tokio::time::sleep(DRAIN_TIMEOUT).await;
        } => Ok(()),
    }
}
