//! `MessageList`: the conversation as a `role="log"`, with day separators, sticking to
//! the bottom unless the visitor scrolled up (then the "new messages" pill appears).

use std::cell::RefCell;
use std::rc::Rc;

use leptos::ev::MouseEvent;
use leptos::html::Div;
use leptos::prelude::*;
use tidings_protocol::{ConversationStatus, Sender};
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::message_rows::{rows, MessageRows, RowAction};
use crate::actions::{discard_message, retry_message};
use crate::runtime::use_runtime;
use crate::state::use_chat;
use crate::texts::t;

/// Distance from the bottom (px) within which the list counts as "at the bottom".
const STICKY_PX: i32 = 48;
/// Distance from the top (px) within which scrolling up reads the older page.
const OLDER_PX: i32 = 120;

fn scroll_to_bottom(el: &web_sys::HtmlDivElement) {
    el.set_scroll_top(el.scroll_height());
}

/// Scrolls to the newest message after the DOM update, and once more a moment later:
/// a panel that was just shown may still be getting its final size.
/// The second scroll is skipped if the visitor has scrolled up meanwhile.
fn follow(scroller: NodeRef<Div>, at_bottom: RwSignal<bool>) {
    request_animation_frame(move || {
        if let Some(el) = scroller.get_untracked() {
            scroll_to_bottom(&el);
        }
    });
    crate::runtime::later(150, move || {
        if let (Some(el), true) = (scroller.get_untracked(), at_bottom.get_untracked()) {
            scroll_to_bottom(&el);
        }
    });
}

#[component]
pub fn MessageList() -> impl IntoView {
    let chat = use_chat();
    let runtime = use_runtime();
    let locale = chat.locale();
    let scroller = NodeRef::<Div>::new();
    let at_bottom = RwSignal::new(true);
    let pill = RwSignal::new(false);
    // The rows follow the timeline and the receipts; the list element is written
    // directly (see `message_rows`).
    let list = NodeRef::<Div>::new();
    let shown: Rc<RefCell<MessageRows>> = Rc::default();
    Effect::new({
        let shown = shown.clone();
        move |_| {
            let entries = chat.timeline.with(|t| t.entries());
            let receipts = chat.agent_receipts();
            let read = chat.read_seq();
            if let Some(el) = list.get() {
                let rows = rows(entries, &locale);
                shown
                    .borrow_mut()
                    .update(&el, rows, &locale, receipts, read);
            }
        }
    });
    let on_list_click = move |ev: MouseEvent| {
        let target = ev.target().map(JsCast::unchecked_into::<web_sys::Node>);
        let action = target.and_then(|node| shown.borrow().clicked(&node));
        match action {
            Some(RowAction::Retry(id)) => retry_message(runtime, id),
            Some(RowAction::Discard(id)) => discard_message(runtime, id),
            None => {}
        }
    };

    // New rows: follow them if at the bottom (or if the visitor just sent one), else
    // offer the pill. An older page grows the list above the first row instead.
    Effect::new(move |previous: Option<(usize, Option<Uuid>)>| {
        let (count, first, own_last) = chat.timeline.with(|t| {
            let entries = t.entries();
            let own = entries
                .last()
                .is_some_and(|e| e.sender() == Sender::Visitor);
            (t.len(), entries.first().map(|e| e.id()), own)
        });
        let grew = previous.is_some_and(|(p, f)| count > p && (f == first || f.is_none()));
        if at_bottom.get_untracked() || (grew && own_last) {
            follow(scroller, at_bottom);
        } else if grew {
            pill.set(true);
        }
        (count, first)
    });
    let read_older = move || {
        if let Some(el) = scroller.get_untracked() {
            crate::history::load_older(runtime, el);
        }
    };
    let last_top = StoredValue::new(0);
    // While the panel is hidden the list has no layout; show the newest on opening.
    Effect::new(move |_| {
        if chat.open.get() {
            at_bottom.set(true);
            pill.set(false);
            follow(scroller, at_bottom);
        }
    });
    let on_scroll = move |_| {
        if let Some(el) = scroller.get_untracked() {
            let bottom = el.scroll_height() - el.scroll_top() - el.client_height() < STICKY_PX;
            at_bottom.set(bottom);
            if bottom {
                pill.set(false);
            }
            // Only the visitor scrolling up reads older pages, not a layout or a jump
            // that happens to pass the top.
            let top = el.scroll_top();
            if top < OLDER_PX && top < last_top.get_value() {
                read_older();
            }
            last_top.set_value(top);
        }
    };
    let jump = move |_: MouseEvent| {
        if let Some(el) = scroller.get_untracked() {
            scroll_to_bottom(&el);
        }
        pill.set(false);
    };
    let greeting = chat.config.with_value(|c| c.greeting.clone());
    let waiting = move || {
        chat.conversation.with(|c| {
            c.as_ref()
                .is_some_and(|c| c.status == ConversationStatus::Waiting)
        })
    };
    view! {
        <div class="tw-body">
            <div class="tw-scroll" node_ref=scroller on:scroll=on_scroll>
                // Shown while older pages are not read; the greeting opens the conversation
                // and shows once they are (the stylesheet hides it after a shown button).
                <button
                    class="tw-older"
                    data-testid="load-older"
                    hidden=move || chat.timeline.with(|t| t.older_before().is_none())
                    on:click=move |_| read_older()
                >
                    {crate::texts::t("history.older")}
                </button>
                <p class="tw-greeting">{greeting}</p>
                <div
                    class="tw-list"
                    data-testid="message-list"
                    role="log"
                    aria-live="polite"
                    aria-label=t("list.label")
                    node_ref=list
                    on:click=on_list_click
                ></div>
                {move || waiting().then(|| view! { <p class="tw-hint">{t("list.waiting")}</p> })}
            </div>
            // The "new messages" pill: shown when messages arrive while the visitor has
            // scrolled up; clicking it scrolls to the newest. Built once and shown by
            // `hidden` (out of the accessibility tree while hidden).
            <button class="tw-pill" type="button" hidden=move || !pill.get() on:click=jump>
                {t("list.new_messages")}
            </button>
        </div>
    }
}
