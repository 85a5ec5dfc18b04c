//! The composer: the message box. Enter sends, Shift+Enter breaks the line; the counter
//! appears near the 4,000-character limit and Send is disabled past it. Typing is
//! reported to the agent (debounced in `actions`). The emoji button opens the picker from
//! the extras module (`crate::extras`), which inserts into the box with an `input` event.

use reactive_graph::effect::Effect;
use reactive_graph::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlTextAreaElement, KeyboardEvent};

use super::attach_button::{self, attach_button};
use crate::actions::{send_message, visitor_typing};
use crate::body::{check, counter, DraftCheck};
use crate::dom::{self, find, on, set_attr};
use crate::runtime::RuntimeHandle;
use crate::state::ChatState;
use crate::texts::{number, t, tf};
use tidings_protocol::limits::MAX_MESSAGE_CHARS;

/// The limit, as the counter writes it.
const MAX: u32 = MAX_MESSAGE_CHARS as u32;

/// The composer's static markup (the attach button's between the emoji and the counter).
const BOX: &str = concat!(
    r#"<textarea class="tw-input" data-testid="composer-input" rows="1" aria-describedby="tw-counter"></textarea>"#,
    r#"<button class="tw-emoji" type="button" data-testid="emoji-button">🙂</button>"#,
);
const SEND: &str = concat!(
    r#"<span id="tw-counter" class="tw-counter" aria-live="polite"></span>"#,
    r#"<button class="tw-send" type="submit" data-testid="composer-send" disabled>"#,
    r#"<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">"#,
    r#"<path d="M3 20l18-8L3 4v6l12 2-12 2z" fill="currentColor"></path></svg></button>"#,
);

/// Appends the composer to `panel`; it is hidden once the conversation has ended (the
/// rating takes its place).
pub fn composer(panel: &Element, chat: ChatState, runtime: RuntimeHandle) {
    let form = dom::template("form", "tw-composer", BOX);
    let _ = form.insert_adjacent_html("beforeend", attach_button::MARKUP);
    let _ = form.insert_adjacent_html("beforeend", SEND);
    let _ = panel.append_child(&form);
    let draft = chat.draft;
    let input: HtmlTextAreaElement = find(&form, "textarea").unchecked_into();
    set_attr(&input, "placeholder", Some(t("composer.placeholder")));
    set_attr(&input, "aria-label", Some(t("composer.label")));
    let emoji = find(&form, ".tw-emoji");
    set_attr(&emoji, "aria-label", Some(t("composer.emoji")));
    let counter_el = find(&form, ".tw-counter");
    let send = find(&form, ".tw-send");
    set_attr(&send, "aria-label", Some(t("composer.send")));
    attach_button(&form, chat, runtime);
    // What follows the draft and the conversation's end is written by one effect instead
    // of a reactive closure per attribute: the form's `hidden`, the box's value, the
    // counter and Send's `disabled`.
    Effect::new({
        let (form, input) = (form.clone(), input.clone());
        move |_| {
            dom::set_hidden(&form, chat.ended());
            let verdict = draft.with(|d| {
                if input.value() != *d {
                    input.set_value(d);
                }
                let text = counter(d).map(|n| {
                    tf(
                        "composer.counter",
                        &[("count", &number(n)), ("max", &number(MAX))],
                    )
                });
                // A live region: the same words are not written again.
                if counter_el.text_content() != text {
                    counter_el.set_text_content(text.as_deref());
                }
                check(d)
            });
            let class = if verdict == DraftCheck::TooLong {
                "tw-counter tw-over"
            } else {
                "tw-counter"
            };
            set_attr(&counter_el, "class", Some(class));
            set_attr(&send, "disabled", (verdict != DraftCheck::Ok).then_some(""));
        }
    });
    let submit = move || {
        let text = draft.get_untracked();
        if send_message(runtime, &text) {
            draft.set(String::new());
        }
    };
    on(&input, "keydown", move |ev| {
        let ev: &KeyboardEvent = ev.unchecked_ref();
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            submit();
        }
    });
    on(&input.clone(), "input", move |_| {
        let value = input.value();
        visitor_typing(runtime, !value.trim().is_empty());
        draft.set(value);
    });
    on(&form, "submit", move |ev| {
        ev.prevent_default();
        submit();
    });
    on(&emoji, "click", move |ev| {
        let button = js_sys::Array::of1(&ev.target().into());
        crate::extras::open(chat.notice, "mount_emoji_picker", button)
    });
}
