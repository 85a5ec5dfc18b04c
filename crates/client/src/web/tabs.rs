//! Coordination between tabs of one origin: a typed `BroadcastChannel`, and Web Locks so
//! that one tab at a time does a job (flush the outbox, play the sound).
//!
//! Web Locks are reached through `js_sys::Reflect` rather than web-sys's unstable
//! bindings, so no special compiler flag is needed. Without the API (very old browsers)
//! or where it is refused (a cross-site frame), every lock is granted at once:
//! correctness of the outbox never depends on the lock (the server stores a re-sent id
//! once); it only spares duplicate work. [`Locks`] lets an app take its locks elsewhere
//! (the widget asks its host page, see the widget's `host_store`).

use std::cell::RefCell;
use std::rc::Rc;

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

/// A held lock. Dropping it (or calling [`LockGuard::release`]) lets the next tab in.
pub struct LockGuard {
    release: Option<Box<dyn FnOnce()>>,
}

impl LockGuard {
    /// A guard that runs `release` once, when dropped or released.
    pub fn new(release: impl FnOnce() + 'static) -> LockGuard {
        LockGuard {
            release: Some(Box::new(release)),
        }
    }

    /// A guard for a lock nobody else could ask for (no lock service at all).
    fn unshared() -> LockGuard {
        LockGuard { release: None }
    }

    pub fn release(mut self) {
        self.release_now();
    }

    fn release_now(&mut self) {
        if let Some(release) = self.release.take() {
            release();
        }
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        self.release_now();
    }
}

type Acquired = Box<dyn FnOnce(LockGuard)>;
/// Grants lock `name` by calling the callback once it is held.
type Provider = Rc<dyn Fn(&str, Acquired)>;

/// Who grants exclusive locks between the tabs of a user: the browser's Web Locks, or a
/// provider the app plugs in (the widget asks the loader on the host page when its own
/// frame is denied Web Locks). Cheap to clone.
#[derive(Clone, Default)]
pub struct Locks {
    provider: Option<Provider>,
}

impl Locks {
    /// This document's own Web Locks.
    pub fn browser() -> Locks {
        Locks::default()
    }

    /// Locks granted by `provider(name, on_acquired)`, which must call `on_acquired` once,
    /// when the lock is held, with a guard whose release gives it back.
    pub fn provided_by(provider: impl Fn(&str, Acquired) + 'static) -> Locks {
        Locks {
            provider: Some(Rc::new(provider)),
        }
    }

    /// Asks for the exclusive lock `name` (see [`request_lock`]).
    pub fn request(&self, name: &str, on_acquired: impl FnOnce(LockGuard) + 'static) {
        match &self.provider {
            Some(provider) => provider(name, Box::new(on_acquired)),
            None => request_lock(name, on_acquired),
        }
    }

    /// Becomes the leader for `name` (see [`become_leader`]).
    pub fn become_leader(&self, name: &str, on_leader: impl FnOnce() + 'static) {
        self.request(name, move |guard| {
            // Never released: the lock goes to the next tab when this one goes away.
            std::mem::forget(guard);
            on_leader();
        });
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

/// `promise.catch(refused)` for a lock request's promise, or the refusal at once if the
/// request itself threw (no promise).
fn on_refusal(promise: Option<JsValue>, refused: &JsValue) {
    let catch = promise.as_ref().and_then(|p| {
        js_sys::Reflect::get(p, &JsValue::from_str("catch"))
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()
    });
    let refused: &js_sys::Function = refused.unchecked_ref();
    match (promise, catch) {
        (Some(promise), Some(catch)) => {
            let _ = catch.call1(&promise, refused);
        }
        _ => {
            let _ = refused.call0(&JsValue::UNDEFINED);
        }
    }
}

/// What [`claim_for`] calls with its answer.
type Claimed = Box<dyn FnOnce(bool)>;

/// Claims `name` for this tab alone, if no other tab holds it: `on_claimed(true)` when this
/// tab got it (it then keeps it for `hold_ms`), `on_claimed(false)` when another tab holds
/// it. Where Web Locks are missing or refuse, every tab gets `true`.
///
/// For "exactly one tab acts on this event": the lock manager lives in the browser process,
/// so its answer is the same for every tab at once, unlike `localStorage`, whose writes in
/// one renderer reach another's copy a little later.
pub fn claim_for(name: &str, hold_ms: i32, on_claimed: impl FnOnce(bool) + 'static) {
    let Some(locks) = lock_manager() else {
        on_claimed(true);
        return;
    };
    let pending: Rc<RefCell<Option<Claimed>>> = Rc::new(RefCell::new(Some(Box::new(on_claimed))));
    let answered = pending.clone();
    let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        let claimed = !lock.is_null();
        if let Some(on_claimed) = answered.borrow_mut().take() {
            on_claimed(claimed);
        }
        if !claimed {
            return JsValue::UNDEFINED;
        }
        // Held until this promise settles, `hold_ms` from now.
        js_sys::Promise::new(&mut |resolve, _reject| {
            if let Some(window) = web_sys::window() {
                let _ =
                    window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, hold_ms);
            }
        })
        .into()
    });
    let refused = Closure::once_into_js(move |_error: JsValue| {
        if let Some(on_claimed) = pending.borrow_mut().take() {
            on_claimed(true);
        }
    });
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
    let request = js_sys::Reflect::get(&locks, &JsValue::from_str("request"))
        .ok()
        .and_then(|r| r.dyn_into::<js_sys::Function>().ok());
    let promise = request.and_then(|r| {
        r.call3(&locks, &JsValue::from_str(name), &options, &callback)
            .ok()
    });
    on_refusal(promise, &refused);
}

/// Asks this document's Web Locks for the exclusive lock `name`; `on_acquired` runs
/// when this tab gets it (maybe at once, maybe when another tab releases it or closes)
/// and holds it as long as it keeps the guard.
///
/// Where the browser has no Web Locks, or refuses them to this document (a cross-site
/// frame without storage access gets `SecurityError`), the lock is granted at once: the
/// app keeps working, and only the sparing of duplicate work between tabs is lost.
pub fn request_lock(name: &str, on_acquired: impl FnOnce(LockGuard) + 'static) {
    let Some(locks) = lock_manager() else {
        on_acquired(LockGuard::unshared());
        return;
    };
    // Called from the lock's callback or, if the request is refused, from its rejection.
    let pending: Rc<RefCell<Option<Acquired>>> = Rc::new(RefCell::new(Some(Box::new(on_acquired))));
    let granted = pending.clone();
    let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        let mut resolve: Option<js_sys::Function> = None;
        // The lock is held until this promise settles, i.e. until the guard is dropped.
        let held = js_sys::Promise::new(&mut |res, _rej| resolve = Some(res));
        let guard = LockGuard::new(move || {
            if let Some(resolve) = resolve {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        });
        if let Some(on_acquired) = granted.borrow_mut().take() {
            on_acquired(guard);
        }
        held.into()
    });
    let refused = Closure::once_into_js(move |_error: JsValue| {
        if let Some(on_acquired) = pending.borrow_mut().take() {
            on_acquired(LockGuard::unshared());
        }
    });
    let request = js_sys::Reflect::get(&locks, &JsValue::from_str("request"))
        .ok()
        .and_then(|r| r.dyn_into::<js_sys::Function>().ok());
    let promise = request.and_then(|r| r.call2(&locks, &JsValue::from_str(name), &callback).ok());
    on_refusal(promise, &refused);
}

/// Becomes the leader for `name` when possible and stays leader until the tab closes:
/// `on_leader` runs once, in exactly one tab at a time (this document's Web Locks).
pub fn become_leader(name: &str, on_leader: impl FnOnce() + 'static) {
    Locks::browser().become_leader(name, on_leader);
}
