//! The console's message catalogs (`crates/console/locales/*.json`). Agents are not
//! budgeted like visitors, so all of them are compiled in and none is fetched. Plain Rust,
//! so the catalog tests run natively.
//!
//! To add a text: give it a key in `locales/en.json` and every other catalog (the test
//! below names what is missing), then show it with `texts::t` (`tf` with placeholders,
//! `tn` for a number). To add a language: write `locales/<language>.json` and add it to
//! [`CATALOGS`].

/// English first: the fallback.
pub const CATALOGS: [(&str, &str); 5] = [
    ("en", include_str!("../locales/en.json")),
    ("ar", include_str!("../locales/ar.json")),
    ("de", include_str!("../locales/de.json")),
    ("fr", include_str!("../locales/fr.json")),
    ("es", include_str!("../locales/es.json")),
];

/// The first of the browser's languages (`navigator.languages`, most preferred first) that
/// the console speaks, else English.
pub fn language<'a>(preferred: impl IntoIterator<Item = &'a str>) -> &'static str {
    let shipped: Vec<&'static str> = CATALOGS.iter().map(|(l, _)| *l).collect();
    preferred
        .into_iter()
        .find_map(|tag| tidings_client::i18n::shipped_language(tag, &shipped))
        .unwrap_or("en")
}

/// The catalog text of `language`, if shipped.
pub fn catalog(language: &str) -> Option<&'static str> {
    CATALOGS
        .iter()
        .find(|(l, _)| *l == language)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tidings_client::i18n::{check, Catalog};

    #[test]
    fn every_catalog_has_exactly_englishs_keys_placeholders_and_its_plural_forms() {
        let english = Catalog::parse(CATALOGS[0].1).expect("en.json is a catalog");
        let problems: Vec<String> = CATALOGS
            .iter()
            .flat_map(|(language, text)| {
                let catalog = Catalog::parse(text)
                    .unwrap_or_else(|| panic!("{language}.json is not a catalog"));
                check(&english, &catalog, language)
            })
            .collect();
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn the_first_preferred_language_spoken_wins_else_english() {
        assert_eq!(language(["ja", "de-CH", "fr"]), "de");
        assert_eq!(language(["ar-EG"]), "ar");
        assert_eq!(language(["ja", "@@"]), "en");
        assert_eq!(language([]), "en");
        assert!(catalog("fr").is_some() && catalog("ja").is_none());
    }

    /// Every key the code asks for (through `t`, `tf` and `tn`) is in English: a typo
    /// would otherwise show the key to agents.
    #[test]
    fn every_key_the_code_uses_is_in_english() {
        let english = Catalog::parse(CATALOGS[0].1).expect("en.json is a catalog");
        let keys: Vec<&str> = english.keys().collect();
        let mut used = 0;
        for dir in ["src", "src/components", "src/logic"] {
            let dir = format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"));
            for entry in std::fs::read_dir(dir).expect("sources") {
                let path = entry.expect("entry").path();
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
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
        assert!(
            used > 50,
            "found only {used} texts: has the way of asking changed?"
        );
    }
}
