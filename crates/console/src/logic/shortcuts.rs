//! The console's keyboard shortcuts: which key does what, the list the `?` overlay shows,
//! and which waiting chat "next" opens. Single keys without modifiers, never while the
//! agent types in a field (there `Esc` leaves the field first). Plain functions, tested
//! natively.

use tidings_protocol::Conversation;
use uuid::Uuid;

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    /// Open the longest-waiting chat other than the open one.
    NextWaiting,
    /// Claim the open conversation.
    Claim,
    /// Put the cursor in the reply box.
    Reply,
    /// End (close) the open conversation.
    Close,
    /// Show or hide the list of shortcuts.
    Help,
    /// Leave the field being typed in, or hide the list of shortcuts.
    Dismiss,
}

/// A key press as the console sees it.
#[derive(Debug, Clone, Copy)]
pub struct KeyPress<'a> {
    /// `KeyboardEvent.key`.
    pub key: &'a str,
    /// Ctrl, Alt or Meta held: those belong to the browser and the system.
    pub modified: bool,
    /// The focus is in a text field (input, textarea, select, contenteditable).
    pub in_field: bool,
}

/// The shortcut a key press asks for, if any.
pub fn shortcut(press: KeyPress) -> Option<Shortcut> {
    if press.modified {
        return None;
    }
    if press.in_field {
        return (press.key == "Escape").then_some(Shortcut::Dismiss);
    }
    match press.key {
        "n" | "j" => Some(Shortcut::NextWaiting),
        "c" => Some(Shortcut::Claim),
        "r" => Some(Shortcut::Reply),
        "e" => Some(Shortcut::Close),
        "?" => Some(Shortcut::Help),
        "Escape" => Some(Shortcut::Dismiss),
        _ => None,
    }
}

/// What the `?` overlay lists: keys and what they do.
pub const HELP: &[(&str, &str)] = &[
    (
        "n",
        "Open the next waiting chat (the longest-waiting first)",
    ),
    ("c", "Claim the open chat"),
    ("r", "Reply: put the cursor in the reply box (Enter sends)"),
    ("e", "End the open chat"),
    (
        "/",
        "In the reply box: canned responses (↑ ↓ to choose, Enter to insert)",
    ),
    ("Esc", "Leave the reply box; hide this list"),
    ("?", "Show or hide this list"),
];

/// The chat "next" opens: the first of `waiting` (longest-waiting first) that is not the
/// open one.
pub fn next_waiting(waiting: &[Conversation], open: Option<Uuid>) -> Option<Uuid> {
    waiting.iter().map(|c| c.id).find(|id| Some(*id) != open)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::list::tests_support::conversation;
    use tidings_protocol::ConversationStatus;

    fn press(key: &str) -> KeyPress<'_> {
        KeyPress {
            key,
            modified: false,
            in_field: false,
        }
    }

    #[test]
    fn single_keys_outside_fields_are_shortcuts() {
        assert_eq!(shortcut(press("n")), Some(Shortcut::NextWaiting));
        assert_eq!(shortcut(press("c")), Some(Shortcut::Claim));
        assert_eq!(shortcut(press("r")), Some(Shortcut::Reply));
        assert_eq!(shortcut(press("e")), Some(Shortcut::Close));
        assert_eq!(shortcut(press("?")), Some(Shortcut::Help));
        assert_eq!(shortcut(press("x")), None);
    }

    #[test]
    fn typing_and_modified_keys_are_left_alone() {
        let typing = KeyPress {
            in_field: true,
            ..press("c")
        };
        assert_eq!(shortcut(typing), None);
        let leaving = KeyPress {
            in_field: true,
            ..press("Escape")
        };
        assert_eq!(shortcut(leaving), Some(Shortcut::Dismiss));
        let copy = KeyPress {
            modified: true,
            ..press("c")
        };
        assert_eq!(shortcut(copy), None);
    }

    #[test]
    fn next_skips_the_open_chat() {
        let waiting = vec![
            conversation(1, ConversationStatus::Waiting, 10),
            conversation(2, ConversationStatus::Waiting, 20),
        ];
        let (first, second) = (waiting[0].id, waiting[1].id);
        assert_eq!(next_waiting(&waiting, None), Some(first));
        assert_eq!(next_waiting(&waiting, Some(first)), Some(second));
        assert_eq!(next_waiting(&waiting, Some(second)), Some(first));
        assert_eq!(next_waiting(&waiting[..1], Some(first)), None);
    }
}
