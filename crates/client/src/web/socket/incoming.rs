//! What a [`Socket`] does with the events of its current WebSocket: authenticate on
//! `open`, answer pings and dispatch frames on `message` (re-subscribing after `hello`, and
//! again after a passing refusal of a subscribe not answered by a snapshot), and on
//! `close` either stop (token refused) or forget the connection and retry.
//! Events of a replaced WebSocket are ignored.

use tidings_protocol::{frame::close, ClientFrame, ErrorCode, ServerFrame, PROTOCOL_VERSION};
use web_sys::{CloseEvent, Event, MessageEvent};

use super::{now, send_on, Socket};

impl Socket {
    /// Whether `event` comes from the socket currently in use (not a replaced one).
    fn is_current(&self, event: &Event) -> bool {
        let inner = self.inner.borrow();
        match (inner.ws.as_ref(), event.target()) {
            (Some(ws), Some(target)) => js_sys::Object::is(ws, &target),
            _ => false,
        }
    }

    pub(super) fn on_open(&self, event: Event) {
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

    pub(super) fn on_message(&self, event: MessageEvent) {
        if !self.is_current(&event) {
            return;
        }
        self.inner.borrow_mut().heartbeat.received(now());
        let Some(text) = event.data().as_string() else {
            return;
        };
        let handler = self.inner.borrow().handler.clone();
        handler.on_text(&text);
        let Ok(frame) = crate::decode::server_frame(&text) else {
            return; // A newer server's frame this client does not know: skip it.
        };
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
                    // Subscriptions of an earlier connection died with it; the resume
                    // points below subscribe afresh.
                    inner.subscriptions.clear();
                    inner.resubscribe_at = None;
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
                code: ErrorCode::Unauthorized,
                ..
            } if !self.inner.borrow().authenticated => self.refused(),
            ServerFrame::Snapshot { ref conversation } => {
                self.inner
                    .borrow_mut()
                    .subscriptions
                    .answered(conversation.id);
                handler.on_frame(frame);
            }
            ref error if crate::subscriptions::may_refuse_a_subscribe(error) => {
                // A subscribe may have been refused (the rate does not say which frame).
                self.schedule_resubscribe();
                handler.on_frame(frame);
            }
            other => handler.on_frame(other),
        }
    }

    pub(super) fn on_close(&self, event: CloseEvent) {
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
    pub(super) fn lost(&self) {
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
}
