//! The extras' texts in the visitor's language. The language is the one the widget chose and
//! set as its document's `lang` before mounting (the extras run in the same document), so
//! the widget carries nothing for this; the locale for numbers and dates is the chat page's
//! `?locale=` or the browser's when its language is that one, else the language itself.
//! English is built in; another shipped language's catalog is fetched from beside the
//! extras the first time a screen needs a text ([`ready`]), and every screen awaits it
//! before it mounts. A failed fetch or a catalog that does not parse leaves English.

use std::cell::{Cell, RefCell};

use js_sys::{Array, Intl, Object, Reflect};
use tidings_client::i18n::{self, Catalog, Messages, Plural};
use wasm_bindgen::JsValue;

use crate::catalogs;

thread_local! {
    /// Set once, when the first screen is shown, and kept for the page's life, so texts can
    /// be `&'static str` (views take them as they took literals).
    static TEXTS: Cell<Option<&'static Texts>> = const { Cell::new(None) };
    /// The loading under way: the widget may call two exports at once (its first effect runs
    /// more than once), and both must await one fetch, not each their own.
    static LOADING: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
}

struct Texts {
    messages: Messages,
    /// The locale numbers and dates are written for (the visitor's, e.g. `ar-EG`).
    locale: String,
    /// The language shown (`ar`), which says the direction.
    language: &'static str,
}

fn english() -> Messages {
    Messages::english(Catalog::parse(catalogs::ENGLISH).unwrap_or_default())
}

fn install(texts: Texts) -> &'static Texts {
    let texts: &'static Texts = Box::leak(Box::new(texts));
    TEXTS.with(|t| t.set(Some(texts)));
    texts
}

fn texts() -> &'static Texts {
    TEXTS.with(Cell::get).unwrap_or_else(|| {
        install(Texts {
            messages: english(),
            locale: "en".into(),
            language: "en",
        })
    })
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

/// The locale the visitor's numbers and dates are written for.
pub fn locale() -> &'static str {
    &texts().locale
}

/// Whether the texts read right to left (the arrow keys in the emoji grid follow it).
pub fn right_to_left() -> bool {
    i18n::right_to_left(texts().language)
}

/// `n` as the visitor's locale writes it (its digits; no grouping, like "4000").
pub fn number(n: u32) -> String {
    let options = Object::new();
    let _ = Reflect::set(&options, &"useGrouping".into(), &JsValue::FALSE);
    Intl::NumberFormat::new(&Array::of1(&locale().into()), &options)
        .format()
        .call1(&JsValue::NULL, &JsValue::from_f64(n as f64))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| n.to_string())
}

/// The language the widget shows (its document's `lang`), if the extras ship it.
fn widget_language() -> &'static str {
    let lang = leptos::prelude::document()
        .document_element()
        .map(|e| e.get_attribute("lang").unwrap_or_default())
        .unwrap_or_default();
    i18n::shipped_language(&lang, &catalogs::SHIPPED).unwrap_or("en")
}

/// The locale to write numbers and dates for: the one the loader passed (`?locale=`) or
/// the browser's, when it is of `language` and the browser's `Intl` takes it; else the
/// language itself (the widget's own choice, among the same candidates, picks the same).
fn locale_for(language: &str) -> String {
    let asked = crate::page_setting("locale");
    let browser = web_sys::window().and_then(|w| w.navigator().language());
    [asked, browser]
        .into_iter()
        .flatten()
        .map(|tag| tag.trim().replace('_', "-"))
        .find(|tag| i18n::shipped_language(tag, &[language]).is_some() && intl_accepts(tag))
        .unwrap_or_else(|| language.to_owned())
}

/// Whether the browser's `Intl` takes `tag` (`Intl.getCanonicalLocales` throws where
/// formatting would), asked so that a throw is an answer, not a failure.
fn intl_accepts(tag: &str) -> bool {
    let canonical = Reflect::get(&js_sys::global(), &"Intl".into())
        .and_then(|intl| Reflect::get(&intl, &"getCanonicalLocales".into()))
        .ok()
        .and_then(|f| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).ok());
    canonical
        .is_some_and(|f| Reflect::apply(&f, &JsValue::UNDEFINED, &Array::of1(&tag.into())).is_ok())
}

/// Loads the visitor's texts, once: every screen awaits this before it mounts, so none
/// shows English first. Calls while it loads await the same loading; later calls return
/// at once.
pub async fn ready() {
    if TEXTS.with(Cell::get).is_some() {
        return;
    }
    let loading = LOADING.with_borrow_mut(|loading| {
        loading
            .get_or_insert_with(|| {
                wasm_bindgen_futures::future_to_promise(async {
                    load().await;
                    Ok(JsValue::UNDEFINED)
                })
            })
            .clone()
    });
    let _ = wasm_bindgen_futures::JsFuture::from(loading).await;
}

/// Fetches the language's catalog (if not English) and installs the texts.
async fn load() {
    let language = widget_language();
    let chosen = match catalogs::file(language) {
        // Kept for the page's life, as the texts borrowed from it are.
        Some(file) => crate::api::text(&file)
            .await
            .and_then(|t| Catalog::parse(Box::leak(t.into_boxed_str()))),
        None => None,
    };
    let locale = locale_for(language);
    let (messages, language) = match chosen {
        Some(catalog) => {
            let rules =
                Intl::PluralRules::new(&Array::of1(&locale.as_str().into()), &Object::new());
            (
                Messages::new(
                    Catalog::parse(catalogs::ENGLISH).unwrap_or_default(),
                    catalog,
                    move |n| Plural::from_name(&String::from(rules.select(n))),
                ),
                language,
            )
        }
        None => (english(), "en"),
    };
    install(Texts {
        messages,
        locale,
        language,
    });
}
