//! The conversation list: which filter shows what, who may see what, in which order (the
//! waiting queue longest-waiting first, every other tab newest activity first).

use tidings_protocol::{Conversation, ConversationStatus};
use uuid::Uuid;

/// The list tabs of SPEC section 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Filter {
    Waiting,
    Mine,
    All,
    Ended,
}

impl Filter {
    /// Every filter, in tab order.
    pub const EVERY: [Filter; 4] = [Filter::Waiting, Filter::Mine, Filter::All, Filter::Ended];

    /// The name used by the HTTP API (`?filter=`) and in `data-testid="filter-…"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Filter::Waiting => "waiting",
            Filter::Mine => "mine",
            Filter::All => "all",
            Filter::Ended => "ended",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Filter::Waiting => "Waiting",
            Filter::Mine => "Mine",
            Filter::All => "All",
            Filter::Ended => "Ended",
        }
    }

    /// Only admins get the All tab.
    pub fn offered_to(self, viewer: Viewer) -> bool {
        self != Filter::All || viewer.is_admin
    }
}

/// The logged-in agent, as far as list rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub agent_id: Uuid,
    pub is_admin: bool,
}

fn assigned_to(conversation: &Conversation, agent_id: Uuid) -> bool {
    conversation
        .assigned_agent
        .as_ref()
        .is_some_and(|agent| agent.id == agent_id)
}

/// The server's visibility rule, applied again client-side so that a conversation taken by
/// someone else leaves a plain agent's screen at once.
pub fn may_see(conversation: &Conversation, viewer: Viewer) -> bool {
    viewer.is_admin
        || conversation.status == ConversationStatus::Waiting
        || assigned_to(conversation, viewer.agent_id)
}

/// Whether a change makes a conversation visible to the viewer that was not (or was not
/// known) before: assigned to them after someone else had it, say. The server stops
/// streaming a conversation to an agent who loses sight of it, so one that comes back
/// into sight must be followed again.
pub fn regained_sight(before: Option<&Conversation>, after: &Conversation, viewer: Viewer) -> bool {
    !before.is_some_and(|b| may_see(b, viewer)) && may_see(after, viewer)
}

/// Whether a conversation belongs under a tab.
pub fn matches(filter: Filter, conversation: &Conversation, viewer: Viewer) -> bool {
    if !may_see(conversation, viewer) {
        return false;
    }
    match filter {
        Filter::Waiting => conversation.status == ConversationStatus::Waiting,
        Filter::Mine => {
            conversation.status == ConversationStatus::Active
                && assigned_to(conversation, viewer.agent_id)
        }
        Filter::All => viewer.is_admin,
        Filter::Ended => conversation.status == ConversationStatus::Ended,
    }
}

/// The conversations under a tab. Waiting: the longest-waiting first (by when they started,
/// as the server pages them), so a flood of new chats never pushes earlier customers out of
/// sight. Every other tab: newest activity first. Ties are broken by id, so the order is
/// stable between renders.
pub fn visible<'a>(
    conversations: impl IntoIterator<Item = &'a Conversation>,
    filter: Filter,
    viewer: Viewer,
) -> Vec<Conversation> {
    let mut shown: Vec<Conversation> = conversations
        .into_iter()
        .filter(|c| matches(filter, c, viewer))
        .cloned()
        .collect();
    if filter == Filter::Waiting {
        shown.sort_by(|a, b| {
            a.started_at
                .cmp(&b.started_at)
                .then_with(|| a.id.cmp(&b.id))
        });
    } else {
        shown.sort_by(|a, b| {
            b.last_activity_at
                .cmp(&a.last_activity_at)
                .then_with(|| b.id.cmp(&a.id))
        });
    }
    shown
}

/// How many conversations a tab holds (shown as a count beside it).
pub fn count<'a>(
    conversations: impl IntoIterator<Item = &'a Conversation>,
    filter: Filter,
    viewer: Viewer,
) -> usize {
    conversations
        .into_iter()
        .filter(|c| matches(filter, c, viewer))
        .count()
}

/// What the tab title counts: waiting chats plus unread messages in the agent's own chats.
pub fn attention<'a>(
    conversations: impl IntoIterator<Item = &'a Conversation>,
    viewer: Viewer,
) -> u32 {
    conversations
        .into_iter()
        .map(|c| {
            if matches(Filter::Waiting, c, viewer) {
                1
            } else if matches(Filter::Mine, c, viewer) {
                c.unread
            } else {
                0
            }
        })
        .sum()
}

/// Builders shared by the logic tests.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use tidings_protocol::AgentRef;

    pub fn conversation(n: u128, status: ConversationStatus, activity: i64) -> Conversation {
        Conversation {
            id: Uuid::from_u128(n),
            visitor_id: Uuid::from_u128(1000 + n),
            status,
            assigned_agent: None,
            started_at: 0,
            assigned_at: None,
            ended_at: None,
            rating: None,
            feedback: None,
            visitor_name: None,
            visitor_email: None,
            visitor_user_id: None,
            page_url: None,
            user_agent: None,
            last_seq: 1,
            last_activity_at: activity,
            last_message_preview: None,
            visitor_read_seq: 0,
            agent_read_seq: 0,
            agent_delivered_seq: 0,
            unread: 0,
            visitor_online: false,
            visitor_last_seen_at: None,
        }
    }

    pub fn assigned(mut c: Conversation, agent: u128) -> Conversation {
        c.assigned_agent = Some(AgentRef {
            id: Uuid::from_u128(agent),
            name: format!("agent {agent}"),
        });
        c
    }

    pub const ME: Viewer = Viewer {
        agent_id: Uuid::from_u128(7),
        is_admin: false,
    };
    pub const ADMIN: Viewer = Viewer {
        agent_id: Uuid::from_u128(9),
        is_admin: true,
    };
}

#[cfg(test)]
mod tests {
    use super::tests_support::*;
    use super::*;
    use crate::logic::merge::{merge, Merge};
    use std::collections::HashMap;

    fn sample() -> Vec<Conversation> {
        use ConversationStatus::*;
        vec![
            conversation(1, Waiting, 10),
            conversation(2, Waiting, 30),
            assigned(conversation(3, Active, 20), 7),
            assigned(conversation(4, Active, 40), 8),
            assigned(conversation(5, Ended, 50), 7),
            assigned(conversation(6, Ended, 60), 8),
        ]
    }

    fn ids(list: Vec<Conversation>) -> Vec<u128> {
        list.into_iter().map(|c| c.id.as_u128()).collect()
    }

    #[test]
    fn a_plain_agent_sees_waiting_and_their_own_only() {
        let all = sample();
        // Both started at the same time: by id.
        assert_eq!(ids(visible(&all, Filter::Waiting, ME)), vec![1, 2]);
        assert_eq!(ids(visible(&all, Filter::Mine, ME)), vec![3]);
        assert_eq!(ids(visible(&all, Filter::Ended, ME)), vec![5]);
        assert!(visible(&all, Filter::All, ME).is_empty());
        assert!(!Filter::All.offered_to(ME));
    }

    #[test]
    fn an_admin_sees_everything_under_all_newest_first() {
        let all = sample();
        assert!(Filter::All.offered_to(ADMIN));
        assert_eq!(
            ids(visible(&all, Filter::All, ADMIN)),
            vec![6, 5, 4, 2, 3, 1]
        );
        assert_eq!(ids(visible(&all, Filter::Ended, ADMIN)), vec![6, 5]);
        assert!(visible(&all, Filter::Mine, ADMIN).is_empty());
    }

    #[test]
    fn a_claimed_conversation_leaves_waiting_for_everyone_else() {
        let mut held = HashMap::new();
        merge(&mut held, conversation(1, ConversationStatus::Waiting, 10));
        assert_eq!(count(held.values(), Filter::Waiting, ME), 1);
        let claimed = assigned(conversation(1, ConversationStatus::Active, 11), 8);
        assert_eq!(merge(&mut held, claimed), Merge::Updated);
        assert_eq!(count(held.values(), Filter::Waiting, ME), 0);
        assert_eq!(count(held.values(), Filter::Mine, ME), 0);
        assert!(!may_see(&held[&Uuid::from_u128(1)], ME));
        assert!(may_see(&held[&Uuid::from_u128(1)], ADMIN));
    }

    #[test]
    fn a_chat_reassigned_to_me_after_someone_else_had_it_is_regained() {
        use ConversationStatus::*;
        let waiting = conversation(1, Waiting, 10);
        let theirs = assigned(conversation(1, Active, 11), 8);
        let mine = assigned(conversation(1, Active, 12), 7);
        assert!(regained_sight(Some(&theirs), &mine, ME));
        assert!(
            regained_sight(None, &mine, ME),
            "unknown before counts as unseen"
        );
        assert!(
            !regained_sight(Some(&waiting), &mine, ME),
            "never out of sight"
        );
        assert!(
            !regained_sight(Some(&waiting), &theirs, ME),
            "lost, not regained"
        );
        assert!(!regained_sight(Some(&theirs), &theirs, ADMIN));
    }

    #[test]
    fn the_waiting_tab_shows_the_longest_waiting_first() {
        use ConversationStatus::Waiting;
        let mut early = conversation(3, Waiting, 90);
        early.started_at = 10;
        let mut later = conversation(1, Waiting, 20);
        later.started_at = 15;
        let mut same_time = conversation(2, Waiting, 30);
        same_time.started_at = 15;
        let all = vec![later, same_time, early];
        // Started first comes first, however recent its last message.
        assert_eq!(ids(visible(&all, Filter::Waiting, ME)), vec![3, 1, 2]);
        // The All tab keeps newest activity first.
        assert_eq!(ids(visible(&all, Filter::All, ADMIN)), vec![3, 2, 1]);
    }

    #[test]
    fn attention_counts_waiting_chats_and_unread_in_mine() {
        let mut all = sample();
        all[2].unread = 3; // mine
        all[3].unread = 4; // someone else's
        assert_eq!(attention(&all, ME), 2 + 3);
    }
}
