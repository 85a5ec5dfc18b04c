//! The generated readers leave out what only agents receive unless the `agent-frames`
//! feature is on: the visitor widget builds the protocol with `wire` alone, and must refuse
//! those frames and private notes like any unknown value (their readers are not linked).
//! Run with `cargo test -p tidings-protocol --features wire` (the client's own tests turn
//! `agent-frames` on and read every frame).
#![cfg(all(feature = "wire", not(feature = "agent-frames")))]

use tidings_protocol::{Sender, ServerFrame, VariantArray};
use tidings_wire::{json, FromJson};

fn reads(text: &str) -> bool {
    json::parse(text)
        .as_ref()
        .and_then(ServerFrame::from_json)
        .is_some()
}

#[test]
fn agent_only_frames_and_notes_are_refused_without_the_feature() {
    let id = "\"00000000-0000-0000-0000-000000000001\"";
    for text in [
        r#"{"type":"queue","conversations":[]}"#.to_string(),
        r#"{"type":"agents","agents":[]}"#.to_string(),
        r#"{"type":"canned_responses","responses":[]}"#.to_string(),
        format!(r#"{{"type":"agent_presence","agent_id":{id},"name":"A","status":"online"}}"#),
        format!(r#"{{"type":"visitor_page","visitor_id":{id},"conversation_id":{id}}}"#),
    ] {
        assert!(!reads(&text), "{text}");
    }
    assert_eq!(Sender::from_json(&json::Json::Str("note".into())), None);
    for &sender in Sender::VARIANTS {
        if sender != Sender::Note {
            let text = tidings_wire::to_string(&sender);
            assert_eq!(
                Sender::from_json(&json::parse(&text).unwrap()),
                Some(sender)
            );
        }
    }
    // The frames a visitor receives are still read.
    assert!(reads(r#"{"type":"ping","nonce":1}"#));
}
