//! Which conversation the widget shows when the server tells it about one, and how a
//! newer report of the shown one is merged. Plain logic, tested natively.
//!
//! Reports arrive by two roads — socket frames and HTTP answers — and an HTTP answer can
//! be older than a frame already applied. So a merge never moves anything backwards: the
//! status only goes waiting → active → ended (the protocol's rule), receipts and the last
//! seq only grow, and a rating once known stays.

use tidings_protocol::{Conversation, ConversationStatus};

/// What to do with a reported conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adoption {
    /// It is the shown conversation: merge the report into it.
    Update,
    /// Show it instead of the current one (newer), with a fresh timeline.
    Switch,
    /// Nothing shown yet: show it, keeping the timeline (messages already sent into it).
    First,
    /// Older than the shown one, or an ended one the visitor chose to leave behind.
    Ignore,
}

/// Decides about `incoming`. `started_new`: the visitor pressed "start a new
/// conversation", so an ended conversation must not come back.
pub fn decide(
    current: Option<&Conversation>,
    incoming: &Conversation,
    started_new: bool,
) -> Adoption {
    match current {
        Some(c) if c.id == incoming.id => Adoption::Update,
        Some(c) if incoming.started_at < c.started_at => Adoption::Ignore,
        Some(_) => Adoption::Switch,
        None if started_new && incoming.status == ConversationStatus::Ended => Adoption::Ignore,
        None => Adoption::First,
    }
}

fn rank(status: ConversationStatus) -> u8 {
    match status {
        ConversationStatus::Waiting => 0,
        ConversationStatus::Active => 1,
        ConversationStatus::Ended => 2,
    }
}

/// `incoming` merged into `current` (same conversation) without moving anything back.
pub fn merge(current: &Conversation, incoming: Conversation) -> Conversation {
    let mut merged = incoming;
    if rank(current.status) > rank(merged.status) {
        merged.status = current.status;
        merged.ended_at = merged.ended_at.or(current.ended_at);
    }
    if merged.assigned_agent.is_none() {
        merged.assigned_agent = current.assigned_agent.clone();
    }
    merged.rating = merged.rating.or(current.rating);
    merged.feedback = merged.feedback.or_else(|| current.feedback.clone());
    merged.last_seq = merged.last_seq.max(current.last_seq);
    merged.visitor_read_seq = merged.visitor_read_seq.max(current.visitor_read_seq);
    merged.agent_read_seq = merged.agent_read_seq.max(current.agent_read_seq);
    merged.agent_delivered_seq = merged.agent_delivered_seq.max(current.agent_delivered_seq);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use tidings_protocol::AgentRef;
    use uuid::Uuid;

    fn conversation(id: u128, started_at: i64, status: ConversationStatus) -> Conversation {
        Conversation {
            id: Uuid::from_u128(id),
            visitor_id: Uuid::from_u128(99),
            status,
            assigned_agent: None,
            started_at,
            assigned_at: None,
            ended_at: None,
            rating: None,
            feedback: None,
            visitor_name: None,
            visitor_email: None,
            visitor_user_id: None,
            page_url: None,
            user_agent: None,
            last_seq: 0,
            last_activity_at: started_at,
            last_message_preview: None,
            visitor_read_seq: 0,
            agent_read_seq: 0,
            agent_delivered_seq: 0,
            unread: 0,
            visitor_online: true,
            visitor_last_seen_at: None,
        }
    }

    #[test]
    fn decides_by_identity_and_age() {
        use ConversationStatus::*;
        let shown = conversation(1, 100, Ended);
        assert_eq!(
            decide(Some(&shown), &conversation(1, 100, Ended), false),
            Adoption::Update
        );
        assert_eq!(
            decide(Some(&shown), &conversation(2, 50, Active), false),
            Adoption::Ignore
        );
        assert_eq!(
            decide(Some(&shown), &conversation(3, 200, Waiting), false),
            Adoption::Switch
        );
        assert_eq!(
            decide(None, &conversation(1, 100, Waiting), false),
            Adoption::First
        );
    }

    #[test]
    fn an_ended_conversation_left_behind_does_not_come_back() {
        let old = conversation(1, 100, ConversationStatus::Ended);
        assert_eq!(decide(None, &old, true), Adoption::Ignore);
        assert_eq!(decide(None, &old, false), Adoption::First);
        let next = conversation(2, 200, ConversationStatus::Waiting);
        assert_eq!(decide(None, &next, true), Adoption::First);
    }

    #[test]
    fn a_stale_report_moves_nothing_backwards() {
        let mut now = conversation(1, 100, ConversationStatus::Ended);
        now.assigned_agent = Some(AgentRef {
            id: Uuid::from_u128(7),
            name: "Ada".into(),
        });
        now.ended_at = Some(300);
        now.rating = Some(5);
        now.last_seq = 9;
        now.visitor_read_seq = 8;
        now.agent_read_seq = 7;
        now.agent_delivered_seq = 9;
        let mut stale = conversation(1, 100, ConversationStatus::Waiting);
        stale.last_seq = 3;
        stale.agent_delivered_seq = 2;
        let merged = merge(&now, stale);
        assert_eq!(merged.status, ConversationStatus::Ended);
        assert_eq!(merged.ended_at, Some(300));
        assert_eq!(merged.assigned_agent.unwrap().name, "Ada");
        assert_eq!(merged.rating, Some(5));
        assert_eq!(
            (
                merged.last_seq,
                merged.visitor_read_seq,
                merged.agent_read_seq,
                merged.agent_delivered_seq
            ),
            (9, 8, 7, 9)
        );
    }

    #[test]
    fn a_newer_report_wins() {
        let now = conversation(1, 100, ConversationStatus::Waiting);
        let mut newer = conversation(1, 100, ConversationStatus::Active);
        newer.visitor_read_seq = 4;
        newer.assigned_agent = Some(AgentRef {
            id: Uuid::from_u128(7),
            name: "Ada".into(),
        });
        let merged = merge(&now, newer.clone());
        assert_eq!(merged, newer);
    }
}
