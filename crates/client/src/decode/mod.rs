//! Decoding server frames into [`ServerFrame`] and API answers, cheaply for a browser.
//!
//! serde's derive decodes the internally tagged `ServerFrame` by buffering each frame into
//! a generic value tree and decoding the variant from it, and compiles a separate decoder
//! for every type and source: most of the client's wasm. Here the text is parsed once by
//! [`crate::json`] and the variant's fields are picked out of that tree by the plain
//! readers in [`model`]. The wire format is the protocol's: the tests round-trip every
//! variant, enum value and optional field through the protocol's own serializer and
//! compare with serde's decoding, so a change there that this file misses fails them.

use tidings_protocol::ServerFrame;

use crate::json::{self, Json};
use model::{
    agent, bool, error_code, event, field, i64, optional, presence, role, string, u64, uuid,
};

pub mod model;

/// A frame or body that is not JSON, or not what the protocol says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

/// Decodes one frame from the socket; accepts what `serde_json::from_str::<ServerFrame>`
/// accepts, with the same result.
pub fn server_frame(text: &str) -> Result<ServerFrame, Malformed> {
    json::parse(text).as_ref().and_then(frame).ok_or(Malformed)
}

/// Decodes an API answer with one of the [`model`] readers.
pub fn body<T>(text: &str, read: impl FnOnce(&Json) -> Option<T>) -> Result<T, Malformed> {
    json::parse(text).as_ref().and_then(read).ok_or(Malformed)
}

/// The frames only an agent's socket receives (the queue, the team, presence, canned
/// responses) are read only with the `agent-frames` feature, which the console turns on: the
/// server never sends them to a visitor, and their readers cost the widget 993 bytes gzip.
/// Without the feature such a frame is refused as [`Malformed`], like any unknown type.
fn frame(o: &Json) -> Option<ServerFrame> {
    Some(match field(o, "type", Json::as_str)? {
        "hello" => ServerFrame::Hello {
            version: field(o, "version", model::u32)?,
            role: field(o, "role", role)?,
            visitor_id: optional(o, "visitor_id", uuid)?,
            agent: optional(o, "agent", agent)?,
            heartbeat_interval_ms: field(o, "heartbeat_interval_ms", u64)?,
            heartbeat_timeout_ms: field(o, "heartbeat_timeout_ms", u64)?,
            availability: field(o, "availability", presence)?,
            now: field(o, "now", i64)?,
            email: optional(o, "email", bool)?.unwrap_or(false),
        },
        "snapshot" => ServerFrame::Snapshot {
            conversation: field(o, "conversation", model::conversation)?,
        },
        "message" => ServerFrame::Message {
            message: field(o, "message", model::message)?,
        },
        "synced" => ServerFrame::Synced {
            conversation_id: field(o, "conversation_id", uuid)?,
            last_seq: field(o, "last_seq", u64)?,
        },
        "ack" => ServerFrame::Ack {
            id: field(o, "id", uuid)?,
            conversation_id: field(o, "conversation_id", uuid)?,
            seq: field(o, "seq", u64)?,
            created_at: field(o, "created_at", i64)?,
        },
        "typing" => ServerFrame::Typing {
            conversation_id: field(o, "conversation_id", uuid)?,
            role: field(o, "role", role)?,
            name: optional(o, "name", string)?,
            typing: field(o, "typing", bool)?,
            ttl_ms: field(o, "ttl_ms", u64)?,
        },
        "receipt" => ServerFrame::Receipt {
            conversation_id: field(o, "conversation_id", uuid)?,
            role: field(o, "role", role)?,
            read_seq: field(o, "read_seq", u64)?,
            delivered_seq: field(o, "delivered_seq", u64)?,
        },
        "conversation" => ServerFrame::Conversation {
            event: field(o, "event", event)?,
            conversation: field(o, "conversation", model::conversation)?,
        },
        #[cfg(any(test, feature = "agent-frames"))]
        "queue" => ServerFrame::Queue {
            conversations: field(o, "conversations", model::conversations)?,
        },
        "availability" => ServerFrame::Availability {
            status: field(o, "status", presence)?,
        },
        #[cfg(any(test, feature = "agent-frames"))]
        "agent_presence" => ServerFrame::AgentPresence {
            agent_id: field(o, "agent_id", uuid)?,
            name: field(o, "name", string)?,
            status: field(o, "status", presence)?,
        },
        #[cfg(any(test, feature = "agent-frames"))]
        "agents" => ServerFrame::Agents {
            agents: field(o, "agents", model::agents)?,
        },
        #[cfg(any(test, feature = "agent-frames"))]
        "canned_responses" => ServerFrame::CannedResponses {
            responses: field(o, "responses", model::canned_responses)?,
        },
        #[cfg(any(test, feature = "agent-frames"))]
        "visitor_page" => ServerFrame::VisitorPage {
            visitor_id: field(o, "visitor_id", uuid)?,
            conversation_id: field(o, "conversation_id", uuid)?,
            page_url: optional(o, "page_url", string)?,
            time_zone: optional(o, "time_zone", string)?,
        },
        "error" => ServerFrame::Error {
            code: field(o, "code", error_code)?,
            message: field(o, "message", string)?,
            id: optional(o, "id", uuid)?,
            conversation_id: optional(o, "conversation_id", uuid)?,
        },
        "ping" => ServerFrame::Ping {
            nonce: field(o, "nonce", u64)?,
        },
        "pong" => ServerFrame::Pong {
            nonce: field(o, "nonce", u64)?,
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
