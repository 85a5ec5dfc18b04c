//! Read and delivery state of each side of a conversation. Values only move forward and
//! never past the conversation's last seq (the writer moves them, `crate::writer`).

use tidings_protocol::Role;

/// One side of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Visitor,
    Agent,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Visitor => "visitor",
            Side::Agent => "agent",
        }
    }

    pub fn role(self) -> Role {
        match self {
            Side::Visitor => Role::Visitor,
            Side::Agent => Role::Agent,
        }
    }
}

/// A side's state after an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadState {
    pub read_seq: u64,
    pub delivered_seq: u64,
}
