//! What the writer needs from a database, whichever engine it is: transaction control and
//! the queries of [`super::ops`]. `sqlite.rs` and `postgres.rs` implement it; the rules
//! (checks, seq allocation, claims) are written once, in `ops`, against this trait.
//!
//! Every method runs inside the group's open transaction. An implementation for a database
//! that several nodes share must make [`Tx::head`] lock the conversation until the
//! transaction ends (so two nodes allocate seqs one after the other, never the same one),
//! and [`Tx::open_for_visitor`] lock the visitor (so two nodes never open two conversations
//! for one visitor at once).

use tidings_protocol::{ConversationStatus, Message, Sender};
use uuid::Uuid;

use crate::error::Result;
use crate::store::read_state::{ReadState, Side};

/// Longest preview kept of the latest message, in characters.
pub const PREVIEW_CHARS: usize = 140;

/// The preview stored for a message body.
pub fn preview(body: &str) -> String {
    body.chars().take(PREVIEW_CHARS).collect()
}

/// How a sender is stored. A private note is stored as an agent's message with `is_note`
/// set ([`is_note`]); reads give it back as `note` by selecting
/// `CASE WHEN is_note = 1 THEN 'note' ELSE sender END AS sender`.
pub fn sender_str(sender: Sender) -> &'static str {
    match sender {
        Sender::Visitor => "visitor",
        Sender::Agent | Sender::Note => "agent",
        Sender::System => "system",
    }
}

/// The stored `is_note` of a message from this sender.
pub fn is_note(sender: Sender) -> i64 {
    i64::from(sender == Sender::Note)
}

/// Reads a stored sender.
pub fn parse_sender(text: &str) -> Option<Sender> {
    match text {
        "visitor" => Some(Sender::Visitor),
        "agent" => Some(Sender::Agent),
        "system" => Some(Sender::System),
        "note" => Some(Sender::Note),
        _ => None,
    }
}

/// What a write needs to know of a conversation: who owns it, who may see it, its last seq.
#[derive(Debug, Clone)]
pub struct Head {
    pub id: Uuid,
    pub visitor_id: Uuid,
    pub status: ConversationStatus,
    pub assigned_agent_id: Option<Uuid>,
    pub last_seq: u64,
    pub visitor_name: Option<String>,
    /// An agent blocked the visitor: their sends are refused.
    pub visitor_blocked: bool,
}

impl Head {
    /// Whether an agent may see it (the rule of [`crate::auth::agent_may_see`]).
    pub fn agent_may_see(&self, agent_id: Uuid, is_admin: bool) -> bool {
        is_admin
            || self.status == ConversationStatus::Waiting
            || self.assigned_agent_id == Some(agent_id)
    }
}

/// The writer's connection to its database.
pub trait Tx {
    /// Opens the group's transaction.
    fn begin(&mut self) -> Result<()>;
    /// Told, right after [`Tx::begin`], which writes the group will apply, so that an
    /// implementation where every statement is a round trip can read (and lock) what they
    /// need at once (see `postgres.rs`). Nothing to do where statements are cheap.
    fn prepare(&mut self, _writes: &[&super::Write]) -> Result<()> {
        Ok(())
    }
    fn commit(&mut self) -> Result<()>;
    /// Rolls back the open transaction, if there is one.
    fn rollback(&mut self);
    fn savepoint(&mut self) -> Result<()>;
    fn rollback_to_savepoint(&mut self) -> Result<()>;
    fn release_savepoint(&mut self) -> Result<()>;
    /// Whether other nodes follow this database: then the writer tells them, inside the
    /// transaction, what each write did ([`Tx::notify`]).
    fn shared(&self) -> bool {
        false
    }
    /// Sends a notification to the other nodes when (and only if) the transaction commits.
    fn notify(&mut self, _note: &crate::cluster::note::Note) -> Result<()> {
        Ok(())
    }
    fn close(self);
    /// A write that changes nothing, but whose commit still has to reach the disk (the
    /// health probe's, see `Writer::probe`).
    fn touch(&mut self) -> Result<()>;

    /// The stored message with this client id, in whatever conversation.
    fn message_by_id(&mut self, id: Uuid) -> Result<Option<Message>>;
    /// The [`Head`] of a conversation (locked until the transaction ends where that matters).
    fn head(&mut self, id: Uuid) -> Result<Option<Head>>;
    /// The visitor's newest open (waiting or active) conversation, if any.
    fn open_for_visitor(&mut self, visitor_id: Uuid) -> Result<Option<Uuid>>;
    /// Whether an agent blocked the visitor (false for an unknown visitor).
    fn visitor_blocked(&mut self, visitor_id: Uuid) -> Result<bool>;
    /// Every conversation of a visitor (locked until the transaction ends where that
    /// matters), oldest first.
    fn visitor_conversations(&mut self, visitor_id: Uuid) -> Result<Vec<Head>>;
    /// Blocks (`Some(when)`) or unblocks (`None`) a visitor. Returns whether the visitor
    /// exists; an already blocked visitor keeps their first `blocked_at`.
    fn set_blocked(&mut self, visitor_id: Uuid, blocked_at: Option<i64>) -> Result<bool>;
    /// A new waiting conversation, carrying the visitor's page URL and browser; `not_found`
    /// for a visitor joined to a verified one (`store::visitors::bind_user`), whose sockets
    /// are being closed so its browser comes back as the verified visitor.
    fn create_conversation(&mut self, visitor_id: Uuid, now: i64) -> Result<Uuid>;
    /// Inserts a message whose seq the caller allocated in the same transaction.
    fn insert_message(&mut self, message: &Message) -> Result<()>;
    /// Records a newly stored message as the conversation's latest.
    fn record_message(&mut self, id: Uuid, seq: u64, preview: Option<&str>, now: i64)
        -> Result<()>;
    /// Gives the conversation to an agent and makes it active.
    fn assign(&mut self, id: Uuid, agent_id: Uuid, now: i64) -> Result<()>;
    /// Ends the conversation; one never assigned is given to the agent who closed it, so
    /// it stays visible to them.
    fn end(&mut self, id: Uuid, closed_by: Uuid, now: i64) -> Result<()>;
    /// Returns an active conversation to the queue: waiting, with no agent. The status
    /// change is its latest activity (consoles take the waiting copy as the newer one by it).
    fn requeue(&mut self, id: Uuid, now: i64) -> Result<()>;
    /// Stores the visitor's rating and feedback.
    fn rate(&mut self, id: Uuid, rating: u8, feedback: Option<&str>) -> Result<()>;
    /// A side's read and delivered seqs now (zero before its first receipt).
    fn read_state(&mut self, conversation_id: Uuid, side: Side) -> Result<ReadState>;
    /// Moves a side's read and/or delivered seq forward (clamped to the last seq; reading
    /// implies delivery; values never move back). Returns the resulting state.
    fn advance_read_state(
        &mut self,
        conversation_id: Uuid,
        side: Side,
        read_seq: u64,
        delivered_seq: u64,
        last_seq: u64,
    ) -> Result<ReadState>;
}
