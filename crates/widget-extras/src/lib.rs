//! The widget's extras: screens a visitor may never see, in a second wasm module that the
//! widget loads only when one of them is needed (docs/ARCHITECTURE.md, "Two wasm modules").
//! The widget calls the functions exported here; the two modules talk through DOM elements,
//! DOM events and JavaScript callbacks, never through shared Rust state.
//!
//! Plain logic ([`emoji_search`], [`emoji_list`], [`texts`]) compiles and is tested
//! everywhere; the views only on wasm32.

pub mod emoji_list;
pub mod emoji_search;
pub mod texts;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod emoji_picker;
#[cfg(target_arch = "wasm32")]
mod offline_email;
#[cfg(target_arch = "wasm32")]
mod style;
#[cfg(target_arch = "wasm32")]
mod transcript;

/// A site owner's setting the loader forwarded in the chat page's URL (`data-offline-email`
/// arrives as `offlineEmail`): the extras read their own, so the widget need not carry them.
#[cfg(target_arch = "wasm32")]
fn page_setting(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

#[cfg(target_arch = "wasm32")]
mod exports {
    use wasm_bindgen::prelude::wasm_bindgen;
    use wasm_bindgen::JsCast;

    /// The composer's emoji button (or an element inside it) was pressed: opens the picker
    /// beside it, or closes it when open.
    #[wasm_bindgen]
    pub fn mount_emoji_picker(button: web_sys::Element) {
        if let Some(button) = button
            .closest("button")
            .ok()
            .flatten()
            .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
        {
            crate::emoji_picker::toggle(button);
        }
    }

    /// Nobody is online and the server sends email: the widget's empty `slot` gets the
    /// offline email form, which saves the address for the visitor of `token`.
    #[wasm_bindgen]
    pub fn mount_offline_email(slot: web_sys::HtmlElement, token: Option<String>) {
        if let Some(token) = token {
            crate::offline_email::mount(slot, token);
        }
    }

    /// The chat `conversation` has ended on a server that sends email: the widget's empty
    /// `slot` gets the "email me the transcript" button.
    #[wasm_bindgen]
    pub fn mount_transcript(
        slot: web_sys::HtmlElement,
        token: Option<String>,
        conversation: Option<String>,
    ) {
        if let (Some(token), Some(conversation)) = (token, conversation) {
            crate::transcript::mount(slot, token, conversation);
        }
    }
}
