//! One conversation's messages as a client shows them: ordered, never duplicated.
//!
//! Server messages are keyed by `seq` (gap-free from 1 within a conversation) and by id;
//! local messages (written here, not yet acknowledged) are keyed by their client id and
//! follow the confirmed ones in creation order. An ack or the server's echo of a local
//! message turns it into a confirmed one in place — the same id is never shown twice, in
//! whatever order the ack, the echo and a replay arrive.
//!
//! [`Timeline::resume_seq`] is the last seq up to which nothing is missing: subscribing
//! with it makes the server replay exactly what this client lacks.

use tidings_protocol::{ErrorCode, Message, Millis, Sender};
use uuid::Uuid;

/// What the author of a message sees next to it (SPEC 4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    Pending,
    Sent,
    Delivered,
    Read,
    Failed,
}

impl DeliveryState {
    /// The `data-state` value of the UI contract.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Sent => "sent",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Read => "read",
            DeliveryState::Failed => "failed",
        }
    }
}

/// Why the server refused a local message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub reason: String,
}

/// A message written by this client and not yet confirmed by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalMessage {
    pub id: Uuid,
    pub sender: Sender,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: Millis,
    pub refused: Option<Refusal>,
}

/// One row of the timeline, confirmed or local.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Confirmed(Message),
    Local(LocalMessage),
}

impl Entry {
    pub fn id(&self) -> Uuid {
        match self {
            Entry::Confirmed(m) => m.id,
            Entry::Local(l) => l.id,
        }
    }
    pub fn sender(&self) -> Sender {
        match self {
            Entry::Confirmed(m) => m.sender,
            Entry::Local(l) => l.sender,
        }
    }
    pub fn body(&self) -> &str {
        match self {
            Entry::Confirmed(m) => &m.body,
            Entry::Local(l) => &l.body,
        }
    }
    pub fn created_at(&self) -> Millis {
        match self {
            Entry::Confirmed(m) => m.created_at,
            Entry::Local(l) => l.created_at,
        }
    }
    pub fn author_name(&self) -> Option<&str> {
        match self {
            Entry::Confirmed(m) => m.author_name.as_deref(),
            Entry::Local(l) => l.author_name.as_deref(),
        }
    }
    pub fn seq(&self) -> Option<u64> {
        match self {
            Entry::Confirmed(m) => Some(m.seq),
            Entry::Local(_) => None,
        }
    }

    /// The state shown to the author, given the other side's receipts: local entries are
    /// pending (or failed if refused); confirmed ones are sent, delivered or read.
    pub fn delivery_state(&self, peer_delivered_seq: u64, peer_read_seq: u64) -> DeliveryState {
        match self {
            Entry::Local(l) if l.refused.is_some() => DeliveryState::Failed,
            Entry::Local(_) => DeliveryState::Pending,
            Entry::Confirmed(m) if m.seq <= peer_read_seq => DeliveryState::Read,
            Entry::Confirmed(m) if m.seq <= peer_delivered_seq => DeliveryState::Delivered,
            Entry::Confirmed(_) => DeliveryState::Sent,
        }
    }
}

/// The ordered, de-duplicated messages of one conversation.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    /// Confirmed messages in seq order. A sorted `Vec`, not a map: a conversation's page
    /// holds tens of messages, and map code is several KB of the widget's wasm.
    confirmed: Vec<Message>,
    local: Vec<LocalMessage>,
    /// Seqs at or below this are deliberately not held (history not loaded yet).
    floor: u64,
    /// Seqs below this exist on the server and are not held: the next older page to read.
    older_before: Option<u64>,
}

impl Timeline {
    pub fn new() -> Self {
        Self::default()
    }

    /// Merges a server message. Returns `true` if it was new (not a duplicate by seq or id).
    /// A local message with the same id is replaced by it.
    pub fn insert(&mut self, message: Message) -> bool {
        let at = self.confirmed.partition_point(|m| m.seq < message.seq);
        let same_seq = self.confirmed.get(at).is_some_and(|m| m.seq == message.seq);
        if same_seq || self.confirmed.iter().any(|m| m.id == message.id) {
            return false;
        }
        self.local.retain(|l| l.id != message.id);
        self.confirmed.insert(at, message);
        true
    }

    /// Adds a message written here. Ignored if that id is already known.
    pub fn add_local(&mut self, local: LocalMessage) {
        if self.contains(local.id) {
            return;
        }
        // After every message written at or before it: creation order, ties by arrival.
        let at = self
            .local
            .partition_point(|l| l.created_at <= local.created_at);
        self.local.insert(at, local);
    }

    pub fn contains(&self, id: Uuid) -> bool {
        self.confirmed.iter().any(|m| m.id == id) || self.local.iter().any(|l| l.id == id)
    }

    /// The server stored local message `id` as `seq`: it becomes a confirmed message.
    /// Returns `false` if `id` was not local here (already confirmed, or another tab's).
    pub fn acknowledge(
        &mut self,
        id: Uuid,
        conversation_id: Uuid,
        seq: u64,
        created_at: Millis,
    ) -> bool {
        let Some(pos) = self.local.iter().position(|l| l.id == id) else {
            return false;
        };
        let local = self.local.remove(pos);
        self.insert(Message {
            id,
            conversation_id,
            seq,
            sender: local.sender,
            author_name: local.author_name,
            agent_id: None,
            body: local.body,
            created_at,
            attachment: None,
        })
    }

    /// The server refused local message `id`; it stays, marked failed.
    pub fn refuse(&mut self, id: Uuid, code: ErrorCode, reason: String) {
        if let Some(l) = self.local.iter_mut().find(|l| l.id == id) {
            l.refused = Some(Refusal { code, reason });
        }
    }

    /// A failed local message is being sent again.
    pub fn retry(&mut self, id: Uuid) {
        if let Some(l) = self.local.iter_mut().find(|l| l.id == id) {
            l.refused = None;
        }
    }

    /// Drops a local message (discarded by the user, or moved to another timeline).
    pub fn remove_local(&mut self, id: Uuid) -> Option<LocalMessage> {
        let pos = self.local.iter().position(|l| l.id == id)?;
        Some(self.local.remove(pos))
    }

    /// Local messages, oldest first.
    pub fn local(&self) -> &[LocalMessage] {
        &self.local
    }

    /// Says that seqs up to `seq` are intentionally not held (a console that loaded only
    /// the latest page of history). Never lowers an existing floor.
    pub fn set_floor(&mut self, seq: u64) {
        self.floor = self.floor.max(seq);
    }

    /// The server says everything after `after_seq` up to `last_seq` that this client may
    /// read has been sent (a `synced` frame). It counts only if every message up to
    /// `after_seq` is held: then the seqs up to `last_seq` not held were never for this
    /// client (a visitor's hidden notes), and the floor moves past them. A tab sharing a
    /// socket also hears the end of another tab's replay, which started where that tab
    /// was; taking it would move the resume point over messages this tab never received.
    /// Returns whether it counted.
    pub fn synced(&mut self, after_seq: u64, last_seq: u64) -> bool {
        if after_seq > self.resume_seq() {
            return false;
        }
        self.set_floor(last_seq);
        true
    }

    /// Where to subscribe from to show a conversation whose latest seq is `last_seq`: the
    /// resume point when anything is held; for a timeline that holds nothing yet, only the
    /// latest `tail` seqs, the older ones left to [`Timeline::insert_older`] (read over
    /// HTTP when the reader scrolls up), so a long conversation is not replayed whole on
    /// every page load.
    pub fn start_tail(&mut self, last_seq: u64, tail: u64) -> u64 {
        if self.confirmed.is_empty() && self.floor == 0 {
            let floor = last_seq.saturating_sub(tail);
            if floor > 0 {
                self.floor = floor;
                self.older_before = Some(floor + 1);
            }
        }
        self.resume_seq()
    }

    /// The `before_seq` of the next older page, if older messages are not held yet.
    pub fn older_before(&self) -> Option<u64> {
        self.older_before
    }

    /// Merges a page of older messages read below [`Timeline::older_before`]; `has_more`
    /// says whether still older ones exist.
    pub fn insert_older(&mut self, page: Vec<Message>, has_more: bool) {
        let first = page.iter().map(|m| m.seq).min();
        for message in page {
            self.insert(message);
        }
        self.older_before = match (has_more, first) {
            (true, Some(first)) => Some(first.min(self.older_before.unwrap_or(first))),
            (true, None) => self.older_before,
            (false, _) => None,
        };
    }

    /// Last seq up to which every message is held: subscribe with `after_seq` = this.
    pub fn resume_seq(&self) -> u64 {
        let mut seq = self.floor;
        let after_floor = self.confirmed.partition_point(|m| m.seq <= seq);
        for message in &self.confirmed[after_floor..] {
            if message.seq != seq + 1 {
                break;
            }
            seq += 1;
        }
        seq
    }

    /// Highest seq held (may be above `resume_seq` if there is a gap).
    pub fn last_seq(&self) -> u64 {
        self.confirmed.last().map_or(0, |m| m.seq)
    }

    /// Lowest seq held, for loading older history.
    pub fn first_seq(&self) -> Option<u64> {
        self.confirmed.first().map(|m| m.seq)
    }

    /// Confirmed messages in seq order.
    pub fn messages(&self) -> impl Iterator<Item = &Message> {
        self.confirmed.iter()
    }

    /// Everything to show: confirmed in seq order, then local in creation order.
    pub fn entries(&self) -> Vec<Entry> {
        self.confirmed
            .iter()
            .cloned()
            .map(Entry::Confirmed)
            .chain(self.local.iter().cloned().map(Entry::Local))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.confirmed.len() + self.local.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONV: Uuid = Uuid::from_u128(100);

    fn msg(seq: u64, id: u128, sender: Sender) -> Message {
        Message {
            id: Uuid::from_u128(id),
            conversation_id: CONV,
            seq,
            sender,
            author_name: None,
            agent_id: None,
            body: format!("m{seq}"),
            created_at: seq as Millis * 1000,
            attachment: None,
        }
    }

    fn local(id: u128, at: Millis) -> LocalMessage {
        LocalMessage {
            id: Uuid::from_u128(id),
            sender: Sender::Visitor,
            author_name: None,
            body: format!("local {id}"),
            created_at: at,
            refused: None,
        }
    }

    fn ids(t: &Timeline) -> Vec<u128> {
        t.entries().iter().map(|e| e.id().as_u128()).collect()
    }

    #[test]
    fn a_synced_counts_only_from_what_is_held() {
        let mut t = Timeline::new();
        t.insert(msg(1, 1, Sender::Visitor));
        t.insert(msg(2, 2, Sender::Agent));
        // Another tab's replay from seq 5 ended at 9: seqs 3 and 4 are still to come.
        assert!(!t.synced(5, 9));
        assert_eq!(t.resume_seq(), 2);
        // This tab's own replay, from seq 2: 3..=9 were sent; those not here were hidden.
        t.insert(msg(3, 3, Sender::Agent));
        assert!(t.synced(2, 9));
        assert_eq!(t.resume_seq(), 9);
        // A later one from below never lowers the floor.
        assert!(t.synced(0, 4));
        assert_eq!(t.resume_seq(), 9);
    }

    #[test]
    fn a_fresh_timeline_subscribes_to_the_tail_and_reads_older_pages_on_demand() {
        let mut t = Timeline::new();
        assert_eq!(
            t.start_tail(130, 50),
            80,
            "only the latest 50 seqs are replayed"
        );
        assert_eq!(t.older_before(), Some(81));
        for seq in 81..=130 {
            t.insert(msg(seq, seq as u128, Sender::Visitor));
        }
        assert_eq!(t.resume_seq(), 130);
        // A reconnect resumes from what is held, never from the tail again.
        assert_eq!(t.start_tail(140, 50), 130);
        t.insert_older(
            (31..=80)
                .map(|s| msg(s, s as u128, Sender::Agent))
                .collect(),
            true,
        );
        assert_eq!(t.older_before(), Some(31));
        // A page overlapping what is held adds nothing twice.
        t.insert_older(
            (1..=40).map(|s| msg(s, s as u128, Sender::Agent)).collect(),
            false,
        );
        assert_eq!(t.older_before(), None, "the whole conversation is held");
        assert_eq!(ids(&t), (1..=130).collect::<Vec<u128>>());
        assert_eq!(t.resume_seq(), 130);
    }

    #[test]
    fn a_short_conversation_or_a_held_one_is_replayed_from_where_it_stands() {
        let mut t = Timeline::new();
        assert_eq!(t.start_tail(30, 50), 0, "short: replayed whole");
        assert_eq!(t.older_before(), None);
        let mut held = Timeline::new();
        held.insert(msg(1, 1, Sender::Visitor));
        assert_eq!(
            held.start_tail(500, 50),
            1,
            "a timeline holding seq 1 resumes after it"
        );
        assert_eq!(held.older_before(), None);
    }

    #[test]
    fn orders_by_seq_and_drops_duplicates() {
        let mut t = Timeline::new();
        assert!(t.insert(msg(2, 2, Sender::Agent)));
        assert!(t.insert(msg(1, 1, Sender::Visitor)));
        assert!(!t.insert(msg(2, 2, Sender::Agent)), "same message replayed");
        assert!(!t.insert(msg(2, 99, Sender::Agent)), "same seq");
        assert_eq!(ids(&t), [1, 2]);
    }

    #[test]
    fn ack_replaces_pending_in_place_and_echo_does_not_duplicate() {
        let mut t = Timeline::new();
        t.insert(msg(1, 1, Sender::Agent));
        t.add_local(local(10, 5));
        t.add_local(local(11, 6));
        assert_eq!(ids(&t), [1, 10, 11]);
        assert!(t.acknowledge(Uuid::from_u128(10), CONV, 2, 7));
        assert!(
            !t.insert(msg(2, 10, Sender::Visitor)),
            "echo of the acked message"
        );
        assert_eq!(ids(&t), [1, 10, 11]);
        assert_eq!(t.entries()[1].seq(), Some(2));
        assert_eq!(t.entries()[1].body(), "local 10");
    }

    #[test]
    fn echo_before_ack_also_replaces_pending() {
        let mut t = Timeline::new();
        t.add_local(local(10, 5));
        assert!(t.insert(msg(1, 10, Sender::Visitor)));
        assert!(!t.acknowledge(Uuid::from_u128(10), CONV, 1, 7));
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn resume_seq_stops_at_the_first_gap() {
        let mut t = Timeline::new();
        assert_eq!(t.resume_seq(), 0);
        t.insert(msg(1, 1, Sender::Agent));
        t.insert(msg(2, 2, Sender::Agent));
        t.insert(msg(4, 4, Sender::Agent));
        assert_eq!(t.resume_seq(), 2);
        assert_eq!(t.last_seq(), 4);
        t.insert(msg(3, 3, Sender::Agent));
        assert_eq!(t.resume_seq(), 4);
    }

    #[test]
    fn an_early_ack_does_not_hide_missing_history() {
        let mut t = Timeline::new();
        t.add_local(local(10, 5));
        t.acknowledge(Uuid::from_u128(10), CONV, 7, 7);
        assert_eq!(t.resume_seq(), 0, "1..=6 still to be replayed");
        t.set_floor(6);
        assert_eq!(t.resume_seq(), 7);
    }

    #[test]
    fn a_seq_hidden_from_this_client_holds_nothing_once_synced_covers_it() {
        // A visitor never receives seq 2 (a private note); the server's `synced` with
        // last_seq 2 raises the floor, so resume and receipts move on to 3 and beyond.
        let mut t = Timeline::new();
        t.insert(msg(1, 1, Sender::Agent));
        t.insert(msg(3, 3, Sender::Agent));
        assert_eq!(t.resume_seq(), 1);
        t.set_floor(2);
        assert_eq!(t.resume_seq(), 3);
        t.insert(msg(4, 4, Sender::Agent));
        assert_eq!(t.resume_seq(), 4);
    }

    #[test]
    fn delivery_states_follow_receipts() {
        let mut t = Timeline::new();
        for seq in 1..=3 {
            t.insert(msg(seq, seq as u128, Sender::Visitor));
        }
        t.add_local(local(10, 99));
        t.add_local(local(11, 100));
        t.refuse(
            Uuid::from_u128(11),
            ErrorCode::MessageTooLong,
            "too long".into(),
        );
        let states: Vec<_> = t
            .entries()
            .iter()
            .map(|e| e.delivery_state(2, 1).as_str())
            .collect();
        assert_eq!(states, ["read", "delivered", "sent", "pending", "failed"]);
        t.retry(Uuid::from_u128(11));
        assert_eq!(t.entries()[4].delivery_state(0, 0), DeliveryState::Pending);
    }

    #[test]
    fn local_messages_keep_creation_order() {
        let mut t = Timeline::new();
        t.add_local(local(2, 20));
        t.add_local(local(1, 10));
        t.add_local(local(1, 10));
        assert_eq!(ids(&t), [1, 2]);
        assert!(t.remove_local(Uuid::from_u128(1)).is_some());
        assert_eq!(ids(&t), [2]);
    }
}
