//! Talking to the loader on the host page through `postMessage`, origin checked both
//! ways: we only post to the host origin the loader gave us, and only accept messages
//! from our parent window at that origin.
//!
//! Every message is an object with `tidings: 1` and a `type`.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What the app tells the loader: `{tidings: 1, type: "ready"|"state"|"message"|"close"|
/// "set"|"remove"|"lock"|"unlock", …fields}` (field names as written here; `author` is
/// `null` when unknown).
#[derive(Debug, Clone)]
pub enum ToHost {
    /// The app is running and listening; `store`: it has no storage of its own and asks
    /// for the host's (answered by [`FromHost::Store`] before anything else).
    Ready { store: bool },
    /// Keep `value` under `key` in the host's storage (see `host_store`).
    Set { key: String, value: String },
    /// Forget `key` in the host's storage.
    Remove { key: String },
    /// Take the lock `name` for us in the host page; answered by [`FromHost::Locked`].
    Lock { name: String, id: u32 },
    /// Give back the lock granted as `id`.
    Unlock { id: u32 },
    /// The visitor's session is forgotten here (answer to [`FromHost::Forget`]).
    Forgotten,
    /// Unread count and whether this visitor has a conversation (the loader remembers the
    /// latter so a returning visitor's iframe is created on idle, for a live badge), and the
    /// launcher's labels, closed (with the unread count) and open, and the panel's title, in
    /// the visitor's language.
    State {
        unread: u32,
        has_conversation: bool,
        labels: [String; 3],
    },
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
#[derive(Debug, Clone)]
pub enum FromHost {
    /// The panel is shown; `focus` when the visitor opened it (not when it was restored
    /// after a navigation), so focus moves into the composer.
    Open {
        focus: bool,
    },
    Close,
    /// `Tidings('identify', …)`: details to attach; `user_id` with `user_hash` (the site's
    /// signature of it) makes the visitor verified.
    Identify {
        name: Option<String>,
        email: Option<String>,
        user_id: Option<String>,
        user_hash: Option<String>,
    },
    /// The host's storage as the app may use it: `ok` when the host page can keep data
    /// (otherwise `items` is empty and the app keeps things in memory).
    Store {
        ok: bool,
        items: Vec<(String, String)>,
    },
    /// Another tab changed `key` in the host's storage (`None`: removed).
    Changed {
        key: String,
        value: Option<String>,
    },
    /// The host could not keep a write (quota, storage withdrawn).
    StoreFailed {
        reason: String,
    },
    /// The lock asked for as `id` is held for us.
    Locked {
        id: u32,
    },
    /// `Tidings('shutdown')`: forget the visitor in this browser (token, outbox), then
    /// answer [`ToHost::Forgotten`].
    Forget,
    /// The host page navigated in place (`history.pushState`, back/forward): its URL now.
    Page {
        url: String,
    },
}

impl FromHost {
    /// Reads a message object posted by the loader (fields read directly: no JSON
    /// round trip for three tiny shapes).
    fn read(data: &JsValue) -> Option<FromHost> {
        let field = |k: &str| Reflect::get(data, &JsValue::from_str(k)).ok();
        if field("tidings")?.as_f64() != Some(1.0) {
            return None;
        }
        match field("type")?.as_string()?.as_str() {
            "open" => Some(FromHost::Open {
                focus: field("focus").and_then(|v| v.as_bool()).unwrap_or(true),
            }),
            "close" => Some(FromHost::Close),
            "forget" => Some(FromHost::Forget),
            "identify" => Some(FromHost::Identify {
                name: field("name").and_then(|v| v.as_string()),
                email: field("email").and_then(|v| v.as_string()),
                user_id: field("user_id").and_then(|v| v.as_string()),
                user_hash: field("user_hash").and_then(|v| v.as_string()),
            }),
            "store" => Some(FromHost::Store {
                ok: field("ok").and_then(|v| v.as_bool()).unwrap_or(false),
                items: field("items")
                    .filter(JsValue::is_object)
                    .map(|items| read_items(items.unchecked_ref()))
                    .unwrap_or_default(),
            }),
            "change" => Some(FromHost::Changed {
                key: field("key")?.as_string()?,
                value: field("value").and_then(|v| v.as_string()),
            }),
            "store-failed" => Some(FromHost::StoreFailed {
                reason: field("reason")
                    .and_then(|v| v.as_string())
                    .unwrap_or_default(),
            }),
            "page" => Some(FromHost::Page {
                url: field("page")?.as_string()?,
            }),
            "locked" => Some(FromHost::Locked {
                id: field("id")?.as_f64()? as u32,
            }),
            _ => None,
        }
    }
}

/// The string entries of a plain object (`{key: value, …}`), others skipped.
fn read_items(items: &js_sys::Object) -> Vec<(String, String)> {
    js_sys::Object::entries(items)
        .iter()
        .filter_map(|pair| {
            let pair: js_sys::Array = pair.unchecked_into();
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// Posts `message` to the host page, if embedded.
pub fn post(host_origin: Option<&str>, message: &ToHost) {
    let (Some(origin), Some(window)) = (host_origin, web_sys::window()) else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    let _ = parent.post_message(&message.to_object(), origin);
}

impl ToHost {
    /// The plain object posted (built directly: no JSON text, no serde code).
    fn to_object(&self) -> js_sys::Object {
        let object = js_sys::Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = Reflect::set(&object, &JsValue::from_str(key), &value);
        };
        // Keys in the order the JSON-built object had them: type, fields, tidings.
        set(
            "type",
            JsValue::from_str(match self {
                ToHost::Ready { .. } => "ready",
                ToHost::State { .. } => "state",
                ToHost::Message { .. } => "message",
                ToHost::Close => "close",
                ToHost::Set { .. } => "set",
                ToHost::Remove { .. } => "remove",
                ToHost::Lock { .. } => "lock",
                ToHost::Unlock { .. } => "unlock",
                ToHost::Forgotten => "forgotten",
            }),
        );
        match self {
            ToHost::Close | ToHost::Forgotten => {}
            ToHost::Ready { store } => set("store", JsValue::from_bool(*store)),
            ToHost::Set { key, value } => {
                set("key", JsValue::from_str(key));
                set("value", JsValue::from_str(value));
            }
            ToHost::Remove { key } => set("key", JsValue::from_str(key)),
            ToHost::Lock { name, id } => {
                set("name", JsValue::from_str(name));
                set("id", JsValue::from(*id));
            }
            ToHost::Unlock { id } => set("id", JsValue::from(*id)),
            ToHost::State {
                unread,
                has_conversation,
                labels: [closed, open, title],
            } => {
                set("unread", JsValue::from(*unread));
                set("has_conversation", JsValue::from_bool(*has_conversation));
                set(
                    "labels",
                    js_sys::Array::of3(
                        &JsValue::from_str(closed),
                        &JsValue::from_str(open),
                        &JsValue::from_str(title),
                    )
                    .into(),
                );
            }
            ToHost::Message {
                body,
                author,
                created_at,
            } => {
                set("body", JsValue::from_str(body));
                set(
                    "author",
                    author.as_deref().map_or(JsValue::NULL, JsValue::from_str),
                );
                set("created_at", JsValue::from_f64(*created_at as f64));
            }
        }
        set("tidings", JsValue::from_f64(1.0));
        object
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
    crate::dom::on(&window, "message", move |e| {
        let e: &web_sys::MessageEvent = e.unchecked_ref();
        let from_parent = match (e.source(), parent.as_ref()) {
            (Some(source), Some(parent)) => js_sys::Object::is(&source, parent),
            _ => false,
        };
        if e.origin() != origin || !from_parent {
            return;
        }
        if let Some(command) = FromHost::read(&e.data()) {
            on_command(command);
        }
    });
}
