//! Keeps `docs/protocol.md` true: every JSON example on that page is parsed as the type it
//! names, must serialize back to the same JSON, and every frame type must have an example.

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tidings_protocol::frame::{ClientFrameType, ServerFrameType};
use tidings_protocol::http::*;
use tidings_protocol::search::SearchResults;
use tidings_protocol::visitor_panel::VisitorPanel;
use tidings_protocol::{ClientFrame, ServerFrame, VariantArray};

/// One fenced example: its info string after "json " and its text.
struct Example {
    kind: String,
    line: usize,
    text: String,
}

fn examples() -> Vec<Example> {
    let doc = include_str!("../../../docs/protocol.md");
    let mut out = Vec::new();
    let mut current: Option<Example> = None;
    for (i, line) in doc.lines().enumerate() {
        if let Some(ex) = current.as_mut() {
            if line.trim() == "```" {
                out.push(current.take().unwrap());
            } else {
                ex.text.push_str(line);
                ex.text.push('\n');
            }
        } else if let Some(kind) = line.strip_prefix("```json ") {
            current = Some(Example {
                kind: kind.trim().to_string(),
                line: i + 1,
                text: String::new(),
            });
        }
    }
    assert!(current.is_none(), "unterminated code block in protocol.md");
    out
}

/// Parses `ex` as `T` and checks that serializing it again yields every key of the example
/// with the same value, so an example cannot carry a field the type silently ignores.
/// (Serializing may add fields the example left to their defaults.)
fn round_trip<T: DeserializeOwned + Serialize>(ex: &Example) -> T {
    let parsed: T = serde_json::from_str(&ex.text)
        .unwrap_or_else(|e| panic!("protocol.md line {}: {e}\n{}", ex.line, ex.text));
    let original: Value = serde_json::from_str(&ex.text).unwrap();
    let again = serde_json::to_value(&parsed).unwrap();
    assert_contained(&original, &again, ex.line, "$");
    parsed
}

fn assert_contained(example: &Value, serialized: &Value, line: usize, path: &str) {
    match (example, serialized) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let other = b.get(key).unwrap_or_else(|| {
                    panic!("protocol.md line {line}: `{path}.{key}` is not part of the type")
                });
                assert_contained(value, other, line, &format!("{path}.{key}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "protocol.md line {line}: `{path}` length");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_contained(x, y, line, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(
            example, serialized,
            "protocol.md line {line}: `{path}` differs"
        ),
    }
}

/// The wire name (`"type"`) of each frame type the protocol lists.
fn names<T: Copy + Into<&'static str>>(types: &[T]) -> BTreeSet<&'static str> {
    types.iter().map(|&t| t.into()).collect()
}

const HTTP_TYPES: &[&str] = &[
    "ApiError",
    "CreateVisitorRequest",
    "CreateVisitorResponse",
    "UpdateVisitorRequest",
    "VisitorProfile",
    "ConversationList",
    "HistoryPage",
    "LoginRequest",
    "LoginResponse",
    "AgentList",
    "AssignRequest",
    "RatingRequest",
    "CloseWaitingRequest",
    "CloseWaitingResponse",
    "VisitorBlock",
    "Health",
    "AddAgentRequest",
    "AgentCredentials",
    "UpdateAgentRequest",
    "ResetPasswordRequest",
    "UpdateMeRequest",
    "ChangePasswordRequest",
    "SetPasswordRequest",
    "CannedResponseRequest",
    "CannedResponseList",
    "Report",
    "NoteRequest",
    "TransferRequest",
    "SearchResults",
    "VisitorPanel",
    "TranscriptRequest",
    "TranscriptResponse",
    "Message",
];

#[test]
fn every_example_parses_and_every_frame_is_documented() {
    let mut client = BTreeSet::new();
    let mut server = BTreeSet::new();
    let mut http = BTreeSet::new();
    for ex in examples() {
        match ex.kind.as_str() {
            "client" => {
                client.insert(ClientFrameType::from(&round_trip::<ClientFrame>(&ex)).into());
            }
            "server" => {
                server.insert(ServerFrameType::from(&round_trip::<ServerFrame>(&ex)).into());
            }
            other => {
                let ty = other
                    .strip_prefix("http:")
                    .unwrap_or_else(|| panic!("line {}: unknown example kind {other}", ex.line));
                match ty {
                    "ApiError" => drop(round_trip::<ApiError>(&ex)),
                    "CreateVisitorRequest" => drop(round_trip::<CreateVisitorRequest>(&ex)),
                    "CreateVisitorResponse" => drop(round_trip::<CreateVisitorResponse>(&ex)),
                    "UpdateVisitorRequest" => drop(round_trip::<UpdateVisitorRequest>(&ex)),
                    "VisitorProfile" => drop(round_trip::<VisitorProfile>(&ex)),
                    "ConversationList" => drop(round_trip::<ConversationList>(&ex)),
                    "HistoryPage" => drop(round_trip::<HistoryPage>(&ex)),
                    "LoginRequest" => drop(round_trip::<LoginRequest>(&ex)),
                    "LoginResponse" => drop(round_trip::<LoginResponse>(&ex)),
                    "AgentList" => drop(round_trip::<AgentList>(&ex)),
                    "AssignRequest" => drop(round_trip::<AssignRequest>(&ex)),
                    "RatingRequest" => drop(round_trip::<RatingRequest>(&ex)),
                    "CloseWaitingRequest" => drop(round_trip::<CloseWaitingRequest>(&ex)),
                    "CloseWaitingResponse" => drop(round_trip::<CloseWaitingResponse>(&ex)),
                    "VisitorBlock" => drop(round_trip::<VisitorBlock>(&ex)),
                    "Health" => drop(round_trip::<Health>(&ex)),
                    "AddAgentRequest" => drop(round_trip::<AddAgentRequest>(&ex)),
                    "AgentCredentials" => drop(round_trip::<AgentCredentials>(&ex)),
                    "UpdateAgentRequest" => drop(round_trip::<UpdateAgentRequest>(&ex)),
                    "ResetPasswordRequest" => drop(round_trip::<ResetPasswordRequest>(&ex)),
                    "UpdateMeRequest" => drop(round_trip::<UpdateMeRequest>(&ex)),
                    "ChangePasswordRequest" => drop(round_trip::<ChangePasswordRequest>(&ex)),
                    "SetPasswordRequest" => drop(round_trip::<SetPasswordRequest>(&ex)),
                    "CannedResponseRequest" => drop(round_trip::<CannedResponseRequest>(&ex)),
                    "CannedResponseList" => drop(round_trip::<CannedResponseList>(&ex)),
                    "Report" => drop(round_trip::<tidings_protocol::reports::Report>(&ex)),
                    "NoteRequest" => drop(round_trip::<NoteRequest>(&ex)),
                    "TransferRequest" => drop(round_trip::<TransferRequest>(&ex)),
                    "SearchResults" => drop(round_trip::<SearchResults>(&ex)),
                    "VisitorPanel" => drop(round_trip::<VisitorPanel>(&ex)),
                    "TranscriptRequest" => drop(round_trip::<TranscriptRequest>(&ex)),
                    "TranscriptResponse" => drop(round_trip::<TranscriptResponse>(&ex)),
                    "Message" => drop(round_trip::<tidings_protocol::Message>(&ex)),
                    _ => panic!("line {}: unknown HTTP type {ty}", ex.line),
                }
                http.insert(ty.to_string());
            }
        }
    }
    assert_eq!(
        client,
        names(ClientFrameType::VARIANTS),
        "client frames without an example"
    );
    assert_eq!(
        server,
        names(ServerFrameType::VARIANTS),
        "server frames without an example"
    );
    let want = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(http, want(HTTP_TYPES), "HTTP payloads without an example");
}

#[test]
fn unknown_frame_types_and_fields_are_refused() {
    assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"shout"}"#).is_err());
    assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"ping","evil":1}"#).is_err());
    assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"send","body":"x"}"#).is_err());
}
