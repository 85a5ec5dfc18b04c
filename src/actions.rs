//! What the components ask for: send, retry or discard a message, start over,
//! typing, close. Each works on the page's [`Runtime`], reached through the
//! [`RuntimeHandle`] the component was given (nothing happens before it starts).

use reactive_graph::prelude::*;
use tidings_client::web::{new_id, now_ms};
use tidings_client::LocalMessage;
use tidings_protocol::{ClientFrame, ConversationStatus, Sender};
use uuid::Uuid;

use crate::body::{check, DraftCheck};
use crate::dom::later;
use crate::host::{self, ToHost};
use crate::runtime::{focus_composer, Runtime, RuntimeHandle, TabNote};
use crate::state::ChatState;
use crate::texts::tf;

/// Re-announce "typing" this often while the visitor keeps typing (TTL is 5 s).
const TYPING_RENEW_MS: f64 = 3_000.0;
/// Typing is sent this long after the first keystroke (SPEC 4.8 debounce).
const TYPING_DEBOUNCE_MS: i32 = 300;

/// Sends what the visitor wrote: stored in the outbox first, shown as pending, sent when
/// the socket is up. Returns whether it was accepted (the composer then clears).
pub fn send_message(runtime: RuntimeHandle, text: &str) -> bool {
    let Some(rt) = runtime.get() else {
        return false;
    };
    if check(text) != DraftCheck::Ok {
        return false;
    }
    let body = text.trim().to_owned();
    let id = new_id();
    match rt.realtime.send(id, None, body.clone()) {
        Ok(entry) => {
            rt.state.timeline.update(|t| {
                t.add_local(LocalMessage {
                    id,
                    sender: Sender::Visitor,
                    author_name: None,
                    body,
                    created_at: entry.created_at,
                    refused: None,
                })
            });
            rt.state.notice.set(None);
            rt.tell_tabs(&TabNote::OutboxChanged);
            stop_typing(rt);
            true
        }
        Err(e) => {
            rt.state
                .notice
                .set(Some(tf("notice.not_saved", &[("reason", &e.to_string())])));
            false
        }
    }
}

/// Sends a failed message again.
pub fn retry_message(runtime: RuntimeHandle, id: Uuid) {
    if let Some(rt) = runtime.get() {
        rt.state.timeline.update(|t| t.retry(id));
        rt.realtime.retry(id);
        rt.tell_tabs(&TabNote::OutboxChanged);
    }
}

/// Gives up on a failed message.
pub fn discard_message(runtime: RuntimeHandle, id: Uuid) {
    if let Some(rt) = runtime.get() {
        rt.state.timeline.update(|t| {
            t.remove_local(id);
        });
        rt.realtime.discard(id);
        rt.tell_tabs(&TabNote::OutboxChanged);
    }
}

/// Leaves the ended conversation behind: an empty panel, the next message starts anew.
pub fn start_new_conversation(runtime: RuntimeHandle) {
    let Some(rt) = runtime.get() else { return };
    let mut model = rt.model();
    let effects = crate::reduce::start_new(&mut model);
    rt.finish(model, effects);
    focus_composer();
}

/// The visitor typed (or cleared) the draft: tells the agent, debounced and renewed
/// before the server's typing TTL lapses.
pub fn visitor_typing(runtime: RuntimeHandle, has_text: bool) {
    let Some(rt) = runtime.get() else { return };
    if !has_text {
        stop_typing(rt);
        return;
    }
    let renew_due = now_ms() as f64 - rt.typing_sent_at.get() >= TYPING_RENEW_MS;
    if (rt.typing_on.get() && !renew_due) || rt.typing_scheduled.get() {
        return;
    }
    rt.typing_scheduled.set(true);
    later(TYPING_DEBOUNCE_MS, move || {
        rt.typing_scheduled.set(false);
        let still_typing = rt.state.draft.with_untracked(|d| !d.trim().is_empty());
        if let (true, Some(id)) = (still_typing, open_conversation(rt)) {
            if rt.realtime.send_frame(&ClientFrame::Typing {
                conversation_id: id,
                typing: true,
            }) {
                rt.typing_on.set(true);
                rt.typing_sent_at.set(now_ms() as f64);
            }
        }
    });
}

fn stop_typing(rt: &Runtime) {
    if !rt.typing_on.replace(false) {
        return;
    }
    if let Some(id) = open_conversation(rt) {
        rt.realtime.send_frame(&ClientFrame::Typing {
            conversation_id: id,
            typing: false,
        });
    }
}

fn open_conversation(rt: &Runtime) -> Option<Uuid> {
    rt.state.conversation.with_untracked(|c| {
        c.as_ref()
            .filter(|c| c.status != ConversationStatus::Ended)
            .map(|c| c.id)
    })
}

/// Asks the loader to close the panel (Esc or the close button).
pub fn request_close(chat: ChatState) {
    let origin = chat.config.with_value(|c| c.host_origin.clone());
    host::post(origin.as_deref(), &ToHost::Close);
}
