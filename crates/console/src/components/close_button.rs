//! Ends the conversation; the visitor is then asked for a rating.

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api;
use crate::frames::conversation_changed;
use crate::state::use_console;

#[component]
pub fn CloseButton(id: Uuid) -> impl IntoView {
    let state = use_console();
    let busy = RwSignal::new(false);
    let close = move |_| {
        let Some(token) = state.token() else { return };
        busy.set(true);
        spawn_local(async move {
            match api::close(&token, id).await {
                Ok(conversation) => conversation_changed(state, None, conversation),
                Err(failure) => state
                    .notice
                    .set(Some(format!("Could not close: {}", failure.message))),
            }
            busy.try_set(false);
        });
    };
    view! {
        <button
            type="button"
            class="danger"
            data-testid="close-conversation"
            disabled=move || busy.get()
            on:click=close
        >
            "Close"
        </button>
    }
}
