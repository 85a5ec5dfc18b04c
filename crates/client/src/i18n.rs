//! Message catalogs: every text the widget and the console show comes from one, in the
//! visitor's or agent's language, with plural forms chosen by CLDR category.
//!
//! A catalog is a flat JSON object from key to text. A text is a string with `{name}`
//! placeholders, or, for a text that depends on a number, an object from CLDR plural
//! category (`zero`, `one`, `two`, `few`, `many`, `other`) to string:
//!
//! ```json
//! { "composer.send": "Send",
//!   "rating.star": { "one": "{count} star of 5", "other": "{count} stars of 5" } }
//! ```
//!
//! [`Messages`] looks a key up in the chosen language's catalog, then in English (built
//! into each app, so a missing key or a catalog that failed to load still shows English),
//! then shows the key itself. Which category a number takes is the browser's business
//! (`Intl.PluralRules`): the caller passes it in as a function, so this module stays plain
//! Rust and its tests mock it. [`check`] is what each app's catalog test runs: a catalog
//! must have exactly English's keys, the same placeholders, and every plural category its
//! language needs.

use crate::json::{self, Json};

/// A CLDR plural category, as `Intl.PluralRules.prototype.select` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    Zero,
    One,
    Two,
    Few,
    Many,
    Other,
}

impl Plural {
    pub const ALL: [Plural; 6] = [
        Plural::Zero,
        Plural::One,
        Plural::Two,
        Plural::Few,
        Plural::Many,
        Plural::Other,
    ];

    /// The category `Intl` named; anything unknown counts as `other`, which every
    /// language has.
    pub fn from_name(name: &str) -> Plural {
        Plural::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .unwrap_or(Plural::Other)
    }

    pub fn name(self) -> &'static str {
        match self {
            Plural::Zero => "zero",
            Plural::One => "one",
            Plural::Two => "two",
            Plural::Few => "few",
            Plural::Many => "many",
            Plural::Other => "other",
        }
    }
}

/// The form of a catalog text for `category`: the text itself when it is a plain string,
/// else its form for the category, else its `other` form.
fn form<'j>(text: &'j Json, category: Plural) -> &'j str {
    match text {
        Json::Str(s) => s,
        _ => text
            .get(category.name())
            .or_else(|| text.get("other"))
            .and_then(Json::as_str)
            .unwrap_or(""),
    }
}

/// The plural forms of a text and their strings (one `Other` form for a plain string).
fn forms<'j>(text: &'j Json) -> Vec<(Plural, &'j str)> {
    match text {
        Json::Str(s) => vec![(Plural::Other, s.as_str())],
        Json::Object(forms) => forms
            .iter()
            .map(|(name, s)| (Plural::from_name(name), s.as_str().unwrap_or("")))
            .collect(),
        _ => Vec::new(),
    }
}

/// One language's texts, kept as the JSON reader's tree (the apps already carry its code,
/// which keeps the wasm small), checked to be a catalog when parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog<'a> {
    root: Json<'a>,
}

impl Default for Catalog<'_> {
    fn default() -> Self {
        Catalog {
            root: Json::Object(Vec::new()),
        }
    }
}

impl<'a> Catalog<'a> {
    /// Reads a catalog file; `None` if it is not a JSON object of strings and plural
    /// objects (a catalog that does not parse is not used at all).
    pub fn parse(text: &'a str) -> Option<Catalog<'a>> {
        let root = json::parse(text)?;
        let Json::Object(fields) = &root else {
            return None;
        };
        let text_ok = |value: &Json| match value {
            Json::Str(_) => true,
            Json::Object(forms) => forms.iter().all(|(name, form)| {
                matches!(form, Json::Str(_)) && Plural::ALL.iter().any(|p| p.name() == name)
            }),
            _ => false,
        };
        fields
            .iter()
            .all(|(_, value)| text_ok(value))
            .then_some(Catalog { root })
    }

    fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.root.get(key)
    }

    /// The keys, in file order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        let fields = match &self.root {
            Json::Object(fields) => fields.as_slice(),
            _ => &[],
        };
        fields.iter().map(|(k, _)| k.as_str())
    }
}

/// The texts an app shows: its language's catalog over English.
pub struct Messages {
    english: Catalog<'static>,
    chosen: Option<Catalog<'static>>,
    category: Box<dyn Fn(f64) -> Plural>,
}

impl Messages {
    /// English alone, with English's plural rule (`one` for exactly 1).
    pub fn english(english: Catalog<'static>) -> Messages {
        Messages {
            english,
            chosen: None,
            category: Box::new(|n| if n == 1.0 { Plural::One } else { Plural::Other }),
        }
    }

    /// `chosen` (the language's catalog) over `english`; `category` is the language's
    /// plural rule (in the browser, `Intl.PluralRules`).
    pub fn new(
        english: Catalog<'static>,
        chosen: Catalog<'static>,
        category: impl Fn(f64) -> Plural + 'static,
    ) -> Messages {
        Messages {
            english,
            chosen: Some(chosen),
            category: Box::new(category),
        }
    }

    /// The text of `key`, the chosen language's if it has one, else English's; the
    /// chosen language's plural rule applies only to its own texts.
    fn text<'a>(&'a self, key: &'a str, count: Option<f64>) -> &'a str {
        if let Some(text) = self.chosen.as_ref().and_then(|c| c.get(key)) {
            return form(text, count.map_or(Plural::Other, |n| (self.category)(n)));
        }
        match self.english.get(key) {
            Some(text) => form(
                text,
                match count {
                    Some(1.0) => Plural::One,
                    _ => Plural::Other,
                },
            ),
            None => key,
        }
    }

    /// The text of `key` as it stands (borrowed: an app that keeps its `Messages` for its
    /// whole life hands out `&'static str`, which its views take as they took literals).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.text(key, None)
    }

    /// The text of `key` with its `{name}` placeholders filled from `args`.
    pub fn format(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.text(key, None), args)
    }

    /// The form of `key` for the number `count` (its category by the language's rule),
    /// with placeholders filled from `args`; pass the number as the caller wants it
    /// written (formatted for the locale) among them, usually as `count`.
    pub fn plural(&self, key: &str, count: f64, args: &[(&str, &str)]) -> String {
        fill(self.text(key, Some(count)), args)
    }
}

/// Replaces each `{name}` in `text` with its value from `args`; an unknown placeholder is
/// A version of a catalog file from its content, computed at compile time (FNV-1a, 32 bits:
/// enough to tell two versions of a file apart). The apps ask for a fetched catalog as
/// `<language>.json?v=<version>`, so a cache can never give an old catalog to a new app,
/// and only these numbers end up in the wasm, not the files.
pub const fn version(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < bytes.len() {
        hash = (hash ^ bytes[i] as u32).wrapping_mul(0x0100_0193);
        i += 1;
    }
    hash
}

/// The keys a piece of source code asks for through `t("…")`, `tf("…")` and `tn("…")`, for the
/// apps' tests that every one is in English (a typo would show the key itself).
pub fn keys_asked_for(source: &str) -> Vec<&str> {
    let mut keys = vec![];
    for call in ["t(\"", "tf(\"", "tn(\""] {
        for (at, _) in source.match_indices(call) {
            let before = source[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &source[at + call.len()..];
            if let Some(end) = rest.find('"') {
                keys.push(&rest[..end]);
            }
        }
    }
    keys
}

/// left as it is (the catalog test keeps that from happening).
pub fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let value = after.find('}').and_then(|end| {
            let name = &after[..end];
            args.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v, end))
        });
        match value {
            Some((value, end)) => {
                out.push_str(value);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{name}` placeholders of `text`, sorted, each once.
fn placeholders(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The language of a BCP 47 tag (`ar-EG` → `ar`) if it is one of `shipped`; `None` for
/// any other language, so the caller shows English.
pub fn shipped_language<'a>(tag: &str, shipped: &[&'a str]) -> Option<&'a str> {
    let language = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    shipped.iter().copied().find(|l| *l == language)
}

/// Whether `language` is written right to left (of the languages a catalog could be
/// added for: Arabic, Hebrew, Persian, Urdu).
pub fn right_to_left(language: &str) -> bool {
    matches!(language, "ar" | "he" | "fa" | "ur")
}

/// The plural categories a language's texts must give (CLDR, cardinal). `other` for a
/// language not listed, which every language has.
pub fn categories(language: &str) -> &'static [Plural] {
    use Plural::*;
    match language {
        "ar" => &[Zero, One, Two, Few, Many, Other],
        // French and Spanish use `many` for large round numbers (1 000 000 de …).
        "fr" | "es" => &[One, Many, Other],
        "en" | "de" => &[One, Other],
        _ => &[Other],
    }
}

/// What is wrong with `catalog` (the texts of `language`) against `english`, one sentence
/// per problem; empty when it is complete. English itself is checked too (against
/// itself): its plural texts must give its own categories.
pub fn check(english: &Catalog, catalog: &Catalog, language: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for key in catalog.keys() {
        let text = catalog.get(key).expect("a key of the catalog");
        let Some(model) = english.get(key) else {
            problems.push(format!("{language}: unknown key {key}"));
            continue;
        };
        let plural = matches!(text, Json::Object(_));
        if plural != matches!(model, Json::Object(_)) {
            problems.push(format!(
                "{language}: {key} must be plural exactly as in English"
            ));
            continue;
        }
        let mut expected: Vec<&str> = forms(model)
            .into_iter()
            .flat_map(|(_, s)| placeholders(s))
            .collect();
        expected.sort_unstable();
        expected.dedup();
        let mut found = Vec::new();
        for (category, form) in forms(text) {
            for name in placeholders(form) {
                if !expected.contains(&name) {
                    problems.push(format!(
                        "{language}: {key} ({}) has the placeholder {{{name}}}, which English has not",
                        category.name()
                    ));
                }
                found.push(name);
            }
        }
        found.sort_unstable();
        found.dedup();
        if found != expected {
            problems.push(format!(
                "{language}: {key} has the placeholders {found:?}, English {expected:?}"
            ));
        }
        if plural {
            let given = forms(text);
            for category in categories(language) {
                if !given.iter().any(|(c, _)| c == category) {
                    problems.push(format!(
                        "{language}: {key} lacks the plural form {}",
                        category.name()
                    ));
                }
            }
        }
    }
    for key in english.keys() {
        if catalog.get(key).is_none() {
            problems.push(format!("{language}: missing key {key}"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: &str = r#"{
        "send": "Send",
        "typing": "{name} is typing…",
        "stars": { "one": "{count} star", "other": "{count} stars" }
    }"#;

    fn english() -> Catalog<'static> {
        Catalog::parse(EN).unwrap()
    }

    /// An Arabic-like rule, as `Intl.PluralRules("ar")` answers for these numbers.
    fn arabic_rule(n: f64) -> Plural {
        match n as u64 {
            0 => Plural::Zero,
            1 => Plural::One,
            2 => Plural::Two,
            3..=10 => Plural::Few,
            11..=99 => Plural::Many,
            _ => Plural::Other,
        }
    }

    #[test]
    fn english_alone_fills_placeholders_and_picks_one_or_other() {
        let m = Messages::english(english());
        assert_eq!(m.get("send"), "Send");
        assert_eq!(m.format("typing", &[("name", "Ada")]), "Ada is typing…");
        assert_eq!(m.plural("stars", 1.0, &[("count", "1")]), "1 star");
        assert_eq!(m.plural("stars", 3.0, &[("count", "3")]), "3 stars");
        assert_eq!(m.plural("stars", 0.0, &[("count", "0")]), "0 stars");
    }

    #[test]
    fn the_language_rule_picks_each_category_and_other_stands_in_for_a_missing_one() {
        let ar = Catalog::parse(
            r#"{"stars": {"zero": "z{count}", "one": "o{count}", "two": "t{count}",
                 "few": "f{count}", "other": "x{count}"}}"#,
        )
        .unwrap();
        let m = Messages::new(english(), ar, arabic_rule);
        let form = |n: f64| m.plural("stars", n, &[("count", &n.to_string())]);
        assert_eq!(form(0.0), "z0");
        assert_eq!(form(1.0), "o1");
        assert_eq!(form(2.0), "t2");
        assert_eq!(form(5.0), "f5");
        assert_eq!(form(11.0), "x11", "no many form: other");
        assert_eq!(form(100.0), "x100");
    }

    #[test]
    fn a_key_the_language_lacks_falls_back_to_english_then_to_the_key() {
        let de = Catalog::parse(r#"{"send": "Senden"}"#).unwrap();
        // German's rule is never asked about an English text.
        let m = Messages::new(english(), de, |_| panic!("not German's text"));
        assert_eq!(m.get("send"), "Senden");
        assert_eq!(m.format("typing", &[("name", "Ada")]), "Ada is typing…");
        assert_eq!(m.get("no.such.key"), "no.such.key");
    }

    #[test]
    fn placeholders_fill_every_occurrence_and_leave_unknown_ones() {
        assert_eq!(fill("{a} and {a}", &[("a", "x")]), "x and x");
        assert_eq!(fill("{b} {", &[("a", "x")]), "{b} {");
        assert_eq!(fill("no braces", &[]), "no braces");
        assert_eq!(
            fill("{a}{a}", &[("a", "{a}")]),
            "{a}{a}",
            "values are not re-read"
        );
    }

    #[test]
    fn only_objects_of_strings_and_plural_objects_parse() {
        assert!(Catalog::parse("[]").is_none());
        assert!(Catalog::parse(r#"{"a": 1}"#).is_none());
        assert!(Catalog::parse(r#"{"a": {"several": "x"}}"#).is_none());
        assert!(Catalog::parse("{").is_none());
        assert_eq!(
            english().keys().collect::<Vec<_>>(),
            ["send", "typing", "stars"]
        );
    }

    #[test]
    fn the_language_of_a_tag_is_used_only_when_shipped() {
        let shipped = ["en", "ar", "de"];
        assert_eq!(shipped_language("ar-EG", &shipped), Some("ar"));
        assert_eq!(shipped_language("DE_at", &shipped), Some("de"));
        assert_eq!(shipped_language("ja", &shipped), None);
        assert_eq!(shipped_language("", &shipped), None);
        assert!(right_to_left("ar") && !right_to_left("de"));
    }

    #[test]
    fn the_check_names_missing_unknown_and_mismatched_texts() {
        let en = english();
        assert!(check(&en, &en, "en").is_empty());
        let bad = Catalog::parse(
            r#"{"send": "Senden {x}", "extra": "?", "typing": "tippt",
                "stars": {"one": "{count} Stern"}}"#,
        )
        .unwrap();
        let problems = check(&en, &bad, "de");
        let has = |needle: &str| problems.iter().any(|p| p.contains(needle));
        assert!(has("send (other) has the placeholder {x}"), "{problems:?}");
        assert!(has("unknown key extra"), "{problems:?}");
        assert!(has("typing has the placeholders []"), "{problems:?}");
        assert!(has("stars lacks the plural form other"), "{problems:?}");
        let missing = Catalog::parse(r#"{"send": "Senden"}"#).unwrap();
        let problems = check(&en, &missing, "de");
        assert!(problems.iter().any(|p| p.contains("missing key typing")));
        assert!(problems.iter().any(|p| p.contains("missing key stars")));
        let not_plural = Catalog::parse(
            r#"{"send": "Senden", "typing": "{name} tippt", "stars": "{count} Sterne"}"#,
        )
        .unwrap();
        assert!(check(&en, &not_plural, "de")
            .iter()
            .any(|p| p.contains("stars must be plural")));
    }

    #[test]
    fn arabic_needs_all_six_categories() {
        let en = english();
        let ar = Catalog::parse(
            r#"{"send": "إرسال", "typing": "{name} يكتب…",
                "stars": {"one": "نجمة", "other": "{count} نجوم"}}"#,
        )
        .unwrap();
        let problems = check(&en, &ar, "ar");
        for missing in ["zero", "two", "few", "many"] {
            assert!(
                problems
                    .iter()
                    .any(|p| p.ends_with(&format!("form {missing}"))),
                "{missing}: {problems:?}"
            );
        }
    }
}
