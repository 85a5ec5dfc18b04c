//! The console's one socket and outbox, both from `tidings-client`: this module only owns
//! them for the session and forwards what they report to [`crate::frames`].

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use tidings_client::web::delivery::Delivery;
use tidings_client::web::socket::{Socket, SocketHandler};
use tidings_client::{ConnectionState, OutboxEntry};
use tidings_protocol::{ClientFrame, ErrorCode, ServerFrame};
use uuid::Uuid;

use crate::state::{ConsoleState, Session};
use crate::texts::{t, tf};

#[derive(Clone)]
struct Live {
    socket: Socket,
    delivery: Delivery,
}

thread_local! {
    static LIVE: RefCell<Option<Live>> = const { RefCell::new(None) };
    /// Sockets closed by logout. `Socket::shutdown` leaves the WebSocket's own handlers
    /// installed, and the browser fires `close` after the call returns: dropping the
    /// socket then would make that event call a freed closure (a page error). Keeping
    /// the few closed ones alive costs a few hundred bytes per logout.
    static RETIRED: RefCell<Vec<Live>> = const { RefCell::new(Vec::new()) };
}

fn live() -> Option<Live> {
    LIVE.with(|l| l.borrow().clone())
}

/// Opens the socket for a session (closing any previous one).
pub fn start(state: ConsoleState, session: &Session) {
    stop();
    let handler = Rc::new(Handler { state });
    let socket = Socket::new(Socket::same_origin_url(), handler);
    // One outbox per agent, so two agents sharing a browser never send each other's text.
    let prefix = format!("tidings.outbox.agent.{}.", session.agent.id);
    let delivery = Delivery::new(socket.clone(), &prefix);
    LIVE.with(|l| {
        *l.borrow_mut() = Some(Live {
            socket: socket.clone(),
            delivery,
        })
    });
    socket.connect(session.token.clone());
}

/// Closes the socket for good (logout).
pub fn stop() {
    let previous = LIVE.with(|l| l.borrow_mut().take());
    if let Some(previous) = previous {
        previous.socket.shutdown();
        RETIRED.with(|r| r.borrow_mut().push(previous));
    }
}

/// Sends a frame now; `false` when the socket is not up (the caller retries on `hello`).
pub fn send(frame: ClientFrame) -> bool {
    live().is_some_and(|l| l.socket.send(&frame))
}

pub fn subscribe(conversation_id: Uuid, after_seq: u64) -> bool {
    live().is_some_and(|l| l.socket.subscribe(conversation_id, after_seq))
}

/// Stores a message in the outbox (before anything else) and sends it when possible.
pub fn enqueue(id: Uuid, conversation_id: Uuid, body: String) -> Result<(), String> {
    let live = live().ok_or_else(|| t("realtime.not_connected"))?;
    live.delivery
        .enqueue(id, Some(conversation_id), body)
        .map(|_| ())
        .map_err(|err| tf("realtime.not_stored", &[("reason", &err.to_string())]))
}

/// Unacknowledged messages of one conversation (also written before a reload).
pub fn outbox_for(conversation_id: Uuid) -> Vec<OutboxEntry> {
    live()
        .map(|l| l.delivery.entries())
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.conversation_id == Some(conversation_id))
        .collect()
}

pub fn pump() {
    if let Some(l) = live() {
        l.delivery.pump();
    }
}

pub fn acknowledged(id: Uuid) {
    if let Some(l) = live() {
        l.delivery.acknowledged(id);
    }
}

/// A lasting refusal returns the refused entry; a passing one is retried by the outbox.
pub fn refused(id: Uuid, code: ErrorCode, reason: String) -> Option<OutboxEntry> {
    live().and_then(|l| l.delivery.refused(id, code, reason))
}

pub fn retry(id: Uuid) {
    if let Some(l) = live() {
        l.delivery.retry(id);
    }
}

pub fn discard(id: Uuid) {
    if let Some(l) = live() {
        l.delivery.discard(id);
    }
}

/// What the socket reports, turned into state changes.
struct Handler {
    state: ConsoleState,
}

impl SocketHandler for Handler {
    fn resume_points(&self) -> Vec<(Uuid, u64)> {
        // Only conversations whose latest history page is in: before that the resume
        // point is unknown, and the history loader subscribes itself when done.
        self.state.threads.with_untracked(|threads| {
            threads
                .iter()
                .filter(|(_, t)| t.loaded && !t.unavailable)
                .map(|(id, t)| (*id, t.timeline.resume_seq()))
                .collect()
        })
    }

    fn on_frame(&self, frame: ServerFrame) {
        crate::frames::apply(self.state, frame);
    }

    fn on_state(&self, connection: ConnectionState) {
        self.state.connection.set(connection);
    }

    fn on_disconnected(&self) {
        if let Some(l) = live() {
            l.delivery.disconnected();
        }
        // Receipts not acknowledged by a frame may be lost with the connection.
        crate::threads::forget_sent_receipts();
        self.state.threads.update(|threads| {
            for thread in threads.values_mut() {
                thread.typing = None;
            }
        });
    }

    fn on_unauthorized(&self) {
        crate::session::expire(self.state, &t("session.ended"));
    }
}
