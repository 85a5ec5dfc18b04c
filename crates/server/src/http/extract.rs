//! Request extractors whose rejections are `ApiError`s, and the API's fallbacks (unknown
//! path, wrong method). Axum's own rejections are plain text; every client of `/v1` reads
//! `{code, message}` JSON instead, so each rejection is translated here with a code that
//! says what to fix.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use tidings_protocol::ErrorCode;

use crate::error::Error;

/// A JSON body (with `Content-Type: application/json`) whose rejections are `ApiError`s.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonSyntaxError(e)) => {
                Err(Error::client(ErrorCode::BadJson, e.body_text()))
            }
            Err(JsonRejection::JsonDataError(e)) => {
                Err(Error::client(ErrorCode::InvalidFrame, e.body_text()))
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(Error::client(
                ErrorCode::BadJson,
                "send the body as Content-Type: application/json",
            )),
            Err(JsonRejection::BytesRejection(e)) => Err(body_rejection(e)),
            Err(e) => Err(Error::client(ErrorCode::BadJson, e.body_text())),
        }
    }
}

/// An optional JSON body: empty (or only whitespace) means `T::default()`. No content type
/// is required, so a bare `POST` works.
pub struct OptionalApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalApiJson<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(body_rejection)?;
        tidings_protocol::http::parse_optional_body(&body)
            .map(OptionalApiJson)
            .map_err(|e| Error::client(e.code, e.message))
    }
}

/// Query parameters whose rejections are `invalid_field`.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|e: QueryRejection| Error::invalid(e.body_text()))
    }
}

/// Path parameters; one that cannot be read (say, invalid UTF-8) names nothing that exists.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|e: PathRejection| {
                Error::client(
                    ErrorCode::NotFound,
                    format!("no such path: {}", e.body_text()),
                )
            })
    }
}

/// A body that could not be read: too large, or the connection failed mid-body.
fn body_rejection(e: BytesRejection) -> Error {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::client(ErrorCode::FrameTooLarge, "the body is too large")
    } else {
        Error::client(ErrorCode::BadJson, e.body_text())
    }
}

/// Any path under `/v1` that is not an endpoint.
pub async fn api_not_found(uri: Uri) -> Error {
    Error::client(
        ErrorCode::NotFound,
        format!("no endpoint at {}", uri.path()),
    )
}

/// A known path asked with a method it does not take: 405 (axum keeps the `Allow` header),
/// with an `ApiError` body. No protocol code means "method", so `invalid_field` it is.
pub async fn method_not_allowed() -> Response {
    let mut response = Error::invalid("method not allowed").into_response();
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}
