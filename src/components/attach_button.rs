//! The paperclip: a button that opens the file picker (a hidden file input), so a visitor
//! can send a file; dropping or pasting one onto the panel is handled in `ChatWidget`.

use leptos::html::Input;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::runtime::use_runtime;
use crate::state::use_chat;
use crate::upload::send_file;

#[component]
pub fn AttachButton() -> impl IntoView {
    let chat = use_chat();
    let runtime = use_runtime();
    let input = NodeRef::<Input>::new();
    let on_change = move |ev: leptos::ev::Event| {
        let Some(target) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = target.files().and_then(|files| files.get(0)) {
            send_file(chat, runtime, file);
        }
        // The same file picked again is a new change.
        target.set_value("");
    };
    view! {
        <input type="file" hidden node_ref=input data-testid="attach-input" on:change=on_change/>
        <button
            class="tw-attach"
            type="button"
            data-testid="attach-button"
            aria-label=crate::texts::t("upload.attach")
            title=crate::texts::t("upload.attach")
            on:click=move |_| {
                if let Some(input) = input.get() {
                    input.click();
                }
            }
        >
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                <path d="M16 6v11a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v11a1 1 0 0 1-2 0V6H9.5v10a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12a5.5 5.5 0 0 0 11 0V6z" fill="currentColor"></path>
            </svg>
        </button>
    }
}
