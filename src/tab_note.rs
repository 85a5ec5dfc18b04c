//! What tabs of one visitor tell each other over their `BroadcastChannel` (the server tells
//! them the rest), and its JSON: serde's externally tagged form (`"outbox_changed"`,
//! `{"read":{"conversation_id":…,"seq":…}}`), so tabs running an earlier version of the
//! app understand it, written and read by hand to keep serde_json out of the wasm.

use tidings_client::decode::model::{field, u64, uuid};
use tidings_client::json::{self, write, Json};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(test, serde(rename_all = "snake_case"))]
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
    pub fn to_json(&self) -> String {
        match self {
            TabNote::OutboxChanged => "\"outbox_changed\"".into(),
            TabNote::Forgotten => "\"forgotten\"".into(),
            TabNote::Read {
                conversation_id,
                seq,
            } => {
                let mut out = String::from("{\"read\":{\"conversation_id\":");
                write::uuid(&mut out, *conversation_id);
                out.push_str(",\"seq\":");
                out.push_str(&seq.to_string());
                out.push_str("}}");
                out
            }
        }
    }

    /// `None` for anything that is not a note this version knows.
    pub fn from_json(text: &str) -> Option<TabNote> {
        match &json::parse(text)? {
            Json::Str(name) if name == "outbox_changed" => Some(TabNote::OutboxChanged),
            Json::Str(name) if name == "forgotten" => Some(TabNote::Forgotten),
            note @ Json::Object(fields) if fields.len() == 1 => {
                let read = field(note, "read", Some)?;
                Some(TabNote::Read {
                    conversation_id: field(read, "conversation_id", uuid)?,
                    seq: field(read, "seq", u64)?,
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_and_read_as_serde_does() {
        for note in [
            TabNote::OutboxChanged,
            TabNote::Forgotten,
            TabNote::Read {
                conversation_id: Uuid::from_u128(5),
                seq: u64::MAX,
            },
        ] {
            let text = note.to_json();
            assert_eq!(text, serde_json::to_string(&note).unwrap());
            assert_eq!(TabNote::from_json(&text), Some(note));
        }
    }

    #[test]
    fn unknown_notes_are_refused_as_serde_refuses_them() {
        for text in [
            "\"typing\"",
            "{\"read\":{\"seq\":1}}",
            "{\"read\":{\"conversation_id\":\"00000000-0000-0000-0000-000000000001\",\"seq\":1},\"x\":1}",
            "{\"sound\":{}}",
            "not json",
        ] {
            assert_eq!(TabNote::from_json(text), None, "{text}");
            assert!(serde_json::from_str::<TabNote>(text).is_err(), "{text}");
        }
    }
}
