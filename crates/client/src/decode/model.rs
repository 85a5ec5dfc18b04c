//! Reading the protocol's model types and API answers out of a parsed [`Json`] tree.
//!
//! Each reader follows the serde attributes in `tidings-protocol`: an `Option` field may be
//! missing or `null`; a `#[serde(default)]` field may be missing; any other field must be
//! present with the right type; a field given twice is refused (as serde refuses it);
//! unknown fields are ignored, repeated or not; enums are their snake_case names. `None`
//! means the value is not what the protocol says.

use tidings_protocol::http::{ApiError, CreateVisitorResponse};
use tidings_protocol::{
    Agent, AgentRef, Attachment, CannedResponse, Conversation, ConversationEvent,
    ConversationStatus, ErrorCode, Message, PresenceStatus, Role, Sender,
};
use uuid::Uuid;

use crate::json::Json;

/// The value of a field the reader knows: `Some(None)` when it is missing, `None` when the
/// object gives it twice. serde's derive refuses a repeated field ("duplicate field"), so
/// taking the first (or the last) would accept frames the server's own reader refuses.
/// (A plain loop: it is instantiated once, and the widget's wasm is on a size budget.)
fn lookup<'j, 'a>(object: &'j Json<'a>, key: &str) -> Option<Option<&'j Json<'a>>> {
    let mut found = None;
    if let Json::Object(fields) = object {
        for (k, v) in fields {
            if k == key {
                if found.is_some() {
                    return None;
                }
                found = Some(v);
            }
        }
    }
    Some(found)
}

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
    value.as_str().map(str::to_owned)
}

pub fn uuid(value: &Json) -> Option<Uuid> {
    Uuid::parse_str(value.as_str()?).ok()
}

pub fn u64(value: &Json) -> Option<u64> {
    value.as_u64()
}

pub fn u32(value: &Json) -> Option<u32> {
    value.as_u64()?.try_into().ok()
}

pub fn i64(value: &Json) -> Option<i64> {
    value.as_i64()
}

pub fn bool(value: &Json) -> Option<bool> {
    value.as_bool()
}

pub fn role(value: &Json) -> Option<Role> {
    match value.as_str()? {
        "visitor" => Some(Role::Visitor),
        "agent" => Some(Role::Agent),
        _ => None,
    }
}

fn sender(value: &Json) -> Option<Sender> {
    match value.as_str()? {
        "visitor" => Some(Sender::Visitor),
        "agent" => Some(Sender::Agent),
        "system" => Some(Sender::System),
        // Private notes reach agents only; the widget refuses one like any unknown value.
        #[cfg(any(test, feature = "agent-frames"))]
        "note" => Some(Sender::Note),
        _ => None,
    }
}

fn status(value: &Json) -> Option<ConversationStatus> {
    ConversationStatus::parse(value.as_str()?)
}

pub fn presence(value: &Json) -> Option<PresenceStatus> {
    match value.as_str()? {
        "online" => Some(PresenceStatus::Online),
        "away" => Some(PresenceStatus::Away),
        "offline" => Some(PresenceStatus::Offline),
        _ => None,
    }
}

pub fn event(value: &Json) -> Option<ConversationEvent> {
    use ConversationEvent::*;
    Some(match value.as_str()? {
        "created" => Created,
        "claimed" => Claimed,
        "assigned" => Assigned,
        "ended" => Ended,
        "rated" => Rated,
        "updated" => Updated,
        _ => return None,
    })
}

pub fn error_code(value: &Json) -> Option<ErrorCode> {
    use ErrorCode::*;
    Some(match value.as_str()? {
        "bad_json" => BadJson,
        "invalid_frame" => InvalidFrame,
        "frame_too_large" => FrameTooLarge,
        "message_too_long" => MessageTooLong,
        "empty_message" => EmptyMessage,
        "invalid_field" => InvalidField,
        "unsupported_version" => UnsupportedVersion,
        "not_authenticated" => NotAuthenticated,
        "unauthorized" => Unauthorized,
        "forbidden" => Forbidden,
        "not_found" => NotFound,
        "conversation_ended" => ConversationEnded,
        "conflict" => Conflict,
        "rate_limited" => RateLimited,
        "origin_not_allowed" => OriginNotAllowed,
        "overloaded" => Overloaded,
        "internal" => Internal,
        "file_too_large" => FileTooLarge,
        "unsupported_file_type" => UnsupportedFileType,
        _ => return None,
    })
}

/// The wire name of an error code, as serde writes it.
pub fn error_code_name(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        BadJson => "bad_json",
        InvalidFrame => "invalid_frame",
        FrameTooLarge => "frame_too_large",
        MessageTooLong => "message_too_long",
        EmptyMessage => "empty_message",
        InvalidField => "invalid_field",
        UnsupportedVersion => "unsupported_version",
        NotAuthenticated => "not_authenticated",
        Unauthorized => "unauthorized",
        Forbidden => "forbidden",
        NotFound => "not_found",
        ConversationEnded => "conversation_ended",
        Conflict => "conflict",
        RateLimited => "rate_limited",
        OriginNotAllowed => "origin_not_allowed",
        Overloaded => "overloaded",
        Internal => "internal",
        FileTooLarge => "file_too_large",
        UnsupportedFileType => "unsupported_file_type",
    }
}

pub fn agent(o: &Json) -> Option<Agent> {
    Some(Agent {
        id: field(o, "id", uuid)?,
        email: field(o, "email", string)?,
        name: field(o, "name", string)?,
        is_admin: field(o, "is_admin", bool)?,
        status: field(o, "status", presence)?,
    })
}

/// A JSON array of `Agent`s.
pub fn agents(value: &Json) -> Option<Vec<Agent>> {
    value.as_array()?.iter().map(agent).collect()
}

/// A `CannedResponse`.
pub fn canned_response(o: &Json) -> Option<CannedResponse> {
    Some(CannedResponse {
        id: field(o, "id", uuid)?,
        title: field(o, "title", string)?,
        shortcut: field(o, "shortcut", string)?,
        body: field(o, "body", string)?,
        updated_at: field(o, "updated_at", i64)?,
    })
}

/// A JSON array of `CannedResponse`s.
pub fn canned_responses(value: &Json) -> Option<Vec<CannedResponse>> {
    value.as_array()?.iter().map(canned_response).collect()
}

fn agent_ref(o: &Json) -> Option<AgentRef> {
    Some(AgentRef {
        id: field(o, "id", uuid)?,
        name: field(o, "name", string)?,
    })
}

/// A `Message`.
pub fn message(o: &Json) -> Option<Message> {
    Some(Message {
        id: field(o, "id", uuid)?,
        conversation_id: field(o, "conversation_id", uuid)?,
        seq: field(o, "seq", u64)?,
        sender: field(o, "sender", sender)?,
        author_name: optional(o, "author_name", string)?,
        agent_id: optional(o, "agent_id", uuid)?,
        body: field(o, "body", string)?,
        created_at: field(o, "created_at", i64)?,
        attachment: optional(o, "attachment", attachment)?,
    })
}

/// A message's `Attachment`. Visitors receive it too, so it is read without `agent-frames`.
fn attachment(o: &Json) -> Option<Attachment> {
    Some(Attachment {
        id: field(o, "id", uuid)?,
        name: field(o, "name", string)?,
        size: field(o, "size", u64)?,
        content_type: field(o, "content_type", string)?,
        url: optional(o, "url", string)?,
    })
}

/// A `Conversation`.
pub fn conversation(o: &Json) -> Option<Conversation> {
    Some(Conversation {
        id: field(o, "id", uuid)?,
        visitor_id: field(o, "visitor_id", uuid)?,
        status: field(o, "status", status)?,
        assigned_agent: optional(o, "assigned_agent", agent_ref)?,
        started_at: field(o, "started_at", i64)?,
        assigned_at: optional(o, "assigned_at", i64)?,
        ended_at: optional(o, "ended_at", i64)?,
        rating: optional(o, "rating", |v| v.as_u64()?.try_into().ok())?,
        feedback: optional(o, "feedback", string)?,
        visitor_name: optional(o, "visitor_name", string)?,
        visitor_email: optional(o, "visitor_email", string)?,
        visitor_user_id: optional(o, "visitor_user_id", string)?,
        page_url: optional(o, "page_url", string)?,
        user_agent: optional(o, "user_agent", string)?,
        last_seq: field(o, "last_seq", u64)?,
        last_activity_at: field(o, "last_activity_at", i64)?,
        last_message_preview: optional(o, "last_message_preview", string)?,
        visitor_read_seq: defaulted(o, "visitor_read_seq", u64)?,
        agent_read_seq: defaulted(o, "agent_read_seq", u64)?,
        agent_delivered_seq: defaulted(o, "agent_delivered_seq", u64)?,
        unread: defaulted(o, "unread", u32)?,
        visitor_online: defaulted(o, "visitor_online", bool)?,
        visitor_last_seen_at: optional(o, "visitor_last_seen_at", i64)?,
    })
}

/// A JSON array of `Conversation`s.
pub fn conversations(value: &Json) -> Option<Vec<Conversation>> {
    value.as_array()?.iter().map(conversation).collect()
}

/// A `ConversationList` body, as its conversations.
pub fn conversation_list(o: &Json) -> Option<Vec<Conversation>> {
    field(o, "conversations", conversations)
}

/// An `ApiError` body.
pub fn api_error(o: &Json) -> Option<ApiError> {
    Some(ApiError {
        code: field(o, "code", error_code)?,
        message: field(o, "message", string)?,
    })
}

/// A `CreateVisitorResponse` body.
pub fn create_visitor_response(o: &Json) -> Option<CreateVisitorResponse> {
    Some(CreateVisitorResponse {
        visitor_id: field(o, "visitor_id", uuid)?,
        token: field(o, "token", string)?,
    })
}
