//! The widget's texts in the visitor's language, chosen and loaded before the panel is
//! mounted (so it never shows English first): English is built in; another shipped
//! language's catalog is fetched from beside the app; a failed fetch or a catalog that
//! does not parse leaves English. Plural categories and numbers come from the browser's
//! `Intl`, for the visitor's locale.

use std::cell::Cell;

use js_sys::{Array, Intl, Object, Reflect};
use tidings_client::i18n::{self, Catalog, Messages, Plural};
use wasm_bindgen::JsValue;

use crate::catalogs;

thread_local! {
    /// Set once at start and kept for the page's life, so texts can be `&'static str`:
    /// views take them as they took literals, which keeps the wasm from growing a second
    /// copy of every view's code for `String` texts.
    static TEXTS: Cell<Option<&'static Texts>> = const { Cell::new(None) };
}

struct Texts {
    messages: Messages,
    /// The locale numbers are written for (the visitor's, e.g. `ar-EG`).
    locale: String,
}

impl Texts {
    fn english() -> Texts {
        Texts {
            messages: Messages::english(Catalog::parse(catalogs::ENGLISH).unwrap_or_default()),
            locale: "en".into(),
        }
    }
}

fn install(texts: Texts) -> &'static Texts {
    let texts: &'static Texts = Box::leak(Box::new(texts));
    TEXTS.with(|t| t.set(Some(texts)));
    texts
}

fn texts() -> &'static Texts {
    TEXTS
        .with(Cell::get)
        .unwrap_or_else(|| install(Texts::english()))
}

/// The text of `key`.
pub fn t(key: &'static str) -> &'static str {
    texts().messages.get(key)
}

/// The text of `key` with its placeholders filled.
pub fn tf(key: &str, args: &[(&str, &str)]) -> String {
    texts().messages.format(key, args)
}

/// The form of `key` for `count` (its plural category in the visitor's language), with
/// `{count}` written for the locale and the other placeholders filled from `args`.
pub fn tn(key: &str, count: u32, args: &[(&str, &str)]) -> String {
    let written = number(count);
    let mut all = vec![("count", written.as_str())];
    all.extend_from_slice(args);
    texts().messages.plural(key, count as f64, &all)
}

/// `n` as the visitor's locale writes it (its digits; no grouping, like "4000").
pub fn number(n: u32) -> String {
    let locale = &texts().locale;
    let options = Object::new();
    let _ = Reflect::set(&options, &"useGrouping".into(), &JsValue::FALSE);
    Intl::NumberFormat::new(&Array::of1(&locale.as_str().into()), &options)
        .format()
        .call1(&JsValue::NULL, &JsValue::from_f64(n as f64))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| n.to_string())
}

/// The language shown for `locale` (a tag the browser accepts): its language if the
/// widget ships it, else English.
pub fn language(locale: &str) -> &'static str {
    i18n::shipped_language(locale, &catalogs::SHIPPED).unwrap_or("en")
}

/// Loads the texts for `locale` (numbers, plural rules) and its language's catalog.
/// Returns the language shown: English when the catalog could not be had.
pub async fn load(locale: &str) -> &'static str {
    let language = language(locale);
    let chosen = match catalogs::file(language) {
        // Kept for the page's life, as the texts borrowed from it are.
        Some(file) => crate::api::text(&file)
            .await
            .and_then(|t| Catalog::parse(Box::leak(t.into_boxed_str()))),
        None => None,
    };
    let rules = Intl::PluralRules::new(&Array::of1(&locale.into()), &Object::new());
    let (messages, language) = match chosen {
        Some(catalog) => (
            Messages::new(
                Catalog::parse(catalogs::ENGLISH).unwrap_or_default(),
                catalog,
                move |n| Plural::from_name(&String::from(rules.select(n))),
            ),
            language,
        ),
        None => (Texts::english().messages, "en"),
    };
    install(Texts {
        messages,
        locale: locale.to_owned(),
    });
    language
}
