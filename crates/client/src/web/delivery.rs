//! Sends the outbox over the socket: stored first, then flushed in order, one message
//! awaiting its ack at a time, by one tab at a time (Web Lock `<prefix>flush`).
//!
//! The application feeds it what the socket says (`hello`, `ack`, refusals, disconnects)
//! and what other tabs say ("the outbox changed"); it never decides about the UI.

use std::cell::RefCell;
use std::rc::Rc;

use tidings_protocol::{ClientFrame, ErrorCode};
use uuid::Uuid;

use super::socket_share::SharedSocket;
use super::storage::LocalStorage;
use super::tabs::{LockGuard, Locks};
use crate::outbox::{is_transient, Outbox, OutboxEntry, SharedStorage, StorageError};
use wasm_bindgen::JsCast;

/// Pause before re-sending a message the server turned away for a passing reason.
const RETRY_AFTER_TRANSIENT_MS: i32 = 1_000;

struct Inner {
    outbox: Outbox<SharedStorage>,
    socket: SharedSocket,
    locks: Locks,
    lock_name: String,
    guard: Option<LockGuard>,
    waiting_for_lock: bool,
}

/// The outbox sender. Cheap to clone; clones share one outbox.
#[derive(Clone)]
pub struct Delivery {
    inner: Rc<RefCell<Inner>>,
}

impl Delivery {
    /// An outbox in `localStorage` under keys `<prefix><id>`, sent through `socket`.
    /// Use one prefix per user of the origin (e.g. `tidings.outbox.visitor.`).
    pub fn new(socket: SharedSocket, prefix: &str) -> Delivery {
        Delivery::with(
            socket,
            prefix,
            SharedStorage::new(LocalStorage::new()),
            Locks::browser(),
        )
    }

    /// An outbox in `storage` under keys `<prefix><id>`, flushed under `locks`' lock
    /// `<prefix>flush`.
    pub fn with(
        socket: SharedSocket,
        prefix: &str,
        storage: SharedStorage,
        locks: Locks,
    ) -> Delivery {
        Delivery {
            inner: Rc::new(RefCell::new(Inner {
                outbox: Outbox::new(storage, prefix),
                socket,
                locks,
                lock_name: format!("{prefix}flush"),
                guard: None,
                waiting_for_lock: false,
            })),
        }
    }

    /// Stores a new message (before anything else) and sends it if the socket is up.
    /// On `Err` nothing was stored: tell the person.
    pub fn enqueue(
        &self,
        id: Uuid,
        conversation_id: Option<Uuid>,
        body: String,
    ) -> Result<OutboxEntry, StorageError> {
        let entry =
            self.inner
                .borrow_mut()
                .outbox
                .enqueue(id, conversation_id, body, super::now_ms())?;
        self.pump();
        Ok(entry)
    }

    /// Everything unacknowledged, oldest first (also other tabs' entries).
    pub fn entries(&self) -> Vec<OutboxEntry> {
        self.inner.borrow().outbox.entries()
    }

    /// Sends the next entry if this tab may: call after `hello`, after another tab
    /// changed the outbox, and whenever in doubt (it does nothing when idle).
    pub fn pump(&self) {
        let (online, busy, has_lock, waiting) = {
            let inner = self.inner.borrow();
            let busy = inner.outbox.in_flight().is_some()
                || inner.outbox.entries().iter().any(OutboxEntry::is_pending);
            (
                inner.socket.is_online(),
                busy,
                inner.guard.is_some(),
                inner.waiting_for_lock,
            )
        };
        if !online || !busy {
            self.release();
            return;
        }
        if !has_lock {
            if !waiting {
                self.acquire();
            }
            return;
        }
        let idle = {
            let mut inner = self.inner.borrow_mut();
            match inner.outbox.next_to_send() {
                Some(entry) => {
                    let sent = inner.socket.send(&ClientFrame::Send {
                        id: entry.id,
                        conversation_id: entry.conversation_id,
                        body: entry.body,
                    });
                    if !sent {
                        inner.outbox.connection_lost();
                    }
                    !sent
                }
                None => inner.outbox.in_flight().is_none(),
            }
        };
        if idle {
            self.release();
        }
    }

    fn acquire(&self) {
        let (name, locks, me) = {
            let mut inner = self.inner.borrow_mut();
            inner.waiting_for_lock = true;
            (inner.lock_name.clone(), inner.locks.clone(), self.clone())
        };
        locks.request(&name, move |guard| {
            {
                let mut inner = me.inner.borrow_mut();
                inner.waiting_for_lock = false;
                inner.guard = Some(guard);
            }
            me.pump();
        });
    }

    fn release(&self) {
        let guard = self.inner.borrow_mut().guard.take();
        drop(guard);
    }

    /// The server stored message `id`. Returns its entry if this tab still had it.
    pub fn acknowledged(&self, id: Uuid) -> Option<OutboxEntry> {
        let entry = self.inner.borrow_mut().outbox.acknowledge(id);
        self.pump();
        entry
    }

    /// The server refused message `id`. A lasting refusal (too long, ended, ...) keeps
    /// it as failed until retried or discarded, and returns it; a passing one (rate
    /// limit, server trouble) keeps it pending and tries again a second later.
    pub fn refused(&self, id: Uuid, code: ErrorCode, reason: String) -> Option<OutboxEntry> {
        if is_transient(code) {
            self.inner.borrow_mut().outbox.connection_lost();
            let me = self.clone();
            let again = wasm_bindgen::closure::Closure::once_into_js(move || me.pump());
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    again.unchecked_ref(),
                    RETRY_AFTER_TRANSIENT_MS,
                );
            }
            return None;
        }
        let entry = self.inner.borrow_mut().outbox.refuse(id, code, reason);
        self.pump();
        entry
    }

    /// Puts a failed message back in line.
    pub fn retry(&self, id: Uuid) -> Option<OutboxEntry> {
        let entry = self.inner.borrow_mut().outbox.retry(id);
        self.pump();
        entry
    }

    /// Drops a failed message for good.
    pub fn discard(&self, id: Uuid) {
        self.inner.borrow_mut().outbox.discard(id);
        self.pump();
    }

    /// The socket went down: the message on the wire counts as unsent, and another tab
    /// with a working connection may flush meanwhile.
    pub fn disconnected(&self) {
        self.inner.borrow_mut().outbox.connection_lost();
        self.release();
    }
}
