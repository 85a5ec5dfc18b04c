//! The linkifier both apps render messages with (`tidings_client::linkify`): the pieces
//! rejoin to the input exactly, text pieces are never empty or split, and every link is an
//! `http(s)://` URL with something after the scheme, starting where a word may start,
//! holding no character that could end an attribute or a tag, and ending without closing
//! punctuation unless it closes a bracket the URL opened.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tidings_client::linkify::{segments, Segment};

fn check_link(text: &str, before: &str, link: &str) {
    let lower = link.to_ascii_lowercase();
    let scheme = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        panic!("{link:?} is not http(s) in {text:?}")
    };
    assert!(link.len() > scheme, "bare scheme {link:?} in {text:?}");
    assert!(
        !link.contains(|c: char| c.is_whitespace()
            || c.is_control()
            || matches!(c, '<' | '>' | '"' | '`')),
        "{link:?} holds a character that ends a URL, in {text:?}"
    );
    assert!(
        before.chars().next_back().is_none_or(
            |c| c.is_whitespace() || matches!(c, '(' | '[' | '{' | '<' | '"' | '\'')
        ),
        "{link:?} does not start a word in {text:?}"
    );
    let closes_own_paren =
        link.ends_with(')') && link.matches('(').count() >= link.matches(')').count();
    assert!(
        closes_own_paren
            || !link.ends_with(['.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"', '>']),
        "trailing punctuation in {link:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut joined = String::new();
    let mut previous_was_text = false;
    for segment in segments(text) {
        match segment {
            Segment::Text(t) => {
                assert!(
                    !t.is_empty() && !previous_was_text,
                    "split text in {text:?}"
                );
                joined.push_str(t);
                previous_was_text = true;
            }
            Segment::Link(link) => {
                check_link(text, &joined, link);
                joined.push_str(link);
                previous_was_text = false;
            }
        }
    }
    assert_eq!(joined, text, "pieces do not rejoin");
});
