//! Writing JSON text by hand, byte for byte as serde_json writes it.
//!
//! The client stores and posts a few small shapes (outbox entries, notes between tabs);
//! serde_json's serializer would compile a writer per type. These helpers append to a
//! `String`: strings escaped exactly as serde_json escapes them (`"`, `\`, and control
//! characters; nothing else), so text written by an older version and by this one agree.

use std::fmt::Write as _;

use uuid::Uuid;

/// Appends `value` as a JSON string, quoted and escaped.
pub fn string(out: &mut String, value: &str) {
    out.push('"');
    let mut run = 0;
    for (at, byte) in value.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&value[run..at]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escape);
        }
        run = at + 1;
    }
    out.push_str(&value[run..]);
    out.push('"');
}

/// Appends a UUID as its hyphenated string.
pub fn uuid(out: &mut String, value: Uuid) {
    out.push('"');
    out.push_str(value.hyphenated().encode_lower(&mut Uuid::encode_buffer()));
    out.push('"');
}

/// Appends `"key":` (keys here are plain identifiers, never escaped).
pub fn key(out: &mut String, key: &str) {
    out.push('"');
    out.push_str(key);
    out.push_str("\":");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let all_controls: String = (0u8..0x20).map(char::from).collect();
        for text in [
            "",
            "plain",
            "quote \" backslash \\ slash /",
            &all_controls,
            "héllo ✓ 😀 \u{7f} \u{2028} </script>",
        ] {
            let mut out = String::new();
            string(&mut out, text);
            assert_eq!(out, serde_json::to_string(text).unwrap());
            assert_eq!(
                super::super::parse(&out),
                Some(super::super::Json::Str(text.into()))
            );
        }
    }

    #[test]
    fn uuids_are_written_as_serde_writes_them() {
        let id = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        let mut out = String::new();
        uuid(&mut out, id);
        assert_eq!(out, serde_json::to_string(&id).unwrap());
    }
}
