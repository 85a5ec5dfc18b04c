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
mod screens;
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

    /// Which screens beside the composer and the rating apply, on a server that sends email:
    /// the offline email form (nobody online, chat not ended) and the transcript button
    /// (chat ended), for the visitor of `token` and their `conversation`. Called by the
    /// widget whenever that changes, once one of them has applied.
    #[wasm_bindgen]
    pub fn show_screens(
        offline_email: bool,
        transcript: bool,
        token: Option<String>,
        conversation: Option<String>,
    ) {
        crate::screens::show(offline_email, transcript, token, conversation);
    }
}
