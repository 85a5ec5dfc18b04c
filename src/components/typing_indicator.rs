//! "<agent> is typing…" while the agent types; the runtime clears it when the typing
//! TTL lapses or the agent's message arrives. In the page only while someone types.

use reactive_graph::effect::Effect;
use reactive_graph::prelude::*;
use web_sys::Element;

use crate::dom::{self, set_attr, Slot};
use crate::state::ChatState;
use crate::texts::tf;

const MARKUP: &str = r#"<span class="tw-dots" aria-hidden="true"><i></i><i></i><i></i></span>"#;

/// Appends the indicator's place to `panel`.
pub fn typing_indicator(panel: &Element, chat: ChatState) {
    let mut slot = Slot::new(panel);
    Effect::new(move |shown: Option<Option<String>>| {
        let name = chat.agent_typing.get();
        if shown.as_ref() != Some(&name) {
            slot.show(name.as_ref().map(|name| {
                let typing = dom::template("div", "tw-typing", MARKUP);
                set_attr(&typing, "data-testid", Some("typing-indicator"));
                set_attr(&typing, "aria-live", Some("polite"));
                let _ = typing.append_with_str_1(&tf("typing.agent", &[("name", name)]));
                typing.into()
            }));
        }
        name
    });
}
