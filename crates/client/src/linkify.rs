//! The one linkifier of both apps: splits message text into plain text and links, so the
//! widget and the console render text as text and make only `http(s)` URLs clickable
//! (SPEC 4.10), and show the same message with the same links. Nothing here produces HTML:
//! the views turn `Text` into text nodes and `Link` into an `<a>` whose href is the URL
//! itself.
//!
//! The rules are the stricter of the two linkifiers the apps had before:
//! - a link starts only at the beginning or after a space or an opening bracket or quote, so
//!   `xhttps://…` and `javascript:https://…` stay text;
//! - it ends at whitespace, a control character, `<`, `>`, `"` or a backtick;
//! - closing punctuation at its end is prose, not address, except a `)` that the URL opened
//!   itself (`https://w.test/Foo_(bar)`);
//! - a bare scheme (`https://` and nothing) is text.

/// A piece of a message body, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    /// An `http://` or `https://` URL, exactly as written (minus trailing punctuation).
    Link(&'a str),
}

/// Characters that end a sentence rather than a URL when they close it.
const TRAILING: &[char] = &['.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"', '>'];

/// Characters that never occur in a URL we link (they end it).
fn ends_url(c: char) -> bool {
    c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '`')
}

/// Where a link may start: at the beginning or after a space or an opening bracket.
fn may_start_at(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '[' | '{' | '<' | '"' | '\''))
}

/// The length of the scheme at the start of `rest`, if it is `http://` or `https://` (any
/// case). Compared as bytes: copying `rest` to lower case at every character made text of
/// 3-byte characters (CJK, €) quadratic: 12 ms for 4,000 of them.
fn scheme_len(rest: &str) -> Option<usize> {
    let starts = |scheme: &str| {
        rest.as_bytes()
            .get(..scheme.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(scheme.as_bytes()))
    };
    if starts("https://") {
        Some(8)
    } else if starts("http://") {
        Some(7)
    } else {
        None
    }
}

/// The length of the link at the start of `rest` (which starts with a scheme), trailing
/// punctuation trimmed. The brackets are counted once and then kept up to date: counting
/// them again for every character trimmed took "https://a))))…" (4,000 characters) 114 ms.
fn link_len(rest: &str) -> usize {
    let mut end = rest.find(ends_url).unwrap_or(rest.len());
    let opened = rest[..end].matches('(').count();
    let mut closed = rest[..end].matches(')').count();
    while let Some(last) = rest[..end].chars().next_back() {
        if !TRAILING.contains(&last) {
            break;
        }
        if last == ')' {
            if opened >= closed {
                break;
            }
            closed -= 1;
        }
        end -= last.len_utf8();
    }
    end
}

/// Splits `text` into text and link segments, in order; concatenated they equal `text`.
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        if let Some(scheme) = scheme_len(rest).filter(|_| may_start_at(text, i)) {
            let end = link_len(rest);
            if end > scheme {
                if plain_from < i {
                    out.push(Segment::Text(&text[plain_from..i]));
                }
                out.push(Segment::Link(&rest[..end]));
                i += end;
                plain_from = i;
                continue;
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    if plain_from < text.len() {
        out.push(Segment::Text(&text[plain_from..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Segment::{Link, Text};
    use super::*;

    fn joined(text: &str) -> String {
        segments(text)
            .into_iter()
            .map(|s| match s {
                Text(t) | Link(t) => t,
            })
            .collect()
    }

    #[test]
    fn plain_text_is_one_segment() {
        assert_eq!(segments("hello there"), [Text("hello there")]);
        assert!(segments("").is_empty());
    }

    #[test]
    fn links_http_and_https_only() {
        assert_eq!(
            segments("see https://example.com/help or http://a.b/c?d=1#e now"),
            [
                Text("see "),
                Link("https://example.com/help"),
                Text(" or "),
                Link("http://a.b/c?d=1#e"),
                Text(" now")
            ]
        );
        for text in [
            "javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "ftp://files.test/a",
            "mailto:a@b.test",
        ] {
            assert_eq!(segments(text), [Text(text)], "{text}");
        }
    }

    #[test]
    fn markup_stays_text() {
        let s = "<img src=x onerror=alert(1)>";
        assert_eq!(segments(s), [Text(s)]);
        assert_eq!(
            segments("<a href=\"https://evil.test\">x</a>"),
            [
                Text("<a href=\""),
                Link("https://evil.test"),
                Text("\">x</a>")
            ]
        );
    }

    #[test]
    fn the_scheme_must_start_a_word() {
        assert_eq!(segments("xhttps://a.b"), [Text("xhttps://a.b")]);
        assert_eq!(segments("中https://a.b"), [Text("中https://a.b")]);
        // The console's old linkifier linked the https part of this.
        assert_eq!(
            segments("javascript:https://a.b"),
            [Text("javascript:https://a.b")]
        );
        assert_eq!(
            segments("(https://a.b/x)."),
            [Text("("), Link("https://a.b/x"), Text(").")]
        );
    }

    #[test]
    fn trailing_punctuation_is_prose_and_bare_schemes_are_text() {
        assert_eq!(
            segments("see https://example.org/a?b=1. or http://x.test!"),
            [
                Text("see "),
                Link("https://example.org/a?b=1"),
                Text(". or "),
                Link("http://x.test"),
                Text("!"),
            ]
        );
        assert_eq!(segments("https:// alone"), [Text("https:// alone")]);
        assert_eq!(segments("HTTPS://A.B"), [Link("HTTPS://A.B")]);
    }

    #[test]
    fn a_url_ends_at_control_characters_and_backticks() {
        // The console's old linkifier ran on through these.
        assert_eq!(
            segments("`https://a.b/x` and https://c.d\u{7}e"),
            [
                Text("`https://a.b/x` and "),
                Link("https://c.d"),
                Text("\u{7}e")
            ]
        );
    }

    #[test]
    fn balanced_parentheses_stay_in_the_url() {
        assert_eq!(
            segments("(see https://w.test/Foo_(bar))"),
            [Text("(see "), Link("https://w.test/Foo_(bar)"), Text(")")]
        );
    }

    #[test]
    fn a_run_of_closing_brackets_is_trimmed_to_the_ones_the_url_opened() {
        let text = "https://w.test/a_(b)".to_owned() + &")".repeat(3980);
        let parts = segments(&text);
        assert_eq!(parts[0], Link("https://w.test/a_(b)"));
        assert_eq!(parts[1], Text(&text["https://w.test/a_(b)".len()..]));
        assert_eq!(parts.len(), 2);
    }

    #[test]
    fn links_among_three_byte_characters() {
        let text = "€".repeat(4000) + " https://a.b/€ " + &"中".repeat(10);
        let before = "€".repeat(4000) + " ";
        let after = " ".to_owned() + &"中".repeat(10);
        assert_eq!(
            segments(&text),
            [Text(&before), Link("https://a.b/€"), Text(&after)]
        );
    }

    #[test]
    fn segments_give_back_the_text_exactly() {
        for s in [
            "",
            "héllo wörld ✓ https://ü.example/ß",
            "héllo https://ü.test/ä — ok",
            "a\nhttps://x.y\tb",
            "🙂https://x",
            "https://a)))(((",
            "\"https://q.test\"",
        ] {
            assert_eq!(joined(s), s);
        }
    }
}
