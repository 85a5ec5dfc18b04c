//! The conversation's messages in seq order (then the agent's pending ones), with older
//! history on demand and auto-scroll that sticks to the bottom unless scrolled up.

use leptos::html::Div;
use leptos::prelude::*;
use tidings_client::Entry;
use tidings_protocol::Sender;
use uuid::Uuid;

use super::message_item::{MessageItem, MessageRow};
use crate::browser;
use crate::localized::day_label;
use crate::localized::visitor_label;
use crate::logic::age::local_day;
use crate::state::use_console;
use crate::texts::{t, tf};
use crate::threads;

/// How close to the bottom (px) still counts as "at the bottom".
const STICK_DISTANCE: i32 = 80;

/// How long a message opened from search stays highlighted.
const FOCUS_MS: u64 = 2_500;

#[component]
pub fn MessageList(id: Uuid) -> impl IntoView {
    let state = use_console();
    let visitor = Memo::new(move |_| {
        state
            .conversations
            .with(|held| held.get(&id).map(visitor_label))
            .unwrap_or_else(|| t("message_list.visitor"))
    });
    let rows = Memo::new(move |_| {
        let visitor = visitor.get();
        let offset = browser::utc_offset_minutes();
        let today = local_day(browser::now_ms(), offset);
        let mut previous_day = None;
        state.threads.with(|threads| {
            let Some(thread) = threads.get(&id) else {
                return Vec::new();
            };
            thread
                .timeline
                .entries()
                .into_iter()
                .map(|entry| {
                    let (delivered, read) = thread.receipts.peer_of(entry.sender());
                    let author = match entry.sender() {
                        Sender::Visitor => entry
                            .author_name()
                            .map(str::to_string)
                            .unwrap_or_else(|| visitor.clone()),
                        Sender::Agent => entry
                            .author_name()
                            .map_or_else(|| t("message_list.agent"), str::to_string),
                        Sender::Note => tf(
                            "message_list.private_note_by",
                            &[(
                                "name",
                                &entry
                                    .author_name()
                                    .map_or_else(|| t("message_list.agent"), str::to_string),
                            )],
                        ),
                        Sender::System => String::new(),
                    };
                    let refusal = match &entry {
                        Entry::Local(local) => local.refused.as_ref().map(|r| r.reason.clone()),
                        Entry::Confirmed(_) => None,
                    };
                    // A heading above the first message of each day.
                    let day = local_day(entry.created_at(), offset);
                    let heading = (previous_day != Some(day)).then(|| day_label(today, day));
                    previous_day = Some(day);
                    MessageRow {
                        day: heading,
                        id: entry.id(),
                        conversation_id: id,
                        seq: entry.seq(),
                        sender: entry.sender(),
                        author,
                        body: entry.body().to_string(),
                        created_at: entry.created_at(),
                        state: entry.delivery_state(delivered, read),
                        refusal,
                        attachment: match &entry {
                            Entry::Confirmed(message) => message.attachment.clone(),
                            Entry::Local(_) => None,
                        },
                    }
                })
                .collect::<Vec<_>>()
        })
    });
    let has_more = move || {
        state
            .threads
            .with(|t| t.get(&id).is_some_and(|t| t.has_more))
    };
    let loading_older = move || {
        state
            .threads
            .with(|t| t.get(&id).is_some_and(|t| t.loading_older))
    };

    let list = NodeRef::<Div>::new();
    let stick = StoredValue::new(true);
    // Messages arrived while the agent was reading further up: offer a way down.
    let unseen = RwSignal::new(false);
    let to_bottom = move || {
        request_animation_frame(move || {
            if let Some(el) = list.get_untracked() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    };
    let on_scroll = move |_| {
        if let Some(el) = list.get_untracked() {
            let gap = el.scroll_height() - el.scroll_top() - el.client_height();
            stick.set_value(gap < STICK_DISTANCE);
            if gap < STICK_DISTANCE {
                unseen.set(false);
            }
        }
    };
    // Keyed by the newest row, so loading older history above never counts as "new".
    Effect::new(move |previous: Option<Option<Uuid>>| {
        let newest = rows.with(|r| r.last().map(|row| row.id));
        if stick.get_value() {
            to_bottom();
        } else if previous.is_some_and(|p| p != newest) {
            unseen.set(true);
        }
        newest
    });

    // A search result opened here: load older pages until its message is held, then bring
    // it into view and mark it for a moment (`data-search-focus`).
    Effect::new(move |_| {
        let Some(focus) = state.focus.get().filter(|f| f.conversation_id == id) else {
            return;
        };
        let held = rows.with(|r| r.iter().any(|row| row.id == focus.message_id));
        if !held {
            let loaded = state.threads.with(|t| t.get(&id).is_some_and(|t| t.loaded));
            if loaded && has_more() && !loading_older() {
                threads::load_older(state, id);
            } else if loaded && !has_more() && !loading_older() {
                state.focus.set(None);
            }
            return;
        }
        state.focus.set(None);
        stick.set_value(false);
        request_animation_frame(move || {
            let Some(el) = list.get_untracked() else {
                return;
            };
            let selector = format!("[data-testid=message][data-id=\"{}\"]", focus.message_id);
            if let Ok(Some(item)) = el.query_selector(&selector) {
                item.scroll_into_view_with_bool(false);
                let _ = item.set_attribute("data-search-focus", "true");
                set_timeout(
                    move || {
                        let _ = item.remove_attribute("data-search-focus");
                    },
                    std::time::Duration::from_millis(FOCUS_MS),
                );
            }
        });
    });

    view! {
        <div
            class="message-list"
            data-testid="message-list"
            role="log"
            aria-live="polite"
            aria-label=t("message_list.messages")
            node_ref=list
            on:scroll=on_scroll
        >
            <Show when=has_more>
                <div class="older">
                    <button
                        type="button"
                        data-testid="load-older"
                        disabled=loading_older
                        on:click=move |_| threads::load_older(state, id)
                    >
                        {t("message_list.load_older_messages")}
                    </button>
                </div>
            </Show>
            <For each=move || rows.get() key=MessageRow::key let:row>
                <MessageItem row=row />
            </For>
        </div>
        <Show when=move || unseen.get()>
            <button
                type="button"
                class="new-messages"
                data-testid="new-messages"
                on:click=move |_| {
                    unseen.set(false);
                    stick.set_value(true);
                    to_bottom();
                }
            >
                {t("message_list.new_messages")}
            </button>
        </Show>
    }
}
