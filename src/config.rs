//! What the loader tells the app through the iframe URL: the host page's origin (for
//! `postMessage` checks) and the site owner's settings from the script tag.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::UrlSearchParams;

use crate::settings;

/// Settings for this page load.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Origin of the page embedding us; `None` when the app runs standalone.
    pub host_origin: Option<String>,
    /// Framed by a page the server does not allow (or one lying about its origin): the
    /// app shows nothing of the visitor and says nothing to it.
    pub refused_parent: bool,
    /// URL of the host page (sent to the server as the visitor's page).
    pub page_url: Option<String>,
    /// The site owner's title and greeting; empty when not set (the app then shows its
    /// own, in the visitor's language).
    pub title: String,
    pub greeting: String,
    /// Accent colour, a CSS colour the loader already validated.
    pub color: Option<String>,
    /// BCP 47 locale for texts (its language, if shipped), dates, times and numbers.
    pub locale: String,
    /// The site asks for the pre-chat form (`data-prechat`): which fields, and which are
    /// required, the extras module reads itself.
    pub prechat: bool,
}

impl Config {
    /// Reads `?origin=…&page=…&title=…&greeting=…&color=…&locale=…&prechat=…`.
    pub fn from_location() -> Config {
        let window = web_sys::window();
        let search = window
            .as_ref()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let params = UrlSearchParams::new_with_str(&search).ok();
        let get = |k: &str| {
            params
                .as_ref()
                .and_then(|p| p.get(k))
                .filter(|v| !v.is_empty())
        };
        let embedded = window
            .as_ref()
            .and_then(|w| w.parent().ok().flatten())
            .zip(window.as_ref())
            .is_some_and(|(parent, me)| !js_sys::Object::is(&parent, me));
        let navigator_language = window.as_ref().and_then(|w| w.navigator().language());
        let claimed = get("origin").filter(|_| embedded);
        let refused_parent = claimed.as_deref().is_some_and(|claimed| {
            let own = window.as_ref().and_then(|w| w.location().origin().ok());
            !settings::parent_allowed(
                claimed,
                parent_origin().as_deref(),
                own.as_deref().unwrap_or_default(),
                allowed_origins().as_deref(),
            )
        });
        Config {
            host_origin: claimed.filter(|_| !refused_parent),
            refused_parent,
            page_url: get("page"),
            title: get("title").unwrap_or_default(),
            greeting: get("greeting").unwrap_or_default(),
            prechat: get("prechat").is_some(),
            color: get("color").filter(|c| settings::color(c).is_some()),
            locale: [get("locale"), navigator_language]
                .into_iter()
                .flatten()
                .find_map(|raw| settings::locale_tag(&raw).filter(|t| intl_accepts(t)))
                .unwrap_or_else(|| "en".into()),
        }
    }
}

/// The browser's time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`), sent with
/// the visitor's details so agents see their local time.
///
/// Written with the `Reflect` calls `intl_accepts` already imports: no new JavaScript glue,
/// which keeps the open widget within its budget.
pub fn time_zone() -> Option<String> {
    let get =
        |target: &JsValue, key: &str| js_sys::Reflect::get(target, &JsValue::from_str(key)).ok();
    let no_args = js_sys::Array::of1(&JsValue::UNDEFINED);
    let call = |f: JsValue, this: &JsValue| {
        js_sys::Reflect::apply(f.unchecked_ref::<js_sys::Function>(), this, &no_args).ok()
    };
    let format = call(
        get(&get(&crate::dom::global(), "Intl")?, "DateTimeFormat")?,
        &JsValue::UNDEFINED,
    )?;
    let options = call(get(&format, "resolvedOptions")?, &format)?;
    get(&options, "timeZone")?.as_string()
}

/// The framing page's origin, where the browser says it (`location.ancestorOrigins`).
fn parent_origin() -> Option<String> {
    let location = web_sys::window()?.location();
    let ancestors = js_sys::Reflect::get(&location, &JsValue::from_str("ancestorOrigins")).ok()?;
    js_sys::Reflect::get(&ancestors, &JsValue::from_f64(0.0))
        .ok()?
        .as_string()
}

/// The origins the server allows to embed the app, as it wrote them into this page.
fn allowed_origins() -> Option<String> {
    web_sys::window()?
        .document()?
        .query_selector("meta[name=tidings-allowed-origins]")
        .ok()??
        .get_attribute("content")
}

/// Whether the browser's `Intl` takes `tag` (a well-formed tag can still be refused, e.g.
/// a repeated variant): `Intl.getCanonicalLocales` throws where formatting would.
fn intl_accepts(tag: &str) -> bool {
    let canonical = js_sys::Reflect::get(&crate::dom::global(), &JsValue::from_str("Intl"))
        .and_then(|intl| js_sys::Reflect::get(&intl, &JsValue::from_str("getCanonicalLocales")))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(canonical) = canonical else {
        return true;
    };
    let args = js_sys::Array::of1(&JsValue::from_str(tag));
    js_sys::Reflect::apply(&canonical, &JsValue::UNDEFINED, &args).is_ok()
}
