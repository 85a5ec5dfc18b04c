//! What changes conversations: sending, claiming, assigning, closing, rating, reading.
//! Each change is one `BEGIN IMMEDIATE` transaction; only after its commit are the
//! results returned (so an `ack` means committed) and fanned out through the hub.

use tidings_protocol::limits::{self, MAX_MESSAGE_CHARS};
use tidings_protocol::{
    Conversation, ConversationEvent, ConversationStatus, ErrorCode, Message, Sender, ServerFrame,
};
use uuid::Uuid;

use crate::auth::{agent_may_see, AgentIdentity, Principal};
use crate::error::{Error, Result};
use crate::store::read_state::Side;
use crate::store::{self, conversations, messages, now_millis};
use crate::AppState;

/// A send that was committed, or recognised as already committed.
#[derive(Debug, Clone)]
pub struct SendOutcome {
    /// The `ack` frame for the sender.
    pub ack: ServerFrame,
    /// What the queue must hear about the new message. The caller sends the ack first and
    /// then runs this with [`announce_sent`]: the message itself is already fanned out, and
    /// the list data (preview, unread counts) must not delay the sender's ack.
    pub announcement: Option<Announcement>,
}

/// The conversation news a stored message causes, announced after the ack.
#[derive(Debug, Clone)]
pub struct Announcement {
    conversation_id: Uuid,
    visitor_id: Uuid,
    event: ConversationEvent,
    claimed: bool,
    created: bool,
}

/// Announces a stored message's conversation news: the new preview and unread counts to the
/// queue, the claim (and its followers' revocation), the auto-subscription of the visitor's
/// tabs to a conversation they just started.
pub async fn announce_sent(state: &AppState, news: Announcement) -> Result<()> {
    if let Some(after) = announce(state, news.conversation_id, news.event).await? {
        if news.claimed {
            state.hub.revoke_followers(&after);
        }
    }
    if news.created {
        state
            .hub
            .auto_subscribe(news.visitor_id, news.conversation_id);
    }
    Ok(())
}

fn ack_for(message: &Message) -> ServerFrame {
    ServerFrame::Ack {
        id: message.id,
        conversation_id: message.conversation_id,
        seq: message.seq,
        created_at: message.created_at,
    }
}

/// Trims and checks a message body: 1..=4000 characters (not bytes).
pub fn validate_body(body: &str) -> Result<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(Error::client(
            ErrorCode::EmptyMessage,
            "the message is empty",
        ));
    }
    let chars = limits::message_chars(body);
    if chars > MAX_MESSAGE_CHARS {
        return Err(Error::client(
            ErrorCode::MessageTooLong,
            format!("the message has {chars} characters; at most {MAX_MESSAGE_CHARS} are allowed"),
        ));
    }
    Ok(body.to_string())
}

/// Whether a principal may see a conversation.
pub fn may_see(principal: &Principal, conversation: &Conversation) -> bool {
    match principal {
        Principal::Visitor { id } => conversation.visitor_id == *id,
        Principal::Agent(agent) => agent_may_see(agent.id, agent.is_admin, conversation),
    }
}

pub(crate) fn side_of(principal: &Principal) -> Side {
    match principal {
        Principal::Visitor { .. } => Side::Visitor,
        Principal::Agent(_) => Side::Agent,
    }
}

/// The conversation as `principal` sees it, or `not_found` when it may not see it.
pub async fn load_visible(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
) -> Result<Conversation> {
    let conversation = conversations::load(&state.pool, id, side_of(principal))
        .await?
        .filter(|c| may_see(principal, c))
        .ok_or_else(|| Error::not_found("conversation"))?;
    Ok(decorate(state, conversation))
}

/// Fills in what only the hub knows (whether the visitor is online).
pub fn decorate(state: &AppState, mut conversation: Conversation) -> Conversation {
    conversation.visitor_online = state.hub.visitor_online(conversation.visitor_id);
    conversation
}

/// Loads both views of a conversation and sends a `conversation` frame to everyone concerned.
pub async fn announce(
    state: &AppState,
    id: Uuid,
    event: ConversationEvent,
) -> Result<Option<Conversation>> {
    let Some(visitor_view) = conversations::load(&state.pool, id, Side::Visitor).await? else {
        return Ok(None);
    };
    let agent_view = conversations::load(&state.pool, id, Side::Agent)
        .await?
        .unwrap_or_else(|| visitor_view.clone());
    let (visitor_view, agent_view) = (decorate(state, visitor_view), decorate(state, agent_view));
    state
        .hub
        .publish_conversation(event, Some(&visitor_view), &agent_view);
    Ok(Some(agent_view))
}

/// Re-announces a visitor's open conversations to agents (the visitor's details or online
/// state changed; the visitor's own tabs need no news of that).
pub async fn announce_visitor(state: &AppState, visitor_id: Uuid) -> Result<()> {
    for conversation in conversations::list_for_visitor(&state.pool, visitor_id).await? {
        if conversation.status == ConversationStatus::Ended {
            continue;
        }
        if let Some(agent_view) =
            conversations::load(&state.pool, conversation.id, Side::Agent).await?
        {
            let agent_view = decorate(state, agent_view);
            state
                .hub
                .publish_conversation(ConversationEvent::Updated, None, &agent_view);
        }
    }
    Ok(())
}

/// A system notice "<name> joined the chat", stored in the open transaction.
pub(crate) async fn store_joined_notice(
    conn: &mut sqlx::SqliteConnection,
    conversation: &Conversation,
    agent: &AgentIdentity,
    seq: u64,
    now: i64,
) -> Result<Message> {
    let notice = Message {
        id: Uuid::new_v4(),
        conversation_id: conversation.id,
        seq,
        sender: Sender::System,
        author_name: None,
        agent_id: Some(agent.id),
        body: format!("{} joined the chat", agent.name),
        created_at: now,
    };
    messages::insert(conn, &notice).await?;
    conversations::record_message(conn, conversation.id, seq, None, now).await?;
    Ok(notice)
}

/// Stores a message from a visitor or an agent (see the module doc and TEAM.md for the rules).
pub async fn send(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    conversation_id: Option<Uuid>,
    body: &str,
) -> Result<SendOutcome> {
    let started = std::time::Instant::now();
    let body = validate_body(body)?;
    let side = side_of(principal);
    let mut tx = store::begin_write(&state.pool).await?;

    if let Some(existing) = messages::by_id(&mut tx, id).await? {
        let conversation = conversations::get(&mut tx, existing.conversation_id, side).await?;
        tx.commit().await?;
        if !conversation.is_some_and(|c| may_see(principal, &c)) {
            return Err(Error::client(
                ErrorCode::Conflict,
                "this message id is already used",
            ));
        }
        crate::metrics::global()
            .messages_duplicate
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return Ok(SendOutcome {
            ack: ack_for(&existing),
            announcement: None,
        });
    }

    let now = now_millis();
    let mut created = false;
    let conversation_id = match (principal, conversation_id) {
        (_, Some(cid)) => cid,
        (Principal::Visitor { id: visitor }, None) => {
            match conversations::open_for_visitor(&mut tx, *visitor).await? {
                Some(cid) => cid,
                None => {
                    created = true;
                    conversations::create(&mut tx, *visitor, now).await?
                }
            }
        }
        (Principal::Agent(_), None) => return Err(Error::invalid("conversation_id is required")),
    };
    let conversation = conversations::get(&mut tx, conversation_id, side)
        .await?
        .filter(|c| may_see(principal, c))
        .ok_or_else(|| Error::not_found("conversation"))?;
    if conversation.status == ConversationStatus::Ended {
        return Err(Error::client(
            ErrorCode::ConversationEnded,
            "this conversation has ended; start a new one",
        ));
    }

    let mut seq = conversation.last_seq;
    let mut notice = None;
    let (sender, agent_id, author_name) = match principal {
        Principal::Visitor { .. } => (Sender::Visitor, None, conversation.visitor_name.clone()),
        Principal::Agent(agent) => {
            // Visibility (checked above) already keeps plain agents out of conversations
            // assigned to someone else; admins may write in any.
            if conversation.status == ConversationStatus::Waiting {
                conversations::assign(&mut tx, conversation.id, agent.id, now).await?;
                seq += 1;
                notice = Some(store_joined_notice(&mut tx, &conversation, agent, seq, now).await?);
            }
            (Sender::Agent, Some(agent.id), Some(agent.name.clone()))
        }
    };
    seq += 1;
    let message = Message {
        id,
        conversation_id,
        seq,
        sender,
        author_name,
        agent_id,
        body,
        created_at: now,
    };
    messages::insert(&mut tx, &message).await?;
    conversations::record_message(&mut tx, conversation_id, seq, Some(&message.body), now).await?;
    tx.commit().await?;

    let metrics = crate::metrics::global();
    metrics
        .messages_stored
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    metrics.message_store_latency.observe(started.elapsed());

    if let Some(notice) = &notice {
        state.hub.publish_message(notice);
    }
    state.hub.publish_message(&message);
    let event = if created {
        ConversationEvent::Created
    } else if notice.is_some() {
        ConversationEvent::Claimed
    } else {
        ConversationEvent::Updated
    };
    Ok(SendOutcome {
        ack: ack_for(&message),
        announcement: Some(Announcement {
            conversation_id,
            visitor_id: conversation.visitor_id,
            event,
            claimed: notice.is_some(),
            created,
        }),
    })
}
