//! The panel header: who is helping (agent name and avatar once one joined), whether
//! support is around (SPEC 4.9), the conversation and connection status, the visitor's
//! past conversations (once they have one; shown by the extras module), and Close.

use leptos::either::Either;
use leptos::prelude::*;
use tidings_protocol::{ConversationStatus, PresenceStatus};

use super::avatar::Avatar;
use crate::actions::request_close;
use crate::runtime::use_runtime;
use crate::state::use_chat;
use crate::texts::t;

#[component]
pub fn Header() -> impl IntoView {
    let chat = use_chat();
    let runtime = use_runtime();
    let status = Memo::new(move |_| chat.status());
    let agent = Memo::new(move |_| {
        chat.conversation.with(|c| {
            c.as_ref()
                .filter(|c| c.status != ConversationStatus::Waiting)
                .and_then(|c| c.assigned_agent.as_ref().map(|a| a.name.clone()))
        })
    });
    let title = chat.config.with_value(|c| c.title.clone());
    let heading = move || agent.get().unwrap_or_else(|| title.clone());
    let subtitle = move || match (status.get(), chat.availability.get()) {
        (ConversationStatus::Ended, _) => t("header.ended"),
        (ConversationStatus::Active, _) => t("header.active"),
        (ConversationStatus::Waiting, PresenceStatus::Online) => t("header.around"),
        (ConversationStatus::Waiting, _) => t("header.away"),
    };
    let connection = move || chat.connection.get().as_str();
    let connection_label = move || match connection() {
        "online" => t("header.connected"),
        "connecting" => t("header.connecting"),
        _ => t("header.offline"),
    };
    view! {
        <header class="tw-header">
            {move || match agent.get() {
                Some(name) => Either::Left(view! { <Avatar name/> }),
                None => Either::Right(view! {
                    <svg class="tw-logo" viewBox="0 0 24 24" width="26" height="26" aria-hidden="true">
                        <path
                            fill="currentColor"
                            d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"
                        ></path>
                    </svg>
                }),
            }}
            <div class="tw-titles">
                <h1 class="tw-title">{heading}</h1>
                <p
                    class="tw-subtitle"
                    data-testid="conversation-status"
                    data-state=move || status.get().as_str()
                >
                    {subtitle}
                </p>
            </div>
            <span
                class="tw-conn"
                data-testid="connection-status"
                data-state=connection
                // The dot beside "We're away" is not green while no agent is online.
                data-away=move || (chat.availability.get() != PresenceStatus::Online).then_some("")
                role="status"
                title=connection_label
            >
                <span class="tw-sr">{connection_label}</span>
            </span>
            // Once the visitor has a conversation: their past ones, in the extras module.
            <button class="tw-close" type="button" aria-label=t("header.history")
                title=t("header.history") on:click=move |_| crate::extras::show_past(chat, runtime)
                hidden=move || chat.conversation.with(Option::is_none)>
                "↺"
            </button>
            <button class="tw-close" type="button" aria-label=t("header.close") on:click=move |_| request_close(chat)>
                "×"
            </button>
        </header>
    }
}
