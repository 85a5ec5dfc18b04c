//! A button for one of the agent's actions on a conversation (Claim, Close), disabled
//! while the request is on its way.

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::conversation_actions::{self, Action};
use crate::state::use_console;

#[component]
pub fn ActionButton(
    id: Uuid,
    action: Action,
    label: String,
    test_id: &'static str,
    class: &'static str,
) -> impl IntoView {
    let state = use_console();
    let busy = RwSignal::new(false);
    let run = move |_| {
        busy.set(true);
        spawn_local(async move {
            conversation_actions::perform(state, id, action).await;
            busy.try_set(false);
        });
    };
    view! {
        <button
            type="button"
            class=class
            data-testid=test_id
            disabled=move || busy.get()
            on:click=run
        >
            {label}
        </button>
    }
}
