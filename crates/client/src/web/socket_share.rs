//! One socket per browser (the widget): the tab that holds the lock `<channel>` holds the
//! [`Socket`]; the other tabs follow it through a `BroadcastChannel` of that name.
//!
//! The leader forwards every server frame as the server wrote it, and its connection
//! state, to the followers, which hand them to the same handler as a socket of their own
//! would (so the same settling and reducers apply; the timeline de-duplicates by id and
//! seq). A follower hands the leader the frames it would send ([`crate::relay`]). The
//! outbox is sent by the leader alone: a follower's [`SharedSocket::is_online`] is
//! `false`, and its new messages reach the leader through the shared storage.
//!
//! When the leader's tab closes, the browser (or the host page, see the widget's
//! `host_store`) releases its lock and the next tab takes it and connects. On the page's
//! `freeze` the leader gives the socket and the lock up, and on `resume` it asks again as
//! a follower. Every follower subscribes again from its own last seq whenever a connection
//! comes up, so a takeover leaves no gap. Without a `BroadcastChannel`, every tab keeps a
//! socket of its own, as does every tab where locks are granted at once (no Web Locks).

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use tidings_protocol::{ClientFrame, ServerFrame};
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::socket::{Socket, SocketHandler};
use super::tabs::{LockGuard, Locks, TabChannel};
use crate::connection::ConnectionState;
use crate::relay::{Following, RelayNote, StateChange};

struct Share {
    channel: Rc<TabChannel>,
    locks: Locks,
    name: String,
    guard: Option<LockGuard>,
    /// A request for the lock is pending.
    asking: bool,
    /// The page is frozen: it neither leads nor asks to.
    frozen: bool,
    following: Following,
    _lifecycle: Option<[Closure<dyn FnMut()>; 2]>,
}

struct Inner {
    url: String,
    handler: Rc<dyn SocketHandler>,
    token: Option<String>,
    /// This tab's socket: always for a tab alone, while leading for a shared one.
    socket: Option<Socket>,
    share: Option<Share>,
    closed: bool,
}

/// A socket this tab holds or shares with the other tabs. Cheap to clone.
#[derive(Clone)]
pub struct SharedSocket {
    inner: Rc<RefCell<Inner>>,
}

/// The leader's socket handler: forwards to the other tabs, then handles as usual.
struct Forwarder {
    channel: Rc<TabChannel>,
    handler: Rc<dyn SocketHandler>,
}

impl SocketHandler for Forwarder {
    fn resume_points(&self) -> Vec<(Uuid, u64)> {
        self.handler.resume_points()
    }
    fn on_text(&self, text: &str) {
        self.channel.post(&RelayNote::Frame(text.to_owned()).text());
    }
    fn on_frame(&self, frame: ServerFrame) {
        self.handler.on_frame(frame);
    }
    fn on_state(&self, state: ConnectionState) {
        self.channel.post(&RelayNote::State(state).text());
        self.handler.on_state(state);
    }
    fn on_disconnected(&self) {
        self.handler.on_disconnected();
    }
    fn on_unauthorized(&self) {
        self.handler.on_unauthorized();
    }
}

impl SharedSocket {
    /// A socket to `url` shared by the tabs that use `channel` and its lock in `locks`;
    /// where `BroadcastChannel` is missing, this tab's own.
    pub fn new(
        url: String,
        handler: Rc<dyn SocketHandler>,
        share: Option<(&str, Locks)>,
    ) -> SharedSocket {
        let me = SharedSocket {
            inner: Rc::new(RefCell::new(Inner {
                url,
                handler,
                token: None,
                socket: None,
                share: None,
                closed: false,
            })),
        };
        let channel = share.and_then(|(name, locks)| {
            let weak = Rc::downgrade(&me.inner);
            let channel = TabChannel::open(name, move |text| {
                if let (Some(inner), Some(note)) = (weak.upgrade(), RelayNote::read(&text)) {
                    SharedSocket { inner }.on_note(note);
                }
            })?;
            Some(Share {
                channel: Rc::new(channel),
                locks,
                name: name.to_owned(),
                guard: None,
                asking: false,
                frozen: false,
                following: Following::default(),
                _lifecycle: watch_lifecycle(Rc::downgrade(&me.inner)),
            })
        });
        let mut inner = me.inner.borrow_mut();
        if channel.is_none() {
            inner.socket = Some(Socket::new(inner.url.clone(), inner.handler.clone()));
        }
        inner.share = channel;
        drop(inner);
        me
    }

    /// Starts (or restarts) connecting with `token`: this tab's socket if it has one,
    /// otherwise it follows the leader and asks to lead.
    pub fn connect(&self, token: String) {
        self.inner.borrow_mut().token = Some(token.clone());
        match self.socket() {
            Some(socket) => socket.connect(token),
            None => self.seek_leadership(),
        }
    }

    fn socket(&self) -> Option<Socket> {
        self.inner.borrow().socket.clone()
    }

    fn post(&self, note: &RelayNote) {
        let channel = self
            .inner
            .borrow()
            .share
            .as_ref()
            .map(|s| s.channel.clone());
        if let Some(channel) = channel {
            channel.post(&note.text());
        }
    }

    /// Asks for the lock (once) and meanwhile follows: asks the leader for its state.
    fn seek_leadership(&self) {
        let ask = {
            let mut inner = self.inner.borrow_mut();
            let Some(share) = inner.share.as_mut() else {
                return;
            };
            if share.asking || share.frozen || share.guard.is_some() {
                None
            } else {
                share.asking = true;
                Some((share.locks.clone(), share.name.clone()))
            }
        };
        if let Some((locks, name)) = ask {
            let weak = Rc::downgrade(&self.inner);
            locks.request(&name, move |guard| {
                if let Some(inner) = weak.upgrade() {
                    SharedSocket { inner }.lead(guard);
                }
            });
        }
        self.post(&RelayNote::Ask);
    }

    /// This tab got the lock: it opens the socket and forwards what it hears.
    fn lead(&self, guard: LockGuard) {
        let forwarder = {
            let mut inner = self.inner.borrow_mut();
            let handler = inner.handler.clone();
            let closed = inner.closed;
            let Some(share) = inner.share.as_mut() else {
                return;
            };
            share.asking = false;
            if closed || share.frozen {
                None
            } else {
                share.guard = Some(guard);
                let change = share.following.forget();
                Some((
                    Forwarder {
                        channel: share.channel.clone(),
                        handler,
                    },
                    change,
                ))
            }
        };
        // A guard not kept is dropped here: the lock goes to the next tab.
        let Some((forwarder, change)) = forwarder else {
            return;
        };
        if change.lost {
            forwarder.handler.on_disconnected();
        }
        let (url, token) = {
            let inner = self.inner.borrow();
            (inner.url.clone(), inner.token.clone())
        };
        let socket = Socket::new(url, Rc::new(forwarder));
        self.inner.borrow_mut().socket = Some(socket.clone());
        if let Some(token) = token {
            socket.connect(token);
        }
    }

    /// The page is being frozen: a leader closes its socket and lets the lock go, so that
    /// another tab takes over at once.
    fn freeze(&self) {
        let (socket, guard, change, handler) = {
            let mut inner = self.inner.borrow_mut();
            let handler = inner.handler.clone();
            let socket = inner.socket.take();
            let Some(share) = inner.share.as_mut() else {
                return;
            };
            share.frozen = true;
            let guard = share.guard.take();
            (socket, guard, share.following.forget(), handler)
        };
        if let Some(socket) = socket {
            socket.shutdown();
            self.post(&RelayNote::State(ConnectionState::Connecting));
            handler.on_disconnected();
        } else if change.lost {
            handler.on_disconnected();
        }
        handler.on_state(ConnectionState::Connecting);
        drop(guard);
    }

    /// The page runs again: it follows whoever leads now, and asks to lead.
    fn resume(&self) {
        let token = {
            let mut inner = self.inner.borrow_mut();
            if let Some(share) = inner.share.as_mut() {
                share.frozen = false;
            }
            inner.token.clone()
        };
        if token.is_some() {
            self.seek_leadership();
        }
    }

    fn on_note(&self, note: RelayNote) {
        let (socket, handler) = {
            let inner = self.inner.borrow();
            if inner.closed || inner.share.as_ref().is_none_or(|s| s.frozen) {
                return;
            }
            (inner.socket.clone(), inner.handler.clone())
        };
        match (socket, note) {
            (Some(socket), RelayNote::Send(text)) => _ = socket.send_text(&text),
            (
                Some(socket),
                RelayNote::Subscribe {
                    conversation_id,
                    after_seq,
                },
            ) => _ = socket.subscribe(conversation_id, after_seq),
            (Some(socket), RelayNote::Ask) => self.post(&RelayNote::State(socket.state())),
            (None, RelayNote::Frame(text)) => match crate::decode::server_frame(&text) {
                Ok(ServerFrame::Ping { .. } | ServerFrame::Pong { .. }) | Err(_) => {}
                Ok(frame) => handler.on_frame(frame),
            },
            (None, RelayNote::State(state)) => {
                let change = self
                    .inner
                    .borrow_mut()
                    .share
                    .as_mut()
                    .map(|s| s.following.leader_state(state))
                    .unwrap_or_default();
                self.followed(change, state, &*handler);
            }
            _ => {}
        }
    }

    fn followed(&self, change: StateChange, state: ConnectionState, handler: &dyn SocketHandler) {
        if change.lost {
            handler.on_disconnected();
        }
        if change.changed {
            handler.on_state(state);
        }
        if change.resubscribe {
            for (conversation_id, after_seq) in handler.resume_points() {
                self.post(&RelayNote::Subscribe {
                    conversation_id,
                    after_seq,
                });
            }
        }
    }

    /// Sends a frame: on this tab's socket, or through the leader while it is online.
    pub fn send(&self, frame: &ClientFrame) -> bool {
        if let Some(socket) = self.socket() {
            return socket.send(frame);
        }
        let online = self.state() == ConnectionState::Online;
        if online {
            self.post(&RelayNote::for_frame(frame));
        }
        online
    }

    pub fn subscribe(&self, conversation_id: Uuid, after_seq: u64) -> bool {
        self.send(&ClientFrame::Subscribe {
            conversation_id,
            after_seq,
        })
    }

    /// The state to show: this tab's socket's, or the leader's.
    pub fn state(&self) -> ConnectionState {
        let inner = self.inner.borrow();
        match (&inner.socket, &inner.share) {
            (Some(socket), _) => socket.state(),
            (None, Some(share)) => share.following.state(),
            (None, None) => ConnectionState::Connecting,
        }
    }

    /// Whether this tab's own socket is up (only then does it send the outbox).
    pub fn is_online(&self) -> bool {
        self.socket().is_some_and(|s| s.is_online())
    }

    pub fn reconnect_now(&self) {
        if let Some(socket) = self.socket() {
            socket.reconnect_now();
        }
    }

    /// Closes for good: no more frames, and the lock goes to the next tab.
    pub fn shutdown(&self) {
        // The channel and the page's listeners stay (a closed tab ignores them).
        let (socket, guard) = {
            let mut inner = self.inner.borrow_mut();
            inner.closed = true;
            let guard = inner.share.as_mut().and_then(|s| s.guard.take());
            (inner.socket.take(), guard)
        };
        if let Some(socket) = socket {
            socket.shutdown();
        }
        drop(guard);
    }
}

/// Calls `freeze` and `resume` on the page's lifecycle events (Chrome's Page Lifecycle).
fn watch_lifecycle(inner: Weak<RefCell<Inner>>) -> Option<[Closure<dyn FnMut()>; 2]> {
    let document = web_sys::window()?.document()?;
    let on = |event: &str, f: fn(&SharedSocket)| {
        let inner = inner.clone();
        let closure = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = inner.upgrade() {
                f(&SharedSocket { inner });
            }
        });
        let _ = document.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        closure
    };
    Some([
        on("freeze", SharedSocket::freeze),
        on("resume", SharedSocket::resume),
    ])
}
