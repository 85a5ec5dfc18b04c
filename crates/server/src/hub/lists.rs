//! The list data of conversations (preview, last seq and activity, read seqs, unread
//! counts) kept up to date in memory from the messages and receipts this node publishes,
//! so that the `conversation` update after each message or receipt costs no database read.
//!
//! Reading both views of a conversation back after every message (a join and two counts of
//! unread messages) cost more than storing the message did, and every node did it for
//! every message: on PostgreSQL those reads took about twice the writer's statement time.
//! Yet what a message changes in the list data is known without reading: it is the
//! conversation's latest message now (its seq, time and, for a visitor's or an agent's
//! message, the preview), and it is unread for the other side. A receipt moves a read seq.
//!
//! So each conversation keeps a *base*, the views a full read returned (`chat::announce`
//! installs it), and what this node published since: the messages with a later seq and
//! the receipts. The views now are the base with those applied. That holds whatever order
//! they arrive in (another node's message can come after a later one of this node's): the
//! newest seq wins, and a message counts as unread when its seq is above the read seq.
//! Where that cannot be told (a receipt that reads up to a seq *inside* the base, whose
//! unread messages are only counted, not listed), there is no answer and the caller
//! reads the conversation again, as it does without a base.
//!
//! A base is dropped, so the next update reads, when something changed that only the
//! database knows: any other conversation event (claim, close, ...; see
//! [`ListCache::changed`]), the visitor's details or last-seen time
//! ([`ListCache::forget_visitor`]), the team (an agent's name, [`ListCache::clear`]), a
//! lost link with the other nodes (catch-up reads everything). A base also ages out
//! after [`MAX_AGE`], which bounds how long a change this node never heard of (a visitor's
//! details changed through another node) can stay unseen, and how many published
//! messages a busy conversation keeps.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tidings_protocol::{Conversation, ConversationStatus, Message, Sender};
use uuid::Uuid;

use crate::store::read_state::{ReadState, Side};
use crate::writer::preview;

/// How long a base is used before the conversation is read again.
pub const MAX_AGE: Duration = Duration::from_secs(2);

/// Conversations kept at most; past that, everything is forgotten (and read again).
const MAX_ENTRIES: usize = 20_000;

/// A published message, as far as the list data goes.
#[derive(Debug, Clone)]
struct Published {
    sender: Sender,
    created_at: i64,
    /// The preview it leaves (visitors' and agents' messages; not notices or notes).
    preview: Option<String>,
}

/// What a full read returned.
#[derive(Debug, Clone)]
struct Base {
    /// The agents' view (its `unread` counts the visitor's unread messages).
    agent_view: Conversation,
    /// The visitor's unread count (the agents' messages after the visitor's read seq).
    visitor_unread: u32,
    read_at: Instant,
}

#[derive(Debug, Default)]
struct Entry {
    base: Option<Base>,
    /// Messages published with a seq above the base's last seq (any, while there is no base).
    later: BTreeMap<u64, Published>,
    /// The newest read and delivered seqs heard per side, from receipts.
    visitor: ReadState,
    agent: ReadState,
    /// The read ticket a change was seen at: a read that started before it may have read
    /// the state before the change, so it installs no base.
    changed_at: u64,
}

/// A full read about to start: [`ListCache::install`] takes it back with what was read.
#[derive(Debug, Clone, Copy)]
pub struct ReadTicket(u64);

#[derive(Default)]
struct Inner {
    entries: HashMap<Uuid, Entry>,
    /// The conversations of each visitor that have a base.
    by_visitor: HashMap<Uuid, HashSet<Uuid>>,
    tickets: u64,
}

/// Every conversation's list data as far as this node knows it (see the module's text).
#[derive(Default)]
pub struct ListCache {
    inner: Mutex<Inner>,
}

impl ListCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A message was published (stored here or on another node).
    pub fn message(&self, message: &Message) {
        let mut inner = self.lock();
        if inner.entries.len() >= MAX_ENTRIES && !inner.entries.contains_key(&message.conversation_id) {
            inner.entries.clear();
            inner.by_visitor.clear();
        }
        let entry = inner.entries.entry(message.conversation_id).or_default();
        if entry
            .base
            .as_ref()
            .is_some_and(|b| message.seq <= b.agent_view.last_seq)
        {
            return;
        }
        let preview = matches!(message.sender, Sender::Visitor | Sender::Agent)
            .then(|| preview(&message.body));
        entry.later.insert(
            message.seq,
            Published {
                sender: message.sender,
                created_at: message.created_at,
                preview,
            },
        );
    }

    /// A receipt was committed (here or on another node): `after` is the side's state.
    pub fn receipt(&self, conversation_id: Uuid, side: Side, after: ReadState) {
        let mut inner = self.lock();
        // Kept even before a base: a read under way may have started before this commit.
        let entry = inner.entries.entry(conversation_id).or_default();
        let state = match side {
            Side::Visitor => &mut entry.visitor,
            Side::Agent => &mut entry.agent,
        };
        state.read_seq = state.read_seq.max(after.read_seq);
        state.delivered_seq = state.delivered_seq.max(after.delivered_seq);
    }

    /// Both views now, (the visitor's, the agents'), without `visitor_online` (see
    /// `chat::decorate`); `None` when they must be read.
    pub fn views(&self, id: Uuid) -> Option<(Conversation, Conversation)> {
        let inner = self.lock();
        let entry = inner.entries.get(&id)?;
        let base = entry.base.as_ref()?;
        if base.read_at.elapsed() > MAX_AGE {
            return None;
        }
        let mut agent_view = base.agent_view.clone();
        let last_at_base = agent_view.last_seq;
        if let Some((&seq, newest)) = entry.later.last_key_value() {
            agent_view.last_seq = seq;
            agent_view.last_activity_at = newest.created_at;
        }
        if let Some(preview) = entry.later.values().rev().find_map(|p| p.preview.as_ref()) {
            agent_view.last_message_preview = Some(preview.clone());
        }
        // Whose unread messages: the visitor reads the agents', the agents the visitor's.
        let unread = |read_at_base: u64, unread_at_base: u32, read_now: u64, of: Sender| {
            let counted = |from: u64| {
                entry
                    .later
                    .range(from + 1..)
                    .filter(|(_, p)| p.sender == of)
                    .count() as u32
            };
            if read_now <= read_at_base {
                // Every later message is above the read seq.
                Some(unread_at_base.saturating_add(counted(last_at_base)))
            } else if read_now >= last_at_base {
                Some(counted(read_now))
            } else {
                // Read up to a seq inside the base: which of its unread ones is not known.
                None
            }
        };
        let visitor_read = agent_view.visitor_read_seq.max(entry.visitor.read_seq);
        let agent_read = agent_view.agent_read_seq.max(entry.agent.read_seq);
        let visitor_unread = unread(
            agent_view.visitor_read_seq,
            base.visitor_unread,
            visitor_read,
            Sender::Agent,
        )?;
        let agent_unread = unread(
            agent_view.agent_read_seq,
            base.agent_view.unread,
            agent_read,
            Sender::Visitor,
        )?;
        agent_view.visitor_read_seq = visitor_read;
        agent_view.agent_read_seq = agent_read;
        agent_view.agent_delivered_seq = agent_view
            .agent_delivered_seq
            .max(entry.agent.delivered_seq)
            .max(agent_read);
        agent_view.unread = agent_unread;
        let mut visitor_view = agent_view.clone();
        visitor_view.unread = visitor_unread;
        Some((visitor_view, agent_view))
    }

    /// A full read of `id` is about to start.
    pub fn begin_read(&self) -> ReadTicket {
        let mut inner = self.lock();
        inner.tickets += 1;
        ReadTicket(inner.tickets)
    }

    /// Keeps what a full read returned as the conversation's base (unless the conversation
    /// changed after the read started, or it has ended: nothing follows an end).
    pub fn install(&self, ticket: ReadTicket, visitor_view: &Conversation, agent_view: &Conversation) {
        let id = agent_view.id;
        let mut inner = self.lock();
        let Some(entry) = inner.entries.get(&id) else {
            if agent_view.status == ConversationStatus::Ended || inner.entries.len() >= MAX_ENTRIES {
                return;
            }
            inner.entries.insert(id, Entry::default());
            return install_in(&mut inner, visitor_view, agent_view);
        };
        if entry.changed_at > ticket.0 {
            return;
        }
        if agent_view.status == ConversationStatus::Ended {
            inner.entries.remove(&id);
            if let Some(ids) = inner.by_visitor.get_mut(&agent_view.visitor_id) {
                ids.remove(&id);
            }
            return;
        }
        install_in(&mut inner, visitor_view, agent_view);
    }

    /// Something only the database knows changed in `id` (a claim, a close, ...): the next
    /// update reads it, and reads that started before now install nothing.
    pub fn changed(&self, id: Uuid) {
        let mut inner = self.lock();
        inner.tickets += 1;
        let now = inner.tickets;
        let entry = inner.entries.entry(id).or_default();
        entry.changed_at = now;
        entry.base = None;
    }

    /// The visitor's details or last-seen time changed: their conversations are read again.
    pub fn forget_visitor(&self, visitor_id: Uuid) {
        let mut inner = self.lock();
        let Some(ids) = inner.by_visitor.remove(&visitor_id) else {
            return;
        };
        inner.tickets += 1;
        let now = inner.tickets;
        for id in ids {
            if let Some(entry) = inner.entries.get_mut(&id) {
                entry.changed_at = now;
                entry.base = None;
            }
        }
    }

    /// Forgets every base (the team changed: agents' names; the link with the other nodes
    /// was lost: receipts and messages may have been missed).
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.tickets += 1;
        let now = inner.tickets;
        for entry in inner.entries.values_mut() {
            entry.changed_at = now;
            entry.base = None;
        }
        inner.by_visitor.clear();
    }
}

/// Makes what a full read returned the base of its (present) entry.
fn install_in(inner: &mut Inner, visitor_view: &Conversation, agent_view: &Conversation) {
    let id = agent_view.id;
    let Some(entry) = inner.entries.get_mut(&id) else {
        return;
    };
    entry.later = entry.later.split_off(&(agent_view.last_seq + 1));
    entry.base = Some(Base {
        agent_view: agent_view.clone(),
        visitor_unread: visitor_view.unread,
        read_at: Instant::now(),
    });
    inner
        .by_visitor
        .entry(agent_view.visitor_id)
        .or_default()
        .insert(id);
}
