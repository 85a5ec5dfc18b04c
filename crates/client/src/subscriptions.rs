//! Subscriptions sent on the current connection that the server has not answered yet.
//!
//! The server answers every `subscribe` it handles with a `snapshot` first, before it reads
//! the next frame. A subscribe it refused gets no snapshot: one over the connection's rate
//! gets only an `error` with code `rate_limited`, naming neither the frame nor the
//! conversation; one it could not serve for a passing reason (`overloaded` while the
//! conversation kept changing, `internal` when the database did not answer) gets an
//! `error` naming the conversation and no message. Either way the only sign that a
//! subscription was lost is that its snapshot never came, and without a retry the
//! conversation would silently not be streamed until the next reconnect.
//!
//! So the socket records each subscribe here, one entry per frame sent (a socket the
//! tabs share carries several for one conversation, each from its own tab's point), takes
//! the oldest entry of a conversation off on its snapshot (answers come in order), and when
//! such a refusal arrives re-sends every subscription still unanswered, after a backoff.
//! An unanswered one was either the refused frame or is still on its way; re-subscribing
//! the latter only replays what the timeline already holds, which it drops by seq.

use tidings_protocol::{ErrorCode, ServerFrame};
use uuid::Uuid;

use crate::backoff::Backoff;

#[derive(Debug, Default)]
pub struct PendingSubscriptions {
    /// Each subscribe sent and not answered, oldest first, with its `after_seq`. A list,
    /// not a map: it holds one or two entries, and every map type adds to the widget's
    /// download.
    pending: Vec<(Uuid, u64)>,
    /// Spaces re-sends while the server keeps refusing; reset by any snapshot.
    backoff: Backoff,
}

impl PendingSubscriptions {
    pub fn new() -> Self {
        Self::default()
    }

    /// A `subscribe` went out.
    pub fn sent(&mut self, conversation_id: Uuid, after_seq: u64) {
        self.pending.push((conversation_id, after_seq));
    }

    /// A `snapshot` arrived: it answers the oldest subscribe of that conversation, and
    /// the server follows the conversation for this connection.
    pub fn answered(&mut self, conversation_id: Uuid) {
        if let Some(at) = self
            .pending
            .iter()
            .position(|(id, _)| *id == conversation_id)
        {
            self.pending.remove(at);
        }
        self.backoff.reset();
    }

    /// The application stopped following the conversation: never re-send it.
    pub fn unsubscribed(&mut self, conversation_id: Uuid) {
        self.pending.retain(|(id, _)| *id != conversation_id);
    }

    /// A new connection: the subscriptions of the old one are gone with it (the socket
    /// subscribes afresh from the handler's resume points).
    pub fn clear(&mut self) {
        self.pending.clear();
        self.backoff.reset();
    }

    /// The server refused a frame that may have been a subscribe (see [`may_refuse_a_subscribe`]).
    /// Returns how long to wait before re-sending (`random` in `[0, 1)` jitters it), or
    /// `None` when nothing is unanswered.
    pub fn refused(&mut self, random: f64) -> Option<u64> {
        if self.pending.is_empty() {
            return None;
        }
        Some(self.backoff.next_delay_ms(random))
    }

    /// The subscriptions to send again, taken off the list (sending them puts them back):
    /// one per conversation, from the lowest `after_seq` asked, so that one replay brings
    /// everything any of them asked for. Oldest first.
    pub fn take_unanswered(&mut self) -> Vec<(Uuid, u64)> {
        let mut again: Vec<(Uuid, u64)> = Vec::new();
        for (id, after_seq) in self.pending.drain(..) {
            match again.iter_mut().find(|(c, _)| *c == id) {
                Some((_, at)) => *at = (*at).min(after_seq),
                None => again.push((id, after_seq)),
            }
        }
        again
    }
}

/// Whether `frame` may be the server's refusal of a subscribe this connection sent, for a
/// reason that passes: the rate (which names nothing), or `overloaded` / `internal`
/// naming a conversation but no message (a refused message names its id, and is the
/// outbox's to retry). A lasting refusal (`not_found`, `forbidden`) is not retried.
pub fn may_refuse_a_subscribe(frame: &ServerFrame) -> bool {
    matches!(
        frame,
        ServerFrame::Error {
            code: ErrorCode::RateLimited,
            id: None,
            ..
        } | ServerFrame::Error {
            code: ErrorCode::Overloaded | ErrorCode::Internal,
            id: None,
            conversation_id: Some(_),
            ..
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    /// Re-sends what is due, as the socket does: taken off, then recorded as sent again.
    fn resend(subs: &mut PendingSubscriptions) -> Vec<(Uuid, u64)> {
        let again = subs.take_unanswered();
        for &(c, at) in &again {
            subs.sent(c, at);
        }
        again
    }

    #[test]
    fn a_refused_subscription_is_sent_again_until_answered() {
        let mut subs = PendingSubscriptions::new();
        subs.sent(id(1), 50);
        subs.sent(id(2), 7);
        subs.answered(id(2));
        let delay = subs.refused(0.0).expect("one is unanswered");
        assert!(delay > 0, "re-sent after a pause, not into the same burst");
        assert_eq!(resend(&mut subs), vec![(id(1), 50)]);
        // Refused again: it waits longer.
        assert!(subs.refused(0.0).unwrap() > delay);
        assert_eq!(resend(&mut subs), vec![(id(1), 50)]);
        subs.answered(id(1));
        assert_eq!(subs.refused(0.0), None);
        assert!(subs.take_unanswered().is_empty());
    }

    #[test]
    fn two_tabs_subscribes_on_one_socket_are_answered_one_snapshot_each() {
        // The leader's tab subscribes from 9 (all it lacks), a tab that just loaded from 0.
        let mut subs = PendingSubscriptions::new();
        subs.sent(id(1), 9);
        subs.sent(id(1), 0);
        // The leader's is answered; the other tab's was refused for the rate.
        subs.answered(id(1));
        assert!(
            subs.refused(0.0).is_some(),
            "the second is still unanswered"
        );
        assert_eq!(resend(&mut subs), vec![(id(1), 0)]);
        subs.answered(id(1));
        assert!(subs.take_unanswered().is_empty());
    }

    #[test]
    fn a_re_send_asks_once_per_conversation_from_the_lowest_point() {
        let mut subs = PendingSubscriptions::new();
        subs.sent(id(1), 50);
        subs.sent(id(2), 3);
        subs.sent(id(1), 40);
        subs.sent(id(1), 60);
        assert_eq!(subs.take_unanswered(), vec![(id(1), 40), (id(2), 3)]);
        assert!(subs.take_unanswered().is_empty());
    }

    #[test]
    fn unsubscribed_and_lost_connections_are_not_re_sent() {
        let mut subs = PendingSubscriptions::new();
        subs.sent(id(1), 1);
        subs.sent(id(2), 2);
        subs.unsubscribed(id(1));
        assert_eq!(subs.take_unanswered(), vec![(id(2), 2)]);
        subs.sent(id(2), 2);
        subs.clear();
        assert_eq!(subs.refused(0.5), None);
    }

    #[test]
    fn an_answer_resets_the_backoff() {
        let mut subs = PendingSubscriptions::new();
        subs.sent(id(1), 1);
        let first = subs.refused(0.0).unwrap();
        subs.refused(0.0);
        subs.answered(id(1));
        subs.sent(id(2), 1);
        assert_eq!(subs.refused(0.0), Some(first));
    }

    #[test]
    fn passing_refusals_that_name_no_message_may_be_a_subscribes() {
        use ErrorCode::*;
        let c = Some(id(1));
        // (code, message id, conversation, may be a subscribe's): a refused message (the
        // outbox retries it), a lasting refusal, or one about no conversation at all is
        // not a subscribe to send again.
        for (code, message, conversation, expected) in [
            (RateLimited, None, None, true),
            (Overloaded, None, c, true),
            (Internal, None, c, true),
            (RateLimited, c, c, false),
            (Overloaded, c, c, false),
            (NotFound, None, c, false),
            (Forbidden, None, c, false),
            (Internal, None, None, false),
        ] {
            let error = ServerFrame::Error {
                code,
                message: String::new(),
                id: message,
                conversation_id: conversation,
            };
            assert_eq!(may_refuse_a_subscribe(&error), expected, "{error:?}");
        }
        assert!(!may_refuse_a_subscribe(&ServerFrame::Pong { nonce: 1 }));
    }
}
