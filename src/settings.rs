//! The site owner's script-tag settings that reach the app through the iframe URL, checked
//! by rules the loader (`assets/widget.js`) applies too, so both sides agree on what is
//! accepted: a colour, and a locale tag that can never break date formatting. And the one
//! setting the app must not take on trust: which page frames it (`?origin=`).

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

/// Whether the app may talk to the page that frames it, which claims (`?origin=`) to be
/// `claimed`. `actual` is the parent's origin where the browser tells it
/// (`location.ancestorOrigins`); `allowed` is the server's list from the page's
/// `tidings-allowed-origins` meta (space-separated origins, or `*` when the server accepts
/// every origin; `None` where the page has no such meta). The app's own origin may always
/// frame it.
pub fn parent_allowed(
    claimed: &str,
    actual: Option<&str>,
    own: &str,
    allowed: Option<&str>,
) -> bool {
    if actual.is_some_and(|actual| actual != claimed) {
        return false;
    }
    claimed == own
        || match allowed.map(str::trim) {
            None | Some("*") => true,
            Some(list) => list.split_ascii_whitespace().any(|o| o == claimed),
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_allowed_parent_that_is_who_it_claims() {
        let own = "https://chat.example";
        let list = Some("https://shop.example https://blog.example");
        assert!(parent_allowed(
            "https://shop.example",
            Some("https://shop.example"),
            own,
            list
        ));
        assert!(parent_allowed("https://blog.example", None, own, list));
        assert!(
            parent_allowed(own, Some(own), own, list),
            "the demo page on the server itself"
        );
        assert!(!parent_allowed(
            "https://evil.example",
            Some("https://evil.example"),
            own,
            list
        ));
        assert!(
            !parent_allowed(
                "https://shop.example",
                Some("https://evil.example"),
                own,
                list
            ),
            "a parent lying about its origin"
        );
        assert!(!parent_allowed(
            "https://shop.example.evil",
            None,
            own,
            list
        ));
        assert!(parent_allowed("https://any.example", None, own, Some("*")));
        assert!(parent_allowed(
            "https://any.example",
            Some("https://any.example"),
            own,
            None
        ));
        assert!(!parent_allowed(
            "https://any.example",
            Some("https://other.example"),
            own,
            Some("*")
        ));
    }

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
