//! Sending a file (picked, dropped or pasted): one `POST /v1/attachments` with the file as
//! the body, through `XMLHttpRequest` because `fetch` cannot report upload progress. The
//! server stores the file and sends the file message, which then arrives on the socket like
//! any message. The id is chosen here and kept for a retry, so a retry after a lost answer
//! stores nothing twice.

use std::cell::RefCell;

use leptos::prelude::*;
use tidings_client::web::new_id;
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, ProgressEvent, XmlHttpRequest};

use crate::api::{self, Failure};
use crate::runtime::runtime;
use crate::state::ChatState;
use tidings_protocol::ConversationStatus;

/// The upload the panel shows: its file's name, how far it got (0..=100), and once it
/// failed, why.
#[derive(Clone, Debug, PartialEq)]
pub struct Upload {
    pub name: String,
    pub percent: u32,
    pub error: Option<String>,
}

thread_local! {
    /// The file of the upload shown, with its id, for Retry.
    static CURRENT: RefCell<Option<(Uuid, File)>> = const { RefCell::new(None) };
}

/// Starts sending `file` (replacing a failed upload still shown).
pub fn send_file(state: ChatState, file: File) {
    let id = new_id();
    CURRENT.with(|c| *c.borrow_mut() = Some((id, file.clone())));
    start(state, id, file);
}

/// Sends the failed upload again, under the same id.
pub fn retry(state: ChatState) {
    if let Some((id, file)) = CURRENT.with(|c| c.borrow().clone()) {
        start(state, id, file);
    }
}

/// Lets a file be dropped on the panel.
pub fn on_dragover(ev: web_sys::DragEvent) {
    ev.prevent_default();
}

/// Sends a file dropped on the panel.
pub fn on_drop(state: ChatState, ev: web_sys::DragEvent) {
    if let Some(file) = ev
        .data_transfer()
        .and_then(|d| d.files())
        .and_then(|f| f.get(0))
    {
        ev.prevent_default();
        send_file(state, file);
    }
}

/// Sends a picture (or any file) pasted into the panel; pasted text stays text.
pub fn on_paste(state: ChatState, ev: web_sys::ClipboardEvent) {
    if let Some(file) = ev
        .clipboard_data()
        .and_then(|d| d.files())
        .and_then(|f| f.get(0))
    {
        ev.prevent_default();
        send_file(state, file);
    }
}

/// Forgets the upload shown.
pub fn dismiss(state: ChatState) {
    CURRENT.with(|c| *c.borrow_mut() = None);
    state.upload.set(None);
}

fn start(state: ChatState, id: Uuid, file: File) {
    let name = file.name();
    let fail = move |message: String| {
        state.upload.update(|u| {
            if let Some(u) = u {
                u.error = Some(message);
            }
        })
    };
    state.upload.set(Some(Upload {
        name: name.clone(),
        percent: 0,
        error: None,
    }));
    let Some(token) = runtime().and_then(|rt| rt.token()) else {
        return fail(Failure::Network.message());
    };
    let conversation = state.conversation.with_untracked(|c| {
        c.as_ref()
            .filter(|c| c.status != ConversationStatus::Ended)
            .map(|c| format!("&conversation_id={}", c.id))
    });
    let url = format!(
        "/v1/attachments?id={id}&name={}{}",
        js_sys::encode_uri_component(&name),
        conversation.unwrap_or_default()
    );
    let Ok(xhr) = XmlHttpRequest::new() else {
        return fail(Failure::Network.message());
    };
    let sent = (|| {
        xhr.open("POST", &url)?;
        xhr.set_request_header("authorization", &format!("Bearer {token}"))?;
        let on_progress = Closure::<dyn Fn(ProgressEvent)>::new(move |e: ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                let percent = (e.loaded() / e.total() * 100.0) as u32;
                state.upload.update(|u| {
                    if let Some(u) = u {
                        u.percent = percent.min(100);
                    }
                });
            }
        });
        xhr.upload()?
            .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        let answered = xhr.clone();
        let on_end = Closure::<dyn Fn()>::new(move || {
            let _keep = &on_progress;
            let status = answered.status().unwrap_or(0);
            let text = answered.response_text().ok().flatten().unwrap_or_default();
            let outcome = match status {
                0 => Err(Failure::Network),
                _ => api::decode((status, text), |_| Some(())),
            };
            match outcome {
                Ok(()) => dismiss(state),
                Err(failure) => fail(failure.message()),
            }
        });
        xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
        // One upload at a time; its handlers live until the next one replaces them.
        on_end.forget();
        xhr.send_with_opt_blob(Some(&file))
    })();
    if sent.is_err() {
        fail(Failure::Network.message());
    }
}
