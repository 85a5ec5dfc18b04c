//! One message: a bubble with its text, time and (for the visitor's own) delivery ticks;
//! agent messages lead with avatar and name; system notices are centred lines. A message
//! the server refused shows why, with Retry and Discard.

use leptos::either::Either;
use leptos::prelude::*;
use tidings_client::{DeliveryState, Entry};
use tidings_protocol::Sender;

use super::attachment_view::AttachmentView;
use super::avatar::Avatar;
use super::message_text::MessageText;
use crate::actions::{discard_message, retry_message};
use crate::runtime::use_runtime;
use crate::state::use_chat;
use crate::texts::{t, tf};
use crate::time::{full_label, time_label};

fn sender_name(sender: Sender) -> &'static str {
    match sender {
        Sender::Visitor => "visitor",
        Sender::Agent => "agent",
        // The decoder refuses a note without the console's `agent-frames`: never here.
        Sender::System | Sender::Note => "system",
    }
}

/// The bubble's classes, written out rather than formatted.
fn sender_class(sender: Sender) -> &'static str {
    match sender {
        Sender::Visitor => "tw-msg tw-visitor",
        Sender::Agent => "tw-msg tw-agent",
        Sender::System | Sender::Note => "tw-msg tw-system",
    }
}

fn ticks(state: DeliveryState) -> (&'static str, &'static str) {
    match state {
        DeliveryState::Pending => ("🕓", t("message.sending")),
        DeliveryState::Sent => ("✓", t("message.sent")),
        DeliveryState::Delivered => ("✓✓", t("message.delivered")),
        DeliveryState::Read => ("✓✓", t("message.read")),
        DeliveryState::Failed => ("!", t("message.not_sent")),
    }
}

#[component]
pub fn MessageBubble(entry: Entry, lead: bool) -> impl IntoView {
    let chat = use_chat();
    let runtime = use_runtime();
    let id = entry.id();
    let sender = entry.sender();
    let body = entry.body().to_owned();
    let seq = entry.seq();
    if sender == Sender::System {
        return Either::Left(view! {
            <div class="tw-system" data-testid="message" data-id=id.to_string()
                data-sender="system" data-state="sent">
                <MessageText body/>
            </div>
        });
    }
    let refusal = match &entry {
        Entry::Local(l) => l.refused.as_ref().map(|r| r.reason.clone()),
        Entry::Confirmed(_) => None,
    };
    let attachment = match &entry {
        Entry::Confirmed(m) => m.attachment.clone(),
        Entry::Local(_) => None,
    };
    let at = entry.created_at();
    let author = match (sender, lead) {
        (Sender::Agent, true) => Some(
            entry
                .author_name()
                .unwrap_or(t("message.support"))
                .to_owned(),
        ),
        _ => None,
    };
    let state = Memo::new(move |_| match sender {
        Sender::Visitor => {
            let (delivered, read) = chat.agent_receipts();
            entry.delivery_state(delivered, read)
        }
        _ if seq.is_some_and(|s| s <= chat.read_seq()) => DeliveryState::Read,
        _ => DeliveryState::Delivered,
    });
    let locale = chat.locale();
    let created = (time_label(at, &locale), full_label(at, &locale));
    Either::Right(view! {
        <div
            class=sender_class(sender)
            class:tw-lead=lead
            data-testid="message"
            data-id=id.to_string()
            data-sender=sender_name(sender)
            data-state=move || state.get().as_str()
        >
            {author.map(|name| view! {
                <div class="tw-author"><Avatar name=name.clone()/><span>{name}</span></div>
            })}
            <div class="tw-bubble">{match attachment {
                Some(attachment) => Either::Left(view! { <AttachmentView attachment/> }),
                None => Either::Right(view! { <MessageText body/> }),
            }}</div>
            <div class="tw-meta">
                <time title=created.1>{created.0}</time>
                {(sender == Sender::Visitor).then(|| view! {
                    <span class="tw-ticks" class:tw-read=move || state.get() == DeliveryState::Read
                        aria-label=move || ticks(state.get()).1>
                        {move || ticks(state.get()).0}
                    </span>
                })}
            </div>
            {refusal.map(|reason| view! {
                <p class="tw-failed" role="alert">
                    {tf("message.refused", &[("reason", &reason)])} " "
                    <button type="button" on:click=move |_| retry_message(runtime, id)>{t("message.retry")}</button>
                    <button type="button" on:click=move |_| discard_message(runtime, id)>{t("message.discard")}</button>
                </p>
            })}
        </div>
    })
}
