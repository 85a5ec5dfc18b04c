//! The things the protocol talks about: messages, conversations, agents, presence.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// Who is on the other end of a connection or request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::VariantArray)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Visitor,
    Agent,
}

/// Who wrote a message. `System` messages are notices the server writes into the
/// conversation ("Ada joined the chat"); they never count as unread. `Note` messages are
/// private notes an agent wrote for the team: they take a seq like any message, but only
/// agents ever receive them (never a visitor, on any path).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::VariantArray)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
#[serde(rename_all = "snake_case")]
pub enum Sender {
    Visitor,
    Agent,
    System,
    /// Private notes reach agents only: the widget refuses one like any unknown value.
    #[cfg_attr(feature = "wire", wire(feature = "agent-frames"))]
    Note,
}

/// Lifecycle of a conversation: `waiting` until an agent claims or answers it, then
/// `active`, then `ended` when an agent closes it. It never goes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::VariantArray)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    Waiting,
    Active,
    Ended,
}

impl ConversationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationStatus::Waiting => "waiting",
            ConversationStatus::Active => "active",
            ConversationStatus::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "waiting" => Some(ConversationStatus::Waiting),
            "active" => Some(ConversationStatus::Active),
            "ended" => Some(ConversationStatus::Ended),
            _ => None,
        }
    }
}

/// An agent's presence. `Offline` means no console of theirs is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::VariantArray)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
#[serde(rename_all = "snake_case")]
pub enum PresenceStatus {
    Online,
    Away,
    Offline,
}

/// What a visitor may know about an agent: enough to show a header and avatar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
pub struct AgentRef {
    pub id: Uuid,
    pub name: String,
}

/// An agent as the console sees agents (for reassignment and presence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
pub struct Agent {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub status: PresenceStatus,
}

/// A stored message. `id` is chosen by the client that wrote it (so retries are
/// idempotent); `seq` is given by the server, gap-free from 1 within a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
pub struct Message {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub seq: u64,
    pub sender: Sender,
    /// Display name of the author: the agent's name, the visitor's name if known, or
    /// absent. System messages have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    /// The agent who wrote it, for agent messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<Uuid>,
    pub body: String,
    pub created_at: Millis,
    /// The file this message carries (a file message); its `body` is then the file's name,
    /// so a client that does not show files still shows something meaningful.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<Attachment>,
}

/// A file carried by a message. `id` is the message's id. `url` is a short-lived signed
/// link to the file on the server's origin, present in what the server sends to those who
/// may see the conversation (see `docs/protocol.md`, "Attachments").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
pub struct Attachment {
    pub id: Uuid,
    pub name: String,
    /// Bytes.
    pub size: u64,
    /// The type read from the file's content (never the name the client gave).
    pub content_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A conversation with everything a list item or a header needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
pub struct Conversation {
    pub id: Uuid,
    pub visitor_id: Uuid,
    pub status: ConversationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_agent: Option<AgentRef>,
    pub started_at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_at: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Millis>,
    /// 1..=5 once the visitor rated the conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_email: Option<String>,
    /// The visitor's verified `user_id` (signed by the site, see `identify`); absent while
    /// the visitor is unverified, whatever name and email they gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Highest message seq in the conversation (0 when empty).
    pub last_seq: u64,
    /// Time of the latest message or status change; lists sort by it, newest first.
    pub last_activity_at: Millis,
    /// The latest non-system message, cut to a preview.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message_preview: Option<String>,
    /// Highest seq the visitor has read.
    #[serde(default)]
    pub visitor_read_seq: u64,
    /// Highest seq any agent has read.
    #[serde(default)]
    pub agent_read_seq: u64,
    /// Highest seq an agent's console has received.
    #[serde(default)]
    pub agent_delivered_seq: u64,
    /// Messages the receiving side has not read: for a visitor, agent messages above
    /// `visitor_read_seq`; for an agent, visitor messages above `agent_read_seq`.
    #[serde(default)]
    pub unread: u32,
    /// Whether the visitor has a socket open now, and when they were last seen.
    #[serde(default)]
    pub visitor_online: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_last_seen_at: Option<Millis>,
}

/// What happened to a conversation, carried by `conversation` frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::VariantArray)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
#[serde(rename_all = "snake_case")]
pub enum ConversationEvent {
    /// The visitor's first message opened it.
    Created,
    /// An agent took it (by replying or by claiming).
    Claimed,
    /// An admin gave it to another agent.
    Assigned,
    /// An agent closed it.
    Ended,
    /// The visitor rated it.
    Rated,
    /// Anything else a list item shows changed (new message, unread count, visitor details).
    Updated,
}

/// A canned response: a saved reply an agent inserts by typing `/` and its shortcut in the
/// composer. Admins manage them; every agent reads them. The body may hold the
/// placeholders `{{visitor.name}}` and `{{agent.name}}`, which the console fills in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
pub struct CannedResponse {
    pub id: Uuid,
    pub title: String,
    /// Letters, digits, `-` and `_`; unique regardless of case.
    pub shortcut: String,
    pub body: String,
    pub updated_at: Millis,
}
