//! Every refusal under `/v1` is an `ApiError` JSON body, never axum's plain-text rejection:
//! unknown paths, wrong methods, bodies that are not JSON or lack fields, bad query strings
//! and path parameters, and plain HTTP at the socket endpoint.

use crate::common;

use common::TestServer;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use tidings_protocol::http::ApiError;
use tidings_protocol::ErrorCode;

/// Checks status, content type and code of an error response; returns its message.
async fn api_error(response: Response, status: StatusCode, code: ErrorCode) -> String {
    let url = response.url().clone();
    assert_eq!(response.status(), status, "status of {url}");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        content_type.starts_with("application/json"),
        "{url} answered {content_type}"
    );
    let text = response.text().await.unwrap();
    let error: ApiError = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{url}: not an ApiError ({e}): {text}"));
    assert_eq!(error.code, code, "code of {url}: {text}");
    assert!(!error.message.trim().is_empty(), "{url}: empty message");
    error.message
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_get_api_errors() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();

    for path in ["/v1", "/v1/", "/v1/nope", "/v1/agents/me/extra"] {
        let response = client.get(server.url(path)).send().await.unwrap();
        api_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    }
    let response = client.post(server.url("/v1/nope")).send().await.unwrap();
    let message = api_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;
    assert!(message.contains("/v1/nope"), "{message}");

    let response = client.get(server.url("/v1/visitors")).send().await.unwrap();
    let allow = response.headers().get("allow").cloned();
    let message = api_error(
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::InvalidField,
    )
    .await;
    assert_eq!(message, "method not allowed");
    assert_eq!(allow.unwrap().to_str().unwrap(), "POST");

    let conversation = uuid::Uuid::new_v4();
    for (method, path) in [
        (
            reqwest::Method::DELETE,
            format!("/v1/conversations/{conversation}"),
        ),
        (reqwest::Method::PUT, "/v1/agents/login".to_string()),
        (reqwest::Method::POST, "/v1/socket".to_string()),
        (reqwest::Method::POST, "/healthz".to_string()),
    ] {
        let response = client
            .request(method, server.url(&path))
            .send()
            .await
            .unwrap();
        api_error(
            response,
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::InvalidField,
        )
        .await;
    }

    // The real endpoints still answer.
    let created = client
        .post(server.url("/v1/visitors"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    server.stop().await;
}

#[tokio::test]
async fn json_body_rejections_are_api_errors() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let login = server.url("/v1/agents/login");

    let response = client
        .post(&login)
        .header("content-type", "text/plain")
        .body(r#"{"email":"a@b.test","password":"x"}"#)
        .send()
        .await
        .unwrap();
    let message = api_error(response, StatusCode::BAD_REQUEST, ErrorCode::BadJson).await;
    assert!(message.contains("application/json"), "{message}");

    let response = client
        .post(&login)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    api_error(response, StatusCode::BAD_REQUEST, ErrorCode::BadJson).await;

    let response = client
        .post(&login)
        .json(&json!({"email": "a@b.test"}))
        .send()
        .await
        .unwrap();
    let message = api_error(response, StatusCode::BAD_REQUEST, ErrorCode::InvalidFrame).await;
    assert!(message.contains("password"), "{message}");

    // The visitor body is optional, but when present it must be JSON of the right shape.
    let visitors = server.url("/v1/visitors");
    let response = client.post(&visitors).body("{").send().await.unwrap();
    api_error(response, StatusCode::BAD_REQUEST, ErrorCode::BadJson).await;
    let response = client
        .post(&visitors)
        .json(&json!({"name": 5}))
        .send()
        .await
        .unwrap();
    api_error(response, StatusCode::BAD_REQUEST, ErrorCode::InvalidFrame).await;
    let response = client
        .post(&visitors)
        .json(&json!({"name": "x".repeat(100 * 1024)}))
        .send()
        .await
        .unwrap();
    api_error(
        response,
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::FrameTooLarge,
    )
    .await;

    // A visitor's details update is checked the same way.
    let (_, token) = server.visitor().await;
    let response = client
        .patch(server.url("/v1/visitor"))
        .bearer_auth(&token)
        .json(&json!({"name": ["not", "a", "string"]}))
        .send()
        .await
        .unwrap();
    api_error(response, StatusCode::BAD_REQUEST, ErrorCode::InvalidFrame).await;
    server.stop().await;
}

#[tokio::test]
async fn query_path_and_socket_rejections_are_api_errors() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let (_, token) = server.agent("Ada", true).await;

    let response = server
        .get("/v1/conversations?filter=mine&filter=all", &token)
        .await;
    api_error(response, StatusCode::BAD_REQUEST, ErrorCode::InvalidField).await;

    let response = server.get("/v1/conversations/%FF%FE", &token).await;
    api_error(response, StatusCode::NOT_FOUND, ErrorCode::NotFound).await;

    // Plain HTTP at the socket endpoint.
    let response = client.get(server.url("/v1/socket")).send().await.unwrap();
    let status = response.status();
    assert!(status.is_client_error(), "{status}");
    let message = api_error(response, status, ErrorCode::InvalidFrame).await;
    assert!(message.contains("WebSocket"), "{message}");

    // Good requests are untouched.
    let list: Value = server
        .get_json("/v1/conversations?filter=all", &token)
        .await;
    assert!(list["conversations"].is_array(), "{list}");
    server.stop().await;
}
