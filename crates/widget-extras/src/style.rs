//! The extras' stylesheet, added to the page the first time the module mounts a screen (the
//! widget's own stylesheet carries only what the first open needs).

use std::cell::Cell;

const CSS: &str = include_str!("../style/extras.css");

thread_local! {
    static INJECTED: Cell<bool> = const { Cell::new(false) };
}

/// Adds the `<style>` element once (the chat page's policy allows inline styles).
pub fn inject() {
    if INJECTED.replace(true) {
        return;
    }
    let document = leptos::prelude::document();
    if let (Ok(style), Some(head)) = (document.create_element("style"), document.head()) {
        style.set_text_content(Some(CSS));
        let _ = head.append_child(&style);
    }
}
