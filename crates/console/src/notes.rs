//! Private notes from the composer: posted over HTTP (`POST /v1/conversations/{id}/notes`,
//! idempotent by the id chosen here), then shown at once from the server's answer; the
//! socket's copy of the same note merges into it by id and seq. Notes do not go through
//! the outbox: a note that could not be posted stays in the composer with the reason.

use tidings_protocol::http::NoteRequest;
use tidings_protocol::limits::{message_chars, MAX_MESSAGE_CHARS};
use uuid::Uuid;

use crate::api;
use crate::state::ConsoleState;
use crate::texts::{t, tf};

/// Posts `body` as a private note in conversation `id`. `note_id` is kept by the caller
/// across retries of the same text, so a retry after a lost answer stores it once.
pub async fn post(state: ConsoleState, id: Uuid, note_id: Uuid, body: &str) -> Result<(), String> {
    let body = body.trim().to_string();
    if body.is_empty() {
        return Err(t("composer.write_something_first"));
    }
    if message_chars(&body) > MAX_MESSAGE_CHARS {
        return Err(tf(
            "notes.too_long",
            &[("max", &MAX_MESSAGE_CHARS.to_string())],
        ));
    }
    let Some(token) = state.token() else {
        return Err(t("notes.signed_out"));
    };
    let request = NoteRequest { id: note_id, body };
    match api::note(&token, id, &request).await {
        Ok(note) => {
            state.update_thread(id, |t| t.timeline.insert(note));
            Ok(())
        }
        Err(failure) => Err(tf("notes.not_saved", &[("reason", &failure.message)])),
    }
}
