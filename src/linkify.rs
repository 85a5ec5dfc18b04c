//! Splits message text into plain text and links, so the UI can render text as text and
//! make only `http(s)` URLs clickable (SPEC 4.10). Nothing here produces HTML: the view
//! turns `Text` into text nodes and `Link` into an `<a>` whose href is the URL itself.

/// A piece of a message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    /// An `http://` or `https://` URL, exactly as written (minus trailing punctuation).
    Link(String),
}

/// Characters that end a URL when they are its last character: sentence punctuation and
/// closing brackets are more likely prose than part of the address.
const TRAILING: &[char] = &['.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"', '>'];

/// Characters that never occur in a URL we link (they end it).
fn ends_url(c: char) -> bool {
    c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '`')
}

/// Where a link may start: at the beginning or after a space or an opening bracket, so
/// `xhttps://…` or `javascript:https://…` never become links.
fn may_start_at(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '[' | '{' | '<' | '"' | '\''))
}

/// The length of the scheme at the start of `rest`, if it is `http://` or `https://` (any
/// case). Compared as bytes: copying `rest` to lower case here, at every character, made
/// text of 3-byte characters (CJK, €) quadratic: 12 ms for 4,000 of them.
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

/// Splits `text` into text and link segments, in order; concatenated they equal `text`.
pub fn segments(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        if let Some(scheme) = scheme_len(rest).filter(|_| may_start_at(text, i)) {
            let mut end = rest.find(ends_url).unwrap_or(rest.len());
            while end > scheme && rest[..end].ends_with(TRAILING) {
                end -= 1;
            }
            if end > scheme {
                if plain_from < i {
                    out.push(Segment::Text(text[plain_from..i].to_owned()));
                }
                out.push(Segment::Link(rest[..end].to_owned()));
                i += end;
                plain_from = i;
                continue;
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    if plain_from < text.len() {
        out.push(Segment::Text(text[plain_from..].to_owned()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Segment::{Link, Text};

    fn t(s: &str) -> Segment {
        Text(s.into())
    }
    fn l(s: &str) -> Segment {
        Link(s.into())
    }

    #[test]
    fn links_http_and_https_only() {
        assert_eq!(
            segments("see https://example.com/help or http://a.b/c?d=1#e now"),
            [
                t("see "),
                l("https://example.com/help"),
                t(" or "),
                l("http://a.b/c?d=1#e"),
                t(" now")
            ]
        );
        assert_eq!(segments("javascript:alert(1)"), [t("javascript:alert(1)")]);
        assert_eq!(
            segments("ftp://x.y data:text/html,hi"),
            [t("ftp://x.y data:text/html,hi")]
        );
    }

    #[test]
    fn markup_stays_text() {
        let s = "<img src=x onerror=alert(1)>";
        assert_eq!(segments(s), [t(s)]);
        assert_eq!(
            segments("<a href=\"https://evil.test\">x</a>"),
            [t("<a href=\""), l("https://evil.test"), t("\">x</a>")]
        );
    }

    #[test]
    fn scheme_must_start_a_word() {
        assert_eq!(segments("xhttps://a.b"), [t("xhttps://a.b")]);
        assert_eq!(
            segments("javascript:https://a.b"),
            [t("javascript:https://a.b")]
        );
        assert_eq!(
            segments("(https://a.b/x)."),
            [t("("), l("https://a.b/x"), t(").")]
        );
    }

    #[test]
    fn trailing_punctuation_and_bare_schemes() {
        assert_eq!(
            segments("go to https://a.b."),
            [t("go to "), l("https://a.b"), t(".")]
        );
        assert_eq!(segments("https:// alone"), [t("https:// alone")]);
        assert_eq!(segments("HTTPS://A.B"), [l("HTTPS://A.B")]);
    }

    #[test]
    fn links_among_three_byte_characters() {
        let text = "€".repeat(4000) + " https://a.b/€ " + &"中".repeat(10);
        let expected = [
            t(&("€".repeat(4000) + " ")),
            l("https://a.b/€"),
            t(&(" ".to_owned() + &"中".repeat(10))),
        ];
        assert_eq!(segments(&text), expected);
        assert_eq!(segments("中https://a.b"), [t("中https://a.b")]);
    }

    #[test]
    fn round_trips_any_text() {
        for s in [
            "",
            "héllo wörld ✓ https://ü.example/ß",
            "a\nhttps://x.y\tb",
            "🙂https://x",
        ] {
            let joined: String = segments(s)
                .into_iter()
                .map(|seg| match seg {
                    Text(x) | Link(x) => x,
                })
                .collect();
            assert_eq!(joined, s);
        }
    }
}
