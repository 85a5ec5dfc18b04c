//! Error codes carried by `error` frames and HTTP error bodies.

use serde::{Deserialize, Serialize};

/// A machine-readable reason; every error also carries a human message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::VariantArray)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame or body was not valid JSON.
    BadJson,
    /// JSON, but not a frame or payload this server knows (unknown `type`, missing field).
    InvalidFrame,
    /// The frame exceeded `limits::MAX_FRAME_BYTES`.
    FrameTooLarge,
    /// A message body over `limits::MAX_MESSAGE_CHARS`.
    MessageTooLong,
    /// A message body that is empty after trimming.
    EmptyMessage,
    /// Some other field failed validation (rating outside 1..=5, over-long name, ...).
    InvalidField,
    /// The client spoke a protocol version this server does not.
    UnsupportedVersion,
    /// A frame other than `auth` arrived before authentication.
    NotAuthenticated,
    /// The token is unknown, expired or revoked.
    Unauthorized,
    /// Authenticated, but not allowed to touch this resource.
    Forbidden,
    /// No such conversation, agent or message (or not visible to the caller).
    NotFound,
    /// The conversation has ended; it takes no more messages.
    ConversationEnded,
    /// The action does not fit the conversation's state (claiming an ended chat, ...).
    Conflict,
    /// The client sent faster than the per-connection rate allows.
    RateLimited,
    /// The request's `Origin` is not allowed.
    OriginNotAllowed,
    /// The server is past what it can store right now (its write queue is full, or its
    /// disk refuses writes). Nothing was stored: send the same thing again shortly.
    Overloaded,
    /// Something failed on the server; details are in its log, not in the reply.
    Internal,
    /// An uploaded file is larger than the server accepts (`--attachment-max-bytes`).
    FileTooLarge,
    /// An uploaded file's content is not of a type the server accepts
    /// (`--attachment-types`), whatever its name says.
    UnsupportedFileType,
}

impl ErrorCode {
    /// The HTTP status an API error with this code is sent with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadJson
            | ErrorCode::InvalidFrame
            | ErrorCode::MessageTooLong
            | ErrorCode::EmptyMessage
            | ErrorCode::InvalidField
            | ErrorCode::UnsupportedVersion => 400,
            ErrorCode::FrameTooLarge | ErrorCode::FileTooLarge => 413,
            ErrorCode::UnsupportedFileType => 415,
            ErrorCode::NotAuthenticated | ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden | ErrorCode::OriginNotAllowed => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::ConversationEnded | ErrorCode::Conflict => 409,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Overloaded => 503,
        }
    }
}
