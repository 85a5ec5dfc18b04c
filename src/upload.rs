//! Sending a file (picked, dropped or pasted): the widget only catches it and hands the
//! `File` to the extras module (`upload_file(file, token, conversation)`), which uploads it
//! with its progress, refusal, Retry and Dismiss beside the composer (the views for those
//! are not in the open widget). The server sends the file message, which then arrives on
//! the socket like any message. The first file loads the extras; if they cannot be loaded
//! the notice banner says so.

use reactive_graph::prelude::*;
use tidings_protocol::ConversationStatus;
use web_sys::File;

use crate::runtime::RuntimeHandle;
use crate::state::ChatState;

/// Hands `file` to the extras, for this visitor and their open conversation (none: the
/// server starts one).
pub fn send_file(state: ChatState, runtime: RuntimeHandle, file: File) {
    let token = runtime.get().and_then(|rt| rt.token());
    let conversation = state.conversation.with_untracked(|c| {
        c.as_ref()
            .filter(|c| c.status != ConversationStatus::Ended)
            .map(|c| c.id.to_string())
    });
    let args = js_sys::Array::of3(&file.into(), &token.into(), &conversation.into());
    crate::extras::open(state.notice, "upload_file", args);
}

/// Sends a file dropped on the panel.
pub fn on_drop(state: ChatState, runtime: RuntimeHandle, ev: web_sys::DragEvent) {
    if let Some(file) = ev
        .data_transfer()
        .and_then(|d| d.files())
        .and_then(|f| f.get(0))
    {
        ev.prevent_default();
        send_file(state, runtime, file);
    }
}

/// Sends a picture (or any file) pasted into the panel; pasted text stays text.
pub fn on_paste(state: ChatState, runtime: RuntimeHandle, ev: web_sys::ClipboardEvent) {
    if let Some(file) = ev
        .clipboard_data()
        .and_then(|d| d.files())
        .and_then(|f| f.get(0))
    {
        ev.prevent_default();
        send_file(state, runtime, file);
    }
}
