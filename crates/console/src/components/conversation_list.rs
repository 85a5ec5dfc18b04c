//! The conversations under the selected tab, newest activity first, live.

use leptos::prelude::*;
use uuid::Uuid;

use super::conversation_item::ConversationItem;
use crate::logic::list::{self, Filter};
use crate::state::use_console;

#[component]
pub fn ConversationList() -> impl IntoView {
    let state = use_console();
    let ids = Memo::new(move |_| {
        let Some(viewer) = state.viewer() else {
            return Vec::<Uuid>::new();
        };
        let filter = state.filter.get();
        state.conversations.with(|held| {
            list::visible(held.values(), filter, viewer)
                .into_iter()
                .map(|c| c.id)
                .collect()
        })
    });
    let empty_text = move || match state.filter.get() {
        Filter::Waiting => "Nobody is waiting. New chats appear here at once.",
        Filter::Mine => "No open conversations are assigned to you.",
        Filter::All => "No conversations yet.",
        Filter::Ended => "No ended conversations.",
    };
    view! {
        <ul class="conversation-list" data-testid="conversation-list">
            <For each=move || ids.get() key=|id| *id let:id>
                <ConversationItem id=id />
            </For>
        </ul>
        <Show when=move || ids.with(Vec::is_empty)>
            <p class="list-empty">{empty_text}</p>
        </Show>
    }
}
