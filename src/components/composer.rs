//! `Composer`: the message box. Enter sends, Shift+Enter breaks the line; the counter
//! appears near the 4,000-character limit and Send is disabled past it. Typing is
//! reported to the agent (debounced in `actions`). The emoji button opens the picker from
//! the extras module (`crate::extras`), which inserts into the box with an `input` event.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

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
    let verdict = Memo::new(move |_| draft.with(|d| check(d)));
    let count = Memo::new(move |_| draft.with(|d| counter(d)));
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
            hidden=move || ended.get()
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
                prop:value=move || draft.get()
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
            <span
                id="tw-counter"
                class="tw-counter"
                class:tw-over=move || verdict.get() == DraftCheck::TooLong
                aria-live="polite"
            >
                {move || {
                    count.get().map(|n| {
                        tf("composer.counter", &[("count", &number(n)), ("max", &number(MAX))])
                    })
                }}
            </span>
            <button
                class="tw-send"
                type="submit"
                data-testid="composer-send"
                aria-label=t("composer.send")
                disabled=move || verdict.get() != DraftCheck::Ok
            >
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path d="M3 20l18-8L3 4v6l12 2-12 2z" fill="currentColor"></path>
                </svg>
            </button>
        </form>
    }
}
