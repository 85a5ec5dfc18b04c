//! Starts the widget: settings from the iframe URL, the visitor's language (`texts`),
//! the state, the runtime, and the panel (`components::chat_widget`) put on the page.

use reactive_graph::owner::Owner;
use wasm_bindgen::JsCast;

use crate::components::chat_widget::chat_widget;
use crate::config::Config;
use crate::dom;
use crate::state::ChatState;
use crate::texts::{self, t};
use tidings_client::i18n::right_to_left;

/// Chooses the language, then puts the app in `<body>`.
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
        .map(|e| e.unchecked_into::<web_sys::HtmlElement>());
    if let Some(root) = &root {
        let dir = if right_to_left(language) {
            "rtl"
        } else {
            "ltr"
        };
        dom::set_attr(root, "lang", Some(language));
        dom::set_attr(root, "dir", Some(dir));
    }
    if config.refused_parent {
        // No token read, no socket, no message to the framing page.
        let refused = dom::text("p", "tw-refused", t("app.refused"));
        dom::set_attr(&refused, "data-testid", Some("chat-refused"));
        append_to_body(&refused);
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
    // Leptos's signals and effects stay (the state is signals); its views do not: the
    // panel is built once against the DOM (see `dom`). The effects are driven by
    // wasm-bindgen's futures and live under one owner, kept for the page's lifetime.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    owner.with(move || {
        let state = ChatState::new(config, standalone);
        let runtime = crate::runtime::RuntimeHandle::default();
        crate::startup::begin(state, runtime);
        append_to_body(&chat_widget(state, runtime));
    });
    std::mem::forget(owner);
}

fn append_to_body(element: &web_sys::Element) {
    if let Some(body) = dom::document().body() {
        let _ = body.append_child(element);
    }
}
