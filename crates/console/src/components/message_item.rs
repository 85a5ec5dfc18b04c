//! One message: author, text (links only for http/https), time, and for the agent's own
//! messages their delivery ticks, or the refusal with retry / discard.

use leptos::prelude::*;
use tidings_client::DeliveryState;
use tidings_protocol::{Millis, Sender};
use uuid::Uuid;

use super::attachment_view::AttachmentView;
use super::message_text::MessageText;
use crate::browser;
use crate::localized::clock_time;
use crate::state::use_console;
use crate::texts::t;
use crate::threads;

/// What one list row shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    /// "Today", "Yesterday", a date: set on the first message of each day.
    pub day: Option<String>,
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub seq: Option<u64>,
    pub sender: Sender,
    pub author: String,
    pub body: String,
    pub created_at: Millis,
    pub state: DeliveryState,
    pub refusal: Option<String>,
    /// The file a file message carries (its body is then the file's name).
    pub attachment: Option<tidings_protocol::Attachment>,
}

impl MessageRow {
    /// Rows re-render when any of this changes (acknowledged, delivered, read, failed).
    pub fn key(&self) -> (Uuid, Option<u64>, DeliveryState, Option<String>) {
        (self.id, self.seq, self.state, self.day.clone())
    }
}

fn sender_name(sender: Sender) -> &'static str {
    match sender {
        Sender::Visitor => "visitor",
        Sender::Agent => "agent",
        Sender::System => "system",
        Sender::Note => "note",
    }
}

fn ticks(state: DeliveryState) -> String {
    match state {
        DeliveryState::Pending => t("message_item.sending"),
        DeliveryState::Sent => "✓".to_owned(),
        DeliveryState::Delivered => "✓✓".to_owned(),
        DeliveryState::Read => t("message_item.read"),
        DeliveryState::Failed => t("message_item.not_sent"),
    }
}

#[component]
pub fn MessageItem(row: MessageRow) -> impl IntoView {
    let state = use_console();
    let (conversation_id, id) = (row.conversation_id, row.id);
    let time = clock_time(row.created_at, browser::utc_offset_minutes());
    let is_system = row.sender == Sender::System;
    let is_agent = row.sender == Sender::Agent;
    let refusal = row.refusal.clone().map(|reason| {
        view! {
            <div class="refusal" role="alert">
                <span>{reason}</span>
                <button
                    type="button"
                    data-testid="message-retry"
                    on:click=move |_| threads::retry_message(state, conversation_id, id)
                >
                    {t("message_item.retry")}
                </button>
                <button
                    type="button"
                    on:click=move |_| threads::discard_message(state, conversation_id, id)
                >
                    {t("message_item.discard")}
                </button>
            </div>
        }
    });
    let heading = row.day.clone().map(|day| {
        view! {
            <div class="day-separator" role="separator">
                {day}
            </div>
        }
    });
    view! {
        {heading}
        <div
            class=format!("message from-{}", sender_name(row.sender))
            data-testid="message"
            data-id=row.id.to_string()
            data-sender=sender_name(row.sender)
            data-state=row.state.as_str()
            data-seq=row.seq.map(|s| s.to_string())
        >
            {(!is_system).then(|| view! { <span class="author">{row.author.clone()}" "</span> })}
            <div class="bubble">
                {match row.attachment.clone() {
                    Some(attachment) => view! { <AttachmentView attachment /> }.into_any(),
                    None => view! { <MessageText text=row.body.clone() /> }.into_any(),
                }}
            </div>
            // The spaces keep the text content readable ("line 3 00:16", not "line 300:16").
            <span class="meta">
                " "
                <time>{time}</time>
                {is_agent
                    .then(|| {
                        view! {
                            <span class="ticks" class:read=row.state == DeliveryState::Read>
                                {ticks(row.state)}
                            </span>
                        }
                    })}
            </span>
            {refusal}
        </div>
    }
}
