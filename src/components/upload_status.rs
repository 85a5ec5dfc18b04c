//! The file being sent: a progress bar while it uploads, or why it was refused with Retry
//! and Dismiss.

use leptos::prelude::*;

use crate::state::use_chat;
use crate::upload::{dismiss, retry, text};

#[component]
pub fn UploadStatus() -> impl IntoView {
    let chat = use_chat();
    move || {
        chat.upload.get().map(|upload| match upload.error {
            None => view! {
                <div class="tw-upload" data-testid="upload-progress" role="progressbar"
                    aria-label=format!("{} {}", text::UPLOADING, upload.name)
                    aria-valuemin="0" aria-valuemax="100" aria-valuenow=upload.percent>
                    <span class="tw-upload-bar" style=format!("width:{}%", upload.percent)></span>
                </div>
            }
            .into_any(),
            Some(reason) => view! {
                <p class="tw-failed tw-upload-error" data-testid="upload-error" role="alert">
                    {upload.name} " — " {text::NOT_SENT} " " {reason} " "
                    <button type="button" on:click=move |_| retry(chat)>{text::RETRY}</button>
                    <button type="button" on:click=move |_| dismiss(chat)>{text::DISMISS}</button>
                </p>
            }
            .into_any(),
        })
    }
}
