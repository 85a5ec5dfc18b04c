//! Starts the widget: settings from the iframe URL, the visitor's language (`texts`),
//! the state context, the runtime, and the `ChatWidget` mounted on the page.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::chat_widget::ChatWidget;
use crate::config::Config;
use crate::state::ChatState;
use crate::texts::{self, t};
use tidings_client::i18n::right_to_left;

/// Chooses the language, then mounts the app on `<body>`.
pub fn start() {
    let config = Config::from_location();
    // The texts are loaded before anything is shown: the panel never flashes English.
    wasm_bindgen_futures::spawn_local(async move {
        let language = texts::load(&config.locale).await;
        mount(config, language);
    });
}

/// Sets the document's language and direction (Arabic lays the panel out right to left),
/// then mounts the app.
fn mount(mut config: Config, language: &str) {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(root) = &root {
        root.set_lang(language);
        root.set_dir(if right_to_left(language) {
            "rtl"
        } else {
            "ltr"
        });
    }
    if config.refused_parent {
        // No token read, no socket, no message to the framing page.
        leptos::mount::mount_to_body(|| {
            view! {
                <p class="tw-refused" data-testid="chat-refused">{t("app.refused")}</p>
            }
        });
        return;
    }
    if config.title.is_empty() {
        config.title = t("app.title").into();
    }
    if config.greeting.is_empty() {
        config.greeting = t("app.greeting").into();
    }
    // Standalone (under `trunk serve`, or opened directly) the panel is always open.
    let standalone = config.host_origin.is_none();
    if let (Some(color), Some(root)) = (config.color.clone(), &root) {
        let _ = root.style().set_property("--tw-accent", &color);
    }
    leptos::mount::mount_to_body(move || {
        let state = ChatState::new(config, standalone);
        provide_context(state);
        let runtime = crate::runtime::RuntimeHandle::default();
        provide_context(runtime);
        crate::startup::begin(state, runtime);
        view! { <ChatWidget/> }
    });
}
