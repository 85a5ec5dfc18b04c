//! What the server reads from outside: WebSocket text frames (`ClientFrame::parse`, the
//! function the server's socket calls for every frame) and the `/v1` request bodies (the
//! protocol's request types as the server's extractors read them). Nothing may panic; a
//! refusal is `bad_json` exactly when the text is not JSON, `invalid_frame` otherwise; what
//! is accepted survives a round trip; and the client's hand-written encoder writes any
//! frame the server accepts exactly as serde does.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tidings_protocol::http::{
    parse_optional_body, AssignRequest, CreateVisitorRequest, LoginRequest, RatingRequest,
    UpdateVisitorRequest,
};
use tidings_protocol::{ClientFrame, ErrorCode};

/// A body read as `ApiJson` reads it (axum's `Json`: serde_json over the bytes): anything
/// read must be written and read back to the same value.
fn round_trips<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(body: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(body) {
        let written = serde_json::to_vec(&value).expect("request types serialize");
        let again: T = serde_json::from_slice(&written).expect("reads what it wrote");
        assert_eq!(again, value);
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match ClientFrame::parse(text) {
            Ok(frame) => {
                let written = serde_json::to_string(&frame).expect("frames serialize");
                assert_eq!(ClientFrame::parse(&written).as_ref(), Ok(&frame));
                assert_eq!(
                    tidings_client::encode::client_frame(&frame),
                    written,
                    "the client writes {frame:?} differently"
                );
            }
            Err(e) => {
                let value = serde_json::from_str::<serde_json::Value>(text).ok();
                let expected = if value.is_some() {
                    ErrorCode::InvalidFrame
                } else {
                    ErrorCode::BadJson
                };
                assert_eq!(e.code, expected, "{text:?}: {}", e.message);
                assert_eq!(e.code.http_status(), 400);
                // A refused `send` names its message, so the client can settle it.
                let named = value
                    .as_ref()
                    .and_then(|v| v.get("id")?.as_str()?.parse::<uuid::Uuid>().ok());
                assert_eq!(e.id, named, "{text:?}");
            }
        }
    }
    match parse_optional_body::<CreateVisitorRequest>(data) {
        Ok(request) => {
            let written = tidings_client::encode::create_visitor_request(&request);
            assert_eq!(written, serde_json::to_string(&request).unwrap());
            assert_eq!(
                parse_optional_body(written.as_bytes()).as_ref(),
                Ok(&request)
            );
        }
        Err(e) => assert!(matches!(
            e.code,
            ErrorCode::BadJson | ErrorCode::InvalidFrame
        )),
    }
    round_trips::<UpdateVisitorRequest>(data);
    round_trips::<LoginRequest>(data);
    round_trips::<AssignRequest>(data);
    round_trips::<RatingRequest>(data);
});
