//! Opening and closing a conversation in the main pane: the latest history page over
//! HTTP, then the socket subscription from the timeline's resume seq (so replay fills
//! exactly what is missing), older pages on demand, the agent's own messages through the
//! outbox, and read / delivered receipts (coalesced and paced by
//! [`OutgoingReceipts`], never one frame per message).

use std::cell::{Cell, RefCell};
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tidings_client::outbox::EntryState;
use tidings_client::timeline::Refusal;
use tidings_client::LocalMessage;
use tidings_protocol::http::HistoryPage;
use tidings_protocol::limits::{message_chars, MAX_MESSAGE_CHARS};
use tidings_protocol::{ClientFrame, Conversation, ConversationStatus, Sender};
use uuid::Uuid;

use crate::api;
use crate::browser;
use crate::frames::{conversation_changed, receipts_of};
use crate::logic::outgoing_receipts::{Flushed, OutgoingReceipts};
use crate::logic::route::Route;
use crate::realtime;
use crate::state::{ConsoleState, Thread};
use crate::texts::{t, tf};

thread_local! {
    /// Receipts owed to the server, for every conversation in sight (not only open ones).
    static RECEIPTS: RefCell<OutgoingReceipts> = RefCell::new(OutgoingReceipts::new());
    /// A timer will flush `RECEIPTS`; no second one is set meanwhile.
    static FLUSH_SET: Cell<bool> = const { Cell::new(false) };
}

/// Starts showing conversation `id`: loads it unless already held.
pub fn open(state: ConsoleState, id: Uuid) {
    let fresh = state.threads.with_untracked(|t| !t.contains_key(&id));
    if !fresh {
        return;
    }
    state.threads.update(|t| {
        t.insert(id, Thread::default());
    });
    spawn_local(load_latest(state, id));
}

/// Conversation `id` came back into the agent's sight (see `list::regained_sight`). If it
/// is on screen: follow it again from what is held, so the replay brings what was missed;
/// or load it afresh if it had been refused as not visible.
pub fn regained_sight(state: ConsoleState, id: Uuid) {
    let held = state.threads.with_untracked(|threads| {
        threads
            .get(&id)
            .map(|t| (t.loaded, t.unavailable, t.timeline.resume_seq()))
    });
    match held {
        Some((_, true, _)) => {
            state.threads.update(|t| {
                t.remove(&id);
            });
            open(state, id);
        }
        // If the socket is down, it subscribes on connect through resume_points.
        Some((true, false, resume)) => {
            realtime::subscribe(id, resume);
        }
        // Not on screen, or its first load is under way and subscribes when done.
        _ => {}
    }
}

/// Stops showing conversation `id`.
pub fn close(state: ConsoleState, id: Uuid) {
    state.threads.update(|t| {
        t.remove(&id);
    });
    realtime::send(ClientFrame::Unsubscribe {
        conversation_id: id,
    });
}

/// Fetches the conversation and its latest history page; while the server cannot be
/// reached it keeps trying, as long as the conversation stays on screen.
async fn fetch_latest(state: ConsoleState, id: Uuid) -> Option<(Conversation, HistoryPage)> {
    loop {
        let token = state.token()?;
        let result = match api::conversation(&token, id).await {
            Ok(conversation) => api::history(&token, id, None)
                .await
                .map(|page| (conversation, page)),
            Err(failure) => Err(failure),
        };
        match result {
            Ok(loaded) => return Some(loaded),
            Err(failure) if failure.is_transient() => {
                gloo_timers::future::sleep(crate::session::RETRY_AFTER).await;
                if state.threads.with_untracked(|t| !t.contains_key(&id)) {
                    return None;
                }
            }
            Err(failure) => {
                load_failed(state, id, failure);
                return None;
            }
        }
    }
}

async fn load_latest(state: ConsoleState, id: Uuid) {
    let Some((conversation, page)) = fetch_latest(state, id).await else {
        return;
    };
    state.update_thread(id, |t| t.receipts.raise(receipts_of(&conversation)));
    conversation_changed(state, None, conversation);
    let me = state.agent().map(|a| a.name);
    let pending = realtime::outbox_for(id);
    let resume = state.update_thread(id, |t| {
        if page.has_more {
            if let Some(first) = page.messages.first() {
                t.timeline.set_floor(first.seq.saturating_sub(1));
            }
        }
        t.has_more = page.has_more;
        for message in page.messages {
            t.timeline.insert(message);
        }
        // Messages written before a reload and not yet acknowledged.
        for entry in pending {
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
        // If the socket is down, it subscribes on connect through resume_points.
        realtime::subscribe(id, after_seq);
        report_receipts(state, id);
    }
}

fn load_failed(state: ConsoleState, id: Uuid, failure: api::Failure) {
    if failure.is_unauthorized() {
        crate::session::expire(state, &t("session.ended"));
    } else if failure.is_not_visible() {
        state.update_thread(id, |t| t.unavailable = true);
    } else {
        state.update_thread(id, |t| t.load_error = Some(failure.message));
    }
}

/// Loads the page of history just above what is held.
pub fn load_older(state: ConsoleState, id: Uuid) {
    let Some(before) = state
        .update_thread(id, |t| {
            if t.loading_older {
                return None;
            }
            t.loading_older = true;
            t.timeline.first_seq()
        })
        .flatten()
    else {
        return;
    };
    spawn_local(async move {
        let Some(token) = state.token() else { return };
        let result = api::history(&token, id, Some(before)).await;
        state.update_thread(id, |t| {
            t.loading_older = false;
            match result {
                Ok(page) => {
                    t.has_more = page.has_more;
                    for message in page.messages {
                        t.timeline.insert(message);
                    }
                }
                Err(failure) => t.load_error = Some(failure.message),
            }
        });
    });
}

/// Sends the agent's message through the outbox; it shows at once as pending.
pub fn send_message(state: ConsoleState, id: Uuid, body: &str) -> Result<(), String> {
    let body = body.trim().to_string();
    if body.is_empty() {
        return Err(t("composer.write_something_first"));
    }
    if message_chars(&body) > MAX_MESSAGE_CHARS {
        return Err(tf(
            "threads.too_long",
            &[("max", &MAX_MESSAGE_CHARS.to_string())],
        ));
    }
    let message_id = tidings_client::web::new_id();
    realtime::enqueue(message_id, id, body.clone())?;
    let author_name = state.agent().map(|a| a.name);
    state.update_thread(id, |t| {
        t.timeline.add_local(LocalMessage {
            id: message_id,
            sender: Sender::Agent,
            author_name,
            body,
            created_at: browser::now_ms(),
            refused: None,
        })
    });
    Ok(())
}

pub fn retry_message(state: ConsoleState, conversation_id: Uuid, id: Uuid) {
    state.update_thread(conversation_id, |t| t.timeline.retry(id));
    realtime::retry(id);
}

pub fn discard_message(state: ConsoleState, conversation_id: Uuid, id: Uuid) {
    state.update_thread(conversation_id, |t| t.timeline.remove_local(id));
    realtime::discard(id);
}

/// Tells the server what the console has received, and — while the conversation is on
/// screen in a visible tab — what the agent has read.
pub fn report_receipts(state: ConsoleState, id: Uuid) {
    let Some(last) = state.threads.with_untracked(|threads| {
        threads
            .get(&id)
            .filter(|t| t.loaded)
            .map(|t| t.timeline.last_seq())
    }) else {
        return;
    };
    if last == 0 {
        return;
    }
    let viewing = state.route.get_untracked() == Route::Conversation(id) && browser::tab_visible();
    RECEIPTS.with(|r| {
        let mut receipts = r.borrow_mut();
        receipts.delivered(id, last);
        if viewing {
            receipts.read(id, last);
        }
    });
    if viewing {
        // Shown as read at once; the receipt itself goes out with the next flush (or,
        // if the connection drops first, again after `synced` on the next one).
        let raised = state.threads.with_untracked(|threads| {
            threads
                .get(&id)
                .is_some_and(|t| last > t.receipts.agent_read_seq)
        });
        if raised {
            state.update_thread(id, |t| {
                t.receipts.agent_read_seq = t.receipts.agent_read_seq.max(last);
                t.receipts.agent_delivered_seq = t.receipts.agent_delivered_seq.max(last);
            });
        }
        let unread = state
            .conversations
            .with_untracked(|held| held.get(&id).is_some_and(|c| c.unread > 0));
        if unread {
            state.conversations.update(|held| {
                if let Some(c) = held.get_mut(&id) {
                    c.unread = 0;
                }
            });
        }
    }
    flush_receipts();
}

/// Tells the visitor a console has received their latest message, from the list alone.
pub fn report_delivered(conversation: &Conversation) {
    if conversation.status == ConversationStatus::Ended
        || conversation.last_seq <= conversation.agent_delivered_seq
    {
        return;
    }
    RECEIPTS.with(|r| {
        r.borrow_mut()
            .delivered(conversation.id, conversation.last_seq)
    });
    flush_receipts();
}

/// Sends the receipts that are due now, and sets a timer for the rest.
pub fn flush_receipts() {
    let now = browser::now_ms() as f64;
    let (flushed, next) = RECEIPTS.with(|r| {
        let mut receipts = r.borrow_mut();
        let flushed = receipts.flush(now, |receipt| realtime::send(receipt.frame()));
        (flushed, receipts.next_flush_in(now))
    });
    // Offline: the next `hello` flushes.
    if flushed == Flushed::Offline || FLUSH_SET.with(Cell::get) {
        return;
    }
    if let Some(wait) = next {
        FLUSH_SET.with(|f| f.set(true));
        set_timeout(
            || {
                FLUSH_SET.with(|f| f.set(false));
                flush_receipts();
            },
            Duration::from_millis(wait.ceil() as u64),
        );
    }
}

/// The server refused a frame for the rate without saying which: receipts sent just
/// before may have been it, so they go again once the pause is over.
pub fn receipts_rate_limited() {
    let now = browser::now_ms() as f64;
    RECEIPTS.with(|r| r.borrow_mut().rate_limited(now));
    flush_receipts();
}

/// After a lost connection, receipts may have been lost with it: the next connection's
/// queue and `synced` frames report again what the server lacks.
pub fn forget_sent_receipts() {
    RECEIPTS.with(|r| r.borrow_mut().connection_lost());
}
