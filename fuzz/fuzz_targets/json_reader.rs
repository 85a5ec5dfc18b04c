//! The client's JSON reader (`tidings_client::json`, from `tidings-wire`) against serde_json: for
//! any text, both accept or both refuse, and what they read is the same value. Also its
//! string writer: any text written by it is what serde_json writes, and reads back.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tidings_client::json::{self, write, Json};
use tidings_fuzz::same_value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match (json::parse(text), serde_json::from_str::<Value>(text)) {
        (Some(ours), Ok(theirs)) => assert!(
            same_value(&ours, &theirs),
            "read differently: {text:?}: ours {ours:?}, serde_json {theirs:?}"
        ),
        (None, Err(_)) => {}
        (Some(ours), Err(e)) => {
            panic!("accepts what serde_json refuses ({e}): {text:?} as {ours:?}")
        }
        (None, Ok(theirs)) => panic!("refuses what serde_json reads: {text:?} is {theirs:?}"),
    }
    let mut written = String::new();
    write::string(&mut written, text);
    assert_eq!(written, serde_json::to_string(text).unwrap(), "{text:?}");
    assert_eq!(
        json::parse(&written),
        Some(Json::Str(text.to_owned())),
        "{text:?}"
    );
});
