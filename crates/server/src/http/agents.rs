//! Agent endpoints: login (argon2), logout, who am I, and the agent list with presence.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use tidings_protocol::http::{AgentList, LoginRequest, LoginResponse};
use tidings_protocol::{Agent, ErrorCode};

use super::{AgentAuth, ApiJson, BearerToken};
use crate::auth::{self, AgentIdentity};
use crate::error::{Error, Result};
use crate::ip_limit::{retry_later, Login, WithinIpLimit};
use crate::store::agents;
use crate::AppState;

pub(super) fn to_agent(state: &AppState, a: AgentIdentity) -> Agent {
    Agent {
        status: state.hub.agent_status(a.id),
        id: a.id,
        email: a.email,
        name: a.name,
        is_admin: a.is_admin,
    }
}

/// `POST /v1/agents/login`. The password check is bounded per core and each account
/// backs off after failed logins (see `login_guard`): refusals then come before any
/// hashing, with `Retry-After`.
pub async fn login(
    State(state): State<AppState>,
    _: WithinIpLimit<Login>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, Response> {
    let refused = || Error::client(ErrorCode::Unauthorized, "wrong email or password");
    let email = request.email.trim();
    let attempt = state
        .logins
        .begin(email)
        .map_err(|r| retry_later(r.error(), r.retry_after()))?;
    let found = agents::by_email_with_hash(&state.pool, email)
        .await
        .map_err(IntoResponse::into_response)?;
    // An unknown email is checked against a decoy hash (`None`): the same time as a real
    // check, so timing does not reveal which emails exist.
    let (agent, hash) = match found {
        Some((agent, hash)) => (Some(agent), Some(hash)),
        None => (None, None),
    };
    let ok = state
        .logins
        .verify(request.password, hash)
        .await
        .map_err(|r| retry_later(r.error(), r.retry_after()))?;
    let Some(agent) = agent.filter(|_| ok) else {
        attempt.finish(false);
        return Err(refused().into_response());
    };
    attempt.finish(true);
    let token = auth::new_agent_token();
    agents::create_session(
        &state.pool,
        agent.id,
        &auth::token_hash(&token),
        state.settings.sessions,
    )
    .await
    .map_err(IntoResponse::into_response)?;
    Ok(Json(LoginResponse {
        token,
        agent: to_agent(&state, agent),
    }))
}

/// `POST /v1/agents/logout`: the session token stops working, and the sockets opened
/// with it are closed (UNAUTHORIZED).
pub async fn logout(
    State(state): State<AppState>,
    AgentAuth(_): AgentAuth,
    BearerToken(token): BearerToken,
) -> Result<StatusCode> {
    let session_hash = auth::token_hash(&token);
    agents::delete_session(&state.pool, &session_hash).await?;
    state.hub.close_session(&session_hash);
    state.tell(crate::cluster::note::Note::SessionEnded { session_hash });
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/agents/me`.
pub async fn me(State(state): State<AppState>, AgentAuth(agent): AgentAuth) -> Json<Agent> {
    Json(to_agent(&state, agent))
}

/// `GET /v1/agents`: every agent with their presence.
pub async fn list(
    State(state): State<AppState>,
    AgentAuth(_): AgentAuth,
) -> Result<Json<AgentList>> {
    let list = agents::list(&state.pool).await?;
    Ok(Json(AgentList {
        agents: list.into_iter().map(|a| to_agent(&state, a)).collect(),
    }))
}
