//! Rules for what the visitor types: trimming, the 4,000-character limit and when the
//! counter shows (SPEC 4.10). Counted in Unicode scalar values, as the server counts.

use tidings_protocol::limits::{message_chars, MAX_MESSAGE_CHARS};

/// The counter appears once a draft is this close to the limit.
pub const COUNTER_FROM: usize = MAX_MESSAGE_CHARS - 500;

/// Whether a draft can be sent, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftCheck {
    Ok,
    Empty,
    TooLong,
}

/// Checks a draft the way the server will (after trimming).
pub fn check(draft: &str) -> DraftCheck {
    let trimmed = draft.trim();
    if trimmed.is_empty() {
        DraftCheck::Empty
    } else if message_chars(trimmed) > MAX_MESSAGE_CHARS {
        DraftCheck::TooLong
    } else {
        DraftCheck::Ok
    }
}

/// The counter text ("3,612 / 4,000"-style, without separators), or `None` while the
/// draft is comfortably short.
pub fn counter(draft: &str) -> Option<u32> {
    let n = message_chars(draft.trim());
    (n >= COUNTER_FROM).then_some(n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_counts_scalar_values() {
        assert_eq!(check("   \n "), DraftCheck::Empty);
        assert_eq!(check(" hi "), DraftCheck::Ok);
        let max = "é".repeat(MAX_MESSAGE_CHARS);
        assert_eq!(check(&max), DraftCheck::Ok, "4,000 two-byte chars are fine");
        assert_eq!(check(&format!("{max}x")), DraftCheck::TooLong);
    }

    #[test]
    fn counter_shows_only_near_the_limit() {
        assert_eq!(counter("short"), None);
        let near = "a".repeat(COUNTER_FROM);
        assert_eq!(counter(&near), Some(COUNTER_FROM as u32));
        assert_eq!(counter(&"a".repeat(4001)), Some(4001));
    }
}
