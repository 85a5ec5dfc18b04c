//! `POST /v1/conversations/{id}/transcript`: a visitor asks for the transcript of their
//! ended conversation by email. It is recorded in the email outbox (see `crate::email`),
//! once per conversation and address however often it is asked.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use tidings_protocol::http::{TranscriptRequest, TranscriptResponse};
use tidings_protocol::{ConversationStatus, ErrorCode};

use super::{check_field, parse_id, ApiPath, OptionalApiJson, VisitorAuth};
use crate::auth::Principal;
use crate::error::{Error, Result};
use crate::{chat, email, store, AppState};

pub async fn request(
    State(state): State<AppState>,
    VisitorAuth(visitor): VisitorAuth,
    ApiPath(id): ApiPath<String>,
    OptionalApiJson(request): OptionalApiJson<TranscriptRequest>,
) -> Result<(StatusCode, Json<TranscriptResponse>)> {
    let id = parse_id(&id, "conversation")?;
    if !email::enabled(&state) {
        return Err(Error::not_found("email (this server sends none)"));
    }
    let conversation = chat::load_visible(&state, &Principal::Visitor { id: visitor }, id).await?;
    if conversation.status != ConversationStatus::Ended {
        return Err(Error::client(
            ErrorCode::Conflict,
            "the transcript can be sent once the conversation has ended",
        ));
    }
    let address = match check_field(&request.email, "email")? {
        Some(address) => address,
        None => store::visitors::profile(&state.pool, visitor)
            .await?
            .email
            .ok_or_else(|| Error::invalid("no email given and none known for this visitor"))?,
    };
    if !email::valid_address(&address) {
        return Err(Error::invalid(
            "email is not an address mail can be sent to",
        ));
    }
    email::enqueue_transcript(&state, id, &address).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(TranscriptResponse { email: address }),
    ))
}
