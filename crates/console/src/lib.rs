//! The Tidings agent console: a Leptos CSR app served by the server at `/console/`.
//!
//! `logic` and `catalogs` (the message catalogs, `locales/*.json`) are plain Rust tested
//! natively; `texts` gives every text in the agent's language, `localized` the logic's
//! English labels in it. The browser layer around it (wasm32 only):
//! `api` (HTTP), `conversation_actions` (claim, reassign, close), `realtime` (the session's
//! socket, outbox and owed receipts, from `tidings-client`), `sync` (runs the reducers of
//! `logic::reduce` on the state and does their effects), `threads` (an open
//! conversation), `session`,
//! `presence_watch`, `browser` (storage, title, sound) and the `components`, which share
//! one typed context, `state::ConsoleState`.

pub mod catalogs;
pub mod logic;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod attachments;
#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod conversation_actions;
#[cfg(target_arch = "wasm32")]
mod desktop_notifications;
#[cfg(target_arch = "wasm32")]
mod download;
#[cfg(target_arch = "wasm32")]
mod local_dates;
#[cfg(target_arch = "wasm32")]
mod localized;
#[cfg(target_arch = "wasm32")]
mod notes;
#[cfg(target_arch = "wasm32")]
mod presence_watch;
#[cfg(target_arch = "wasm32")]
mod realtime;
#[cfg(target_arch = "wasm32")]
mod session;
#[cfg(target_arch = "wasm32")]
mod state;
#[cfg(target_arch = "wasm32")]
mod sync;
#[cfg(target_arch = "wasm32")]
mod texts;
#[cfg(target_arch = "wasm32")]
mod threads;
#[cfg(target_arch = "wasm32")]
mod zone_clock;

/// Mounts the console into the page's `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    // Say why in the browser console before the (size-profile) abort.
    std::panic::set_hook(Box::new(|info| {
        let stack =
            js_sys::Reflect::get(&js_sys::Error::new(""), &"stack".into()).unwrap_or_default();
        web_sys::console::error_2(&format!("tidings-console: {info}").into(), &stack);
    }));
    // The agent's language (the browser's) before anything is drawn.
    texts::install();
    leptos::mount::mount_to_body(components::app::App);
}
