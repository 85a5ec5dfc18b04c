//! `Composer`: the message box. Enter sends, Shift+Enter breaks the line; the counter
//! appears near the 4,000-character limit and Send is disabled past it. Typing is
//! reported to the agent (debounced in `actions`). The emoji button opens the picker from
//! the extras module (`crate::extras`), which inserts into the box with an `input` event.

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::attach_button::AttachButton;
use crate::actions::{send_message, visitor_typing};
use crate::body::{check, counter, DraftCheck};
use crate::runtime::use_runtime;
use crate::state::use_chat;
use crate::texts::{number, t, tf};
use tidings_protocol::limits::MAX_MESSAGE_CHARS;

/// The limit, as the counter writes it.
const MAX: u32 = MAX_MESSAGE_CHARS as u32;

#[component]
pub fn Composer(
    /// The conversation has ended: the composer is hidden (the rating takes its place).
    ended: Memo<bool>,
) -> impl IntoView {
    let chat = use_chat();
    let runtime = use_runtime();
    let draft = chat.draft;
    // What follows the draft and the conversation's end is written by one effect instead
    // of a reactive closure per attribute: the form's `hidden`, the box's value, the
    // counter and Send's `disabled`.
    let form = NodeRef::<html::Form>::new();
    Effect::new(move |_| {
        let Some(form) = form.get() else { return };
        form.set_hidden(ended.get());
        let part = |selector: &str| form.query_selector(selector).ok().flatten();
        let verdict = draft.with(|d| {
            if let Some(input) =
                part("textarea").and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
            {
                if input.value() != *d {
                    input.set_value(d);
                }
            }
            let text = counter(d).map(|n| {
                tf(
                    "composer.counter",
                    &[("count", &number(n)), ("max", &number(MAX))],
                )
            });
            if let Some(counter) = part(".tw-counter") {
                // A live region: the same words are not written again.
                if counter.text_content() != text {
                    counter.set_text_content(text.as_deref());
                }
            }
            check(d)
        });
        if let Some(counter) = part(".tw-counter") {
            counter.set_class_name(if verdict == DraftCheck::TooLong {
                "tw-counter tw-over"
            } else {
                "tw-counter"
            });
        }
        if let Some(send) = part(".tw-send") {
            let _ = match verdict {
                DraftCheck::Ok => send.remove_attribute("disabled"),
                _ => send.set_attribute("disabled", ""),
            };
        }
    });
    let submit = move || {
        let text = draft.get_untracked();
        if send_message(runtime, &text) {
            draft.set(String::new());
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            submit();
        }
    };
    let on_input = move |ev| {
        let value = event_target_value(&ev);
        visitor_typing(runtime, !value.trim().is_empty());
        draft.set(value);
    };
    view! {
        <form
            class="tw-composer"
            node_ref=form
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <textarea
                class="tw-input"
                data-testid="composer-input"
                rows="1"
                placeholder=t("composer.placeholder")
                aria-label=t("composer.label")
                aria-describedby="tw-counter"
                on:input=on_input
                on:keydown=on_keydown
            ></textarea>
            <button
                class="tw-emoji"
                type="button"
                data-testid="emoji-button"
                aria-label=crate::texts::t("composer.emoji")
                on:click=move |ev| {
                    let button = js_sys::Array::of1(&ev.target().into());
                    crate::extras::open(chat.notice, "mount_emoji_picker", button)
                }
            >
                "🙂"
            </button>
            <AttachButton/>
            <span id="tw-counter" class="tw-counter" aria-live="polite"></span>
            <button
                class="tw-send"
                type="submit"
                data-testid="composer-send"
                aria-label=t("composer.send")
                disabled
            >
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path d="M3 20l18-8L3 4v6l12 2-12 2z" fill="currentColor"></path>
                </svg>
            </button>
        </form>
    }
}
