//! Decoding server frames into [`ServerFrame`] and API answers, cheaply for a browser.
//!
//! serde's derive decodes the internally tagged `ServerFrame` by buffering each frame into
//! a generic value tree and decoding the variant from it, and compiles a separate decoder
//! for every type and source: most of the client's wasm. Here the text is parsed once by
//! [`crate::json`] and the frame is read out of that tree by the [`FromJson`] impls that
//! `#[derive(Wire)]` generates from the protocol's own declarations, so a field or a variant
//! added there is read here without an edit. The tests round-trip every variant, enum value
//! and optional field through the protocol's own serializer and compare with serde's
//! decoding, and a property test compares the two on generated values.
//!
//! The frames only an agent's socket receives (the queue, the team, presence, canned
//! responses, visitor pages) and private notes are read only with the `agent-frames`
//! feature, which the console turns on (it turns on the protocol's feature of the same
//! name, which the generated readers of the variants marked `#[wire(feature =
//! "agent-frames")]` are gated on): the server never sends them to a visitor, and their
//! readers cost the widget about 1 KB gzip. Without the feature such a frame is refused as
//! [`Malformed`], like any unknown type.

use tidings_protocol::ServerFrame;
use tidings_wire::FromJson;

use crate::json::{self, Json};

pub mod model;

/// A frame or body that is not JSON, or not what the protocol says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

/// Decodes one frame from the socket; accepts what `serde_json::from_str::<ServerFrame>`
/// accepts, with the same result.
pub fn server_frame(text: &str) -> Result<ServerFrame, Malformed> {
    json::parse(text)
        .as_ref()
        .and_then(ServerFrame::from_json)
        .ok_or(Malformed)
}

/// Decodes an API answer with one of the [`model`] readers.
pub fn body<T>(text: &str, read: impl FnOnce(&Json) -> Option<T>) -> Result<T, Malformed> {
    json::parse(text).as_ref().and_then(read).ok_or(Malformed)
}

#[cfg(test)]
mod tests;

// Natively only: proptest's randomness does not build for wasm32.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties;
