//! Property tests of the generated codec against serde_json, in both directions, on
//! generated values of every frame and body the clients read or write: serde's text reads
//! back as the same value here, and the text written here is serde's, byte for byte (so
//! serde reads it back too). The client's stored outbox entry is held to serde the same way.

use proptest::prelude::*;
use proptest::sample::select;
use tidings_protocol::http::{
    ApiError, ConversationList, CreateVisitorRequest, CreateVisitorResponse, HistoryPage,
    RatingRequest, TranscriptRequest, UpdateVisitorRequest,
};
use tidings_protocol::{
    Agent, AgentRef, Attachment, CannedResponse, ClientFrame, Conversation, ConversationEvent,
    ConversationStatus, ErrorCode, Message, PresenceStatus, Role, Sender, ServerFrame,
    VariantArray,
};
use tidings_wire::{FromJson, ToJson};
use uuid::Uuid;

use crate::json;
use crate::outbox::{EntryState, OutboxEntry};

/// serde → this reader, and this writer → serde's exact text.
fn agrees<T>(value: &T)
where
    T: FromJson + ToJson + serde::Serialize + serde::de::DeserializeOwned + PartialEq,
    T: std::fmt::Debug,
{
    let theirs = serde_json::to_string(value).unwrap();
    let read = json::parse(&theirs).as_ref().and_then(T::from_json);
    assert_eq!(read.as_ref(), Some(value), "read {theirs}");
    let ours = tidings_wire::to_string(value);
    assert_eq!(ours, theirs);
    assert_eq!(&serde_json::from_str::<T>(&ours).unwrap(), value);
}

fn id() -> impl Strategy<Value = Uuid> {
    any::<u128>().prop_map(Uuid::from_u128)
}

fn text() -> impl Strategy<Value = String> {
    any::<String>()
}

fn maybe_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn agent() -> impl Strategy<Value = Agent> {
    (
        id(),
        text(),
        text(),
        any::<bool>(),
        select(PresenceStatus::VARIANTS),
    )
        .prop_map(|(id, email, name, is_admin, status)| Agent {
            id,
            email,
            name,
            is_admin,
            status,
        })
}

fn attachment() -> impl Strategy<Value = Attachment> {
    (id(), text(), any::<u64>(), text(), maybe_text()).prop_map(
        |(id, name, size, content_type, url)| Attachment {
            id,
            name,
            size,
            content_type,
            url,
        },
    )
}

fn message() -> impl Strategy<Value = Message> {
    (
        (id(), id(), any::<u64>(), select(Sender::VARIANTS)),
        (
            maybe_text(),
            proptest::option::of(id()),
            text(),
            any::<i64>(),
        ),
        proptest::option::of(attachment()),
    )
        .prop_map(
            |(
                (id, conversation_id, seq, sender),
                (author_name, agent_id, body, created_at),
                attachment,
            )| {
                Message {
                    id,
                    conversation_id,
                    seq,
                    sender,
                    author_name,
                    agent_id,
                    body,
                    created_at,
                    attachment,
                }
            },
        )
}

fn conversation() -> impl Strategy<Value = Conversation> {
    let agent_ref = (id(), text()).prop_map(|(id, name)| AgentRef { id, name });
    let millis = proptest::option::of(any::<i64>());
    (
        (
            id(),
            id(),
            select(ConversationStatus::VARIANTS),
            proptest::option::of(agent_ref),
            any::<i64>(),
            millis.clone(),
            millis.clone(),
            proptest::option::of(any::<u8>()),
        ),
        (
            maybe_text(),
            maybe_text(),
            maybe_text(),
            maybe_text(),
            maybe_text(),
            maybe_text(),
        ),
        (
            any::<u64>(),
            any::<i64>(),
            maybe_text(),
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
        ),
        (any::<u32>(), any::<bool>(), millis),
    )
        .prop_map(|(a, b, c, d)| Conversation {
            id: a.0,
            visitor_id: a.1,
            status: a.2,
            assigned_agent: a.3,
            started_at: a.4,
            assigned_at: a.5,
            ended_at: a.6,
            rating: a.7,
            feedback: b.0,
            visitor_name: b.1,
            visitor_email: b.2,
            visitor_user_id: b.3,
            page_url: b.4,
            user_agent: b.5,
            last_seq: c.0,
            last_activity_at: c.1,
            last_message_preview: c.2,
            visitor_read_seq: c.3,
            agent_read_seq: c.4,
            agent_delivered_seq: c.5,
            unread: d.0,
            visitor_online: d.1,
            visitor_last_seen_at: d.2,
        })
}

fn server_frame() -> impl Strategy<Value = ServerFrame> {
    let role = || select(Role::VARIANTS);
    let presence = || select(PresenceStatus::VARIANTS);
    prop_oneof![
        (
            (any::<u32>(), role(), proptest::option::of(id())),
            (proptest::option::of(agent()), any::<u64>(), any::<u64>()),
            (presence(), any::<i64>(), any::<bool>()),
        )
            .prop_map(|(a, b, c)| ServerFrame::Hello {
                version: a.0,
                role: a.1,
                visitor_id: a.2,
                agent: b.0,
                heartbeat_interval_ms: b.1,
                heartbeat_timeout_ms: b.2,
                availability: c.0,
                now: c.1,
                email: c.2,
            }),
        conversation().prop_map(|conversation| ServerFrame::Snapshot { conversation }),
        message().prop_map(|message| ServerFrame::Message { message }),
        (id(), any::<u64>(), any::<u64>()).prop_map(|(conversation_id, last_seq, after_seq)| {
            ServerFrame::Synced {
                conversation_id,
                last_seq,
                after_seq,
            }
        }),
        (id(), id(), any::<u64>(), any::<i64>()).prop_map(|(id, conversation_id, seq, at)| {
            ServerFrame::Ack {
                id,
                conversation_id,
                seq,
                created_at: at,
            }
        }),
        (id(), role(), maybe_text(), any::<bool>(), any::<u64>()).prop_map(|(c, r, n, t, ttl)| {
            ServerFrame::Typing {
                conversation_id: c,
                role: r,
                name: n,
                typing: t,
                ttl_ms: ttl,
            }
        }),
        (id(), role(), any::<u64>(), any::<u64>()).prop_map(|(c, r, read, delivered)| {
            ServerFrame::Receipt {
                conversation_id: c,
                role: r,
                read_seq: read,
                delivered_seq: delivered,
            }
        }),
        (select(ConversationEvent::VARIANTS), conversation()).prop_map(|(event, c)| {
            ServerFrame::Conversation {
                event,
                conversation: c,
            }
        }),
        proptest::collection::vec(conversation(), 0..3)
            .prop_map(|conversations| ServerFrame::Queue { conversations }),
        presence().prop_map(|status| ServerFrame::Availability { status }),
        (id(), text(), presence()).prop_map(|(agent_id, name, status)| {
            ServerFrame::AgentPresence {
                agent_id,
                name,
                status,
            }
        }),
        proptest::collection::vec(agent(), 0..3).prop_map(|agents| ServerFrame::Agents { agents }),
        proptest::collection::vec(
            (id(), text(), text(), text(), any::<i64>()).prop_map(|(id, title, s, body, at)| {
                CannedResponse {
                    id,
                    title,
                    shortcut: s,
                    body,
                    updated_at: at,
                }
            }),
            0..3
        )
        .prop_map(|responses| ServerFrame::CannedResponses { responses }),
        (id(), id(), maybe_text(), maybe_text()).prop_map(|(v, c, page_url, time_zone)| {
            ServerFrame::VisitorPage {
                visitor_id: v,
                conversation_id: c,
                page_url,
                time_zone,
            }
        }),
        (
            select(ErrorCode::VARIANTS),
            text(),
            proptest::option::of(id()),
            proptest::option::of(id())
        )
            .prop_map(|(code, message, id, conversation_id)| ServerFrame::Error {
                code,
                message,
                id,
                conversation_id,
            }),
        any::<u64>().prop_map(|nonce| ServerFrame::Ping { nonce }),
        any::<u64>().prop_map(|nonce| ServerFrame::Pong { nonce }),
    ]
}

fn client_frame() -> impl Strategy<Value = ClientFrame> {
    prop_oneof![
        (text(), any::<u32>()).prop_map(|(token, version)| ClientFrame::Auth { token, version }),
        (id(), any::<u64>()).prop_map(|(conversation_id, after_seq)| ClientFrame::Subscribe {
            conversation_id,
            after_seq
        }),
        id().prop_map(|conversation_id| ClientFrame::Unsubscribe { conversation_id }),
        (id(), proptest::option::of(id()), text()).prop_map(|(id, conversation_id, body)| {
            ClientFrame::Send {
                id,
                conversation_id,
                body,
            }
        }),
        (id(), any::<bool>()).prop_map(|(conversation_id, typing)| ClientFrame::Typing {
            conversation_id,
            typing
        }),
        (id(), any::<u64>()).prop_map(|(conversation_id, seq)| ClientFrame::Read {
            conversation_id,
            seq
        }),
        (id(), any::<u64>()).prop_map(|(conversation_id, seq)| ClientFrame::Delivered {
            conversation_id,
            seq
        }),
        select(PresenceStatus::VARIANTS).prop_map(|status| ClientFrame::Presence { status }),
        Just(ClientFrame::WatchQueue),
        any::<u64>().prop_map(|nonce| ClientFrame::Ping { nonce }),
        any::<u64>().prop_map(|nonce| ClientFrame::Pong { nonce }),
    ]
}

/// The client's own stored type: its JSON must stay serde's (entries written by earlier
/// versions are read back), with the externally tagged `EntryState`.
fn outbox_entry() -> impl Strategy<Value = OutboxEntry> {
    let state = prop_oneof![
        Just(EntryState::Pending),
        (select(ErrorCode::VARIANTS), text())
            .prop_map(|(code, reason)| EntryState::Failed { code, reason }),
    ];
    (
        (id(), proptest::option::of(id()), text()),
        (any::<i64>(), any::<u32>(), state),
    )
        .prop_map(
            |((id, conversation_id, body), (created_at, order, state))| OutboxEntry {
                id,
                conversation_id,
                body,
                created_at,
                order,
                state,
            },
        )
}

proptest! {
    #[test]
    fn outbox_entries_agree_with_serde(entry in outbox_entry()) {
        agrees(&entry);
    }

    #[test]
    fn server_frames_agree_with_serde(frame in server_frame()) {
        agrees(&frame);
    }

    #[test]
    fn client_frames_agree_with_serde(frame in client_frame()) {
        agrees(&frame);
        // And the server's own reader reads what the client writes.
        prop_assert_eq!(ClientFrame::parse(&tidings_wire::to_string(&frame)).ok(), Some(frame));
    }

    #[test]
    fn bodies_agree_with_serde(
        (name, email, page_url) in (maybe_text(), maybe_text(), maybe_text()),
        (user_id, user_hash, time_zone) in (maybe_text(), maybe_text(), maybe_text()),
        rating in any::<u8>(),
        conversations in proptest::collection::vec(conversation(), 0..3),
        messages in proptest::collection::vec(message(), 0..3),
        (next, has_more, visitor_id, code) in
            (maybe_text(), any::<bool>(), id(), select(ErrorCode::VARIANTS)),
    ) {
        agrees(&CreateVisitorRequest {
            name: name.clone(),
            email: email.clone(),
            page_url: page_url.clone(),
        });
        agrees(&UpdateVisitorRequest { name: name.clone(), email, page_url, user_id, user_hash, time_zone });
        agrees(&RatingRequest { rating, feedback: name.clone() });
        agrees(&TranscriptRequest { email: next.clone() });
        agrees(&ConversationList { conversations, next: next.clone() });
        agrees(&HistoryPage { messages, has_more });
        agrees(&ApiError { code, message: next.clone().unwrap_or_default() });
        agrees(&CreateVisitorResponse { visitor_id, token: name.unwrap_or_default() });
    }
}
