//! The console's realtime handle for one session: `tidings-client`'s [`Realtime`] (the
//! socket and the outbox, settled together) and the receipts owed to the server, paced
//! by [`OutgoingReceipts`]. It lives in `ConsoleState` (passed, never global); what the
//! socket reports goes to the app given at creation (`sync.rs`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::set_timeout;
use tidings_client::outbox::OutboxEntry;
use tidings_client::web::realtime::{Realtime, RealtimeApp};
use tidings_client::web::socket::Socket;
use tidings_client::web::storage::LocalStorage;
use tidings_client::web::tabs::Locks;
use tidings_client::SharedStorage;
use tidings_protocol::ClientFrame;
use uuid::Uuid;

use crate::browser;
use crate::logic::outgoing_receipts::{Flushed, OutgoingReceipts};
use crate::texts::tf;

/// The socket, outbox and owed receipts of one session. Cheap to clone.
#[derive(Clone)]
pub struct Live {
    realtime: Realtime,
    receipts: Rc<RefCell<OutgoingReceipts>>,
    /// A timer will flush the receipts; no second one is set meanwhile.
    flush_set: Rc<Cell<bool>>,
}

impl Live {
    /// The realtime service of agent `agent_id`, reporting to `app`; not connected yet.
    pub fn new(agent_id: Uuid, app: Rc<dyn RealtimeApp>) -> Live {
        // One outbox per agent, so two agents sharing a browser never send each other's
        // text.
        let prefix = format!("tidings.outbox.agent.{agent_id}.");
        Live {
            realtime: Realtime::new(
                Socket::same_origin_url(),
                &prefix,
                SharedStorage::new(LocalStorage::new()),
                Locks::browser(),
                app,
            ),
            receipts: Rc::new(RefCell::new(OutgoingReceipts::new())),
            flush_set: Rc::new(Cell::new(false)),
        }
    }

    pub fn connect(&self, token: String) {
        self.realtime.connect(token);
    }

    /// Closes the socket for good (logout).
    pub fn shutdown(&self) {
        self.realtime.shutdown();
    }

    /// Sends a frame now; `false` when the socket is not up (the caller retries on
    /// `hello`, or the frame is not worth keeping: typing, presence).
    pub fn send_frame(&self, frame: &ClientFrame) -> bool {
        self.realtime.send_frame(frame)
    }

    /// Follows a conversation (and again on every reconnect, through the resume points).
    pub fn subscribe(&self, conversation_id: Uuid, after_seq: u64) -> bool {
        self.realtime.subscribe(conversation_id, after_seq)
    }

    /// Stores a message in the outbox (before anything else) and sends it when possible;
    /// the error is a sentence for the composer.
    pub fn send_message(
        &self,
        id: Uuid,
        conversation_id: Uuid,
        body: String,
    ) -> Result<(), String> {
        self.realtime
            .send(id, Some(conversation_id), body)
            .map(|_| ())
            .map_err(|err| tf("realtime.not_stored", &[("reason", &err.to_string())]))
    }

    /// Every unacknowledged message (also written before a reload).
    pub fn outbox(&self) -> Vec<OutboxEntry> {
        self.realtime.outbox()
    }

    pub fn retry(&self, id: Uuid) {
        self.realtime.retry(id);
    }

    pub fn discard(&self, id: Uuid) {
        self.realtime.discard(id);
    }

    /// Lends the owed receipts to a reducer step (given back with [`Live::put_receipts`]).
    pub fn take_receipts(&self) -> OutgoingReceipts {
        std::mem::take(&mut *self.receipts.borrow_mut())
    }

    pub fn put_receipts(&self, receipts: OutgoingReceipts) {
        *self.receipts.borrow_mut() = receipts;
    }

    /// Sends the receipts that are due now, and sets a timer for the rest.
    pub fn flush_receipts(&self) {
        let now = browser::now_ms() as f64;
        let (flushed, next) = {
            let mut receipts = self.receipts.borrow_mut();
            let flushed = receipts.flush(now, |receipt| self.send_frame(&receipt.frame()));
            (flushed, receipts.next_flush_in(now))
        };
        // Offline: the next `hello` flushes.
        if flushed == Flushed::Offline || self.flush_set.get() {
            return;
        }
        if let Some(wait) = next {
            self.flush_set.set(true);
            let me = self.clone();
            set_timeout(
                move || {
                    me.flush_set.set(false);
                    me.flush_receipts();
                },
                Duration::from_millis(wait.ceil() as u64),
            );
        }
    }
}
