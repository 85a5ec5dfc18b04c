//! The plain logic's English labels (`logic::age`, `logic::names`, `logic::list`,
//! `logic::desktop_alerts`, `logic::report_chart`), said in the agent's language. Each
//! function has the signature of the one it stands for, so components import these
//! instead; in English they return exactly what the logic does (its tests hold that
//! wording), in another language the catalog's words and `Intl`'s dates and numbers.

use js_sys::{Array, Date, Intl, Object, Reflect};
use tidings_protocol::{Conversation, Millis};
use uuid::Uuid;
use wasm_bindgen::JsValue;

use crate::logic::{age, desktop_alerts, list::Filter, names, report_chart};
use crate::texts::{language, t, tf, tn};

const MINUTE: Millis = 60_000;
const HOUR: Millis = 60 * MINUTE;
const DAY: Millis = 24 * HOUR;

fn english() -> bool {
    language() == "en"
}

/// `Intl.DateTimeFormat(language, options).format(at)`.
fn intl_date(at: Millis, options: &[(&str, &str)]) -> String {
    let o = Object::new();
    for (k, v) in options {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    let format = Intl::DateTimeFormat::new(&Array::of1(&language().into()), &o);
    format
        .format()
        .call1(&JsValue::NULL, &Date::new(&JsValue::from_f64(at as f64)))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// "now", "5m", "3h", "2d".
pub fn short_age(now: Millis, then: Millis) -> String {
    if english() {
        return age::short_age(now, then);
    }
    let elapsed = now.saturating_sub(then);
    let n = |unit: Millis| (elapsed / unit) as u64;
    if elapsed < MINUTE {
        t("age.now")
    } else if elapsed < HOUR {
        tn("age.minutes_short", n(MINUTE), &[])
    } else if elapsed < DAY {
        tn("age.hours_short", n(HOUR), &[])
    } else {
        tn("age.days_short", n(DAY), &[])
    }
}

/// "just now", "5 minutes ago", "1 hour ago", "3 days ago".
pub fn long_age(now: Millis, then: Millis) -> String {
    if english() {
        return age::long_age(now, then);
    }
    let elapsed = now.saturating_sub(then);
    let n = |unit: Millis| (elapsed / unit) as u64;
    if elapsed < MINUTE {
        t("age.just_now")
    } else if elapsed < HOUR {
        tn("age.minutes_ago", n(MINUTE), &[])
    } else if elapsed < DAY {
        tn("age.hours_ago", n(HOUR), &[])
    } else {
        tn("age.days_ago", n(DAY), &[])
    }
}

/// "14:05" (24-hour, the browser's zone, which `offset_minutes` is).
pub fn clock_time(at: Millis, offset_minutes: i64) -> String {
    if english() {
        return age::clock_time(at, offset_minutes);
    }
    intl_date(
        at,
        &[
            ("hour", "2-digit"),
            ("minute", "2-digit"),
            ("hourCycle", "h23"),
        ],
    )
}

/// "Today", "Yesterday" or the date of a local day number.
pub fn day_label(today: i64, day: i64) -> String {
    match today - day {
        _ if english() => age::day_label(today, day),
        0 => t("day.today"),
        1 => t("day.yesterday"),
        // The day number is a local day; noon UTC of it, formatted in UTC, is that date.
        _ => intl_date(
            day * DAY + DAY / 2,
            &[
                ("day", "numeric"),
                ("month", "short"),
                ("year", "numeric"),
                ("timeZone", "UTC"),
            ],
        ),
    }
}

/// The visitor's name, or "Visitor #" and a short id.
pub fn visitor_label(conversation: &Conversation) -> String {
    let named = conversation
        .visitor_name
        .as_deref()
        .is_some_and(|n| !n.trim().is_empty());
    if english() || named {
        return names::visitor_label(conversation);
    }
    anonymous_visitor(conversation.visitor_id)
}

fn anonymous_visitor(visitor_id: Uuid) -> String {
    let simple = visitor_id.simple().to_string();
    tf("names.anonymous", &[("id", &simple[simple.len() - 6..])])
}

/// "Chrome 120 on Linux".
pub fn browser_summary(user_agent: &str) -> String {
    let summary = names::browser_summary(user_agent);
    if english() {
        return summary;
    }
    match summary.split_once(" on ") {
        _ if summary == "Unknown browser" => t("names.unknown_browser"),
        Some(("A browser", system)) => tf("names.a_browser_on", &[("system", system)]),
        Some((browser, system)) => tf(
            "names.browser_on",
            &[("browser", browser), ("system", system)],
        ),
        None => summary,
    }
}

/// A filter tab's name.
pub fn filter_label(filter: Filter) -> String {
    match filter {
        Filter::Waiting => t("filter.waiting"),
        Filter::Mine => t("filter.mine"),
        Filter::All => t("filter.all"),
        Filter::Ended => t("filter.ended"),
    }
}

/// A desktop notification's title and body.
pub fn notification_text(
    event: &desktop_alerts::DesktopEvent,
    conversation: &Conversation,
) -> (String, String) {
    let (_, preview) = desktop_alerts::notification_text(event, conversation);
    let who = visitor_label(conversation);
    let title = match event {
        desktop_alerts::DesktopEvent::Waiting { .. } => {
            tf("notifications.waiting", &[("name", &who)])
        }
        desktop_alerts::DesktopEvent::Message { .. } => {
            tf("notifications.wrote", &[("name", &who)])
        }
    };
    (title, preview)
}

/// A report's day (`YYYY-MM-DD`) as "28 Mar".
pub fn report_day_label(day: &str) -> String {
    let label = report_chart::day_label(day);
    let mut parts = day.split('-').map(|p| p.parse::<i32>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (parts.next(), parts.next(), parts.next())
    else {
        return label;
    };
    if english() {
        return label;
    }
    let at = Date::utc(y as f64, (m - 1) as f64) + (d as f64 - 1.0) * DAY as f64 + (DAY / 2) as f64;
    intl_date(
        at as Millis,
        &[("day", "numeric"), ("month", "short"), ("timeZone", "UTC")],
    )
}
