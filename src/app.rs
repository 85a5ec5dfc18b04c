//! Starts the widget: settings from the iframe URL, the state context, the runtime, and
//! the `ChatWidget` mounted on the page.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::chat_widget::ChatWidget;
use crate::config::Config;
use crate::state::ChatState;

/// Mounts the app on `<body>`.
pub fn start() {
    let config = Config::from_location();
    if config.refused_parent {
        // No token read, no socket, no message to the framing page.
        leptos::mount::mount_to_body(|| {
            view! {
                <p class="tw-refused" data-testid="chat-refused">
                    "This chat can't be shown on this page."
                </p>
            }
        });
        return;
    }
    // Standalone (under `trunk serve`, or opened directly) the panel is always open.
    let standalone = config.host_origin.is_none();
    if let Some(color) = config.color.clone() {
        let root = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(root) = root {
            let _ = root.style().set_property("--tw-accent", &color);
        }
    }
    leptos::mount::mount_to_body(move || {
        let state = ChatState::new(config, standalone);
        provide_context(state);
        crate::startup::begin(state);
        view! { <ChatWidget/> }
    });
}
