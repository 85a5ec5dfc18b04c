//! The HTTP API under `/v1`, plus `/healthz` and `/metrics`, and the small extractors
//! every handler shares: the bearer token and JSON bodies whose rejections are `ApiError`s.

mod agents;
mod conversations;
mod health;
mod visitors;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use tidings_protocol::ErrorCode;

use crate::auth::{self, AgentIdentity, Principal};
use crate::error::Error;
use crate::AppState;

/// Largest request body accepted by the API.
const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .route("/v1/socket", get(crate::socket::upgrade))
        .route("/v1/visitors", post(visitors::create))
        .route("/v1/visitor", get(visitors::me).patch(visitors::update))
        .route("/v1/visitor/conversations", get(visitors::conversations))
        .route("/v1/agents/login", post(agents::login))
        .route("/v1/agents/logout", post(agents::logout))
        .route("/v1/agents/me", get(agents::me))
        .route("/v1/agents", get(agents::list))
        .route("/v1/conversations", get(conversations::list))
        .route("/v1/conversations/{id}", get(conversations::get))
        .route(
            "/v1/conversations/{id}/messages",
            get(conversations::messages),
        )
        .route("/v1/conversations/{id}/claim", post(conversations::claim))
        .route("/v1/conversations/{id}/assign", post(conversations::assign))
        .route("/v1/conversations/{id}/close", post(conversations::close))
        .route("/v1/conversations/{id}/rating", post(conversations::rate))
        .route("/v1/{*rest}", axum::routing::any(api_not_found))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
}

async fn api_not_found() -> Error {
    Error::not_found("endpoint")
}

/// Counts requests and records their latency.
pub async fn track_latency(request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let metrics = crate::metrics::global();
    metrics
        .http_requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    metrics.http_latency.observe(started.elapsed());
    response
}

/// The raw bearer token of a request.
pub struct BearerToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BearerToken {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| BearerToken(t.trim().to_string()))
            .ok_or_else(|| {
                Error::client(
                    ErrorCode::Unauthorized,
                    "missing Authorization: Bearer <token>",
                )
            })
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let BearerToken(token) = BearerToken::from_request_parts(parts, state).await?;
        auth::authenticate(&state.pool, &token).await
    }
}

/// An authenticated agent (a visitor token is `forbidden`).
pub struct AgentAuth(pub AgentIdentity);

impl FromRequestParts<AppState> for AgentAuth {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        match Principal::from_request_parts(parts, state).await? {
            Principal::Agent(agent) => Ok(AgentAuth(agent)),
            Principal::Visitor { .. } => Err(Error::forbidden("this needs an agent session")),
        }
    }
}

/// An authenticated visitor (an agent token is `forbidden`).
pub struct VisitorAuth(pub uuid::Uuid);

impl FromRequestParts<AppState> for VisitorAuth {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        match Principal::from_request_parts(parts, state).await? {
            Principal::Visitor { id } => Ok(VisitorAuth(id)),
            Principal::Agent(_) => Err(Error::forbidden("this needs a visitor token")),
        }
    }
}

/// A JSON body whose rejections are `ApiError`s with the right code.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(Error::client(
                ErrorCode::BadJson,
                format!("the body is not valid JSON: {}", e.body_text()),
            )),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(Error::client(ErrorCode::InvalidField, e.body_text()))
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(Error::client(
                ErrorCode::BadJson,
                "send the body as Content-Type: application/json",
            )),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => Err(
                Error::client(ErrorCode::FrameTooLarge, "the body is too large"),
            ),
            Err(e) => Err(Error::client(ErrorCode::BadJson, e.body_text())),
        }
    }
}

/// Parses a path id; a malformed one is simply not found.
pub fn parse_id(raw: &str, what: &str) -> Result<uuid::Uuid, Error> {
    uuid::Uuid::parse_str(raw).map_err(|_| Error::not_found(what))
}

/// Checks an optional visitor-supplied text field.
pub fn check_field(value: &Option<String>, name: &str) -> Result<Option<String>, Error> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > tidings_protocol::limits::MAX_FIELD_CHARS => {
            Err(Error::invalid(format!(
                "{name} is limited to {} characters",
                tidings_protocol::limits::MAX_FIELD_CHARS
            )))
        }
        Some(v) => Ok(Some(v.to_string())),
    }
}
