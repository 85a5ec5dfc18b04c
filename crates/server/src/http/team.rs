//! Team management over HTTP. Admins add agents (with a password or a one-time
//! set-password link), rename, promote or demote, reset passwords and remove them; every
//! agent changes their own name and password. The CLI (`agent add|list|remove|passwd|
//! logout-all`) works on the same tables.
//!
//! These are plain transactions on the pool: nothing here is ordered with messages. The
//! one consequence that is (a removed agent's conversations going back to the queue) goes
//! through the writer, by the same path as a removal from the CLI.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use tidings_protocol::frame::close;
use tidings_protocol::http::{
    AddAgentRequest, AgentCredentials, ChangePasswordRequest, ResetPasswordRequest,
    SetPasswordRequest, UpdateAgentRequest, UpdateMeRequest,
};
use tidings_protocol::limits::{MAX_FIELD_CHARS, MIN_PASSWORD_CHARS};
use tidings_protocol::{Agent, ErrorCode};
use uuid::Uuid;

use super::agents::to_agent;
use super::{parse_id, AdminAuth, AgentAuth, ApiJson, ApiPath, BearerToken, OptionalApiJson};
use crate::auth::{self, AgentIdentity};
use crate::cluster::note::Note;
use crate::error::{Error, Result};
use crate::ip_limit::retry_later;
use crate::store::{agents, team};
use crate::{lifecycle, team_news, AppState};

/// How long a set-password link works.
pub const LINK_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// Longest password accepted (argon2 would take any length; a bound keeps a request cheap).
const MAX_PASSWORD_CHARS: usize = 1_024;

fn checked_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_FIELD_CHARS {
        return Err(Error::invalid(format!(
            "a name is needed, of at most {MAX_FIELD_CHARS} characters"
        )));
    }
    Ok(name)
}

fn checked_email(email: &str) -> Result<&str> {
    let email = email.trim();
    if !email.contains('@') || email.chars().count() > MAX_FIELD_CHARS {
        return Err(Error::invalid("give a valid email address"));
    }
    Ok(email)
}

/// Hashes a new password off the async threads, after checking its length.
async fn new_password_hash(password: String) -> Result<String> {
    let chars = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        return Err(Error::invalid(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters (and at most \
             {MAX_PASSWORD_CHARS})"
        )));
    }
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| Error::internal(e.to_string()))?
}

/// A hash no password matches, for an agent who is to set theirs through a link.
async fn unusable_password_hash() -> Result<String> {
    new_password_hash(auth::new_agent_token()).await
}

/// A new one-time set-password link for the agent: its token (shown once).
async fn new_link(state: &AppState, id: Uuid) -> Result<String> {
    let token = auth::new_agent_token();
    let expires_at =
        crate::store::now_millis() + LINK_LIFETIME.as_millis().min(i64::MAX as u128) as i64;
    team::create_link(&state.pool, id, &auth::token_hash(&token), expires_at).await?;
    Ok(token)
}

/// Closes the sockets of sessions that ended, here and on the other nodes.
fn close_sessions(state: &AppState, ended: Vec<String>) {
    for session_hash in ended {
        state.hub.close_session(&session_hash);
        state.tell(Note::SessionEnded { session_hash });
    }
}

/// The agent's sockets reconnect, here and on the other nodes, so that their name and
/// rights are read again.
fn reconnect(state: &AppState, agent_id: Uuid) {
    state.hub.close_agent(agent_id, close::GOING_AWAY);
    state.tell(Note::Reconnect { agent_id });
}

fn found(agent: Option<AgentIdentity>) -> Result<AgentIdentity> {
    agent.ok_or_else(|| Error::not_found("agent"))
}

/// `POST /v1/agents` (admins).
pub async fn add(
    State(state): State<AppState>,
    AdminAuth(_): AdminAuth,
    ApiJson(request): ApiJson<AddAgentRequest>,
) -> Result<(StatusCode, Json<AgentCredentials>)> {
    let email = checked_email(&request.email)?;
    let name = checked_name(&request.name)?;
    let with_link = request.password.is_none();
    let hash = match request.password.clone() {
        Some(password) => new_password_hash(password).await?,
        None => unusable_password_hash().await?,
    };
    let agent = agents::insert(&state.pool, email, name, &hash, request.is_admin).await?;
    let set_password_token = if with_link {
        Some(new_link(&state, agent.id).await?)
    } else {
        None
    };
    team_news::team_changed(&state).await;
    Ok((
        StatusCode::CREATED,
        Json(AgentCredentials {
            agent: to_agent(&state, agent),
            set_password_token,
        }),
    ))
}

/// `PATCH /v1/agents/{id}` (admins): rename, promote or demote. An admin cannot demote
/// themselves, so a team always keeps the admin who is acting.
pub async fn update(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<UpdateAgentRequest>,
) -> Result<Json<Agent>> {
    let id = parse_id(&id, "agent")?;
    let name = request.name.as_deref().map(checked_name).transpose()?;
    if id == admin.id && request.is_admin == Some(false) {
        return Err(Error::client(
            ErrorCode::Conflict,
            "you cannot demote yourself; another admin can",
        ));
    }
    found(agents::by_id(&state.pool, id).await?)?;
    let agent = team::update(&state.pool, id, name, request.is_admin).await?;
    reconnect(&state, id);
    team_news::team_changed(&state).await;
    Ok(Json(to_agent(&state, agent)))
}

/// `DELETE /v1/agents/{id}` (admins): the agent's sessions end at once (their sockets
/// close on every node) and their active conversations return to the queue. An admin
/// cannot remove themselves.
pub async fn remove(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode> {
    let id = parse_id(&id, "agent")?;
    if id == admin.id {
        return Err(Error::client(
            ErrorCode::Conflict,
            "you cannot remove yourself; another admin can",
        ));
    }
    let ended = team::remove(&state.pool, id).await?;
    close_sessions(&state, ended);
    // The same path as `agent remove` on the command line, now rather than at the next
    // heartbeat: through the writer, announced, and notified to the other nodes.
    lifecycle::requeue_orphans(&state).await?;
    team_news::team_changed(&state).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/agents/{id}/password` (admins): a new password, or without one a one-time
/// set-password link (the old password stops working at once). The agent's sessions end.
pub async fn reset_password(
    State(state): State<AppState>,
    AdminAuth(_): AdminAuth,
    ApiPath(id): ApiPath<String>,
    OptionalApiJson(request): OptionalApiJson<ResetPasswordRequest>,
) -> Result<Json<AgentCredentials>> {
    let id = parse_id(&id, "agent")?;
    let agent = found(agents::by_id(&state.pool, id).await?)?;
    let with_link = request.password.is_none();
    let hash = match request.password {
        Some(password) => new_password_hash(password).await?,
        None => unusable_password_hash().await?,
    };
    let ended = team::set_password(&state.pool, id, &hash, None).await?;
    close_sessions(&state, ended);
    let set_password_token = if with_link {
        Some(new_link(&state, id).await?)
    } else {
        None
    };
    Ok(Json(AgentCredentials {
        agent: to_agent(&state, agent),
        set_password_token,
    }))
}

/// `PATCH /v1/agents/me`: an agent renames themselves.
pub async fn update_me(
    State(state): State<AppState>,
    AgentAuth(me): AgentAuth,
    ApiJson(request): ApiJson<UpdateMeRequest>,
) -> Result<Json<Agent>> {
    let name = checked_name(&request.name)?;
    let agent = team::update(&state.pool, me.id, Some(name), None).await?;
    reconnect(&state, me.id);
    team_news::team_changed(&state).await;
    Ok(Json(to_agent(&state, agent)))
}

/// `POST /v1/agents/me/password`: an agent changes their own password, giving the
/// current one (checked like a login, bounded per core). Their other sessions end.
pub async fn change_my_password(
    State(state): State<AppState>,
    AgentAuth(me): AgentAuth,
    BearerToken(token): BearerToken,
    ApiJson(request): ApiJson<ChangePasswordRequest>,
) -> Result<StatusCode, axum::response::Response> {
    use axum::response::IntoResponse;
    let current = team::password_hash(&state.pool, me.id)
        .await
        .map_err(IntoResponse::into_response)?;
    let ok = state
        .logins
        .verify(request.current_password, current)
        .await
        .map_err(|r| retry_later(r.error(), r.retry_after()))?;
    if !ok {
        return Err(
            Error::client(ErrorCode::Forbidden, "the current password is not right")
                .into_response(),
        );
    }
    let hash = new_password_hash(request.password)
        .await
        .map_err(IntoResponse::into_response)?;
    let keep = auth::token_hash(&token);
    let ended = team::set_password(&state.pool, me.id, &hash, Some(&keep))
        .await
        .map_err(IntoResponse::into_response)?;
    close_sessions(&state, ended);
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/agents/set-password` (no session: the token is the proof): spends a
/// one-time link. Unknown, used and expired links are all `not_found`.
pub async fn set_password(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SetPasswordRequest>,
) -> Result<StatusCode> {
    let token_hash = auth::token_hash(request.token.trim());
    // Checked before the (costly) hashing, so guessing links costs the server little.
    if !team::link_is_valid(&state.pool, &token_hash).await? {
        return Err(Error::not_found("set-password link"));
    }
    let hash = new_password_hash(request.password).await?;
    let Some((_, ended)) = team::spend_link(&state.pool, &token_hash, &hash).await? else {
        return Err(Error::not_found("set-password link"));
    };
    close_sessions(&state, ended);
    Ok(StatusCode::NO_CONTENT)
}
