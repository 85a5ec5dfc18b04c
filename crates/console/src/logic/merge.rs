//! How conversation updates from HTTP answers, `conversation` frames and the `queue` merge
//! into the list held, without an older copy ever winning over a newer one.

use std::collections::HashMap;

use tidings_protocol::{Conversation, ConversationStatus};
use uuid::Uuid;

/// What a merge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    /// The conversation was not known before.
    New,
    Updated,
    /// The incoming copy is older than the one held (a slow HTTP answer); it was dropped.
    Stale,
}

fn status_rank(status: ConversationStatus) -> u8 {
    match status {
        ConversationStatus::Waiting => 0,
        ConversationStatus::Active => 1,
        ConversationStatus::Ended => 2,
    }
}

/// Order of freshness: status only moves forward, seqs only grow, activity only advances.
fn freshness(c: &Conversation) -> (u8, u64, i64) {
    (status_rank(c.status), c.last_seq, c.last_activity_at)
}

/// The one way a status goes back: an active conversation returned to the waiting queue
/// (a transfer back to the queue, or its agent removed). The server stamps that change as
/// the conversation's latest activity, so the waiting copy is the newer one when its
/// activity is later and it lacks no message the held copy has.
fn returned_to_queue(current: &Conversation, incoming: &Conversation) -> bool {
    current.status == ConversationStatus::Active
        && incoming.status == ConversationStatus::Waiting
        && incoming.assigned_agent.is_none()
        && incoming.last_activity_at > current.last_activity_at
        && incoming.last_seq >= current.last_seq
}

/// Stores `incoming` unless the copy held is strictly fresher.
pub fn merge(held: &mut HashMap<Uuid, Conversation>, incoming: Conversation) -> Merge {
    match held.get(&incoming.id) {
        None => {
            held.insert(incoming.id, incoming);
            Merge::New
        }
        Some(current)
            if freshness(current) > freshness(&incoming)
                && !returned_to_queue(current, &incoming) =>
        {
            Merge::Stale
        }
        Some(_) => {
            held.insert(incoming.id, incoming);
            Merge::Updated
        }
    }
}

/// Takes the full list the server sends after `watch_queue` (on every connect). It
/// replaces what was held — so a chat taken by someone else while this console was offline
/// disappears — except ended conversations (the queue holds only the latest few) and the
/// conversation on screen. Returns whether a waiting chat appeared that was not held
/// before, never on the first queue since login (`first_queue`): what is held then came
/// over HTTP for whichever tab is selected, which says nothing about what is new.
pub fn replace_with_queue(
    held: &mut HashMap<Uuid, Conversation>,
    queue: Vec<Conversation>,
    open: Option<Uuid>,
    first_queue: bool,
) -> bool {
    let mut fresh = HashMap::new();
    let mut new_waiting = false;
    for conversation in queue {
        if conversation.status == ConversationStatus::Waiting
            && !first_queue
            && !held.contains_key(&conversation.id)
        {
            new_waiting = true;
        }
        merge(&mut fresh, conversation);
    }
    for (id, old) in held.drain() {
        if fresh.contains_key(&id) || old.status == ConversationStatus::Ended || open == Some(id) {
            merge(&mut fresh, old);
        }
    }
    *held = fresh;
    new_waiting
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::list::tests_support::{assigned, conversation};

    #[test]
    fn an_older_copy_never_replaces_a_newer_one() {
        let mut held = HashMap::new();
        let mut newer = conversation(1, ConversationStatus::Active, 50);
        newer.last_seq = 5;
        assert_eq!(merge(&mut held, newer.clone()), Merge::New);
        // A waiting copy from before the claim (no later activity) is stale.
        let mut older = conversation(1, ConversationStatus::Waiting, 50);
        older.last_seq = 9;
        assert_eq!(
            merge(&mut held, older),
            Merge::Stale,
            "status goes back only by a later return to the queue"
        );
        let mut fewer = conversation(1, ConversationStatus::Active, 40);
        fewer.last_seq = 4;
        assert_eq!(merge(&mut held, fewer), Merge::Stale);
        let mut same = newer.clone();
        same.rating = Some(5);
        assert_eq!(merge(&mut held, same), Merge::Updated);
        assert_eq!(held[&newer.id].rating, Some(5));
    }

    #[test]
    fn a_later_return_to_the_queue_replaces_the_active_copy() {
        use ConversationStatus::*;
        let mut held = HashMap::new();
        let mut active = assigned(conversation(1, Active, 50), 8);
        active.last_seq = 5;
        merge(&mut held, active);
        // Returned with a note (one more seq), stamped later: the newer copy.
        let mut returned = conversation(1, Waiting, 60);
        returned.last_seq = 6;
        assert_eq!(merge(&mut held, returned), Merge::Updated);
        assert_eq!(held[&Uuid::from_u128(1)].status, Waiting);
        // A waiting copy missing a message the held one has is not it.
        let mut active = assigned(conversation(2, Active, 50), 8);
        active.last_seq = 5;
        merge(&mut held, active);
        let mut behind = conversation(2, Waiting, 60);
        behind.last_seq = 4;
        assert_eq!(merge(&mut held, behind), Merge::Stale);
    }

    #[test]
    fn the_queue_replaces_the_list_but_keeps_ended_and_open_conversations() {
        use ConversationStatus::*;
        let mut held = HashMap::new();
        assert!(
            !replace_with_queue(&mut held, vec![conversation(1, Waiting, 10)], None, true),
            "the first list after login does not chime"
        );
        merge(&mut held, assigned(conversation(2, Ended, 20), 7));
        merge(&mut held, assigned(conversation(3, Active, 30), 7));
        merge(&mut held, conversation(4, Waiting, 40));
        // While offline: 1 was taken by someone else, 5 arrived; 4 is open on screen.
        let queue = vec![
            assigned(conversation(3, Active, 31), 7),
            conversation(5, Waiting, 50),
        ];
        assert!(replace_with_queue(
            &mut held,
            queue,
            Some(Uuid::from_u128(4)),
            false
        ));
        let mut ids: Vec<u128> = held.keys().map(|id| id.as_u128()).collect();
        ids.sort();
        assert_eq!(ids, vec![2, 3, 4, 5]);
        assert_eq!(held[&Uuid::from_u128(3)].last_activity_at, 31);
        assert!(!replace_with_queue(
            &mut held,
            vec![conversation(5, Waiting, 50)],
            None,
            false
        ));
    }

    #[test]
    fn the_first_queue_after_login_never_chimes_even_with_a_list_held() {
        use ConversationStatus::*;
        // Logged in on the Ended tab: its HTTP list arrived before the queue.
        let mut held = HashMap::new();
        merge(&mut held, assigned(conversation(1, Ended, 10), 7));
        let queue = vec![conversation(2, Waiting, 20), conversation(3, Waiting, 30)];
        assert!(!replace_with_queue(&mut held, queue.clone(), None, true));
        assert_eq!(held.len(), 3);
        // A reconnect later: a chat that arrived meanwhile does chime.
        let mut later = queue;
        later.push(conversation(4, Waiting, 40));
        assert!(replace_with_queue(&mut held, later, None, false));
    }
}
