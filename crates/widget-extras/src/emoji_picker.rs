//! The emoji picker: opened and closed by the composer's emoji button, it inserts the chosen
//! emoji at the composer's cursor (replacing a selection) and tells the widget with an
//! `input` event, as typing would. Keyboard first: focus moves into the search field, the
//! arrow keys move in the grid, Enter inserts, Esc closes; closing returns focus to the
//! composer.
//!
//! The picker is mounted once per composer and then shown or hidden, so it keeps its
//! search between uses; a new composer (after a conversation ends and another begins) gets
//! a new one.

use std::cell::RefCell;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlTextAreaElement};

use crate::emoji_list::EMOJI;
use crate::emoji_search::{matching, step};
use crate::texts::{self, t};

/// The open or hidden picker and what it works with.
struct Picker {
    /// The element the picker is mounted in, inside the composer.
    host: HtmlElement,
    /// The composer's emoji button (its `aria-expanded` follows the picker).
    button: HtmlElement,
    textarea: HtmlTextAreaElement,
}

thread_local! {
    static PICKER: RefCell<Option<Picker>> = const { RefCell::new(None) };
}

/// The emoji button was pressed: opens the picker (mounting it the first time), or closes
/// it when it is open.
pub fn toggle(button: HtmlElement) {
    let current = PICKER.with_borrow(|p| {
        p.as_ref()
            .filter(|p| p.host.is_connected() && p.button == button)
            .map(|p| p.host.hidden())
    });
    match current {
        Some(false) => close(),
        Some(true) => open(),
        None => {
            if mount(button).is_some() {
                open();
            }
        }
    }
}

fn mount(button: HtmlElement) -> Option<()> {
    let composer = button.parent_element()?;
    let textarea = composer
        .query_selector("textarea")
        .ok()??
        .dyn_into::<HtmlTextAreaElement>()
        .ok()?;
    crate::style::inject();
    let host = document()
        .create_element("div")
        .ok()?
        .unchecked_into::<HtmlElement>();
    host.set_class_name("tx-emoji");
    host.set_hidden(true);
    let _ = host.set_attribute("data-testid", "emoji-picker");
    let _ = host.set_attribute("role", "dialog");
    let _ = host.set_attribute("aria-label", t("emoji.picker"));
    composer.append_child(&host).ok()?;
    let _ = button.set_attribute("aria-haspopup", "dialog");
    // The picker lives as long as the page; the handle would unmount it when dropped.
    std::mem::forget(leptos::mount::mount_to(host.clone(), picker_view));
    PICKER.with_borrow_mut(|p| {
        *p = Some(Picker {
            host,
            button,
            textarea,
        })
    });
    Some(())
}

fn open() {
    PICKER.with_borrow(|p| {
        if let Some(p) = p {
            p.host.set_hidden(false);
            let _ = p.button.set_attribute("aria-expanded", "true");
            focus_in(&p.host, ".tx-emoji-search");
        }
    });
}

/// Hides the picker and puts the focus back in the composer.
fn close() {
    PICKER.with_borrow(|p| {
        if let Some(p) = p {
            p.host.set_hidden(true);
            let _ = p.button.set_attribute("aria-expanded", "false");
            let _ = p.textarea.focus();
        }
    });
}

/// Inserts `emoji` where the composer's cursor is, replacing its selection, tells the
/// widget (an `input` event, which its composer listens to), and closes the picker with the
/// cursor after the emoji.
fn insert(emoji: &str) {
    PICKER.with_borrow(|p| {
        if let Some(p) = p {
            let t = &p.textarea;
            let end_of_text = t.value().encode_utf16().count() as u32;
            let start = t.selection_start().ok().flatten().unwrap_or(end_of_text);
            let end = t.selection_end().ok().flatten().unwrap_or(start);
            let _ = t.set_range_text_with_start_and_end_and_mode(emoji, start, end, "end");
            let init = web_sys::EventInit::new();
            init.set_bubbles(true);
            if let Ok(event) = web_sys::Event::new_with_event_init_dict("input", &init) {
                let _ = t.dispatch_event(&event);
            }
        }
    });
    close();
}

fn focus_in(root: &Element, selector: &str) {
    if let Some(el) = root
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

fn picker_view() -> impl IntoView {
    let query = RwSignal::new(String::new());
    let shown = Memo::new(move |_| query.with(|q| matching(q)));
    let picker_keydown = |ev: KeyboardEvent| {
        // The widget closes its whole panel on Esc: here Esc only closes the picker.
        if ev.key() == "Escape" {
            ev.stop_propagation();
            ev.prevent_default();
            close();
        }
    };
    let search_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            if let Some(host) = PICKER.with_borrow(|p| p.as_ref().map(|p| p.host.clone())) {
                focus_in(&host, "[data-n=\"0\"]");
            }
        }
        "Enter" => {
            ev.prevent_default();
            if let Some(first) = shown.with_untracked(|s| s.first().copied()) {
                insert(EMOJI[first].0);
            }
        }
        _ => {}
    };
    let grid_keydown = move |ev: KeyboardEvent| {
        let (Some(grid), Some(at)) = (
            ev.current_target()
                .and_then(|t| t.dyn_into::<Element>().ok()),
            ev.target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|t| t.get_attribute("data-n"))
                .and_then(|n| n.parse::<usize>().ok()),
        ) else {
            return;
        };
        let len = shown.with_untracked(Vec::len);
        match step(at, &ev.key(), len, texts::right_to_left()) {
            Some(Some(to)) => {
                ev.prevent_default();
                focus_in(&grid, &format!("[data-n=\"{to}\"]"));
            }
            Some(None) => {
                ev.prevent_default();
                if let Some(picker) = grid.parent_element() {
                    focus_in(&picker, ".tx-emoji-search");
                }
            }
            None => {}
        }
    };
    view! {
        <div on:keydown=picker_keydown class="tx-emoji-body">
            <input
                type="search"
                class="tx-emoji-search"
                data-testid="emoji-search"
                aria-label=t("emoji.search")
                placeholder=t("emoji.search")
                autocomplete="off"
                on:input=move |ev| query.set(event_target_value(&ev))
                on:keydown=search_keydown
            />
            <div
                class="tx-emoji-grid"
                role="group"
                aria-label=t("emoji.list")
                on:keydown=grid_keydown
            >
                {move || {
                    shown
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(n, i)| {
                            let (emoji, name) = EMOJI[i];
                            view! {
                                <button
                                    type="button"
                                    class="tx-emoji-option"
                                    data-testid="emoji-option"
                                    data-n=n
                                    tabindex=if n == 0 { "0" } else { "-1" }
                                    aria-label=name
                                    on:click=move |_| insert(emoji)
                                >
                                    {emoji}
                                </button>
                            }
                        })
                        .collect_view()
                }}
            </div>
            <p class="tx-emoji-none" role="status" hidden=move || shown.with(|s| !s.is_empty())>
                {t("emoji.none")}
            </p>
        </div>
    }
}
