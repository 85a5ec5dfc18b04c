//! What tabs of one visitor tell each other over their `BroadcastChannel` (the server tells
//! them the rest), and its JSON: serde's externally tagged form (`"outbox_changed"`,
//! `{"read":{"conversation_id":…,"seq":…}}`), so tabs running an earlier version of the
//! app understand it. The reader and writer are generated from this declaration
//! (`#[derive(Wire)]`, as for the protocol's types); serde's derive, whose code never
//! reaches the wasm because nothing calls it there, is the tests' reference.

use serde::{Deserialize, Serialize};
use tidings_client::json;
use tidings_wire::FromJson;
use tidings_wire_derive::Wire;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Wire)]
#[serde(rename_all = "snake_case")]
pub enum TabNote {
    /// An outbox entry was added, sent or settled: reload pending messages, flush.
    OutboxChanged,
    /// The visitor read up to `seq` in another tab.
    Read { conversation_id: Uuid, seq: u64 },
    /// The host page ended the visitor's session (`Tidings('shutdown')`): what this tab
    /// shows belongs to someone who has left; start afresh.
    Forgotten,
}

impl TabNote {
    /// The note as posted to the other tabs.
    pub fn text(&self) -> String {
        tidings_wire::to_string(self)
    }

    /// `None` for anything that is not a note this version knows.
    pub fn read(text: &str) -> Option<TabNote> {
        json::parse(text).as_ref().and_then(TabNote::from_json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact text earlier versions posted, independent of serde: tabs still running
    /// one must understand this version and be understood by it.
    #[test]
    fn written_and_read_as_earlier_versions_do() {
        for (note, text) in [
            (TabNote::OutboxChanged, r#""outbox_changed""#),
            (TabNote::Forgotten, r#""forgotten""#),
            (
                TabNote::Read {
                    conversation_id: Uuid::from_u128(5),
                    seq: u64::MAX,
                },
                r#"{"read":{"conversation_id":"00000000-0000-0000-0000-000000000005","seq":18446744073709551615}}"#,
            ),
        ] {
            assert_eq!(note.text(), text);
            assert_eq!(serde_json::to_string(&note).unwrap(), text);
            assert_eq!(TabNote::read(text), Some(note));
        }
    }

    #[test]
    fn unknown_notes_are_refused_as_serde_refuses_them() {
        for text in [
            "\"typing\"",
            "\"read\"",
            "{\"read\":null}",
            "{\"forgotten\":{}}",
            "{}",
            "{\"read\":{\"seq\":1}}",
            "{\"read\":{\"conversation_id\":\"00000000-0000-0000-0000-000000000001\",\"seq\":1},\"x\":1}",
            "{\"read\":{\"conversation_id\":\"00000000-0000-0000-0000-000000000001\",\"seq\":-1}}",
            "{\"sound\":{}}",
            "1",
            "not json",
        ] {
            assert_eq!(TabNote::read(text), None, "{text}");
            assert!(serde_json::from_str::<TabNote>(text).is_err(), "{text}");
        }
    }

    /// serde_json's other forms of the same notes: a unit variant as `{"name": null}`, and
    /// unknown keys inside a struct variant (ignored, as the enum does not deny them).
    #[test]
    fn reads_what_serde_reads_in_its_other_forms() {
        for text in [
            "{\"outbox_changed\":null}",
            "{\"read\":{\"conversation_id\":\"00000000-0000-0000-0000-000000000001\",\"seq\":1,\"x\":[]}}",
        ] {
            let expected: TabNote = serde_json::from_str(text).unwrap();
            assert_eq!(TabNote::read(text), Some(expected), "{text}");
        }
    }

    /// Generated notes (natively only: proptest's randomness does not build for wasm32).
    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn note() -> impl Strategy<Value = TabNote> {
            prop_oneof![
                Just(TabNote::OutboxChanged),
                Just(TabNote::Forgotten),
                (any::<u128>(), any::<u64>()).prop_map(|(id, seq)| TabNote::Read {
                    conversation_id: Uuid::from_u128(id),
                    seq,
                }),
            ]
        }

        proptest! {
            /// serde's text reads back as the same note, and the text written here is serde's.
            #[test]
            fn notes_agree_with_serde(note in note()) {
                let theirs = serde_json::to_string(&note).unwrap();
                prop_assert_eq!(TabNote::read(&theirs), Some(note.clone()));
                prop_assert_eq!(note.text(), theirs);
            }
        }
    }
}
