//! The extras' message catalogs (`crates/widget-extras/locales/*.json`), apart from the
//! widget's so that the open widget carries none of their texts: English built into the
//! extras' wasm, every other language a file beside the extras (`chat/extras/<language>.json`,
//! copied there by xtask), fetched by the extras the first time they show something to a
//! visitor who reads it. Plain Rust, so the catalog tests run natively.
//!
//! To add a text: give it a key in `locales/en.json` and every other catalog (the test
//! below names what is missing), then show it with `texts::t` (`tf` with placeholders, `tn`
//! for a number). To add a language: write `locales/<language>.json` and add it to
//! [`SHIPPED`] and [`VERSIONS`] (xtask copies every catalog but English's).

use tidings_client::i18n::version;

/// English, the fallback, compiled into the extras.
pub const ENGLISH: &str = include_str!("../locales/en.json");

/// The languages the extras speak (ISO 639-1), English first: the widget's.
pub const SHIPPED: [&str; 5] = ["en", "ar", "de", "fr", "es"];

/// A version of each fetched catalog, from its content at compile time: the file is asked
/// for as `extras/<language>.json?v=<version>`, so a cache can never give an old catalog to
/// new extras. Only these numbers end up in the wasm, not the files.
const VERSIONS: [(&str, u32); 4] = [
    ("ar", version(include_bytes!("../locales/ar.json"))),
    ("de", version(include_bytes!("../locales/de.json"))),
    ("fr", version(include_bytes!("../locales/fr.json"))),
    ("es", version(include_bytes!("../locales/es.json"))),
];

/// Where the catalog of `language` is, relative to the chat page (the extras run in its
/// document); `None` for English (built in) and for a language not shipped.
pub fn file(language: &str) -> Option<String> {
    VERSIONS
        .iter()
        .find(|(l, _)| *l == language)
        .map(|(l, v)| format!("extras/{l}.json?v={v:x}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tidings_client::i18n::{check, Catalog};

    fn catalog(language: &str) -> Catalog<'static> {
        let path = format!("{}/locales/{language}.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        Catalog::parse(text.leak()).unwrap_or_else(|| panic!("{path} is not a catalog"))
    }

    #[test]
    fn every_catalog_has_exactly_englishs_keys_placeholders_and_its_plural_forms() {
        let english = Catalog::parse(ENGLISH).expect("en.json is a catalog");
        let problems: Vec<String> = SHIPPED
            .iter()
            .flat_map(|language| check(&english, &catalog(language), language))
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn every_shipped_language_but_english_has_a_file_and_a_version() {
        assert_eq!(file("en"), None, "built in");
        assert_eq!(file("ja"), None, "not shipped");
        for language in &SHIPPED[1..] {
            let name = file(language).expect("a version");
            assert!(
                name.starts_with(&format!("extras/{language}.json?v=")),
                "{name}"
            );
        }
        // The extras speak every language the widget does: a visitor never sees a panel
        // in one language with its screens in another.
        let widget = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../src/catalogs.rs"
        ))
        .expect("the widget's catalogs.rs");
        assert!(
            widget.contains(&format!(
                "SHIPPED: [&str; {}] = {SHIPPED:?};",
                SHIPPED.len()
            )),
            "the widget ships another list of languages than {SHIPPED:?}"
        );
    }

    /// Every key the code asks for (through `t`, `tf` and `tn`, and the pre-chat rules'
    /// keys) is in English: a typo would otherwise show the key to visitors.
    #[test]
    fn every_key_the_code_uses_is_in_english() {
        let english = Catalog::parse(ENGLISH).expect("en.json is a catalog");
        let keys: Vec<&str> = english.keys().collect();
        let mut used = 0;
        let dir = format!("{}/src", env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(dir).expect("sources") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).expect("source");
                for key in tidings_client::i18n::keys_asked_for(&source) {
                    assert!(
                        keys.contains(&key),
                        "{} uses {key}, not in en.json",
                        path.display()
                    );
                    used += 1;
                }
            }
        }
        for key in &crate::prechat_rules::KEYS {
            assert!(
                keys.contains(key),
                "the pre-chat rules use {key}, not in en.json"
            );
        }
        assert!(
            used > 25,
            "found only {used} texts: has the way of asking changed?"
        );
    }

    /// Nothing in English goes unused (a text left behind when its screen changed would
    /// still be translated, and shipped, four times over).
    #[test]
    fn every_english_key_is_used() {
        let mut sources = String::new();
        let dir = format!("{}/src", env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(dir).expect("sources") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "rs") {
                sources.push_str(&std::fs::read_to_string(&path).expect("source"));
            }
        }
        let english = Catalog::parse(ENGLISH).expect("en.json is a catalog");
        for key in english.keys() {
            assert!(
                sources.contains(&format!("\"{key}\"")),
                "{key} is in en.json but no source asks for it"
            );
        }
    }
}
