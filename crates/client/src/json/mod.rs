//! A small JSON reader for the frames and API answers a browser client receives.
//!
//! serde_json's derive-driven decoding compiles a separate decoder per type (and, for the
//! internally tagged `ServerFrame`, a second one through a buffered value tree): most of
//! the client's wasm. This reader parses text once into a [`Json`] tree, and the typed
//! readers in [`crate::decode`] pick fields out of it. It accepts exactly the documents
//! serde_json reads as a `serde_json::Value`: RFC 8259 JSON with serde_json's nesting limit
//! of 128 and without numbers too large for an `f64` (the fuzz target `json_reader` holds
//! it to that).
//! [`write`] is the other direction, for the few shapes the client stores or sends.

pub mod write;

/// One parsed JSON value. Numbers keep their text so integers are read without loss.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Number(&'a str),
    Str(String),
    Array(Vec<Json<'a>>),
    Object(Vec<(String, Json<'a>)>),
}

/// serde_json refuses documents nested deeper than this; so does this reader.
const MAX_DEPTH: usize = 128;

/// Parses a whole document (surrounding whitespace allowed); `None` if it is not JSON.
pub fn parse(text: &str) -> Option<Json<'_>> {
    let mut reader = Reader { text, pos: 0 };
    let value = reader.value(0)?;
    reader.skip_whitespace();
    (reader.pos == text.len()).then_some(value)
}

impl<'a> Json<'a> {
    /// The value of `key` in an object (the first one, should it repeat).
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A non-negative integer that fits (no fraction, no exponent), as serde reads a `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    /// An integer that fits an `i64`. `-0` is not one: serde_json reads it as the float
    /// `-0.0`, which serde refuses for an integer field.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number("-0") => None,
            Json::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Consumes `byte` after optional whitespace, if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_whitespace();
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn literal(&mut self, word: &str, value: Json<'a>) -> Option<Json<'a>> {
        self.text[self.pos..].starts_with(word).then(|| {
            self.pos += word.len();
            value
        })
    }

    fn value(&mut self, depth: usize) -> Option<Json<'a>> {
        self.skip_whitespace();
        match self.peek()? {
            b'{' | b'[' if depth >= MAX_DEPTH => None,
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(Json::Str),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'n' => self.literal("null", Json::Null),
            _ => self.number(),
        }
    }

    fn object(&mut self, depth: usize) -> Option<Json<'a>> {
        self.pos += 1;
        let mut fields = Vec::new();
        if self.eat(b'}') {
            return Some(Json::Object(fields));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return None;
            }
            let key = self.string()?;
            if !self.eat(b':') {
                return None;
            }
            fields.push((key, self.value(depth + 1)?));
            if self.eat(b'}') {
                return Some(Json::Object(fields));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Json<'a>> {
        self.pos += 1;
        let mut items = Vec::new();
        if self.eat(b']') {
            return Some(Json::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            if self.eat(b']') {
                return Some(Json::Array(items));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as text.
    fn number(&mut self) -> Option<Json<'a>> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.required_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.required_digits()?;
        }
        let text = &self.text[start..self.pos];
        fits_f64(text).then_some(Json::Number(text))
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn required_digits(&mut self) -> Option<()> {
        let start = self.pos;
        self.digits();
        (self.pos > start).then_some(())
    }

    /// A string starting at its opening quote, unescaped.
    fn string(&mut self) -> Option<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run = self.pos;
            while !matches!(self.peek()?, b'"' | b'\\' | 0..=0x1f) {
                self.pos += 1;
            }
            // The run stops at an ASCII byte, so it ends on a char boundary.
            out.push_str(&self.text[run..self.pos]);
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.pos += 1;
                    out.push(self.escape()?);
                }
                _ => return None,
            }
        }
    }

    /// The character of the escape after a backslash.
    fn escape(&mut self) -> Option<char> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                if (0xd800..0xdc00).contains(&first) {
                    // A high surrogate must be followed by an escaped low one.
                    if !self.text[self.pos..].starts_with("\\u") {
                        return None;
                    }
                    self.pos += 2;
                    let second = self.hex4()?;
                    if !(0xdc00..0xe000).contains(&second) {
                        return None;
                    }
                    char::from_u32(0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00))?
                } else {
                    char::from_u32(first)?
                }
            }
            _ => return None,
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(digits, 16).ok()
    }
}

/// `10^289` to `10^308`, as serde_json's table of powers of ten has them.
const POW10_FROM_289: [f64; 20] = [
    1e289, 1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299, 1e300, 1e301,
    1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308,
];

/// Whether serde_json reads the number `text` (valid JSON number syntax) without "number
/// out of range", by serde_json's own arithmetic (its default, not `float_roundtrip`): the
/// leading digits that fit go into a `u64` significand, integer digits past that raise the
/// exponent, fraction digits past it are dropped, and the number is refused when
/// `significand * 10^exponent` is infinite as an `f64`. A correctly rounded parse would
/// disagree with serde_json near `f64::MAX`, hence the port.
fn fits_f64(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = usize::from(bytes.first() == Some(&b'-'));
    let digit_at = |i: usize| {
        bytes
            .get(i)
            .filter(|b| b.is_ascii_digit())
            .map(|b| u64::from(b - b'0'))
    };
    let mut significand: u64 = 0;
    let mut exponent: i32 = 0;
    let mut full = false;
    while let Some(d) = digit_at(i) {
        match significand.checked_mul(10).and_then(|s| s.checked_add(d)) {
            Some(next) if !full => significand = next,
            _ => {
                full = true;
                exponent += 1;
            }
        }
        i += 1;
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        // serde_json tries the fraction's digits again and drops all from the first misfit.
        let mut dropping = false;
        while let Some(d) = digit_at(i) {
            match significand.checked_mul(10).and_then(|s| s.checked_add(d)) {
                Some(next) if !dropping => {
                    significand = next;
                    exponent -= 1;
                }
                _ => dropping = true,
            }
            i += 1;
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        let positive = bytes.get(i) != Some(&b'-');
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let mut written: i32 = 0;
        while let Some(d) = digit_at(i) {
            match written
                .checked_mul(10)
                .and_then(|e| e.checked_add(d as i32))
            {
                Some(next) => written = next,
                // An exponent past i32: zero, or infinity unless the number is 0 or tiny.
                None => return significand == 0 || !positive,
            }
            i += 1;
        }
        exponent = if positive {
            exponent.saturating_add(written)
        } else {
            exponent.saturating_sub(written)
        };
    }
    match exponent {
        // Dividing never overflows; `u64::MAX * 10^288` is still below `f64::MAX`.
        ..=288 => true,
        289..=308 => (significand as f64 * POW10_FROM_289[exponent as usize - 289]).is_finite(),
        _ => significand == 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_kind_of_value() {
        let doc = parse(r#" {"a": [1, -2.5e+3, true, false, null], "b": {"c": "d"}, "e": {}} "#);
        let doc = doc.unwrap();
        let a = doc.get("a").unwrap().as_array().unwrap();
        assert_eq!(a[0].as_u64(), Some(1));
        assert_eq!(a[1], Json::Number("-2.5e+3"));
        assert_eq!(a[2].as_bool(), Some(true));
        assert_eq!(a[3].as_bool(), Some(false));
        assert_eq!(a[4], Json::Null);
        assert_eq!(doc.get("b").unwrap().get("c").unwrap().as_str(), Some("d"));
        assert_eq!(doc.get("e"), Some(&Json::Object(vec![])));
        assert_eq!(doc.get("missing"), None);
    }

    #[test]
    fn unescapes_strings_as_serde_json_does() {
        for text in [
            "plain",
            "quote \" backslash \\ slash / controls \u{8}\u{c}\n\r\t",
            "héllo ✓ 😀 \u{1}\u{1f}\u{7f}",
            "</script><b>",
        ] {
            let encoded = serde_json::to_string(text).unwrap();
            assert_eq!(parse(&encoded), Some(Json::Str(text.into())), "{encoded}");
        }
        assert_eq!(
            parse(r#""\u00e9\ud83d\ude00\/""#),
            Some(Json::Str("é😀/".into()))
        );
    }

    #[test]
    fn integers_are_exact_and_typed() {
        let max = u64::MAX.to_string();
        assert_eq!(parse(&max).unwrap().as_u64(), Some(u64::MAX));
        assert_eq!(parse("-5").unwrap().as_u64(), None);
        assert_eq!(parse("-5").unwrap().as_i64(), Some(-5));
        assert_eq!(parse("1.0").unwrap().as_u64(), None);
        assert_eq!(parse("1e3").unwrap().as_i64(), None);
        assert_eq!(parse("18446744073709551616").unwrap().as_u64(), None);
        assert_eq!(parse("\"1\"").unwrap().as_u64(), None);
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        let deep = "[".repeat(200) + &"]".repeat(200);
        for bad in [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "tru",
            "nul",
            "\"abc",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"tab\there\"",
            "[1] 2",
            "{} {}",
            &deep,
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
            assert!(
                serde_json::from_str::<serde_json::Value>(bad).is_err(),
                "serde_json accepts {bad:?}"
            );
        }
    }

    #[test]
    fn accepts_what_serde_json_accepts() {
        let nested = "[".repeat(127) + &"]".repeat(127);
        for good in [
            "0",
            "-0",
            "1.5E-2",
            "\"\"",
            "[]",
            " [ ] ",
            "{\"a\":{\"b\":[{}]}}",
            &nested,
        ] {
            assert!(parse(good).is_some(), "{good:?}");
            assert!(
                serde_json::from_str::<serde_json::Value>(good).is_ok(),
                "{good:?}"
            );
        }
    }

    /// Found by the fuzz target `json_reader` (its input, kept as found): serde_json refuses
    /// a number whose value is infinite as an `f64` ("number out of range"), here in a
    /// frame, so the reader must refuse it too; it took any number syntax.
    #[test]
    fn fuzz_refuses_numbers_beyond_f64_as_serde_json_does() {
        let found = r#"{"type": "conversation", "event": "rated", "conversation": {"id": "0b8f6c1e-4a57-4f0e-9c39-1f5d2a7c9e10", "visitor_id": "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a", "status": "ended", "assigned_agent": {"id": "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d", "name": "Ada"}, "started_at": 1795305600000, "assigned_at": 1795305630000, "ended_at": 1795305900000, "rating": 5, "feedback": "Quick and friendly", "last_seq": 16, "last_activity_at": 1e40005950000, "unread": 0}}"#;
        let max_digits = format!("{:.0}", f64::MAX);
        let over_max = format!("{}0", &max_digits);
        for bad in [
            found,
            "1e309",
            "-1e309",
            "1.8e308",
            "10e308",
            "1e2147483648",
            &over_max,
            // f64::MAX in full: serde_json's arithmetic (20 digits times 10^289) overflows
            // where a correctly rounded parse would not.
            &max_digits,
        ] {
            assert_eq!(parse(bad), None, "{bad}");
            assert!(
                serde_json::from_str::<serde_json::Value>(bad).is_err(),
                "{bad}"
            );
        }
        for good in [
            "1.7976931348623157e308",
            "17976931348623157e292",
            "0e999999999999",
            "0.0e2147483648",
            "1e-2147483648",
            "1e-400",
            "-0",
            "123456789012345678901234567890.5e-10",
        ] {
            assert!(parse(good).is_some(), "{good}");
            assert!(
                serde_json::from_str::<serde_json::Value>(good).is_ok(),
                "{good}"
            );
        }
    }
}
