//! Keeping a [`Socket`] alive: the retry timer with its backoff, the heartbeat tick that
//! pings and declares silent connections dead, the browser's `online`/`offline` and
//! visibility signals that cut the wait short or reveal a half-open connection; the tick
//! also re-sends subscribes refused for the rate.

use tidings_protocol::ClientFrame;
use wasm_bindgen::JsCast;

use super::{now, send_on, Socket};
use crate::connection::HeartbeatAction;

/// How often the heartbeat is checked, in milliseconds.
pub(super) const TICK_MS: i32 = 1_000;

impl Socket {
    pub(super) fn schedule_retry(&self) {
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

    /// The server refused a frame that may have been a subscribe: once the backoff has
    /// passed, the tick subscribes again to every conversation whose snapshot has not come.
    pub(super) fn schedule_resubscribe(&self) {
        let mut inner = self.inner.borrow_mut();
        if inner.resubscribe_at.is_some() {
            return;
        }
        if let Some(delay) = inner.subscriptions.refused(js_sys::Math::random()) {
            inner.resubscribe_at = Some(now() + delay as f64);
        }
    }

    fn resubscribe_if_due(&self) {
        let unanswered = {
            let mut inner = self.inner.borrow_mut();
            match inner.resubscribe_at {
                Some(at) if now() >= at => inner.resubscribe_at = None,
                _ => return,
            }
            inner.subscriptions.take_unanswered()
        };
        for (conversation_id, after_seq) in unanswered {
            self.subscribe(conversation_id, after_seq);
        }
    }

    pub(super) fn on_tick(&self) {
        self.resubscribe_if_due();
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

    pub(super) fn on_browser_online(&self) {
        {
            let mut inner = self.inner.borrow_mut();
            inner.browser_online = true;
            inner.backoff.reset();
        }
        self.reconnect_now();
        self.emit_state();
    }

    pub(super) fn on_browser_offline(&self) {
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

    pub(super) fn on_visibility(&self) {
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
}
