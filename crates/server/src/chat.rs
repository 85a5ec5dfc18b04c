//! Sending a message and what follows it: validation before it is queued for the writer
//! ([`crate::writer`], which commits it, fans it out and only then answers, so an `ack`
//! means committed), then the conversation news (previews, unread counts, a claim, a new
//! conversation) announced after the ack. Also who may see a conversation, and loading
//! one as its viewer sees it.

use tidings_protocol::limits::{self, MAX_MESSAGE_CHARS};
use tidings_protocol::{
    Conversation, ConversationEvent, ConversationStatus, ErrorCode, Message, ServerFrame,
};
use uuid::Uuid;

use crate::auth::{agent_may_see, Principal};
use crate::error::{Error, Result};
use crate::store::conversations;
use crate::store::read_state::Side;
use crate::writer::{Write, Written};
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

impl Announcement {
    /// The news of a message stored on another node (see `cluster::follow`).
    pub fn new(conversation_id: Uuid, visitor_id: Uuid, created: bool, claimed: bool) -> Self {
        Announcement {
            conversation_id,
            visitor_id,
            event: if created {
                ConversationEvent::Created
            } else if claimed {
                ConversationEvent::Claimed
            } else {
                ConversationEvent::Updated
            },
            claimed,
            created,
        }
    }
}

/// Announces a stored message's conversation news: the new preview and unread counts to the
/// queue, the claim (and its followers' revocation), the auto-subscription of the visitor's
/// tabs to a conversation they just started.
pub async fn announce_sent(state: &AppState, news: Announcement) -> Result<()> {
    if news.event == ConversationEvent::Updated && !news.claimed && !news.created {
        // The common case, coalesced when busy (see `announcer`).
        state.announcer.updated(state, news.conversation_id);
        return Ok(());
    }
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

/// Reads both views of a conversation and sends a `conversation` frame to everyone
/// concerned: after a claim, close, rating, return to the queue, ... (whatever it changed,
/// only the database knows), or to catch up.
pub async fn announce(
    state: &AppState,
    id: Uuid,
    event: ConversationEvent,
) -> Result<Option<Conversation>> {
    state.hub.lists().changed(id);
    publish_views(state, id, event, None).await
}

/// The `updated` announcement after messages and receipts (see `announcer`): the views
/// come from what this node published since it last read them (`hub::ListCache`), and
/// are read from the database only when that cannot tell.
pub async fn announce_update(state: &AppState, id: Uuid) -> Result<Option<Conversation>> {
    let known = state.hub.lists().views(id);
    publish_views(state, id, ConversationEvent::Updated, known).await
}

async fn publish_views(
    state: &AppState,
    id: Uuid,
    event: ConversationEvent,
    known: Option<(Conversation, Conversation)>,
) -> Result<Option<Conversation>> {
    let (visitor_view, agent_view) = match known {
        Some(views) => views,
        None => {
            let lists = state.hub.lists();
            let ticket = lists.begin_read();
            let Some((visitor_view, agent_view)) =
                conversations::load_both(&state.pool, id).await?
            else {
                return Ok(None);
            };
            lists.install(ticket, &visitor_view, &agent_view);
            (visitor_view, agent_view)
        }
    };
    let (visitor_view, agent_view) = (decorate(state, visitor_view), decorate(state, agent_view));
    state
        .hub
        .publish_conversation(event, Some(&visitor_view), &agent_view);
    if event != ConversationEvent::Updated {
        state.announcer.superseded(id);
    }
    Ok(Some(agent_view))
}

/// Re-announces a visitor's open conversations to agents (the visitor's details or online
/// state changed; the visitor's own tabs need no news of that).
pub async fn announce_visitor(state: &AppState, visitor_id: Uuid) -> Result<()> {
    // Their details or last-seen time changed: updates read their conversations again.
    state.hub.lists().forget_visitor(visitor_id);
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

/// Stores a message from a visitor or an agent through the writer (rules in
/// [`crate::writer`]'s `ops`): returns once it is committed, with its ack.
pub async fn send(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    conversation_id: Option<Uuid>,
    body: &str,
) -> Result<SendOutcome> {
    send_message(state, principal, id, conversation_id, body, None)
        .await
        .map(|(outcome, _)| outcome)
}

/// [`send`], for a text message or (with `attachment`) a file message; also returns the
/// stored message.
pub async fn send_message(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    conversation_id: Option<Uuid>,
    body: &str,
    attachment: Option<tidings_protocol::Attachment>,
) -> Result<(SendOutcome, Message)> {
    let started = std::time::Instant::now();
    let body = validate_body(body)?;
    let written = state
        .writer
        .submit(Write::Send {
            principal: principal.clone(),
            id,
            conversation_id,
            body,
            attachment,
        })
        .await?;
    let Written::Sent { message, news } = written else {
        return Err(Error::internal(
            "the writer answered a send with something else",
        ));
    };
    let Some(news) = news else {
        // A repeated id: the original ack, nothing new to announce.
        return Ok((
            SendOutcome {
                ack: ack_for(&message),
                announcement: None,
            },
            message,
        ));
    };
    let metrics = crate::metrics::global();
    metrics
        .messages_stored
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    metrics.message_store_latency.observe(started.elapsed());
    crate::email::message_stored(state, &message, news.created);
    let event = if news.created {
        ConversationEvent::Created
    } else if news.claimed {
        ConversationEvent::Claimed
    } else {
        ConversationEvent::Updated
    };
    let outcome = SendOutcome {
        ack: ack_for(&message),
        announcement: Some(Announcement {
            conversation_id: message.conversation_id,
            visitor_id: news.visitor_id,
            event,
            claimed: news.claimed,
            created: news.created,
        }),
    };
    Ok((outcome, message))
}
