//! What the console's visitor panel shows beyond a conversation's own fields
//! (`GET /v1/visitors/{id}`, agents only): the page the visitor is on now, their time zone,
//! and their conversations the agent may open. The `visitor_page` frame keeps the page
//! live. Only the console reads these; the widget never links them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::Conversation;

/// Answer to `GET /v1/visitors/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorPanel {
    pub visitor_id: Uuid,
    /// The page the visitor is on now (their latest page load or in-page navigation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    /// Their browser's time zone, an IANA name such as `Europe/Berlin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Every conversation of theirs the agent may open, newest activity first.
    pub conversations: Vec<Conversation>,
}
