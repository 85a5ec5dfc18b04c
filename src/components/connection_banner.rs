//! Banners above the messages: offline (shown exactly while `connection-status` says
//! offline), a quiet line when nothing can be kept on this device (the chat lives as long
//! as the page), and any notice the visitor must see (a message that could not be stored).
//! Each is in the page only while it applies (a `Slot`), not hidden.

use reactive_graph::effect::Effect;
use reactive_graph::prelude::*;
use tidings_client::ConnectionState;
use web_sys::Element;

use crate::dom::{self, set_attr, Slot};
use crate::state::ChatState;
use crate::texts::t;

/// A new `<tag class="…">` with `text` and one attribute (its role, or its test id).
fn banner(tag: &str, class: &str, text: &str, (name, value): (&str, &str)) -> Element {
    let element = dom::text(tag, class, text);
    set_attr(&element, name, Some(value));
    element.into()
}

/// Appends the banners' places to `panel`, kept by one effect (each effect is code of its
/// own in the wasm), which rewrites a banner only when what it says changed.
pub fn connection_banner(panel: &Element, chat: ChatState) {
    let mut offline = Slot::new(panel);
    let mut memory_only = Slot::new(panel);
    let mut notice = Slot::new(panel);
    Effect::new(move |shown: Option<Option<String>>| {
        let now = chat.connection.get() == ConnectionState::Offline;
        if now != offline.is_shown() {
            offline.show(
                now.then(|| banner("div", "tw-banner", t("banner.offline"), ("role", "status"))),
            );
        }
        let now = chat.memory_only.get();
        if now != memory_only.is_shown() {
            memory_only.show(now.then(|| {
                let text = t("banner.memory_only");
                banner("p", "tw-quiet", text, ("data-testid", "storage-notice"))
            }));
        }
        let now = chat.notice.get();
        if shown.as_ref() != Some(&now) {
            notice.show(
                now.as_ref()
                    .map(|text| banner("div", "tw-banner tw-warn", text, ("role", "alert"))),
            );
        }
        now
    });
}
