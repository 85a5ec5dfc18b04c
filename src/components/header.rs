//! The panel header: who is helping (agent name and avatar once one joined), whether
//! support is around (SPEC 4.9), the conversation and connection status, the visitor's
//! past conversations (once they have one; shown by the extras module), and Close.

use leptos::html;
use leptos::prelude::*;
use tidings_protocol::{ConversationStatus, PresenceStatus};
use web_sys::Element;

use super::avatar::{avatar_style, initial};
use crate::actions::request_close;
use crate::runtime::use_runtime;
use crate::state::use_chat;
use crate::texts::t;

/// The part of the header matching `selector`.
fn part(header: &Element, selector: &str) -> Option<Element> {
    header.query_selector(selector).ok().flatten()
}

fn set(element: &Option<Element>, name: &str, value: Option<&str>) {
    if let Some(element) = element {
        let _ = match value {
            Some(value) => element.set_attribute(name, value),
            None => element.remove_attribute(name),
        };
    }
}

/// Writes `text` if it differs (the connection's words are a live region: rewriting the
/// same words could be read out again).
fn set_text(element: &Option<Element>, text: &str) {
    if let Some(element) = element {
        if element.text_content().as_deref() != Some(text) {
            element.set_text_content(Some(text));
        }
    }
}

/// The header's static markup, written by one effect (below) instead of a reactive
/// closure per attribute and text: the wasm holds one function for all of them.
#[component]
pub fn Header() -> impl IntoView {
    let chat = use_chat();
    let runtime = use_runtime();
    let header = NodeRef::<html::Header>::new();
    let title = chat.config.with_value(|c| c.title.clone());
    let heading = title.clone();
    Effect::new(move |_| {
        let Some(header) = header.get() else { return };
        let status = chat.status();
        let agent = chat.conversation.with(|c| {
            c.as_ref()
                .filter(|c| c.status != ConversationStatus::Waiting)
                .and_then(|c| c.assigned_agent.as_ref().map(|a| a.name.clone()))
        });
        let has_conversation = chat.conversation.with(Option::is_some);
        let availability = chat.availability.get();
        let connection = chat.connection.get().as_str();
        // The avatar of the agent helping, else the logo.
        let avatar = part(&header, ".tw-avatar");
        set(&avatar, "hidden", agent.is_none().then_some(""));
        set(
            &part(&header, ".tw-logo"),
            "hidden",
            agent.is_some().then_some(""),
        );
        if let Some(name) = &agent {
            set(&avatar, "style", Some(&avatar_style(name)));
            set_text(&avatar, &initial(name));
        }
        set_text(
            &part(&header, ".tw-title"),
            agent.as_deref().unwrap_or(&title),
        );
        let subtitle = part(&header, ".tw-subtitle");
        set(&subtitle, "data-state", Some(status.as_str()));
        set_text(
            &subtitle,
            match (status, availability) {
                (ConversationStatus::Ended, _) => t("header.ended"),
                (ConversationStatus::Active, _) => t("header.active"),
                (ConversationStatus::Waiting, PresenceStatus::Online) => t("header.around"),
                (ConversationStatus::Waiting, _) => t("header.away"),
            },
        );
        let label = match connection {
            "online" => t("header.connected"),
            "connecting" => t("header.connecting"),
            _ => t("header.offline"),
        };
        let conn = part(&header, ".tw-conn");
        set(&conn, "data-state", Some(connection));
        // The dot beside "We're away" is not green while no agent is online.
        set(
            &conn,
            "data-away",
            (availability != PresenceStatus::Online).then_some(""),
        );
        set(&conn, "title", Some(label));
        set_text(&part(&header, ".tw-conn .tw-sr"), label);
        // Once the visitor has a conversation: their past ones, in the extras module.
        set(
            &part(&header, ".tw-history"),
            "hidden",
            (!has_conversation).then_some(""),
        );
    });
    view! {
        <header class="tw-header" node_ref=header>
            <span class="tw-avatar" aria-hidden="true" hidden></span>
            <svg class="tw-logo" viewBox="0 0 24 24" width="26" height="26" aria-hidden="true">
                <path
                    fill="currentColor"
                    d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"
                ></path>
            </svg>
            <div class="tw-titles">
                <h1 class="tw-title">{heading}</h1>
                <p class="tw-subtitle" data-testid="conversation-status"></p>
            </div>
            <span class="tw-conn" data-testid="connection-status" role="status">
                <span class="tw-sr"></span>
            </span>
            <button class="tw-close tw-history" type="button" aria-label=t("header.history")
                title=t("header.history") on:click=move |_| crate::extras::show_past(chat, runtime)
                hidden>
                "↺"
            </button>
            <button class="tw-close" type="button" aria-label=t("header.close") on:click=move |_| request_close(chat)>
                "×"
            </button>
        </header>
    }
}
