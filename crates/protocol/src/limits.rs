//! Limits both sides enforce, so a client can refuse what the server would refuse anyway.

/// Longest message body, in Unicode scalar values (Rust `char`s), after trimming.
pub const MAX_MESSAGE_CHARS: usize = 4_000;

/// Largest WebSocket frame the server accepts, in bytes. A maximal message is at most
/// 16 KB of UTF-8 plus a few hundred bytes of JSON around it.
pub const MAX_FRAME_BYTES: usize = 32 * 1024;

/// Longest feedback text attached to a rating, in characters.
pub const MAX_FEEDBACK_CHARS: usize = 2_000;

/// Longest visitor name, email or page URL accepted, in characters.
pub const MAX_FIELD_CHARS: usize = 512;

/// Default interval between heartbeats, in milliseconds (SPEC 4.6: every 10 s).
pub const HEARTBEAT_INTERVAL_MS: u64 = 10_000;

/// A connection silent for this long is dead (SPEC 4.6: detected within 30 s).
pub const HEARTBEAT_TIMEOUT_MS: u64 = 30_000;

/// A typing indicator not renewed within this time expires by itself (SPEC 4.8).
pub const TYPING_TTL_MS: u64 = 5_000;

/// Largest page of history one HTTP request returns.
pub const MAX_HISTORY_PAGE: u32 = 200;

/// Counts a body's length the way the limit is defined: in Unicode scalar values.
pub fn message_chars(body: &str) -> usize {
    body.chars().count()
}

/// Shortest password an agent may be given (console, set-password link, CLI).
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Longest canned-response shortcut, in characters.
pub const MAX_SHORTCUT_CHARS: usize = 32;

/// Longest canned-response title, in characters.
pub const MAX_CANNED_TITLE_CHARS: usize = 120;
