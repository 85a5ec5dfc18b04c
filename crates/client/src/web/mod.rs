//! Browser glue (wasm32 only): the socket, `localStorage`, tab coordination, and the
//! outbox sender that ties them together. Kept thin: decisions live in the plain-Rust
//! modules of this crate.

pub mod delivery;
pub mod realtime;
pub mod socket;
pub mod socket_share;
pub mod storage;
pub mod tabs;

use uuid::Uuid;

/// A fresh random (v4) message id from `crypto.getRandomValues`, with `Math.random` as a
/// fallback where the Crypto API is missing. No `getrandom` crate needed.
pub fn new_id() -> Uuid {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    if !filled {
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Milliseconds since the Unix epoch, from the browser clock.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}
