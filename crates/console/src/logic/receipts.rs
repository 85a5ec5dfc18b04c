//! The delivery state shown on each message (`data-state`): pending, sent, delivered, read
//! or failed, from the other side's receipts.

use tidings_protocol::Sender;

/// SPEC section 8's `data-state` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Sent,
    Delivered,
    Read,
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Sent => "sent",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Read => "read",
            DeliveryState::Failed => "failed",
        }
    }

    /// The tick marks shown beside the time.
    pub fn ticks(self) -> &'static str {
        match self {
            DeliveryState::Pending => "🕓",
            DeliveryState::Sent => "✓",
            DeliveryState::Delivered | DeliveryState::Read => "✓✓",
            DeliveryState::Failed => "!",
        }
    }
}

/// How far each side has received and read a conversation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Receipts {
    pub visitor_delivered_seq: u64,
    pub visitor_read_seq: u64,
    pub agent_delivered_seq: u64,
    pub agent_read_seq: u64,
}

/// The state of a stored message (one with a seq): agent messages are judged by the
/// visitor's receipts, visitor messages by the agents'; system notices are just sent.
pub fn stored_state(sender: Sender, seq: u64, receipts: Receipts) -> DeliveryState {
    let (delivered, read) = match sender {
        Sender::Agent => (receipts.visitor_delivered_seq, receipts.visitor_read_seq),
        Sender::Visitor => (receipts.agent_delivered_seq, receipts.agent_read_seq),
        Sender::System => return DeliveryState::Sent,
    };
    if read >= seq {
        DeliveryState::Read
    } else if delivered >= seq {
        DeliveryState::Delivered
    } else {
        DeliveryState::Sent
    }
}

impl Receipts {
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
    fn agent_messages_follow_the_visitors_receipts() {
        let receipts = Receipts {
            visitor_delivered_seq: 5,
            visitor_read_seq: 3,
            ..Receipts::default()
        };
        assert_eq!(stored_state(Sender::Agent, 3, receipts), DeliveryState::Read);
        assert_eq!(stored_state(Sender::Agent, 4, receipts), DeliveryState::Delivered);
        assert_eq!(stored_state(Sender::Agent, 6, receipts), DeliveryState::Sent);
        assert_eq!(stored_state(Sender::Visitor, 1, receipts), DeliveryState::Sent);
        assert_eq!(stored_state(Sender::System, 1, receipts), DeliveryState::Sent);
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
        assert_eq!(stored_state(Sender::Visitor, 4, held), DeliveryState::Read);
    }
}
