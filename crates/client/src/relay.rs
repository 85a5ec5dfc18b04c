//! One socket per browser: what the tabs of one app tell each other over their relay
//! channel, and what a tab that follows the leader's socket must do when the leader's
//! connection state changes. Plain logic; the browser side is `web::socket_share`.
//!
//! One tab (the leader, elected with a lock) holds the socket. It forwards every server
//! frame, as the server wrote it, and its connection state to the other tabs, which apply
//! them as if they came from a socket of their own. The others hand it the frames they
//! would have sent. A note is its tag character followed by its payload.

use tidings_protocol::ClientFrame;
use uuid::Uuid;

use crate::connection::ConnectionState;

/// A note on the relay channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayNote {
    /// Leader to followers: a server frame, as the server wrote it.
    Frame(String),
    /// Leader to followers: the leader's connection state.
    State(ConnectionState),
    /// Follower to leader: a client frame to send, as encoded for the wire.
    Send(String),
    /// Follower to leader: follow a conversation from `after_seq`. Kept apart from `Send`
    /// so that the leader's socket re-sends it after a `rate_limited` refusal.
    Subscribe {
        conversation_id: Uuid,
        after_seq: u64,
    },
    /// A tab that starts following asks the leader for its state.
    Ask,
}

impl RelayNote {
    /// The note for `frame`, which a follower hands to the leader.
    pub fn for_frame(frame: &ClientFrame) -> RelayNote {
        match frame {
            ClientFrame::Subscribe {
                conversation_id,
                after_seq,
            } => RelayNote::Subscribe {
                conversation_id: *conversation_id,
                after_seq: *after_seq,
            },
            other => RelayNote::Send(crate::encode::client_frame(other)),
        }
    }

    /// Whether the leader acts on this note (followers act on the others).
    pub fn is_for_leader(&self) -> bool {
        matches!(
            self,
            RelayNote::Send(_) | RelayNote::Subscribe { .. } | RelayNote::Ask
        )
    }

    pub fn text(&self) -> String {
        match self {
            RelayNote::Frame(text) => format!("f{text}"),
            RelayNote::State(state) => format!("s{}", state.as_str()),
            RelayNote::Send(text) => format!("c{text}"),
            RelayNote::Subscribe {
                conversation_id,
                after_seq,
            } => format!("u{conversation_id} {after_seq}"),
            RelayNote::Ask => "?".to_owned(),
        }
    }

    /// `None` for anything that is not a note this version knows.
    pub fn read(text: &str) -> Option<RelayNote> {
        let tag = text.chars().next()?;
        let rest = &text[tag.len_utf8()..];
        Some(match tag {
            'f' => RelayNote::Frame(rest.to_owned()),
            'c' => RelayNote::Send(rest.to_owned()),
            's' => RelayNote::State(
                [
                    ConnectionState::Online,
                    ConnectionState::Connecting,
                    ConnectionState::Offline,
                ]
                .into_iter()
                .find(|s| s.as_str() == rest)?,
            ),
            'u' => {
                let (id, seq) = rest.split_once(' ')?;
                RelayNote::Subscribe {
                    conversation_id: Uuid::parse_str(id).ok()?,
                    after_seq: seq.parse().ok()?,
                }
            }
            '?' if rest.is_empty() => RelayNote::Ask,
            _ => return None,
        })
    }
}

/// What a follower must do after the leader told its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StateChange {
    /// Show the new state.
    pub changed: bool,
    /// The connection it relied on is gone: settle the loss (nothing in flight is sent).
    pub lost: bool,
    /// A connection came up (the leader's new one, or a new leader's): subscribe again to
    /// every conversation this tab shows, from its own last seq, so nothing is missed.
    pub resubscribe: bool,
}

/// A follower's view of the leader's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Following {
    state: ConnectionState,
}

impl Default for Following {
    fn default() -> Self {
        Following {
            state: ConnectionState::Connecting,
        }
    }
}

impl Following {
    pub fn state(&self) -> ConnectionState {
        self.state
    }

    /// The leader says its connection is in `state`.
    pub fn leader_state(&mut self, state: ConnectionState) -> StateChange {
        let before = std::mem::replace(&mut self.state, state);
        let online = ConnectionState::Online;
        StateChange {
            changed: before != state,
            lost: before == online && state != online,
            resubscribe: before != online && state == online,
        }
    }

    /// No leader speaks for now (this tab gave up leading, or starts): wait for one.
    pub fn forget(&mut self) -> StateChange {
        self.leader_state(ConnectionState::Connecting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConnectionState::*;

    fn id() -> Uuid {
        Uuid::from_u128(0x1234_5678_9abc_def0_1122_3344_5566_7788)
    }

    #[test]
    fn notes_read_back_as_written() {
        for note in [
            RelayNote::Frame(r#"{"type":"ack","id":"x"}"#.to_owned()),
            RelayNote::Frame(String::new()),
            RelayNote::State(Online),
            RelayNote::State(Connecting),
            RelayNote::State(Offline),
            RelayNote::Send(r#"{"type":"typing","typing":true}"#.to_owned()),
            RelayNote::Subscribe {
                conversation_id: id(),
                after_seq: u64::MAX,
            },
            RelayNote::Ask,
        ] {
            assert_eq!(
                RelayNote::read(&note.text()),
                Some(note.clone()),
                "{note:?}"
            );
        }
    }

    #[test]
    fn unknown_or_broken_notes_are_ignored() {
        for text in [
            "",
            "x{}",
            "sonline ",
            "sbusy",
            "u",
            "unot-a-uuid 1",
            "u12345678-9abc-def0-1122-334455667788",
            "u12345678-9abc-def0-1122-334455667788 -1",
            "?x",
            "\u{e9}",
        ] {
            assert_eq!(RelayNote::read(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_follower_hands_subscribes_apart_and_other_frames_as_wire_text() {
        let subscribe = ClientFrame::Subscribe {
            conversation_id: id(),
            after_seq: 7,
        };
        assert_eq!(
            RelayNote::for_frame(&subscribe),
            RelayNote::Subscribe {
                conversation_id: id(),
                after_seq: 7
            }
        );
        let read = ClientFrame::Read {
            conversation_id: id(),
            seq: 3,
        };
        assert_eq!(
            RelayNote::for_frame(&read),
            RelayNote::Send(crate::encode::client_frame(&read))
        );
    }

    #[test]
    fn the_leader_takes_sends_subscribes_and_questions_and_followers_the_rest() {
        assert!(RelayNote::Ask.is_for_leader());
        assert!(RelayNote::Send(String::new()).is_for_leader());
        assert!(RelayNote::Subscribe {
            conversation_id: id(),
            after_seq: 0
        }
        .is_for_leader());
        assert!(!RelayNote::Frame(String::new()).is_for_leader());
        assert!(!RelayNote::State(Online).is_for_leader());
    }

    #[test]
    fn a_follower_resubscribes_whenever_a_connection_comes_up() {
        let mut following = Following::default();
        assert_eq!(following.state(), Connecting);
        let up = following.leader_state(Online);
        assert_eq!(
            up,
            StateChange {
                changed: true,
                lost: false,
                resubscribe: true
            }
        );
        // The same state again (another tab asked): nothing to do.
        assert_eq!(following.leader_state(Online), StateChange::default());
        // The leader's socket dropped: the loss is settled, then the next one resubscribes.
        let down = following.leader_state(Offline);
        assert!(down.changed && down.lost && !down.resubscribe);
        assert!(following.leader_state(Connecting).changed);
        assert!(following.leader_state(Online).resubscribe);
    }

    #[test]
    fn a_new_leaders_connection_counts_as_a_new_one() {
        let mut following = Following::default();
        following.leader_state(Online);
        // The leader left without a word; the next one starts by connecting.
        let lost = following.leader_state(Connecting);
        assert!(lost.lost);
        assert!(following.leader_state(Online).resubscribe);
        // This tab stops leading (frozen): it waits for a leader, as at the start.
        following.leader_state(Online);
        let forgotten = following.forget();
        assert!(forgotten.lost && forgotten.changed);
        assert_eq!(following.state(), Connecting);
        assert!(following.leader_state(Online).resubscribe);
    }
}
