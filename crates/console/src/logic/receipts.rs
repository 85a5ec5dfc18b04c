//! Read and delivery receipts of both sides of a conversation, which only ever move
//! forward; `tidings_client::Entry::delivery_state` turns them into a message's state.

use tidings_protocol::Sender;

/// How far each side has received and read a conversation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Receipts {
    pub visitor_delivered_seq: u64,
    pub visitor_read_seq: u64,
    pub agent_delivered_seq: u64,
    pub agent_read_seq: u64,
}

impl Receipts {
    /// The other side's `(delivered_seq, read_seq)` for a message by `sender`: the
    /// visitor's for agent messages, the agents' for visitor messages, none for notices.
    pub fn peer_of(&self, sender: Sender) -> (u64, u64) {
        match sender {
            Sender::Agent => (self.visitor_delivered_seq, self.visitor_read_seq),
            Sender::Visitor => (self.agent_delivered_seq, self.agent_read_seq),
            Sender::System | Sender::Note => (0, 0),
        }
    }

    /// Receipts only move forward; a late or repeated receipt never lowers them.
    pub fn raise(&mut self, other: Receipts) {
        self.visitor_delivered_seq = self.visitor_delivered_seq.max(other.visitor_delivered_seq);
        self.visitor_read_seq = self.visitor_read_seq.max(other.visitor_read_seq);
        self.agent_delivered_seq = self.agent_delivered_seq.max(other.agent_delivered_seq);
        self.agent_read_seq = self.agent_read_seq.max(other.agent_read_seq);
        // Whoever read a message also received it.
        self.visitor_delivered_seq = self.visitor_delivered_seq.max(self.visitor_read_seq);
        self.agent_delivered_seq = self.agent_delivered_seq.max(self.agent_read_seq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sender_is_judged_by_the_other_side() {
        let receipts = Receipts {
            visitor_delivered_seq: 5,
            visitor_read_seq: 3,
            agent_delivered_seq: 9,
            agent_read_seq: 8,
        };
        assert_eq!(receipts.peer_of(Sender::Agent), (5, 3));
        assert_eq!(receipts.peer_of(Sender::Visitor), (9, 8));
        assert_eq!(receipts.peer_of(Sender::System), (0, 0));
    }

    #[test]
    fn receipts_never_go_back_and_read_implies_delivered() {
        let mut held = Receipts {
            agent_read_seq: 4,
            ..Receipts::default()
        };
        held.raise(Receipts {
            agent_read_seq: 2,
            visitor_read_seq: 7,
            ..Receipts::default()
        });
        assert_eq!(held.agent_read_seq, 4);
        assert_eq!(held.agent_delivered_seq, 4);
        assert_eq!(held.visitor_delivered_seq, 7);
    }
}
