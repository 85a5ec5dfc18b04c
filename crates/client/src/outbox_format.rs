//! How an [`OutboxEntry`] is stored, held to serde's derive: entries written by earlier
//! versions of the app (which stored serde's JSON, then a hand-written copy of it) must
//! still load, so the text the generated codec (`#[derive(Wire)]` on the entry and its
//! externally tagged `EntryState`) writes is serde's byte for byte, and it reads what serde
//! reads and refuses what serde refuses.

use tidings_protocol::ErrorCode;
use uuid::Uuid;

use crate::outbox::{EntryState, OutboxEntry};

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
        let text = tidings_wire::to_string(&entry);
        assert_eq!(text, serde_json::to_string(&entry).unwrap());
        assert_eq!(OutboxEntry::read(&text), Some(entry));
    }
}

/// The exact text earlier versions stored, independent of serde: a change to either
/// serde's or the codec's output would no longer read what is in visitors' browsers.
#[test]
fn reads_and_writes_the_stored_text_of_earlier_versions() {
    let [pending, failed] = <[OutboxEntry; 2]>::try_from(entries()).unwrap();
    let stored_pending = r#"{"id":"00000000-0000-0000-0000-000000000001","conversation_id":null,"body":"héllo \"you\"\n\u0001 ✓","created_at":1700000000123,"order":4294967295,"state":"pending"}"#;
    let stored_failed = r#"{"id":"00000000-0000-0000-0000-000000000002","conversation_id":"00000000-0000-0000-0000-000000000003","body":"","created_at":-4,"order":0,"state":{"failed":{"code":"message_too_long","reason":"Too long \\ sorry"}}}"#;
    assert_eq!(tidings_wire::to_string(&pending), stored_pending);
    assert_eq!(tidings_wire::to_string(&failed), stored_failed);
    assert_eq!(OutboxEntry::read(stored_pending), Some(pending));
    assert_eq!(OutboxEntry::read(stored_failed), Some(failed));
}

#[test]
fn reads_older_entries_without_defaulted_fields() {
    let text = r#"{"id":"00000000-0000-0000-0000-000000000001","body":"b","created_at":5}"#;
    let expected: OutboxEntry = serde_json::from_str(text).unwrap();
    assert_eq!(OutboxEntry::read(text), Some(expected));
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
        // The externally tagged state: a struct variant as a name or `null`, a unit variant
        // with content, no variant, or a key beside the variant's.
        r#"{"id":"00000000-0000-0000-0000-000000000001","body":"b","created_at":5,"state":"failed"}"#,
        r#"{"id":"00000000-0000-0000-0000-000000000001","body":"b","created_at":5,"state":{"failed":null}}"#,
        r#"{"id":"00000000-0000-0000-0000-000000000001","body":"b","created_at":5,"state":{"pending":{}}}"#,
        r#"{"id":"00000000-0000-0000-0000-000000000001","body":"b","created_at":5,"state":{}}"#,
        r#"{"id":"00000000-0000-0000-0000-000000000001","body":"b","created_at":5,"state":{"pending":null,"x":1}}"#,
        r#"{"id":"00000000-0000-0000-0000-000000000001","body":"b","created_at":5,"state":7}"#,
    ] {
        assert_eq!(OutboxEntry::read(bad), None, "{bad}");
        assert!(serde_json::from_str::<OutboxEntry>(bad).is_err(), "{bad}");
    }
}

/// serde_json also reads a unit variant as `{"<variant>": null}`, and ignores unknown keys
/// inside a struct variant (the entry does not deny unknown fields); so does the codec.
#[test]
fn reads_what_serde_reads_in_its_other_forms() {
    for text in [
        r#"{"id":"00000000-0000-0000-0000-000000000001","body":"b","created_at":5,"state":{"pending":null}}"#,
        r#"{"id":"00000000-0000-0000-0000-000000000001","body":"b","created_at":5,"state":{"failed":{"code":"internal","reason":"r","x":1}},"y":2}"#,
    ] {
        let expected: OutboxEntry = serde_json::from_str(text).unwrap();
        assert_eq!(OutboxEntry::read(text), Some(expected), "{text}");
    }
}
