//! The HTTP API under `/v1`, plus `/healthz` and `/metrics`, and the small extractors
//! every handler shares: the bearer token and the authenticated principal. Body, query and
//! path extractors whose rejections are `ApiError`s are in `extract`.

mod agents;
mod attachments;
mod canned;
mod conversations;
mod extract;
mod health;
mod reports;
mod search;
mod team;
mod transcript;
mod visitor_panel;
mod visitors;

pub use extract::{ApiJson, ApiPath, ApiQuery, OptionalApiJson};

use axum::extract::{FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{any, get, patch, post, put};
use axum::Router;
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
        .route("/v1/visitors/{id}/block", post(visitors::block))
        .route("/v1/visitors/{id}/unblock", post(visitors::unblock))
        .route("/v1/visitor", get(visitors::me).patch(visitors::update))
        .route("/v1/visitor/conversations", get(visitors::conversations))
        .route("/v1/visitor/logout", post(visitors::logout))
        .route("/v1/agents/login", post(agents::login))
        .route("/v1/agents/logout", post(agents::logout))
        .route("/v1/agents/me", get(agents::me).patch(team::update_me))
        .route("/v1/agents/me/password", post(team::change_my_password))
        .route("/v1/agents/set-password", post(team::set_password))
        .route("/v1/agents", get(agents::list).post(team::add))
        .route("/v1/agents/{id}", patch(team::update).delete(team::remove))
        .route("/v1/agents/{id}/password", post(team::reset_password))
        .route(
            "/v1/canned-responses",
            get(canned::list).post(canned::create),
        )
        .route(
            "/v1/canned-responses/{id}",
            put(canned::update).delete(canned::delete),
        )
        .route("/v1/conversations", get(conversations::list))
        .route(
            "/v1/conversations/close-waiting",
            post(conversations::close_waiting),
        )
        .route("/v1/conversations/{id}", get(conversations::get))
        .route(
            "/v1/conversations/{id}/messages",
            get(conversations::messages),
        )
        .route("/v1/conversations/{id}/claim", post(conversations::claim))
        .route("/v1/conversations/{id}/assign", post(conversations::assign))
        .route("/v1/conversations/{id}/close", post(conversations::close))
        .route("/v1/conversations/{id}/rating", post(conversations::rate))
        .route(
            "/v1/conversations/{id}/transcript",
            post(transcript::request),
        )
        .route("/v1/reports", get(reports::report))
        .route(
            "/v1/reports/conversations.csv",
            get(reports::conversations_csv),
        )
        .route("/v1/conversations/{id}/notes", post(conversations::note))
        .route(
            "/v1/conversations/{id}/transfer",
            post(conversations::transfer),
        )
        .route("/v1/search", get(search::search))
        .route("/v1/visitors/{id}", get(visitor_panel::get))
        .route("/v1/attachments", post(attachments::upload))
        .route("/v1/attachments/{id}", get(attachments::fetch))
        .route("/v1", any(extract::api_not_found))
        .route("/v1/", any(extract::api_not_found))
        .route("/v1/{*rest}", any(extract::api_not_found))
        // After every route: it applies to the method routers registered so far.
        .method_not_allowed_fallback(extract::method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Limits HTTP writes (POST, PATCH, PUT, DELETE under `/v1`) per bearer token, or per
/// client address for requests without one: changing a visitor's details, claiming,
/// closing, rating and logging out each cost a database write and announcements, so no
/// single client may make them without bound. Login and visitor creation are limited per
/// address by their own handlers instead (they come without a token).
pub async fn limit_writes(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method();
    let writes = method == axum::http::Method::POST
        || method == axum::http::Method::PATCH
        || method == axum::http::Method::PUT
        || method == axum::http::Method::DELETE;
    let path = request.uri().path();
    let own_limit = path == "/v1/visitors" || path == "/v1/agents/login";
    if !writes || own_limit || !path.starts_with("/v1/") {
        return next.run(request).await;
    }
    let key = match request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        Some(token) => format!("token:{}", auth::token_hash(token.trim())),
        None => {
            let (parts, body) = request.into_parts();
            let ip = crate::client_address::of_parts(&parts, &state.settings.trusted_proxies);
            let request = Request::from_parts(parts, body);
            return match state
                .ip_limits
                .http_writes
                .check(format!("address:{}", crate::ip_limit::key(ip)))
            {
                Ok(()) => next.run(request).await,
                Err(wait) => crate::ip_limit::too_many("writes", "address", wait),
            };
        }
    };
    match state.ip_limits.http_writes.check(key) {
        Ok(()) => next.run(request).await,
        Err(wait) => crate::ip_limit::too_many("writes", "client", wait),
    }
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
        auth::authenticate(&state.pool, state.settings.sessions, &token).await
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

/// An authenticated admin (a plain agent or a visitor is `forbidden`).
pub struct AdminAuth(pub AgentIdentity);

impl FromRequestParts<AppState> for AdminAuth {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let AgentAuth(agent) = AgentAuth::from_request_parts(parts, state).await?;
        if !agent.is_admin {
            return Err(Error::forbidden("only admins may do this"));
        }
        Ok(AdminAuth(agent))
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
