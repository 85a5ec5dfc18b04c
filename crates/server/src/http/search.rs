//! `GET /v1/search?q=…` (agents): the console's search box over message text and visitors'
//! names and emails, newest first, only what the agent may open.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use tidings_protocol::search::{SearchResult, SearchResults, MAX_RESULTS};
use tidings_protocol::Conversation;
use uuid::Uuid;

use super::{AgentAuth, ApiQuery};
use crate::auth::Principal;
use crate::error::{Error, Result};
use crate::store::read_state::Side;
use crate::store::{conversations, search};
use crate::{chat, search_terms, AppState};

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
}

/// Runs one search. Each result's conversation is loaded once and checked again with the
/// rule that opening it applies (`chat::may_see`), so a result always opens.
pub async fn search(
    State(state): State<AppState>,
    AgentAuth(agent): AgentAuth,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Json<SearchResults>> {
    let query = params
        .q
        .ok_or_else(|| Error::invalid("q (the words to search for) is required"))?;
    let words = search_terms::parse(&query)?;
    let (pool, backend) = (&state.pool, &state.backend);
    let messages =
        search::messages(pool, backend, agent.id, agent.is_admin, &words, MAX_RESULTS).await?;
    let by_visitor =
        search::visitor_conversations(pool, backend, agent.id, agent.is_admin, &words, MAX_RESULTS)
            .await?;

    let principal = Principal::Agent(agent);
    let mut loaded: HashMap<Uuid, Option<Conversation>> = HashMap::new();
    let mut results = Vec::new();
    let wanted = messages
        .into_iter()
        .map(|m| (m.conversation_id, Some(m)))
        .chain(by_visitor.into_iter().map(|id| (id, None)));
    for (conversation_id, message) in wanted {
        if let Entry::Vacant(slot) = loaded.entry(conversation_id) {
            let conversation = conversations::load(pool, conversation_id, Side::Agent)
                .await?
                .filter(|c| chat::may_see(&principal, c))
                .map(|c| chat::decorate(&state, c));
            slot.insert(conversation);
        }
        if let Some(Some(conversation)) = loaded.get(&conversation_id) {
            results.push(SearchResult {
                conversation: conversation.clone(),
                message,
            });
        }
    }
    // Newest first: a message by when it was written, a visitor match by its
    // conversation's latest activity.
    results.sort_by_key(|r| {
        std::cmp::Reverse(
            r.message
                .as_ref()
                .map_or(r.conversation.last_activity_at, |m| m.created_at),
        )
    });
    results.truncate(MAX_RESULTS);
    Ok(Json(SearchResults {
        terms: search_terms::highlights(&words),
        results,
    }))
}
