//! The transfer picker's rules: who may hand a conversation on (its holder, or an admin,
//! while it is active) and in which order colleagues are offered (online first, then away,
//! then offline, each by name), without the agent who holds it already.

use tidings_protocol::{Agent, Conversation, ConversationStatus, PresenceStatus};
use uuid::Uuid;

use crate::logic::list::Viewer;

/// Whether `viewer` may transfer `conversation` (the server checks the same rule).
pub fn may_transfer(conversation: &Conversation, viewer: Viewer) -> bool {
    conversation.status == ConversationStatus::Active
        && (viewer.is_admin
            || conversation
                .assigned_agent
                .as_ref()
                .is_some_and(|a| a.id == viewer.agent_id))
}

fn presence_rank(status: PresenceStatus) -> u8 {
    match status {
        PresenceStatus::Online => 0,
        PresenceStatus::Away => 1,
        PresenceStatus::Offline => 2,
    }
}

/// The agents to offer, in the picker's order, leaving out `holder`.
pub fn targets(agents: &[Agent], holder: Option<Uuid>) -> Vec<Agent> {
    let mut offered: Vec<Agent> = agents
        .iter()
        .filter(|a| Some(a.id) != holder)
        .cloned()
        .collect();
    offered.sort_by(|a, b| {
        presence_rank(a.status)
            .cmp(&presence_rank(b.status))
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then_with(|| a.id.cmp(&b.id))
    });
    offered
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::list::tests_support::{assigned, conversation};
    use ConversationStatus::*;
    use PresenceStatus::*;

    fn agent(n: u128, name: &str, status: PresenceStatus) -> Agent {
        Agent {
            id: Uuid::from_u128(n),
            email: format!("{name}@example.com"),
            name: name.to_string(),
            is_admin: false,
            status,
        }
    }

    #[test]
    fn online_agents_come_first_and_the_holder_is_left_out() {
        let team = [
            agent(1, "zoe", Offline),
            agent(2, "Bob", Away),
            agent(3, "ada", Online),
            agent(4, "Carl", Online),
            agent(5, "me", Online),
        ];
        let names: Vec<_> = targets(&team, Some(Uuid::from_u128(5)))
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(names, ["ada", "Carl", "Bob", "zoe"]);
    }

    #[test]
    fn only_the_holder_or_an_admin_may_transfer_an_active_chat() {
        let me = Viewer {
            agent_id: Uuid::from_u128(7),
            is_admin: false,
        };
        let admin = Viewer {
            agent_id: Uuid::from_u128(9),
            is_admin: true,
        };
        let mine = assigned(conversation(1, Active, 10), 7);
        let theirs = assigned(conversation(2, Active, 10), 8);
        let waiting = conversation(3, Waiting, 10);
        let ended = assigned(conversation(4, Ended, 10), 7);
        assert!(may_transfer(&mine, me));
        assert!(!may_transfer(&theirs, me));
        assert!(may_transfer(&theirs, admin));
        assert!(!may_transfer(&waiting, me));
        assert!(!may_transfer(&waiting, admin));
        assert!(!may_transfer(&ended, me));
    }
}
