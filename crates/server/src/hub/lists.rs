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
//! messages a busy conversation keeps. Each conversation's base ages out at its own time,
//! between half of [`MAX_AGE`] and all of it ([`max_age`]): conversations whose bases were
//! read together (all of them, after a node starts or a catch-up) would otherwise be read
//! again together, every [`MAX_AGE`]: in the cluster benchmark the two nodes' reads came
//! in bursts of about 100 within 100 ms every 2 s, holding the machine's two cores while
//! messages waited behind them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tidings_protocol::{Conversation, ConversationStatus, Message, Sender};
use uuid::Uuid;

use crate::store::read_state::{ReadState, Side};
use crate::writer::preview;

/// Longest a base is used before the conversation is read again (see [`max_age`]).
pub const MAX_AGE: Duration = Duration::from_secs(3);

/// How long conversation `id`'s base is used: from half of [`MAX_AGE`] to all of it, spread
/// by the id's random bits, so that bases read together do not all age out together.
fn max_age(id: Uuid) -> Duration {
    let spread = (id.as_u128() & 0xffff) as f64 / 65_536.0;
    MAX_AGE.mul_f64(0.5 + 0.5 * spread)
}

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

impl Inner {
    /// The conversation's entry, made if missing (past [`MAX_ENTRIES`], after forgetting
    /// every other one).
    fn entry(&mut self, id: Uuid) -> &mut Entry {
        if self.entries.len() >= MAX_ENTRIES && !self.entries.contains_key(&id) {
            self.entries.clear();
            self.by_visitor.clear();
        }
        self.entries.entry(id).or_default()
    }
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
        let entry = inner.entry(message.conversation_id);
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
        let entry = inner.entry(conversation_id);
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
        if base.read_at.elapsed() > max_age(id) {
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

    /// Keeps what a full read returned as the conversation's base, unless the conversation
    /// changed after the read started, or it has ended (nothing follows an end), or it was
    /// forgotten meanwhile (what was published before is gone too).
    pub fn install(
        &self,
        ticket: ReadTicket,
        visitor_view: &Conversation,
        agent_view: &Conversation,
    ) {
        let id = agent_view.id;
        let mut inner = self.lock();
        let Some(entry) = inner.entries.get_mut(&id) else {
            return;
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

    /// Something only the database knows changed in `id` (a claim, a close, ...): the next
    /// update reads it, and reads that started before now install nothing.
    pub fn changed(&self, id: Uuid) {
        let mut inner = self.lock();
        inner.tickets += 1;
        let now = inner.tickets;
        let entry = inner.entry(id);
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

#[cfg(test)]
mod tests {
    use tidings_protocol::{Conversation, ConversationStatus, Message, Sender};
    use uuid::Uuid;

    use super::ListCache;
    use crate::store::read_state::{ReadState, Side};

    /// The agents' view of a waiting conversation at `last_seq`, all of it from the visitor
    /// and unread by agents.
    fn read_at(id: Uuid, last_seq: u64) -> (Conversation, Conversation) {
        let agent_view = Conversation {
            id,
            visitor_id: Uuid::nil(),
            status: ConversationStatus::Waiting,
            assigned_agent: None,
            started_at: 1,
            assigned_at: None,
            ended_at: None,
            rating: None,
            feedback: None,
            visitor_name: None,
            visitor_email: None,
            visitor_user_id: None,
            page_url: None,
            user_agent: None,
            last_seq,
            last_activity_at: 10,
            last_message_preview: Some("base".into()),
            visitor_read_seq: 0,
            agent_read_seq: 0,
            agent_delivered_seq: 0,
            unread: last_seq as u32,
            visitor_online: false,
            visitor_last_seen_at: None,
        };
        let mut visitor_view = agent_view.clone();
        visitor_view.unread = 0;
        (visitor_view, agent_view)
    }

    fn message(id: Uuid, seq: u64, sender: Sender) -> Message {
        Message {
            id: Uuid::new_v4(),
            conversation_id: id,
            seq,
            sender,
            author_name: None,
            agent_id: None,
            body: format!("m{seq}"),
            created_at: 10 + seq as i64,
            attachment: None,
        }
    }

    fn read(seq: u64) -> ReadState {
        ReadState {
            read_seq: seq,
            delivered_seq: seq,
        }
    }

    #[test]
    fn messages_and_receipts_in_any_order_give_the_counts_a_read_would() {
        let (lists, id) = (ListCache::default(), Uuid::new_v4());
        assert!(lists.views(id).is_none(), "nothing read yet");
        let ticket = lists.begin_read();
        let (visitor_view, agent_view) = read_at(id, 3);
        // A message published while the read was under way, above what it read.
        lists.message(&message(id, 5, Sender::Agent));
        lists.install(ticket, &visitor_view, &agent_view);
        // Seq 4 (another node's) arrives after 5; 3 again is already counted.
        lists.message(&message(id, 4, Sender::Visitor));
        lists.message(&message(id, 3, Sender::Visitor));
        let (visitor, agent) = lists.views(id).unwrap();
        assert_eq!((agent.last_seq, agent.last_activity_at), (5, 15));
        assert_eq!(agent.last_message_preview.as_deref(), Some("m5"));
        assert_eq!((agent.unread, visitor.unread), (4, 1));
        // A note and a notice take seqs, leave the preview, and count for no one.
        lists.message(&message(id, 6, Sender::Note));
        lists.message(&message(id, 7, Sender::System));
        let (visitor, agent) = lists.views(id).unwrap();
        assert_eq!(agent.last_seq, 7);
        assert_eq!(agent.last_message_preview.as_deref(), Some("m5"));
        assert_eq!((agent.unread, visitor.unread), (4, 1));
        // The visitor reads everything; agents read up to 4 (past what was read): 0 unread.
        lists.receipt(id, Side::Visitor, read(7));
        lists.receipt(id, Side::Agent, read(4));
        let (visitor, agent) = lists.views(id).unwrap();
        assert_eq!((agent.unread, visitor.unread), (0, 0));
        assert_eq!((agent.agent_read_seq, agent.visitor_read_seq), (4, 7));
        // An older receipt heard late moves nothing back.
        lists.receipt(id, Side::Agent, read(2));
        assert_eq!(lists.views(id).unwrap().1.agent_read_seq, 4);
    }

    #[test]
    fn what_cannot_be_told_without_reading_is_read() {
        let (lists, id) = (ListCache::default(), Uuid::new_v4());
        let (visitor_view, agent_view) = read_at(id, 3);
        // Unknown: a read installs nothing (there is no entry to keep what it missed).
        lists.install(lists.begin_read(), &visitor_view, &agent_view);
        assert!(lists.views(id).is_none());
        // Announcing an event reads after marking the change, and keeps what it read.
        lists.changed(id);
        lists.install(lists.begin_read(), &visitor_view, &agent_view);
        assert!(lists.views(id).is_some());
        // Agents read up to 2 of the 3 counted unread: which one is left is not known.
        lists.receipt(id, Side::Agent, read(2));
        assert!(lists.views(id).is_none());
        // What a read then gives: agents read up to 2, one unread.
        let mut agent_view = agent_view;
        (agent_view.agent_read_seq, agent_view.unread) = (2, 1);

        // A change after a read started: that read does not become the base.
        let ticket = lists.begin_read();
        lists.changed(id);
        lists.install(ticket, &visitor_view, &agent_view);
        assert!(lists.views(id).is_none());
        lists.install(lists.begin_read(), &visitor_view, &agent_view);
        assert_eq!(lists.views(id).unwrap().1.unread, 1);
        // The visitor's details changed; the team changed.
        lists.forget_visitor(Uuid::nil());
        assert!(lists.views(id).is_none());
        lists.install(lists.begin_read(), &visitor_view, &agent_view);
        lists.clear();
        assert!(lists.views(id).is_none());
    }
}
