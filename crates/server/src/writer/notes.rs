//! The rules of the two writes agents make for each other rather than for the visitor:
//! a private note (a message with the next seq, stored as a note, which every path a
//! visitor reads leaves out) and a transfer (the holder hands the conversation to another
//! agent, with the "joined" notice an assignment stores, or puts it back in the queue).
//!
//! A note takes a seq of the conversation's one sequence, so the console resumes notes and
//! messages alike; a visitor is told a hidden seq is covered with a `synced` frame instead
//! (see `hub::fanout` and docs/ARCHITECTURE.md "Private notes").

use tidings_protocol::{ConversationStatus, ErrorCode, Message, Sender};
use uuid::Uuid;

use super::ops::{joined_notice, just, visible, Applied, Written};
use super::tx::Tx;
use crate::auth::{AgentIdentity, Principal};
use crate::error::{Error, Result};
use crate::store::now_millis;

/// Stores a private note by `agent`, who must see the conversation (ended ones too: a
/// note after the chat is a note for the team). A repeated id answers with the note stored
/// before, for its author; anyone else's id is a conflict.
pub(super) fn note<T: Tx>(
    tx: &mut T,
    agent: &AgentIdentity,
    id: Uuid,
    conversation_id: Uuid,
    body: &str,
) -> Result<Applied> {
    if let Some(existing) = tx.message_by_id(id)? {
        if existing.sender == Sender::Note && existing.agent_id == Some(agent.id) {
            return Ok(just(Written::Noted {
                message: existing,
                new: false,
            }));
        }
        return Err(Error::client(
            ErrorCode::Conflict,
            "this message id is already used",
        ));
    }
    let head = visible(tx, &Principal::Agent(agent.clone()), conversation_id)?;
    let message = store_note(
        tx,
        id,
        head.id,
        head.last_seq + 1,
        agent,
        body,
        now_millis(),
    )?;
    Ok(Applied {
        written: Written::Noted {
            message: message.clone(),
            new: true,
        },
        publish: vec![message],
    })
}

/// Inserts a note at `seq`. It keeps the conversation's preview: lists (the visitor's
/// too) show the latest message a visitor may read.
fn store_note<T: Tx>(
    tx: &mut T,
    id: Uuid,
    conversation_id: Uuid,
    seq: u64,
    agent: &AgentIdentity,
    body: &str,
    now: i64,
) -> Result<Message> {
    let note = Message {
        id,
        conversation_id,
        seq,
        sender: Sender::Note,
        author_name: Some(agent.name.clone()),
        agent_id: Some(agent.id),
        body: body.to_string(),
        created_at: now,
        attachment: None,
    };
    tx.insert_message(&note)?;
    tx.record_message(conversation_id, seq, None, now)?;
    Ok(note)
}

/// Hands an active conversation to `to` (or, with `None`, back to the waiting queue). Only
/// its holder or an admin may; handing it to the agent who holds it, or returning one that
/// waits already, is a conflict. The note, if any, comes first, then the "joined" notice.
pub(super) fn transfer<T: Tx>(
    tx: &mut T,
    by: &AgentIdentity,
    conversation_id: Uuid,
    to: Option<&AgentIdentity>,
    note: Option<&(Uuid, String)>,
) -> Result<Applied> {
    let head = visible(tx, &Principal::Agent(by.clone()), conversation_id)?;
    if head.status == ConversationStatus::Ended {
        return Err(Error::client(
            ErrorCode::ConversationEnded,
            "this conversation has ended",
        ));
    }
    if !by.is_admin && head.assigned_agent_id != Some(by.id) {
        return Err(Error::forbidden(
            "only the agent holding this conversation (or an admin) can transfer it",
        ));
    }
    match to {
        Some(target) if head.assigned_agent_id == Some(target.id) => {
            return Err(Error::client(
                ErrorCode::Conflict,
                "this agent already holds the conversation",
            ))
        }
        None if head.status == ConversationStatus::Waiting => {
            return Err(Error::client(
                ErrorCode::Conflict,
                "this conversation is already waiting in the queue",
            ))
        }
        _ => {}
    }
    // The last check is behind us: writes from here on.
    let now = now_millis();
    let mut seq = head.last_seq;
    let mut publish = Vec::with_capacity(2);
    if let Some((id, body)) = note {
        seq += 1;
        publish.push(store_note(tx, *id, head.id, seq, by, body, now)?);
    }
    match to {
        Some(target) => {
            tx.assign(head.id, target.id, now)?;
            publish.push(joined_notice(tx, head.id, target, seq + 1, now)?);
        }
        None => tx.requeue(head.id, now)?,
    }
    Ok(Applied {
        written: Written::Transferred {
            to_queue: to.is_none(),
        },
        publish,
    })
}
