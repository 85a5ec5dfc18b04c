//! The conversations under the selected tab, live: waiting ones longest-waiting first, with
//! bulk close and more pages on demand; the other tabs newest activity first.

use leptos::prelude::*;
use uuid::Uuid;

use leptos::task::spawn_local;

use super::bulk_bar::BulkBar;
use super::conversation_item::ConversationItem;
use crate::logic::list::{self, Filter};
use crate::session;
use crate::state::use_console;
use crate::texts::t;

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
        Filter::Waiting => t("conversation_list.nobody_is_waiting_new_chats"),
        Filter::Mine => t("conversation_list.no_open_conversations_are_assigned"),
        Filter::All => t("conversation_list.no_conversations_yet"),
        Filter::Ended => t("conversation_list.no_ended_conversations"),
    };
    let waiting_tab = move || state.filter.get() == Filter::Waiting;
    let loading = RwSignal::new(false);
    let load_more = move |_| {
        loading.set(true);
        spawn_local(async move {
            session::load_more_waiting(state).await;
            loading.try_set(false);
        });
    };
    view! {
        <Show when=waiting_tab>
            <BulkBar shown=ids />
        </Show>
        <ul class="conversation-list" data-testid="conversation-list">
            <For each=move || ids.get() key=|id| *id let:id>
                <ConversationItem id=id />
            </For>
        </ul>
        <Show when=move || waiting_tab() && state.waiting_next.with(Option::is_some)>
            <button
                type="button"
                class="load-more"
                data-testid="waiting-load-more"
                disabled=move || loading.get()
                on:click=load_more
            >
                {t("conversation_list.show_more_waiting_chats")}
            </button>
        </Show>
        <Show when=move || ids.with(Vec::is_empty)>
            <p class="list-empty">{empty_text}</p>
        </Show>
    }
}
