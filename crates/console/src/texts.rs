//! The console's texts in the agent's language (the browser's), set up once before the app
//! mounts: every catalog is compiled in (`catalogs`), so there is nothing to wait for.
//! Plural categories and numbers come from the browser's `Intl`.

use std::cell::RefCell;

use js_sys::{Array, Intl, Object, Reflect};
use tidings_client::i18n::{right_to_left, Catalog, Messages, Plural};
use wasm_bindgen::{JsCast, JsValue};

use crate::catalogs;

thread_local! {
    static TEXTS: RefCell<Option<(Messages, String)>> = const { RefCell::new(None) };
}

fn english() -> Catalog<'static> {
    Catalog::parse(catalogs::CATALOGS[0].1).unwrap_or_default()
}

/// Chooses the language from the browser's, loads its texts, and sets the document's
/// `lang` and `dir` (right to left for Arabic). Returns the language.
pub fn install() -> &'static str {
    let navigator = web_sys::window().map(|w| w.navigator());
    let preferred: Vec<String> = navigator
        .as_ref()
        .map(|n| {
            n.languages()
                .iter()
                .filter_map(|l| l.as_string())
                .chain(n.language())
                .collect()
        })
        .unwrap_or_default();
    let language = catalogs::language(preferred.iter().map(String::as_str));
    let chosen = catalogs::catalog(language)
        .filter(|_| language != "en")
        .and_then(Catalog::parse);
    let messages = match chosen {
        Some(catalog) => {
            let rules = Intl::PluralRules::new(&Array::of1(&language.into()), &Object::new());
            Messages::new(english(), catalog, move |n| {
                Plural::from_name(&String::from(rules.select(n)))
            })
        }
        None => Messages::english(english()),
    };
    TEXTS.with(|texts| *texts.borrow_mut() = Some((messages, language.to_owned())));
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(root) = root {
        root.set_lang(language);
        root.set_dir(if right_to_left(language) {
            "rtl"
        } else {
            "ltr"
        });
    }
    language
}

fn with<R>(f: impl FnOnce(&Messages, &str) -> R) -> R {
    TEXTS.with(|texts| {
        let texts = texts.borrow();
        match texts.as_ref() {
            Some((messages, language)) => f(messages, language),
            None => f(&Messages::english(english()), "en"),
        }
    })
}

/// The text of `key`.
pub fn t(key: &str) -> String {
    with(|m, _| m.get(key).to_owned())
}

/// The text of `key` with its placeholders filled.
pub fn tf(key: &str, args: &[(&str, &str)]) -> String {
    with(|m, _| m.format(key, args))
}

/// The form of `key` for `count`, with `{count}` written for the language and the other
/// placeholders filled from `args`.
pub fn tn(key: &str, count: u64, args: &[(&str, &str)]) -> String {
    let written = number(count as f64);
    let mut all = vec![("count", written.as_str())];
    all.extend_from_slice(args);
    with(|m, _| m.plural(key, count as f64, &all))
}

/// `n` as the agent's language writes it.
pub fn number(n: f64) -> String {
    let language = with(|_, l| l.to_owned());
    let options = Object::new();
    let _ = Reflect::set(&options, &"maximumFractionDigits".into(), &JsValue::from(1));
    Intl::NumberFormat::new(&Array::of1(&language.into()), &options)
        .format()
        .call1(&JsValue::NULL, &JsValue::from_f64(n))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| n.to_string())
}

/// The language the console shows (`en`, `ar`, …), e.g. for dates.
pub fn language() -> String {
    with(|_, l| l.to_owned())
}
