//! The browser's own calendar: its IANA time zone (reports count days in it) and local
//! dates as `YYYY-MM-DD`, from `Intl` and `Date`, so the console needs no date library.

use wasm_bindgen::JsValue;

/// The browser's time zone, such as `Europe/Paris` (`UTC` when it does not say).
pub fn time_zone() -> String {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &JsValue::from_str("timeZone"))
        .ok()
        .and_then(|v| v.as_string())
        .filter(|tz| !tz.is_empty())
        .unwrap_or_else(|| "UTC".to_string())
}

/// The local date `days` days before today (0 is today), `YYYY-MM-DD`.
pub fn days_ago(days: u32) -> String {
    let now = js_sys::Date::new_0();
    let day = js_sys::Date::new_with_year_month_day(
        now.get_full_year(),
        now.get_month() as i32,
        now.get_date() as i32 - days as i32,
    );
    format!(
        "{:04}-{:02}-{:02}",
        day.get_full_year(),
        day.get_month() + 1,
        day.get_date()
    )
}
