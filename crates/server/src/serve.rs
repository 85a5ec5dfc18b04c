//! Running the app on a listener until a shutdown future resolves; then every socket is
//! closed with GOING_AWAY (clients reconnect and resume elsewhere or later), and serving
//! ends once HTTP requests and socket tasks are done, or after [`DRAIN_TIMEOUT`]. Requests
//! carry their peer address (`ConnectInfo<SocketAddr>`), which the per-address limits key on.
//!
//! The accept loop is ours (hyper's HTTP/1 connection builder, driven as `axum::serve`
//! drives it) for one setting `axum::serve` does not expose: a deadline for a request's
//! headers (`--header-read-timeout-ms`). Without it, a client that sends its headers a byte
//! at a time (slow loris) holds a connection and its task forever.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tidings_protocol::frame::close;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use crate::socket::LiveSockets;

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
    crate::stall_watch::start();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(state.settings.header_read_timeout);
    let router = app(state);
    // HTTP connections still open, and the signal that asks them to finish.
    let connections = std::sync::Arc::new(LiveSockets::default());
    let (stopping_tx, stopping) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors or a connection reset before accept: go on,
                    // after a pause when the process itself is short of something.
                    tracing::debug!(error = %e, "accept failed");
                    if !is_connection_error(&e) {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Frames are small and latency matters: without TCP_NODELAY, an ack written right
        // after the sender's own message echo waits for the client's delayed TCP ACK.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
        let service = router
            .clone()
            .map_request(move |mut request: hyper::Request<Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(remote));
                request.map(axum::body::Body::new)
            });
        let connection = http
            .serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service))
            .with_upgrades();
        let open = connections.enter();
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = async {
                    let _ = stopping.wait_for(|stopping| *stopping).await;
                } => {
                    // Finish the request in flight, then close; idle ones close at once.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                tracing::trace!(error = %e, "connection ended with an error");
            }
            drop(open);
        });
    }
    drop(listener);
    tracing::info!("shutting down: closing sockets");
    hub.close_all(close::GOING_AWAY);
    // Upgraded connections (sockets) are no longer HTTP connections: wait for their tasks
    // too, so their close frames go out before the process exits.
    let _ = stopping_tx.send(true);
    let everything_done = async {
        connections.all_closed().await;
        sockets.all_closed().await;
    };
    if tokio::time::timeout(DRAIN_TIMEOUT, everything_done)
        .await
        .is_err()
    {
        tracing::warn!("some connections were still open after the drain timeout");
    }
    Ok(())
}

/// Errors of one connection (not of the listener) that `accept` may report.
fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}
