//! The time now in another time zone, as the browser's `Intl` knows it: the visitor
//! panel's "local time". A zone the browser does not know shows nothing rather than
//! failing (the server only checks a zone's spelling).

use wasm_bindgen::{JsCast, JsValue};

/// `HH:MM` now in the IANA zone `zone`, or `None` if the browser cannot place it.
pub fn time_in(zone: &str) -> Option<String> {
    let date = js_sys::Date::new_0();
    let options = js_sys::Object::new();
    for (key, value) in [
        ("timeZone", zone),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("hourCycle", "h23"),
    ] {
        js_sys::Reflect::set(&options, &key.into(), &value.into()).ok()?;
    }
    // Called through `Function::call2` so a RangeError (unknown zone) is an `Err`.
    let format = js_sys::Reflect::get(&date, &"toLocaleTimeString".into()).ok()?;
    let format: js_sys::Function = format.dyn_into().ok()?;
    format
        .call2(&date, &JsValue::from_str("en-GB"), &options)
        .ok()?
        .as_string()
}
