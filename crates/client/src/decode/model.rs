//! Readers of the protocol's model types and API answers out of a parsed [`Json`] tree, in
//! the shape [`super::body`] takes (`fn(&Json) -> Option<T>`).
//!
//! The typed readers are the generated [`FromJson`] impls (`#[derive(Wire)]` on the
//! protocol types); these functions only name them for the apps. The small helpers below
//! (`field`, `optional`, `defaulted` and the scalar readers) are for the few shapes that
//! are not protocol types (notes between tabs, the stored outbox, one-field answers); they
//! follow the same rules as the generated code: a field given twice is refused, an
//! `Option` field may be missing or `null`, unknown fields are ignored.

use tidings_protocol::http::{ApiError, ConversationList, CreateVisitorResponse};
use tidings_protocol::{Agent, CannedResponse, Conversation, Message};
use tidings_wire::{lookup, FromJson};
use uuid::Uuid;

use crate::json::Json;

/// A required field read with `read`.
pub fn field<'j, 'a, T>(
    object: &'j Json<'a>,
    key: &str,
    read: impl FnOnce(&'j Json<'a>) -> Option<T>,
) -> Option<T> {
    read(lookup(object, key)??)
}

/// An `Option` field: missing or `null` is `None`, anything else must read.
pub fn optional<'j, 'a, T>(
    object: &'j Json<'a>,
    key: &str,
    read: impl FnOnce(&'j Json<'a>) -> Option<T>,
) -> Option<Option<T>> {
    match lookup(object, key)? {
        None | Some(Json::Null) => Some(None),
        Some(value) => read(value).map(Some),
    }
}

/// A `#[serde(default)]` field: missing is the default, present must read.
pub fn defaulted<'j, 'a, T: Default>(
    object: &'j Json<'a>,
    key: &str,
    read: impl FnOnce(&'j Json<'a>) -> Option<T>,
) -> Option<T> {
    lookup(object, key)?.map_or(Some(T::default()), read)
}

pub fn string(value: &Json) -> Option<String> {
    String::from_json(value)
}

pub fn uuid(value: &Json) -> Option<Uuid> {
    Uuid::from_json(value)
}

pub fn u64(value: &Json) -> Option<u64> {
    u64::from_json(value)
}

pub fn u32(value: &Json) -> Option<u32> {
    u32::from_json(value)
}

pub fn i64(value: &Json) -> Option<i64> {
    i64::from_json(value)
}

pub fn bool(value: &Json) -> Option<bool> {
    bool::from_json(value)
}

/// An `Agent`.
pub fn agent(o: &Json) -> Option<Agent> {
    Agent::from_json(o)
}

/// A JSON array of `Agent`s.
pub fn agents(value: &Json) -> Option<Vec<Agent>> {
    Vec::from_json(value)
}

/// A `CannedResponse`.
pub fn canned_response(o: &Json) -> Option<CannedResponse> {
    CannedResponse::from_json(o)
}

/// A JSON array of `CannedResponse`s.
pub fn canned_responses(value: &Json) -> Option<Vec<CannedResponse>> {
    Vec::from_json(value)
}

/// A `Message`.
pub fn message(o: &Json) -> Option<Message> {
    Message::from_json(o)
}

/// A `Conversation`.
pub fn conversation(o: &Json) -> Option<Conversation> {
    Conversation::from_json(o)
}

/// A JSON array of `Conversation`s.
pub fn conversations(value: &Json) -> Option<Vec<Conversation>> {
    Vec::from_json(value)
}

/// A `ConversationList` body, as its conversations.
pub fn conversation_list(o: &Json) -> Option<Vec<Conversation>> {
    ConversationList::from_json(o).map(|list| list.conversations)
}

/// An `ApiError` body.
pub fn api_error(o: &Json) -> Option<ApiError> {
    ApiError::from_json(o)
}

/// A `CreateVisitorResponse` body.
pub fn create_visitor_response(o: &Json) -> Option<CreateVisitorResponse> {
    CreateVisitorResponse::from_json(o)
}
