//! `GET /v1/visitors/{id}` (agents): what the console's visitor panel shows beyond one
//! conversation: where the visitor is now, their time zone, and their conversations the
//! agent may open.

use axum::extract::State;
use axum::Json;
use tidings_protocol::visitor_panel::VisitorPanel;

use super::{parse_id, AgentAuth, ApiPath};
use crate::auth::Principal;
use crate::error::{Error, Result};
use crate::store::{conversations, visitors};
use crate::{chat, AppState};

/// An agent who may open none of the visitor's conversations (and is not an admin) is
/// told the visitor is not found, as for a conversation they may not open.
pub async fn get(
    State(state): State<AppState>,
    AgentAuth(agent): AgentAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<VisitorPanel>> {
    let visitor_id = parse_id(&id, "visitor")?;
    let list =
        conversations::list_of_visitor_for_agent(&state.pool, visitor_id, agent.id, agent.is_admin)
            .await?;
    let is_admin = agent.is_admin;
    let principal = Principal::Agent(agent);
    let conversations: Vec<_> = list
        .into_iter()
        .filter(|c| chat::may_see(&principal, c))
        .map(|c| chat::decorate(&state, c))
        .collect();
    if conversations.is_empty() && !is_admin {
        return Err(Error::not_found("visitor"));
    }
    let (page_url, time_zone) = visitors::whereabouts(&state.pool, visitor_id).await?;
    Ok(Json(VisitorPanel {
        visitor_id,
        page_url,
        time_zone,
        conversations,
    }))
}
