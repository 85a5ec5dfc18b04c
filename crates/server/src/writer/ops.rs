//! The writes the writer applies inside a group's transaction: sending a message, claiming
//! or assigning, closing, rating, returning an orphaned conversation to the queue, read /
//! delivery receipts, and blocking a visitor.
//!
//! Each write runs its checks first and writes only after the last one: a refusal (an
//! [`Error::Client`]: not found, ended, conflict, ...) leaves nothing behind in the open
//! transaction, so the group can go on with the next write and commit the others. Only a
//! database failure can interrupt a write half-way; [`super::group`] handles that case.
//!
//! Nothing here publishes: what a write means for subscribers is returned in [`Applied`] and
//! fanned out only after the group has committed.

use tidings_protocol::{ErrorCode, Message, Sender};
use uuid::Uuid;

use tidings_protocol::ConversationStatus;

use super::tx::{Head, Tx};
use crate::auth::{AgentIdentity, Principal};
use crate::error::{Error, Result};
use crate::store::now_millis;
use crate::store::read_state::{ReadState, Side};

/// A change for the writer to store.
#[derive(Debug, Clone)]
pub enum Write {
    /// A message (body already validated). Idempotent by `id`. A file message carries its
    /// `attachment`, already stored under the same id (see `crate::attachments`).
    Send {
        principal: Principal,
        id: Uuid,
        conversation_id: Option<Uuid>,
        body: String,
        attachment: Option<tidings_protocol::Attachment>,
    },
    /// Gives the conversation to `assignee`, with a "joined" notice: a claim (`claim`:
    /// refused when someone else has it) or an admin's assignment.
    Give {
        by: Principal,
        conversation_id: Uuid,
        assignee: AgentIdentity,
        claim: bool,
    },
    /// Ends the conversation (with `only_waiting`, only while it is waiting: a bulk close
    /// of the queue must not end a chat someone claimed meanwhile).
    Close {
        agent: AgentIdentity,
        conversation_id: Uuid,
        only_waiting: bool,
    },
    /// Blocks (or unblocks) a visitor; blocking ends their waiting conversations.
    Block {
        agent: AgentIdentity,
        visitor_id: Uuid,
        blocked: bool,
    },
    /// The visitor's rating of an ended conversation (values already validated).
    Rate {
        visitor_id: Uuid,
        conversation_id: Uuid,
        rating: u8,
        feedback: Option<String>,
    },
    /// Returns a conversation left active without an agent (its agent was removed) to the
    /// queue. Does nothing to one that is not in that state (any more).
    Requeue { conversation_id: Uuid },
    /// Moves one side's read and/or delivered seq forward.
    Mark {
        principal: Principal,
        conversation_id: Uuid,
        read_seq: u64,
        delivered_seq: u64,
    },
    /// Changes nothing, but its commit must reach the disk: `/healthz` asks whether the
    /// database can store writes again after they failed.
    Probe,
    /// A private note (body already validated): a message with the next seq that only
    /// agents receive. Idempotent by `id`, like a send. Rules in `notes.rs`.
    Note {
        agent: AgentIdentity,
        id: Uuid,
        conversation_id: Uuid,
        body: String,
    },
    /// The holder (or an admin) hands the conversation to `to`, or with `None` puts it back
    /// in the waiting queue; `note` (id, validated body) is stored first as a private note.
    /// Rules in `notes.rs`.
    Transfer {
        by: AgentIdentity,
        conversation_id: Uuid,
        to: Option<AgentIdentity>,
        note: Option<(Uuid, String)>,
    },
}

/// What a committed write did, for the caller to answer and announce.
#[derive(Debug, Clone)]
pub enum Written {
    /// The stored message (or, for a repeated id, the one stored before).
    Sent {
        message: Message,
        /// `None` for a repeated id: nothing changed.
        news: Option<SentNews>,
    },
    /// `changed` is false when the conversation already was the assignee's.
    Given {
        changed: bool,
    },
    /// `changed` is false when it had already ended.
    Closed {
        changed: bool,
    },
    Rated,
    /// `changed` is false when it was not active without an agent.
    Requeued {
        changed: bool,
    },
    /// `changed`: the visitor's blocked state changed; `ended`: the waiting conversations
    /// the block ended.
    Blocked {
        changed: bool,
        ended: Vec<Uuid>,
    },
    Marked {
        side: Side,
        after: ReadState,
        read_changed: bool,
    },
    Probed,
    /// The stored note (or, for a repeated id, the one stored before: `new` is false).
    Noted {
        message: Message,
        new: bool,
    },
    /// `to_queue`: it went back to the waiting queue rather than to another agent.
    Transferred {
        to_queue: bool,
    },
}

impl Written {
    /// Whether the write stored something (its commit had to reach the disk).
    pub fn stored_something(&self) -> bool {
        match self {
            Written::Sent { news, .. } => news.is_some(),
            Written::Given { changed }
            | Written::Closed { changed }
            | Written::Requeued { changed } => *changed,
            Written::Rated | Written::Probed | Written::Transferred { .. } => true,
            Written::Noted { new, .. } => *new,
            Written::Blocked { changed, ended } => *changed || !ended.is_empty(),
            // Receipts may change nothing; they decide nothing here.
            Written::Marked { .. } => false,
        }
    }
}

/// What a new message changed besides itself.
#[derive(Debug, Clone, Copy)]
pub struct SentNews {
    pub visitor_id: Uuid,
    /// The visitor's first message opened a new conversation.
    pub created: bool,
    /// An agent's first reply claimed a waiting conversation (a "joined" notice came first).
    pub claimed: bool,
}

/// A write applied in the open transaction, not yet committed.
#[derive(Debug)]
pub struct Applied {
    pub written: Written,
    /// Messages to fan out, in seq order, once the group has committed.
    pub publish: Vec<Message>,
}

/// Applies one write on the writer's connection, inside the group's transaction.
pub fn apply<T: Tx>(tx: &mut T, write: &Write) -> Result<Applied> {
    match write {
        Write::Send {
            principal,
            id,
            conversation_id,
            body,
            attachment,
        } => send(
            tx,
            principal,
            *id,
            *conversation_id,
            body,
            attachment.as_ref(),
        ),
        Write::Give {
            by,
            conversation_id,
            assignee,
            claim,
        } => give(tx, by, *conversation_id, assignee, *claim),
        Write::Close {
            agent,
            conversation_id,
            only_waiting,
        } => close(tx, agent, *conversation_id, *only_waiting),
        Write::Block {
            agent,
            visitor_id,
            blocked,
        } => block(tx, agent, *visitor_id, *blocked),
        Write::Rate {
            visitor_id,
            conversation_id,
            rating,
            feedback,
        } => rate(
            tx,
            *visitor_id,
            *conversation_id,
            *rating,
            feedback.as_deref(),
        ),
        Write::Requeue { conversation_id } => requeue(tx, *conversation_id),
        Write::Mark {
            principal,
            conversation_id,
            read_seq,
            delivered_seq,
        } => mark(tx, principal, *conversation_id, *read_seq, *delivered_seq),
        Write::Probe => {
            tx.touch()?;
            Ok(just(Written::Probed))
        }
        Write::Note {
            agent,
            id,
            conversation_id,
            body,
        } => super::notes::note(tx, agent, *id, *conversation_id, body),
        Write::Transfer {
            by,
            conversation_id,
            to,
            note,
        } => super::notes::transfer(tx, by, *conversation_id, to.as_ref(), note.as_ref()),
    }
}

pub(super) fn just(written: Written) -> Applied {
    Applied {
        written,
        publish: Vec::new(),
    }
}

fn may_see(principal: &Principal, head: &Head) -> bool {
    match principal {
        Principal::Visitor { id } => head.visitor_id == *id,
        Principal::Agent(agent) => head.agent_may_see(agent.id, agent.is_admin),
    }
}

/// The conversation's head, or `not_found` when it is missing or not visible.
pub(super) fn visible<T: Tx>(tx: &mut T, principal: &Principal, id: Uuid) -> Result<Head> {
    tx.head(id)?
        .filter(|h| may_see(principal, h))
        .ok_or_else(|| Error::not_found("conversation"))
}

/// A system notice "<name> joined the chat" at `seq`.
pub(super) fn joined_notice<T: Tx>(
    tx: &mut T,
    conversation_id: Uuid,
    agent: &AgentIdentity,
    seq: u64,
    now: i64,
) -> Result<Message> {
    let notice = Message {
        id: Uuid::new_v4(),
        conversation_id,
        seq,
        sender: Sender::System,
        author_name: None,
        agent_id: Some(agent.id),
        body: format!("{} joined the chat", agent.name),
        created_at: now,
        attachment: None,
    };
    tx.insert_message(&notice)?;
    tx.record_message(conversation_id, seq, None, now)?;
    Ok(notice)
}

/// What a blocked visitor's send is refused with (the error frame names the message).
fn blocked_refusal() -> Error {
    Error::client(
        ErrorCode::Forbidden,
        "this message was not sent: this chat is blocked for you",
    )
}

/// Stores a message: idempotent by id, the next seq of its conversation, and an agent's
/// first reply to a waiting conversation claims it (the "joined" notice takes the seq
/// before the reply).
fn send<T: Tx>(
    tx: &mut T,
    principal: &Principal,
    id: Uuid,
    conversation_id: Option<Uuid>,
    body: &str,
    attachment: Option<&tidings_protocol::Attachment>,
) -> Result<Applied> {
    if let Some(mut existing) = tx.message_by_id(id)? {
        // The writer's own read leaves attachments out; a retried file message answers
        // with the file it carries.
        existing.attachment = attachment.cloned();
        let head = tx.head(existing.conversation_id)?;
        // Its own sender's retry always gets the original ack, even once the conversation
        // went to another agent or ended: a refusal would show the message as failed, and
        // a resend under a new id would store it twice.
        let own = match principal {
            Principal::Visitor { id: visitor } => {
                existing.sender == Sender::Visitor
                    && head.as_ref().is_some_and(|h| h.visitor_id == *visitor)
            }
            Principal::Agent(agent) => existing.agent_id == Some(agent.id),
        };
        if !own && !head.is_some_and(|h| may_see(principal, &h)) {
            return Err(Error::client(
                ErrorCode::Conflict,
                "this message id is already used",
            ));
        }
        crate::metrics::global()
            .messages_duplicate
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return Ok(just(Written::Sent {
            message: existing,
            news: None,
        }));
    }
    let now = now_millis();
    let (head, created) = match (principal, conversation_id) {
        (_, Some(cid)) => (visible(tx, principal, cid)?, false),
        (Principal::Visitor { id: visitor }, None) => {
            match tx.open_for_visitor(*visitor)? {
                Some(cid) => (visible(tx, principal, cid)?, false),
                None if tx.visitor_blocked(*visitor)? => return Err(blocked_refusal()),
                // The last check is behind us: a new conversation is the first write.
                None => {
                    let cid = tx.create_conversation(*visitor, now)?;
                    let head = tx
                        .head(cid)?
                        .ok_or_else(|| Error::internal("the new conversation is missing"))?;
                    (head, true)
                }
            }
        }
        (Principal::Agent(_), None) => return Err(Error::invalid("conversation_id is required")),
    };
    if head.status == ConversationStatus::Ended {
        return Err(Error::client(
            ErrorCode::ConversationEnded,
            "this conversation has ended; start a new one",
        ));
    }
    if head.visitor_blocked && matches!(principal, Principal::Visitor { .. }) {
        return Err(blocked_refusal());
    }

    let mut seq = head.last_seq;
    let mut publish = Vec::with_capacity(1);
    let (sender, agent_id, author_name) = match principal {
        Principal::Visitor { .. } => (Sender::Visitor, None, head.visitor_name.clone()),
        Principal::Agent(agent) => {
            // Visibility (checked above) already keeps plain agents out of conversations
            // assigned to someone else; admins may write in any.
            if head.status == ConversationStatus::Waiting {
                tx.assign(head.id, agent.id, now)?;
                seq += 1;
                publish.push(joined_notice(tx, head.id, agent, seq, now)?);
            }
            (Sender::Agent, Some(agent.id), Some(agent.name.clone()))
        }
    };
    seq += 1;
    let message = Message {
        id,
        conversation_id: head.id,
        seq,
        sender,
        author_name,
        agent_id,
        body: body.to_string(),
        created_at: now,
        attachment: attachment.cloned(),
    };
    tx.insert_message(&message)?;
    tx.record_message(head.id, seq, Some(&message.body), now)?;
    let claimed = !publish.is_empty();
    publish.push(message.clone());
    Ok(Applied {
        written: Written::Sent {
            message,
            news: Some(SentNews {
                visitor_id: head.visitor_id,
                created,
                claimed,
            }),
        },
        publish,
    })
}

/// Gives a conversation to `assignee` (see [`Write::Give`]).
fn give<T: Tx>(
    tx: &mut T,
    by: &Principal,
    conversation_id: Uuid,
    assignee: &AgentIdentity,
    claim: bool,
) -> Result<Applied> {
    let head = visible(tx, by, conversation_id)?;
    match head.status {
        ConversationStatus::Ended => {
            return Err(Error::client(
                ErrorCode::ConversationEnded,
                "this conversation has ended",
            ))
        }
        // Already theirs: claiming twice is not an error.
        ConversationStatus::Active if head.assigned_agent_id == Some(assignee.id) => {
            return Ok(just(Written::Given { changed: false }))
        }
        ConversationStatus::Active if claim => {
            return Err(Error::client(
                ErrorCode::Conflict,
                "another agent has already claimed this conversation",
            ));
        }
        _ => {}
    }
    let now = now_millis();
    tx.assign(conversation_id, assignee.id, now)?;
    let notice = joined_notice(tx, conversation_id, assignee, head.last_seq + 1, now)?;
    Ok(Applied {
        written: Written::Given { changed: true },
        publish: vec![notice],
    })
}

fn close<T: Tx>(
    tx: &mut T,
    agent: &AgentIdentity,
    conversation_id: Uuid,
    only_waiting: bool,
) -> Result<Applied> {
    let head = visible(tx, &Principal::Agent(agent.clone()), conversation_id)?;
    if head.status == ConversationStatus::Ended {
        return Ok(just(Written::Closed { changed: false }));
    }
    if only_waiting && head.status != ConversationStatus::Waiting {
        return Err(Error::client(
            ErrorCode::Conflict,
            "this conversation is no longer waiting",
        ));
    }
    tx.end(conversation_id, agent.id, now_millis())?;
    Ok(just(Written::Closed { changed: true }))
}

fn requeue<T: Tx>(tx: &mut T, conversation_id: Uuid) -> Result<Applied> {
    let orphaned = tx
        .head(conversation_id)?
        .is_some_and(|h| h.status == ConversationStatus::Active && h.assigned_agent_id.is_none());
    if orphaned {
        tx.requeue(conversation_id, now_millis())?;
    }
    Ok(just(Written::Requeued { changed: orphaned }))
}

/// Blocks or unblocks a visitor, for an agent who may see one of their conversations
/// (admins: any visitor). Blocking ends the visitor's waiting conversations, so they leave
/// the queue; active ones stay with their agents (who may close them), but the visitor's
/// sends are refused everywhere.
fn block<T: Tx>(
    tx: &mut T,
    agent: &AgentIdentity,
    visitor_id: Uuid,
    blocked: bool,
) -> Result<Applied> {
    let conversations = tx.visitor_conversations(visitor_id)?;
    let sees_one = conversations
        .iter()
        .any(|h| h.agent_may_see(agent.id, agent.is_admin));
    if !agent.is_admin && !sees_one {
        return Err(Error::not_found("visitor"));
    }
    let was_blocked = match conversations.first() {
        Some(head) => head.visitor_blocked,
        None => tx.visitor_blocked(visitor_id)?,
    };
    let now = now_millis();
    // The first write: an unknown visitor (only an admin gets this far) changes nothing.
    if !tx.set_blocked(visitor_id, blocked.then_some(now))? {
        return Err(Error::not_found("visitor"));
    }
    let mut ended = Vec::new();
    if blocked {
        for head in conversations
            .iter()
            .filter(|h| h.status == ConversationStatus::Waiting)
        {
            tx.end(head.id, agent.id, now)?;
            ended.push(head.id);
        }
    }
    Ok(just(Written::Blocked {
        changed: was_blocked != blocked,
        ended,
    }))
}

fn rate<T: Tx>(
    tx: &mut T,
    visitor_id: Uuid,
    conversation_id: Uuid,
    rating: u8,
    feedback: Option<&str>,
) -> Result<Applied> {
    let head = visible(tx, &Principal::Visitor { id: visitor_id }, conversation_id)?;
    if head.status != ConversationStatus::Ended {
        return Err(Error::client(
            ErrorCode::Conflict,
            "a conversation can be rated once it has ended",
        ));
    }
    tx.rate(conversation_id, rating, feedback)?;
    Ok(just(Written::Rated))
}

fn mark<T: Tx>(
    tx: &mut T,
    principal: &Principal,
    conversation_id: Uuid,
    read_seq: u64,
    delivered_seq: u64,
) -> Result<Applied> {
    let side = match principal {
        Principal::Visitor { .. } => Side::Visitor,
        Principal::Agent(_) => Side::Agent,
    };
    let head = visible(tx, principal, conversation_id)?;
    let before = tx.read_state(conversation_id, side)?;
    let after = tx.advance_read_state(
        conversation_id,
        side,
        read_seq,
        delivered_seq,
        head.last_seq,
    )?;
    Ok(just(Written::Marked {
        side,
        after,
        read_changed: after.read_seq != before.read_seq,
    }))
}
