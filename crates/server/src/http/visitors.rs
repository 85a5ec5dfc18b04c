//! Visitor endpoints: create a visitor (and its token), read and update its details, list
//! its conversations; and for agents, block or unblock a visitor.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use tidings_protocol::http::{
    ConversationList, CreateVisitorRequest, CreateVisitorResponse, UpdateVisitorRequest,
    VisitorBlock, VisitorProfile,
};

use super::{
    check_field, parse_id, AgentAuth, ApiJson, ApiPath, BearerToken, OptionalApiJson, VisitorAuth,
};
use crate::error::Result;
use crate::identity::IdentifyRequest;
use crate::ip_limit::{VisitorCreation, WithinIpLimit};
use crate::store::conversations;
use crate::store::visitors::{self, Binding, VisitorDetails};
use crate::{auth, chat, AppState};

/// The visitor's page as stored: checked, and without its query and fragment (where
/// reset and login tokens live) unless the site owner keeps them (`--keep-page-query`).
fn page_url(state: &AppState, url: &Option<String>) -> Result<Option<String>> {
    let url = check_field(url, "page_url")?;
    if state.settings.keep_page_query {
        return Ok(url);
    }
    Ok(url.map(|u| match u.find(['?', '#']) {
        Some(end) => u[..end].to_owned(),
        None => u,
    }))
}

/// `POST /v1/visitors`: a new anonymous visitor; the token is returned once. The body is
/// optional: none means an anonymous visitor with no details.
pub async fn create(
    State(state): State<AppState>,
    _: WithinIpLimit<VisitorCreation>,
    headers: HeaderMap,
    OptionalApiJson(request): OptionalApiJson<CreateVisitorRequest>,
) -> Result<(StatusCode, Json<CreateVisitorResponse>)> {
    let name = check_field(&request.name, "name")?;
    let email = check_field(&request.email, "email")?;
    // A name or email given at creation is an `identify` without a signature.
    state.settings.identity.check(&IdentifyRequest {
        user_id: None,
        user_hash: None,
        names_someone: name.is_some() || email.is_some(),
    })?;
    let details = VisitorDetails {
        name,
        email,
        page_url: page_url(&state, &request.page_url)?,
        user_agent: check_field(
            &headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            "user agent",
        )
        .unwrap_or(None),
    };
    let token = auth::new_visitor_token();
    let visitor_id = visitors::create(&state.pool, &auth::token_hash(&token), &details).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreateVisitorResponse { visitor_id, token }),
    ))
}

/// `GET /v1/visitor`.
pub async fn me(
    State(state): State<AppState>,
    VisitorAuth(id): VisitorAuth,
) -> Result<Json<VisitorProfile>> {
    Ok(Json(visitors::profile(&state.pool, id).await?))
}

/// `PATCH /v1/visitor`: `identify` and page changes. A `user_id` counts only with its
/// valid `user_hash` (`identity.rs`); it makes the visitor verified, or joins this browser
/// to the visitor already verified as that `user_id` (then this browser's sockets close
/// with 4010 and come back as that visitor). Open conversations are announced again so
/// agents see the new name and state at once.
pub async fn update(
    State(state): State<AppState>,
    VisitorAuth(mut id): VisitorAuth,
    ApiJson(request): ApiJson<UpdateVisitorRequest>,
) -> Result<Json<VisitorProfile>> {
    let checked = UpdateVisitorRequest {
        name: check_field(&request.name, "name")?,
        email: check_field(&request.email, "email")?,
        page_url: page_url(&state, &request.page_url)?,
        user_id: None,
        user_hash: None,
        time_zone: crate::visitor_page::check_time_zone(&request.time_zone)?,
    };
    let verified = state.settings.identity.check(&IdentifyRequest {
        user_id: request.user_id.as_deref(),
        user_hash: request.user_hash.as_deref(),
        names_someone: checked.name.is_some() || checked.email.is_some(),
    })?;
    if let Some(user_id) = verified {
        if let Binding::Joined { merged, canonical } =
            visitors::bind_user(&state.pool, id, &user_id).await?
        {
            state.hub.close_visitor(merged);
            state.tell(crate::cluster::note::Note::VisitorJoined { visitor_id: merged });
            id = canonical;
        }
    }
    visitors::update(&state.pool, id, &checked).await?;
    chat::announce_visitor(&state, id).await?;
    if checked.page_url.is_some() || checked.time_zone.is_some() {
        crate::visitor_page::announce(&state, id).await?;
    }
    Ok(Json(visitors::profile(&state.pool, id).await?))
}

/// `POST /v1/visitor/logout` (`Tidings('shutdown')`): the token stops opening anything.
/// The visitor's conversations stay, for the agents and for the person's other verified
/// browsers.
pub async fn logout(
    State(state): State<AppState>,
    VisitorAuth(_): VisitorAuth,
    BearerToken(token): BearerToken,
) -> Result<StatusCode> {
    let unusable = auth::token_hash(&auth::new_visitor_token());
    visitors::revoke_token(&state.pool, &auth::token_hash(&token), &unusable).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/visitor/conversations`: newest first, `unread` counted for the visitor.
pub async fn conversations(
    State(state): State<AppState>,
    VisitorAuth(id): VisitorAuth,
) -> Result<Json<ConversationList>> {
    let list = conversations::list_for_visitor(&state.pool, id).await?;
    Ok(Json(ConversationList {
        conversations: list
            .into_iter()
            .map(|c| chat::decorate(&state, c))
            .collect(),
        next: None,
    }))
}

async fn set_blocked(
    state: &AppState,
    agent: &crate::auth::AgentIdentity,
    id: &str,
    blocked: bool,
) -> Result<Json<VisitorBlock>> {
    let visitor_id = parse_id(id, "visitor")?;
    let ended = crate::lifecycle::block(state, agent, visitor_id, blocked).await?;
    Ok(Json(VisitorBlock {
        visitor_id,
        blocked,
        ended,
    }))
}

/// `POST /v1/visitors/{id}/block`: for an agent who may see one of the visitor's
/// conversations (admins: any visitor). Their sends are refused from now on, and their
/// waiting conversations end.
pub async fn block(
    State(state): State<AppState>,
    AgentAuth(agent): AgentAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<VisitorBlock>> {
    set_blocked(&state, &agent, &id, true).await
}

/// `POST /v1/visitors/{id}/unblock`.
pub async fn unblock(
    State(state): State<AppState>,
    AgentAuth(agent): AgentAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<VisitorBlock>> {
    set_blocked(&state, &agent, &id, false).await
}
