//! How the hub asks a socket task to close: a code set once and a wake-up for whoever
//! waits on it (the connection's loop, or sockets in their handshake at shutdown).

use std::sync::atomic::{AtomicU16, Ordering};

use tokio::sync::Notify;

/// Asks a connection (or, for the hub's shutdown, every socket) to close with a code
/// (slow consumer, logout, shutdown). The first code wins; any number of tasks may wait.
#[derive(Debug, Default)]
pub struct Closer {
    code: AtomicU16,
    notify: Notify,
}

impl Closer {
    pub fn close(&self, code: u16) {
        if self
            .code
            .compare_exchange(0, code, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            self.notify.notify_waiters();
        }
    }

    /// The code asked for, if any yet.
    pub fn code(&self) -> Option<u16> {
        match self.code.load(Ordering::SeqCst) {
            0 => None,
            code => Some(code),
        }
    }

    /// Waits until a close is requested, then returns its code.
    pub async fn requested(&self) -> u16 {
        loop {
            // Registered before the check, so a close in between still wakes us.
            let notified = self.notify.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if let Some(code) = self.code() {
                return code;
            }
            notified.await;
        }
    }
}
