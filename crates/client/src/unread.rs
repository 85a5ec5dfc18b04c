//! Unread counting (SPEC 4.4): messages from the other side with a seq above the
//! reader's read seq. System notices ("Ada joined the chat") never count, nor do the
//! reader's own messages.

use tidings_protocol::{Message, Role, Sender};

/// Whether a message by `sender` can be unread for a reader of `role`.
pub fn counts_for(role: Role, sender: Sender) -> bool {
    matches!(
        (role, sender),
        (Role::Visitor, Sender::Agent) | (Role::Agent, Sender::Visitor)
    )
}

/// How many of `messages` are unread for a reader of `role` who has read up to `read_seq`.
pub fn unread_count<'a>(
    role: Role,
    read_seq: u64,
    messages: impl IntoIterator<Item = &'a Message>,
) -> u32 {
    let count = messages
        .into_iter()
        .filter(|m| m.seq > read_seq && counts_for(role, m.sender))
        .count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// The seq to report in a `read` frame after showing `messages`: the highest one held.
/// Never moves backwards from `current`.
pub fn read_up_to<'a>(current: u64, messages: impl IntoIterator<Item = &'a Message>) -> u64 {
    messages.into_iter().map(|m| m.seq).fold(current, u64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn msg(seq: u64, sender: Sender) -> Message {
        Message {
            id: Uuid::from_u128(seq as u128),
            conversation_id: Uuid::nil(),
            seq,
            sender,
            author_name: None,
            agent_id: None,
            body: String::new(),
            created_at: 0,
            attachment: None,
        }
    }

    fn sample() -> Vec<Message> {
        vec![
            msg(1, Sender::Visitor),
            msg(2, Sender::System),
            msg(3, Sender::Agent),
            msg(4, Sender::Agent),
            msg(5, Sender::Visitor),
            msg(6, Sender::System),
        ]
    }

    #[test]
    fn visitor_counts_agent_messages_above_read_seq_only() {
        let m = sample();
        assert_eq!(unread_count(Role::Visitor, 0, &m), 2);
        assert_eq!(unread_count(Role::Visitor, 3, &m), 1);
        assert_eq!(unread_count(Role::Visitor, 6, &m), 0);
    }

    #[test]
    fn agent_counts_visitor_messages_and_never_system_notices() {
        let m = sample();
        assert_eq!(unread_count(Role::Agent, 0, &m), 2);
        assert_eq!(unread_count(Role::Agent, 1, &m), 1);
        assert!(!counts_for(Role::Agent, Sender::System));
        assert!(!counts_for(Role::Visitor, Sender::System));
    }

    #[test]
    fn read_seq_only_moves_forward() {
        let m = sample();
        assert_eq!(read_up_to(0, &m), 6);
        assert_eq!(read_up_to(9, &m), 9);
        assert_eq!(read_up_to(4, &[]), 4);
    }
}
