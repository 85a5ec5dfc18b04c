//! Search result text: the part of a message around the first match, cut into plain and
//! highlighted pieces. The pieces are rendered as text (`<mark>` around the matches), never
//! as HTML, so a message can inject nothing.

/// Most characters of a message a result shows.
pub const EXCERPT_CHARS: usize = 160;

/// `text` in pieces, `true` for a word that starts with one of `terms` (lower-case, as the
/// server returns them): the same words the server matched.
pub fn pieces(text: &str, terms: &[String]) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut push = |piece: &str, marked: bool| match out.last_mut() {
        Some((last, was)) if *was == marked => last.push_str(piece),
        _ => out.push((piece.to_string(), marked)),
    };
    let mut rest = text;
    while !rest.is_empty() {
        let word_len = rest
            .char_indices()
            .find(|(_, c)| !c.is_alphanumeric())
            .map_or(rest.len(), |(i, _)| i);
        if word_len > 0 {
            let word = &rest[..word_len];
            let lower = word.to_lowercase();
            let marked = terms
                .iter()
                .any(|t| !t.is_empty() && lower.starts_with(t.as_str()));
            push(word, marked);
            rest = &rest[word_len..];
        } else {
            let gap_len = rest
                .char_indices()
                .find(|(_, c)| c.is_alphanumeric())
                .map_or(rest.len(), |(i, _)| i);
            push(&rest[..gap_len], false);
            rest = &rest[gap_len..];
        }
    }
    out
}

/// At most [`EXCERPT_CHARS`] of `text`, starting a little before the first match so it
/// shows; `…` marks what was cut.
pub fn excerpt(text: &str, terms: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= EXCERPT_CHARS {
        return text.to_string();
    }
    let lower = text.to_lowercase();
    let first = terms
        .iter()
        .filter_map(|t| lower.find(t.as_str()))
        .min()
        .map(|byte| lower[..byte].chars().count())
        .unwrap_or(0);
    let start = first.saturating_sub(40).min(chars.len() - EXCERPT_CHARS);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..start + EXCERPT_CHARS]);
    if start + EXCERPT_CHARS < chars.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn marks_the_words_that_start_with_a_term_whatever_their_case() {
        assert_eq!(
            pieces("My Invoice, invoices & <b>inv</b>", &terms(&["inv"])),
            [
                ("My ".to_string(), false),
                ("Invoice".to_string(), true),
                (", ".to_string(), false),
                ("invoices".to_string(), true),
                (" & <".to_string(), false),
                ("b".to_string(), false),
                (">".to_string(), false),
                ("inv".to_string(), true),
                ("</".to_string(), false),
                ("b".to_string(), false),
                (">".to_string(), false),
            ]
            .into_iter()
            .fold(Vec::<(String, bool)>::new(), |mut acc, (p, m)| {
                match acc.last_mut() {
                    Some((last, was)) if *was == m => last.push_str(&p),
                    _ => acc.push((p, m)),
                }
                acc
            })
        );
        assert_eq!(
            pieces("no match here", &terms(&["zz"])),
            [("no match here".to_string(), false)]
        );
        assert!(pieces("", &terms(&["a"])).is_empty());
    }

    #[test]
    fn a_long_message_is_cut_around_its_first_match() {
        let text = format!("{} needle {}", "a".repeat(300), "b".repeat(300));
        let cut = excerpt(&text, &terms(&["needle"]));
        assert!(cut.starts_with('…') && cut.ends_with('…'));
        assert!(cut.contains("needle"));
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 2);
        assert_eq!(excerpt("short", &terms(&["x"])), "short");
    }
}
