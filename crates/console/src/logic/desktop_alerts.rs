//! Which live events raise a desktop notification, what it says, and the bookkeeping that
//! lets several console tabs of one agent show exactly one per event: every tab derives
//! the same tag from the same frame, and the tab that first takes the notification lock
//! records the tag among the recent ones, so the others find it there and stay quiet.

use tidings_protocol::{Conversation, ConversationEvent, ConversationStatus};
use uuid::Uuid;

use crate::logic::list::{matches, Filter, Viewer};
use crate::logic::names::visitor_label;

/// Something worth a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DesktopEvent {
    /// A new chat in the waiting queue.
    Waiting { conversation: Uuid },
    /// The visitor wrote in one of the agent's own chats (up to `seq`).
    Message { conversation: Uuid, seq: u64 },
}

impl DesktopEvent {
    /// The event's identity, the same in every tab that hears of it.
    pub fn tag(&self) -> String {
        match self {
            DesktopEvent::Waiting { conversation } => format!("waiting:{conversation}"),
            DesktopEvent::Message { conversation, seq } => {
                format!("message:{conversation}:{seq}")
            }
        }
    }

    pub fn conversation(&self) -> Uuid {
        match self {
            DesktopEvent::Waiting { conversation } | DesktopEvent::Message { conversation, .. } => {
                *conversation
            }
        }
    }
}

/// The event a live change of a conversation (held before as `before`) is, if any: it
/// became a waiting chat, or the visitor's unread messages grew in one of the agent's
/// own. A list refreshed over HTTP (`event` is `None`) never notifies.
pub fn desktop_event(
    before: Option<&Conversation>,
    after: &Conversation,
    event: Option<ConversationEvent>,
    viewer: Viewer,
) -> Option<DesktopEvent> {
    let event = event?;
    let newly_waiting = after.status == ConversationStatus::Waiting
        && (event == ConversationEvent::Created || before.is_none());
    if newly_waiting {
        return Some(DesktopEvent::Waiting {
            conversation: after.id,
        });
    }
    let more_unread =
        matches(Filter::Mine, after, viewer) && after.unread > before.map_or(0, |b| b.unread);
    more_unread.then_some(DesktopEvent::Message {
        conversation: after.id,
        seq: after.last_seq,
    })
}

/// The notification's title and body.
pub fn notification_text(event: &DesktopEvent, conversation: &Conversation) -> (String, String) {
    let who = visitor_label(conversation);
    let preview = conversation
        .last_message_preview
        .clone()
        .unwrap_or_default();
    match event {
        DesktopEvent::Waiting { .. } => (format!("New chat waiting: {who}"), preview),
        DesktopEvent::Message { .. } => (format!("{who} wrote"), preview),
    }
}

/// How many tags the tabs remember: far more than can arrive while a tab waits its turn.
pub const RECENT_TAGS: usize = 200;

/// The tags already notified (or passed over) by some tab, newest last, as kept in
/// `localStorage` (one per line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecentTags(Vec<String>);

impl RecentTags {
    pub fn parse(stored: Option<&str>) -> RecentTags {
        RecentTags(
            stored
                .unwrap_or_default()
                .lines()
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
        )
    }

    pub fn contains(&self, tag: &str) -> bool {
        self.0.iter().any(|t| t == tag)
    }

    /// Records `tag`, forgetting the oldest beyond [`RECENT_TAGS`].
    pub fn push(&mut self, tag: String) {
        self.0.push(tag);
        let extra = self.0.len().saturating_sub(RECENT_TAGS);
        self.0.drain(..extra);
    }

    pub fn to_text(&self) -> String {
        self.0.join("\n")
    }
}

/// Whether a tab's "I am in front" mark, written at `marked_at`, still counts at `now`: a
/// tab in front renews it every [`FRONT_RENEW_MS`], so a mark left by a tab that crashed
/// stops counting soon after.
pub fn front_mark_fresh(marked_at: i64, now: i64) -> bool {
    now - marked_at < 3 * FRONT_RENEW_MS
}

pub const FRONT_RENEW_MS: i64 = 10_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::list::tests_support::{assigned, conversation, ME};
    use ConversationEvent::*;
    use ConversationStatus::*;

    #[test]
    fn a_new_waiting_chat_is_one_event() {
        let new = conversation(1, Waiting, 10);
        let event = desktop_event(None, &new, Some(Created), ME).unwrap();
        assert_eq!(
            event,
            DesktopEvent::Waiting {
                conversation: new.id
            }
        );
        assert_eq!(event.tag(), format!("waiting:{}", new.id));
        let mut more = new.clone();
        more.last_seq = 2;
        more.unread = 2;
        assert_eq!(desktop_event(Some(&new), &more, Some(Updated), ME), None);
        assert_eq!(
            desktop_event(None, &new, None, ME),
            None,
            "HTTP lists never notify"
        );
    }

    #[test]
    fn a_new_message_in_my_chat_is_an_event_per_seq_and_theirs_is_not() {
        let mine = assigned(conversation(1, Active, 10), 7);
        let mut later = mine.clone();
        later.unread = 1;
        later.last_seq = 5;
        let event = desktop_event(Some(&mine), &later, Some(Updated), ME).unwrap();
        assert_eq!(event.tag(), format!("message:{}:5", mine.id));
        assert_eq!(desktop_event(Some(&later), &later, Some(Updated), ME), None);
        let theirs = assigned(conversation(2, Active, 10), 8);
        let mut theirs_later = theirs.clone();
        theirs_later.unread = 3;
        assert_eq!(
            desktop_event(Some(&theirs), &theirs_later, Some(Updated), ME),
            None
        );
    }

    #[test]
    fn recent_tags_round_trip_and_forget_the_oldest() {
        let mut recent = RecentTags::parse(None);
        recent.push("a".into());
        recent.push("b".into());
        let again = RecentTags::parse(Some(&recent.to_text()));
        assert!(again.contains("a") && again.contains("b") && !again.contains("c"));
        let mut full = RecentTags::default();
        for i in 0..RECENT_TAGS + 5 {
            full.push(i.to_string());
        }
        assert!(!full.contains("4") && full.contains("5"));
        assert!(full.contains(&(RECENT_TAGS + 4).to_string()));
    }

    #[test]
    fn front_marks_go_stale() {
        assert!(front_mark_fresh(1_000, 1_000 + FRONT_RENEW_MS));
        assert!(!front_mark_fresh(1_000, 1_000 + 3 * FRONT_RENEW_MS));
    }
}
