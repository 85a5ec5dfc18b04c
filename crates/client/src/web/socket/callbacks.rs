//! The closures the browser calls into a [`Socket`]: the WebSocket's `open`, `message` and
//! `close`, the retry timeout, the heartbeat interval, and the window's `online`/`offline`
//! and the document's `visibilitychange`. Installed once per `Socket`, attached to each
//! WebSocket it opens, and removed again on shutdown.
//!
//! Every closure holds only a weak reference, so a dropped `Socket` is not kept alive by
//! the browser's listeners.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket, Window};

use super::liveness::TICK_MS;
use super::{Inner, Socket};

/// Closures the browser calls; created once and shared by every WebSocket this
/// `Socket` opens (events of replaced sockets are recognised and ignored).
pub(super) struct Callbacks {
    open: Closure<dyn FnMut(Event)>,
    message: Closure<dyn FnMut(MessageEvent)>,
    close: Closure<dyn FnMut(CloseEvent)>,
    pub(super) retry: Closure<dyn FnMut()>,
    _tick: Closure<dyn FnMut()>,
    online: Closure<dyn FnMut(Event)>,
    offline: Closure<dyn FnMut(Event)>,
    visibility: Closure<dyn FnMut(Event)>,
}

impl Callbacks {
    /// Routes a newly opened WebSocket's events to this `Socket`.
    pub(super) fn attach(&self, ws: &WebSocket) {
        ws.set_onopen(Some(self.open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(self.message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(self.close.as_ref().unchecked_ref()));
    }

    /// Removes the window and document listeners added by `Socket::install_callbacks`.
    pub(super) fn remove_listeners(&self, w: &Window) {
        let _ =
            w.remove_event_listener_with_callback("online", self.online.as_ref().unchecked_ref());
        let _ =
            w.remove_event_listener_with_callback("offline", self.offline.as_ref().unchecked_ref());
        if let Some(d) = w.document() {
            let _ = d.remove_event_listener_with_callback(
                "visibilitychange",
                self.visibility.as_ref().unchecked_ref(),
            );
        }
    }
}

/// Stops `ws` from calling into this `Socket` (its closures may be dropped before the
/// browser fires the last events).
pub(super) fn detach(ws: &WebSocket) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
}

impl Socket {
    pub(super) fn install_callbacks(&self) {
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
}
