//! The composer's paperclip (a button opening a hidden file input), what is being sent, and
//! why a file was refused, with Retry.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::attachments::FileSender;
use crate::state::use_console;

#[component]
pub fn AttachControl(sender: FileSender) -> impl IntoView {
    let state = use_console();
    let input = NodeRef::<leptos::html::Input>::new();
    let on_change = move |ev: leptos::ev::Event| {
        let Some(target) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = target.files().and_then(|files| files.get(0)) {
            sender.send(state, file);
        }
        target.set_value("");
    };
    view! {
        <input type="file" hidden node_ref=input data-testid="attach-input" on:change=on_change />
        <button
            type="button"
            class="attach-button"
            data-testid="attach-button"
            aria-label="Attach a file"
            title="Attach a file (or drop one here, or paste a picture)"
            on:click=move |_| {
                if let Some(input) = input.get() {
                    input.click();
                }
            }
        >
            "📎"
        </button>
        {move || {
            sender
                .sending
                .get()
                .map(|name| {
                    view! {
                        <span class="upload-progress" data-testid="upload-progress" role="status">
                            <progress aria-label=format!("Sending {name}")></progress>
                            " " {format!("Sending {name}…")}
                        </span>
                    }
                })
        }}
        {move || {
            sender
                .error
                .get()
                .map(|reason| {
                    view! {
                        <span class="composer-error" data-testid="upload-error" role="alert">
                            {reason} " "
                            <button type="button" on:click=move |_| sender.retry(state)>
                                "Retry"
                            </button>
                            <button type="button" on:click=move |_| sender.dismiss()>
                                "Dismiss"
                            </button>
                        </span>
                    }
                })
        }}
    }
}
