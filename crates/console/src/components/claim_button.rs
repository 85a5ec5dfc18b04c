//! Takes a waiting conversation without replying.

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api;
use crate::frames::conversation_changed;
use crate::state::use_console;

#[component]
pub fn ClaimButton(id: Uuid) -> impl IntoView {
    let state = use_console();
    let busy = RwSignal::new(false);
    let claim = move |_| {
        let Some(token) = state.token() else { return };
        busy.set(true);
        spawn_local(async move {
            match api::claim(&token, id).await {
                Ok(conversation) => conversation_changed(state, None, conversation),
                Err(failure) => state
                    .notice
                    .set(Some(format!("Could not claim: {}", failure.message))),
            }
            busy.try_set(false);
        });
    };
    view! {
        <button
            type="button"
            class="primary"
            data-testid="claim-conversation"
            disabled=move || busy.get()
            on:click=claim
        >
            "Claim"
        </button>
    }
}
