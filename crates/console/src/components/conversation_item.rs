//! One row of the list: visitor, preview, unread count, age; a link to `#/c/<id>`. Under
//! the Waiting tab, a tick box for bulk close.

use leptos::prelude::*;
use uuid::Uuid;

use super::identity_badge::IdentityBadge;
use crate::localized::short_age;
use crate::localized::visitor_label;
use crate::logic::list::Filter;
use crate::logic::route::{href, Route};
use crate::state::use_console;
use crate::texts::t;

#[component]
pub fn ConversationItem(id: Uuid) -> impl IntoView {
    let state = use_console();
    let conversation = Memo::new(move |_| state.conversations.with(|held| held.get(&id).cloned()));
    let field = move |read: fn(&tidings_protocol::Conversation) -> String| {
        move || conversation.with(|c| c.as_ref().map(read).unwrap_or_default())
    };
    let unread = move || conversation.with(|c| c.as_ref().map_or(0, |c| c.unread));
    let age = move || {
        let now = state.now.get();
        conversation.with(|c| {
            c.as_ref()
                .map(|c| short_age(now, c.last_activity_at))
                .unwrap_or_default()
        })
    };
    let selected = move || state.route.get() == Route::Conversation(id);
    let waiting_tab = move || state.filter.get() == Filter::Waiting;
    let ticked = move || state.bulk_selected.with(|picked| picked.contains(&id));
    view! {
        <li class:bulk=waiting_tab>
            <Show when=waiting_tab>
                <input
                    type="checkbox"
                    class="bulk-select"
                    data-testid="bulk-select"
                    data-id=id.to_string()
                    aria-label=t("conversation_item.tick_for_closing")
                    prop:checked=ticked
                    on:change=move |_| {
                        state
                            .bulk_selected
                            .update(|picked| {
                                if !picked.remove(&id) {
                                    picked.insert(id);
                                }
                            })
                    }
                />
            </Show>
            <a
                class="conversation-item"
                data-testid="conversation-item"
                data-id=id.to_string()
                data-status=field(|c| c.status.as_str().to_string())
                data-unread=move || unread().to_string()
                href=href(Route::Conversation(id))
                class:selected=selected
                class:has-unread=move || { unread() > 0 }
                aria-current=move || selected().then_some("page")
            >
                <span class="item-top">
                    <span class="visitor-name">{field(visitor_label)}</span>
                    <IdentityBadge user_id=Signal::derive(move || {
                        conversation.with(|c| c.as_ref().and_then(|c| c.visitor_user_id.clone()))
                    }) />
                    <span class="age">{age}</span>
                </span>
                <span class="item-bottom">
                    <span class="preview">
                        {field(|c| c.last_message_preview.clone().unwrap_or_default())}
                    </span>
                    <Show when=move || { unread() > 0 }>
                        <span class="unread" aria-label="unread messages">{unread}</span>
                    </Show>
                </span>
                <span class="assignee">
                    {field(|c| c.assigned_agent.as_ref().map(|a| a.name.clone()).unwrap_or_default())}
                </span>
            </a>
        </li>
    }
}
