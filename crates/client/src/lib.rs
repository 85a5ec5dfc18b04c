//! The realtime client shared by the widget (visitor) and the console (agent).
//!
//! Plain-Rust logic, compiled and tested natively:
//!
//! - [`outbox`]: [`Outbox`] over a [`Storage`] (one key per message, so tabs never
//!   overwrite each other). `enqueue` before showing or sending; `next_to_send` hands out
//!   the oldest pending entry, one at a time; `acknowledge` / `refuse` settle it;
//!   `connection_lost` makes it sendable again (the server stores a re-sent id once), so
//!   delivery is exactly once and in order. [`outbox::is_transient`] tells a passing
//!   refusal (rate limit) from one about the message.
//! - [`timeline`]: [`Timeline`], one conversation's ordered, de-duplicated messages.
//!   `insert` server messages (by seq and id), `add_local` pending ones, `acknowledge`
//!   turns a pending message into a sent one in place, `refuse`/`retry` mark failure;
//!   `entries()` is what to render, `Entry::delivery_state(peer_delivered, peer_read)`
//!   gives pending/sent/delivered/read/failed, and `resume_seq()` is the `after_seq` to
//!   subscribe with. A console that loads only the latest history page calls `set_floor`.
//! - [`backoff`]: [`Backoff`], 0.5 s doubling to 10 s with jitter, `reset` on success.
//! - [`connection`]: [`ConnectionState`] (online/connecting/offline, the
//!   `connection-status` contract) and [`connection::Heartbeat`] (when to ping, when a
//!   silent socket is dead).
//! - [`decode`]: `server_frame(text)`, the same result as `serde_json::from_str::<ServerFrame>`
//!   at a fraction of the wasm size (the socket uses it; use it for any frame text).
//! - [`encode`]: `client_frame(&frame)` and the widget's request bodies, the same text as
//!   serde_json writes.
//!   Both are thin wrappers over the readers and writers `#[derive(Wire)]` generates from
//!   the protocol types' own declarations (`tidings-protocol`'s `wire` feature, see
//!   `tidings-wire`): the one source of truth for the wire.
//! - [`json`]: a small JSON reader (`parse` into [`json::Json`]) and `json::write` helpers
//!   (re-exported from `tidings-wire`), which the codec and the stored outbox format use
//!   instead of serde_json's derives.
//! - [`settle`]: delivery's settling, once for both apps: `settle(frame, outbox, timelines)`
//!   pumps the outbox on `hello`, acknowledges on `ack`, refuses on an `error` naming a
//!   message (in the outbox and the timeline), and returns what the app hears
//!   ([`settle::Settled`]); `disconnected(outbox)` on loss. The browser's `Realtime` calls
//!   it for every frame, so no app wires these steps itself.
//! - [`subscriptions`]: [`subscriptions::PendingSubscriptions`], the subscribes not yet
//!   answered by a snapshot, which the socket re-sends after a passing refusal.
//! - [`unread`]: `unread_count(role, read_seq, messages)`: the other side's messages
//!   above the read seq; system notices never count.
//! - [`i18n`]: message catalogs (`Catalog::parse`, `Messages::get` / `format` / `plural`
//!   over English, plural categories passed in) and `check`, which each app's catalog test
//!   runs on its catalogs.
//!
//! Browser glue, `wasm32` only ([`web`]):
//!
//! - `web::socket::Socket::new(url, handler)` then `connect(token)`: authenticates with
//!   the visitor token or agent session token, calls `SocketHandler::resume_points()` and
//!   subscribes each `(conversation, after_seq)` on every connect, pings every 10 s,
//!   drops a connection silent past the timeout, reconnects with backoff and at once on
//!   `online` / tab visible. `send(&ClientFrame)` (false if not connected), `subscribe`,
//!   `state()`, `shutdown()`. Frames arrive at `SocketHandler::on_frame`, status at
//!   `on_state`, loss at `on_disconnected`, a refused token at `on_unauthorized`.
//!   `Socket::same_origin_url()` gives `ws(s)://<host>/v1/socket`.
//! - `web::delivery::Delivery`: the outbox in storage sent over the socket by one tab at a
//!   time (Web Lock); `Realtime` drives it through [`settle`], the apps never do.
//! - `web::realtime::Realtime::new(url, prefix, storage, locks, app)`: the socket and the
//!   outbox above as one service, settled by [`settle`]. The app implements
//!   `RealtimeApp` (its resume points, its timelines, what it hears: [`settle::Settled`],
//!   the connection state, a loss, a refused token) and sends intents: `send` (a message,
//!   stored first), `send_frame` (read, delivered, typing, ...), `subscribe`, `retry`,
//!   `discard`. Both apps use it; neither touches the outbox sender directly.
//! - `web::storage::LocalStorage`: the [`Storage`] over `localStorage`.
//! - `web::tabs`: `TabChannel::open(name, on_message)` / `post(text)` (text over
//!   `BroadcastChannel`), `request_lock(name, |guard| …)` and `become_leader(name, …)`
//!   (Web Locks via `Reflect`, granted at once where unsupported).
//! - `web::new_id()` (random v4 message id), `web::now_ms()`.
//!
//! A widget uses one `Timeline` for its conversation, sends with `conversation_id: None`
//! and prefix `tidings.outbox.visitor.`; a console keeps a `Timeline` per conversation,
//! sends with the conversation's id, and uses a prefix with the agent's id. Each tells
//! `Realtime` where its timelines are (`RealtimeApp::timeline`), so acks and refusals
//! reach them without the app's help.

pub mod backoff;
pub mod connection;
pub mod decode;
pub mod encode;
pub mod file_size;
pub mod i18n;
pub mod linkify;
pub mod outbox;
#[cfg(test)]
mod outbox_format;
pub mod relay;
pub mod settle;
pub mod subscriptions;
pub mod timeline;
pub mod unread;

#[cfg(target_arch = "wasm32")]
pub mod web;

/// The JSON reader and writer the codec is built on; it lives in `tidings-wire`, where the
/// protocol's generated readers and writers can see it.
pub use tidings_wire::json;

pub use backoff::Backoff;
pub use connection::ConnectionState;
pub use outbox::{MemoryStorage, Outbox, OutboxEntry, SharedStorage, Storage, StorageError};
pub use timeline::{DeliveryState, Entry, LocalMessage, Timeline};
pub use unread::unread_count;
