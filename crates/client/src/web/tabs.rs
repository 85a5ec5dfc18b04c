//! Coordination between tabs of one origin: a typed `BroadcastChannel`, and Web Locks so
//! that one tab at a time does a job (flush the outbox, play the sound).
//!
//! Web Locks are reached through `js_sys::Reflect` rather than web-sys's unstable
//! bindings, so no special compiler flag is needed. Without the API (very old browsers),
//! every lock is granted at once: correctness of the outbox never depends on the lock
//! (the server stores a re-sent id once); it only spares duplicate work.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A `BroadcastChannel` carrying text (the app encodes its own notes, without serde's
/// per-type code). Messages a tab posts reach the other tabs of the origin, never itself.
/// Closing happens on drop.
pub struct TabChannel {
    channel: web_sys::BroadcastChannel,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl TabChannel {
    /// Opens channel `name`; `on_message` gets every text message from other tabs.
    /// `None` where `BroadcastChannel` is not available.
    pub fn open(name: &str, mut on_message: impl FnMut(String) + 'static) -> Option<Self> {
        let channel = web_sys::BroadcastChannel::new(name).ok()?;
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |event: web_sys::MessageEvent| {
                if let Some(text) = event.data().as_string() {
                    on_message(text);
                }
            },
        );
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(TabChannel {
            channel,
            _on_message: on_message,
        })
    }

    /// Sends `text` to the other tabs.
    pub fn post(&self, text: &str) {
        let _ = self.channel.post_message(&JsValue::from_str(text));
    }
}

impl Drop for TabChannel {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}

/// A held Web Lock. Dropping it (or calling [`LockGuard::release`]) lets the next tab in.
pub struct LockGuard {
    resolve: Option<js_sys::Function>,
}

impl LockGuard {
    pub fn release(mut self) {
        self.release_now();
    }

    fn release_now(&mut self) {
        if let Some(resolve) = self.resolve.take() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        self.release_now();
    }
}

fn lock_manager() -> Option<JsValue> {
    let navigator = web_sys::window()?.navigator();
    let locks = js_sys::Reflect::get(&navigator, &JsValue::from_str("locks")).ok()?;
    let request = js_sys::Reflect::get(&locks, &JsValue::from_str("request")).ok()?;
    request.is_function().then_some(locks)
}

/// Whether this browser has Web Locks (otherwise every request is granted at once).
pub fn locks_supported() -> bool {
    lock_manager().is_some()
}

/// Asks for the exclusive lock `name`; `on_acquired` runs when this tab gets it (maybe
/// at once, maybe when another tab releases it or closes) and holds it as long as it
/// keeps the guard.
pub fn request_lock(name: &str, on_acquired: impl FnOnce(LockGuard) + 'static) {
    let Some(locks) = lock_manager() else {
        on_acquired(LockGuard { resolve: None });
        return;
    };
    let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        let mut resolve: Option<js_sys::Function> = None;
        // The lock is held until this promise settles, i.e. until the guard is dropped.
        let held = js_sys::Promise::new(&mut |res, _rej| resolve = Some(res));
        on_acquired(LockGuard { resolve });
        held.into()
    });
    let request = js_sys::Reflect::get(&locks, &JsValue::from_str("request"))
        .ok()
        .and_then(|r| r.dyn_into::<js_sys::Function>().ok());
    if let Some(request) = request {
        let _ = request.call2(&locks, &JsValue::from_str(name), &callback);
    }
}

/// Becomes the leader for `name` when possible and stays leader until the tab closes:
/// `on_leader` runs once, in exactly one tab at a time.
pub fn become_leader(name: &str, on_leader: impl FnOnce() + 'static) {
    request_lock(name, move |guard| {
        // Never released: the lock goes to the next tab when this one goes away.
        std::mem::forget(guard);
        on_leader();
    });
}
