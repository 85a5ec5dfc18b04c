//! Opening and closing a conversation in the main pane, older pages on demand, the
//! agent's own messages through the outbox, and read receipts when the agent looks: each
//! a step of `logic::reduce` run by `sync` (the latest history page over HTTP, then the
//! socket subscription from the timeline's resume seq, so replay fills exactly what is
//! missing).

use tidings_protocol::limits::{message_chars, MAX_MESSAGE_CHARS};
use uuid::Uuid;

use crate::logic::reduce;
use crate::state::ConsoleState;
use crate::sync::step;
use crate::texts::{t, tf};

/// Starts showing conversation `id`: loads it unless already held.
pub fn open(state: ConsoleState, id: Uuid) {
    step(state, |m| reduce::open(m, id));
}

/// Stops showing conversation `id`.
pub fn close(state: ConsoleState, id: Uuid) {
    step(state, |m| reduce::close(m, id));
}

/// Loads the page of history just above what is held.
pub fn load_older(state: ConsoleState, id: Uuid) {
    step(state, |m| reduce::load_older(m, id));
}

/// The agent looks at conversation `id` (opened, or the tab came back into view): tells
/// the server what the console has received and read.
pub fn report_receipts(state: ConsoleState, id: Uuid) {
    step(state, |m| reduce::viewed(m, id));
}

/// Sends the agent's message through the outbox; it shows at once as pending.
pub fn send_message(state: ConsoleState, id: Uuid, body: &str) -> Result<(), String> {
    let body = body.trim().to_string();
    if body.is_empty() {
        return Err(t("composer.write_something_first"));
    }
    if message_chars(&body) > MAX_MESSAGE_CHARS {
        return Err(tf(
            "threads.too_long",
            &[("max", &MAX_MESSAGE_CHARS.to_string())],
        ));
    }
    let live = state.live().ok_or_else(|| t("realtime.not_connected"))?;
    let message_id = tidings_client::web::new_id();
    live.send_message(message_id, id, body.clone())?;
    step(state, |m| reduce::message_written(m, id, message_id, body));
    Ok(())
}

pub fn retry_message(state: ConsoleState, conversation_id: Uuid, id: Uuid) {
    step(state, |m| reduce::message_retried(m, conversation_id, id));
    if let Some(live) = state.live() {
        live.retry(id);
    }
}

pub fn discard_message(state: ConsoleState, conversation_id: Uuid, id: Uuid) {
    step(state, |m| reduce::message_discarded(m, conversation_id, id));
    if let Some(live) = state.live() {
        live.discard(id);
    }
}
