//! What the fuzz targets share: comparing the client's hand-written JSON reader with
//! serde_json, value for value, and the one contract every hand-written decoder is held to.
//!
//! The contract, checked by [`differential`]: a decoder never accepts a text serde's
//! derive refuses; what both accept decodes to the same value; and whatever serde reads,
//! written back by serde (the text the server and older app versions actually produce),
//! the decoder reads to that same value. The decoder may refuse spellings that only serde's
//! derive takes and nothing ever writes ([`serde_only_spelling`]), because accepting them
//! would mean carrying serde's quirks into the wasm for no message that can exist.

use std::fmt::Debug;

use serde::Serialize;
use serde_json::Value;
use tidings_client::json::Json;

/// Whether the reader's tree is the value serde_json reads from the same text. Objects
/// follow `serde_json::Value`: a repeated key keeps its last value. Numbers are compared
/// as the client reads them: the same integer (`u64`, `i64`) or none; other numbers as
/// floats to within rounding (the reader keeps their text and never reads them as floats;
/// serde_json's default float parsing is not always correctly rounded).
pub fn same_value(ours: &Json, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::Str(a), Value::String(b)) => a == b,
        (Json::Number(text), Value::Number(n)) => {
            let ints_agree = ours.as_u64() == n.as_u64() && ours.as_i64() == n.as_i64();
            let floats_agree = match (text.parse::<f64>(), n.as_f64()) {
                (Ok(a), Some(b)) => a == b || (a - b).abs() <= a.abs().max(b.abs()) * 1e-15,
                _ => false,
            };
            ints_agree && floats_agree
        }
        (Json::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_value(x, y))
        }
        (Json::Object(fields), Value::Object(map)) => {
            let mut keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
            keys.sort_unstable();
            keys.dedup();
            keys.len() == map.len()
                && map.iter().all(|(key, value)| {
                    fields
                        .iter()
                        .rev()
                        .find(|(k, _)| k == key)
                        .is_some_and(|(_, v)| same_value(v, value))
                })
        }
        _ => false,
    }
}

/// Spellings serde's derive accepts that no serializer writes, which the hand-written
/// decoders deliberately refuse: a struct as a positional array (`["ping", 5]` is a `ping`
/// to serde), and a unit variant as a one-key object with a `null` value
/// (`{"pending": null}`). Only where a struct or an enum is read: the document itself, the
/// fields in [`STRUCT_FIELDS`] and the items of `conversations`.
pub fn serde_only_spelling(value: &Value) -> bool {
    match value {
        Value::Array(_) => true,
        Value::Object(map) => {
            (map.len() == 1 && map.values().all(Value::is_null))
                || map.iter().any(|(key, v)| match (key.as_str(), v) {
                    ("conversations", Value::Array(items)) => items.iter().any(serde_only_spelling),
                    (key, v) if STRUCT_FIELDS.contains(&key) => serde_only_spelling(v),
                    _ => false,
                })
        }
        _ => false,
    }
}

/// Fields of the decoded types whose value is a struct or an enum with data: `agent`
/// (`hello`), `conversation`, `message`, `assigned_agent`, an outbox entry's `state` and
/// its `failed`, a tab note's `read`.
pub const STRUCT_FIELDS: &[&str] = &[
    "agent",
    "conversation",
    "message",
    "assigned_agent",
    "state",
    "failed",
    "read",
];

/// How serde reaches the fields of a type, which decides what it checks in fields it
/// ignores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SerdeRead {
    /// Internally tagged enums (`ServerFrame`): serde buffers the whole document into a
    /// value tree first, so every part of it is checked as `serde_json::Value` checks it.
    Buffered,
    /// Plain derived structs and externally tagged enums: fields serde does not know are
    /// skipped without checking number range, surrogate pairs or nesting depth. The
    /// client's reader checks the whole document, so it may refuse such a text.
    Direct,
}

/// Holds a hand-written decoder to the contract in the module docs. `ours` is the
/// decoder, `theirs` serde's derive for the same type; panics (a fuzz finding) on a
/// difference.
pub fn differential<T: PartialEq + Debug + Serialize>(
    name: &str,
    text: &str,
    read: SerdeRead,
    ours: impl Fn(&str) -> Option<T>,
    theirs: impl Fn(&str) -> Result<T, serde_json::Error>,
) {
    let serde = theirs(text);
    match (ours(text), &serde) {
        (Some(a), Ok(b)) => assert_eq!(&a, b, "{name}: decoded differently from {text:?}"),
        (None, Err(_)) => {}
        (Some(a), Err(e)) => {
            panic!("{name}: accepts what serde refuses ({e}): {text:?} read as {a:?}")
        }
        (None, Ok(b)) => {
            let excused = match serde_json::from_str::<Value>(text) {
                Ok(value) => serde_only_spelling(&value),
                Err(_) => read == SerdeRead::Direct,
            };
            assert!(
                excused,
                "{name}: refuses what serde reads: {text:?} is {b:?}"
            );
        }
    }
    if let Ok(value) = serde {
        let written = serde_json::to_string(&value).expect("serde writes what it read");
        assert_eq!(
            ours(&written).as_ref(),
            Some(&value),
            "{name}: cannot read serde's own text {written:?}"
        );
    }
}
