//! The console's shared state, handed to every component through one typed context.
//!
//! Everything is a signal, so the socket handler, HTTP callbacks and components all
//! update and read the same data and the screen follows. The data the server sends is
//! changed by the reducers of `logic::reduce` (run by `sync`), which see it as the plain
//! `logic::model::Model`; the session's realtime handle is here too, passed with the
//! state instead of kept in a global.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use tidings_client::ConnectionState;
use tidings_protocol::{Agent, CannedResponse, Conversation, Millis};
use uuid::Uuid;

use crate::logic::list::{Filter, Viewer};
pub use crate::logic::model::{Thread, Whereabouts};
use crate::logic::presence::Presence;
use crate::logic::route::Route;
use crate::realtime::Live;

/// A logged-in agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token: String,
    pub agent: Agent,
}

/// The context every component reads with `use_console()`.
#[derive(Clone, Copy)]
pub struct ConsoleState {
    pub session: RwSignal<Option<Session>>,
    /// True while a stored token is being checked at start-up.
    pub checking_session: RwSignal<bool>,
    /// Why the agent is back at the login page, if not by choice.
    pub session_note: RwSignal<Option<String>>,
    pub conversations: RwSignal<HashMap<Uuid, Conversation>>,
    /// A `queue` frame arrived since login (the first one never chimes).
    pub queue_received: RwSignal<bool>,
    pub filter: RwSignal<Filter>,
    pub route: RwSignal<Route>,
    pub connection: RwSignal<ConnectionState>,
    pub presence: RwSignal<Presence>,
    pub agents: RwSignal<Vec<Agent>>,
    /// Every canned response, kept live by the server's `canned_responses` frames.
    pub canned: RwSignal<Vec<CannedResponse>>,
    /// The clock ages are computed from; ticks a few times a minute.
    pub now: RwSignal<Millis>,
    pub threads: RwSignal<HashMap<Uuid, Thread>>,
    /// The last action that failed (claim, close, ...), shown until dismissed.
    pub notice: RwSignal<Option<String>>,
    /// Where the next page of the waiting list starts, while there is one.
    pub waiting_next: RwSignal<Option<String>>,
    /// Waiting conversations ticked for a bulk close.
    pub bulk_selected: RwSignal<HashSet<Uuid>>,
    /// The latest conversation handed to this agent (id, visitor label), until dismissed
    /// or opened.
    pub handover: RwSignal<Option<(Uuid, String)>>,
    /// A search result opened: its conversation shows this message, scrolled into view
    /// and highlighted briefly.
    pub focus: RwSignal<Option<MessageFocus>>,
    /// Where each visitor shown in the panel is now (page, time zone), kept live by
    /// `visitor_page` frames.
    pub whereabouts: RwSignal<HashMap<Uuid, Whereabouts>>,
    /// The session's socket, outbox and owed receipts (`sync::start` sets it).
    pub live: StoredValue<Option<Live>, LocalStorage>,
    /// Realtime services closed by logout, kept alive (see `sync::stop`).
    pub retired: StoredValue<Vec<Live>, LocalStorage>,
}

/// A message to bring into view once its conversation shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageFocus {
    pub conversation_id: Uuid,
    pub message_id: Uuid,
}

impl ConsoleState {
    pub fn new(now: Millis, route: Route) -> Self {
        ConsoleState {
            session: RwSignal::new(None),
            checking_session: RwSignal::new(false),
            session_note: RwSignal::new(None),
            conversations: RwSignal::new(HashMap::new()),
            queue_received: RwSignal::new(false),
            filter: RwSignal::new(Filter::Waiting),
            route: RwSignal::new(route),
            connection: RwSignal::new(ConnectionState::Connecting),
            presence: RwSignal::new(Presence::default()),
            agents: RwSignal::new(Vec::new()),
            canned: RwSignal::new(Vec::new()),
            now: RwSignal::new(now),
            threads: RwSignal::new(HashMap::new()),
            notice: RwSignal::new(None),
            waiting_next: RwSignal::new(None),
            bulk_selected: RwSignal::new(HashSet::new()),
            handover: RwSignal::new(None),
            focus: RwSignal::new(None),
            whereabouts: RwSignal::new(HashMap::new()),
            live: StoredValue::new_local(None),
            retired: StoredValue::new_local(Vec::new()),
        }
    }

    /// The logged-in agent as the list rules see them (tracked).
    pub fn viewer(&self) -> Option<Viewer> {
        self.session.with(|s| {
            s.as_ref().map(|s| Viewer {
                agent_id: s.agent.id,
                is_admin: s.agent.is_admin,
            })
        })
    }

    /// The logged-in agent as the list rules see them, read outside any reactive scope.
    pub fn viewer_untracked(&self) -> Option<Viewer> {
        self.session.with_untracked(|s| {
            s.as_ref().map(|s| Viewer {
                agent_id: s.agent.id,
                is_admin: s.agent.is_admin,
            })
        })
    }

    /// The session token, read outside any reactive scope.
    pub fn token(&self) -> Option<String> {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
    }

    /// The logged-in agent, read outside any reactive scope.
    pub fn agent(&self) -> Option<Agent> {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.agent.clone()))
    }

    /// The conversation shown in the main pane, if any (tracked).
    pub fn open_conversation(&self) -> Option<Uuid> {
        match self.route.get() {
            Route::Conversation(id) => Some(id),
            _ => None,
        }
    }

    /// The routed conversation, read outside any reactive scope.
    pub fn open_conversation_untracked(&self) -> Option<Uuid> {
        match self.route.get_untracked() {
            Route::Conversation(id) => Some(id),
            _ => None,
        }
    }

    /// The session's realtime handle, while logged in.
    pub fn live(&self) -> Option<Live> {
        self.live.with_value(Clone::clone)
    }

    /// Changes one thread if it is held; returns what `change` returned.
    pub fn update_thread<R>(&self, id: Uuid, change: impl FnOnce(&mut Thread) -> R) -> Option<R> {
        let mut result = None;
        self.threads.update(|threads| {
            if let Some(thread) = threads.get_mut(&id) {
                result = Some(change(thread));
            }
        });
        result
    }

    /// Forgets everything tied to the session (logout, expired token).
    pub fn clear_session_data(&self) {
        self.session.set(None);
        self.conversations.set(HashMap::new());
        self.queue_received.set(false);
        self.threads.set(HashMap::new());
        self.agents.set(Vec::new());
        self.canned.set(Vec::new());
        self.presence.set(Presence::default());
        self.notice.set(None);
        self.waiting_next.set(None);
        self.bulk_selected.set(HashSet::new());
    }
}

/// The console state provided by the app root.
pub fn use_console() -> ConsoleState {
    expect_context::<ConsoleState>()
}

impl ConsoleState {
    /// Whether the logged-in agent is an admin (tracked).
    pub fn is_admin(&self) -> bool {
        self.session
            .with(|s| s.as_ref().is_some_and(|s| s.agent.is_admin))
    }

    /// Takes who the agent is now (a `hello` after a rename, promotion or demotion).
    pub fn agent_changed(&self, agent: Agent) {
        self.session.update(|s| {
            if let Some(s) = s.as_mut().filter(|s| s.agent.id == agent.id) {
                crate::browser::store_agent(&agent);
                s.agent = agent;
            }
        });
    }
}
