//! How an [`OutboxEntry`] is stored: the JSON serde's derive writes and reads (so entries
//! written by earlier versions of the app still load), encoded and decoded with the
//! codec's helpers to keep serde_json's per-type code out of the wasm. The entry is the
//! client's own type, not a protocol type, and its enum is externally tagged, which
//! `#[derive(Wire)]` does not generate; the error code inside is the protocol's generated
//! reader and writer. The tests hold it to serde's output.

use tidings_protocol::ErrorCode;
use tidings_wire::{FromJson, ToJson};

use crate::decode::model::{defaulted, field, optional};
use crate::decode::model::{i64, string, u32, uuid};
use crate::json::{self, write, Json};
use crate::outbox::{EntryState, OutboxEntry};

impl OutboxEntry {
    /// `{"id":…,"conversation_id":…|null,"body":…,"created_at":…,"order":…,"state":…}`,
    /// with `state` `"pending"` or `{"failed":{"code":…,"reason":…}}`.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(self.body.len() + 160);
        out.push_str("{\"id\":");
        write::uuid(&mut out, self.id);
        out.push_str(",\"conversation_id\":");
        match self.conversation_id {
            Some(id) => write::uuid(&mut out, id),
            None => out.push_str("null"),
        }
        out.push_str(",\"body\":");
        write::string(&mut out, &self.body);
        out.push_str(",\"created_at\":");
        out.push_str(&self.created_at.to_string());
        out.push_str(",\"order\":");
        out.push_str(&self.order.to_string());
        out.push_str(",\"state\":");
        match &self.state {
            EntryState::Pending => out.push_str("\"pending\""),
            EntryState::Failed { code, reason } => {
                out.push_str("{\"failed\":{\"code\":");
                code.to_json(&mut out);
                out.push_str(",\"reason\":");
                write::string(&mut out, reason);
                out.push_str("}}");
            }
        }
        out.push('}');
        out
    }

    /// Reads what [`OutboxEntry::to_json`] (or serde) wrote; `None` for anything else.
    pub fn from_json(text: &str) -> Option<OutboxEntry> {
        let o = &json::parse(text)?;
        Some(OutboxEntry {
            id: field(o, "id", uuid)?,
            conversation_id: optional(o, "conversation_id", uuid)?,
            body: field(o, "body", string)?,
            created_at: field(o, "created_at", i64)?,
            order: defaulted(o, "order", u32)?,
            state: defaulted(o, "state", state)?,
        })
    }
}

/// `"pending"`, or `{"failed": {"code", "reason"}}` (serde's externally tagged form).
fn state(value: &Json) -> Option<EntryState> {
    match value {
        Json::Str(name) if name == "pending" => Some(EntryState::Pending),
        Json::Object(fields) if fields.len() == 1 => {
            let failed = field(value, "failed", Some)?;
            Some(EntryState::Failed {
                code: field(failed, "code", ErrorCode::from_json)?,
                reason: field(failed, "reason", string)?,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn entries() -> Vec<OutboxEntry> {
        let pending = OutboxEntry {
            id: Uuid::from_u128(1),
            conversation_id: None,
            body: "héllo \"you\"\n\u{1} ✓".into(),
            created_at: 1_700_000_000_123,
            order: u32::MAX,
            state: EntryState::Pending,
        };
        let failed = OutboxEntry {
            id: Uuid::from_u128(2),
            conversation_id: Some(Uuid::from_u128(3)),
            body: String::new(),
            created_at: -4,
            order: 0,
            state: EntryState::Failed {
                code: ErrorCode::MessageTooLong,
                reason: "Too long \\ sorry".into(),
            },
        };
        vec![pending, failed]
    }

    #[test]
    fn writes_what_serde_writes_and_reads_it_back() {
        for entry in entries() {
            let text = entry.to_json();
            assert_eq!(text, serde_json::to_string(&entry).unwrap());
            assert_eq!(OutboxEntry::from_json(&text), Some(entry));
        }
    }

    #[test]
    fn reads_older_entries_without_defaulted_fields() {
        let text = r#"{"id":"00000000-0000-0000-0000-000000000001","body":"b","created_at":5}"#;
        let expected: OutboxEntry = serde_json::from_str(text).unwrap();
        assert_eq!(OutboxEntry::from_json(text), Some(expected));
    }

    #[test]
    fn refuses_what_serde_refuses() {
        for bad in [
            "not json",
            "{}",
            r#"{"id":"00000000-0000-0000-0000-000000000001","body":"b","created_at":5,"state":"lost"}"#,
            r#"{"id":"00000000-0000-0000-0000-000000000001","body":"b","created_at":5,"state":{"failed":{"code":"nope","reason":"r"}}}"#,
            r#"{"id":"00000000-0000-0000-0000-000000000001","body":"b","created_at":5,"state":{"failed":{"code":"internal"}}}"#,
            r#"{"id":"00000000-0000-0000-0000-000000000001","body":1,"created_at":5}"#,
            r#"{"id":"00000000-0000-0000-0000-000000000001","body":"b","created_at":5,"order":-1}"#,
        ] {
            assert_eq!(OutboxEntry::from_json(bad), None, "{bad}");
            assert!(serde_json::from_str::<OutboxEntry>(bad).is_err(), "{bad}");
        }
    }
}
