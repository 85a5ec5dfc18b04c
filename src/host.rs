//! Talking to the loader on the host page through `postMessage`, origin checked both
//! ways: we only post to the host origin the loader gave us, and only accept messages
//! from our parent window at that origin.
//!
//! Every message is an object with `tidings: 1` and a `type`.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What the app tells the loader.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToHost {
    /// The app is running and listening.
    Ready,
    /// Unread count and whether this visitor has a conversation (the loader remembers the
    /// latter so a returning visitor's iframe is created on idle, for a live badge).
    State { unread: u32, has_conversation: bool },
    /// A live agent message, for `Tidings('on', 'message', …)`.
    Message {
        body: String,
        author: Option<String>,
        created_at: i64,
    },
    /// The visitor asked to close the panel (Esc, close button).
    Close,
}

/// What the loader tells the app.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromHost {
    Open,
    Close,
    Identify {
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        email: Option<String>,
    },
}

/// Posts `message` to the host page, if embedded.
pub fn post(host_origin: Option<&str>, message: &ToHost) {
    let (Some(origin), Some(window)) = (host_origin, web_sys::window()) else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    let Ok(mut value) = serde_json::to_value(message) else {
        return;
    };
    value["tidings"] = 1.into();
    if let Ok(object) = js_sys::JSON::parse(&value.to_string()) {
        let _ = parent.post_message(&object, origin);
    }
}

/// Calls `on_command` for every valid message from the host page. The listener lives as
/// long as the page.
pub fn listen(host_origin: Option<String>, on_command: impl Fn(FromHost) + 'static) {
    let Some(origin) = host_origin else { return };
    let Some(window) = web_sys::window() else {
        return;
    };
    let parent = window.parent().ok().flatten();
    let handler = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        let from_parent = match (e.source(), parent.as_ref()) {
            (Some(source), Some(parent)) => js_sys::Object::is(&source, parent),
            _ => false,
        };
        if e.origin() != origin || !from_parent {
            return;
        }
        let Ok(text) = js_sys::JSON::stringify(&e.data()) else {
            return;
        };
        let text: String = text.into();
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
            return;
        };
        if value.get("tidings") != Some(&1.into()) {
            return;
        }
        if let Ok(command) = serde_json::from_value::<FromHost>(value) {
            on_command(command);
        }
    });
    let _ = window.add_event_listener_with_callback("message", handler.as_ref().unchecked_ref());
    handler.forget();
}
