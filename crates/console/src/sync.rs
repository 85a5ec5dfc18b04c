//! Runs the console's reducers (`logic::reduce`) against the state: moves the model's
//! parts out of the signals for one step and back (notifying only what changed), then does
//! the step's effects: frames, receipts, chimes, notifications and the HTTP loads whose
//! answers come back as further steps.
//!
//! It is also the app the realtime service reports to, and what starts and ends it with
//! the session. Every other module calls in here; this module calls none of them.

use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tidings_client::settle::Settled;
use tidings_client::web::realtime::RealtimeApp;
use tidings_client::{ConnectionState, Timeline};
use tidings_protocol::Conversation;
use uuid::Uuid;

use crate::api;
use crate::browser;
use crate::desktop_notifications;
use crate::localized::visitor_label;
use crate::logic::list::Filter;
use crate::logic::model::{Effect, Model, Parts};
use crate::logic::reduce::{self, LoadFailure};
use crate::realtime::Live;
use crate::state::{ConsoleState, Session};
use crate::texts::t;

/// Pause between attempts to reach an unreachable server.
pub const RETRY_AFTER: Duration = Duration::from_secs(2);

/// Runs one reducer step on the state and does its effects.
pub fn step(state: ConsoleState, reduce: impl FnOnce(&mut Model) -> Vec<Effect>) {
    let live = state.live();
    let mut model = take(state, live.as_ref());
    let effects = reduce(&mut model);
    put(state, live.as_ref(), model);
    for effect in effects {
        run(state, live.as_ref(), effect);
    }
}

/// One conversation from HTTP (a claim, a close, a transfer answered with it).
pub fn conversation_loaded(state: ConsoleState, conversation: Conversation) {
    step(state, |m| reduce::conversation_loaded(m, conversation));
}

fn take(state: ConsoleState, live: Option<&Live>) -> Model {
    fn out<T: Default + Send + Sync + 'static>(signal: RwSignal<T>) -> T {
        signal
            .try_update_untracked(std::mem::take)
            .unwrap_or_default()
    }
    let mut model = Model::with_parts(Parts {
        conversations: out(state.conversations),
        threads: out(state.threads),
        agents: out(state.agents),
        canned: out(state.canned),
        whereabouts: out(state.whereabouts),
        queue_received: state.queue_received.get_untracked(),
        receipts: live.map(Live::take_receipts).unwrap_or_default(),
    });
    model.viewer = state.viewer_untracked();
    model.my_name = state.agent().map(|a| a.name);
    model.presence = state.presence.get_untracked().effective();
    model.open_conversation = state.open_conversation_untracked();
    model.tab_visible = browser::tab_visible();
    model.now = browser::now_ms();
    model
}

fn put(state: ConsoleState, live: Option<&Live>, model: Model) {
    fn back<T: Send + Sync + 'static>(signal: RwSignal<T>, value: T, changed: bool) {
        if changed {
            signal.set(value);
        } else {
            signal.update_untracked(|held| *held = value);
        }
    }
    let (parts, changed) = model.parts();
    if let Some(live) = live {
        live.put_receipts(parts.receipts);
    }
    back(
        state.conversations,
        parts.conversations,
        changed.conversations,
    );
    back(state.threads, parts.threads, changed.threads);
    back(state.agents, parts.agents, changed.agents);
    back(state.canned, parts.canned, changed.canned);
    back(state.whereabouts, parts.whereabouts, changed.whereabouts);
    if changed.queue_received {
        state.queue_received.set(parts.queue_received);
    }
}

fn run(state: ConsoleState, live: Option<&Live>, effect: Effect) {
    match effect {
        Effect::Send(frame) => {
            if let Some(live) = live {
                live.send_frame(&frame);
            }
        }
        Effect::Subscribe {
            conversation_id,
            after_seq,
        } => {
            // If the socket is down, it subscribes on connect through the resume points.
            if let Some(live) = live {
                live.subscribe(conversation_id, after_seq);
            }
        }
        Effect::FlushReceipts => {
            if let Some(live) = live {
                live.flush_receipts();
            }
        }
        Effect::Chime => browser::chime(),
        Effect::Desktop {
            agent_id,
            event,
            conversation,
        } => desktop_notifications::raise(agent_id, event, &conversation),
        Effect::HandedOver(conversation) => {
            let label = visitor_label(&conversation);
            state.handover.set(Some((conversation.id, label)));
        }
        Effect::AgentChanged(agent) => state.agent_changed(agent),
        Effect::RefreshList(filter) => refresh_list(state, filter),
        Effect::LoadLatest(id) => spawn_local(load_latest(state, id)),
        Effect::LoadOlder {
            conversation_id,
            before_seq,
        } => spawn_local(async move {
            let Some(token) = state.token() else { return };
            let page = api::history(&token, conversation_id, Some(before_seq))
                .await
                .map_err(|failure| failure.message);
            step(state, |m| reduce::older_loaded(m, conversation_id, page));
        }),
        Effect::TypingLapse {
            conversation_id,
            after_ms,
        } => set_timeout(
            move || step(state, |m| reduce::typing_lapsed(m, conversation_id)),
            Duration::from_millis(after_ms),
        ),
        Effect::SessionEnded => expire(state, &t("session.ended")),
        Effect::Warn(line) => leptos::logging::warn!("{line}"),
    }
}

/// Fetches the conversation and its latest history page (retrying while the server
/// cannot be reached and the conversation stays on screen), then subscribes from it.
async fn load_latest(state: ConsoleState, id: Uuid) {
    loop {
        let Some(token) = state.token() else { return };
        let result = match api::conversation(&token, id).await {
            Ok(conversation) => api::history(&token, id, None)
                .await
                .map(|page| (conversation, page)),
            Err(failure) => Err(failure),
        };
        match result {
            Ok((conversation, page)) => {
                let pending = state.live().map(|l| l.outbox()).unwrap_or_default();
                return step(state, |m| {
                    reduce::latest_loaded(m, conversation, page, pending)
                });
            }
            Err(failure) if failure.is_transient() => {
                gloo_timers::future::sleep(RETRY_AFTER).await;
                if state.threads.with_untracked(|t| !t.contains_key(&id)) {
                    return;
                }
            }
            Err(failure) => {
                let failure = if failure.is_unauthorized() {
                    LoadFailure::Unauthorized
                } else if failure.is_not_visible() {
                    LoadFailure::NotVisible
                } else {
                    LoadFailure::Other(failure.message)
                };
                return step(state, |m| reduce::load_failed(m, id, failure));
            }
        }
    }
}

/// Fetches one tab's conversations over HTTP and merges them into the list (the socket
/// keeps it live; this also fills the Ended tab beyond the latest few). For Waiting, the
/// first page, oldest first, and where the next one starts.
pub fn refresh_list(state: ConsoleState, filter: Filter) {
    let Some(token) = state.token() else { return };
    spawn_local(async move {
        match api::conversations(&token, filter).await {
            Ok(list) => {
                if filter == Filter::Waiting {
                    state.waiting_next.set(list.next);
                }
                step(state, |m| {
                    reduce::conversations_loaded(m, list.conversations)
                });
            }
            Err(failure) if failure.is_unauthorized() => expire(state, &t("session.ended")),
            // The connection badge already says the server is unreachable.
            Err(failure) if failure.is_transient() => {}
            Err(failure) => state.notice.set(Some(failure.message)),
        }
    });
}

/// Opens the socket for a session (closing any previous one).
pub fn start(state: ConsoleState, session: &Session) {
    stop(state);
    let live = Live::new(session.agent.id, Rc::new(ConsoleApp { state }));
    state.live.set_value(Some(live.clone()));
    live.connect(session.token.clone());
}

/// Closes the socket for good (logout).
pub fn stop(state: ConsoleState) {
    let previous = state.live.try_update_value(Option::take).flatten();
    if let Some(previous) = previous {
        previous.shutdown();
        // `shutdown` leaves the WebSocket's own handlers installed, and the browser fires
        // `close` after the call returns: dropping the socket then would make that event
        // call a freed closure (a page error). Keeping the few closed ones alive costs a
        // few hundred bytes per logout.
        state.retired.update_value(|r| r.push(previous));
    }
}

/// The server no longer accepts the token (or another tab logged out).
pub fn expire(state: ConsoleState, note: &str) {
    if state.session.with_untracked(Option::is_none) {
        return;
    }
    end_locally(state);
    state.session_note.set(Some(note.to_string()));
}

/// Forgets the session here: socket, stored token, everything shown.
pub fn end_locally(state: ConsoleState) {
    stop(state);
    browser::forget_token();
    state.clear_session_data();
}

/// What the realtime service reports, turned into reducer steps.
struct ConsoleApp {
    state: ConsoleState,
}

impl RealtimeApp for ConsoleApp {
    fn resume_points(&self) -> Vec<(Uuid, u64)> {
        // Only conversations whose latest history page is in: before that the resume
        // point is unknown, and the history loader subscribes itself when done.
        self.state.threads.with_untracked(|threads| {
            threads
                .iter()
                .filter(|(_, t)| t.loaded && !t.unavailable)
                .map(|(id, t)| (*id, t.timeline.resume_seq()))
                .collect()
        })
    }

    fn timeline(&self, conversation_id: Option<Uuid>, change: &mut dyn FnMut(&mut Timeline)) {
        if let Some(id) = conversation_id {
            self.state.update_thread(id, |t| change(&mut t.timeline));
        }
    }

    fn settled(&self, settled: Settled) {
        step(self.state, |m| reduce::settled(m, settled));
    }

    fn state(&self, connection: ConnectionState) {
        self.state.connection.set(connection);
    }

    fn disconnected(&self) {
        step(self.state, |m| {
            reduce::disconnected(m);
            Vec::new()
        });
    }

    fn unauthorized(&self) {
        expire(self.state, &t("session.ended"));
    }
}
