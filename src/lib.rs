//! The Tidings visitor widget: the chat app that runs inside the loader's iframe.
//!
//! Plain logic compiled and tested everywhere ([`body`], [`adoption`], [`tab_note`],
//! [`settings`], [`catalogs`]); the app (Leptos's signals and effects, `reactive_graph`,
//! over markup it writes itself) and its browser glue only on wasm32. The realtime client
//! (socket, outbox, ordering, cross-tab) is `tidings-client`; this crate turns it into the
//! visitor's UI:
//!
//! - `app`: reads the loader's settings, makes the [`state::ChatState`], starts the
//!   runtime and puts the panel (`components::chat_widget`) on the page.
//! - `runtime` (services and wiring), `session` (visitor and conversation), `reduce` (server frames → a plain model, tested natively), `sync` (runs the reducers on the signals and does their effects), `actions` (what
//!   the components ask for), `api` (HTTP), `host` (postMessage with the loader),
//!   `startup` (where to keep things: own storage, the host page's through
//!   `host_store`, or memory), `sound`, `time`, `config`, `extras` (loads the second wasm
//!   module, `crates/widget-extras`, when a screen in it is needed), `texts` (every text
//!   shown, from the visitor's language's catalog, loaded before mounting).
//! - `components`: one part of the panel per file, static markup wired to the state by
//!   Leptos effects and plain listeners (`dom`); no Leptos views.

pub mod adoption;
pub mod body;
pub mod catalogs;
pub mod reduce;
pub mod settings;
pub mod tab_note;

#[cfg(target_arch = "wasm32")]
mod actions;
#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
mod config;
#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod extras;
#[cfg(target_arch = "wasm32")]
mod history;
#[cfg(target_arch = "wasm32")]
mod host;
#[cfg(target_arch = "wasm32")]
mod host_store;
#[cfg(target_arch = "wasm32")]
mod runtime;
#[cfg(target_arch = "wasm32")]
mod session;
#[cfg(target_arch = "wasm32")]
mod sound;
#[cfg(target_arch = "wasm32")]
mod startup;
#[cfg(target_arch = "wasm32")]
pub mod state;
#[cfg(target_arch = "wasm32")]
mod sync;
#[cfg(target_arch = "wasm32")]
mod texts;
#[cfg(target_arch = "wasm32")]
mod time;
#[cfg(target_arch = "wasm32")]
mod upload;

#[cfg(target_arch = "wasm32")]
pub use app::start;
