//! `POST /v1/attachments` (upload a file, which sends the file message carrying it) and
//! `GET /v1/attachments/{id}` (the file, for a signed link or a bearer token of someone who
//! may see its conversation). The rules are in [`crate::attachments`].

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use tidings_protocol::Message;

use super::{parse_id, ApiPath, ApiQuery};
use crate::attachments::{self, Proof, Upload};
use crate::auth::Principal;
use crate::error::{Error, Result};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct UploadParams {
    /// The file message's id (the client's UUID; a retry sends the same).
    id: String,
    /// The file's name as the visitor or agent knows it.
    name: String,
    conversation_id: Option<String>,
}

/// `POST /v1/attachments?id=&name=&conversation_id=` with the file as the raw body:
/// answers the file message as stored.
pub async fn upload(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(params): ApiQuery<UploadParams>,
    request: Request,
) -> Result<Json<Message>> {
    let id = uuid::Uuid::parse_str(&params.id).map_err(|_| Error::invalid("id must be a UUID"))?;
    let conversation_id = params
        .conversation_id
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| parse_id(c, "conversation"))
        .transpose()?;
    let declared_len = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let upload = Upload {
        id,
        conversation_id,
        name: params.name,
        declared_len,
    };
    let message = attachments::upload(&state, &principal, upload, request.into_body()).await?;
    Ok(Json(message))
}

#[derive(Debug, Deserialize)]
pub struct FetchParams {
    expires: Option<String>,
    sig: Option<String>,
}

/// `GET /v1/attachments/{id}?expires=&sig=` (or with `Authorization: Bearer`).
pub async fn fetch(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<FetchParams>,
    request: Request,
) -> Result<Response> {
    let id = parse_id(&id, "attachment")?;
    let proof = match (params.expires, params.sig) {
        (Some(expires), Some(sig)) => Proof::Link {
            expires: expires
                .parse()
                .map_err(|_| Error::forbidden("this link to the file is not valid"))?,
            sig,
        },
        _ => {
            let (mut parts, _) = request.into_parts();
            Proof::Bearer(Principal::from_request_parts(&mut parts, &state).await?)
        }
    };
    let file = attachments::fetch(&state, id, proof).await?;
    let headers = attachments::served_headers(&file.stored);
    Ok((headers, Body::from(file.data)).into_response())
}
