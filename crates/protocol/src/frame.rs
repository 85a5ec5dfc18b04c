//! WebSocket frames on `/v1/socket`. Each is one JSON text message tagged by `"type"`.
//!
//! A connection starts with `auth` from the client and `hello` from the server; anything
//! else before that is refused with `not_authenticated`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ErrorCode;
use crate::model::{
    Agent, CannedResponse, Conversation, ConversationEvent, Message, Millis, PresenceStatus, Role,
};

/// Frames a client (widget or console) sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[strum_discriminants(
    name(ClientFrameType),
    derive(Hash, PartialOrd, Ord, strum::VariantArray, strum::IntoStaticStr),
    strum(serialize_all = "snake_case")
)]
pub enum ClientFrame {
    /// First frame: a visitor token or an agent session token. Tokens travel here, never
    /// in a URL, so they stay out of logs and referrers.
    Auth { token: String, version: u32 },
    /// Replay every message of the conversation with `seq > after_seq`, then stream live.
    /// The answer is `snapshot`, the replayed `message`s in order, then `synced`.
    Subscribe {
        conversation_id: Uuid,
        after_seq: u64,
    },
    /// Stop streaming a conversation.
    Unsubscribe { conversation_id: Uuid },
    /// Store a message. `id` is the client's UUID: sending it again is safe and gets the
    /// same `ack`. A visitor may omit `conversation_id`: the message goes to their open
    /// conversation, which is created if there is none.
    Send {
        id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation_id: Option<Uuid>,
        body: String,
    },
    /// The sender is (or stopped) typing. Expires by itself after `TYPING_TTL_MS`.
    Typing { conversation_id: Uuid, typing: bool },
    /// The sender has read everything up to `seq`.
    Read { conversation_id: Uuid, seq: u64 },
    /// The sender's client has received everything up to `seq` (drives "delivered").
    Delivered { conversation_id: Uuid, seq: u64 },
    /// Agents only: set presence to `online` or `away`.
    Presence { status: PresenceStatus },
    /// Agents only: stream the conversations this agent may see (`queue`, then
    /// `conversation` frames as they change).
    WatchQueue,
    /// Heartbeat; the server answers `pong` with the same nonce.
    Ping {
        #[serde(default)]
        nonce: u64,
    },
    /// Answer to a server `ping`.
    Pong {
        #[serde(default)]
        nonce: u64,
    },
}

/// Why a text frame is not a [`ClientFrame`]: what the server's `error` frame says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    /// `bad_json` (not JSON at all) or `invalid_frame` (JSON, but not a frame we know).
    pub code: ErrorCode,
    /// What is wrong, for the person reading the error.
    pub message: String,
    /// The `id` the frame names, if one reads as a UUID: a refused `send` is then matched
    /// to the message waiting in the client's outbox instead of staying pending forever.
    pub id: Option<Uuid>,
}

impl ClientFrame {
    /// Reads one WebSocket text frame from a client, as the server does with every frame.
    /// It lives here rather than in the server so that the fuzz targets (`fuzz/`) run the
    /// very code that meets outside input without building the server.
    pub fn parse(text: &str) -> Result<ClientFrame, FrameError> {
        serde_json::from_str(text).map_err(|error| {
            match serde_json::from_str::<serde_json::Value>(text) {
                Err(_) => FrameError {
                    code: ErrorCode::BadJson,
                    message: format!("the frame is not valid JSON: {error}"),
                    id: None,
                },
                Ok(value) => FrameError {
                    code: ErrorCode::InvalidFrame,
                    message: format!("not a frame this server knows: {error}"),
                    id: value
                        .get("id")
                        .and_then(|v| v.as_str())
                        .and_then(|s| Uuid::parse_str(s).ok()),
                },
            }
        })
    }
}

/// Frames the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum_discriminants(
    name(ServerFrameType),
    derive(Hash, PartialOrd, Ord, strum::VariantArray, strum::IntoStaticStr),
    strum(serialize_all = "snake_case")
)]
pub enum ServerFrame {
    /// Authentication succeeded.
    Hello {
        version: u32,
        role: Role,
        /// The visitor this token belongs to (visitors only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visitor_id: Option<Uuid>,
        /// The agent this session belongs to (agents only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent: Option<Agent>,
        /// How often the client should ping, and after how long without any frame from
        /// the server it should consider the connection dead.
        heartbeat_interval_ms: u64,
        heartbeat_timeout_ms: u64,
        /// Best presence among agents: what the widget header shows.
        availability: PresenceStatus,
        /// Server time, so clients can place their own clock.
        now: Millis,
        /// The server sends email (SMTP configured): the widget may offer to leave an
        /// email and to send the transcript. Absent means no.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        email: bool,
    },
    /// First answer to `subscribe`: the conversation as it is now.
    Snapshot { conversation: Conversation },
    /// A stored message, replayed or live. Clients order and de-duplicate by `seq`.
    Message { message: Message },
    /// Everything after `after_seq` up to `last_seq` that this connection may read has been
    /// sent: the end of a replay (live from here), or a seq it may not read (a private note,
    /// to a visitor). A socket the tabs share carries other tabs' replays too, so a client
    /// counts it only if it holds everything up to `after_seq` (absent: 0, from the start).
    Synced {
        conversation_id: Uuid,
        last_seq: u64,
        #[serde(default)]
        after_seq: u64,
    },
    /// The message with this client id is committed with this seq.
    Ack {
        id: Uuid,
        conversation_id: Uuid,
        seq: u64,
        created_at: Millis,
    },
    /// Someone in the conversation is (or stopped) typing.
    Typing {
        conversation_id: Uuid,
        role: Role,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        typing: bool,
        /// The indicator lapses after this long unless renewed.
        ttl_ms: u64,
    },
    /// Read and delivery state of one side of a conversation changed.
    Receipt {
        conversation_id: Uuid,
        /// The side whose state this is.
        role: Role,
        read_seq: u64,
        delivered_seq: u64,
    },
    /// A conversation was created or changed (status, assignment, rating, list data).
    Conversation {
        event: ConversationEvent,
        conversation: Conversation,
    },
    /// Answer to `watch_queue`: the first page of the waiting list (the longest-waiting),
    /// the active conversations the agent may see, and the most recent ended ones, newest
    /// activity first.
    #[cfg_attr(feature = "wire", wire(feature = "agent-frames"))]
    Queue { conversations: Vec<Conversation> },
    /// Best presence among agents changed (online beats away beats offline).
    Availability { status: PresenceStatus },
    /// Agents only: one agent's presence changed.
    #[cfg_attr(feature = "wire", wire(feature = "agent-frames"))]
    AgentPresence {
        agent_id: Uuid,
        name: String,
        status: PresenceStatus,
    },
    /// Agents only: the whole team, each with their live presence. Sent after
    /// `watch_queue` and again whenever the team changes (an agent added, removed,
    /// renamed, promoted or demoted); it replaces whatever the client held, and
    /// `agent_presence` frames keep it live in between.
    #[cfg_attr(feature = "wire", wire(feature = "agent-frames"))]
    Agents { agents: Vec<Agent> },
    /// Agents only: every canned response. Sent after `watch_queue` and again whenever
    /// an admin adds, edits or deletes one; it replaces whatever the client held.
    #[cfg_attr(feature = "wire", wire(feature = "agent-frames"))]
    CannedResponses { responses: Vec<CannedResponse> },
    /// Agents only: the page a visitor is on changed (a page load or an in-page
    /// navigation), with their time zone; sent to the agents following one of their
    /// conversations that is not ended.
    #[cfg_attr(feature = "wire", wire(feature = "agent-frames"))]
    VisitorPage {
        visitor_id: Uuid,
        conversation_id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        page_url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time_zone: Option<String>,
    },
    /// Something the client sent was refused. `id` names the refused message, if any;
    /// a message refused this way is not stored and will not be acknowledged.
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<Uuid>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation_id: Option<Uuid>,
    },
    /// Heartbeat from the server; answer with `pong`.
    Ping { nonce: u64 },
    /// Answer to a client `ping`.
    Pong { nonce: u64 },
}

impl ServerFrame {
    /// An error frame not tied to a message.
    pub fn error(code: ErrorCode, message: impl Into<String>) -> Self {
        ServerFrame::Error {
            code,
            message: message.into(),
            id: None,
            conversation_id: None,
        }
    }
}

/// WebSocket close codes the server uses, besides the standard ones.
pub mod close {
    /// Policy violation (RFC 6455): bad token, origin, or repeated abuse.
    pub const POLICY: u16 = 1008;
    /// Frame too big (RFC 6455).
    pub const TOO_BIG: u16 = 1009;
    /// Going away: server shutting down; reconnect and resume.
    pub const GOING_AWAY: u16 = 1001;
    /// The client did not keep up with its outbound queue; reconnect and resume.
    pub const SLOW_CONSUMER: u16 = 4008;
    /// No heartbeat within the timeout.
    pub const HEARTBEAT_TIMEOUT: u16 = 4000;
    /// Authentication failed; do not retry with the same token.
    pub const UNAUTHORIZED: u16 = 4001;
    /// Too many frames too fast.
    pub const RATE_LIMITED: u16 = 4029;
    /// The visitor or agent already has as many open sockets as a node allows; close
    /// another tab, or retry later.
    pub const TOO_MANY_SOCKETS: u16 = 4013;
    /// The token now opens another visitor: this browser verified as a `user_id` another
    /// browser holds, and joined that visitor. Reconnect with the same token (the `hello`
    /// names the visitor it opens now) and load its conversations again.
    pub const IDENTITY_CHANGED: u16 = 4010;
}
