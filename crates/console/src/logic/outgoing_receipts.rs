//! The `delivered` and `read` receipts the console owes the server, coalesced and paced.
//!
//! Receipts are cumulative (a seq covers every message up to it, and read covers
//! delivered), so only the highest wanted seq of each conversation ever needs sending.
//! Sending one frame per incoming message would spend the socket's rate budget (the server
//! allows 10 frames a second after a burst of 40, then refuses with `rate_limited`) and get
//! a subscribe or a message caught in the same burst refused. So receipts wait here: a
//! flush sends each conversation's highest wanted seq once, flushes are at least
//! [`MIN_INTERVAL_MS`] apart, and they draw on a budget of their own well under the
//! server's rate ([`BURST`], then [`PER_SECOND`]).
//!
//! A `rate_limited` refusal does not say which frame it refused, so receipts sent shortly
//! before one are treated as unsent and go again after a pause; re-sending a cumulative
//! receipt is harmless.

use std::collections::BTreeMap;

use tidings_protocol::ClientFrame;
use uuid::Uuid;

/// Receipt frames the console may send at once.
pub const BURST: f64 = 8.0;
/// Receipt frames per second after the burst: well under the server's default of 10, so
/// messages, subscribes and typing keep most of the connection's budget.
pub const PER_SECOND: f64 = 4.0;
/// Least time between two flushes: receipts for messages arriving within it share one.
pub const MIN_INTERVAL_MS: f64 = 250.0;
/// Receipts sent this long before a `rate_limited` refusal may have been the refused frame.
pub const REFUSAL_WINDOW_MS: f64 = 5_000.0;
/// After a `rate_limited` refusal no receipt is sent for this long.
pub const REFUSAL_PAUSE_MS: f64 = 1_000.0;

/// One receipt frame to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receipt {
    Delivered { conversation_id: Uuid, seq: u64 },
    Read { conversation_id: Uuid, seq: u64 },
}

impl Receipt {
    pub fn frame(self) -> ClientFrame {
        match self {
            Receipt::Delivered {
                conversation_id,
                seq,
            } => ClientFrame::Delivered {
                conversation_id,
                seq,
            },
            Receipt::Read {
                conversation_id,
                seq,
            } => ClientFrame::Read {
                conversation_id,
                seq,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Owed {
    wanted_delivered: u64,
    wanted_read: u64,
    sent_delivered: u64,
    sent_read: u64,
    /// When a receipt of this conversation last went out (ms).
    sent_at: f64,
}

impl Owed {
    /// The one frame this conversation needs, if any: a read covers delivered.
    fn due(&self, conversation_id: Uuid) -> Option<Receipt> {
        if self.wanted_read > self.sent_read {
            return Some(Receipt::Read {
                conversation_id,
                seq: self.wanted_read,
            });
        }
        (self.wanted_delivered > self.sent_delivered.max(self.sent_read)).then_some(
            Receipt::Delivered {
                conversation_id,
                seq: self.wanted_delivered,
            },
        )
    }
}

/// What a flush ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flushed {
    /// Everything due went out, or waits for the budget (see `next_flush_in`).
    Done,
    /// The socket is down: nothing more goes out until the next `hello`.
    Offline,
}

#[derive(Debug)]
pub struct OutgoingReceipts {
    owed: BTreeMap<Uuid, Owed>,
    tokens: f64,
    refilled_at: f64,
    /// No flush before this time (ms).
    not_before: f64,
}

impl Default for OutgoingReceipts {
    fn default() -> Self {
        OutgoingReceipts {
            owed: BTreeMap::new(),
            tokens: BURST,
            refilled_at: 0.0,
            not_before: 0.0,
        }
    }
}

impl OutgoingReceipts {
    pub fn new() -> Self {
        Self::default()
    }

    /// The console has received conversation `id` up to `seq`.
    pub fn delivered(&mut self, id: Uuid, seq: u64) {
        let owed = self.owed.entry(id).or_default();
        owed.wanted_delivered = owed.wanted_delivered.max(seq);
    }

    /// The agent has read conversation `id` up to `seq` (and so also received it).
    pub fn read(&mut self, id: Uuid, seq: u64) {
        let owed = self.owed.entry(id).or_default();
        owed.wanted_read = owed.wanted_read.max(seq);
        owed.wanted_delivered = owed.wanted_delivered.max(seq);
    }

    /// Sends what is due at `now` (ms) through `send`, which says whether the frame went
    /// out. Reads go first: the agent is looking at that conversation.
    pub fn flush(&mut self, now: f64, mut send: impl FnMut(Receipt) -> bool) -> Flushed {
        if now < self.not_before {
            return Flushed::Done;
        }
        self.refill(now);
        let mut due: Vec<Receipt> = self
            .owed
            .iter()
            .filter_map(|(id, owed)| owed.due(*id))
            .collect();
        due.sort_by_key(|r| matches!(r, Receipt::Delivered { .. }));
        let mut sent_any = false;
        for receipt in due {
            if self.tokens < 1.0 {
                break;
            }
            if !send(receipt) {
                return Flushed::Offline;
            }
            self.tokens -= 1.0;
            sent_any = true;
            let (id, seq, read) = match receipt {
                Receipt::Read {
                    conversation_id,
                    seq,
                } => (conversation_id, seq, true),
                Receipt::Delivered {
                    conversation_id,
                    seq,
                } => (conversation_id, seq, false),
            };
            let owed = self.owed.entry(id).or_default();
            owed.sent_delivered = owed.sent_delivered.max(seq);
            if read {
                owed.sent_read = owed.sent_read.max(seq);
            }
            owed.sent_at = now;
        }
        if sent_any {
            self.not_before = now + MIN_INTERVAL_MS;
        }
        Flushed::Done
    }

    /// How long after `now` the next flush can send something, if anything is due.
    pub fn next_flush_in(&self, now: f64) -> Option<f64> {
        self.owed.iter().find_map(|(id, o)| o.due(*id))?;
        let mut tokens = self.tokens;
        tokens = (tokens + (now - self.refilled_at).max(0.0) / 1_000.0 * PER_SECOND).min(BURST);
        let for_token = if tokens >= 1.0 {
            0.0
        } else {
            (1.0 - tokens) / PER_SECOND * 1_000.0
        };
        Some((self.not_before - now).max(for_token).max(0.0))
    }

    /// The server refused some frame for the rate: receipts sent within the last
    /// [`REFUSAL_WINDOW_MS`] may have been it, so they are owed again, after a pause.
    pub fn rate_limited(&mut self, now: f64) {
        for owed in self.owed.values_mut() {
            if now - owed.sent_at <= REFUSAL_WINDOW_MS {
                owed.sent_delivered = 0;
                owed.sent_read = 0;
            }
        }
        self.not_before = self.not_before.max(now + REFUSAL_PAUSE_MS);
    }

    /// The connection was lost: what it carried may be lost too. Forget everything; on the
    /// next connection the queue and each subscription's `synced` report again what the
    /// server still lacks.
    pub fn connection_lost(&mut self) {
        self.owed.clear();
    }

    fn refill(&mut self, now: f64) {
        let elapsed = (now - self.refilled_at).max(0.0);
        self.tokens = (self.tokens + elapsed / 1_000.0 * PER_SECOND).min(BURST);
        self.refilled_at = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn flush_at(out: &mut OutgoingReceipts, now: f64) -> Vec<Receipt> {
        let mut sent = Vec::new();
        out.flush(now, |r| {
            sent.push(r);
            true
        });
        sent
    }

    #[test]
    fn a_burst_of_messages_is_answered_with_one_receipt_per_interval() {
        let mut out = OutgoingReceipts::new();
        let mut frames = Vec::new();
        // Sixty messages, one every 10 ms, into a conversation the agent is reading;
        // the console flushes after each one, as the glue does.
        for seq in 1..=60u64 {
            let now = 1_000.0 + seq as f64 * 10.0;
            out.read(id(1), seq);
            frames.extend(flush_at(&mut out, now));
        }
        // 600 ms at one flush per 250 ms: the first message's, then two more.
        assert_eq!(frames.len(), 3, "{frames:?}");
        let later = out
            .next_flush_in(1_600.0)
            .expect("the last seqs are still owed");
        frames.extend(flush_at(&mut out, 1_600.0 + later));
        assert_eq!(
            frames.last(),
            Some(&Receipt::Read {
                conversation_id: id(1),
                seq: 60
            })
        );
        assert_eq!(out.next_flush_in(2_000.0), None);
        // Seqs only ever rise.
        let seqs: Vec<u64> = frames
            .iter()
            .map(|r| match r {
                Receipt::Read { seq, .. } | Receipt::Delivered { seq, .. } => *seq,
            })
            .collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    }

    #[test]
    fn a_read_covers_delivered_and_goes_first() {
        let mut out = OutgoingReceipts::new();
        out.delivered(id(1), 5);
        out.read(id(1), 5);
        out.delivered(id(2), 3);
        let sent = flush_at(&mut out, 0.0);
        assert_eq!(
            sent,
            vec![
                Receipt::Read {
                    conversation_id: id(1),
                    seq: 5
                },
                Receipt::Delivered {
                    conversation_id: id(2),
                    seq: 3
                },
            ]
        );
        // Already sent: asking again sends nothing.
        out.delivered(id(1), 5);
        out.read(id(1), 4);
        assert_eq!(out.next_flush_in(1_000.0), None);
    }

    #[test]
    fn many_conversations_are_paced_under_the_server_rate() {
        let mut out = OutgoingReceipts::new();
        for n in 0..100 {
            out.delivered(id(n), 1);
        }
        let mut sent = 0usize;
        let mut now = 0.0;
        // Ten seconds of flushing as soon as allowed.
        while now <= 10_000.0 {
            sent += flush_at(&mut out, now).len();
            match out.next_flush_in(now) {
                Some(wait) => now += wait.max(1.0),
                None => break,
            }
        }
        // The burst, then at most PER_SECOND a second: never the server's 10 a second.
        assert!(sent as f64 <= BURST + PER_SECOND * 10.0 + 1.0, "{sent}");
        assert!(sent >= 40, "{sent}");
    }

    #[test]
    fn receipts_sent_just_before_a_rate_limited_refusal_go_again_after_a_pause() {
        let mut out = OutgoingReceipts::new();
        out.read(id(1), 7);
        out.delivered(id(2), 3);
        assert_eq!(flush_at(&mut out, 0.0).len(), 2);
        out.delivered(id(3), 9);
        assert_eq!(flush_at(&mut out, 10_000.0).len(), 1);
        out.rate_limited(10_100.0);
        assert!(flush_at(&mut out, 10_200.0).is_empty(), "paused");
        let wait = out.next_flush_in(10_200.0).unwrap();
        assert!(wait >= REFUSAL_PAUSE_MS - 100.0, "{wait}");
        // Only the receipt sent within the window is owed again.
        assert_eq!(
            flush_at(&mut out, 10_200.0 + wait),
            vec![Receipt::Delivered {
                conversation_id: id(3),
                seq: 9
            }]
        );
    }

    #[test]
    fn offline_receipts_wait_and_a_lost_connection_forgets_them() {
        let mut out = OutgoingReceipts::new();
        out.read(id(1), 2);
        assert_eq!(out.flush(0.0, |_| false), Flushed::Offline);
        assert!(out.next_flush_in(0.0).is_some(), "still owed");
        out.connection_lost();
        assert_eq!(out.next_flush_in(0.0), None);
    }
}
