//! The widget's reducers: each server frame (after `tidings_client::settle` settled the
//! outbox), each conversation the server reports over HTTP, and the visitor's "start a new
//! conversation", applied to the plain [`Model`], returning the [`Effect`]s the browser
//! carries out. No signals and no browser here, so it is tested natively.

use tidings_client::outbox::{EntryState, OutboxEntry};
use tidings_client::settle::Settled;
use tidings_client::{LocalMessage, Timeline};
use tidings_protocol::{
    Conversation, ConversationStatus, Message, PresenceStatus, Role, Sender, ServerFrame,
};
use uuid::Uuid;

use crate::adoption::{decide, merge, Adoption};

/// How many of the latest seqs a page load replays over the socket; also the size of an
/// older page read over HTTP.
pub const TAIL: u64 = 50;

/// The longest a typing notice is shown without renewal, whatever the frame says.
const MAX_TYPING_MS: u64 = 60_000;

/// What the page remembers about the visitor's conversation besides what it shows.
#[derive(Debug, Default)]
pub struct Held {
    /// The visitor the last `hello` named. It changes when a verified `identify` joined
    /// this browser to the person's visitor (the socket is closed with 4010 and comes
    /// back): then that visitor's conversations are loaded.
    pub visitor_id: Option<Uuid>,
    /// Conversations whose replay has completed in this page: later messages are live.
    /// A visitor has a handful at most, so a list (no hash table code in the wasm).
    pub synced: Vec<Uuid>,
    /// Conversations this page subscribed to itself. A socket shared by the tabs also
    /// carries the answers to the other tabs' subscribes, which start where those tabs
    /// were: a `snapshot` of a conversation not asked for here makes this page subscribe
    /// from its own point (its replay fills in below what the other tab's brought).
    pub subscribed: Vec<Uuid>,
    /// The visitor chose "start a new conversation": old ended ones are not shown again.
    pub started_new: bool,
    /// The seq up to which `delivered` was sent.
    pub delivered_sent: u64,
    /// Incoming typing indicators expire by generation, so a renewal outlives old timers.
    pub typing_generation: u32,
}

/// The conversation shown, its timeline, and what the page remembers about them.
#[derive(Debug, Default)]
pub struct Model {
    pub conversation: Option<Conversation>,
    pub timeline: Timeline,
    pub held: Held,
    /// Whether the step changed the conversation or the timeline (the screen redraws only
    /// what changed).
    pub conversation_changed: bool,
    pub timeline_changed: bool,
}

/// What a step asks the browser to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Availability(PresenceStatus),
    /// The server sends email (the offline form and the transcript may be offered).
    Email(bool),
    /// Load the visitor's latest conversation over HTTP.
    LoadLatest,
    /// Fetch this conversation (the first message started it) unless known by then.
    FetchConversation(Uuid),
    Subscribe {
        conversation_id: Uuid,
        after_seq: u64,
    },
    /// Send `delivered` up to `seq`, and remember it as sent if it went out.
    Delivered {
        conversation_id: Uuid,
        seq: u64,
    },
    /// An agent types (their name, if given).
    ShowTyping(Option<String>),
    HideTyping,
    /// Look again after `after_ms` whether the typing notice of `generation` lapsed.
    TypingLapse {
        generation: u32,
        after_ms: u64,
    },
    /// A live agent message: chime, and tell the host page.
    AgentMessage {
        body: String,
        author: Option<String>,
        created_at: i64,
    },
    /// Tell the other tabs the outbox changed.
    OutboxChanged,
}

impl Model {
    fn current(&self) -> Option<Uuid> {
        self.conversation.as_ref().map(|c| c.id)
    }

    fn conversation_mut(&mut self) -> Option<&mut Conversation> {
        self.conversation_changed = true;
        self.conversation.as_mut()
    }

    fn timeline_mut(&mut self) -> &mut Timeline {
        self.timeline_changed = true;
        &mut self.timeline
    }
}

/// What the realtime service settled, applied to the model.
pub fn settled(model: &mut Model, settled: Settled) -> Vec<Effect> {
    match settled {
        Settled::Frame(frame) => apply(model, frame),
        Settled::Acknowledged {
            conversation_id, ..
        } => {
            let mut effects = vec![Effect::OutboxChanged];
            if model.conversation.is_none() {
                // The first message started a conversation; learn about it if the
                // snapshot has not told us already.
                effects.push(Effect::FetchConversation(conversation_id));
            }
            effects
        }
        Settled::Refused { .. } => vec![Effect::OutboxChanged],
        Settled::Nothing => Vec::new(),
    }
}

/// Applies one server frame.
pub fn apply(model: &mut Model, frame: ServerFrame) -> Vec<Effect> {
    let current = model.current();
    let mut effects = Vec::new();
    match frame {
        ServerFrame::Hello {
            availability,
            visitor_id,
            email,
            ..
        } => {
            effects.push(Effect::Availability(availability));
            effects.push(Effect::Email(email));
            let before = std::mem::replace(&mut model.held.visitor_id, visitor_id);
            if before.is_some() && before != visitor_id {
                // A verified identify joined this browser to the person's visitor: show
                // its latest conversation (perhaps from another device).
                effects.push(Effect::LoadLatest);
            }
        }
        ServerFrame::Snapshot { conversation } => {
            let asked = model.held.subscribed.contains(&conversation.id);
            effects = adopt(model, conversation, asked);
        }
        ServerFrame::Message { message } => on_message(model, message, &mut effects),
        ServerFrame::Synced {
            conversation_id,
            last_seq,
            after_seq,
        } if current == Some(conversation_id) => {
            // Every message this visitor may read up to `last_seq` is here: seqs the server
            // did not send (hidden from visitors) must hold neither resume nor receipts.
            // Unless it ends another tab's replay that started above what this page holds
            // (the socket is shared): this page's own replay is still to come.
            if !model.timeline_mut().synced(after_seq, last_seq) {
                return effects;
            }
            if !model.held.synced.contains(&conversation_id) {
                model.held.synced.push(conversation_id);
            }
            acknowledge_delivery(model, conversation_id, &mut effects);
        }
        ServerFrame::Typing {
            conversation_id,
            role: Role::Agent,
            name,
            typing,
            ttl_ms,
        } if current == Some(conversation_id) => {
            let generation = model.held.typing_generation.wrapping_add(1);
            model.held.typing_generation = generation;
            if typing {
                effects.push(Effect::ShowTyping(name));
                effects.push(Effect::TypingLapse {
                    generation,
                    after_ms: ttl_ms.min(MAX_TYPING_MS),
                });
            } else {
                effects.push(Effect::HideTyping);
            }
        }
        ServerFrame::Receipt {
            conversation_id,
            role,
            read_seq,
            delivered_seq,
        } if current == Some(conversation_id) => {
            if let Some(c) = model.conversation_mut() {
                match role {
                    Role::Agent => {
                        c.agent_read_seq = c.agent_read_seq.max(read_seq);
                        c.agent_delivered_seq =
                            c.agent_delivered_seq.max(delivered_seq).max(read_seq);
                    }
                    Role::Visitor => c.visitor_read_seq = c.visitor_read_seq.max(read_seq),
                }
            }
        }
        ServerFrame::Conversation { conversation, .. } => {
            let subscribed = current == Some(conversation.id);
            effects = adopt(model, conversation, subscribed);
        }
        ServerFrame::Availability { status } => effects.push(Effect::Availability(status)),
        _ => {}
    }
    effects
}

fn on_message(model: &mut Model, message: Message, effects: &mut Vec<Effect>) {
    let conversation_id = message.conversation_id;
    if model.current() != Some(conversation_id) {
        return;
    }
    let sender = message.sender;
    let (body, author, created_at) = (
        message.body.clone(),
        message.author_name.clone(),
        message.created_at,
    );
    if !model.timeline_mut().insert(message) {
        return;
    }
    if sender != Sender::Visitor {
        // Someone from support wrote: the conversation is being handled, even if its
        // `conversation` frame has not arrived yet.
        if let Some(c) = model.conversation_mut() {
            if c.status == ConversationStatus::Waiting {
                c.status = ConversationStatus::Active;
            }
        }
    }
    if sender == Sender::Agent {
        effects.push(Effect::HideTyping);
        if model.held.synced.contains(&conversation_id) {
            effects.push(Effect::AgentMessage {
                body,
                author,
                created_at,
            });
            acknowledge_delivery(model, conversation_id, effects);
        }
    }
}

/// Sends the seq up to which the visitor's client holds every message (drives the
/// console's ticks). Never past a gap: a message missing below it would show delivered.
fn acknowledge_delivery(model: &Model, conversation_id: Uuid, effects: &mut Vec<Effect>) {
    let last = model.timeline.resume_seq();
    if last > model.held.delivered_sent {
        effects.push(Effect::Delivered {
            conversation_id,
            seq: last,
        });
    }
}

/// A typing notice's time may be up: hide it unless renewed since.
pub fn typing_lapsed(model: &mut Model, generation: u32) -> Vec<Effect> {
    if model.held.typing_generation == generation {
        vec![Effect::HideTyping]
    } else {
        Vec::new()
    }
}

/// Takes a conversation the server told us about: the current one updated, a newer
/// one replacing an ended one, or the first one. `subscribed` says whether the socket
/// already streams it (a `snapshot`); otherwise it is subscribed from the latest
/// [`TAIL`] seqs (older pages come on scrolling up).
pub fn adopt(model: &mut Model, conversation: Conversation, subscribed: bool) -> Vec<Effect> {
    let mut effects = Vec::new();
    let id = conversation.id;
    match decide(
        model.conversation.as_ref(),
        &conversation,
        model.held.started_new,
    ) {
        Adoption::Ignore => return effects,
        Adoption::Update => {
            if let Some(current) = model.conversation_mut() {
                *current = merge(current, conversation);
            }
            return effects;
        }
        Adoption::Switch => {
            // A newer conversation: fresh timeline, keeping messages not yet sent.
            keep_only_local(model);
            effects.push(Effect::HideTyping);
            model.held.delivered_sent = 0;
        }
        Adoption::First => {}
    }
    if conversation.status != ConversationStatus::Ended {
        model.held.started_new = false;
    }
    let last_seq = conversation.last_seq;
    model.conversation = Some(conversation);
    model.conversation_changed = true;
    if !subscribed {
        if !model.held.subscribed.contains(&id) {
            model.held.subscribed.push(id);
        }
        let after_seq = model.timeline_mut().start_tail(last_seq, TAIL);
        effects.push(Effect::Subscribe {
            conversation_id: id,
            after_seq,
        });
    }
    effects
}

fn keep_only_local(model: &mut Model) {
    let timeline = model.timeline_mut();
    let mut next = Timeline::new();
    for local in timeline.local() {
        next.add_local(local.clone());
    }
    *timeline = next;
}

/// The visitor leaves the ended conversation behind: an empty panel, the next message
/// starts anew.
pub fn start_new(model: &mut Model) -> Vec<Effect> {
    model.held.started_new = true;
    model.held.delivered_sent = 0;
    model.conversation = None;
    model.conversation_changed = true;
    keep_only_local(model);
    vec![Effect::HideTyping]
}

/// Shows pending messages from the outbox (after a reload, or written in another tab).
pub fn outbox_loaded(model: &mut Model, entries: Vec<OutboxEntry>) -> Vec<Effect> {
    let current = model.current();
    let timeline = model.timeline_mut();
    for e in entries {
        if e.conversation_id.is_some() && e.conversation_id != current {
            continue;
        }
        if !timeline.contains(e.id) {
            timeline.add_local(LocalMessage {
                id: e.id,
                sender: Sender::Visitor,
                author_name: None,
                body: e.body,
                created_at: e.created_at,
                refused: None,
            });
        }
        if let EntryState::Failed { code, reason } = e.state {
            timeline.refuse(e.id, code, reason);
        }
    }
    Vec::new()
}

/// The visitor's session ended in this browser (`Tidings('shutdown')`).
pub fn forgotten(model: &mut Model) -> Vec<Effect> {
    model.held.visitor_id = None;
    model.conversation = None;
    model.conversation_changed = true;
    *model.timeline_mut() = Timeline::new();
    Vec::new()
}

/// A `read` the visitor's tab sent (or another tab told of): the visitor's read seq.
pub fn read_up_to(model: &mut Model, conversation_id: Uuid, seq: u64) -> Vec<Effect> {
    if model.current() == Some(conversation_id) {
        if let Some(c) = model.conversation_mut() {
            c.visitor_read_seq = c.visitor_read_seq.max(seq);
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests;
