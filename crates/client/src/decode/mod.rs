//! Decoding server frames into [`ServerFrame`], cheaply for a browser.
//!
//! `ServerFrame` is internally tagged (`{"type": "ack", …}`). serde's derive decodes such an
//! enum by first buffering the whole frame into a generic value tree and then decoding the
//! variant from that tree, which compiles every protocol type's decoder a second time:
//! measured at about 45 KB of gzipped wasm, more than the whole Leptos runtime. Here the
//! tag is read first and the frame is then decoded once more, straight into the variant's
//! fields. The wire format is the protocol's: the tests round-trip every variant through
//! the protocol's own serializer, so a change there that this file misses fails them.

use std::borrow::Cow;

use serde::de::Error as _;
use serde::Deserialize;
use tidings_protocol::{
    Agent, Conversation, ConversationEvent, ErrorCode, Message, Millis, PresenceStatus, Role,
    ServerFrame,
};
use uuid::Uuid;

#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
}

#[derive(Deserialize)]
struct Hello {
    version: u32,
    role: Role,
    #[serde(default)]
    visitor_id: Option<Uuid>,
    #[serde(default)]
    agent: Option<Agent>,
    heartbeat_interval_ms: u64,
    heartbeat_timeout_ms: u64,
    availability: PresenceStatus,
    now: Millis,
}

#[derive(Deserialize)]
struct Snapshot {
    conversation: Conversation,
}

#[derive(Deserialize)]
struct MessageFrame {
    message: Message,
}

#[derive(Deserialize)]
struct Synced {
    conversation_id: Uuid,
    last_seq: u64,
}

#[derive(Deserialize)]
struct Ack {
    id: Uuid,
    conversation_id: Uuid,
    seq: u64,
    created_at: Millis,
}

#[derive(Deserialize)]
struct Typing {
    conversation_id: Uuid,
    role: Role,
    #[serde(default)]
    name: Option<String>,
    typing: bool,
    ttl_ms: u64,
}

#[derive(Deserialize)]
struct Receipt {
    conversation_id: Uuid,
    role: Role,
    read_seq: u64,
    delivered_seq: u64,
}

#[derive(Deserialize)]
struct ConversationFrame {
    event: ConversationEvent,
    conversation: Conversation,
}

#[derive(Deserialize)]
struct Queue {
    conversations: Vec<Conversation>,
}

#[derive(Deserialize)]
struct Availability {
    status: PresenceStatus,
}

#[derive(Deserialize)]
struct AgentPresence {
    agent_id: Uuid,
    name: String,
    status: PresenceStatus,
}

#[derive(Deserialize)]
struct ErrorFrame {
    code: ErrorCode,
    message: String,
    #[serde(default)]
    id: Option<Uuid>,
    #[serde(default)]
    conversation_id: Option<Uuid>,
}

#[derive(Deserialize)]
struct Nonce {
    nonce: u64,
}

const KINDS: &[&str] = &[
    "hello",
    "snapshot",
    "message",
    "synced",
    "ack",
    "typing",
    "receipt",
    "conversation",
    "queue",
    "availability",
    "agent_presence",
    "error",
    "ping",
    "pong",
];

/// Decodes one frame from the socket; same result as `serde_json::from_str::<ServerFrame>`.
pub fn server_frame(text: &str) -> Result<ServerFrame, serde_json::Error> {
    let tag: Tag = serde_json::from_str(text)?;
    Ok(match tag.kind.as_ref() {
        "hello" => {
            let f: Hello = serde_json::from_str(text)?;
            ServerFrame::Hello {
                version: f.version,
                role: f.role,
                visitor_id: f.visitor_id,
                agent: f.agent,
                heartbeat_interval_ms: f.heartbeat_interval_ms,
                heartbeat_timeout_ms: f.heartbeat_timeout_ms,
                availability: f.availability,
                now: f.now,
            }
        }
        "snapshot" => ServerFrame::Snapshot {
            conversation: serde_json::from_str::<Snapshot>(text)?.conversation,
        },
        "message" => ServerFrame::Message {
            message: serde_json::from_str::<MessageFrame>(text)?.message,
        },
        "synced" => {
            let f: Synced = serde_json::from_str(text)?;
            ServerFrame::Synced {
                conversation_id: f.conversation_id,
                last_seq: f.last_seq,
            }
        }
        "ack" => {
            let f: Ack = serde_json::from_str(text)?;
            ServerFrame::Ack {
                id: f.id,
                conversation_id: f.conversation_id,
                seq: f.seq,
                created_at: f.created_at,
            }
        }
        "typing" => {
            let f: Typing = serde_json::from_str(text)?;
            ServerFrame::Typing {
                conversation_id: f.conversation_id,
                role: f.role,
                name: f.name,
                typing: f.typing,
                ttl_ms: f.ttl_ms,
            }
        }
        "receipt" => {
            let f: Receipt = serde_json::from_str(text)?;
            ServerFrame::Receipt {
                conversation_id: f.conversation_id,
                role: f.role,
                read_seq: f.read_seq,
                delivered_seq: f.delivered_seq,
            }
        }
        "conversation" => {
            let f: ConversationFrame = serde_json::from_str(text)?;
            ServerFrame::Conversation {
                event: f.event,
                conversation: f.conversation,
            }
        }
        "queue" => ServerFrame::Queue {
            conversations: serde_json::from_str::<Queue>(text)?.conversations,
        },
        "availability" => ServerFrame::Availability {
            status: serde_json::from_str::<Availability>(text)?.status,
        },
        "agent_presence" => {
            let f: AgentPresence = serde_json::from_str(text)?;
            ServerFrame::AgentPresence {
                agent_id: f.agent_id,
                name: f.name,
                status: f.status,
            }
        }
        "error" => {
            let f: ErrorFrame = serde_json::from_str(text)?;
            ServerFrame::Error {
                code: f.code,
                message: f.message,
                id: f.id,
                conversation_id: f.conversation_id,
            }
        }
        "ping" => ServerFrame::Ping {
            nonce: serde_json::from_str::<Nonce>(text)?.nonce,
        },
        "pong" => ServerFrame::Pong {
            nonce: serde_json::from_str::<Nonce>(text)?.nonce,
        },
        other => return Err(serde_json::Error::unknown_variant(other, KINDS)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tidings_protocol::{AgentRef, ConversationStatus, Sender};

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
                },
            },
            ServerFrame::Synced {
                conversation_id: id,
                last_seq: 3,
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

    #[test]
    fn decodes_every_variant_as_the_protocol_encodes_it() {
        let frames = every_frame();
        assert_eq!(frames.len(), KINDS.len(), "a variant is missing here");
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
        ] {
            assert!(server_frame(bad).is_err(), "{bad}");
            assert!(serde_json::from_str::<ServerFrame>(bad).is_err(), "{bad}");
        }
    }
}
