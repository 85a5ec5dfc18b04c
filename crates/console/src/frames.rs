//! Applies each server frame to the console state: list updates, messages, acks,
//! receipts, typing, refusals. The ordering and de-duplication itself is the
//! `tidings_client::Timeline`'s.

use leptos::prelude::*;
use tidings_protocol::{
    ClientFrame, Conversation, ConversationEvent, ErrorCode, Role, ServerFrame,
};
use uuid::Uuid;

use crate::browser;
use crate::desktop_notifications;
use crate::localized::visitor_label;
use crate::logic::alerts;
use crate::logic::desktop_alerts;
use crate::logic::list;
use crate::logic::merge::{self, Merge};
use crate::logic::receipts::Receipts;
use crate::realtime;
use crate::state::{ConsoleState, TypingNotice};
use crate::texts::t;
use crate::threads;

pub fn apply(state: ConsoleState, frame: ServerFrame) {
    match frame {
        ServerFrame::Hello { agent, .. } => {
            if let Some(agent) = agent {
                state.agent_changed(agent);
            }
            realtime::send(ClientFrame::WatchQueue);
            let status = state.presence.get_untracked().effective();
            realtime::send(ClientFrame::Presence { status });
            realtime::pump();
            // Receipts owed while offline.
            threads::flush_receipts();
        }
        ServerFrame::Snapshot { conversation } => conversation_changed(state, None, conversation),
        ServerFrame::Message { message } => {
            let id = message.conversation_id;
            let added = state.update_thread(id, |t| t.timeline.insert(message));
            if added == Some(true) {
                threads::report_receipts(state, id);
            }
        }
        ServerFrame::Synced {
            conversation_id, ..
        } => threads::report_receipts(state, conversation_id),
        ServerFrame::Ack {
            id,
            conversation_id,
            seq,
            created_at,
        } => {
            realtime::acknowledged(id);
            state.update_thread(conversation_id, |t| {
                t.timeline.acknowledge(id, conversation_id, seq, created_at)
            });
        }
        ServerFrame::Typing {
            conversation_id,
            role,
            name,
            typing,
            ttl_ms,
        } => typing_changed(state, conversation_id, role, name, typing, ttl_ms),
        ServerFrame::Receipt {
            conversation_id,
            role,
            read_seq,
            delivered_seq,
        } => {
            let seen = match role {
                Role::Visitor => Receipts {
                    visitor_read_seq: read_seq,
                    visitor_delivered_seq: delivered_seq,
                    ..Receipts::default()
                },
                Role::Agent => Receipts {
                    agent_read_seq: read_seq,
                    agent_delivered_seq: delivered_seq,
                    ..Receipts::default()
                },
            };
            state.update_thread(conversation_id, |t| t.receipts.raise(seen));
        }
        ServerFrame::Conversation {
            event,
            conversation,
        } => conversation_changed(state, Some(event), conversation),
        ServerFrame::Queue { conversations } => queue_received(state, conversations),
        ServerFrame::AgentPresence {
            agent_id, status, ..
        } => state.agents.update(|agents| {
            if let Some(agent) = agents.iter_mut().find(|a| a.id == agent_id) {
                agent.status = status;
            }
        }),
        // The whole team with live presence: what every agent picker shows.
        ServerFrame::Agents { agents } => state.agents.set(agents),
        ServerFrame::CannedResponses { responses } => state.canned.set(responses),
        ServerFrame::VisitorPage {
            visitor_id,
            page_url,
            time_zone,
            ..
        } => state.whereabouts.update(|held| {
            held.insert(
                visitor_id,
                crate::state::Whereabouts {
                    page_url,
                    time_zone,
                },
            );
        }),
        ServerFrame::Error {
            code,
            message,
            id,
            conversation_id,
        } => refused(state, code, message, id, conversation_id),
        ServerFrame::Availability { .. } | ServerFrame::Ping { .. } | ServerFrame::Pong { .. } => {}
    }
}

/// What the receipts fields of a conversation say. A `Conversation` carries no visitor
/// delivered seq (only `receipt` frames do), so read stands in for it: whatever the
/// visitor read, they also received.
pub fn receipts_of(conversation: &Conversation) -> Receipts {
    Receipts {
        visitor_read_seq: conversation.visitor_read_seq,
        visitor_delivered_seq: conversation.visitor_read_seq,
        agent_read_seq: conversation.agent_read_seq,
        agent_delivered_seq: conversation.agent_delivered_seq,
    }
}

/// Merges a conversation into the list, chimes for a new waiting chat or a new message in
/// one of the agent's own chats, and tells the visitor the console received it.
pub fn conversation_changed(
    state: ConsoleState,
    event: Option<ConversationEvent>,
    conversation: Conversation,
) {
    let id = conversation.id;
    let before = state
        .conversations
        .with_untracked(|held| held.get(&id).cloned());
    let mut outcome = Merge::Stale;
    state
        .conversations
        .update(|held| outcome = merge::merge(held, conversation.clone()));
    if outcome == Merge::Stale {
        return;
    }
    state.update_thread(id, |t| t.receipts.raise(receipts_of(&conversation)));
    if let Some(viewer) = state.viewer_untracked() {
        let watching = state.open_conversation_untracked() == Some(id) && browser::tab_visible();
        if alerts::deserves_chime(before.as_ref(), &conversation, event, viewer, watching) {
            browser::chime();
        }
        if let Some(desktop) =
            desktop_alerts::desktop_event(before.as_ref(), &conversation, event, viewer)
        {
            desktop_notifications::raise(viewer.agent_id, desktop, &conversation);
        }
        if alerts::handed_over(before.as_ref(), &conversation, event, viewer) {
            let label = visitor_label(&conversation);
            state.handover.set(Some((id, label)));
        }
        if list::may_see(&conversation, viewer) {
            threads::report_delivered(&conversation);
        }
        if list::regained_sight(before.as_ref(), &conversation, viewer) {
            threads::regained_sight(state, id);
        }
    }
}

/// The full list the server sends after `watch_queue` (on every connect).
fn queue_received(state: ConsoleState, conversations: Vec<Conversation>) {
    let open = state.open_conversation_untracked();
    let first_queue = !state.queue_received.get_untracked();
    state.queue_received.set(true);
    let mut new_waiting = false;
    state.conversations.update(|held| {
        new_waiting = merge::replace_with_queue(held, conversations, open, first_queue)
    });
    if new_waiting {
        browser::chime();
    }
    // The queue starts with the first page of the waiting list: pages loaded beyond it
    // before a reconnect were dropped with the rest, so paging starts over.
    crate::session::refresh_list(state, list::Filter::Waiting);
    let (viewer, all) = (
        state.viewer_untracked(),
        state.conversations.get_untracked(),
    );
    if let Some(viewer) = viewer {
        for conversation in all.values().filter(|c| list::may_see(c, viewer)) {
            threads::report_delivered(conversation);
        }
    }
}

fn typing_changed(
    state: ConsoleState,
    id: Uuid,
    role: Role,
    name: Option<String>,
    typing: bool,
    ttl_ms: u64,
) {
    let me = state.agent().map(|a| a.name);
    if role == Role::Agent && name.is_some() && name == me {
        return; // our own typing, echoed from another of our tabs
    }
    let who = match role {
        Role::Visitor => state
            .conversations
            .with_untracked(|held| held.get(&id).map(visitor_label))
            .unwrap_or_else(|| t("frames.the_visitor")),
        Role::Agent => name.unwrap_or_else(|| t("frames.another_agent")),
    };
    let until = browser::now_ms() + ttl_ms as i64;
    state.update_thread(id, |t| {
        t.typing = typing.then(|| TypingNotice {
            label: format!("{who} is typing…"),
            until,
        });
    });
    if typing {
        // The notice lapses by itself unless renewed (SPEC 4.8).
        set_timeout(
            move || {
                state.update_thread(id, |t| {
                    if t.typing
                        .as_ref()
                        .is_some_and(|n| n.until <= browser::now_ms())
                    {
                        t.typing = None;
                    }
                });
            },
            std::time::Duration::from_millis(ttl_ms + 50),
        );
    }
}

fn refused(
    state: ConsoleState,
    code: ErrorCode,
    message: String,
    id: Option<Uuid>,
    conversation_id: Option<Uuid>,
) {
    if let Some(id) = id {
        if let Some(entry) = realtime::refused(id, code, message.clone()) {
            if let Some(conv) = entry.conversation_id.or(conversation_id) {
                state.update_thread(conv, |t| t.timeline.refuse(id, code, message));
            }
        }
        return;
    }
    if code == ErrorCode::RateLimited {
        // Some frame was refused for the rate, and which is not said. Subscribes are sent
        // again by the socket; receipts sent just before go again from here; a lost
        // typing notice is renewed by the next keystroke.
        threads::receipts_rate_limited();
    }
    // Not "unavailable": a refused typing or receipt frame (sent before the subscription
    // was made, say) says nothing about visibility. The HTTP load decides that, and
    // `conversation` frames tell when it changes.
    leptos::logging::warn!("server refused a frame: {code:?}: {message} ({conversation_id:?})");
}
