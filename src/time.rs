//! Dates and times for display, through the browser's `Intl` (no date crate in the wasm).

use js_sys::{Date, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::texts::t;

fn date(ms: i64) -> Date {
    Date::new(&JsValue::from_f64(ms as f64))
}

fn options(pairs: &[(&str, &str)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o.into()
}

/// A number that is the same for two times on the same local calendar day.
pub fn day_key(ms: i64) -> i64 {
    let d = date(ms);
    d.get_full_year() as i64 * 10_000 + d.get_month() as i64 * 100 + d.get_date() as i64
}

/// "Today", "Yesterday" or the date, for a separator.
pub fn day_label(ms: i64, locale: &str) -> String {
    let now = Date::now() as i64;
    let key = day_key(ms);
    if key == day_key(now) {
        t("day.today").into()
    } else if key == day_key(now - 86_400_000) {
        t("day.yesterday").into()
    } else {
        date(ms)
            .to_locale_date_string(
                locale,
                &options(&[("weekday", "long"), ("month", "long"), ("day", "numeric")]),
            )
            .into()
    }
}

/// "14:05" or "2:05 PM", as the locale writes it.
pub fn time_label(ms: i64, locale: &str) -> String {
    date(ms)
        .to_locale_time_string_with_options(
            locale,
            &options(&[("hour", "numeric"), ("minute", "2-digit")]),
        )
        .into()
}

/// Full date and time, for a `title` tooltip and `datetime`-like labels.
pub fn full_label(ms: i64, locale: &str) -> String {
    date(ms)
        .to_locale_string(locale, &JsValue::UNDEFINED)
        .into()
}
