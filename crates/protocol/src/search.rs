//! The console's search (`GET /v1/search?q=…`, agents only): what a result carries, and
//! the limits on a query. Only the console reads these; the widget never links them.

use serde::{Deserialize, Serialize};

use crate::model::{Conversation, Message};

/// Longest query accepted, in characters (longer is `invalid_request`).
pub const MAX_QUERY_CHARS: usize = 200;

/// Most words a query may hold (more is `invalid_request`).
pub const MAX_QUERY_WORDS: usize = 8;

/// Most results one search returns.
pub const MAX_RESULTS: usize = 50;

/// Answer to `GET /v1/search?q=…`: newest first, only what the agent may open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    /// The words searched for, lower-cased, as the server read them from the query (a
    /// result matches every one of them, each as the start of a word): the console
    /// highlights these.
    pub terms: Vec<String>,
    pub results: Vec<SearchResult>,
}

/// One match: a message, or (for a match on the visitor's name or email) a conversation
/// of that visitor without one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResult {
    pub conversation: Conversation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}
