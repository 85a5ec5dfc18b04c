//! Counts the WebSocket tasks still running, so shutdown can wait for them.
//!
//! Axum's graceful shutdown waits for HTTP connections only: once a connection is upgraded
//! to a WebSocket it is no longer tracked, and a process that exits right after `serve`
//! returns would cut its sockets off before their close frames (GOING_AWAY) went out.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

/// The number of socket tasks alive, and a wake-up for when it drops to zero.
#[derive(Debug, Default)]
pub struct LiveSockets {
    count: AtomicUsize,
    none_left: Notify,
}

/// Held by one socket task for its whole life.
#[derive(Debug)]
pub struct LiveSocket {
    sockets: Arc<LiveSockets>,
}

impl LiveSockets {
    /// Counts a socket task until the returned guard is dropped.
    pub fn enter(self: &Arc<Self>) -> LiveSocket {
        self.count.fetch_add(1, Ordering::SeqCst);
        LiveSocket {
            sockets: self.clone(),
        }
    }

    /// Socket tasks alive now.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Resolves once no socket task is left.
    pub async fn all_closed(&self) {
        loop {
            // Registered before the check, so a drop to zero in between still wakes us.
            let notified = self.none_left.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if self.count() == 0 {
                return;
            }
            notified.await;
        }
    }
}

impl Drop for LiveSocket {
    fn drop(&mut self) {
        if self.sockets.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.sockets.none_left.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::LiveSockets;

    #[tokio::test]
    async fn all_closed_waits_for_the_last_guard() {
        let sockets = Arc::new(LiveSockets::default());
        let first = sockets.enter();
        let second = sockets.enter();
        drop(first);
        let waiting = tokio::spawn({
            let sockets = sockets.clone();
            async move { sockets.all_closed().await }
        });
        assert!(!waiting.is_finished());
        drop(second);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("all_closed resolved after the last guard")
            .unwrap();
        assert_eq!(sockets.count(), 0);
    }
}
