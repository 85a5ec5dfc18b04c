//! Bad input gets its error frame, status or close code, and the server goes on serving:
//! malformed JSON, unknown frames, oversized frames, over-long messages, bad tokens,
//! foreign origins (floods are in `rate_limit.rs`).

use crate::common;

use common::{ack_fields, still_serving, Client, Ending, TestServer};
use futures_util::SinkExt;
use reqwest::StatusCode;
use serde_json::json;
use tidings_protocol::frame::close;
use tidings_protocol::limits::{MAX_FRAME_BYTES, MAX_MESSAGE_CHARS};
use tidings_protocol::{ErrorCode, ServerFrame};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;

fn error_code(frame: &ServerFrame) -> ErrorCode {
    match frame {
        ServerFrame::Error { code, .. } => *code,
        other => panic!("expected an error frame, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_and_unknown_frames_get_errors_and_the_connection_stays_usable() {
    let server = TestServer::start().await;
    let (_, token) = server.visitor().await;
    let (mut ws, _) = Client::connect(&server, &token).await;

    ws.send_text("{this is not json").await;
    assert_eq!(error_code(&ws.next().await), ErrorCode::BadJson);
    ws.send(json!({"type": "explode"})).await;
    let frame = ws.next().await;
    assert_eq!(error_code(&frame), ErrorCode::InvalidFrame);
    let ServerFrame::Error { message, .. } = frame else {
        unreachable!()
    };
    assert!(
        message.contains("explode"),
        "the message says what was wrong: {message}"
    );
    let id = Uuid::new_v4();
    ws.send(json!({"type": "send", "id": id})).await;
    let frame = ws.next().await;
    assert!(
        matches!(frame, ServerFrame::Error { code: ErrorCode::InvalidFrame, id: Some(i), .. } if i == id),
        "{frame:?}"
    );
    ws.ws
        .send(WsMessage::binary(vec![1u8, 2, 3]))
        .await
        .unwrap();
    assert_eq!(error_code(&ws.next().await), ErrorCode::InvalidFrame);
    ws.send(json!({"type": "auth", "token": token, "version": 1}))
        .await;
    assert_eq!(error_code(&ws.next().await), ErrorCode::InvalidFrame);
    ws.send(json!({"type": "presence", "status": "online"}))
        .await;
    assert_eq!(error_code(&ws.next().await), ErrorCode::Forbidden);

    ws.send(json!({"type": "ping", "nonce": 7})).await;
    assert_eq!(ws.next().await, ServerFrame::Pong { nonce: 7 });
    let ack = ws
        .send_message(Uuid::new_v4(), None, "works after all that")
        .await;
    assert!(matches!(ack, ServerFrame::Ack { .. }));
    server.stop().await;
}

#[tokio::test]
async fn message_length_is_counted_in_characters_and_empty_messages_are_refused() {
    let server = TestServer::start().await;
    let (_, token) = server.visitor().await;
    let (mut ws, _) = Client::connect(&server, &token).await;

    let too_long = Uuid::new_v4();
    let frame = ws
        .send_message(too_long, None, &"é".repeat(MAX_MESSAGE_CHARS + 1))
        .await;
    assert!(
        matches!(frame, ServerFrame::Error { code: ErrorCode::MessageTooLong, id: Some(i), .. } if i == too_long),
        "{frame:?}"
    );
    let empty = Uuid::new_v4();
    let frame = ws.send_message(empty, None, "  \n ").await;
    assert!(
        matches!(frame, ServerFrame::Error { code: ErrorCode::EmptyMessage, id: Some(i), .. } if i == empty),
        "{frame:?}"
    );

    // Exactly the limit, in two-byte characters (8,000 bytes): accepted.
    let at_limit = ws
        .send_message(Uuid::new_v4(), None, &"é".repeat(MAX_MESSAGE_CHARS))
        .await;
    let (_, seq) = ack_fields(&at_limit);
    assert_eq!(seq, 1, "refused messages were not stored");
    server.stop().await;
}

#[tokio::test]
async fn an_oversized_frame_closes_that_connection_only() {
    let server = TestServer::start().await;
    let (_, token) = server.visitor().await;
    let (mut ws, _) = Client::connect(&server, &token).await;
    let body = "x".repeat(MAX_FRAME_BYTES + 1);
    let _ = ws
        .ws
        .send(WsMessage::text(
            json!({"type": "send", "id": Uuid::new_v4(), "body": body}).to_string(),
        ))
        .await;
    let ending = ws.ending().await;
    assert_eq!(ending, Ending::Closed(Some(close::TOO_BIG)));
    still_serving(&server).await;
    server.stop().await;
}

#[tokio::test]
async fn bad_tokens_versions_and_unauthenticated_frames_are_refused() {
    let server = TestServer::start().await;

    let mut ws = Client::connect_raw(&server).await;
    ws.send(json!({"type": "ping", "nonce": 1})).await;
    assert_eq!(error_code(&ws.next().await), ErrorCode::NotAuthenticated);
    ws.send(json!({"type": "auth", "token": "v_not-a-real-token", "version": 1}))
        .await;
    assert_eq!(error_code(&ws.next().await), ErrorCode::Unauthorized);
    assert_eq!(ws.ending().await, Ending::Closed(Some(close::UNAUTHORIZED)));

    let mut ws = Client::connect_raw(&server).await;
    ws.send(json!({"type": "auth", "token": "garbage", "version": 1}))
        .await;
    assert_eq!(error_code(&ws.next().await), ErrorCode::Unauthorized);
    assert_eq!(ws.ending().await, Ending::Closed(Some(close::UNAUTHORIZED)));

    let (_, token) = server.visitor().await;
    let mut ws = Client::connect_raw(&server).await;
    ws.send(json!({"type": "auth", "token": token, "version": 99}))
        .await;
    assert_eq!(error_code(&ws.next().await), ErrorCode::UnsupportedVersion);
    assert_eq!(ws.ending().await, Ending::Closed(Some(close::POLICY)));

    let response = reqwest::Client::new()
        .get(server.url("/v1/visitor"))
        .bearer_auth("v_nope")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["code"],
        "unauthorized"
    );
    let response = reqwest::Client::new()
        .get(server.url("/v1/visitor"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    still_serving(&server).await;
    server.stop().await;
}

#[tokio::test]
async fn http_bad_bodies_and_foreign_origins_get_api_errors() {
    let mut settings = common::test_settings();
    settings.allowed_origins = vec!["https://shop.example".to_string()];
    let server = TestServer::start_with_settings(settings).await;
    let client = reqwest::Client::new();

    let response = client
        .post(server.url("/v1/agents/login"))
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["code"],
        "bad_json"
    );

    let response = client
        .post(server.url("/v1/visitors"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["code"],
        "origin_not_allowed"
    );
    let allowed = client
        .post(server.url("/v1/visitors"))
        .header("origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::CREATED);
    let own = client
        .post(server.url("/v1/visitors"))
        .header("origin", format!("http://{}", server.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::CREATED);

    // The socket upgrade is refused before it happens.
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
            server.ws_url(),
        )
        .unwrap();
    request
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::FORBIDDEN.as_u16())
        }
        other => panic!("expected a 403 refusal, got {:?}", other.map(|_| ())),
    }
    server.stop().await;
}
