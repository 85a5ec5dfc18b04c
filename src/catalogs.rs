//! The widget's message catalogs (`locales/*.json`): English built in, every other
//! language a file beside the app (`chat/<language>.json`), fetched at start only by a
//! visitor who reads it. Plain Rust, so the catalog tests run natively.
//!
//! To add a text: give it a key in `locales/en.json` and every other catalog (the test
//! below names what is missing), then show it with `texts::t` (or `tf` with placeholders, `tn` for a number).
//! To add a language: write `locales/<language>.json`, add it to [`SHIPPED`] and to
//! [`VERSIONS`], and name it in `index.html` (`copy-file`) so the build ships it.

use tidings_client::i18n::version;

/// English, the fallback, compiled into the app.
pub const ENGLISH: &str = include_str!("../locales/en.json");

/// The languages the widget speaks (ISO 639-1), English first.
pub const SHIPPED: [&str; 5] = ["en", "ar", "de", "fr", "es"];

/// A version of each fetched catalog, from its content at compile time: the file is asked
/// for as `<language>.json?v=<version>`, so a cache between here and the visitor can never
/// give an old catalog to a new app. Only these numbers end up in the wasm, not the files.
const VERSIONS: [(&str, u32); 4] = [
    ("ar", version(include_bytes!("../locales/ar.json"))),
    ("de", version(include_bytes!("../locales/de.json"))),
    ("fr", version(include_bytes!("../locales/fr.json"))),
    ("es", version(include_bytes!("../locales/es.json"))),
];

/// Where the catalog of `language` is, relative to the app's page; `None` for English
/// (built in) and for a language not shipped.
pub fn file(language: &str) -> Option<String> {
    VERSIONS
        .iter()
        .find(|(l, _)| *l == language)
        .map(|(l, v)| format!("{l}.json?v={v:x}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tidings_client::i18n::{check, Catalog, Messages, Plural};

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
            assert!(name.starts_with(&format!("{language}.json?v=")), "{name}");
        }
        let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/index.html"))
            .expect("index.html");
        for language in &SHIPPED[1..] {
            assert!(
                page.contains(&format!("href=\"locales/{language}.json\"")),
                "index.html must ship locales/{language}.json"
            );
        }
    }

    /// The loader names the launcher with the app's default title before the app has
    /// loaded, so it carries "app.title" of every shipped language: they must agree.
    #[test]
    fn the_loader_carries_every_languages_default_title() {
        let loader =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/widget.js"))
                .expect("assets/widget.js");
        let english = Catalog::parse(ENGLISH).expect("en.json is a catalog");
        for language in SHIPPED {
            let chosen = catalog(language);
            let title = Messages::new(english.clone(), chosen, |_| Plural::Other)
                .get("app.title")
                .to_string();
            let entry = if language == "en" {
                format!("|| \"{title}\";")
            } else {
                format!("{language}: \"{title}\"")
            };
            assert!(
                loader.contains(&entry),
                "assets/widget.js must name the launcher {entry} for {language}"
            );
        }
    }

    /// Every key the code asks for (through `t`, `tf` and `tn`) is in English: a typo
    /// would otherwise show the key to visitors.
    #[test]
    fn every_key_the_code_uses_is_in_english() {
        let english = Catalog::parse(ENGLISH).expect("en.json is a catalog");
        let keys: Vec<&str> = english.keys().collect();
        let mut used = 0;
        let mut sources = vec![];
        for dir in ["src", "src/components"] {
            let dir = format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"));
            for entry in std::fs::read_dir(dir).expect("sources") {
                let path = entry.expect("entry").path();
                if path.extension().is_some_and(|e| e == "rs") {
                    sources.push(std::fs::read_to_string(path).expect("source"));
                }
            }
        }
        for source in &sources {
            for key in tidings_client::i18n::keys_asked_for(source) {
                assert!(keys.contains(&key), "the code uses {key}, not in en.json");
                used += 1;
            }
        }
        assert!(
            used > 30,
            "found only {used} texts: has the way of asking changed?"
        );
    }
}
