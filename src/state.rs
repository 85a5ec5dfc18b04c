//! The widget's state, handed to every part of the panel (a `Copy` of signals).
//!
//! Only signals live here (cheap to copy into closures); the socket, outbox and tab
//! channel live in `runtime`; `sync` writes these signals after each reducer step.

use reactive_graph::prelude::*;
use reactive_graph::{owner::StoredValue, signal::RwSignal};
use tidings_client::{unread_count, ConnectionState, Timeline};
use tidings_protocol::{Conversation, ConversationStatus, PresenceStatus, Role};

use crate::config::Config;

/// Everything the UI shows. `Copy`: pass it around freely.
#[derive(Clone, Copy)]
pub struct ChatState {
    pub config: StoredValue<Config>,
    /// `connection-status`: the browser's network state combined with the socket's.
    pub connection: RwSignal<ConnectionState>,
    /// The conversation shown; `None` before the first message (or after "start a new
    /// conversation").
    pub conversation: RwSignal<Option<Conversation>>,
    /// Its messages, confirmed and pending.
    pub timeline: RwSignal<Timeline>,
    /// Whether any agent is online (header presence line).
    pub availability: RwSignal<PresenceStatus>,
    /// Name of the agent typing right now.
    pub agent_typing: RwSignal<Option<String>>,
    /// Whether the panel is open on the host page (told by the loader).
    pub open: RwSignal<bool>,
    /// Whether the tab is visible.
    pub visible: RwSignal<bool>,
    /// A problem to show the visitor (storage full, rating refused, …).
    pub notice: RwSignal<Option<String>>,
    /// Notification sounds played by this tab (also `data-sounds`, for tests).
    pub sounds: RwSignal<u32>,
    /// The composer's text.
    pub draft: RwSignal<String>,
    /// Nothing can be kept on this device (no storage of our own nor the host page's):
    /// the chat lives as long as the page, and the panel says so.
    pub memory_only: RwSignal<bool>,
    /// The server sends email (`hello.email`): the offline email form and the transcript
    /// button (both in the extras module) may be offered.
    pub email: RwSignal<bool>,
    /// The pre-chat form (in the extras module) may stand in for the composer: the site
    /// asks for it and the page has not named the visitor (set once the visitor's token is
    /// known; the extras check with the server whether the visitor is known already).
    pub prechat: RwSignal<bool>,
}

impl ChatState {
    pub fn new(config: Config, open: bool) -> ChatState {
        ChatState {
            config: StoredValue::new(config),
            connection: RwSignal::new(ConnectionState::Connecting),
            conversation: RwSignal::new(None),
            timeline: RwSignal::new(Timeline::new()),
            availability: RwSignal::new(PresenceStatus::Online),
            agent_typing: RwSignal::new(None),
            open: RwSignal::new(open),
            visible: RwSignal::new(true),
            notice: RwSignal::new(None),
            sounds: RwSignal::new(0),
            draft: RwSignal::new(String::new()),
            memory_only: RwSignal::new(false),
            email: RwSignal::new(false),
            prechat: RwSignal::new(false),
        }
    }

    /// The conversation's status; a visitor without one is as good as waiting.
    pub fn status(&self) -> ConversationStatus {
        self.conversation
            .with(|c| c.as_ref().map(|c| c.status))
            .unwrap_or(ConversationStatus::Waiting)
    }

    /// The conversation has ended: the composer gives way to the ended chat's section. Read
    /// by each effect that needs it rather than through a `Memo`, whose code the wasm would
    /// carry for this one use; those effects rerun on any change of the conversation and
    /// write only what differs.
    pub fn ended(&self) -> bool {
        self.status() == ConversationStatus::Ended
    }

    /// The visitor's read seq in the current conversation.
    pub fn read_seq(&self) -> u64 {
        self.conversation
            .with(|c| c.as_ref().map_or(0, |c| c.visitor_read_seq))
    }

    /// Agent messages above the visitor's read seq (system notices never count).
    pub fn unread(&self) -> u32 {
        let read = self.read_seq();
        self.timeline
            .with(|t| unread_count(Role::Visitor, read, t.messages()))
    }

    /// The agent's delivery and read receipts, for the visitor's own ticks.
    pub fn agent_receipts(&self) -> (u64, u64) {
        self.conversation.with(|c| {
            c.as_ref()
                .map_or((0, 0), |c| (c.agent_delivered_seq, c.agent_read_seq))
        })
    }

    pub fn locale(&self) -> String {
        self.config.with_value(|c| c.locale.clone())
    }
}
