//! What the console knows from the server, as plain data: the conversations, the open
//! threads, the team, the canned responses, where visitors are, and the receipts owed.
//!
//! [`crate::logic::reduce`] changes it frame by frame; the browser layer (`sync.rs`) moves
//! it out of the state's signals for one step and back, and does the [`Effect`]s. Every
//! change goes through a `*_mut` accessor, which marks the part changed, so the screen
//! redraws only what moved.

use std::collections::HashMap;

use tidings_client::Timeline;
use tidings_protocol::{Agent, CannedResponse, ClientFrame, Conversation, Millis, PresenceStatus};
use uuid::Uuid;

use crate::logic::desktop_alerts::DesktopEvent;
use crate::logic::list::{Filter, Viewer};
use crate::logic::outgoing_receipts::OutgoingReceipts;
use crate::logic::receipts::Receipts;

/// Who is typing in a conversation; the words are chosen when it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typist {
    /// The conversation's visitor.
    Visitor,
    /// Another agent, by name.
    Agent(String),
    /// Another agent whose name the frame did not give.
    AnotherAgent,
}

/// Someone typing in a conversation, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypingNotice {
    pub who: Typist,
    pub until: Millis,
}

/// What the console holds about one open conversation.
#[derive(Debug, Clone, Default)]
pub struct Thread {
    pub timeline: Timeline,
    pub receipts: Receipts,
    /// The latest history page has arrived (the socket subscribes only after it).
    pub loaded: bool,
    /// Older messages exist below the first one held.
    pub has_more: bool,
    pub loading_older: bool,
    /// The conversation does not exist or is not this agent's to see.
    pub unavailable: bool,
    pub load_error: Option<String>,
    pub typing: Option<TypingNotice>,
}

/// The page a visitor is on now and their time zone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Whereabouts {
    pub page_url: Option<String>,
    pub time_zone: Option<String>,
}

/// What a step asks the browser to do once the model is back in place.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send this frame now if the socket is up (dropped otherwise, as before).
    Send(ClientFrame),
    /// Follow this conversation from `after_seq`.
    Subscribe {
        conversation_id: Uuid,
        after_seq: u64,
    },
    /// Send the receipts now due, and set a timer for the rest.
    FlushReceipts,
    Chime,
    /// A desktop notification for the agent.
    Desktop {
        agent_id: Uuid,
        event: DesktopEvent,
        conversation: Conversation,
    },
    /// This conversation was handed to the agent: show the handover alert.
    HandedOver(Conversation),
    /// Who the agent is now (a `hello` after a rename, promotion or demotion).
    AgentChanged(Agent),
    /// Fetch one tab of the list over HTTP and merge it.
    RefreshList(Filter),
    /// Fetch a conversation and its latest history page.
    LoadLatest(Uuid),
    /// Fetch the history page above `before_seq`.
    LoadOlder {
        conversation_id: Uuid,
        before_seq: u64,
    },
    /// Look again after `after_ms` whether the typing notice lapsed.
    TypingLapse {
        conversation_id: Uuid,
        after_ms: u64,
    },
    /// The server no longer accepts the session.
    SessionEnded,
    /// Something worth a line in the browser's console.
    Warn(String),
}

/// Which parts a step changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changed {
    pub conversations: bool,
    pub threads: bool,
    pub agents: bool,
    pub canned: bool,
    pub whereabouts: bool,
    pub queue_received: bool,
}

/// The console's data and what a step reads about the browser's moment.
#[derive(Debug)]
pub struct Model {
    /// The logged-in agent, as the list rules see them.
    pub viewer: Option<Viewer>,
    /// The agent's name (their own typing, echoed from another tab, is not shown).
    pub my_name: Option<String>,
    /// The presence the agent's tabs report.
    pub presence: PresenceStatus,
    /// The conversation in the main pane.
    pub open_conversation: Option<Uuid>,
    pub tab_visible: bool,
    pub now: Millis,

    pub(crate) conversations: HashMap<Uuid, Conversation>,
    pub(crate) threads: HashMap<Uuid, Thread>,
    pub(crate) agents: Vec<Agent>,
    pub(crate) canned: Vec<CannedResponse>,
    pub(crate) whereabouts: HashMap<Uuid, Whereabouts>,
    /// A `queue` frame arrived since login (the first one never chimes).
    pub(crate) queue_received: bool,
    /// Receipts owed to the server, for every conversation in sight.
    pub receipts: OutgoingReceipts,
    pub changed: Changed,
}

impl Model {
    /// A model holding these parts (moved in from the state, moved out by [`Model::parts`]).
    pub fn with_parts(parts: Parts) -> Model {
        Model {
            conversations: parts.conversations,
            threads: parts.threads,
            agents: parts.agents,
            canned: parts.canned,
            whereabouts: parts.whereabouts,
            queue_received: parts.queue_received,
            receipts: parts.receipts,
            viewer: None,
            my_name: None,
            presence: PresenceStatus::Online,
            open_conversation: None,
            tab_visible: true,
            now: 0,
            changed: Changed::default(),
        }
    }

    /// Takes the parts back out, with what changed.
    pub fn parts(self) -> (Parts, Changed) {
        (
            Parts {
                conversations: self.conversations,
                threads: self.threads,
                agents: self.agents,
                canned: self.canned,
                whereabouts: self.whereabouts,
                queue_received: self.queue_received,
                receipts: self.receipts,
            },
            self.changed,
        )
    }

    pub fn conversations(&self) -> &HashMap<Uuid, Conversation> {
        &self.conversations
    }
    pub fn conversations_mut(&mut self) -> &mut HashMap<Uuid, Conversation> {
        self.changed.conversations = true;
        &mut self.conversations
    }
    pub fn threads(&self) -> &HashMap<Uuid, Thread> {
        &self.threads
    }
    pub fn threads_mut(&mut self) -> &mut HashMap<Uuid, Thread> {
        self.changed.threads = true;
        &mut self.threads
    }
    pub fn agents(&self) -> &[Agent] {
        &self.agents
    }
    pub fn agents_mut(&mut self) -> &mut Vec<Agent> {
        self.changed.agents = true;
        &mut self.agents
    }
    pub fn canned(&self) -> &[CannedResponse] {
        &self.canned
    }
    pub fn canned_mut(&mut self) -> &mut Vec<CannedResponse> {
        self.changed.canned = true;
        &mut self.canned
    }
    pub fn whereabouts(&self) -> &HashMap<Uuid, Whereabouts> {
        &self.whereabouts
    }
    pub fn whereabouts_mut(&mut self) -> &mut HashMap<Uuid, Whereabouts> {
        self.changed.whereabouts = true;
        &mut self.whereabouts
    }
    pub fn queue_received(&self) -> bool {
        self.queue_received
    }
    pub fn set_queue_received(&mut self, received: bool) {
        if self.queue_received != received {
            self.changed.queue_received = true;
            self.queue_received = received;
        }
    }

    /// Changes one thread if it is held; returns what `change` returned.
    pub fn update_thread<R>(
        &mut self,
        id: Uuid,
        change: impl FnOnce(&mut Thread) -> R,
    ) -> Option<R> {
        let thread = self.threads.get_mut(&id)?;
        self.changed.threads = true;
        Some(change(thread))
    }

    /// Reads one thread if it is held.
    pub fn thread(&self, id: Uuid) -> Option<&Thread> {
        self.threads.get(&id)
    }
}

/// The parts of the model the state keeps in its signals (and the receipts, which the
/// session's realtime handle keeps).
#[derive(Debug, Default)]
pub struct Parts {
    pub conversations: HashMap<Uuid, Conversation>,
    pub threads: HashMap<Uuid, Thread>,
    pub agents: Vec<Agent>,
    pub canned: Vec<CannedResponse>,
    pub whereabouts: HashMap<Uuid, Whereabouts>,
    pub queue_received: bool,
    pub receipts: OutgoingReceipts,
}
