//! What the widget does with each server frame: merge messages into the timeline (by
//! seq and id, never twice), settle the outbox on acks and refusals, follow the
//! conversation's status, receipts, typing and agent availability.

use leptos::prelude::*;
use tidings_client::Timeline;
use tidings_protocol::{ConversationStatus, Message, Role, Sender, ServerFrame};

use crate::host::{self, ToHost};
use crate::runtime::{later, runtime, Runtime, TabNote};
use crate::texts::t;
use tidings_protocol::ClientFrame;
use uuid::Uuid;

/// Handles one frame from the socket.
pub fn handle(rt: &Runtime, frame: ServerFrame) {
    let state = rt.state;
    let current = state
        .conversation
        .with_untracked(|c| c.as_ref().map(|c| c.id));
    match frame {
        ServerFrame::Hello {
            availability,
            visitor_id,
            email,
            ..
        } => {
            state.availability.set(availability);
            state.email.set(email);
            rt.delivery.pump();
            let before = rt.visitor_id.replace(visitor_id);
            if before.is_some() && before != visitor_id {
                // A verified identify joined this browser to the person's visitor: show
                // its latest conversation (perhaps from another device).
                if let Some(token) = rt.token() {
                    leptos::task::spawn_local(async move {
                        if let Some(rt) = crate::runtime::runtime() {
                            rt.load_latest_conversation(&token).await;
                        }
                    });
                }
            }
        }
        ServerFrame::Snapshot { conversation } => rt.adopt(conversation, true),
        ServerFrame::Message { message } => on_message(rt, message),
        ServerFrame::Synced {
            conversation_id,
            last_seq,
        } if current == Some(conversation_id) => {
            // Every message this visitor may read up to `last_seq` is here: seqs the server
            // did not send (hidden from visitors) must hold neither resume nor receipts.
            state.timeline.update(|t| t.set_floor(last_seq));
            let mut synced = rt.synced.borrow_mut();
            if !synced.contains(&conversation_id) {
                synced.push(conversation_id);
            }
            drop(synced);
            acknowledge_delivery(rt, conversation_id);
        }
        ServerFrame::Ack {
            id,
            conversation_id,
            seq,
            created_at,
        } => {
            rt.delivery.acknowledged(id);
            if current.is_none() || current == Some(conversation_id) {
                state
                    .timeline
                    .update(|t| _ = t.acknowledge(id, conversation_id, seq, created_at));
            }
            rt.tell_tabs(&TabNote::OutboxChanged);
            if current.is_none() {
                // The first message started a conversation; learn about it if the
                // snapshot has not told us already.
                leptos::task::spawn_local(async move {
                    let Some(rt) = runtime() else { return };
                    let known = rt.state.conversation.with_untracked(Option::is_some);
                    if let (false, Some(token)) = (known, rt.token()) {
                        if let Ok(c) = crate::api::conversation(&token, conversation_id).await {
                            rt.adopt(c, false);
                        }
                    }
                });
            }
        }
        ServerFrame::Typing {
            conversation_id,
            role: Role::Agent,
            name,
            typing,
            ttl_ms,
        } if current == Some(conversation_id) => {
            let generation = rt.typing_generation.get().wrapping_add(1);
            rt.typing_generation.set(generation);
            if typing {
                state
                    .agent_typing
                    .set(Some(name.unwrap_or_else(|| t("message.support").into())));
                later(ttl_ms.min(60_000) as i32, move || {
                    let Some(rt) = runtime() else { return };
                    if rt.typing_generation.get() == generation {
                        rt.state.agent_typing.set(None);
                    }
                });
            } else {
                state.agent_typing.set(None);
            }
        }
        ServerFrame::Receipt {
            conversation_id,
            role,
            read_seq,
            delivered_seq,
        } => state.conversation.update(|c| {
            let Some(c) = c.as_mut().filter(|c| c.id == conversation_id) else {
                return;
            };
            match role {
                Role::Agent => {
                    c.agent_read_seq = c.agent_read_seq.max(read_seq);
                    c.agent_delivered_seq = c.agent_delivered_seq.max(delivered_seq).max(read_seq);
                }
                Role::Visitor => c.visitor_read_seq = c.visitor_read_seq.max(read_seq),
            }
        }),
        ServerFrame::Conversation { conversation, .. } => {
            let subscribed = current == Some(conversation.id);
            rt.adopt(conversation, subscribed);
        }
        ServerFrame::Availability { status } => state.availability.set(status),
        ServerFrame::Error {
            code,
            message,
            id: Some(id),
            ..
        } => {
            // A passing refusal (rate limit) leaves the message pending; it is resent.
            let lasting = rt.delivery.refused(id, code, message.clone());
            if lasting.is_some() {
                state.timeline.update(|t| t.refuse(id, code, message));
                rt.tell_tabs(&TabNote::OutboxChanged);
            }
        }
        _ => {}
    }
}

fn on_message(rt: &Runtime, message: Message) {
    let state = rt.state;
    let conversation_id = message.conversation_id;
    let current = state
        .conversation
        .with_untracked(|c| c.as_ref().map(|c| c.id));
    if current != Some(conversation_id) {
        return;
    }
    let sender = message.sender;
    let (body, author, created_at) = (
        message.body.clone(),
        message.author_name.clone(),
        message.created_at,
    );
    let fresh = state
        .timeline
        .try_update(|t| t.insert(message))
        .unwrap_or(false);
    if !fresh {
        return;
    }
    if sender != Sender::Visitor {
        // Someone from support wrote: the conversation is being handled, even if its
        // `conversation` frame has not arrived yet.
        state.conversation.update(|c| {
            if let Some(c) = c
                .as_mut()
                .filter(|c| c.status == ConversationStatus::Waiting)
            {
                c.status = ConversationStatus::Active;
            }
        });
    }
    if sender == Sender::Agent {
        state.agent_typing.set(None);
        let live = rt.synced.borrow().contains(&conversation_id);
        if live {
            if crate::sound::chime() {
                state.sounds.update(|n| *n += 1);
            }
            announce(rt, body, author, created_at);
            acknowledge_delivery(rt, conversation_id);
        }
    }
}

/// Sends the seq up to which the visitor's client holds every message (drives the
/// console's ticks). Never past a gap: a message missing below it would show delivered.
fn acknowledge_delivery(rt: &Runtime, conversation_id: Uuid) {
    let last = rt.state.timeline.with_untracked(Timeline::resume_seq);
    if last > rt.delivered_sent.get()
        && rt.socket.send(&ClientFrame::Delivered {
            conversation_id,
            seq: last,
        })
    {
        rt.delivered_sent.set(last);
    }
}

/// Posts a live agent message to the host page (`Tidings('on', 'message', …)`).
fn announce(rt: &Runtime, body: String, author: Option<String>, created_at: i64) {
    let origin = rt.state.config.with_value(|c| c.host_origin.clone());
    host::post(
        origin.as_deref(),
        &ToHost::Message {
            body,
            author,
            created_at,
        },
    );
}
