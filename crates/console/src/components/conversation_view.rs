//! The main pane for one conversation: header and actions, messages, typing, composer or
//! the ended panel with the rating, and the visitor's details. Shows nothing of a
//! conversation the agent may not see.

use leptos::prelude::*;
use tidings_protocol::ConversationStatus;
use uuid::Uuid;

use super::composer::Composer;
use super::conversation_header::ConversationHeader;
use super::conversation_rating::ConversationRating;
use super::message_list::MessageList;
use super::typing_indicator::TypingIndicator;
use super::unavailable_notice::UnavailableNotice;
use super::visitor_info::VisitorInfo;
use crate::logic::list;
use crate::state::use_console;
use crate::texts::{t, tf};

/// What the pane can show.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pane {
    Loading,
    Failed(String),
    Hidden,
    Ready,
}

#[component]
pub fn ConversationView(id: Uuid) -> impl IntoView {
    let state = use_console();
    let pane = Memo::new(move |_| {
        let (unavailable, error) = state.threads.with(|threads| {
            threads
                .get(&id)
                .map_or((false, None), |t| (t.unavailable, t.load_error.clone()))
        });
        let visible = state.viewer().is_some_and(|viewer| {
            state
                .conversations
                .with(|held| held.get(&id).is_some_and(|c| list::may_see(c, viewer)))
        });
        let known = state.conversations.with(|held| held.contains_key(&id));
        match (unavailable, error) {
            (true, _) => Pane::Hidden,
            (false, Some(message)) => Pane::Failed(message),
            // Reassigned away while open: a plain agent stops seeing it at once.
            _ if known && !visible => Pane::Hidden,
            _ if known => Pane::Ready,
            _ => Pane::Loading,
        }
    });
    let ended = Memo::new(move |_| {
        state.conversations.with(|held| {
            held.get(&id)
                .is_some_and(|c| c.status == ConversationStatus::Ended)
        })
    });

    move || match pane.get() {
        Pane::Loading => {
            view! { <p class="pane-loading">{t("conversation_view.loading_conversation")}</p> }
                .into_any()
        }
        Pane::Failed(message) => view! {
            <p class="pane-error" role="alert">
                {tf("conversation_view.not_loaded", &[("reason", &message)])}
            </p>
        }
        .into_any(),
        Pane::Hidden => view! { <UnavailableNotice /> }.into_any(),
        Pane::Ready => view! {
            <section class="conversation" data-conversation-id=id.to_string()>
                <ConversationHeader id=id />
                <div class="conversation-body">
                    <div class="thread">
                        <MessageList id=id />
                        <TypingIndicator id=id />
                        <Show
                            when=move || ended.get()
                            fallback=move || view! { <Composer id=id /> }
                        >
                            <div class="ended-panel">
                                <p>{t("conversation_view.this_conversation_has_ended")}</p>
                                <ConversationRating id=id />
                            </div>
                        </Show>
                    </div>
                    <VisitorInfo id=id />
                </div>
            </section>
        }
        .into_any(),
    }
}
