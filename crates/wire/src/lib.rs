//! The browser clients' JSON codec, shared by the protocol's generated code and the client.
//!
//! serde_json's derive-driven code compiles a decoder and an encoder per type (and, for the
//! internally tagged frames, a second decoder through a buffered value tree): most of a
//! client's wasm. Here text is parsed once into a compact [`Json`] tree ([`json::parse`]) and
//! written by appending to a `String` ([`json::write`]); the typed reader and writer of each
//! protocol type are the [`FromJson`] and [`ToJson`] impls that `#[derive(Wire)]`
//! (`tidings-wire-derive`) generates from the type's own declaration and serde attributes,
//! so the server's serde and the clients' codec have one source of truth.
//!
//! The functions below are what the generated code calls. They are deliberately not
//! generic where they need not be (one field lookup, one key writer for every type): the
//! widget's wasm is on a size budget and every instantiation counts.

pub mod json;

pub use json::Json;
use uuid::Uuid;

/// A value read out of a parsed [`Json`] tree, accepting what serde's derive accepts for the
/// same type through serde_json: `None` when the value is not what the protocol says.
pub trait FromJson: Sized {
    fn from_json(value: &Json) -> Option<Self>;
}

/// A value appended to `out` as JSON text, byte for byte as serde_json writes it.
pub trait ToJson {
    fn to_json(&self, out: &mut String);
}

/// `value` as JSON text.
pub fn to_string<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::with_capacity(64);
    value.to_json(&mut out);
    out
}

/// The value of a field: `Some(None)` when it is missing, `None` when the object gives it
/// twice. serde's derive refuses a repeated field ("duplicate field"), so taking the first
/// (or the last) would accept frames the server's own reader refuses.
pub fn lookup<'j, 'a>(object: &'j Json<'a>, key: &str) -> Option<Option<&'j Json<'a>>> {
    let mut found = None;
    if let Json::Object(fields) = object {
        for (k, v) in fields {
            if k == key {
                if found.is_some() {
                    return None;
                }
                found = Some(v);
            }
        }
    }
    Some(found)
}

/// `value` if it is an object: a struct or a tagged variant is never anything else.
pub fn object<'j, 'a>(value: &'j Json<'a>) -> Option<&'j Json<'a>> {
    matches!(value, Json::Object(_)).then_some(value)
}

/// A required field.
pub fn field<T: FromJson>(object: &Json, key: &str) -> Option<T> {
    T::from_json(lookup(object, key)??)
}

/// A field that may be missing: a `#[serde(default)]` field or an `Option` (serde reads a
/// missing `Option` as `None`; a `null` one is `None` through `Option`'s own reader).
pub fn defaulted<T: FromJson + Default>(object: &Json, key: &str) -> Option<T> {
    match lookup(object, key)? {
        None => Some(T::default()),
        Some(value) => T::from_json(value),
    }
}

/// The string of a tag field (`"type"` of a frame).
pub fn tag<'j>(object: &'j Json, key: &str) -> Option<&'j str> {
    lookup(object, key)??.as_str()
}

/// The variant of an externally tagged enum: a string is a unit variant's name (`None`
/// content), an object of exactly one key a variant and its content. serde_json reads
/// `{"<unit variant>": null}` as the unit variant too, so a `null` content is `None` (and a
/// struct variant, which needs `Some`, refuses it as serde does).
pub fn variant<'j, 'a>(value: &'j Json<'a>) -> Option<(&'j str, Option<&'j Json<'a>>)> {
    match value {
        Json::Str(name) => Some((name, None)),
        Json::Object(fields) => match fields.as_slice() {
            [(name, Json::Null)] => Some((name, None)),
            [(name, content)] => Some((name, Some(content))),
            _ => None,
        },
        _ => None,
    }
}

/// Whether every key of `object` is one of `known` (`#[serde(deny_unknown_fields)]`).
pub fn only_keys(object: &Json, known: &[&str]) -> bool {
    match object {
        Json::Object(fields) => fields.iter().all(|(k, _)| known.contains(&k.as_str())),
        _ => false,
    }
}

/// Appends `"key":`, after a comma unless it is the object's first key: for a key after
/// fields that may all have been skipped (elsewhere the derive writes the key as a constant).
pub fn key(out: &mut String, key: &str) {
    // Only an object's opening brace ends the text with `{`: every value ends otherwise.
    if !out.ends_with('{') {
        out.push(',');
    }
    json::write::key(out, key);
}

/// Appends a name that needs no escaping (an enum value, a tag), quoted.
pub fn name_str(out: &mut String, name: &str) {
    out.push('"');
    out.push_str(name);
    out.push('"');
}

impl FromJson for String {
    fn from_json(value: &Json) -> Option<Self> {
        value.as_str().map(str::to_owned)
    }
}

impl ToJson for String {
    fn to_json(&self, out: &mut String) {
        json::write::string(out, self);
    }
}

impl ToJson for str {
    fn to_json(&self, out: &mut String) {
        json::write::string(out, self);
    }
}

impl FromJson for Uuid {
    fn from_json(value: &Json) -> Option<Self> {
        Uuid::parse_str(value.as_str()?).ok()
    }
}

impl ToJson for Uuid {
    fn to_json(&self, out: &mut String) {
        json::write::uuid(out, *self);
    }
}

impl FromJson for bool {
    fn from_json(value: &Json) -> Option<Self> {
        value.as_bool()
    }
}

impl ToJson for bool {
    fn to_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl FromJson for u64 {
    fn from_json(value: &Json) -> Option<Self> {
        value.as_u64()
    }
}

impl ToJson for u64 {
    fn to_json(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

impl FromJson for u32 {
    fn from_json(value: &Json) -> Option<Self> {
        value.as_u64()?.try_into().ok()
    }
}

impl ToJson for u32 {
    fn to_json(&self, out: &mut String) {
        // One integer writer for every unsigned width.
        u64::from(*self).to_json(out);
    }
}

impl FromJson for u8 {
    fn from_json(value: &Json) -> Option<Self> {
        value.as_u64()?.try_into().ok()
    }
}

impl ToJson for u8 {
    fn to_json(&self, out: &mut String) {
        u64::from(*self).to_json(out);
    }
}

impl FromJson for i64 {
    fn from_json(value: &Json) -> Option<Self> {
        value.as_i64()
    }
}

impl ToJson for i64 {
    fn to_json(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

/// `null` is `None`, anything else must read as a `T`.
impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Json) -> Option<Self> {
        match value {
            Json::Null => Some(None),
            value => T::from_json(value).map(Some),
        }
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self, out: &mut String) {
        match self {
            Some(value) => value.to_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Json) -> Option<Self> {
        value.as_array()?.iter().map(T::from_json).collect()
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.to_json(out);
        }
        out.push(']');
    }
}
