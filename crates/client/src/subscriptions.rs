//! Subscriptions sent on the current connection that the server has not answered yet.
//!
//! The server answers every `subscribe` it handles with a `snapshot` first, before it reads
//! the next frame. A subscribe it refused for exceeding the connection's rate gets only an
//! `error` with code `rate_limited`, naming neither the frame nor the conversation, so the
//! only sign that a subscription was lost is that its snapshot never came. Without a retry
//! the conversation would silently not be streamed until the next reconnect.
//!
//! So the socket records each subscribe here, clears it on its snapshot, and when a
//! `rate_limited` refusal arrives re-sends every subscription still unanswered, after a
//! backoff. Frames are answered in order, so an unanswered one was either the refused
//! frame or is still on its way; re-subscribing the latter only replays what the
//! timeline already holds, which it drops by seq.

use uuid::Uuid;

use crate::backoff::Backoff;

#[derive(Debug, Default)]
pub struct PendingSubscriptions {
    /// Each conversation with the `after_seq` it was subscribed with. A list, not a map:
    /// it holds one or two entries, and every map type adds to the widget's download.
    pending: Vec<(Uuid, u64)>,
    /// Spaces re-sends while the server keeps refusing; reset by any snapshot.
    backoff: Backoff,
}

impl PendingSubscriptions {
    pub fn new() -> Self {
        Self::default()
    }

    /// A `subscribe` went out. A second one before the first was answered keeps the lower
    /// `after_seq`, so a re-send replays everything either of them asked for.
    pub fn sent(&mut self, conversation_id: Uuid, after_seq: u64) {
        match self
            .pending
            .iter_mut()
            .find(|(id, _)| *id == conversation_id)
        {
            Some((_, at)) => *at = (*at).min(after_seq),
            None => self.pending.push((conversation_id, after_seq)),
        }
    }

    /// Its `snapshot` arrived: the server follows the conversation for this connection.
    pub fn answered(&mut self, conversation_id: Uuid) {
        self.pending.retain(|(id, _)| *id != conversation_id);
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

    /// The server refused some frame for the rate. Returns how long to wait before
    /// re-sending (`random` in `[0, 1)` jitters it), or `None` when nothing is unanswered.
    pub fn rate_limited(&mut self, random: f64) -> Option<u64> {
        if self.pending.is_empty() {
            return None;
        }
        Some(self.backoff.next_delay_ms(random))
    }

    /// The subscriptions to send again, each with its `after_seq`, oldest first.
    pub fn unanswered(&self) -> Vec<(Uuid, u64)> {
        self.pending.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn a_subscription_refused_for_the_rate_is_sent_again_until_answered() {
        let mut subs = PendingSubscriptions::new();
        subs.sent(id(1), 50);
        subs.sent(id(2), 7);
        subs.answered(id(2));
        let delay = subs.rate_limited(0.0).expect("one is unanswered");
        assert!(delay > 0, "re-sent after a pause, not into the same burst");
        assert_eq!(subs.unanswered(), vec![(id(1), 50)]);
        // Refused again: it waits longer.
        assert!(subs.rate_limited(0.0).unwrap() > delay);
        subs.answered(id(1));
        assert_eq!(subs.rate_limited(0.0), None);
        assert!(subs.unanswered().is_empty());
    }

    #[test]
    fn a_second_subscribe_keeps_the_lower_resume_point() {
        let mut subs = PendingSubscriptions::new();
        subs.sent(id(1), 50);
        subs.sent(id(1), 60);
        assert_eq!(subs.unanswered(), vec![(id(1), 50)]);
        subs.sent(id(1), 40);
        assert_eq!(subs.unanswered(), vec![(id(1), 40)]);
    }

    #[test]
    fn unsubscribed_and_lost_connections_are_not_re_sent() {
        let mut subs = PendingSubscriptions::new();
        subs.sent(id(1), 1);
        subs.sent(id(2), 2);
        subs.unsubscribed(id(1));
        assert_eq!(subs.unanswered(), vec![(id(2), 2)]);
        subs.clear();
        assert_eq!(subs.rate_limited(0.5), None);
    }

    #[test]
    fn an_answer_resets_the_backoff() {
        let mut subs = PendingSubscriptions::new();
        subs.sent(id(1), 1);
        let first = subs.rate_limited(0.0).unwrap();
        subs.rate_limited(0.0);
        subs.answered(id(1));
        subs.sent(id(2), 1);
        assert_eq!(subs.rate_limited(0.0), Some(first));
    }
}
