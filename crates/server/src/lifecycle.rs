//! Conversation state changes besides sending: claim, assign, close (one, or waiting ones
//! in bulk), rate, blocking a visitor, read / delivery receipts, and returning a removed
//! agent's conversations to the queue. Each is checked, queued for the writer
//! ([`crate::writer`]), and once committed announced: `conversation` frames to everyone
//! concerned, followers who lost sight of the conversation dropped, receipts to the other
//! side.

use tidings_protocol::limits::MAX_FEEDBACK_CHARS;
use tidings_protocol::{Conversation, ConversationEvent, ErrorCode, ServerFrame};
use uuid::Uuid;

use crate::auth::{AgentIdentity, Principal};
use crate::chat::announce;
use crate::error::{Error, Result};
use crate::hub::ConnId;
use crate::store::{agents, conversations};
use crate::writer::{Write, Written};
use crate::AppState;

/// Announces a change to everyone concerned and drops followers who lost sight of the
/// conversation (also for changes made on another node, see `cluster::follow`). It runs as
/// a task of its own, so a caller that goes away (an HTTP client hanging up once the change
/// is committed) cannot leave followers who lost sight of the conversation behind.
pub(crate) async fn finish(
    state: &AppState,
    id: Uuid,
    event: ConversationEvent,
) -> Result<Conversation> {
    let state = state.clone();
    tokio::spawn(async move { finish_here(&state, id, event).await })
        .await
        .map_err(|e| Error::internal(format!("announcing a change failed: {e}")))?
}

async fn finish_here(state: &AppState, id: Uuid, event: ConversationEvent) -> Result<Conversation> {
    let conversation = announce(state, id, event)
        .await?
        .ok_or_else(|| Error::not_found("conversation"))?;
    // Every change here may narrow who sees it (an admin closing a waiting chat hides it
    // from plain agents), and revoking is idempotent, so it is not tied to the event.
    state.hub.revoke_followers(&conversation);
    Ok(conversation)
}

fn unexpected() -> Error {
    Error::internal("the writer answered with another kind of write")
}

/// Gives `conversation_id` to `assignee`, storing the "joined" notice. `by` must see it.
async fn give(
    state: &AppState,
    by: &AgentIdentity,
    conversation_id: Uuid,
    assignee: &AgentIdentity,
    event: ConversationEvent,
) -> Result<Conversation> {
    let written = state
        .writer
        .submit(Write::Give {
            by: Principal::Agent(by.clone()),
            conversation_id,
            assignee: assignee.clone(),
            claim: event == ConversationEvent::Claimed,
        })
        .await?;
    let Written::Given { changed } = written else {
        return Err(unexpected());
    };
    let event = if changed {
        event
    } else {
        ConversationEvent::Updated
    };
    finish(state, conversation_id, event).await
}

/// An agent takes a waiting conversation without replying.
pub async fn claim(
    state: &AppState,
    agent: &AgentIdentity,
    conversation_id: Uuid,
) -> Result<Conversation> {
    give(
        state,
        agent,
        conversation_id,
        agent,
        ConversationEvent::Claimed,
    )
    .await
}

/// An admin gives a conversation to an agent.
pub async fn assign(
    state: &AppState,
    admin: &AgentIdentity,
    conversation_id: Uuid,
    agent_id: Uuid,
) -> Result<Conversation> {
    if !admin.is_admin {
        return Err(Error::forbidden("only admins can assign conversations"));
    }
    let assignee = agents::by_id(&state.pool, agent_id)
        .await?
        .ok_or_else(|| Error::not_found("agent"))?;
    give(
        state,
        admin,
        conversation_id,
        &assignee,
        ConversationEvent::Assigned,
    )
    .await
}

/// An agent ends a conversation; the visitor is then asked for a rating.
pub async fn close(
    state: &AppState,
    agent: &AgentIdentity,
    conversation_id: Uuid,
) -> Result<Conversation> {
    let written = state
        .writer
        .submit(Write::Close {
            agent: agent.clone(),
            conversation_id,
            only_waiting: false,
        })
        .await?;
    let Written::Closed { changed } = written else {
        return Err(unexpected());
    };
    let event = if changed {
        ConversationEvent::Ended
    } else {
        ConversationEvent::Updated
    };
    finish(state, conversation_id, event).await
}

/// Waiting conversations closed at once, at most this many per request.
pub const MAX_BULK_CLOSE: usize = 200;

/// Closes at most this many at a time: they share the writer's groups, and leave room in
/// its queue for everyone else's writes.
const BULK_CLOSE_IN_FLIGHT: usize = 16;

/// Closes waiting conversations in bulk (a flood in the queue). Each is closed through the
/// writer and announced as a single close is; one that is no longer waiting (claimed
/// meanwhile), already ended, or not visible is skipped. Returns (closed, skipped), in the
/// order asked. A passing failure (`overloaded`, storage) stops the request with that error:
/// closes are idempotent, so the client sends the same list again.
pub async fn close_waiting(
    state: &AppState,
    agent: &AgentIdentity,
    ids: &[Uuid],
) -> Result<(Vec<Uuid>, Vec<Uuid>)> {
    use futures_util::stream::{self, StreamExt};
    if ids.len() > MAX_BULK_CLOSE {
        return Err(Error::invalid(format!(
            "at most {MAX_BULK_CLOSE} conversations can be closed at once"
        )));
    }
    let mut unique = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    let outcomes: Vec<(Uuid, Result<bool>)> = stream::iter(unique)
        .map(|id| async move {
            let written = state
                .writer
                .submit(Write::Close {
                    agent: agent.clone(),
                    conversation_id: id,
                    only_waiting: true,
                })
                .await;
            let outcome = match written {
                Ok(Written::Closed { changed: true }) => {
                    finish(state, id, ConversationEvent::Ended)
                        .await
                        .map(|_| true)
                }
                Ok(Written::Closed { changed: false }) => Ok(false),
                Ok(_) => Err(unexpected()),
                // Refusals about this conversation (not found, no longer waiting) skip
                // it; passing ones (`overloaded`, storage failing) fail the request.
                Err(Error::Client { code, .. })
                    if !matches!(code, ErrorCode::Overloaded | ErrorCode::Internal) =>
                {
                    Ok(false)
                }
                Err(e) => Err(e),
            };
            (id, outcome)
        })
        .buffered(BULK_CLOSE_IN_FLIGHT)
        .collect()
        .await;
    let (mut closed, mut skipped) = (Vec::new(), Vec::new());
    for (id, outcome) in outcomes {
        if outcome? {
            closed.push(id);
        } else {
            skipped.push(id);
        }
    }
    Ok((closed, skipped))
}

/// Blocks (or unblocks) a visitor: their sends are then refused, and blocking ends their
/// waiting conversations, announced like any close so they leave every agent's queue.
/// For an agent who may see one of the visitor's conversations; admins for any visitor.
/// Returns the conversations it ended.
pub async fn block(
    state: &AppState,
    agent: &AgentIdentity,
    visitor_id: Uuid,
    blocked: bool,
) -> Result<Vec<Uuid>> {
    let written = state
        .writer
        .submit(Write::Block {
            agent: agent.clone(),
            visitor_id,
            blocked,
        })
        .await?;
    let Written::Blocked { ended, .. } = written else {
        return Err(unexpected());
    };
    for id in &ended {
        finish(state, *id, ConversationEvent::Ended).await?;
    }
    Ok(ended)
}

/// The visitor rates an ended conversation (1..=5 stars, optional feedback). Rating
/// again replaces the earlier rating, so a retried request is harmless.
pub async fn rate(
    state: &AppState,
    visitor_id: Uuid,
    conversation_id: Uuid,
    rating: u8,
    feedback: Option<&str>,
) -> Result<Conversation> {
    if !(1..=5).contains(&rating) {
        return Err(Error::invalid("rating must be between 1 and 5"));
    }
    let feedback = feedback.map(str::trim).filter(|f| !f.is_empty());
    if feedback.is_some_and(|f| f.chars().count() > MAX_FEEDBACK_CHARS) {
        return Err(Error::invalid(format!(
            "feedback is limited to {MAX_FEEDBACK_CHARS} characters"
        )));
    }
    let written = state
        .writer
        .submit(Write::Rate {
            visitor_id,
            conversation_id,
            rating,
            feedback: feedback.map(str::to_string),
        })
        .await?;
    let Written::Rated = written else {
        return Err(unexpected());
    };
    finish(state, conversation_id, ConversationEvent::Rated).await?;
    let principal = Principal::Visitor { id: visitor_id };
    crate::chat::load_visible(state, &principal, conversation_id).await
}

/// Moves the caller's side's read and/or delivered seq forward, then tells the
/// conversation's followers (`receipt`) and refreshes unread counts (`conversation`).
pub async fn mark(
    state: &AppState,
    principal: &Principal,
    conn: Option<ConnId>,
    conversation_id: Uuid,
    read_seq: u64,
    delivered_seq: u64,
) -> Result<()> {
    let written = state
        .writer
        .submit(Write::Mark {
            principal: principal.clone(),
            conversation_id,
            read_seq,
            delivered_seq,
        })
        .await?;
    let Written::Marked {
        side,
        after,
        read_changed,
    } = written
    else {
        return Err(unexpected());
    };
    let receipt = ServerFrame::Receipt {
        conversation_id,
        role: side.role(),
        read_seq: after.read_seq,
        delivered_seq: after.delivered_seq,
    };
    state
        .hub
        .publish_to_followers(conversation_id, &receipt, conn);
    state.hub.lists().receipt(conversation_id, side, after);
    if read_changed {
        // Unread counts changed (coalesced when busy, see `announcer`).
        state.announcer.updated(state, conversation_id);
    }
    Ok(())
}

/// Returns every conversation left active without an agent to the queue and announces it
/// there: waiting, visible to every agent again. An agent removed by `agent remove` (in
/// another process, which reaches no running node) leaves their active conversations in
/// that state; every node looks for them each heartbeat interval ([`watch_orphans`]). On
/// several nodes, the writer's row lock lets one node requeue each; the others hear of it
/// as of any change. Returns how many this node requeued.
pub async fn requeue_orphans(state: &AppState) -> Result<usize> {
    let mut requeued = 0;
    for conversation_id in conversations::orphaned(&state.pool).await? {
        let written = state
            .writer
            .submit(Write::Requeue { conversation_id })
            .await?;
        let Written::Requeued { changed } = written else {
            return Err(unexpected());
        };
        if changed {
            requeued += 1;
            finish(state, conversation_id, ConversationEvent::Updated).await?;
        }
    }
    Ok(requeued)
}

/// Runs [`requeue_orphans`] now and then every heartbeat interval, until the pool closes.
pub fn watch_orphans(state: AppState) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(state.settings.heartbeat_interval);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if state.pool.is_closed() {
                return;
            }
            match requeue_orphans(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    conversations = n,
                    "returned the conversations of a removed agent to the queue"
                ),
                Err(e) => tracing::debug!(error = %e, "looking for orphaned conversations failed"),
            }
        }
    });
}

/// An agent posts a private note: stored through the writer with the next seq, fanned out
/// to the agents following the conversation (a visitor's connections get only the `synced`
/// that covers its seq). No `conversation` news: lists and previews show what visitors may
/// read, and a visitor must not hear that something was written.
pub async fn note(
    state: &AppState,
    agent: &AgentIdentity,
    conversation_id: Uuid,
    id: Uuid,
    body: &str,
) -> Result<tidings_protocol::Message> {
    let body = crate::chat::validate_body(body)?;
    let written = state
        .writer
        .submit(Write::Note {
            agent: agent.clone(),
            id,
            conversation_id,
            body,
        })
        .await?;
    let Written::Noted { message, .. } = written else {
        return Err(unexpected());
    };
    Ok(message)
}

/// The holder of a conversation (or an admin) hands it to another agent, announced as an
/// assignment is (`assigned`: it appears in the new holder's Mine, and the giver's
/// followers who lost sight of it are dropped), or with `to` = `None` puts it back in the
/// waiting queue. `note` is stored first, as a private note.
pub async fn transfer(
    state: &AppState,
    by: &AgentIdentity,
    conversation_id: Uuid,
    to: Option<Uuid>,
    note: Option<&str>,
) -> Result<Conversation> {
    let note = note
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(crate::chat::validate_body)
        .transpose()?
        .map(|body| (Uuid::new_v4(), body));
    let to = match to {
        Some(agent_id) => Some(
            agents::by_id(&state.pool, agent_id)
                .await?
                .ok_or_else(|| Error::not_found("agent"))?,
        ),
        None => None,
    };
    let written = state
        .writer
        .submit(Write::Transfer {
            by: by.clone(),
            conversation_id,
            to,
            note,
        })
        .await?;
    let Written::Transferred { to_queue } = written else {
        return Err(unexpected());
    };
    let event = if to_queue {
        ConversationEvent::Updated
    } else {
        ConversationEvent::Assigned
    };
    finish(state, conversation_id, event).await
}
