//! The console's reducers: each server frame, each loaded page and each thing the agent
//! does to a conversation, applied to the plain [`Model`], returning the [`Effect`]s the
//! browser carries out (frames to send, chimes, loads). No signals and no browser here, so
//! all of it (sync, receipts, typing, alerts) is tested natively.
//!
//! Delivery's own steps (pump on `hello`, settle on `ack` and refusals, disconnect) are
//! `tidings_client::settle`'s, done before a frame reaches [`apply`].

use tidings_client::outbox::{EntryState, OutboxEntry};
use tidings_client::settle::Settled;
use tidings_client::timeline::Refusal;
use tidings_client::LocalMessage;
use tidings_protocol::http::HistoryPage;
use tidings_protocol::{
    ClientFrame, Conversation, ConversationEvent, ConversationStatus, ErrorCode, Role, Sender,
    ServerFrame,
};
use uuid::Uuid;

use crate::logic::alerts;
use crate::logic::desktop_alerts;
use crate::logic::list::{self, Filter};
use crate::logic::merge::{self, Merge};
use crate::logic::model::{Effect, Model, Thread, TypingNotice, Typist, Whereabouts};
use crate::logic::receipts::Receipts;

/// A typing notice is looked at again this long after it should lapse.
const TYPING_GRACE_MS: u64 = 50;

/// What the realtime service settled, applied to the model.
pub fn settled(model: &mut Model, settled: Settled) -> Vec<Effect> {
    match settled {
        Settled::Frame(frame) => apply(model, frame),
        // The outbox and the thread's timeline are settled already.
        Settled::Acknowledged { .. } | Settled::Refused { .. } | Settled::Nothing => Vec::new(),
    }
}

/// Applies one server frame.
pub fn apply(model: &mut Model, frame: ServerFrame) -> Vec<Effect> {
    let mut effects = Vec::new();
    match frame {
        ServerFrame::Hello { agent, .. } => {
            if let Some(agent) = agent {
                effects.push(Effect::AgentChanged(agent));
            }
            effects.push(Effect::Send(ClientFrame::WatchQueue));
            effects.push(Effect::Send(ClientFrame::Presence {
                status: model.presence,
            }));
            // Receipts owed while offline.
            effects.push(Effect::FlushReceipts);
        }
        ServerFrame::Snapshot { conversation } => {
            conversation_changed(model, None, conversation, &mut effects)
        }
        ServerFrame::Message { message } => {
            let id = message.conversation_id;
            let added = model.update_thread(id, |t| t.timeline.insert(message));
            if added == Some(true) {
                report_receipts(model, id, &mut effects);
            }
        }
        ServerFrame::Synced {
            conversation_id, ..
        } => report_receipts(model, conversation_id, &mut effects),
        // Settled by `tidings_client::settle` before it gets here.
        ServerFrame::Ack { .. } => {}
        ServerFrame::Typing {
            conversation_id,
            role,
            name,
            typing,
            ttl_ms,
        } => typing_changed(
            model,
            conversation_id,
            role,
            name,
            typing,
            ttl_ms,
            &mut effects,
        ),
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
            model.update_thread(conversation_id, |t| t.receipts.raise(seen));
        }
        ServerFrame::Conversation {
            event,
            conversation,
        } => conversation_changed(model, Some(event), conversation, &mut effects),
        ServerFrame::Queue { conversations } => queue_received(model, conversations, &mut effects),
        ServerFrame::AgentPresence {
            agent_id, status, ..
        } => {
            if let Some(agent) = model.agents_mut().iter_mut().find(|a| a.id == agent_id) {
                agent.status = status;
            }
        }
        // The whole team with live presence: what every agent picker shows.
        ServerFrame::Agents { agents } => *model.agents_mut() = agents,
        ServerFrame::CannedResponses { responses } => *model.canned_mut() = responses,
        ServerFrame::VisitorPage {
            visitor_id,
            page_url,
            time_zone,
            ..
        } => {
            model.whereabouts_mut().insert(
                visitor_id,
                Whereabouts {
                    page_url,
                    time_zone,
                },
            );
        }
        ServerFrame::Error {
            code,
            message,
            id,
            conversation_id,
        } => {
            // One naming a message is the outbox's (settled before this).
            if id.is_none() {
                if code == ErrorCode::RateLimited {
                    // Some frame was refused for the rate, and which is not said.
                    // Subscribes are sent again by the socket; receipts sent just before
                    // go again from here; a lost typing notice is renewed by the next
                    // keystroke.
                    model.receipts.rate_limited(model.now as f64);
                    effects.push(Effect::FlushReceipts);
                }
                // Not "unavailable": a refused typing or receipt frame (sent before the
                // subscription was made, say) says nothing about visibility. The HTTP
                // load decides that, and `conversation` frames tell when it changes.
                effects.push(Effect::Warn(format!(
                    "server refused a frame: {code:?}: {message} ({conversation_id:?})"
                )));
            }
        }
        ServerFrame::Availability { .. } | ServerFrame::Ping { .. } | ServerFrame::Pong { .. } => {}
    }
    effects
}

/// The connection was lost.
pub fn disconnected(model: &mut Model) {
    // Receipts not acknowledged by a frame may be lost with the connection: the next
    // connection's queue and `synced` frames report again what the server lacks.
    model.receipts.connection_lost();
    for thread in model.threads_mut().values_mut() {
        thread.typing = None;
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
    model: &mut Model,
    event: Option<ConversationEvent>,
    conversation: Conversation,
    effects: &mut Vec<Effect>,
) {
    let id = conversation.id;
    let before = model.conversations().get(&id).cloned();
    if merge::merge(model.conversations_mut(), conversation.clone()) == Merge::Stale {
        return;
    }
    model.update_thread(id, |t| t.receipts.raise(receipts_of(&conversation)));
    let Some(viewer) = model.viewer else { return };
    let watching = model.open_conversation == Some(id) && model.tab_visible;
    if alerts::deserves_chime(before.as_ref(), &conversation, event, viewer, watching) {
        effects.push(Effect::Chime);
    }
    if let Some(desktop) =
        desktop_alerts::desktop_event(before.as_ref(), &conversation, event, viewer)
    {
        effects.push(Effect::Desktop {
            agent_id: viewer.agent_id,
            event: desktop,
            conversation: conversation.clone(),
        });
    }
    if alerts::handed_over(before.as_ref(), &conversation, event, viewer) {
        effects.push(Effect::HandedOver(conversation.clone()));
    }
    if list::may_see(&conversation, viewer) {
        report_delivered(model, &conversation, effects);
    }
    if list::regained_sight(before.as_ref(), &conversation, viewer) {
        regained_sight(model, id, effects);
    }
}

/// Conversations from an HTTP list, merged as if each had come in a frame.
pub fn conversations_loaded(model: &mut Model, conversations: Vec<Conversation>) -> Vec<Effect> {
    let mut effects = Vec::new();
    for conversation in conversations {
        conversation_changed(model, None, conversation, &mut effects);
    }
    effects
}

/// One conversation from HTTP (after a claim, a close, a transfer).
pub fn conversation_loaded(model: &mut Model, conversation: Conversation) -> Vec<Effect> {
    let mut effects = Vec::new();
    conversation_changed(model, None, conversation, &mut effects);
    effects
}

/// The full list the server sends after `watch_queue` (on every connect).
fn queue_received(model: &mut Model, conversations: Vec<Conversation>, effects: &mut Vec<Effect>) {
    let open = model.open_conversation;
    let first_queue = !model.queue_received();
    model.set_queue_received(true);
    let new_waiting =
        merge::replace_with_queue(model.conversations_mut(), conversations, open, first_queue);
    if new_waiting {
        effects.push(Effect::Chime);
    }
    // The queue starts with the first page of the waiting list: pages loaded beyond it
    // before a reconnect were dropped with the rest, so paging starts over.
    effects.push(Effect::RefreshList(Filter::Waiting));
    if let Some(viewer) = model.viewer {
        let seen: Vec<Conversation> = model
            .conversations()
            .values()
            .filter(|c| list::may_see(c, viewer))
            .cloned()
            .collect();
        for conversation in seen {
            report_delivered(model, &conversation, effects);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn typing_changed(
    model: &mut Model,
    id: Uuid,
    role: Role,
    name: Option<String>,
    typing: bool,
    ttl_ms: u64,
    effects: &mut Vec<Effect>,
) {
    if role == Role::Agent && name.is_some() && name == model.my_name {
        return; // our own typing, echoed from another of our tabs
    }
    let who = match role {
        Role::Visitor => Typist::Visitor,
        Role::Agent => name.map_or(Typist::AnotherAgent, Typist::Agent),
    };
    let until = model.now + ttl_ms as i64;
    let held = model.update_thread(id, |t| {
        t.typing = typing.then_some(TypingNotice { who, until });
    });
    if typing && held.is_some() {
        // The notice lapses by itself unless renewed (SPEC 4.8).
        effects.push(Effect::TypingLapse {
            conversation_id: id,
            after_ms: ttl_ms + TYPING_GRACE_MS,
        });
    }
}

/// A typing notice's time may be up: drop it unless it was renewed meanwhile.
pub fn typing_lapsed(model: &mut Model, id: Uuid) -> Vec<Effect> {
    let now = model.now;
    let lapsed = model
        .thread(id)
        .and_then(|t| t.typing.as_ref())
        .is_some_and(|n| n.until <= now);
    if lapsed {
        model.update_thread(id, |t| t.typing = None);
    }
    Vec::new()
}

/// Tells the server what the console has received, and (while the conversation is on
/// screen in a visible tab) what the agent has read.
pub fn report_receipts(model: &mut Model, id: Uuid, effects: &mut Vec<Effect>) {
    let Some(last) = model
        .thread(id)
        .filter(|t| t.loaded)
        .map(|t| t.timeline.last_seq())
    else {
        return;
    };
    if last == 0 {
        return;
    }
    let viewing = model.open_conversation == Some(id) && model.tab_visible;
    model.receipts.delivered(id, last);
    if viewing {
        model.receipts.read(id, last);
        // Shown as read at once; the receipt itself goes out with the next flush (or,
        // if the connection drops first, again after `synced` on the next one).
        if model
            .thread(id)
            .is_some_and(|t| last > t.receipts.agent_read_seq)
        {
            model.update_thread(id, |t| {
                t.receipts.agent_read_seq = t.receipts.agent_read_seq.max(last);
                t.receipts.agent_delivered_seq = t.receipts.agent_delivered_seq.max(last);
            });
        }
        if model.conversations().get(&id).is_some_and(|c| c.unread > 0) {
            if let Some(c) = model.conversations_mut().get_mut(&id) {
                c.unread = 0;
            }
        }
    }
    effects.push(Effect::FlushReceipts);
}

/// The same, as a step of its own (the agent looked at the conversation).
pub fn viewed(model: &mut Model, id: Uuid) -> Vec<Effect> {
    let mut effects = Vec::new();
    report_receipts(model, id, &mut effects);
    effects
}

/// Tells the visitor a console has received their latest message, from the list alone.
fn report_delivered(model: &mut Model, conversation: &Conversation, effects: &mut Vec<Effect>) {
    if conversation.status == ConversationStatus::Ended
        || conversation.last_seq <= conversation.agent_delivered_seq
    {
        return;
    }
    model
        .receipts
        .delivered(conversation.id, conversation.last_seq);
    effects.push(Effect::FlushReceipts);
}

/// Conversation `id` came back into the agent's sight (see `list::regained_sight`). If it
/// is on screen: follow it again from what is held, so the replay brings what was missed;
/// or load it afresh if it had been refused as not visible.
fn regained_sight(model: &mut Model, id: Uuid, effects: &mut Vec<Effect>) {
    let held = model
        .thread(id)
        .map(|t| (t.loaded, t.unavailable, t.timeline.resume_seq()));
    match held {
        Some((_, true, _)) => {
            model.threads_mut().remove(&id);
            effects.extend(open(model, id));
        }
        // If the socket is down, it subscribes on connect through the resume points.
        Some((true, false, resume)) => effects.push(Effect::Subscribe {
            conversation_id: id,
            after_seq: resume,
        }),
        // Not on screen, or its first load is under way and subscribes when done.
        _ => {}
    }
}

/// Starts showing conversation `id`: loads it unless already held.
pub fn open(model: &mut Model, id: Uuid) -> Vec<Effect> {
    if model.thread(id).is_some() {
        return Vec::new();
    }
    model.threads_mut().insert(id, Thread::default());
    vec![Effect::LoadLatest(id)]
}

/// Stops showing conversation `id`.
pub fn close(model: &mut Model, id: Uuid) -> Vec<Effect> {
    model.threads_mut().remove(&id);
    vec![Effect::Send(ClientFrame::Unsubscribe {
        conversation_id: id,
    })]
}

/// The conversation and its latest history page arrived; `pending` is the outbox's
/// unacknowledged messages (also written before a reload). Subscribes from what is held.
pub fn latest_loaded(
    model: &mut Model,
    conversation: Conversation,
    page: HistoryPage,
    pending: Vec<OutboxEntry>,
) -> Vec<Effect> {
    let id = conversation.id;
    let mut effects = Vec::new();
    model.update_thread(id, |t| t.receipts.raise(receipts_of(&conversation)));
    conversation_changed(model, None, conversation, &mut effects);
    let me = model.my_name.clone();
    let resume = model.update_thread(id, |t| {
        if page.has_more {
            if let Some(first) = page.messages.first() {
                t.timeline.set_floor(first.seq.saturating_sub(1));
            }
        }
        t.has_more = page.has_more;
        for message in page.messages {
            t.timeline.insert(message);
        }
        for entry in pending
            .into_iter()
            .filter(|e| e.conversation_id == Some(id))
        {
            t.timeline.add_local(LocalMessage {
                id: entry.id,
                sender: Sender::Agent,
                author_name: me.clone(),
                body: entry.body,
                created_at: entry.created_at,
                refused: match entry.state {
                    EntryState::Pending => None,
                    EntryState::Failed { code, reason } => Some(Refusal { code, reason }),
                },
            });
        }
        t.loaded = true;
        t.timeline.resume_seq()
    });
    if let Some(after_seq) = resume {
        // If the socket is down, it subscribes on connect through the resume points.
        effects.push(Effect::Subscribe {
            conversation_id: id,
            after_seq,
        });
        report_receipts(model, id, &mut effects);
    }
    effects
}

/// Why a conversation could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadFailure {
    /// The session is no longer valid.
    Unauthorized,
    /// It does not exist or is not this agent's to see.
    NotVisible,
    /// Anything else, in a sentence.
    Other(String),
}

/// Loading conversation `id` failed for good.
pub fn load_failed(model: &mut Model, id: Uuid, failure: LoadFailure) -> Vec<Effect> {
    match failure {
        LoadFailure::Unauthorized => return vec![Effect::SessionEnded],
        LoadFailure::NotVisible => model.update_thread(id, |t| t.unavailable = true),
        LoadFailure::Other(message) => model.update_thread(id, |t| t.load_error = Some(message)),
    };
    Vec::new()
}

/// The agent asked for the page of history just above what is held.
pub fn load_older(model: &mut Model, id: Uuid) -> Vec<Effect> {
    let before = model
        .update_thread(id, |t| {
            if t.loading_older {
                return None;
            }
            let first = t.timeline.first_seq()?;
            t.loading_older = true;
            Some(first)
        })
        .flatten();
    before
        .map(|before_seq| Effect::LoadOlder {
            conversation_id: id,
            before_seq,
        })
        .into_iter()
        .collect()
}

/// An older page arrived (or failed, with the reason).
pub fn older_loaded(model: &mut Model, id: Uuid, page: Result<HistoryPage, String>) -> Vec<Effect> {
    model.update_thread(id, |t| {
        t.loading_older = false;
        match page {
            Ok(page) => {
                t.has_more = page.has_more;
                for message in page.messages {
                    t.timeline.insert(message);
                }
            }
            Err(message) => t.load_error = Some(message),
        }
    });
    Vec::new()
}

/// The agent's message, stored in the outbox already: it shows at once as pending.
pub fn message_written(model: &mut Model, id: Uuid, message_id: Uuid, body: String) -> Vec<Effect> {
    let author_name = model.my_name.clone();
    let created_at = model.now;
    model.update_thread(id, |t| {
        t.timeline.add_local(LocalMessage {
            id: message_id,
            sender: Sender::Agent,
            author_name,
            body,
            created_at,
            refused: None,
        })
    });
    Vec::new()
}

/// A failed message goes back in line (the outbox is told by the caller's intent).
pub fn message_retried(model: &mut Model, id: Uuid, message_id: Uuid) -> Vec<Effect> {
    model.update_thread(id, |t| t.timeline.retry(message_id));
    Vec::new()
}

/// A failed message is dropped for good.
pub fn message_discarded(model: &mut Model, id: Uuid, message_id: Uuid) -> Vec<Effect> {
    model.update_thread(id, |t| t.timeline.remove_local(message_id));
    Vec::new()
}

#[cfg(test)]
mod tests;
