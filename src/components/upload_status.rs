//! The file being sent: a progress bar while it uploads, or why it was refused with Retry
//! and Dismiss.

use leptos::prelude::*;

use crate::state::use_chat;
use crate::upload::{dismiss, retry};

#[component]
pub fn UploadStatus() -> impl IntoView {
    let chat = use_chat();
    let progress = move || {
        chat.upload.get().filter(|u| u.error.is_none()).map(|u| {
            view! {
                <div class="tw-upload" data-testid="upload-progress" role="progressbar"
                    aria-label=format!("{} {}", crate::texts::t("upload.sending"), u.name)
                    aria-valuemin="0" aria-valuemax="100" aria-valuenow=u.percent>
                    <span class="tw-upload-bar" style=format!("width:{}%", u.percent)></span>
                </div>
            }
        })
    };
    let refusal = move || {
        chat.upload.get().and_then(|u| u.error.map(|reason| (u.name, reason))).map(|(name, reason)| {
            view! {
                <p class="tw-failed tw-upload-error" data-testid="upload-error" role="alert">
                    {format!("{name} — {} {reason} ", crate::texts::t("upload.not_sent"))}
                    <button type="button" on:click=move |_| retry(chat)>{crate::texts::t("upload.retry")}</button>
                    <button type="button" on:click=move |_| dismiss(chat)>{crate::texts::t("upload.dismiss")}</button>
                </p>
            }
        })
    };
    view! { {progress} {refusal} }
}
