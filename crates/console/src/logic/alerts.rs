//! When the console chimes: a new waiting chat, a chat handed to this agent, or a new
//! message in one of the agent's own chats that they are not looking at. Only live socket events chime; a list refreshed over
//! HTTP never does.

use tidings_protocol::{Conversation, ConversationEvent, ConversationStatus};

use crate::logic::list::{matches, Filter, Viewer};

/// Whether a change of `after` (held before as `before`) deserves a sound. `watching` is
/// true while the conversation is on screen in a visible tab.
pub fn deserves_chime(
    before: Option<&Conversation>,
    after: &Conversation,
    event: Option<ConversationEvent>,
    viewer: Viewer,
    watching: bool,
) -> bool {
    let Some(event) = event else {
        return false;
    };
    let newly_waiting = after.status == ConversationStatus::Waiting
        && (event == ConversationEvent::Created || before.is_none());
    let mine_now = matches(Filter::Mine, after, viewer);
    let handed_over = handed_over(before, after, Some(event), viewer);
    let more_unread = mine_now && after.unread > before.map_or(0, |b| b.unread) && !watching;
    newly_waiting || handed_over || more_unread
}

/// Whether a change hands `after` to this agent (an admin's assignment or a colleague's
/// transfer): the console then shows an alert beside the chime.
pub fn handed_over(
    before: Option<&Conversation>,
    after: &Conversation,
    event: Option<ConversationEvent>,
    viewer: Viewer,
) -> bool {
    event == Some(ConversationEvent::Assigned)
        && matches(Filter::Mine, after, viewer)
        && !before.is_some_and(|b| matches(Filter::Mine, b, viewer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::list::tests_support::{assigned, conversation, ME};
    use ConversationEvent::*;
    use ConversationStatus::*;

    #[test]
    fn a_new_waiting_chat_chimes_once() {
        let new = conversation(1, Waiting, 10);
        assert!(deserves_chime(None, &new, Some(Created), ME, false));
        assert!(deserves_chime(None, &new, Some(Updated), ME, false));
        let mut more = new.clone();
        more.last_seq = 2;
        assert!(!deserves_chime(Some(&new), &more, Some(Updated), ME, false));
    }

    #[test]
    fn new_messages_chime_only_in_my_chats_and_only_when_not_watched() {
        let mine = assigned(conversation(1, Active, 10), 7);
        let mut later = mine.clone();
        later.unread = 1;
        assert!(deserves_chime(
            Some(&mine),
            &later,
            Some(Updated),
            ME,
            false
        ));
        assert!(!deserves_chime(
            Some(&mine),
            &later,
            Some(Updated),
            ME,
            true
        ));
        let theirs = assigned(conversation(2, Active, 10), 8);
        let mut theirs_later = theirs.clone();
        theirs_later.unread = 3;
        assert!(!deserves_chime(
            Some(&theirs),
            &theirs_later,
            Some(Updated),
            ME,
            false
        ));
    }

    #[test]
    fn only_a_chat_newly_handed_to_me_raises_the_alert() {
        let theirs = assigned(conversation(1, Active, 10), 8);
        let mine = assigned(conversation(1, Active, 11), 7);
        assert!(handed_over(Some(&theirs), &mine, Some(Assigned), ME));
        assert!(handed_over(None, &mine, Some(Assigned), ME));
        assert!(!handed_over(Some(&mine), &mine, Some(Assigned), ME));
        assert!(!handed_over(Some(&mine), &theirs, Some(Assigned), ME));
        assert!(!handed_over(Some(&theirs), &mine, Some(Claimed), ME));
        assert!(!handed_over(Some(&theirs), &mine, None, ME));
    }

    #[test]
    fn a_chat_handed_to_me_chimes() {
        let theirs = assigned(conversation(1, Active, 10), 8);
        let mine = assigned(conversation(1, Active, 11), 7);
        assert!(deserves_chime(
            Some(&theirs),
            &mine,
            Some(Assigned),
            ME,
            false
        ));
        assert!(deserves_chime(None, &mine, Some(Assigned), ME, false));
        assert!(!deserves_chime(
            Some(&mine),
            &mine,
            Some(Assigned),
            ME,
            false
        ));
        assert!(!deserves_chime(
            Some(&mine),
            &theirs,
            Some(Assigned),
            ME,
            false
        ));
    }

    #[test]
    fn http_refreshes_never_chime() {
        let new = conversation(1, Waiting, 10);
        assert!(!deserves_chime(None, &new, None, ME, false));
    }
}
