//! The outbox: messages written but not yet acknowledged by the server.
//!
//! Every entry is stored under its own key (`<prefix><message id>`) before anything is sent,
//! so a reload, a closed tab or a second tab writing at the same time never loses or
//! overwrites one. Storage is the source of truth and is re-read on every call, because
//! other tabs add and remove entries too. What is only this tab's business — which entry
//! is on the wire right now — is kept in memory.
//!
//! Flushing is one entry at a time, oldest first: [`Outbox::next_to_send`] hands out the
//! oldest pending entry and then nothing until [`Outbox::acknowledge`] or
//! [`Outbox::refuse`] settles it, or [`Outbox::connection_lost`] says the wire is gone
//! (then the same entry is handed out again; the server stores a re-sent id once). That
//! keeps messages in order even across reconnects, and exactly once together with the
//! server's idempotency.

use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use tidings_protocol::{ErrorCode, Millis};
use tidings_wire::FromJson;
use tidings_wire_derive::Wire;
use uuid::Uuid;

use crate::json;

/// A small key-value store: `localStorage` in the browser, a `HashMap` in tests.
pub trait Storage {
    fn get(&self, key: &str) -> Option<String>;
    /// Fails when the store is full or unavailable (private mode, quota).
    fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError>;
    fn remove(&mut self, key: &str);
    /// Every key currently stored, in no particular order.
    fn keys(&self) -> Vec<String>;
}

/// The store refused a write; the message was *not* queued and the caller must say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError(pub String);

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "storage unavailable: {}", self.0)
    }
}

/// An in-memory [`Storage`], for tests and as a fallback when no storage is available.
/// A list, not a hash map: it holds a token and a few unsent messages, and a `HashMap`
/// of strings would add its own code to the wasm for that.
#[derive(Debug, Clone, Default)]
pub struct MemoryStorage {
    entries: Vec<(String, String)>,
}

impl Storage for MemoryStorage {
    fn get(&self, key: &str) -> Option<String> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError> {
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value.to_owned(),
            None => self.entries.push((key.to_owned(), value.to_owned())),
        }
        Ok(())
    }
    fn remove(&mut self, key: &str) {
        self.entries.retain(|(k, _)| k != key);
    }
    fn keys(&self) -> Vec<String> {
        self.entries.iter().map(|(k, _)| k.clone()).collect()
    }
}

/// One store shared by several owners (the outbox, the token, the runtime that chose
/// it): clones see the same entries. The widget picks the store at start (its own
/// `localStorage`, the host page's through the loader, or memory) and hands clones out.
#[derive(Clone)]
pub struct SharedStorage(Rc<RefCell<dyn Storage>>);

impl SharedStorage {
    pub fn new(storage: impl Storage + 'static) -> Self {
        SharedStorage(Rc::new(RefCell::new(storage)))
    }
}

impl Storage for SharedStorage {
    fn get(&self, key: &str) -> Option<String> {
        self.0.borrow().get(key)
    }
    fn set(&mut self, key: &str, value: &str) -> Result<(), StorageError> {
        self.0.borrow_mut().set(key, value)
    }
    fn remove(&mut self, key: &str) {
        self.0.borrow_mut().remove(key)
    }
    fn keys(&self) -> Vec<String> {
        self.0.borrow().keys()
    }
}

/// Where an entry stands. Offline or unacknowledged is `Pending`; only a refusal by the
/// server makes it `Failed`.
/// Stored externally tagged (`"pending"` or `{"failed": {…}}`), as serde's derive writes
/// it; the client's reader and writer are generated from the same declaration
/// (`#[derive(Wire)]`), and the tests (`outbox_format`) hold them to serde's text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Wire)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    #[default]
    Pending,
    Failed {
        code: ErrorCode,
        reason: String,
    },
}

/// Whether a refusal is passing (try the same message again later) rather than about
/// the message itself (then it is marked failed and shown with the reason).
pub fn is_transient(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::RateLimited
            | ErrorCode::Overloaded
            | ErrorCode::Internal
            | ErrorCode::NotAuthenticated
    )
}

/// One unacknowledged message, as stored (JSON) under its own key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Wire)]
pub struct OutboxEntry {
    pub id: Uuid,
    /// `None` for a visitor's message to "my open conversation (create one if needed)".
    #[serde(default)]
    pub conversation_id: Option<Uuid>,
    pub body: String,
    /// When it was written (client clock); entries flush in this order.
    pub created_at: Millis,
    /// Tie-break for entries written in the same millisecond by this tab.
    #[serde(default)]
    pub order: u32,
    #[serde(default)]
    pub state: EntryState,
}

impl OutboxEntry {
    pub fn is_pending(&self) -> bool {
        self.state == EntryState::Pending
    }

    /// Reads a stored entry (this version's or an earlier one's); `None` for anything else.
    pub fn read(text: &str) -> Option<OutboxEntry> {
        json::parse(text).as_ref().and_then(OutboxEntry::from_json)
    }
}

/// The outbox over some [`Storage`]. `prefix` separates users of one store (the widget
/// and the console on one origin, or two visitors).
pub struct Outbox<S: Storage> {
    storage: S,
    prefix: String,
    in_flight: Option<Uuid>,
    counter: u32,
}

impl<S: Storage> Outbox<S> {
    pub fn new(storage: S, prefix: impl Into<String>) -> Self {
        Outbox {
            storage,
            prefix: prefix.into(),
            in_flight: None,
            counter: 0,
        }
    }

    fn key(&self, id: Uuid) -> String {
        format!("{}{}", self.prefix, id)
    }

    /// Stores a new pending message. Call this before showing or sending it.
    pub fn enqueue(
        &mut self,
        id: Uuid,
        conversation_id: Option<Uuid>,
        body: String,
        now: Millis,
    ) -> Result<OutboxEntry, StorageError> {
        self.counter = self.counter.wrapping_add(1);
        let entry = OutboxEntry {
            id,
            conversation_id,
            body,
            created_at: now,
            order: self.counter,
            state: EntryState::Pending,
        };
        self.write(&entry)?;
        Ok(entry)
    }

    fn write(&mut self, entry: &OutboxEntry) -> Result<(), StorageError> {
        let key = self.key(entry.id);
        self.storage.set(&key, &tidings_wire::to_string(entry))
    }

    /// One entry by id, if still in the outbox.
    pub fn get(&self, id: Uuid) -> Option<OutboxEntry> {
        OutboxEntry::read(&self.storage.get(&self.key(id))?)
    }

    /// Every entry, oldest first. Unreadable keys (another version's format) are skipped.
    pub fn entries(&self) -> Vec<OutboxEntry> {
        let mut entries: Vec<OutboxEntry> = self
            .storage
            .keys()
            .into_iter()
            .filter(|k| k.starts_with(&self.prefix))
            .filter_map(|k| self.storage.get(&k))
            .filter_map(|raw| OutboxEntry::read(&raw))
            .collect();
        // The key is unique (ids are), so the smaller unstable sort gives the same order.
        entries.sort_unstable_by_key(|e| (e.created_at, e.order, e.id));
        entries
    }

    /// The entry to put on the wire now, or `None` if one is already awaiting its ack or
    /// nothing is pending. The returned entry counts as in flight from here on.
    pub fn next_to_send(&mut self) -> Option<OutboxEntry> {
        if let Some(id) = self.in_flight {
            if self.get(id).is_some_and(|e| e.is_pending()) {
                return None;
            }
            // Settled meanwhile (another tab got its ack): move on.
            self.in_flight = None;
        }
        let next = self.entries().into_iter().find(|e| e.is_pending())?;
        self.in_flight = Some(next.id);
        Some(next)
    }

    /// The id currently awaiting its ack, if any.
    pub fn in_flight(&self) -> Option<Uuid> {
        self.in_flight
    }

    /// The connection dropped: whatever was in flight may or may not have arrived, so it
    /// is sent again on the next connection (the server acknowledges a repeat once more).
    pub fn connection_lost(&mut self) {
        self.in_flight = None;
    }

    /// The server stored the message: remove it. Returns the entry if this call removed it
    /// (`None` for a repeated ack or one another tab already handled).
    pub fn acknowledge(&mut self, id: Uuid) -> Option<OutboxEntry> {
        if self.in_flight == Some(id) {
            self.in_flight = None;
        }
        let entry = self.get(id);
        let key = self.key(id);
        self.storage.remove(&key);
        entry
    }

    /// The server refused the message: keep it, marked failed with the reason, and stop
    /// sending it until [`Outbox::retry`].
    pub fn refuse(&mut self, id: Uuid, code: ErrorCode, reason: String) -> Option<OutboxEntry> {
        if self.in_flight == Some(id) {
            self.in_flight = None;
        }
        let mut entry = self.get(id)?;
        entry.state = EntryState::Failed { code, reason };
        self.write(&entry).ok()?;
        Some(entry)
    }

    /// The user asked to send a failed message again: it goes back in line as pending.
    pub fn retry(&mut self, id: Uuid) -> Option<OutboxEntry> {
        let mut entry = self.get(id)?;
        entry.state = EntryState::Pending;
        self.write(&entry).ok()?;
        Some(entry)
    }

    /// Drops an entry for good (the user discarded a failed message).
    pub fn discard(&mut self, id: Uuid) {
        if self.in_flight == Some(id) {
            self.in_flight = None;
        }
        let key = self.key(id);
        self.storage.remove(&key);
    }

    pub fn storage(&self) -> &S {
        &self.storage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_storage_clones_see_one_store() {
        let mut a = SharedStorage::new(MemoryStorage::default());
        let b = a.clone();
        let mut outbox = Outbox::new(b.clone(), "o.");
        outbox.enqueue(id(1), None, "hi".into(), 5).unwrap();
        assert_eq!(a.keys(), vec![format!("o.{}", id(1))]);
        a.remove(&format!("o.{}", id(1)));
        assert!(
            outbox.entries().is_empty(),
            "a removal through one clone is seen by all"
        );
        assert!(b.get("missing").is_none());
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn outbox() -> Outbox<MemoryStorage> {
        Outbox::new(MemoryStorage::default(), "tidings.outbox.")
    }

    #[test]
    fn flushes_in_creation_order_one_at_a_time() {
        let mut ob = outbox();
        // Ids deliberately out of order: creation time decides, not the id.
        ob.enqueue(id(3), None, "first".into(), 100).unwrap();
        ob.enqueue(id(1), None, "second".into(), 100).unwrap();
        ob.enqueue(id(2), None, "third".into(), 200).unwrap();
        let first = ob.next_to_send().unwrap();
        assert_eq!(first.body, "first");
        assert_eq!(ob.next_to_send(), None, "nothing more until the ack");
        assert_eq!(ob.acknowledge(id(3)).unwrap().body, "first");
        assert_eq!(ob.next_to_send().unwrap().body, "second");
        ob.acknowledge(id(1));
        assert_eq!(ob.next_to_send().unwrap().body, "third");
        ob.acknowledge(id(2));
        assert_eq!(ob.next_to_send(), None);
        assert!(ob.entries().is_empty());
    }

    #[test]
    fn lost_connection_resends_the_same_entry_and_repeated_ack_is_harmless() {
        let mut ob = outbox();
        ob.enqueue(id(1), None, "a".into(), 1).unwrap();
        ob.enqueue(id(2), None, "b".into(), 2).unwrap();
        assert_eq!(ob.next_to_send().unwrap().id, id(1));
        ob.connection_lost();
        assert_eq!(ob.next_to_send().unwrap().id, id(1), "sent again");
        assert!(ob.acknowledge(id(1)).is_some());
        assert!(
            ob.acknowledge(id(1)).is_none(),
            "second ack removes nothing"
        );
        assert_eq!(ob.next_to_send().unwrap().id, id(2));
    }

    #[test]
    fn refused_entry_is_kept_failed_and_skipped_until_retried() {
        let mut ob = outbox();
        ob.enqueue(id(1), None, "too long".into(), 1).unwrap();
        ob.enqueue(id(2), None, "fine".into(), 2).unwrap();
        ob.next_to_send();
        let failed = ob
            .refuse(id(1), ErrorCode::MessageTooLong, "too long".into())
            .unwrap();
        assert!(!failed.is_pending());
        assert_eq!(ob.next_to_send().unwrap().id, id(2));
        ob.acknowledge(id(2));
        assert_eq!(ob.next_to_send(), None);
        assert_eq!(ob.entries().len(), 1, "the failed one stays visible");
        ob.retry(id(1));
        assert_eq!(ob.next_to_send().unwrap().id, id(1));
    }

    #[test]
    fn survives_a_reload_and_sees_other_tabs_entries() {
        let mut tab_a = outbox();
        tab_a.enqueue(id(1), None, "from a".into(), 1).unwrap();
        // A "reload" or a second tab: a new Outbox over the same storage contents.
        let mut tab_b = Outbox::new(tab_a.storage().clone(), "tidings.outbox.");
        tab_b.enqueue(id(2), None, "from b".into(), 2).unwrap();
        let bodies: Vec<_> = tab_b.entries().into_iter().map(|e| e.body).collect();
        assert_eq!(bodies, ["from a", "from b"]);
    }

    #[test]
    fn entry_settled_elsewhere_frees_the_wire() {
        let mut ob = outbox();
        ob.enqueue(id(1), None, "a".into(), 1).unwrap();
        ob.enqueue(id(2), None, "b".into(), 2).unwrap();
        ob.next_to_send();
        // Another tab received the ack and removed the key.
        let key = format!("tidings.outbox.{}", id(1));
        ob.storage.remove(&key);
        assert_eq!(ob.next_to_send().unwrap().id, id(2));
    }

    #[test]
    fn only_passing_refusals_are_transient() {
        assert!(is_transient(ErrorCode::RateLimited));
        assert!(is_transient(ErrorCode::Overloaded));
        assert!(is_transient(ErrorCode::Internal));
        assert!(!is_transient(ErrorCode::MessageTooLong));
        assert!(!is_transient(ErrorCode::ConversationEnded));
    }

    #[test]
    fn ignores_foreign_and_corrupt_keys() {
        let mut storage = MemoryStorage::default();
        storage.set("other.key", "{}").unwrap();
        storage.set("tidings.outbox.garbage", "not json").unwrap();
        let mut ob = Outbox::new(storage, "tidings.outbox.");
        ob.enqueue(id(1), Some(id(9)), "ok".into(), 1).unwrap();
        let entries = ob.entries();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].conversation_id, Some(id(9)));
    }
}
