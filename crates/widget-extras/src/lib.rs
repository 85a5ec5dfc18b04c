//! The widget's extras: screens a visitor may never see, in a second wasm module that the
//! widget loads only when one of them is needed (docs/ARCHITECTURE.md, "Two wasm modules").
//! The widget calls the functions exported here; the two modules talk through DOM elements,
//! DOM events and JavaScript callbacks, never through shared Rust state.
//!
//! Plain logic ([`emoji_search`], [`emoji_list`], [`prechat_rules`], [`catalogs`]) compiles and is
//! tested everywhere; the views only on wasm32. Every text comes from the extras' own message
//! catalogs (`catalogs.rs`, `texts.rs`), and every export awaits the visitor's catalog before
//! it shows anything.

pub mod catalogs;
pub mod emoji_list;
pub mod emoji_search;
pub mod prechat_rules;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod emoji_picker;
#[cfg(target_arch = "wasm32")]
mod offline_email;
#[cfg(target_arch = "wasm32")]
mod past_conversations;
#[cfg(target_arch = "wasm32")]
mod prechat_form;
#[cfg(target_arch = "wasm32")]
mod rating;
#[cfg(target_arch = "wasm32")]
mod screens;
#[cfg(target_arch = "wasm32")]
mod style;
#[cfg(target_arch = "wasm32")]
mod texts;
#[cfg(target_arch = "wasm32")]
mod transcript;
#[cfg(target_arch = "wasm32")]
mod upload;

/// A site owner's setting the loader forwarded in the chat page's URL (`data-offline-email`
/// arrives as `offlineEmail`): the extras read their own, so the widget need not carry them.
#[cfg(target_arch = "wasm32")]
fn page_setting(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// The first element of the widget's DOM that `selector` finds.
#[cfg(target_arch = "wasm32")]
fn find(selector: &str) -> Option<web_sys::Element> {
    leptos::prelude::document()
        .query_selector(selector)
        .ok()
        .flatten()
}

/// Moves keyboard focus to what `selector` finds, once the views have updated (the element
/// may appear, or become visible, in the same turn).
#[cfg(target_arch = "wasm32")]
fn focus(selector: &'static str) {
    leptos::prelude::request_animation_frame(move || {
        if let Some(element) = find(selector)
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = element.focus();
        }
    });
}

#[cfg(target_arch = "wasm32")]
mod exports {
    use wasm_bindgen::prelude::wasm_bindgen;
    use wasm_bindgen::JsCast;

    thread_local! {
        /// How many times the widget has called `show_screens`.
        static SCREENS_CALLS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }

    /// The composer's emoji button (or an element inside it) was pressed: opens the picker
    /// beside it, or closes it when open.
    #[wasm_bindgen]
    pub async fn mount_emoji_picker(button: web_sys::Element) {
        crate::texts::ready().await;
        if let Some(button) = button
            .closest("button")
            .ok()
            .flatten()
            .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
        {
            crate::emoji_picker::toggle(button);
        }
    }

    /// Which screens beside the composer and in the ended chat apply: on a server that sends
    /// email, the offline email form (nobody online, chat not ended) and the transcript
    /// button (chat ended); on a site that asks for it (`data-prechat`), the pre-chat form
    /// (no conversation yet, the page did not name the visitor); the rating prompt once the
    /// chat has ended (`rating`), or its thanks when the conversation is `rated` (its
    /// stars); for the visitor of `token` and their `conversation`. Called by the widget whenever that changes, once one of them
    /// has applied. The first call awaits the visitor's catalog; a call overtaken while it
    /// waited is dropped, the later one saying what applies now.
    #[wasm_bindgen]
    pub async fn show_screens(
        offline_email: bool,
        transcript: bool,
        token: Option<String>,
        conversation: Option<String>,
        prechat: bool,
        rating: bool,
        rated: Option<u8>,
    ) {
        let call = SCREENS_CALLS.get() + 1;
        SCREENS_CALLS.set(call);
        crate::texts::ready().await;
        if SCREENS_CALLS.get() != call {
            return;
        }
        crate::screens::show(
            offline_email,
            transcript,
            token,
            conversation,
            prechat,
            (rating, rated),
        );
    }

    /// The header's history button was pressed: shows the visitor's past conversations in
    /// the panel (again, if shown), with `current` the conversation the widget shows and
    /// `locale` the visitor's, for dates.
    /// The visitor picked, dropped or pasted `file` in the widget: sends it for the visitor
    /// of `token`, into `conversation` when one is open, showing its progress (or why it was
    /// refused, with Retry and Dismiss) just before the composer.
    #[wasm_bindgen]
    pub async fn upload_file(
        file: web_sys::File,
        token: Option<String>,
        conversation: Option<String>,
    ) {
        crate::texts::ready().await;
        crate::upload::send(file, token, conversation);
    }

    #[wasm_bindgen]
    pub async fn show_past(token: String, current: Option<String>, locale: String) {
        crate::texts::ready().await;
        crate::past_conversations::show(token, current, locale);
    }
}
