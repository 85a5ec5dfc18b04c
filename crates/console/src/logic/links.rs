//! Splits message text into plain text and http(s) links (SPEC 4.10): only these two schemes
//! ever become clickable; everything is rendered as text, never as HTML.

/// One run of a message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// Characters that end a sentence rather than a URL when they close it.
const TRAILING_PUNCTUATION: &[char] =
    &['.', ',', ';', ':', '!', '?', '\'', '"', ')', ']', '}', '>'];

/// Splits `text` into segments; concatenating them gives back `text` exactly.
pub fn split_links(text: &str) -> Vec<Segment<'_>> {
    let mut segments = Vec::new();
    let mut plain_start = 0;
    let mut cursor = 0;
    // Once per text, not once per link: the same byte offsets, since only ASCII changes.
    let lower = text.to_ascii_lowercase();
    while let Some(found) = find_scheme(text, &lower, cursor) {
        let end = link_end(text, found);
        if end <= found + scheme_len(&text[found..]) {
            // A bare "https://" with nothing after it is not a link.
            cursor = end.max(found + 1);
            continue;
        }
        if plain_start < found {
            segments.push(Segment::Text(&text[plain_start..found]));
        }
        segments.push(Segment::Link(&text[found..end]));
        plain_start = end;
        cursor = end;
    }
    if plain_start < text.len() {
        segments.push(Segment::Text(&text[plain_start..]));
    }
    segments
}

/// Byte index of the next `http://` or `https://` (any case) at or after `from` that starts
/// a word, so "xhttp://" is not taken for a link. `lower` is `text` in ASCII lower case.
fn find_scheme(text: &str, lower: &str, from: usize) -> Option<usize> {
    let mut search = from;
    while let Some(rel) = lower[search..].find("http") {
        let at = search + rel;
        let rest = &lower[at..];
        let starts_word = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if starts_word && (rest.starts_with("http://") || rest.starts_with("https://")) {
            return Some(at);
        }
        search = at + 4;
    }
    None
}

fn scheme_len(rest: &str) -> usize {
    if rest
        .as_bytes()
        .get(4)
        .is_some_and(|b| b.eq_ignore_ascii_case(&b's'))
    {
        "https://".len()
    } else {
        "http://".len()
    }
}

/// The URL runs to the next whitespace or angle bracket, minus closing punctuation; a `)`
/// is kept when the URL opened one itself (as in Wikipedia links). The brackets are counted
/// once and then kept up to date: counting them again for every character trimmed took a
/// visitor's "https://a))))…" (4,000 characters) 114 ms in every console that showed it.
fn link_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let mut end = start
        + rest
            .find(|c: char| c.is_whitespace() || c == '<' || c == '"')
            .unwrap_or(rest.len());
    let opened = text[start..end].matches('(').count();
    let mut closed = text[start..end].matches(')').count();
    while let Some(last) = text[start..end].chars().next_back() {
        if !TRAILING_PUNCTUATION.contains(&last) {
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

#[cfg(test)]
mod tests {
    use super::Segment::{Link, Text};
    use super::*;

    #[test]
    fn plain_text_is_one_segment() {
        assert_eq!(split_links("hello there"), vec![Text("hello there")]);
        assert!(split_links("").is_empty());
    }

    #[test]
    fn http_and_https_links_are_found_and_trailing_punctuation_stays_text() {
        assert_eq!(
            split_links("see https://example.org/a?b=1. or http://x.test!"),
            vec![
                Text("see "),
                Link("https://example.org/a?b=1"),
                Text(". or "),
                Link("http://x.test"),
                Text("!"),
            ]
        );
    }

    #[test]
    fn other_schemes_never_become_links() {
        for text in [
            "javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "ftp://files.test/a",
            "xhttps://evil.test",
            "mailto:a@b.test",
        ] {
            assert_eq!(split_links(text), vec![Text(text)], "{text}");
        }
    }

    #[test]
    fn balanced_parentheses_stay_in_the_url() {
        assert_eq!(
            split_links("(see https://w.test/Foo_(bar))"),
            vec![Text("(see "), Link("https://w.test/Foo_(bar)"), Text(")")]
        );
    }

    #[test]
    fn a_bare_scheme_is_text_and_case_is_kept() {
        assert_eq!(
            split_links("https:// nothing"),
            vec![Text("https:// nothing")]
        );
        assert_eq!(
            split_links("HTTPS://A.TEST/x"),
            vec![Link("HTTPS://A.TEST/x")]
        );
    }

    #[test]
    fn a_run_of_closing_brackets_is_trimmed_to_the_ones_the_url_opened() {
        let text = "https://w.test/a_(b)".to_owned() + &")".repeat(3980);
        let segments = split_links(&text);
        assert_eq!(segments[0], Link("https://w.test/a_(b)"));
        assert_eq!(segments[1], Text(&text["https://w.test/a_(b)".len()..]));
        assert_eq!(segments.len(), 2);
    }

    #[test]
    fn markup_around_a_link_is_not_part_of_it() {
        assert_eq!(
            split_links("<a href=\"https://a.test\">x</a>"),
            vec![Text("<a href=\""), Link("https://a.test"), Text("\">x</a>")]
        );
    }

    #[test]
    fn multibyte_text_around_links_is_kept_whole() {
        let text = "héllo https://ü.test/ä — ok";
        let joined: String = split_links(text)
            .into_iter()
            .map(|s| match s {
                Text(t) | Link(t) => t,
            })
            .collect();
        assert_eq!(joined, text);
        assert!(split_links(text).contains(&Link("https://ü.test/ä")));
    }
}
