//! Reading the words of a console search: whatever an agent types becomes a list of plain
//! words, searched for literally. Quotes, `*`, `-`, `NEAR`, parentheses and the like are
//! never passed on as full-text syntax (each engine's query is written from these words
//! alone in `store::search`), so no query can fail to parse or mean more than its words.

use tidings_protocol::search::{MAX_QUERY_CHARS, MAX_QUERY_WORDS};

use crate::error::{Error, Result};

/// The words of a query, lower-cased, without repeats, in the order typed. A word is a run
/// of letters and digits, which may hold `@ . _ + -` inside (so `grace@example.com` and
/// `order-1234` stay one word, as both engines' tokenizers read them); anything else
/// separates words and is dropped.
pub fn parse(query: &str) -> Result<Vec<String>> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::invalid(format!(
            "a search is limited to {MAX_QUERY_CHARS} characters"
        )));
    }
    let mut words: Vec<String> = Vec::new();
    let inner = |c: char| c.is_alphanumeric() || matches!(c, '@' | '.' | '_' | '+' | '-');
    for chunk in query.split(|c: char| !inner(c)) {
        let word = chunk
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        if !word.is_empty() && !words.contains(&word) {
            words.push(word);
        }
    }
    if words.is_empty() {
        return Err(Error::invalid(
            "a search needs at least one word (letters or digits)",
        ));
    }
    if words.len() > MAX_QUERY_WORDS {
        return Err(Error::invalid(format!(
            "a search is limited to {MAX_QUERY_WORDS} words"
        )));
    }
    Ok(words)
}

/// The words to highlight in results: each word split at its inner punctuation, as a
/// reader sees words (`grace@example.com` highlights `grace`, `example` and `com`).
pub fn highlights(words: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in words {
        for part in word.split(|c: char| !c.is_alphanumeric()) {
            if !part.is_empty() && !out.iter().any(|w| w == part) {
                out.push(part.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_text_syntax_is_read_as_plain_words() {
        assert_eq!(
            parse(r#""refund" NEAR(order* -42) OR ^x"#).unwrap(),
            ["refund", "near", "order", "42", "or", "x"]
        );
        assert_eq!(
            parse("  Grace@Example.com. ").unwrap(),
            ["grace@example.com"]
        );
        assert_eq!(parse("order-1234 ORDER-1234").unwrap(), ["order-1234"]);
        assert_eq!(parse("café über").unwrap(), ["café", "über"]);
    }

    #[test]
    fn empty_long_and_wordless_queries_are_refused() {
        for query in ["", "   ", "\"\" * - ()", "'"] {
            assert!(parse(query).is_err(), "{query:?}");
        }
        assert!(parse(&"a".repeat(MAX_QUERY_CHARS + 1)).is_err());
        assert!(
            parse(&"a ".repeat(MAX_QUERY_WORDS + 1)).is_ok(),
            "repeats count once"
        );
        let many: Vec<String> = (0..=MAX_QUERY_WORDS).map(|i| format!("w{i}")).collect();
        assert!(parse(&many.join(" ")).is_err());
    }

    #[test]
    fn highlights_split_words_at_their_punctuation() {
        let words = parse("grace@example.com grace").unwrap();
        assert_eq!(highlights(&words), ["grace", "example", "com"]);
    }
}
