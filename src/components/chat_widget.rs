//! The panel: header, banners, messages, typing, then the composer while the conversation
//! is open or the ended conversation's section (its rating prompt) once it has ended, with
//! its "start a new conversation" button (the stars, feedback and thanks are the extras
//! module's, placed there by `crate::extras::follow_screens`: a visitor sees them at most
//! once per conversation and never at first open). Esc closes it; a file dropped or pasted
//! on it is sent. The extras module adds its screens beside those, by the classes here
//! (`.tw-composer`, `.tw-rating`, `.tw-body`).

use reactive_graph::effect::Effect;
use reactive_graph::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::actions::{request_close, start_new_conversation};
use crate::dom::{self, on, set_attr};
use crate::runtime::RuntimeHandle;
use crate::state::ChatState;
use crate::texts::t;

/// The ended conversation's section, built once and shown by `hidden` like the composer:
/// switching between them rebuilds neither.
const RATING: &str =
    r#"<button type="button" class="tw-new" data-testid="new-conversation"></button>"#;

/// Builds the panel, wired to `chat` and `runtime`.
pub fn chat_widget(chat: ChatState, runtime: RuntimeHandle) -> HtmlElement {
    crate::extras::follow_screens(chat, runtime);
    let panel = dom::template("div", "tw", "");
    set_attr(&panel, "data-testid", Some("chat-widget"));
    set_attr(&panel, "role", Some("region"));
    set_attr(
        &panel,
        "aria-label",
        Some(&chat.config.with_value(|c| c.title.clone())),
    );
    on(&panel, "keydown", move |ev| {
        if ev.unchecked_ref::<web_sys::KeyboardEvent>().key() == "Escape" {
            request_close(chat);
        }
    });
    on(&panel, "dragover", |ev| ev.prevent_default());
    on(&panel, "drop", move |ev| {
        crate::upload::on_drop(chat, runtime, ev.unchecked_into())
    });
    on(&panel, "paste", move |ev| {
        crate::upload::on_paste(chat, runtime, ev.unchecked_into())
    });
    super::header::header(&panel, chat, runtime);
    super::connection_banner::connection_banner(&panel, chat);
    super::message_list::message_list(&panel, chat, runtime);
    super::typing_indicator::typing_indicator(&panel, chat);
    super::composer::composer(&panel, chat, runtime);
    let rating = dom::template("section", "tw-rating", RATING);
    let _ = panel.append_child(&rating);
    let new = dom::find(&rating, "button");
    new.set_text_content(Some(t("rating.new_conversation")));
    on(&new, "click", move |_| start_new_conversation(runtime));
    // One effect for both (each effect is code of its own in the wasm).
    Effect::new({
        let panel = panel.clone();
        move |_| {
            set_attr(&panel, "data-sounds", Some(&chat.sounds.get().to_string()));
            dom::set_hidden(&rating, !chat.ended());
        }
    });
    panel
}
