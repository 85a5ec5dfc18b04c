//! The WebSocket to `/v1/socket`, kept alive: authenticates on open, re-subscribes every
//! conversation from its resume seq on every connect, pings, notices dead or half-open
//! connections by silence, and reconnects with capped, jittered backoff — at once when
//! the browser comes back online or the tab becomes visible.
//!
//! Events go to a [`SocketHandler`]. The handler is never called while the socket's own
//! state is borrowed, so it may call back into the [`Socket`] (send, subscribe).
//!
//! A subscribe the server refused for a passing reason (the connection's rate, a database
//! that did not answer) is sent again after a backoff until its snapshot arrives (see
//! [`crate::subscriptions`]), so neither a burst of frames nor a loaded server can leave a
//! conversation silently unstreamed.
//!
//! This file holds the connection state and the public API. The browser callbacks and
//! their removal are in `callbacks`, the reactions to the WebSocket's own events in
//! `incoming`, and the heartbeat, retry timer and online/visibility signals in `liveness`.

mod callbacks;
mod incoming;
mod liveness;

use std::cell::RefCell;
use std::rc::Rc;

use tidings_protocol::{ClientFrame, ServerFrame};
use uuid::Uuid;
use web_sys::WebSocket;

use crate::backoff::Backoff;
use crate::connection::{ConnectionState, Heartbeat};
use crate::subscriptions::PendingSubscriptions;
use callbacks::Callbacks;

/// What the application learns from the socket.
pub trait SocketHandler {
    /// The conversations to subscribe on (re)connect, each with the seq it has all
    /// messages up to. Asked right after every `hello`.
    fn resume_points(&self) -> Vec<(Uuid, u64)>;
    /// Every server frame except heartbeats, `hello` included (sent after the
    /// re-subscriptions, so the handler can flush its outbox then).
    fn on_frame(&self, frame: ServerFrame);
    /// Every frame's text as the server wrote it, heartbeats included, before it is read
    /// (the leader of a shared socket forwards it to the other tabs).
    fn on_text(&self, _text: &str) {}
    /// The status to show changed.
    fn on_state(&self, state: ConnectionState);
    /// The connection was lost (or dropped as dead): anything unacknowledged is unsent.
    fn on_disconnected(&self);
    /// The server refused the token. The socket stops retrying until [`Socket::connect`]
    /// is called with a new one.
    fn on_unauthorized(&self);
}

struct Inner {
    url: String,
    token: Option<String>,
    handler: Rc<dyn SocketHandler>,
    ws: Option<WebSocket>,
    authenticated: bool,
    browser_online: bool,
    backoff: Backoff,
    heartbeat: Heartbeat,
    retry_timer: Option<i32>,
    tick_timer: Option<i32>,
    /// Subscribes of this connection not answered by a snapshot yet.
    subscriptions: PendingSubscriptions,
    /// When to re-send the unanswered subscribes after a passing refusal (checked
    /// by the heartbeat tick: no timer of its own, which would cost the widget bytes).
    resubscribe_at: Option<f64>,
    last_state: Option<ConnectionState>,
    nonce: u64,
    callbacks: Option<Callbacks>,
}

/// A self-healing connection. Cheap to clone; all clones drive the same socket.
#[derive(Clone)]
pub struct Socket {
    inner: Rc<RefCell<Inner>>,
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn browser_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

impl Socket {
    /// A socket to `url` (e.g. `wss://host/v1/socket`); nothing is opened before
    /// [`Socket::connect`].
    pub fn new(url: impl Into<String>, handler: Rc<dyn SocketHandler>) -> Socket {
        let inner = Rc::new(RefCell::new(Inner {
            url: url.into(),
            token: None,
            handler,
            ws: None,
            authenticated: false,
            browser_online: browser_online(),
            backoff: Backoff::new(),
            heartbeat: Heartbeat::connecting(now()),
            retry_timer: None,
            tick_timer: None,
            subscriptions: PendingSubscriptions::new(),
            resubscribe_at: None,
            last_state: None,
            nonce: 0,
            callbacks: None,
        }));
        let socket = Socket { inner };
        socket.install_callbacks();
        socket
    }

    /// The `ws(s)://<host>/v1/socket` URL of the page's own origin.
    pub fn same_origin_url() -> String {
        let location = web_sys::window().map(|w| w.location());
        let host = location
            .as_ref()
            .and_then(|l| l.host().ok())
            .unwrap_or_default();
        let secure = location
            .and_then(|l| l.protocol().ok())
            .is_some_and(|p| p == "https:");
        format!("{}://{host}/v1/socket", if secure { "wss" } else { "ws" })
    }

    /// Starts (or restarts) connecting with `token`.
    pub fn connect(&self, token: String) {
        self.inner.borrow_mut().token = Some(token);
        self.inner.borrow_mut().backoff.reset();
        self.open_now();
    }

    /// Sends a frame if the socket is authenticated; `false` means it was not sent.
    /// A `subscribe` sent here is re-sent if the server refuses it for the rate.
    pub fn send(&self, frame: &ClientFrame) -> bool {
        let mut inner = self.inner.borrow_mut();
        if let ClientFrame::Unsubscribe { conversation_id } = frame {
            inner.subscriptions.unsubscribed(*conversation_id);
        }
        if !inner.authenticated {
            return false;
        }
        let sent = send_on(inner.ws.as_ref(), frame);
        match frame {
            ClientFrame::Subscribe {
                conversation_id,
                after_seq,
            } if sent => inner.subscriptions.sent(*conversation_id, *after_seq),
            _ => {}
        }
        sent
    }

    /// Sends a frame already encoded (another tab's, relayed) if the socket is
    /// authenticated; `false` means it was not sent.
    pub fn send_text(&self, text: &str) -> bool {
        let inner = self.inner.borrow();
        inner.authenticated
            && inner.ws.as_ref().is_some_and(|ws| {
                ws.ready_state() == WebSocket::OPEN && ws.send_with_str(text).is_ok()
            })
    }

    /// Subscribes to a conversation now (it is re-subscribed on reconnects through
    /// [`SocketHandler::resume_points`]).
    pub fn subscribe(&self, conversation_id: Uuid, after_seq: u64) -> bool {
        self.send(&ClientFrame::Subscribe {
            conversation_id,
            after_seq,
        })
    }

    pub fn state(&self) -> ConnectionState {
        let inner = self.inner.borrow();
        ConnectionState::derive(
            inner.browser_online,
            inner.authenticated,
            inner.backoff.failures(),
        )
    }

    pub fn is_online(&self) -> bool {
        self.state() == ConnectionState::Online
    }

    /// Skips the backoff wait and tries now (if not connected).
    pub fn reconnect_now(&self) {
        let idle = self.inner.borrow().ws.is_none();
        if idle {
            self.open_now();
        }
    }

    /// Closes for good (logout, widget shutdown): no more retries or events.
    pub fn shutdown(&self) {
        let ws = {
            let mut inner = self.inner.borrow_mut();
            inner.token = None;
            inner.authenticated = false;
            if let Some(w) = web_sys::window() {
                if let Some(t) = inner.retry_timer.take() {
                    w.clear_timeout_with_handle(t);
                }
                if let Some(t) = inner.tick_timer.take() {
                    w.clear_interval_with_handle(t);
                }
                if let Some(cb) = &inner.callbacks {
                    cb.remove_listeners(&w);
                }
            }
            inner.ws.take()
        };
        if let Some(ws) = ws {
            // Detach our handlers first: the browser fires `close` later, possibly after this
            // Socket (and the closures it owns) has been dropped.
            callbacks::detach(&ws);
            let _ = ws.close_with_code(1000);
        }
    }

    /// Opens a new WebSocket now, replacing any current one.
    fn open_now(&self) {
        let old = {
            let mut inner = self.inner.borrow_mut();
            if let (Some(t), Some(w)) = (inner.retry_timer.take(), web_sys::window()) {
                w.clear_timeout_with_handle(t);
            }
            inner.authenticated = false;
            inner.ws.take()
        };
        if let Some(old) = old {
            let _ = old.close();
        }
        let (url, has_token, online) = {
            let inner = self.inner.borrow();
            (
                inner.url.clone(),
                inner.token.is_some(),
                inner.browser_online,
            )
        };
        if !has_token || !online {
            self.emit_state();
            return;
        }
        match WebSocket::new(&url) {
            Ok(ws) => {
                let mut inner = self.inner.borrow_mut();
                if let Some(cb) = &inner.callbacks {
                    cb.attach(&ws);
                }
                inner.heartbeat = Heartbeat::connecting(now());
                inner.ws = Some(ws);
            }
            Err(_) => self.schedule_retry(),
        }
        self.emit_state();
    }

    /// Tells the handler about a state change (only actual changes).
    fn emit_state(&self) {
        let state = self.state();
        let handler = {
            let mut inner = self.inner.borrow_mut();
            if inner.last_state == Some(state) {
                return;
            }
            inner.last_state = Some(state);
            inner.handler.clone()
        };
        handler.on_state(state);
    }
}

fn send_on(ws: Option<&WebSocket>, frame: &ClientFrame) -> bool {
    let Some(ws) = ws else { return false };
    if ws.ready_state() != WebSocket::OPEN {
        return false;
    }
    ws.send_with_str(&crate::encode::client_frame(frame))
        .is_ok()
}
