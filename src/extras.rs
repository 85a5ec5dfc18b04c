//! The hook into the extras module (`crates/widget-extras`): screens a visitor may never see
//! are not in this wasm. The chat page's start script defines `tidingsExtras()`, which
//! imports the extras' JavaScript glue and wasm once (xtask writes their hashed names into
//! it) and resolves to the module; [`open`] calls one of its exported functions.
//! [`follow_screens`] tells the extras which of their screens beside the composer or the
//! rating apply; they place and remove those themselves, so that the widget has no view
//! code for them.
//!
//! Written with the `Reflect` calls the widget already imports, so the hook adds no
//! JavaScript glue of its own.

use reactive_graph::prelude::*;
use reactive_graph::{effect::Effect, signal::RwSignal};
use tidings_protocol::PresenceStatus;
use wasm_bindgen::{JsCast, JsValue};

use crate::runtime::RuntimeHandle;
use crate::state::ChatState;

/// Keeps the extras' `show_screens(offline_email, transcript, token, conversation, prechat,
/// rating, rated)` told: on a server that sends email, the offline email form while nobody
/// is online and the chat has not ended, the transcript button once it has; on a site that
/// asks for it, the pre-chat form while the panel is open and no conversation exists (one
/// started in another tab takes it away); once the chat has ended, the rating prompt, or the
/// thanks for the rating the conversation has (`rated`, its stars). The extras are loaded
/// only when one of them first applies;
/// from then on every change is told, so they can go away. Whether the pre-chat form is
/// answered is the extras' to remember: they place it no more once it is.
pub fn follow_screens(chat: ChatState, runtime: RuntimeHandle) {
    Effect::new(move |told: Option<bool>| {
        let email = chat.email.get();
        let ended = chat.ended();
        let offline = email && !ended && chat.availability.get() != PresenceStatus::Online;
        let prechat =
            chat.prechat.get() && chat.open.get() && chat.conversation.with(Option::is_none);
        let rated = chat
            .conversation
            .with(|c| c.as_ref().and_then(|c| c.rating));
        let tell = offline || ended || prechat || told == Some(true);
        if tell {
            let token = runtime.get().and_then(|rt| rt.token());
            let conversation = chat
                .conversation
                .with_untracked(|c| c.as_ref().map(|c| c.id.to_string()));
            let args = js_sys::Array::of2(&offline.into(), &(email && ended).into());
            args.push(&token.into());
            args.push(&conversation.into());
            args.push(&prechat.into());
            args.push(&ended.into());
            args.push(&rated.into());
            open(chat.notice, "show_screens", args);
        }
        tell
    });
}

/// The header's history button: the extras show the visitor's past conversations in the
/// panel, beside the current one (`show_past(token, current, locale)`).
pub fn show_past(chat: ChatState, runtime: RuntimeHandle) {
    let token = runtime.get().and_then(|rt| rt.token());
    let current = chat
        .conversation
        .with_untracked(|c| c.as_ref().map(|c| c.id.to_string()));
    let args = js_sys::Array::of3(&token.into(), &current.into(), &chat.locale().into());
    open(chat.notice, "show_past", args);
}

/// Loads the extras when needed and calls their `export` with `args`; if they cannot be
/// loaded (offline, or a build without them), `notice` says so and the chat goes on.
pub fn open(notice: RwSignal<Option<String>>, export: &'static str, args: js_sys::Array) {
    any_spawner::Executor::spawn_local(async move {
        if call(export, args).await.is_err() {
            notice.set(Some(crate::texts::t("extras.unavailable").into()));
        }
    });
}

async fn call(export: &str, args: js_sys::Array) -> Result<JsValue, JsValue> {
    let get = |target: &JsValue, key: &str| js_sys::Reflect::get(target, &JsValue::from_str(key));
    let apply = |f: JsValue, args: &js_sys::Array| {
        js_sys::Reflect::apply(
            f.unchecked_ref::<js_sys::Function>(),
            &JsValue::UNDEFINED,
            args,
        )
    };
    let load = get(&crate::dom::global(), "tidingsExtras")?;
    let loading: JsValue = apply(load, &js_sys::Array::new())?;
    let module =
        wasm_bindgen_futures::JsFuture::from(loading.unchecked_into::<js_sys::Promise>()).await?;
    apply(get(&module, export)?, &args)
}
