//! Canned responses over HTTP: every agent reads them, only admins add, edit and delete
//! them. A change reaches every open console at once (see `team_news`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use tidings_protocol::http::{CannedResponseList, CannedResponseRequest};
use tidings_protocol::limits::{
    message_chars, MAX_CANNED_TITLE_CHARS, MAX_MESSAGE_CHARS, MAX_SHORTCUT_CHARS,
};
use tidings_protocol::CannedResponse;

use super::{parse_id, AdminAuth, AgentAuth, ApiJson, ApiPath};
use crate::error::{Error, Result};
use crate::store::canned::{self, CannedFields};
use crate::{team_news, AppState};

/// The request's fields, trimmed and checked: a title, a shortcut of letters, digits, `-`
/// and `_` (a leading `/` is dropped), a body within the message limit.
fn checked(request: &CannedResponseRequest) -> Result<CannedFields<'_>> {
    let title = request.title.trim();
    let shortcut = request.shortcut.trim().trim_start_matches('/');
    let body = request.body.trim();
    if title.is_empty() || title.chars().count() > MAX_CANNED_TITLE_CHARS {
        return Err(Error::invalid(format!(
            "a title is needed, of at most {MAX_CANNED_TITLE_CHARS} characters"
        )));
    }
    if shortcut.is_empty()
        || shortcut.chars().count() > MAX_SHORTCUT_CHARS
        || !shortcut
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::invalid(format!(
            "a shortcut is letters, digits, - and _, at most {MAX_SHORTCUT_CHARS} of them"
        )));
    }
    if body.is_empty() || message_chars(body) > MAX_MESSAGE_CHARS {
        return Err(Error::invalid(format!(
            "a body is needed, of at most {MAX_MESSAGE_CHARS} characters"
        )));
    }
    Ok(CannedFields {
        title,
        shortcut,
        body,
    })
}

/// `GET /v1/canned-responses` (any agent).
pub async fn list(
    State(state): State<AppState>,
    AgentAuth(_): AgentAuth,
) -> Result<Json<CannedResponseList>> {
    Ok(Json(CannedResponseList {
        responses: canned::list(&state.pool).await?,
    }))
}

/// `POST /v1/canned-responses` (admins).
pub async fn create(
    State(state): State<AppState>,
    AdminAuth(_): AdminAuth,
    ApiJson(request): ApiJson<CannedResponseRequest>,
) -> Result<(StatusCode, Json<CannedResponse>)> {
    let created = canned::insert(&state.pool, checked(&request)?).await?;
    team_news::canned_changed(&state).await;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `PUT /v1/canned-responses/{id}` (admins).
pub async fn update(
    State(state): State<AppState>,
    AdminAuth(_): AdminAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<CannedResponseRequest>,
) -> Result<Json<CannedResponse>> {
    let id = parse_id(&id, "canned response")?;
    let updated = canned::update(&state.pool, id, checked(&request)?).await?;
    team_news::canned_changed(&state).await;
    Ok(Json(updated))
}

/// `DELETE /v1/canned-responses/{id}` (admins).
pub async fn delete(
    State(state): State<AppState>,
    AdminAuth(_): AdminAuth,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode> {
    let id = parse_id(&id, "canned response")?;
    canned::delete(&state.pool, id).await?;
    team_news::canned_changed(&state).await;
    Ok(StatusCode::NO_CONTENT)
}
