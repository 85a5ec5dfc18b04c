//! Conversation endpoints: lists per filter (the waiting one oldest first, in pages), one
//! conversation, history pages, the claim / assign / close / rating actions (each returns
//! the updated conversation), and closing waiting conversations in bulk.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use tidings_protocol::http::{
    AssignRequest, CloseWaitingRequest, CloseWaitingResponse, ConversationList, HistoryPage,
    NoteRequest, RatingRequest, TransferRequest,
};
use tidings_protocol::limits::MAX_HISTORY_PAGE;
use tidings_protocol::Conversation;

use super::{parse_id, AgentAuth, ApiJson, ApiPath, ApiQuery, VisitorAuth};
use crate::auth::Principal;
use crate::error::{Error, Result};
use crate::store::conversations::{self, AgentFilter, WaitingCursor};
use crate::store::messages;
use crate::{chat, lifecycle, AppState};

#[derive(Debug, Deserialize)]
pub struct ListParams {
    filter: Option<String>,
    after: Option<String>,
    limit: Option<String>,
}

/// `GET /v1/conversations?filter=waiting|mine|all|ended` (agents). `waiting` is oldest
/// first, in pages of `limit` (at most 200): `after` is the previous page's `next`.
pub async fn list(
    State(state): State<AppState>,
    AgentAuth(agent): AgentAuth,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<ConversationList>> {
    let filter = match params.filter.as_deref() {
        None => AgentFilter::All,
        Some(raw) => AgentFilter::parse(raw)
            .ok_or_else(|| Error::invalid("filter must be waiting, mine, all or ended"))?,
    };
    if filter != AgentFilter::Waiting && (params.after.is_some() || params.limit.is_some()) {
        return Err(Error::invalid(
            "after and limit page the waiting filter only",
        ));
    }
    let (list, next) = if filter == AgentFilter::Waiting {
        let after = params
            .after
            .as_deref()
            .map(|raw| {
                WaitingCursor::parse(raw)
                    .ok_or_else(|| Error::invalid("after must be a `next` from an earlier page"))
            })
            .transpose()?;
        let limit = parse_number(params.limit.as_deref(), "limit")?
            .unwrap_or(200)
            .min(200) as u32;
        let (page, next) = conversations::waiting_page(&state.pool, after.as_ref(), limit).await?;
        (page, next.map(|c| c.encode()))
    } else {
        let list =
            conversations::list_for_agent(&state.pool, agent.id, agent.is_admin, filter).await?;
        (list, None)
    };
    Ok(Json(ConversationList {
        conversations: list
            .into_iter()
            .map(|c| chat::decorate(&state, c))
            .collect(),
        next,
    }))
}

/// `POST /v1/conversations/close-waiting`: ends the listed conversations that are still
/// waiting, each through the writer and announced as a single close is.
pub async fn close_waiting(
    State(state): State<AppState>,
    AgentAuth(agent): AgentAuth,
    ApiJson(request): ApiJson<CloseWaitingRequest>,
) -> Result<Json<CloseWaitingResponse>> {
    let (closed, skipped) =
        lifecycle::close_waiting(&state, &agent, &request.conversation_ids).await?;
    Ok(Json(CloseWaitingResponse { closed, skipped }))
}

/// `GET /v1/conversations/{id}`: for its visitor or an agent who may see it.
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Conversation>> {
    let id = parse_id(&id, "conversation")?;
    Ok(Json(chat::load_visible(&state, &principal, id).await?))
}

#[derive(Debug, Deserialize)]
pub struct HistoryParams {
    before_seq: Option<String>,
    limit: Option<String>,
}

fn parse_number(raw: Option<&str>, name: &str) -> Result<Option<u64>> {
    raw.map(|r| {
        r.parse::<u64>()
            .map_err(|_| Error::invalid(format!("{name} must be a non-negative integer")))
    })
    .transpose()
}

/// `GET /v1/conversations/{id}/messages?before_seq=N&limit=M`.
pub async fn messages(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<HistoryParams>,
) -> Result<Json<HistoryPage>> {
    let id = parse_id(&id, "conversation")?;
    chat::load_visible(&state, &principal, id).await?;
    let before_seq = parse_number(params.before_seq.as_deref(), "before_seq")?;
    let limit = parse_number(params.limit.as_deref(), "limit")?
        .unwrap_or(50)
        .clamp(1, MAX_HISTORY_PAGE as u64) as u32;
    // A visitor's pages never hold private notes.
    let audience = match principal {
        Principal::Visitor { .. } => messages::Audience::Visitor,
        Principal::Agent(_) => messages::Audience::Agent,
    };
    let (mut messages, has_more) =
        messages::page_before(&state.pool, id, before_seq, limit, audience).await?;
    crate::attachments::sign(&state, &mut messages).await?;
    Ok(Json(HistoryPage { messages, has_more }))
}

/// `POST /v1/conversations/{id}/claim`.
pub async fn claim(
    State(state): State<AppState>,
    AgentAuth(agent): AgentAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Conversation>> {
    let id = parse_id(&id, "conversation")?;
    Ok(Json(lifecycle::claim(&state, &agent, id).await?))
}

/// `POST /v1/conversations/{id}/assign` (admins).
pub async fn assign(
    State(state): State<AppState>,
    AgentAuth(agent): AgentAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<AssignRequest>,
) -> Result<Json<Conversation>> {
    let id = parse_id(&id, "conversation")?;
    Ok(Json(
        lifecycle::assign(&state, &agent, id, request.agent_id).await?,
    ))
}

/// `POST /v1/conversations/{id}/close`.
pub async fn close(
    State(state): State<AppState>,
    AgentAuth(agent): AgentAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Conversation>> {
    let id = parse_id(&id, "conversation")?;
    Ok(Json(lifecycle::close(&state, &agent, id).await?))
}

/// `POST /v1/conversations/{id}/rating` (the visitor, once ended).
pub async fn rate(
    State(state): State<AppState>,
    VisitorAuth(visitor): VisitorAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<RatingRequest>,
) -> Result<Json<Conversation>> {
    let id = parse_id(&id, "conversation")?;
    Ok(Json(
        lifecycle::rate(
            &state,
            visitor,
            id,
            request.rating,
            request.feedback.as_deref(),
        )
        .await?,
    ))
}

/// `POST /v1/conversations/{id}/notes` (agents): a private note; answers the stored note
/// (the same one for a repeated id).
pub async fn note(
    State(state): State<AppState>,
    AgentAuth(agent): AgentAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<NoteRequest>,
) -> Result<Json<tidings_protocol::Message>> {
    let id = parse_id(&id, "conversation")?;
    Ok(Json(
        lifecycle::note(&state, &agent, id, request.id, &request.body).await?,
    ))
}

/// `POST /v1/conversations/{id}/transfer`: the holder (or an admin) hands it to another
/// agent, or without `agent_id` puts it back in the waiting queue.
pub async fn transfer(
    State(state): State<AppState>,
    AgentAuth(agent): AgentAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<TransferRequest>,
) -> Result<Json<Conversation>> {
    let id = parse_id(&id, "conversation")?;
    Ok(Json(
        lifecycle::transfer(
            &state,
            &agent,
            id,
            request.agent_id,
            request.note.as_deref(),
        )
        .await?,
    ))
}
