//! Both linkifiers, the widget's (`tidings_widget::linkify`) and the console's
//! (`crates/console/src/logic/links.rs`, compiled here from its file: the console crate
//! itself needs the browser stack): the pieces rejoin to the input exactly, and every link
//! is an `http(s)://` URL with something after the scheme, starting a word and holding no
//! character that could end an attribute or a tag.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tidings_widget::linkify::{segments, Segment};

#[path = "../../crates/console/src/logic/links.rs"]
#[allow(dead_code)]
mod console_links;

/// The checks both linkifiers must pass for one link found in `text`.
fn check_link(who: &str, text: &str, before: &str, link: &str) {
    let lower = link.to_ascii_lowercase();
    let scheme = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        panic!("{who}: {link:?} is not http(s) in {text:?}")
    };
    assert!(
        link.len() > scheme,
        "{who}: bare scheme {link:?} in {text:?}"
    );
    assert!(
        !link.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '"')),
        "{who}: {link:?} holds a character that ends a URL, in {text:?}"
    );
    assert!(
        before
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric()),
        "{who}: {link:?} does not start a word in {text:?}"
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
                    "widget: split text in {text:?}"
                );
                joined.push_str(&t);
                previous_was_text = true;
            }
            Segment::Link(link) => {
                check_link("widget", text, &joined, &link);
                assert!(
                    !link.contains(|c: char| c.is_control() || matches!(c, '>' | '`')),
                    "widget: {link:?} in {text:?}"
                );
                assert!(
                    !link.ends_with(['.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"', '>']),
                    "widget: trailing punctuation in {link:?}"
                );
                joined.push_str(&link);
                previous_was_text = false;
            }
        }
    }
    assert_eq!(joined, text, "widget: pieces do not rejoin");

    let mut joined = String::new();
    let mut previous_was_text = false;
    for segment in console_links::split_links(text) {
        match segment {
            console_links::Segment::Text(t) => {
                assert!(
                    !t.is_empty() && !previous_was_text,
                    "console: split text in {text:?}"
                );
                joined.push_str(t);
                previous_was_text = true;
            }
            console_links::Segment::Link(link) => {
                check_link("console", text, &joined, link);
                let closes_own_paren =
                    link.ends_with(')') && link.matches('(').count() >= link.matches(')').count();
                assert!(
                    closes_own_paren
                        || !link.ends_with([
                            '.', ',', ';', ':', '!', '?', '\'', '"', ')', ']', '}', '>'
                        ]),
                    "console: trailing punctuation in {link:?}"
                );
                joined.push_str(link);
                previous_was_text = false;
            }
        }
    }
    assert_eq!(joined, text, "console: pieces do not rejoin");
});
