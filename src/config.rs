//! What the loader tells the app through the iframe URL: the host page's origin (for
//! `postMessage` checks) and the site owner's settings from the script tag.

use web_sys::UrlSearchParams;

/// Settings for this page load.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Origin of the page embedding us; `None` when the app runs standalone.
    pub host_origin: Option<String>,
    /// URL of the host page (sent to the server as the visitor's page).
    pub page_url: Option<String>,
    pub title: String,
    pub greeting: String,
    /// Accent colour, a CSS colour the loader already validated.
    pub color: Option<String>,
    /// BCP 47 locale for dates and times.
    pub locale: String,
}

impl Config {
    /// Reads `?origin=…&page=…&title=…&greeting=…&color=…&locale=…`.
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
        Config {
            host_origin: get("origin").filter(|_| embedded),
            page_url: get("page"),
            title: get("title").unwrap_or_else(|| "Chat with us".into()),
            greeting: get("greeting").unwrap_or_else(|| "Hi! How can we help you today?".into()),
            color: get("color").filter(|c| is_safe_color(c)),
            locale: get("locale")
                .or(navigator_language)
                .unwrap_or_else(|| "en".into()),
        }
    }
}

/// A colour we put into a CSS custom property: `#rgb`/`#rrggbb` or a plain name only.
fn is_safe_color(c: &str) -> bool {
    let hex = c
        .strip_prefix('#')
        .is_some_and(|h| matches!(h.len(), 3 | 6) && h.chars().all(|ch| ch.is_ascii_hexdigit()));
    hex || (c.len() < 20 && c.chars().all(|ch| ch.is_ascii_alphabetic()))
}
