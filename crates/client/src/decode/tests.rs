//! Tests of the generated decoder against the protocol itself: every frame variant,
//! enum value and optional field is serialized with the protocol's own serializer and
//! decoded both here and by serde, and the two results must agree.

use super::*;
use tidings_protocol::frame::ServerFrameType;
use tidings_protocol::http::{ApiError, ConversationList, CreateVisitorResponse};
use tidings_protocol::VariantArray;
use tidings_protocol::{
    Agent, AgentRef, CannedResponse, Conversation, ConversationEvent, ConversationStatus,
    ErrorCode, Message, PresenceStatus, Role, Sender,
};
use uuid::Uuid;

fn conversation() -> Conversation {
    Conversation {
        id: Uuid::from_u128(1),
        visitor_id: Uuid::from_u128(2),
        status: ConversationStatus::Active,
        assigned_agent: Some(AgentRef {
            id: Uuid::from_u128(3),
            name: "Ada".into(),
        }),
        started_at: 10,
        assigned_at: Some(11),
        ended_at: None,
        rating: Some(4),
        feedback: Some("ok".into()),
        visitor_name: Some("Grace".into()),
        visitor_email: None,
        visitor_user_id: Some("user-42".into()),
        page_url: Some("https://shop.test/".into()),
        user_agent: None,
        last_seq: 7,
        last_activity_at: 12,
        last_message_preview: Some("hi".into()),
        visitor_read_seq: 5,
        agent_read_seq: 6,
        agent_delivered_seq: 7,
        unread: 2,
        visitor_online: true,
        visitor_last_seen_at: Some(13),
    }
}

fn every_frame() -> Vec<ServerFrame> {
    let id = Uuid::from_u128(9);
    vec![
        ServerFrame::Hello {
            version: 1,
            role: Role::Agent,
            visitor_id: None,
            agent: Some(Agent {
                id,
                email: "ada@example.com".into(),
                name: "Ada".into(),
                is_admin: true,
                status: PresenceStatus::Away,
            }),
            heartbeat_interval_ms: 10_000,
            heartbeat_timeout_ms: 30_000,
            availability: PresenceStatus::Online,
            now: 99,
            email: true,
        },
        ServerFrame::Snapshot {
            conversation: conversation(),
        },
        ServerFrame::Message {
            message: Message {
                id,
                conversation_id: id,
                seq: 3,
                sender: Sender::Agent,
                author_name: Some("Ada".into()),
                agent_id: Some(id),
                body: "héllo \"there\"\n✓".into(),
                created_at: 5,
                attachment: None,
            },
        },
        ServerFrame::Synced {
            conversation_id: id,
            last_seq: 3,
            after_seq: 1,
        },
        ServerFrame::Ack {
            id,
            conversation_id: id,
            seq: 4,
            created_at: 6,
        },
        ServerFrame::Typing {
            conversation_id: id,
            role: Role::Visitor,
            name: None,
            typing: true,
            ttl_ms: 5_000,
        },
        ServerFrame::Receipt {
            conversation_id: id,
            role: Role::Agent,
            read_seq: 2,
            delivered_seq: 3,
        },
        ServerFrame::Conversation {
            event: ConversationEvent::Rated,
            conversation: conversation(),
        },
        ServerFrame::Queue {
            conversations: vec![conversation(), conversation()],
        },
        ServerFrame::Availability {
            status: PresenceStatus::Offline,
        },
        ServerFrame::AgentPresence {
            agent_id: id,
            name: "Ada".into(),
            status: PresenceStatus::Online,
        },
        ServerFrame::Agents {
            agents: vec![
                Agent {
                    id,
                    email: "ada@example.com".into(),
                    name: "Ada \"A\" Lovelace".into(),
                    is_admin: true,
                    status: PresenceStatus::Online,
                },
                Agent {
                    id: Uuid::from_u128(10),
                    email: "grace@example.com".into(),
                    name: "Grace".into(),
                    is_admin: false,
                    status: PresenceStatus::Offline,
                },
            ],
        },
        ServerFrame::Agents { agents: vec![] },
        ServerFrame::CannedResponses {
            responses: vec![CannedResponse {
                id,
                title: "Greeting ✓".into(),
                shortcut: "hello".into(),
                body: "Hi {{visitor.name}},\nI'm {{agent.name}}.".into(),
                updated_at: 1_795_305_600_000,
            }],
        },
        ServerFrame::VisitorPage {
            visitor_id: id,
            conversation_id: id,
            page_url: Some("https://shop.test/cart".into()),
            time_zone: Some("Europe/Berlin".into()),
        },
        ServerFrame::VisitorPage {
            visitor_id: id,
            conversation_id: id,
            page_url: None,
            time_zone: None,
        },
        ServerFrame::Error {
            code: ErrorCode::MessageTooLong,
            message: "too long".into(),
            id: Some(id),
            conversation_id: None,
        },
        ServerFrame::Ping { nonce: 7 },
        ServerFrame::Pong { nonce: 8 },
    ]
}

/// A file message's `attachment` is read by every client (visitors receive it too).
#[test]
fn decodes_a_file_message_with_its_attachment() {
    let id = Uuid::from_u128(7);
    let frame = ServerFrame::Message {
        message: Message {
            id,
            conversation_id: id,
            seq: 4,
            sender: Sender::Visitor,
            author_name: None,
            agent_id: None,
            body: "screen shot.png".into(),
            created_at: 6,
            attachment: Some(tidings_protocol::Attachment {
                id,
                name: "screen shot.png".into(),
                size: 12_345,
                content_type: "image/png".into(),
                url: Some("/v1/attachments/x?expires=1&sig=ab".into()),
            }),
        },
    };
    let text = serde_json::to_string(&frame).unwrap();
    assert_eq!(server_frame(&text).unwrap(), frame, "{text}");
    // An attachment missing a field is not a message.
    let broken = text.replace("\"size\":12345,", "");
    assert!(server_frame(&broken).is_err(), "{broken}");
    assert!(serde_json::from_str::<ServerFrame>(&broken).is_err());
}

#[test]
fn decodes_every_variant_as_the_protocol_encodes_it() {
    let frames = every_frame();
    // The protocol lists its frame types: every one must be tried here.
    let missing = tidings_protocol::kinds_missing::<_, ServerFrameType>(&frames);
    assert!(
        missing.is_empty(),
        "frame types not tried here: {missing:?}"
    );
    for frame in frames {
        let text = serde_json::to_string(&frame).unwrap();
        assert_eq!(server_frame(&text).unwrap(), frame, "{text}");
    }
}

#[test]
fn agrees_with_serde_on_optional_fields_and_field_order() {
    let text = r#"{"conversation_id":"00000000-0000-0000-0000-000000000001","role":"agent","typing":false,"ttl_ms":1,"type":"typing"}"#;
    let expected: ServerFrame = serde_json::from_str(text).unwrap();
    assert_eq!(server_frame(text).unwrap(), expected);
}

#[test]
fn refuses_what_serde_refuses() {
    for bad in [
        "",
        "[]",
        r#"{"type":"warp"}"#,
        r#"{"type":"ack","id":"x"}"#,
        r#"{"type":5}"#,
        r#"{"nonce":1}"#,
        r#"{"type":"agents"}"#,
        r#"{"type":"agents","agents":[{"id":"x"}]}"#,
        r#"{"type":"canned_responses","responses":[{"id":"00000000-0000-0000-0000-000000000009","title":"t","shortcut":"s","body":"b"}]}"#,
    ] {
        assert!(server_frame(bad).is_err(), "{bad}");
        assert!(serde_json::from_str::<ServerFrame>(bad).is_err(), "{bad}");
    }
}

/// Every value of every fieldless enum, read and written as serde reads and writes it
/// (the protocol lists them: `VARIANTS`).
#[test]
fn reads_and_writes_every_enum_value_as_serde_does() {
    fn both_ways<T>(values: &[T])
    where
        T: FromJson + tidings_wire::ToJson + serde::Serialize + PartialEq + std::fmt::Debug,
    {
        for value in values {
            let text = serde_json::to_string(value).unwrap();
            assert_eq!(
                T::from_json(&json::parse(&text).unwrap()).as_ref(),
                Some(value)
            );
            assert_eq!(tidings_wire::to_string(value), text);
        }
    }
    both_ways(ErrorCode::VARIANTS);
    both_ways(Role::VARIANTS);
    both_ways(ConversationEvent::VARIANTS);
    both_ways(PresenceStatus::VARIANTS);
    both_ways(Sender::VARIANTS);
    both_ways(ConversationStatus::VARIANTS);
    for &sender in Sender::VARIANTS {
        let mut m = message();
        m.sender = sender;
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(body(&text, model::message), Ok(m));
    }
    for &status in ConversationStatus::VARIANTS {
        let mut c = conversation();
        c.status = status;
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(body(&text, model::conversation), Ok(c));
    }
}

fn message() -> Message {
    Message {
        id: Uuid::from_u128(1),
        conversation_id: Uuid::from_u128(2),
        seq: u64::MAX,
        sender: Sender::Visitor,
        author_name: None,
        agent_id: None,
        body: "b".into(),
        created_at: -1,
        attachment: None,
    }
}

#[test]
fn missing_defaults_and_null_options_read_as_serde_reads_them() {
    let text = r#"{"id":"00000000-0000-0000-0000-000000000001","visitor_id":"00000000000000000000000000000002","status":"waiting","started_at":1,"last_seq":0,"last_activity_at":2,"assigned_agent":null,"feedback":null,"extra":[1,{"x":null}]}"#;
    let expected: Conversation = serde_json::from_str(text).unwrap();
    assert_eq!(body(text, model::conversation), Ok(expected));
    let text = r#"{"type":"hello","version":1,"role":"visitor","visitor_id":"00000000-0000-0000-0000-000000000003","agent":null,"heartbeat_interval_ms":10000,"heartbeat_timeout_ms":30000,"availability":"away","now":5}"#;
    let expected: ServerFrame = serde_json::from_str(text).unwrap();
    assert_eq!(server_frame(text), Ok(expected));
    // An older server's `synced` has no `after_seq`: it covers everything from the start.
    let text = r#"{"type":"synced","conversation_id":"00000000-0000-0000-0000-000000000001","last_seq":7}"#;
    let expected: ServerFrame = serde_json::from_str(text).unwrap();
    assert_eq!(server_frame(text), Ok(expected.clone()));
    assert!(matches!(expected, ServerFrame::Synced { after_seq: 0, .. }));
}

#[test]
fn reads_api_answers_as_serde_reads_them() {
    let list = ConversationList {
        conversations: vec![conversation(), conversation()],
        next: Some("1795305600000.0b8f6c1e-4a57-4f0e-9c39-1f5d2a7c9e10".into()),
    };
    let text = serde_json::to_string(&list).unwrap();
    let read = body(&text, model::conversation_list);
    assert_eq!(read, Ok(list.conversations));
    let error = ApiError {
        code: ErrorCode::Forbidden,
        message: "no".into(),
    };
    let text = serde_json::to_string(&error).unwrap();
    assert_eq!(body(&text, model::api_error), Ok(error));
    let created = CreateVisitorResponse {
        visitor_id: Uuid::from_u128(7),
        token: "t".into(),
    };
    let text = serde_json::to_string(&created).unwrap();
    assert_eq!(body(&text, model::create_visitor_response), Ok(created));
}

#[test]
fn refuses_fields_serde_refuses() {
    let good = serde_json::to_value(conversation()).unwrap();
    for (key, bad) in [
        ("id", serde_json::json!("not-a-uuid")),
        ("status", serde_json::json!("lost")),
        ("rating", serde_json::json!(256)),
        ("unread", serde_json::json!(-1)),
        ("unread", serde_json::json!(null)),
        ("last_seq", serde_json::json!(1.5)),
        ("started_at", serde_json::json!("1")),
        ("visitor_online", serde_json::json!(1)),
        (
            "assigned_agent",
            serde_json::json!({"id": "00000000-0000-0000-0000-000000000001"}),
        ),
    ] {
        let mut value = good.clone();
        value[key] = bad;
        let text = value.to_string();
        assert!(body(&text, model::conversation).is_err(), "{text}");
        assert!(
            serde_json::from_str::<Conversation>(&text).is_err(),
            "{text}"
        );
    }
    let mut value = good.clone();
    value.as_object_mut().unwrap().remove("last_activity_at");
    let text = value.to_string();
    assert!(body(&text, model::conversation).is_err());
    assert!(serde_json::from_str::<Conversation>(&text).is_err());
}

/// Found by the fuzz target `client_decode` (its input, kept as found): serde's derive
/// refuses a field given twice, so reading the first one accepted an error body, and
/// would accept a frame, that the server's own reader refuses.
#[test]
fn fuzz_a_repeated_field_is_refused_as_serde_refuses_it() {
    let found = "{\"type\": \"error\", \"code\": \"overloaded\", \"message\": \"the server is busy; nothing was stored, send it again in a moment\", \"id\": \"5f1d7a3ror\", \"code\": \"b-6e3d2c1b0a99\"}";
    assert_eq!(body(found, model::api_error), Err(Malformed));
    assert!(serde_json::from_str::<ApiError>(found).is_err());
    assert_eq!(server_frame(found), Err(Malformed));
    assert!(serde_json::from_str::<ServerFrame>(found).is_err());
    for twice in [
        r#"{"type":"ping","type":"ping","nonce":1}"#,
        r#"{"type":"ping","nonce":1,"nonce":1}"#,
        r#"{"type":"typing","conversation_id":"00000000-0000-0000-0000-000000000001","role":"agent","name":null,"name":null,"typing":true,"ttl_ms":5}"#,
    ] {
        assert_eq!(server_frame(twice), Err(Malformed), "{twice}");
        assert!(
            serde_json::from_str::<ServerFrame>(twice).is_err(),
            "{twice}"
        );
    }
    // A field neither side knows may repeat.
    let unknown = r#"{"type":"ping","nonce":1,"x":1,"x":2}"#;
    let expected: ServerFrame = serde_json::from_str(unknown).unwrap();
    assert_eq!(server_frame(unknown), Ok(expected));
}

/// A difference the fuzz targets compare (fixed with the number range below, before they
/// reached it): serde_json reads `-0` as the float `-0.0`, which serde refuses for an
/// integer field; the reader took it as 0.
#[test]
fn fuzz_negative_zero_is_not_an_integer() {
    let text = r#"{"type":"ack","id":"00000000-0000-0000-0000-000000000001","conversation_id":"00000000-0000-0000-0000-000000000002","seq":1,"created_at":-0}"#;
    assert_eq!(server_frame(text), Err(Malformed));
    assert!(serde_json::from_str::<ServerFrame>(text).is_err());
}
