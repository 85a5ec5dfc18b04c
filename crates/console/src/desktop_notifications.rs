//! Desktop notifications (the browser's `Notification`) for a new waiting chat and a new
//! message in one of the agent's chats, while no console tab of theirs is in front.
//!
//! - **Asked from a click only.** The permission is requested by the switch in the top bar
//!   (`notifications-toggle`), never on load; the switch is per agent, kept in
//!   `localStorage` (`tidings.console.notifications.<agent id>`), off until turned on.
//! - **In front** means visible and focused (`document.visibilityState`, `hasFocus()`).
//!   Each tab in front keeps a mark in `localStorage` (`tidings.console.front.<tab>`,
//!   renewed every 10 s, removed when it leaves the front or the page goes), so a hidden
//!   tab knows the agent is already looking at another console tab.
//! - **One per event across tabs.** Every tab derives the same tag from the same frame
//!   (`logic::desktop_alerts`). Under the Web Lock `tidings.console.notify` a tab reads the
//!   recent tags in `localStorage`: if the tag is there another tab decided already;
//!   otherwise it records it and decides: nothing while a tab is in front, else it shows
//!   the notification. Before that, each tab tries to claim the event's own lock
//!   (`tidings.console.notify.<tag>`, `ifAvailable`, held 30 s by the tab that gets it):
//!   the lock manager answers every tab alike at once, while a `localStorage` write in one
//!   tab reaches another tab's renderer a little later (two tabs both showing one event was
//!   seen in CI). The recent tags remain for browsers without Web Locks. The notification's own `tag` (one per conversation) makes a later one replace an
//!   earlier one of the same chat instead of piling up.
//! - **Clicking it** focuses the window and routes this tab to the conversation.
//!
//! Each decision is appended to `window.__tidingsDesktopAlerts` (`"<outcome>:<tag>"`), so
//! browser tests can wait for it rather than for time to pass.

use std::cell::{Cell, RefCell};

use tidings_client::web::tabs::{claim_for, request_lock};
use tidings_protocol::Conversation;
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Notification, NotificationOptions, NotificationPermission, VisibilityState};

use crate::localized::notification_text;
use crate::logic::desktop_alerts::{front_mark_fresh, DesktopEvent, RecentTags, FRONT_RENEW_MS};
use crate::logic::route::{href, Route};

const SETTING_PREFIX: &str = "tidings.console.notifications.";
const FRONT_PREFIX: &str = "tidings.console.front.";
const RECENT_KEY: &str = "tidings.console.notified";
const LOCK: &str = "tidings.console.notify";
/// How long the tab that claimed an event keeps its claim: every tab hears the same frame
/// within moments of the others, so a late one finds it held.
const CLAIM_HOLD_MS: i32 = 30_000;

thread_local! {
    static TAB_ID: RefCell<String> = RefCell::new(Uuid::new_v4().simple().to_string());
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn now() -> i64 {
    js_sys::Date::now() as i64
}

/// Whether the agent turned notifications on in this browser.
pub fn enabled(agent: Uuid) -> bool {
    storage()
        .and_then(|s| {
            s.get_item(&format!("{SETTING_PREFIX}{agent}"))
                .ok()
                .flatten()
        })
        .is_some_and(|v| v == "on")
}

fn store_enabled(agent: Uuid, on: bool) {
    if let Some(s) = storage() {
        let _ = s.set_item(
            &format!("{SETTING_PREFIX}{agent}"),
            if on { "on" } else { "off" },
        );
    }
}

/// Whether the browser lets this origin show notifications.
pub fn permitted() -> bool {
    Notification::permission() == NotificationPermission::Granted
}

/// Whether the browser has refused them (only the browser's settings can undo that).
pub fn refused() -> bool {
    Notification::permission() == NotificationPermission::Denied
}

/// Turns them on: asks the browser's permission (this must run in a click), and keeps the
/// switch on only if it is granted. `done` gets whether they are on.
pub fn turn_on(agent: Uuid, done: impl FnOnce(bool) + 'static) {
    let Ok(asked) = Notification::request_permission() else {
        done(false);
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let answer = wasm_bindgen_futures::JsFuture::from(asked).await;
        let granted = answer.ok().and_then(|a| a.as_string()).as_deref() == Some("granted");
        store_enabled(agent, granted);
        done(granted);
    });
}

pub fn turn_off(agent: Uuid) {
    store_enabled(agent, false);
}

/// Whether this tab is what the agent looks at.
fn in_front() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| {
            d.visibility_state() == VisibilityState::Visible && d.has_focus().unwrap_or(false)
        })
}

/// Writes or removes this tab's front mark to match where it is now.
fn mark_front() {
    let Some(s) = storage() else { return };
    let key = TAB_ID.with(|id| format!("{FRONT_PREFIX}{}", id.borrow()));
    if in_front() {
        let _ = s.set_item(&key, &now().to_string());
    } else {
        let _ = s.remove_item(&key);
    }
}

fn forget_front() {
    if let Some(s) = storage() {
        let key = TAB_ID.with(|id| format!("{FRONT_PREFIX}{}", id.borrow()));
        let _ = s.remove_item(&key);
    }
}

/// Whether some console tab of this browser is in front now (by its fresh mark).
fn any_tab_in_front() -> bool {
    let Some(s) = storage() else { return false };
    let now = now();
    let length = s.length().unwrap_or(0);
    (0..length).any(|i| {
        let Some(key) = s.key(i).ok().flatten() else {
            return false;
        };
        key.starts_with(FRONT_PREFIX)
            && s.get_item(&key)
                .ok()
                .flatten()
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|at| front_mark_fresh(at, now))
    })
}

/// Starts keeping this tab's front mark true (once per page).
pub fn watch_front() {
    if WATCHING.with(|w| w.replace(true)) {
        return;
    }
    mark_front();
    let Some(window) = web_sys::window() else {
        return;
    };
    for (target, event) in [
        (
            window.clone().unchecked_into::<web_sys::EventTarget>(),
            "focus",
        ),
        (window.clone().unchecked_into(), "blur"),
        (
            window
                .document()
                .map(|d| d.unchecked_into())
                .unwrap_or_else(|| window.clone().unchecked_into()),
            "visibilitychange",
        ),
    ] {
        let listener = Closure::<dyn Fn()>::new(mark_front);
        let _ = target.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        listener.forget();
    }
    let gone = Closure::<dyn Fn()>::new(forget_front);
    let _ = window.add_event_listener_with_callback("pagehide", gone.as_ref().unchecked_ref());
    gone.forget();
    gloo_timers::callback::Interval::new(FRONT_RENEW_MS as u32, mark_front).forget();
}

/// Notes a decision where browser tests can see it.
fn record(outcome: &str, tag: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let key = JsValue::from_str("__tidingsDesktopAlerts");
    let list = js_sys::Reflect::get(&window, &key)
        .ok()
        .and_then(|v| v.dyn_into::<js_sys::Array>().ok())
        .unwrap_or_else(|| {
            let list = js_sys::Array::new();
            let _ = js_sys::Reflect::set(&window, &key, &list);
            list
        });
    list.push(&JsValue::from_str(&format!("{outcome}:{tag}")));
}

/// Raises the notification for `event` if this agent wants it and no tab of theirs is in
/// front, in exactly one of their tabs (see the module's notes).
pub fn raise(agent: Uuid, event: DesktopEvent, conversation: &Conversation) {
    let tag = event.tag();
    if !enabled(agent) {
        return record("off", &tag);
    }
    if !permitted() {
        return record("not-permitted", &tag);
    }
    mark_front();
    if in_front() {
        return record("in-front", &tag);
    }
    let (title, body) = notification_text(&event, conversation);
    let id = event.conversation();
    // First, one tab claims the event for itself through the browser's lock manager (the
    // same answer in every tab at once); the recent tags below stay for browsers without
    // Web Locks, where every tab's claim succeeds.
    claim_for(&format!("{LOCK}.{tag}"), CLAIM_HOLD_MS, move |claimed| {
        if !claimed {
            return record("another-tab", &tag);
        }
        decide(tag, title, body, id);
    });
}

/// This tab claimed the event: unless a tab is in front, show it, once per tag.
fn decide(tag: String, title: String, body: String, id: Uuid) {
    request_lock(LOCK, move |guard| {
        let Some(s) = storage() else {
            return record("no-storage", &tag);
        };
        let mut recent = RecentTags::parse(s.get_item(RECENT_KEY).ok().flatten().as_deref());
        if recent.contains(&tag) {
            drop(guard);
            return record("another-tab", &tag);
        }
        recent.push(tag.clone());
        let _ = s.set_item(RECENT_KEY, &recent.to_text());
        let outcome = if any_tab_in_front() {
            "in-front"
        } else if show(&title, &body, id) {
            "shown"
        } else {
            "failed"
        };
        drop(guard);
        record(outcome, &tag);
    });
}

fn show(title: &str, body: &str, conversation: Uuid) -> bool {
    let options = NotificationOptions::new();
    options.set_body(body);
    options.set_tag(&format!("tidings-{conversation}"));
    let Ok(notification) = Notification::new_with_options(title, &options) else {
        return false;
    };
    let target = href(Route::Conversation(conversation));
    let shown = notification.clone();
    let onclick = Closure::once_into_js(move || {
        if let Some(window) = web_sys::window() {
            let _ = window.focus();
            let _ = window.location().set_hash(&target);
        }
        shown.close();
    });
    notification.set_onclick(Some(onclick.unchecked_ref()));
    true
}
