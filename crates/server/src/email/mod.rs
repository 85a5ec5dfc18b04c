//! Email for when nobody is in the chat: an agent's reply reaches a visitor who went away,
//! a visitor can have the transcript of an ended chat, and agents hear of a chat waiting
//! while none of them is online. Hidden (and nothing enqueued) unless `--smtp-url` is set.
//!
//! Every email is first a row of the outbox ([`outbox`]) with a unique key, claimed by one
//! node before it is sent ([`worker`]): enqueueing twice inserts once, and racing nodes or
//! retries never send a row twice. A failed send is retried with backoff.

pub mod compose;
pub mod outbox;
pub mod smtp;
pub mod worker;

use std::time::Duration;

use sqlx::Row;
use tidings_protocol::{Message, Millis, PresenceStatus, Sender};
use uuid::Uuid;

use crate::error::Result;
use crate::store::now_millis;
use crate::AppState;
use outbox::Kind;

/// A visitor away this long gets an agent's unread reply by email.
pub const DEFAULT_OFFLINE_AFTER_SECS: u64 = 180;
/// How often each node looks for due emails.
pub const DEFAULT_POLL_MS: u64 = 2_000;
/// The first retry after a failed send; each further one waits twice as long.
pub const DEFAULT_RETRY_BASE_MS: u64 = 30_000;
/// Failed sends after which an email is given up (recorded as `failed`).
pub const MAX_ATTEMPTS: u64 = 8;
/// How long a claim holds a row: longer than one SMTP exchange may take (its timeout is
/// 30 s), so a row is only claimed again once its sender has certainly stopped trying.
pub const CLAIM_FOR: Duration = Duration::from_secs(120);

/// How this node sends email.
#[derive(Debug, Clone)]
pub struct EmailSettings {
    pub smtp: smtp::Smtp,
    /// The server's public address (`https://chat.example.com`), for links to its chat
    /// page and console; optional.
    pub public_url: Option<String>,
    pub offline_after: Duration,
    pub poll_every: Duration,
    pub retry_base: Duration,
}

impl EmailSettings {
    /// Settings with the defaults for everything but the relay and the sender.
    pub fn new(smtp_url: &str, from: &str) -> std::result::Result<EmailSettings, String> {
        Ok(EmailSettings {
            smtp: smtp::Smtp::new(smtp_url, from)?,
            public_url: None,
            offline_after: Duration::from_secs(DEFAULT_OFFLINE_AFTER_SECS),
            poll_every: Duration::from_millis(DEFAULT_POLL_MS),
            retry_base: Duration::from_millis(DEFAULT_RETRY_BASE_MS),
        })
    }
}

/// Whether `address` is one an email can be sent to (`name@domain`, as SMTP accepts it).
pub fn valid_address(address: &str) -> bool {
    address.parse::<lettre::Address>().is_ok()
}

/// Whether this server sends email (clients show the email features only then).
pub fn enabled(state: &AppState) -> bool {
    state.settings.email.is_some()
}

/// Logs an enqueue that failed: the chat itself already succeeded, and email is a courtesy.
fn log_failure(what: &str, result: Result<()>) {
    if let Err(e) = result {
        tracing::warn!(error = %e, "enqueueing the {what} email failed");
    }
}

/// After a message is stored: an agent's reply may have to reach the visitor by email; a
/// visitor's first message may have to alert agents. Runs as its own task.
pub fn message_stored(state: &AppState, message: &Message, created: bool) {
    if !enabled(state) {
        return;
    }
    let state = state.clone();
    let message = message.clone();
    tokio::spawn(async move {
        match message.sender {
            Sender::Agent => log_failure("reply", enqueue_reply(&state, &message).await),
            Sender::Visitor if created => log_failure(
                "waiting",
                enqueue_waiting(&state, message.conversation_id).await,
            ),
            _ => {}
        }
    });
}

/// Records the reply email, due when the visitor will have been away `offline_after` (the
/// worker looks again then: read, or back online, means no email).
async fn enqueue_reply(state: &AppState, message: &Message) -> Result<()> {
    let Some(row) = sqlx::query(
        "SELECT c.visitor_id, v.email, v.last_seen_at FROM conversations c JOIN visitors v ON v.id = c.visitor_id
         WHERE c.id = $1",
    )
    .bind(message.conversation_id.to_string())
    .fetch_optional(&state.pool)
    .await?
    else {
        return Ok(());
    };
    let email: Option<String> = row.try_get("email")?;
    let Some(email) = email.filter(|e| valid_address(e)) else {
        return Ok(());
    };
    let last_seen: i64 = row.try_get("last_seen_at")?;
    let offline_after = offline_after_ms(state);
    let now = now_millis();
    let visitor_id = crate::store::uuid_col(&row, "visitor_id")?;
    let due = if state.hub.visitor_online(visitor_id) {
        now + offline_after
    } else {
        now.max(last_seen + offline_after)
    };
    outbox::enqueue(
        &state.pool,
        Kind::Reply,
        message.conversation_id,
        Some(message.id),
        &email,
        due,
    )
    .await?;
    state.email_wake.notify_one();
    Ok(())
}

fn offline_after_ms(state: &AppState) -> Millis {
    state
        .settings
        .email
        .as_ref()
        .map(|e| e.offline_after.as_millis() as Millis)
        .unwrap_or(0)
}

/// Records an alert to every agent when a conversation starts and no agent is online.
async fn enqueue_waiting(state: &AppState, conversation_id: Uuid) -> Result<()> {
    if state.hub.availability() == PresenceStatus::Online {
        return Ok(());
    }
    let emails: Vec<String> = sqlx::query_scalar("SELECT email FROM agents ORDER BY email")
        .fetch_all(&state.pool)
        .await?;
    let now = now_millis();
    for email in emails.iter().filter(|e| valid_address(e)) {
        outbox::enqueue(
            &state.pool,
            Kind::Waiting,
            conversation_id,
            None,
            email,
            now,
        )
        .await?;
    }
    state.email_wake.notify_one();
    Ok(())
}

/// Records the transcript email of an ended conversation to `recipient` (once per
/// conversation and address, however often it is asked for).
pub async fn enqueue_transcript(
    state: &AppState,
    conversation_id: Uuid,
    recipient: &str,
) -> Result<()> {
    outbox::enqueue(
        &state.pool,
        Kind::Transcript,
        conversation_id,
        None,
        recipient,
        now_millis(),
    )
    .await?;
    state.email_wake.notify_one();
    Ok(())
}
