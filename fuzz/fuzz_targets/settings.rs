//! The site owner's script-tag settings as the widget app reads them from its URL
//! (`tidings_widget::settings`): the loader passes `data-color` and `data-locale` through,
//! and whatever a page puts there must never reach CSS or `Intl` unless it has the shape
//! the rules promise. The colour oracle is the loader's regular expression, spelled out.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tidings_widget::settings::{color, locale_tag};

/// `^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$|^[a-z]{1,20}$`, case-insensitive.
fn loader_accepts_color(raw: &str) -> bool {
    match raw.strip_prefix('#') {
        Some(hex) => {
            matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => (1..=20).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphabetic()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match color(text) {
        Some(accepted) => {
            assert_eq!(accepted, text);
            assert!(
                loader_accepts_color(text),
                "app takes {text:?}, the loader would not"
            );
        }
        None => assert!(
            !loader_accepts_color(text),
            "app refuses {text:?}, the loader takes it"
        ),
    }
    if let Some(tag) = locale_tag(text) {
        assert!(tag.len() <= 35, "{tag:?}");
        assert!(
            tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
            "{tag:?}"
        );
        assert!(
            !tag.starts_with('-') && !tag.ends_with('-') && !tag.contains("--"),
            "{tag:?}"
        );
        assert_eq!(
            locale_tag(&tag).as_deref(),
            Some(tag.as_str()),
            "not idempotent"
        );
    }
});
