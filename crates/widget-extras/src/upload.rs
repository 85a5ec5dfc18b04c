//! Sending a file the visitor picked, dropped or pasted in the widget, which hands the `File`
//! over (`upload_file`) and keeps no upload code of its own: one `POST /v1/attachments` with
//! the file as the body, through `XMLHttpRequest` because `fetch` cannot report upload
//! progress. The server stores the file and sends the file message, which then arrives on
//! the widget's socket like any message. While it goes, a progress bar; once refused, why,
//! with Retry (under the same id, so a retry after a lost answer stores nothing twice) and
//! Dismiss. Shown just before the composer, in an element of the extras' own.

use std::cell::RefCell;

use leptos::prelude::*;
use tidings_client::decode::{self, model};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, HtmlElement, ProgressEvent, XmlHttpRequest};

use crate::texts::{t, tf};

/// The upload shown: its file's name, how far it got (0..=100), and once it failed, why.
#[derive(Clone, Debug, PartialEq)]
struct Upload {
    name: String,
    percent: u32,
    error: Option<String>,
}

/// What a retry sends again: the id, the file, and for whom.
#[derive(Clone)]
struct Request {
    id: String,
    file: File,
    token: Option<String>,
    conversation: Option<String>,
}

/// The element the status is shown in, and its view.
struct Placed {
    host: HtmlElement,
    _view: Box<dyn std::any::Any>,
}

thread_local! {
    /// The upload shown, for the page's life (created outside any owner, never disposed).
    static SHOWN: RwSignal<Option<Upload>> = RwSignal::new(None);
    static CURRENT: RefCell<Option<Request>> = const { RefCell::new(None) };
    static PLACED: RefCell<Option<Placed>> = const { RefCell::new(None) };
}

fn shown() -> RwSignal<Option<Upload>> {
    SHOWN.with(|s| *s)
}

/// Starts sending `file` for the visitor of `token`, into `conversation` when one is open
/// (else the server starts one), replacing a failed upload still shown.
pub fn send(file: File, token: Option<String>, conversation: Option<String>) {
    let request = Request {
        id: tidings_client::web::new_id().to_string(),
        file,
        token,
        conversation,
    };
    CURRENT.set(Some(request.clone()));
    place();
    start(request);
}

/// Puts the status element just before the composer (at the panel's end when there is none:
/// a file dropped on an ended chat), unless it is still there.
fn place() {
    let connected = PLACED.with_borrow(|p| p.as_ref().is_some_and(|p| p.host.is_connected()));
    if connected {
        return;
    }
    if let Some(old) = PLACED.take() {
        old.host.remove();
    }
    crate::style::inject();
    let Some(host) = leptos::prelude::document()
        .create_element("div")
        .ok()
        .map(|e| e.unchecked_into::<HtmlElement>())
    else {
        return;
    };
    let placed = match crate::find(".tw-composer") {
        Some(composer) => composer
            .parent_node()
            .and_then(|parent| parent.insert_before(&host, Some(&composer)).ok()),
        None => crate::find(".tw").and_then(|panel| panel.append_child(&host).ok()),
    };
    if placed.is_none() {
        return;
    }
    let view = leptos::mount::mount_to(host.clone(), status);
    PLACED.set(Some(Placed {
        host,
        _view: Box::new(view),
    }));
}

fn retry() {
    if let Some(request) = CURRENT.with_borrow(Clone::clone) {
        start(request);
    }
}

fn dismiss() {
    CURRENT.set(None);
    shown().set(None);
}

fn start(request: Request) {
    let upload = shown();
    let name = request.file.name();
    let fail = move |message: String| {
        upload.update(|u| {
            if let Some(u) = u {
                u.error = Some(message);
            }
        })
    };
    upload.set(Some(Upload {
        name: name.clone(),
        percent: 0,
        error: None,
    }));
    let network = || t("error.network").to_string();
    let Some(token) = request.token else {
        return fail(network());
    };
    let conversation = request
        .conversation
        .map(|c| format!("&conversation_id={c}"))
        .unwrap_or_default();
    let url = format!(
        "/v1/attachments?id={}&name={}{conversation}",
        request.id,
        js_sys::encode_uri_component(&name),
    );
    let Ok(xhr) = XmlHttpRequest::new() else {
        return fail(network());
    };
    let file = request.file;
    let sent = (|| {
        xhr.open("POST", &url)?;
        xhr.set_request_header("authorization", &format!("Bearer {token}"))?;
        let on_progress = Closure::<dyn Fn(ProgressEvent)>::new(move |e: ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                let percent = (e.loaded() / e.total() * 100.0) as u32;
                upload.update(|u| {
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
            match status {
                0 => fail(network()),
                200..=299 => dismiss(),
                _ => fail(
                    decode::body(&text, model::api_error)
                        .map(|e| e.message)
                        .unwrap_or_else(|_| t("error.server").to_string()),
                ),
            }
        });
        xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
        // One upload at a time; its handlers live until the next one replaces them.
        on_end.forget();
        xhr.send_with_opt_blob(Some(&file))
    })();
    if sent.is_err() {
        fail(network());
    }
}

/// The progress bar while the file goes, or why it was refused with Retry and Dismiss.
fn status() -> impl IntoView {
    let upload = shown();
    move || {
        upload.get().map(|u| match u.error {
            None => view! {
                <div class="tw-upload" data-testid="upload-progress" role="progressbar"
                    aria-label=tf("upload.sending", &[("name", &u.name)])
                    aria-valuemin="0" aria-valuemax="100" aria-valuenow=u.percent>
                    <span class="tw-upload-bar" style=format!("width:{}%", u.percent)></span>
                </div>
            }
            .into_any(),
            Some(reason) => view! {
                <p class="tw-failed tw-upload-error" data-testid="upload-error" role="alert">
                    {tf("upload.refused", &[("name", &u.name), ("reason", &reason)])}
                    " "
                    <button type="button" on:click=|_| retry()>{t("upload.retry")}</button>
                    " "
                    <button type="button" on:click=|_| dismiss()>{t("upload.dismiss")}</button>
                </p>
            }
            .into_any(),
        })
    }
}
