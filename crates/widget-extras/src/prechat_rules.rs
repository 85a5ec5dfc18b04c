//! The pre-chat form's rules (plain logic, tested natively): which fields the site asks
//! for (`data-prechat`, `data-prechat-required`, forwarded by the loader as `prechat` and
//! `prechatRequired`), and what a name or email answer must be before it becomes the
//! visitor's profile (`PATCH /v1/visitor`), with the sentence shown beside a field that is
//! not (as its catalog key: the form shows it in the visitor's language). Lengths are the server's (`MAX_FIELD_CHARS`, counted in characters after trimming,
//! as the server counts).

use tidings_protocol::limits::MAX_FIELD_CHARS;

/// Whether the pre-chat form asks for `field` (`name` or `email`): `None` when `asked`
/// (`data-prechat`, e.g. `name,email`) does not list it, else whether `required`
/// (`data-prechat-required`) lists it. Lists are separated by commas or spaces; unknown
/// words are ignored, so a typo turns nothing on.
pub fn asks(asked: &str, required: &str, field: &str) -> Option<bool> {
    let lists = |list: &str| {
        list.split(|c: char| c == ',' || c.is_ascii_whitespace())
            .any(|word| word.eq_ignore_ascii_case(field))
    };
    lists(asked).then(|| lists(required))
}

/// Which field an answer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Email,
}

/// Why an answer cannot be sent: the catalog key of the sentence shown beside its field
/// (`TOO_LONG` is plural, for [`MAX_FIELD_CHARS`]).
pub const NAME_MISSING: &str = "prechat.name_missing";
pub const EMAIL_MISSING: &str = "prechat.email_missing";
pub const EMAIL_INVALID: &str = "prechat.email_invalid";
pub const TOO_LONG: &str = "prechat.too_long";
/// Every key [`check`] may give, for the catalog test.
pub const KEYS: [&str; 4] = [NAME_MISSING, EMAIL_MISSING, EMAIL_INVALID, TOO_LONG];

/// The answer to keep (`None`: left empty, allowed), or why it cannot be sent (a key above).
pub fn check(field: Field, raw: &str, required: bool) -> Result<Option<String>, &'static str> {
    let value = raw.trim();
    if value.is_empty() {
        return match (required, field) {
            (false, _) => Ok(None),
            (true, Field::Name) => Err(NAME_MISSING),
            (true, Field::Email) => Err(EMAIL_MISSING),
        };
    }
    if value.chars().count() > MAX_FIELD_CHARS {
        return Err(TOO_LONG);
    }
    if field == Field::Email && !email_shaped(value) {
        return Err(EMAIL_INVALID);
    }
    Ok(Some(value.to_owned()))
}

/// `local@domain.tld`: one `@` with text before it, and a dot with text either side after
/// it; no spaces. Whether the mailbox exists is not ours to know, and the server checks
/// too: this only catches the typing mistakes a person can fix.
fn email_shaped(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let dotted = domain
        .rsplit_once('.')
        .is_some_and(|(host, tld)| !host.is_empty() && !tld.is_empty());
    !local.is_empty() && dotted && !domain.contains('@') && !value.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_asked_and_required_by_name() {
        assert_eq!(asks("", "", "name"), None, "off by default");
        assert_eq!(asks("name,email", "", "name"), Some(false));
        assert_eq!(asks("name, email", "email", "email"), Some(true));
        assert_eq!(asks("Email", "EMAIL", "email"), Some(true));
        assert_eq!(asks("email", "name", "name"), None, "required needs asked");
        assert_eq!(asks("phone,nam", "", "name"), None);
    }

    #[test]
    fn optional_fields_may_stay_empty_and_required_ones_may_not() {
        assert_eq!(check(Field::Name, "  ", false), Ok(None));
        assert_eq!(check(Field::Email, "", false), Ok(None));
        assert_eq!(check(Field::Name, "", true), Err(NAME_MISSING));
        assert_eq!(check(Field::Email, " ", true), Err(EMAIL_MISSING));
        assert_eq!(
            check(Field::Name, " Ada Lovelace ", true),
            Ok(Some("Ada Lovelace".into()))
        );
    }

    #[test]
    fn emails_are_checked_for_shape() {
        for ok in [
            "ada@example.com",
            "a.b+c@mail.example.co.uk",
            "é@exämple.de",
        ] {
            assert_eq!(check(Field::Email, ok, true), Ok(Some(ok.into())), "{ok}");
        }
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "ada lovelace@example.com",
            "ada@example.com.",
        ] {
            assert!(check(Field::Email, bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn answers_are_limited_as_the_server_limits_them() {
        let longest = "a".repeat(MAX_FIELD_CHARS);
        assert_eq!(
            check(Field::Name, &longest, true),
            Ok(Some(longest.clone()))
        );
        assert_eq!(
            check(Field::Name, &format!("{longest}a"), true),
            Err(TOO_LONG)
        );
        // Characters, not bytes.
        assert!(check(Field::Name, &"é".repeat(MAX_FIELD_CHARS), true).is_ok());
    }
}
