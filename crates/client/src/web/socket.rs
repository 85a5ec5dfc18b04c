//! The WebSocket to `/v1/socket`, kept alive: authenticates on open, re-subscribes every
//! conversation from its resume seq on every connect, pings, notices dead or half-open
//! connections by silence, and reconnects with capped, jittered backoff — at once when
//! the browser comes back online or the tab becomes visible.
//!
//! Events go to a [`SocketHandler`]. The handler is never called while the socket's own
//! state is borrowed, so it may call back into the [`Socket`] (send, subscribe).

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use tidings_protocol::{frame::close, ClientFrame, ServerFrame, PROTOCOL_VERSION};
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use crate::backoff::Backoff;
use crate::connection::{ConnectionState, Heartbeat, HeartbeatAction};

/// What the application learns from the socket.
pub trait SocketHandler {
    /// The conversations to subscribe on (re)connect, each with the seq it has all
    /// messages up to. Asked right after every `hello`.
    fn resume_points(&self) -> Vec<(Uuid, u64)>;
    /// Every server frame except heartbeats, `hello` included (sent after the
    /// re-subscriptions, so the handler can flush its outbox then).
    fn on_frame(&self, frame: ServerFrame);
    /// The status to show changed.
    fn on_state(&self, state: ConnectionState);
    /// The connection was lost (or dropped as dead): anything unacknowledged is unsent.
    fn on_disconnected(&self);
    /// The server refused the token. The socket stops retrying until [`Socket::connect`]
    /// is called with a new one.
    fn on_unauthorized(&self);
}

/// How often the heartbeat is checked, in milliseconds.
const TICK_MS: i32 = 1_000;

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
    last_state: Option<ConnectionState>,
    nonce: u64,
    callbacks: Option<Callbacks>,
}

/// Closures the browser calls; created once and shared by every WebSocket this
/// `Socket` opens (events of replaced sockets are recognised and ignored).
struct Callbacks {
    open: Closure<dyn FnMut(Event)>,
    message: Closure<dyn FnMut(MessageEvent)>,
    close: Closure<dyn FnMut(CloseEvent)>,
    retry: Closure<dyn FnMut()>,
    _tick: Closure<dyn FnMut()>,
    online: Closure<dyn FnMut(Event)>,
    offline: Closure<dyn FnMut(Event)>,
    visibility: Closure<dyn FnMut(Event)>,
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
    pub fn send(&self, frame: &ClientFrame) -> bool {
        let inner = self.inner.borrow();
        if !inner.authenticated {
            return false;
        }
        send_on(inner.ws.as_ref(), frame)
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
                    let _ = w.remove_event_listener_with_callback(
                        "online",
                        cb.online.as_ref().unchecked_ref(),
                    );
                    let _ = w.remove_event_listener_with_callback(
                        "offline",
                        cb.offline.as_ref().unchecked_ref(),
                    );
                    if let Some(d) = w.document() {
                        let _ = d.remove_event_listener_with_callback(
                            "visibilitychange",
                            cb.visibility.as_ref().unchecked_ref(),
                        );
                    }
                }
            }
            inner.ws.take()
        };
        if let Some(ws) = ws {
            // Detach our handlers first: the browser fires `close` later, possibly after this
            // Socket (and the closures it owns) has been dropped.
            ws.set_onopen(None);
            ws.set_onmessage(None);
            ws.set_onclose(None);
            let _ = ws.close_with_code(1000);
        }
    }

    fn install_callbacks(&self) {
        let weak = Rc::downgrade(&self.inner);
        let with = move |f: fn(&Socket)| {
            let weak: Weak<RefCell<Inner>> = weak.clone();
            move || {
                if let Some(inner) = weak.upgrade() {
                    f(&Socket { inner });
                }
            }
        };
        let open = {
            let weak = Rc::downgrade(&self.inner);
            Closure::<dyn FnMut(Event)>::new(move |e: Event| {
                if let Some(inner) = weak.upgrade() {
                    Socket { inner }.on_open(e);
                }
            })
        };
        let message = {
            let weak = Rc::downgrade(&self.inner);
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                if let Some(inner) = weak.upgrade() {
                    Socket { inner }.on_message(e);
                }
            })
        };
        let close = {
            let weak = Rc::downgrade(&self.inner);
            Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
                if let Some(inner) = weak.upgrade() {
                    Socket { inner }.on_close(e);
                }
            })
        };
        let retry = Closure::<dyn FnMut()>::new(with(|s| {
            s.inner.borrow_mut().retry_timer = None;
            s.open_now();
        }));
        let tick = Closure::<dyn FnMut()>::new(with(Socket::on_tick));
        let on_online = with(Socket::on_browser_online);
        let online = Closure::<dyn FnMut(Event)>::new(move |_: Event| on_online());
        let on_offline = with(Socket::on_browser_offline);
        let offline = Closure::<dyn FnMut(Event)>::new(move |_: Event| on_offline());
        let on_visible = with(Socket::on_visibility);
        let visibility = Closure::<dyn FnMut(Event)>::new(move |_: Event| on_visible());

        if let Some(w) = web_sys::window() {
            let _ = w.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
            let _ = w.add_event_listener_with_callback("offline", offline.as_ref().unchecked_ref());
            if let Some(d) = w.document() {
                let _ = d.add_event_listener_with_callback(
                    "visibilitychange",
                    visibility.as_ref().unchecked_ref(),
                );
            }
            let handle = w
                .set_interval_with_callback_and_timeout_and_arguments_0(
                    tick.as_ref().unchecked_ref(),
                    TICK_MS,
                )
                .ok();
            self.inner.borrow_mut().tick_timer = handle;
        }
        self.inner.borrow_mut().callbacks = Some(Callbacks {
            open,
            message,
            close,
            retry,
            _tick: tick,
            online,
            offline,
            visibility,
        });
    }

    /// Whether `event` comes from the socket currently in use (not a replaced one).
    fn is_current(&self, event: &Event) -> bool {
        let inner = self.inner.borrow();
        match (inner.ws.as_ref(), event.target()) {
            (Some(ws), Some(target)) => js_sys::Object::is(ws, &target),
            _ => false,
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
                    ws.set_onopen(Some(cb.open.as_ref().unchecked_ref()));
                    ws.set_onmessage(Some(cb.message.as_ref().unchecked_ref()));
                    ws.set_onclose(Some(cb.close.as_ref().unchecked_ref()));
                }
                inner.heartbeat = Heartbeat::connecting(now());
                inner.ws = Some(ws);
            }
            Err(_) => self.schedule_retry(),
        }
        self.emit_state();
    }

    fn on_open(&self, event: Event) {
        if !self.is_current(&event) {
            return;
        }
        let inner = self.inner.borrow();
        if let Some(token) = inner.token.clone() {
            send_on(
                inner.ws.as_ref(),
                &ClientFrame::Auth {
                    token,
                    version: PROTOCOL_VERSION,
                },
            );
        }
    }

    fn on_message(&self, event: MessageEvent) {
        if !self.is_current(&event) {
            return;
        }
        self.inner.borrow_mut().heartbeat.received(now());
        let Some(text) = event.data().as_string() else {
            return;
        };
        let Ok(frame) = crate::decode::server_frame(&text) else {
            return; // A newer server's frame this client does not know: skip it.
        };
        let handler = self.inner.borrow().handler.clone();
        match frame {
            ServerFrame::Ping { nonce } => {
                let inner = self.inner.borrow();
                send_on(inner.ws.as_ref(), &ClientFrame::Pong { nonce });
            }
            ServerFrame::Pong { .. } => {}
            ServerFrame::Hello {
                heartbeat_interval_ms,
                heartbeat_timeout_ms,
                ..
            } => {
                {
                    let mut inner = self.inner.borrow_mut();
                    inner.authenticated = true;
                    inner.backoff.reset();
                    inner
                        .heartbeat
                        .established(now(), heartbeat_interval_ms, heartbeat_timeout_ms);
                }
                for (conversation_id, after_seq) in handler.resume_points() {
                    self.subscribe(conversation_id, after_seq);
                }
                self.emit_state();
                handler.on_frame(frame);
            }
            ServerFrame::Error {
                code: tidings_protocol::ErrorCode::Unauthorized,
                ..
            } if !self.inner.borrow().authenticated => self.refused(),
            other => handler.on_frame(other),
        }
    }

    fn on_close(&self, event: CloseEvent) {
        if !self.is_current(&event) {
            return;
        }
        if event.code() == close::UNAUTHORIZED {
            self.refused();
        } else {
            self.lost();
        }
    }

    /// The token was refused: stop, and let the application get a new one.
    fn refused(&self) {
        let (ws, handler) = {
            let mut inner = self.inner.borrow_mut();
            inner.token = None;
            inner.authenticated = false;
            (inner.ws.take(), inner.handler.clone())
        };
        if let Some(ws) = ws {
            let _ = ws.close();
        }
        handler.on_disconnected();
        self.emit_state();
        handler.on_unauthorized();
    }

    /// The connection is gone or declared dead: forget it and retry later.
    fn lost(&self) {
        let (ws, handler) = {
            let mut inner = self.inner.borrow_mut();
            inner.authenticated = false;
            (inner.ws.take(), inner.handler.clone())
        };
        if let Some(ws) = ws {
            // A half-open socket may never report its close; don't wait for it.
            let _ = ws.close_with_code(1000);
        }
        handler.on_disconnected();
        self.schedule_retry();
        self.emit_state();
    }

    fn schedule_retry(&self) {
        let mut inner = self.inner.borrow_mut();
        let delay = inner.backoff.next_delay_ms(js_sys::Math::random());
        if !inner.browser_online || inner.token.is_none() || inner.retry_timer.is_some() {
            return; // The `online` event or a new token will start the next attempt.
        }
        let (Some(w), Some(cb)) = (web_sys::window(), inner.callbacks.as_ref()) else {
            return;
        };
        inner.retry_timer = w
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                cb.retry.as_ref().unchecked_ref(),
                delay as i32,
            )
            .ok();
    }

    fn on_tick(&self) {
        let action = {
            let mut inner = self.inner.borrow_mut();
            if inner.ws.is_none() {
                return;
            }
            inner.heartbeat.tick(now())
        };
        match action {
            HeartbeatAction::Nothing => {}
            HeartbeatAction::Ping => {
                let mut inner = self.inner.borrow_mut();
                inner.nonce += 1;
                let nonce = inner.nonce;
                if inner.authenticated {
                    send_on(inner.ws.as_ref(), &ClientFrame::Ping { nonce });
                }
            }
            HeartbeatAction::Dead => self.lost(),
        }
    }

    fn on_browser_online(&self) {
        {
            let mut inner = self.inner.borrow_mut();
            inner.browser_online = true;
            inner.backoff.reset();
        }
        self.reconnect_now();
        self.emit_state();
    }

    fn on_browser_offline(&self) {
        let was_connected = {
            let mut inner = self.inner.borrow_mut();
            inner.browser_online = false;
            inner.ws.is_some()
        };
        // The socket may look open but traffic is dropped (half-open): give it up now.
        if was_connected {
            self.lost();
        }
        self.emit_state();
    }

    fn on_visibility(&self) {
        let visible = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
        if !visible {
            return;
        }
        let connected = self.inner.borrow().authenticated;
        if connected {
            // Check a possibly stale connection (phone woke up) with a ping right away.
            let mut inner = self.inner.borrow_mut();
            inner.nonce += 1;
            let nonce = inner.nonce;
            send_on(inner.ws.as_ref(), &ClientFrame::Ping { nonce });
        } else {
            self.reconnect_now();
        }
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
