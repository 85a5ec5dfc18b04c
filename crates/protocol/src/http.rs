//! HTTP request and response bodies under `/v1`. Authenticated endpoints take
//! `Authorization: Bearer <token>` (a visitor token or an agent session token).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ErrorCode;
use crate::model::{Agent, Conversation, Message};

/// `POST /v1/visitors`: a new anonymous visitor. All fields optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
#[serde(deny_unknown_fields)]
pub struct CreateVisitorRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub page_url: Option<String>,
}

/// Answer to `POST /v1/visitors`. The token is shown once; the server keeps its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
pub struct CreateVisitorResponse {
    pub visitor_id: Uuid,
    pub token: String,
}

/// `PATCH /v1/visitor`: attach details (`Tidings('identify', …)`, the page the visitor is on).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
#[serde(deny_unknown_fields)]
pub struct UpdateVisitorRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub page_url: Option<String>,
    /// The site's own id for the person (verified identity). Accepted only with a valid
    /// `user_hash`; it then joins this browser to every other browser verified as the same
    /// `user_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Lowercase hex HMAC-SHA256 of `user_id`, keyed with the server's identity secret,
    /// computed by the site's backend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_hash: Option<String>,
    /// The browser's time zone, an IANA name such as `Europe/Berlin` (at most 64
    /// characters), so agents see the visitor's local time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// `GET /v1/visitor`: who the token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorProfile {
    pub visitor_id: Uuid,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// The verified `user_id`; absent while the visitor is unverified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// `GET /v1/visitor/conversations` and `GET /v1/conversations?filter=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
pub struct ConversationList {
    pub conversations: Vec<Conversation>,
    /// `filter=waiting` only: more waiting conversations follow; pass this as `after` to
    /// get the next page. Absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// `POST /v1/conversations/close-waiting`: ends these conversations if they are still
/// waiting (at most 200 at once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseWaitingRequest {
    pub conversation_ids: Vec<Uuid>,
}

/// Answer to `POST /v1/conversations/close-waiting`: the conversations this request ended,
/// and those it left alone (no longer waiting, already ended, or not found).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseWaitingResponse {
    pub closed: Vec<Uuid>,
    pub skipped: Vec<Uuid>,
}

/// Answer to `POST /v1/visitors/{id}/block` and `/unblock`: the visitor's state now, and
/// the waiting conversations the block ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorBlock {
    pub visitor_id: Uuid,
    pub blocked: bool,
    #[serde(default)]
    pub ended: Vec<Uuid>,
}

/// `GET /v1/conversations/{id}/messages?before_seq=N&limit=M`: the page of messages
/// just below `before_seq` (or the latest page), in ascending seq order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
pub struct HistoryPage {
    pub messages: Vec<Message>,
    /// Whether older messages exist below the first one returned.
    pub has_more: bool,
}

/// `POST /v1/agents/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// Answer to a successful login. The session lasts until logout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    pub token: String,
    pub agent: Agent,
}

/// `GET /v1/agents`: every agent, for reassignment and presence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentList {
    pub agents: Vec<Agent>,
}

/// `POST /v1/conversations/{id}/assign` (admins): give the conversation to an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub agent_id: Uuid,
}

/// `POST /v1/conversations/{id}/notes` (agents): a private note, which the visitor never
/// receives. `id` is chosen by the client, as for a message, so a retry stores it once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    pub id: Uuid,
    pub body: String,
}

/// `POST /v1/conversations/{id}/transfer`: the holder (or an admin) hands the conversation
/// to `agent_id`, or without it puts it back in the waiting queue; `note` (optional) is
/// stored as a private note first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `POST /v1/conversations/{id}/rating` (the visitor, once ended).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// 1..=5 stars.
    pub rating: u8,
    #[serde(default)]
    pub feedback: Option<String>,
}

/// The body of every HTTP error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

/// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
    pub protocol: u32,
}

/// Reads a request body whose JSON is optional (`POST /v1/visitors`): empty or only
/// whitespace means `T::default()`, so a bare `POST` works. Malformed JSON is `bad_json`,
/// JSON without the expected fields `invalid_frame`. Here rather than in the server so the
/// fuzz targets (`fuzz/`) run the code that meets outside input.
pub fn parse_optional_body<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError {
            code: ErrorCode::InvalidFrame,
            message: format!("the body does not have the expected fields: {e}"),
        },
        _ => ApiError {
            code: ErrorCode::BadJson,
            message: format!("the body is not valid JSON: {e}"),
        },
    })
}

/// `GET /v1/canned-responses`: every canned response, by shortcut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedResponseList {
    pub responses: Vec<crate::model::CannedResponse>,
}

/// `POST /v1/canned-responses` and `PUT /v1/canned-responses/{id}` (admins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedResponseRequest {
    pub title: String,
    pub shortcut: String,
    pub body: String,
}

/// `POST /v1/agents` (admins): a new agent. Without `password`, the answer carries a
/// one-time set-password token instead, for a link the admin hands over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddAgentRequest {
    pub email: String,
    pub name: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub is_admin: bool,
}

/// Answer to `POST /v1/agents` and `POST /v1/agents/{id}/password`: the agent, and the
/// one-time set-password token when no password was given (shown once; the server keeps
/// its hash). The console's link is `/console/#/set-password/<token>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentCredentials {
    pub agent: Agent,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_password_token: Option<String>,
}

/// `PATCH /v1/agents/{id}` (admins): rename, promote or demote. Absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateAgentRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub is_admin: Option<bool>,
}

/// `POST /v1/agents/{id}/password` (admins): reset a password, to `password` or, without
/// one, to a one-time set-password link. Either way the agent's sessions end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    #[serde(default)]
    pub password: Option<String>,
}

/// `PATCH /v1/agents/me`: an agent changes their own name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    pub name: String,
}

/// `POST /v1/agents/me/password`: an agent changes their own password. Their other
/// sessions end; this one goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub password: String,
}

/// `POST /v1/agents/set-password` (no session): spends a one-time set-password token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetPasswordRequest {
    pub token: String,
    pub password: String,
}

/// `POST /v1/conversations/{id}/transcript` (the visitor, once the conversation ended): email
/// the transcript to `email`, else to the visitor's own email. Only on servers that send
/// email (`hello.email`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "wire", derive(tidings_wire_derive::Wire))]
#[serde(deny_unknown_fields)]
pub struct TranscriptRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// The answer to a transcript request: the address it will be sent to. Asking again sends
/// nothing more to the same address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptResponse {
    pub email: String,
}
