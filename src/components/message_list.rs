//! The message list: the conversation as a `role="log"`, with day separators, sticking to
//! the bottom unless the visitor scrolled up (then the "new messages" pill appears).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use reactive_graph::effect::Effect;
use reactive_graph::prelude::*;
use tidings_protocol::{ConversationStatus, Sender};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlDivElement};

use super::message_rows::{rows, MessageRows, RowAction};
use crate::actions::{discard_message, retry_message};
use crate::dom::{self, find, on, set_attr, Slot};
use crate::runtime::RuntimeHandle;
use crate::state::ChatState;
use crate::texts::t;

/// Distance from the bottom (px) within which the list counts as "at the bottom".
const STICKY_PX: i32 = 48;
/// Distance from the top (px) within which scrolling up reads the older page.
const OLDER_PX: i32 = 120;

/// The list's static markup. The "older messages" button is shown while older pages are
/// not read; the greeting opens the conversation and shows once they are (the stylesheet
/// hides it after a shown button). The "new messages" pill appears when messages arrive
/// while the visitor has scrolled up; clicking it scrolls to the newest. Both are built
/// once and shown by `hidden` (out of the accessibility tree while hidden).
const MARKUP: &str = concat!(
    r#"<div class="tw-scroll"><button class="tw-older" data-testid="load-older" hidden></button>"#,
    r#"<p class="tw-greeting"></p>"#,
    r#"<div class="tw-list" data-testid="message-list" role="log" aria-live="polite"></div></div>"#,
    r#"<button class="tw-pill" type="button" hidden></button>"#,
);

fn scroll_to_bottom(el: &HtmlDivElement) {
    el.set_scroll_top(el.scroll_height());
}

/// Scrolls to the newest message after the DOM update, and once more a moment later:
/// a panel that was just shown may still be getting its final size.
/// The second scroll is skipped if the visitor has scrolled up meanwhile.
fn follow(scroller: &HtmlDivElement, at_bottom: &Rc<Cell<bool>>) {
    let el = scroller.clone();
    dom::next_frame(move || scroll_to_bottom(&el));
    let (el, at_bottom) = (scroller.clone(), at_bottom.clone());
    dom::later(150, move || {
        if at_bottom.get() {
            scroll_to_bottom(&el);
        }
    });
}

/// Appends the list to `panel`.
pub fn message_list(panel: &Element, chat: ChatState, runtime: RuntimeHandle) {
    let body = dom::template("div", "tw-body", MARKUP);
    let _ = panel.append_child(&body);
    let locale = chat.locale();
    let scroller: HtmlDivElement = find(&body, ".tw-scroll").unchecked_into();
    let list = find(&body, ".tw-list");
    let older = find(&body, ".tw-older");
    let pill = find(&body, ".tw-pill");
    older.set_text_content(Some(t("history.older")));
    find(&body, ".tw-greeting")
        .set_text_content(Some(&chat.config.with_value(|c| c.greeting.clone())));
    set_attr(&list, "aria-label", Some(t("list.label")));
    pill.set_text_content(Some(t("list.new_messages")));
    // The waiting hint, in the page only while the conversation waits for an agent, and
    // the "older messages" button's `hidden`: one effect (each is code of its own).
    let mut hint = Slot::new(&scroller);
    Effect::new({
        let older = older.clone();
        move |_| {
            dom::set_hidden(&older, chat.timeline.with(|t| t.older_before().is_none()));
            let waiting = chat.conversation.with(|c| {
                c.as_ref()
                    .is_some_and(|c| c.status == ConversationStatus::Waiting)
            });
            if waiting != hint.is_shown() {
                hint.show(waiting.then(|| dom::text("p", "tw-hint", t("list.waiting")).into()));
            }
        }
    });
    // The rows follow the timeline and the receipts; the list element is written
    // directly (see `message_rows`).
    let shown: Rc<RefCell<MessageRows>> = Rc::default();
    Effect::new({
        let (shown, list) = (shown.clone(), list.clone());
        move |_| {
            let entries = chat.timeline.with(|t| t.entries());
            let receipts = chat.agent_receipts();
            let read = chat.read_seq();
            let rows = rows(entries, &locale);
            shown
                .borrow_mut()
                .update(&list, rows, &locale, receipts, read);
        }
    });
    on(&list, "click", move |ev| {
        let target = ev.target().map(JsCast::unchecked_into::<web_sys::Node>);
        let action = target.and_then(|node| shown.borrow().clicked(&node));
        match action {
            Some(RowAction::Retry(id)) => retry_message(runtime, id),
            Some(RowAction::Discard(id)) => discard_message(runtime, id),
            None => {}
        }
    });

    let at_bottom = Rc::new(Cell::new(true));
    // New rows: follow them if at the bottom (or if the visitor just sent one), else
    // offer the pill. An older page grows the list above the first row instead.
    Effect::new({
        let (scroller, at_bottom, pill) = (scroller.clone(), at_bottom.clone(), pill.clone());
        move |previous: Option<(usize, Option<Uuid>)>| {
            let (count, first, own_last) = chat.timeline.with(|t| {
                let entries = t.entries();
                let own = entries
                    .last()
                    .is_some_and(|e| e.sender() == Sender::Visitor);
                (t.len(), entries.first().map(|e| e.id()), own)
            });
            let grew = previous.is_some_and(|(p, f)| count > p && (f == first || f.is_none()));
            if at_bottom.get() || (grew && own_last) {
                follow(&scroller, &at_bottom);
            } else if grew {
                dom::set_hidden(&pill, false);
            }
            (count, first)
        }
    });
    // While the panel is hidden the list has no layout; show the newest on opening.
    Effect::new({
        let (scroller, at_bottom, pill) = (scroller.clone(), at_bottom.clone(), pill.clone());
        move |_| {
            if chat.open.get() {
                at_bottom.set(true);
                dom::set_hidden(&pill, true);
                follow(&scroller, &at_bottom);
            }
        }
    });
    let read_older = {
        let scroller = scroller.clone();
        move || crate::history::load_older(runtime, scroller.clone())
    };
    on(&older, "click", {
        let read_older = read_older.clone();
        move |_| read_older()
    });
    let last_top = Cell::new(0);
    on(&scroller, "scroll", {
        let (el, pill) = (scroller.clone(), pill.clone());
        move |_| {
            let bottom = el.scroll_height() - el.scroll_top() - el.client_height() < STICKY_PX;
            at_bottom.set(bottom);
            if bottom {
                dom::set_hidden(&pill, true);
            }
            // Only the visitor scrolling up reads older pages, not a layout or a jump
            // that happens to pass the top.
            let top = el.scroll_top();
            if top < OLDER_PX && top < last_top.get() {
                read_older();
            }
            last_top.set(top);
        }
    });
    on(&pill.clone(), "click", move |_| {
        scroll_to_bottom(&scroller);
        dom::set_hidden(&pill, true);
    });
}
