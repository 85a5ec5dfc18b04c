//! The one delivery service both apps use: the socket and the outbox sender, settled
//! together by [`crate::settle`] on every frame and every loss.
//!
//! The app implements [`RealtimeApp`] (where its timelines are, what it hears) and sends
//! intents: a message ([`Realtime::send`], stored before anything else), any other frame
//! ([`Realtime::send_frame`]: read, delivered, typing, presence), a subscription, a retry
//! or discard of a failed message. It never calls the outbox's settling steps itself, so
//! it cannot forget one.

use std::cell::OnceCell;
use std::rc::Rc;

use tidings_protocol::{ClientFrame, ErrorCode, ServerFrame};
use uuid::Uuid;

use super::delivery::Delivery;
use super::socket::SocketHandler;
use super::socket_share::SharedSocket;
use super::tabs::Locks;
use crate::connection::ConnectionState;
use crate::outbox::{OutboxEntry, SharedStorage, StorageError};
use crate::settle::{self, OutboxPort, Settled, Timelines};
use crate::timeline::Timeline;

/// What the app provides and hears.
pub trait RealtimeApp {
    /// The conversations to subscribe on (re)connect, each with the seq it has all
    /// messages up to.
    fn resume_points(&self) -> Vec<(Uuid, u64)>;
    /// Applies `change` to the timeline of `conversation_id` if the app holds it (see
    /// [`Timelines`]).
    fn timeline(&self, conversation_id: Option<Uuid>, change: &mut dyn FnMut(&mut Timeline));
    /// A frame after settling (acks and refusals arrive settled, `hello` after the pump).
    fn settled(&self, settled: Settled);
    /// The status to show changed.
    fn state(&self, state: ConnectionState);
    /// The connection was lost; the outbox already counts its in-flight message unsent.
    fn disconnected(&self);
    /// The server refused the token; call [`Realtime::connect`] with a new one.
    fn unauthorized(&self);
}

/// The socket's handler: settles, then tells the app.
struct Settler {
    app: Rc<dyn RealtimeApp>,
    delivery: OnceCell<Delivery>,
}

impl Timelines for Settler {
    fn change(&self, conversation_id: Option<Uuid>, change: &mut dyn FnMut(&mut Timeline)) {
        self.app.timeline(conversation_id, change);
    }
}

impl OutboxPort for Delivery {
    fn pump(&mut self) {
        Delivery::pump(self);
    }
    fn acknowledged(&mut self, id: Uuid) -> Option<OutboxEntry> {
        Delivery::acknowledged(self, id)
    }
    fn refused(&mut self, id: Uuid, code: ErrorCode, reason: String) -> Option<OutboxEntry> {
        Delivery::refused(self, id, code, reason)
    }
    fn disconnected(&mut self) {
        Delivery::disconnected(self);
    }
}

impl SocketHandler for Settler {
    fn resume_points(&self) -> Vec<(Uuid, u64)> {
        self.app.resume_points()
    }

    fn on_frame(&self, frame: ServerFrame) {
        let Some(mut delivery) = self.delivery.get().cloned() else {
            return;
        };
        let settled = settle::settle(frame, &mut delivery, self);
        self.app.settled(settled);
    }

    fn on_state(&self, state: ConnectionState) {
        self.app.state(state);
    }

    fn on_disconnected(&self) {
        if let Some(mut delivery) = self.delivery.get().cloned() {
            settle::disconnected(&mut delivery);
        }
        self.app.disconnected();
    }

    fn on_unauthorized(&self) {
        self.app.unauthorized();
    }
}

/// The socket and outbox of one app. Cheap to clone; clones share them.
#[derive(Clone)]
pub struct Realtime {
    socket: SharedSocket,
    delivery: Delivery,
}

impl Realtime {
    /// A socket to `url` and an outbox in `storage` under keys `<prefix><id>`, flushed
    /// by one tab at a time under `locks`. Nothing is opened before [`Realtime::connect`].
    pub fn new(
        url: String,
        prefix: &str,
        storage: SharedStorage,
        locks: Locks,
        app: Rc<dyn RealtimeApp>,
    ) -> Realtime {
        Realtime::build(url, prefix, storage, locks, app, None)
    }

    /// As [`Realtime::new`], with one socket for all the tabs of the browser that use
    /// `channel`: one tab, holding the lock `channel`, holds it, and the others relay
    /// through it (see [`super::socket_share`]).
    pub fn one_per_browser(
        url: String,
        prefix: &str,
        storage: SharedStorage,
        locks: Locks,
        app: Rc<dyn RealtimeApp>,
        channel: &str,
    ) -> Realtime {
        Realtime::build(url, prefix, storage, locks, app, Some(channel))
    }

    fn build(
        url: String,
        prefix: &str,
        storage: SharedStorage,
        locks: Locks,
        app: Rc<dyn RealtimeApp>,
        channel: Option<&str>,
    ) -> Realtime {
        let settler = Rc::new(Settler {
            app,
            delivery: OnceCell::new(),
        });
        let share = channel.map(|name| (name, locks.clone()));
        let socket = SharedSocket::new(url, settler.clone(), share);
        let delivery = Delivery::with(socket.clone(), prefix, storage, locks);
        let _ = settler.delivery.set(delivery.clone());
        Realtime { socket, delivery }
    }

    /// Starts (or restarts) connecting with `token`.
    pub fn connect(&self, token: String) {
        self.socket.connect(token);
    }

    /// Stores a new message (before anything else) and sends it when it may. On `Err`
    /// nothing was stored: tell the person.
    pub fn send(
        &self,
        id: Uuid,
        conversation_id: Option<Uuid>,
        body: String,
    ) -> Result<OutboxEntry, StorageError> {
        self.delivery.enqueue(id, conversation_id, body)
    }

    /// Sends any other frame now; `false` when the socket is not up.
    pub fn send_frame(&self, frame: &ClientFrame) -> bool {
        self.socket.send(frame)
    }

    /// Follows a conversation from `after_seq` (and again on every reconnect, through
    /// [`RealtimeApp::resume_points`]).
    pub fn subscribe(&self, conversation_id: Uuid, after_seq: u64) -> bool {
        self.socket.subscribe(conversation_id, after_seq)
    }

    /// Every unacknowledged message, oldest first (also other tabs' and earlier pages').
    pub fn outbox(&self) -> Vec<OutboxEntry> {
        self.delivery.entries()
    }

    /// Another tab changed the outbox: send what is now due.
    pub fn outbox_changed(&self) {
        self.delivery.pump();
    }

    /// Puts a failed message back in line.
    pub fn retry(&self, id: Uuid) -> Option<OutboxEntry> {
        self.delivery.retry(id)
    }

    /// Drops a failed message for good.
    pub fn discard(&self, id: Uuid) {
        self.delivery.discard(id);
    }

    pub fn state(&self) -> ConnectionState {
        self.socket.state()
    }

    /// Skips the backoff wait and tries now (if not connected).
    pub fn reconnect_now(&self) {
        self.socket.reconnect_now();
    }

    /// Closes for good (logout, shutdown): no more retries or events.
    pub fn shutdown(&self) {
        self.socket.shutdown();
    }
}
