//! `ExtrasSlot`: an empty element that one screen of the extras module (`crate::extras`)
//! fills: the module is loaded when the slot first appears, and its `export` is called with
//! the element, the visitor's token and the conversation's id (the extras make their own
//! requests; the two modules share no memory).

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::state::use_chat;

#[component]
pub fn ExtrasSlot(export: &'static str) -> impl IntoView {
    let chat = use_chat();
    let slot = NodeRef::<leptos::html::Div>::new();
    slot.on_load(move |el| {
        let token = crate::runtime::runtime().and_then(|rt| rt.token());
        let conversation = chat
            .conversation
            .with_untracked(|c| c.as_ref().map(|c| c.id.to_string()));
        let args = js_sys::Array::of3(&el, &JsValue::from(token), &JsValue::from(conversation));
        crate::extras::open(chat.notice, export, args);
    });
    view! { <div node_ref=slot></div> }
}
