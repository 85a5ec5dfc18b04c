//! What one node tells the others through PostgreSQL's NOTIFY: every committed change and
//! every ephemeral event that a connection on another node may have to hear.
//!
//! Committed changes ([`notes_for`]) are notified by the writer inside the group's
//! transaction, so they reach the other nodes if and only if the group commits, and in
//! commit order. Ephemeral events (typing, presence, visitors coming and going, a session
//! ending) are notified as they happen. Either way notes travel packed, as many per
//! notification as fit ([`payloads`]). A payload must stay under PostgreSQL's 8,000 bytes:
//! a message too big to carry travels as a pointer ([`Note::MessageAt`]) that the receiving
//! node reads back from the database.

use serde::{Deserialize, Serialize};
use tidings_protocol::{ConversationEvent, Message, PresenceStatus, Role, ServerFrame};
use uuid::Uuid;

use crate::writer::{Applied, Write, Written};

/// The channel every node listens on.
pub const CHANNEL: &str = "tidings";

/// Largest payload sent as is (PostgreSQL refuses 8,000 bytes and more).
pub const MAX_PAYLOAD: usize = 7_900;

/// One event for the other nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Note {
    /// A stored message, to the conversation's followers.
    Message { message: Message },
    /// A stored message too big for a notification: read it back by its seq.
    MessageAt { conversation_id: Uuid, seq: u64 },
    /// What a new message changed besides itself (see `chat::announce_sent`).
    Sent {
        conversation_id: Uuid,
        visitor_id: Uuid,
        created: bool,
        claimed: bool,
    },
    /// A claim, assignment, end or rating: announce it, and revoke followers who lost sight.
    Changed {
        conversation_id: Uuid,
        event: ConversationEvent,
    },
    /// A read or delivery receipt.
    Receipt {
        conversation_id: Uuid,
        role: Role,
        read_seq: u64,
        delivered_seq: u64,
        read_changed: bool,
    },
    /// A frame for a conversation's followers as is (typing).
    Followers {
        conversation_id: Uuid,
        frame: Box<ServerFrame>,
    },
    /// An agent's status on the sending node (offline: no connection there any more).
    Presence {
        agent_id: Uuid,
        name: String,
        status: PresenceStatus,
    },
    /// Whether a visitor has a connection on the sending node.
    Visitor { visitor_id: Uuid, online: bool },
    /// An agent session ended (logout): its connections on every node close.
    SessionEnded { session_hash: String },
    /// The team changed (an agent added, removed, renamed, promoted or demoted): every
    /// node sends the team to its consoles again.
    Team,
    /// The canned responses changed: every node sends them to its consoles again.
    Canned,
    /// An agent's rights changed (promoted or demoted): their connections on every node
    /// close with GOING_AWAY, and reconnect with the new rights.
    Reconnect { agent_id: Uuid },
    /// A visitor was joined to a verified one (`store::visitors::bind_user`): its
    /// connections on every node close with 4010 and come back as that visitor.
    VisitorJoined { visitor_id: Uuid },
    /// A frame only agents may read, for a conversation's agent followers (`visitor_page`).
    AgentFollowers {
        conversation_id: Uuid,
        frame: Box<ServerFrame>,
    },
}

/// Notes with the node they came from (a node ignores its own), as one notification
/// carries them: a group's notes travel together, as many per payload as fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub node: Uuid,
    pub notes: Vec<Note>,
}

/// The payloads that carry `notes` from `node`, in order: each as many notes as fit in
/// [`MAX_PAYLOAD`] bytes, a message too big to carry as a pointer to it, and any other
/// note that does not fit alone left out (only ephemeral frames can grow that big).
///
/// One notification per group instead of one per note: PostgreSQL queues, signals and
/// sends each notification separately, and the receiving node parses each, so packing
/// them costs less on both sides (and keeps their order, which is commit order).
pub fn payloads(node: Uuid, notes: &[Note]) -> Vec<String> {
    // `{"node":"<36 characters>","notes":[` ... `]}`
    let head = format!(r#"{{"node":"{node}","notes":["#);
    let room = MAX_PAYLOAD - head.len() - 2;
    let mut payloads = Vec::new();
    let mut current = head.clone();
    for note in notes {
        let Some(text) = note_text(note, room) else {
            continue;
        };
        let separator = usize::from(current.len() > head.len());
        if current.len() + separator + text.len() > MAX_PAYLOAD - 2 {
            current.push_str("]}");
            payloads.push(std::mem::replace(&mut current, head.clone()));
        }
        if current.len() > head.len() {
            current.push(',');
        }
        current.push_str(&text);
    }
    if current.len() > head.len() {
        current.push_str("]}");
        payloads.push(current);
    }
    payloads
}

/// A note as JSON in at most `room` bytes: as is, or for a message too big to carry, a
/// pointer to it.
fn note_text(note: &Note, room: usize) -> Option<String> {
    let text = serde_json::to_string(note).ok()?;
    if text.len() <= room {
        return Some(text);
    }
    match note {
        Note::Message { message } => serde_json::to_string(&Note::MessageAt {
            conversation_id: message.conversation_id,
            seq: message.seq,
        })
        .ok(),
        // Nothing else carries user text of unbounded length; a frame that grew past the
        // limit is dropped rather than break the group (ephemeral anyway).
        _ => None,
    }
}

/// What the other nodes must hear of a committed write.
pub fn notes_for(write: &Write, applied: &Applied) -> Vec<Note> {
    let mut notes: Vec<Note> = applied
        .publish
        .iter()
        .map(|message| Note::Message {
            message: message.clone(),
        })
        .collect();
    match (&applied.written, write) {
        (
            Written::Sent {
                message,
                news: Some(news),
            },
            _,
        ) => notes.push(Note::Sent {
            conversation_id: message.conversation_id,
            visitor_id: news.visitor_id,
            created: news.created,
            claimed: news.claimed,
        }),
        (
            Written::Given { changed },
            Write::Give {
                conversation_id,
                claim,
                ..
            },
        ) => notes.push(Note::Changed {
            conversation_id: *conversation_id,
            event: match (changed, claim) {
                (false, _) => ConversationEvent::Updated,
                (true, true) => ConversationEvent::Claimed,
                (true, false) => ConversationEvent::Assigned,
            },
        }),
        (
            Written::Closed { changed },
            Write::Close {
                conversation_id, ..
            },
        ) => notes.push(Note::Changed {
            conversation_id: *conversation_id,
            event: if *changed {
                ConversationEvent::Ended
            } else {
                ConversationEvent::Updated
            },
        }),
        (
            Written::Transferred { to_queue },
            Write::Transfer {
                conversation_id, ..
            },
        ) => notes.push(Note::Changed {
            conversation_id: *conversation_id,
            event: if *to_queue {
                ConversationEvent::Updated
            } else {
                ConversationEvent::Assigned
            },
        }),
        (Written::Requeued { changed: true }, Write::Requeue { conversation_id }) => {
            notes.push(Note::Changed {
                conversation_id: *conversation_id,
                event: ConversationEvent::Updated,
            })
        }
        (Written::Blocked { ended, .. }, Write::Block { .. }) => {
            notes.extend(ended.iter().map(|id| Note::Changed {
                conversation_id: *id,
                event: ConversationEvent::Ended,
            }))
        }
        (
            Written::Rated,
            Write::Rate {
                conversation_id, ..
            },
        ) => notes.push(Note::Changed {
            conversation_id: *conversation_id,
            event: ConversationEvent::Rated,
        }),
        (
            Written::Marked {
                side,
                after,
                read_changed,
            },
            Write::Mark {
                conversation_id, ..
            },
        ) => notes.push(Note::Receipt {
            conversation_id: *conversation_id,
            role: side.role(),
            read_seq: after.read_seq,
            delivered_seq: after.delivered_seq,
            read_changed: *read_changed,
        }),
        _ => {}
    }
    notes
}

#[cfg(test)]
mod tests {
    use tidings_protocol::{Message, Sender};
    use uuid::Uuid;

    use super::{Envelope, Note, MAX_PAYLOAD};

    fn message(body: &str) -> Message {
        Message {
            id: Uuid::new_v4(),
            conversation_id: Uuid::new_v4(),
            seq: 7,
            sender: Sender::Visitor,
            author_name: None,
            agent_id: None,
            body: body.into(),
            created_at: 1,
            attachment: None,
        }
    }

    #[test]
    fn a_small_message_travels_whole_and_a_big_one_as_a_pointer() {
        let node = Uuid::new_v4();
        let small = Note::Message {
            message: message("hello"),
        };
        let payloads = super::payloads(node, std::slice::from_ref(&small));
        assert_eq!(payloads.len(), 1);
        let back: Envelope = serde_json::from_str(&payloads[0]).unwrap();
        assert_eq!(
            back,
            Envelope {
                node,
                notes: vec![small]
            }
        );

        let big = message(&"€".repeat(4000));
        let payloads = super::payloads(
            node,
            &[Note::Message {
                message: big.clone(),
            }],
        );
        assert_eq!(payloads.len(), 1);
        assert!(payloads[0].len() <= MAX_PAYLOAD);
        let back: Envelope = serde_json::from_str(&payloads[0]).unwrap();
        assert_eq!(
            back.notes,
            vec![Note::MessageAt {
                conversation_id: big.conversation_id,
                seq: 7
            }]
        );
    }

    #[test]
    fn a_group_s_notes_are_packed_in_order_into_payloads_that_fit() {
        let node = Uuid::new_v4();
        // Bodies of 1,000 bytes: several fit in one payload, not all 40.
        let notes: Vec<Note> = (0..40)
            .map(|n| Note::Message {
                message: Message {
                    seq: n,
                    ..message(&"x".repeat(1000))
                },
            })
            .collect();
        let payloads = super::payloads(node, &notes);
        assert!(
            payloads.len() > 1 && payloads.len() < 40,
            "{}",
            payloads.len()
        );
        let mut back = Vec::new();
        for payload in &payloads {
            assert!(payload.len() <= MAX_PAYLOAD, "{}", payload.len());
            let envelope: Envelope = serde_json::from_str(payload).unwrap();
            assert_eq!(envelope.node, node);
            back.extend(envelope.notes);
        }
        assert_eq!(back, notes);
        assert!(super::payloads(node, &[]).is_empty());
    }
}
