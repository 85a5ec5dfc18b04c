//! The site owner's script-tag settings that reach the app through the iframe URL, checked
//! by rules the loader (`assets/widget.js`) applies too, so both sides agree on what is
//! accepted: a colour, and a locale tag that can never break date formatting.

/// The longest colour name accepted (CSS names are shorter; the limit keeps it harmless).
const MAX_COLOR_NAME: usize = 20;

/// A colour we put into a CSS custom property: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, or
/// a name of 1 to 20 ASCII letters. The loader's rule is the same regular expression:
/// `^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$|^[a-z]{1,20}$` (case-insensitive).
pub fn color(raw: &str) -> Option<&str> {
    let hex = raw.strip_prefix('#').is_some_and(|h| {
        matches!(h.len(), 3 | 4 | 6 | 8) && h.chars().all(|c| c.is_ascii_hexdigit())
    });
    let name =
        (1..=MAX_COLOR_NAME).contains(&raw.len()) && raw.chars().all(|c| c.is_ascii_alphabetic());
    (hex || name).then_some(raw)
}

/// A BCP 47 language tag in the shape `Intl` accepts, or `None`. Underscores, as in POSIX
/// locales (`en_US`), become hyphens; anything else malformed is refused, so the caller
/// falls back (the browser's `Intl` throws on a malformed tag, which would break the app).
pub fn locale_tag(raw: &str) -> Option<String> {
    let tag = raw.trim().replace('_', "-");
    let mut parts = tag.split('-');
    let language = parts.next()?;
    let language_ok = matches!(language.len(), 2 | 3 | 5..=8)
        && language.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    (language_ok && rest_ok && tag.len() <= 35).then_some(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_accepted_are_the_loaders() {
        for ok in [
            "#abc",
            "#ABCD",
            "#4f46e5",
            "#4f46e580",
            "red",
            "RebeccaPurple",
        ] {
            assert_eq!(color(ok), Some(ok), "{ok}");
        }
        for bad in [
            "",
            "#",
            "#ab",
            "#abcde",
            "#abcdefa",
            "#abcdefabc",
            "#ggg",
            "red;",
            "url(x)",
            "rgb(1,2,3)",
            "aaaaaaaaaaaaaaaaaaaaa",
            "re d",
            "#abc\"",
        ] {
            assert_eq!(color(bad), None, "{bad}");
        }
    }

    #[test]
    fn locales_are_normalised_or_refused() {
        assert_eq!(locale_tag("en_US").as_deref(), Some("en-US"));
        assert_eq!(locale_tag(" ar ").as_deref(), Some("ar"));
        assert_eq!(locale_tag("zh-Hant-TW").as_deref(), Some("zh-Hant-TW"));
        assert_eq!(
            locale_tag("de-DE-u-co-phonebk").as_deref(),
            Some("de-DE-u-co-phonebk")
        );
        for bad in [
            "",
            "e",
            "english!",
            "en--US",
            "en-",
            "-en",
            "@@",
            "en-US-toolongsubtag",
            "1a",
        ] {
            assert_eq!(locale_tag(bad), None, "{bad}");
        }
    }
}
