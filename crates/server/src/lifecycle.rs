//! Conversation state changes besides sending: claim, assign, close, rate, and read /
//! delivery receipts. Same pattern as [`crate::chat`]: one write transaction, commit,
//! then fan-out.

use tidings_protocol::limits::MAX_FEEDBACK_CHARS;
use tidings_protocol::{
    Conversation, ConversationEvent, ConversationStatus, ErrorCode, ServerFrame,
};
use uuid::Uuid;

use crate::auth::{AgentIdentity, Principal};
use crate::chat::{announce, may_see, side_of, store_joined_notice};
use crate::error::{Error, Result};
use crate::hub::ConnId;
use crate::store::read_state::{self, Side};
use crate::store::{self, agents, conversations, now_millis};
use crate::AppState;

/// Loads a conversation inside the transaction, `not_found` unless visible.
async fn visible_in_tx(
    conn: &mut sqlx::SqliteConnection,
    principal: &Principal,
    id: Uuid,
) -> Result<Conversation> {
    conversations::get(conn, id, side_of(principal))
        .await?
        .filter(|c| may_see(principal, c))
        .ok_or_else(|| Error::not_found("conversation"))
}

async fn finish(state: &AppState, id: Uuid, event: ConversationEvent) -> Result<Conversation> {
    let conversation = announce(state, id, event)
        .await?
        .ok_or_else(|| Error::not_found("conversation"))?;
    // Every change here may narrow who sees it (an admin closing a waiting chat hides it
    // from plain agents), and revoking is idempotent, so it is not tied to the event.
    state.hub.revoke_followers(&conversation);
    Ok(conversation)
}

/// Gives `conversation_id` to `assignee`, storing the "joined" notice. `by` must see it.
async fn give(
    state: &AppState,
    by: &AgentIdentity,
    conversation_id: Uuid,
    assignee: &AgentIdentity,
    event: ConversationEvent,
) -> Result<Conversation> {
    let principal = Principal::Agent(by.clone());
    let mut tx = store::begin_write(&state.pool).await?;
    let conversation = visible_in_tx(&mut tx, &principal, conversation_id).await?;
    match conversation.status {
        ConversationStatus::Ended => {
            return Err(Error::client(
                ErrorCode::ConversationEnded,
                "this conversation has ended",
            ))
        }
        ConversationStatus::Active
            if conversation
                .assigned_agent
                .as_ref()
                .is_some_and(|a| a.id == assignee.id) =>
        {
            // Already theirs: claiming twice is not an error.
            tx.commit().await?;
            return finish(state, conversation_id, ConversationEvent::Updated).await;
        }
        ConversationStatus::Active if event == ConversationEvent::Claimed => {
            return Err(Error::client(
                ErrorCode::Conflict,
                "another agent has already claimed this conversation",
            ));
        }
        _ => {}
    }
    let now = now_millis();
    conversations::assign(&mut tx, conversation_id, assignee.id, now).await?;
    let notice = store_joined_notice(
        &mut tx,
        &conversation,
        assignee,
        conversation.last_seq + 1,
        now,
    )
    .await?;
    tx.commit().await?;
    state.hub.publish_message(&notice);
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
    let principal = Principal::Agent(agent.clone());
    let mut tx = store::begin_write(&state.pool).await?;
    let conversation = visible_in_tx(&mut tx, &principal, conversation_id).await?;
    if conversation.status == ConversationStatus::Ended {
        tx.commit().await?;
        return finish(state, conversation_id, ConversationEvent::Updated).await;
    }
    conversations::end(&mut tx, conversation_id, agent.id, now_millis()).await?;
    tx.commit().await?;
    finish(state, conversation_id, ConversationEvent::Ended).await
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
    let principal = Principal::Visitor { id: visitor_id };
    let mut tx = store::begin_write(&state.pool).await?;
    let conversation = visible_in_tx(&mut tx, &principal, conversation_id).await?;
    if conversation.status != ConversationStatus::Ended {
        return Err(Error::client(
            ErrorCode::Conflict,
            "a conversation can be rated once it has ended",
        ));
    }
    conversations::rate(&mut tx, conversation_id, rating, feedback).await?;
    tx.commit().await?;
    finish(state, conversation_id, ConversationEvent::Rated).await?;
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
    let side = side_of(principal);
    let mut tx = store::begin_write(&state.pool).await?;
    let conversation = visible_in_tx(&mut tx, principal, conversation_id).await?;
    let before = match side {
        Side::Visitor => (conversation.visitor_read_seq, 0),
        Side::Agent => (
            conversation.agent_read_seq,
            conversation.agent_delivered_seq,
        ),
    };
    let after = read_state::advance(
        &mut tx,
        conversation_id,
        side,
        read_seq,
        delivered_seq,
        conversation.last_seq,
    )
    .await?;
    tx.commit().await?;
    let receipt = ServerFrame::Receipt {
        conversation_id,
        role: side.role(),
        read_seq: after.read_seq,
        delivered_seq: after.delivered_seq,
    };
    state
        .hub
        .publish_to_followers(conversation_id, &receipt, conn);
    if after.read_seq != before.0 {
        announce(state, conversation_id, ConversationEvent::Updated).await?;
    }
    Ok(())
}
