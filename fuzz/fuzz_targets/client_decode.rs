//! The client's decoders (generated from the protocol types by `#[derive(Wire)]`, and the
//! outbox's and tab notes' readers) against serde's derive for the same types: server
//! frames (`decode::server_frame`), the API answers it reads (`decode::body` with the
//! `model` readers), stored outbox entries (`OutboxEntry::from_json`) and the widget's
//! notes between tabs (`TabNote::from_json`). The contract is `tidings_fuzz::differential`:
//! never accept what serde refuses, same value when both accept, and always read what
//! serde writes. A refusal here is a message the client would drop.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};
use tidings_client::decode::{self, model};
use tidings_client::OutboxEntry;
use tidings_fuzz::{differential, SerdeRead};
use tidings_protocol::http::{ApiError, ConversationList, CreateVisitorResponse};
use tidings_protocol::ServerFrame;
use tidings_widget::tab_note::TabNote;
use uuid::Uuid;

/// `TabNote`'s serde form, which the widget derives for its tests only: the externally
/// tagged enum its doc comment names (`"outbox_changed"`, `{"read":{…}}`, `"forgotten"`).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum SerdeTabNote {
    OutboxChanged,
    Read { conversation_id: Uuid, seq: u64 },
    Forgotten,
}

/// The note in its serde form. A variant added to `TabNote` but not (yet) here reads as
/// `None`, which is what serde says for it too: it goes unchecked rather than failing.
fn serde_form(note: TabNote) -> Option<SerdeTabNote> {
    #[allow(unreachable_patterns)]
    match note {
        TabNote::OutboxChanged => Some(SerdeTabNote::OutboxChanged),
        TabNote::Read {
            conversation_id,
            seq,
        } => Some(SerdeTabNote::Read {
            conversation_id,
            seq,
        }),
        TabNote::Forgotten => Some(SerdeTabNote::Forgotten),
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    differential(
        "server_frame",
        text,
        SerdeRead::Buffered,
        |t| decode::server_frame(t).ok(),
        |t| serde_json::from_str::<ServerFrame>(t),
    );
    differential(
        "api_error",
        text,
        SerdeRead::Direct,
        |t| decode::body(t, model::api_error).ok(),
        |t| serde_json::from_str::<ApiError>(t),
    );
    differential(
        "create_visitor_response",
        text,
        SerdeRead::Direct,
        |t| decode::body(t, model::create_visitor_response).ok(),
        |t| serde_json::from_str::<CreateVisitorResponse>(t),
    );
    differential(
        "conversation_list",
        text,
        SerdeRead::Direct,
        |t| {
            decode::body(t, model::conversation_list)
                .ok()
                .map(|conversations| ConversationList {
                    conversations,
                    next: None,
                })
        },
        // The widget's reader takes the list only; the waiting list's paging cursor is read
        // by the console, through serde.
        |t| {
            serde_json::from_str::<ConversationList>(t)
                .map(|list| ConversationList { next: None, ..list })
        },
    );
    differential(
        "outbox_entry",
        text,
        SerdeRead::Direct,
        OutboxEntry::from_json,
        |t| serde_json::from_str::<OutboxEntry>(t),
    );
    differential(
        "tab_note",
        text,
        SerdeRead::Direct,
        |t| TabNote::from_json(t).and_then(serde_form),
        |t| serde_json::from_str::<SerdeTabNote>(t),
    );
});
