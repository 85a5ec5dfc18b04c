//! Delivery's settling, in one place for both apps: what the outbox and the timelines must
//! do when the socket says `hello`, `ack`, `error` with a message id, or goes down.
//!
//! Before this, each app wired these four steps by hand and could forget one. Now the
//! browser's [`crate::web::realtime::Realtime`] calls [`settle`] for every frame and
//! [`disconnected`] on every loss, and the app only hears the outcome ([`Settled`]). The
//! logic is plain Rust over two small ports, so it is tested natively against the real
//! [`crate::Outbox`] and [`Timeline`].

use tidings_protocol::{ErrorCode, Millis, ServerFrame};
use uuid::Uuid;

use crate::outbox::OutboxEntry;
use crate::timeline::Timeline;

/// What settling needs of an outbox sender (the browser's `Delivery`, or a plain
/// [`crate::Outbox`] in tests).
pub trait OutboxPort {
    /// Send the next pending entry if this tab may (after `hello`, and whenever in doubt).
    fn pump(&mut self);
    /// The server stored message `id`.
    fn acknowledged(&mut self, id: Uuid) -> Option<OutboxEntry>;
    /// The server refused message `id`. Returns the entry only for a lasting refusal of
    /// a message this tab holds; a passing one (rate limit) is retried by the sender.
    fn refused(&mut self, id: Uuid, code: ErrorCode, reason: String) -> Option<OutboxEntry>;
    /// The connection was lost: the message on the wire counts as unsent.
    fn disconnected(&mut self);
}

/// Where the app keeps its timelines. `change` is applied to the timeline of
/// `conversation_id` if the app holds one (`None`: a visitor's first message, which names
/// no conversation yet).
pub trait Timelines {
    fn change(&self, conversation_id: Option<Uuid>, change: &mut dyn FnMut(&mut Timeline));
}

/// What the app hears after settling a frame. Moved once per frame, so the frame is kept
/// inline: a box would cost an allocation per frame for nothing.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Settled {
    /// A frame delivery has nothing to do with (or `hello`, after the outbox was pumped):
    /// the app's own reducer takes it.
    Frame(ServerFrame),
    /// Message `id` is stored: the outbox dropped it and the timeline shows it as sent.
    Acknowledged {
        id: Uuid,
        conversation_id: Uuid,
        seq: u64,
        created_at: Millis,
        /// Whether this tab held it in its outbox (`false`: another tab's, or a repeat).
        was_ours: bool,
    },
    /// Message `id` was refused for good: the outbox keeps it as failed and the timeline
    /// shows the reason and a retry.
    Refused {
        id: Uuid,
        conversation_id: Option<Uuid>,
        code: ErrorCode,
        reason: String,
    },
    /// Nothing for the app (a passing refusal, retried by the outbox).
    Nothing,
}

/// Settles one frame: pumps the outbox on `hello`, acknowledges on `ack`, refuses on an
/// `error` naming a message, and tells the app what became of it.
pub fn settle(
    frame: ServerFrame,
    outbox: &mut dyn OutboxPort,
    timelines: &dyn Timelines,
) -> Settled {
    match frame {
        ServerFrame::Hello { .. } => {
            outbox.pump();
            Settled::Frame(frame)
        }
        ServerFrame::Ack {
            id,
            conversation_id,
            seq,
            created_at,
        } => {
            let was_ours = outbox.acknowledged(id).is_some();
            timelines.change(Some(conversation_id), &mut |t| {
                t.acknowledge(id, conversation_id, seq, created_at);
            });
            Settled::Acknowledged {
                id,
                conversation_id,
                seq,
                created_at,
                was_ours,
            }
        }
        ServerFrame::Error {
            code,
            message,
            id: Some(id),
            conversation_id,
        } => match outbox.refused(id, code, message.clone()) {
            Some(entry) => {
                let conversation_id = entry.conversation_id.or(conversation_id);
                timelines.change(conversation_id, &mut |t| {
                    t.refuse(id, code, message.clone())
                });
                Settled::Refused {
                    id,
                    conversation_id,
                    code,
                    reason: message,
                }
            }
            None => Settled::Nothing,
        },
        other => Settled::Frame(other),
    }
}

/// The connection was lost: the outbox will send its in-flight message again.
pub fn disconnected(outbox: &mut dyn OutboxPort) {
    outbox.disconnected();
}

#[cfg(test)]
mod tests;
