//! The panel header: who is helping (agent name and avatar once one joined), whether
//! support is around (SPEC 4.9), the conversation and connection status, the visitor's
//! past conversations (once they have one; shown by the extras module), and Close.

use reactive_graph::effect::Effect;
use reactive_graph::prelude::*;
use tidings_protocol::{ConversationStatus, PresenceStatus};
use web_sys::Element;

use super::avatar::{avatar_style, initial};
use crate::actions::request_close;
use crate::dom::{self, find, on, set_attr, set_text};
use crate::runtime::RuntimeHandle;
use crate::state::ChatState;
use crate::texts::t;

/// The header's static markup: the avatar of the agent helping and the logo (both present,
/// one hidden), the title and status line, the connection's dot, the history and Close
/// buttons (their labels are written from the visitor's catalog).
const MARKUP: &str = concat!(
    r#"<span class="tw-avatar" aria-hidden="true" hidden></span>"#,
    r#"<svg class="tw-logo" viewBox="0 0 24 24" width="26" height="26" aria-hidden="true">"#,
    r#"<path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"></path></svg>"#,
    r#"<div class="tw-titles"><h1 class="tw-title"></h1>"#,
    r#"<p class="tw-subtitle" data-testid="conversation-status"></p></div>"#,
    r#"<span class="tw-conn" data-testid="connection-status" role="status"><span class="tw-sr"></span></span>"#,
    r#"<button class="tw-close tw-history" type="button" hidden>↺</button>"#,
    r#"<button class="tw-close" type="button">×</button>"#,
);

/// Appends the header to `panel`, written by one effect (below) instead of a reactive
/// closure per attribute and text: the wasm holds one function for all of them.
pub fn header(panel: &Element, chat: ChatState, runtime: RuntimeHandle) {
    let header = dom::template("header", "tw-header", MARKUP);
    let _ = panel.append_child(&header);
    let title = chat.config.with_value(|c| c.title.clone());
    let history = find(&header, ".tw-history");
    set_attr(&history, "aria-label", Some(t("header.history")));
    set_attr(&history, "title", Some(t("header.history")));
    on(&history, "click", move |_| {
        crate::extras::show_past(chat, runtime)
    });
    let close = find(&header, ".tw-history + .tw-close");
    set_attr(&close, "aria-label", Some(t("header.close")));
    on(&close, "click", move |_| request_close(chat));
    let avatar = find(&header, ".tw-avatar");
    let logo = find(&header, ".tw-logo");
    let heading = find(&header, ".tw-title");
    let subtitle = find(&header, ".tw-subtitle");
    let conn = find(&header, ".tw-conn");
    let conn_label = find(&header, ".tw-conn .tw-sr");
    heading.set_text_content(Some(&title));
    Effect::new(move |_| {
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
        set_attr(&avatar, "hidden", agent.is_none().then_some(""));
        set_attr(&logo, "hidden", agent.is_some().then_some(""));
        if let Some(name) = &agent {
            set_attr(&avatar, "style", Some(&avatar_style(name)));
            set_text(&avatar, &initial(name));
        }
        set_text(&heading, agent.as_deref().unwrap_or(&title));
        set_attr(&subtitle, "data-state", Some(status.as_str()));
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
        set_attr(&conn, "data-state", Some(connection));
        // The dot beside "We're away" is not green while no agent is online.
        set_attr(
            &conn,
            "data-away",
            (availability != PresenceStatus::Online).then_some(""),
        );
        set_attr(&conn, "title", Some(label));
        set_text(&conn_label, label);
        // Once the visitor has a conversation: their past ones, in the extras module.
        set_attr(&history, "hidden", (!has_conversation).then_some(""));
    });
}
