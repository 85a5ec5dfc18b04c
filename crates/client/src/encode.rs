//! Writing the frames and request bodies a client sends, byte for byte as serde_json
//! writes them (the tests compare every variant), without serde_json's per-type
//! serializer code in the wasm.

use tidings_protocol::http::{
    CreateVisitorRequest, RatingRequest, TranscriptRequest, UpdateVisitorRequest,
};
use tidings_protocol::{ClientFrame, PresenceStatus};
use uuid::Uuid;

use crate::json::write;

/// One `ClientFrame` as socket text: `{"type":…, fields in declaration order}`.
pub fn client_frame(frame: &ClientFrame) -> String {
    let mut out = String::with_capacity(64);
    let kind = match frame {
        ClientFrame::Auth { .. } => "auth",
        ClientFrame::Subscribe { .. } => "subscribe",
        ClientFrame::Unsubscribe { .. } => "unsubscribe",
        ClientFrame::Send { .. } => "send",
        ClientFrame::Typing { .. } => "typing",
        ClientFrame::Read { .. } => "read",
        ClientFrame::Delivered { .. } => "delivered",
        ClientFrame::Presence { .. } => "presence",
        ClientFrame::WatchQueue => "watch_queue",
        ClientFrame::Ping { .. } => "ping",
        ClientFrame::Pong { .. } => "pong",
    };
    out.push_str("{\"type\":\"");
    out.push_str(kind);
    out.push('"');
    match frame {
        ClientFrame::Auth { token, version } => {
            string_field(&mut out, "token", token);
            number_field(&mut out, "version", *version as u64);
        }
        ClientFrame::Subscribe {
            conversation_id,
            after_seq,
        } => {
            uuid_field(&mut out, "conversation_id", *conversation_id);
            number_field(&mut out, "after_seq", *after_seq);
        }
        ClientFrame::Unsubscribe { conversation_id } => {
            uuid_field(&mut out, "conversation_id", *conversation_id);
        }
        ClientFrame::Send {
            id,
            conversation_id,
            body,
        } => {
            uuid_field(&mut out, "id", *id);
            if let Some(conversation_id) = conversation_id {
                uuid_field(&mut out, "conversation_id", *conversation_id);
            }
            string_field(&mut out, "body", body);
        }
        ClientFrame::Typing {
            conversation_id,
            typing,
        } => {
            uuid_field(&mut out, "conversation_id", *conversation_id);
            out.push_str(if *typing {
                ",\"typing\":true"
            } else {
                ",\"typing\":false"
            });
        }
        ClientFrame::Read {
            conversation_id,
            seq,
        }
        | ClientFrame::Delivered {
            conversation_id,
            seq,
        } => {
            uuid_field(&mut out, "conversation_id", *conversation_id);
            number_field(&mut out, "seq", *seq);
        }
        ClientFrame::Presence { status } => {
            let name = match status {
                PresenceStatus::Online => "online",
                PresenceStatus::Away => "away",
                PresenceStatus::Offline => "offline",
            };
            string_field(&mut out, "status", name);
        }
        ClientFrame::WatchQueue => {}
        ClientFrame::Ping { nonce } | ClientFrame::Pong { nonce } => {
            number_field(&mut out, "nonce", *nonce);
        }
    }
    out.push('}');
    out
}

/// `POST /v1/visitors` body.
pub fn create_visitor_request(request: &CreateVisitorRequest) -> String {
    visitor_details(&request.name, &request.email, &request.page_url)
}

/// `PATCH /v1/visitor` body: the details, then `user_id`, `user_hash` and `time_zone` only when given
/// (as serde skips them).
pub fn update_visitor_request(request: &UpdateVisitorRequest) -> String {
    let mut out = visitor_details(&request.name, &request.email, &request.page_url);
    out.pop();
    for (name, value) in [
        ("user_id", &request.user_id),
        ("user_hash", &request.user_hash),
        ("time_zone", &request.time_zone),
    ] {
        if value.is_some() {
            optional_string_field(&mut out, name, value);
        }
    }
    out.push('}');
    out
}

/// `POST /v1/conversations/{id}/rating` body.
pub fn rating_request(request: &RatingRequest) -> String {
    let mut out = String::from("{\"rating\":");
    out.push_str(&request.rating.to_string());
    optional_string_field(&mut out, "feedback", &request.feedback);
    out.push('}');
    out
}

/// `POST /v1/conversations/{id}/transcript` body: `{}`, or `{"email":…}` when given.
pub fn transcript_request(request: &TranscriptRequest) -> String {
    match &request.email {
        Some(email) => {
            let mut out = String::from("{\"email\":");
            write::string(&mut out, email);
            out.push('}');
            out
        }
        None => "{}".into(),
    }
}

/// `{"name":…,"email":…,"page_url":…}`, `null` for what is not given.
fn visitor_details(name: &Option<String>, email: &Option<String>, page: &Option<String>) -> String {
    let mut out = String::from("{\"name\":");
    optional_string(&mut out, name);
    optional_string_field(&mut out, "email", email);
    optional_string_field(&mut out, "page_url", page);
    out.push('}');
    out
}

fn key(out: &mut String, key: &str) {
    out.push_str(",\"");
    out.push_str(key);
    out.push_str("\":");
}

fn string_field(out: &mut String, name: &str, value: &str) {
    key(out, name);
    write::string(out, value);
}

fn optional_string_field(out: &mut String, name: &str, value: &Option<String>) {
    key(out, name);
    optional_string(out, value);
}

fn optional_string(out: &mut String, value: &Option<String>) {
    match value {
        Some(value) => write::string(out, value),
        None => out.push_str("null"),
    }
}

fn uuid_field(out: &mut String, name: &str, value: Uuid) {
    key(out, name);
    write::uuid(out, value);
}

fn number_field(out: &mut String, name: &str, value: u64) {
    key(out, name);
    out.push_str(&value.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;
    use tidings_protocol::frame::ClientFrameType;

    #[test]
    fn every_client_frame_is_written_as_serde_writes_it() {
        let id = Uuid::from_u128(0xfeed_0000_0000_0000_0000_0000_0000_beef);
        let frames = [
            ClientFrame::Auth {
                token: "tok\"en\\".into(),
                version: u32::MAX,
            },
            ClientFrame::Subscribe {
                conversation_id: id,
                after_seq: u64::MAX,
            },
            ClientFrame::Unsubscribe {
                conversation_id: id,
            },
            ClientFrame::Send {
                id,
                conversation_id: None,
                body: "héllo\n✓ </script>\u{1}".into(),
            },
            ClientFrame::Send {
                id,
                conversation_id: Some(id),
                body: String::new(),
            },
            ClientFrame::Typing {
                conversation_id: id,
                typing: true,
            },
            ClientFrame::Typing {
                conversation_id: id,
                typing: false,
            },
            ClientFrame::Read {
                conversation_id: id,
                seq: 3,
            },
            ClientFrame::Delivered {
                conversation_id: id,
                seq: 0,
            },
            ClientFrame::Presence {
                status: PresenceStatus::Online,
            },
            ClientFrame::Presence {
                status: PresenceStatus::Away,
            },
            ClientFrame::Presence {
                status: PresenceStatus::Offline,
            },
            ClientFrame::WatchQueue,
            ClientFrame::Ping { nonce: 7 },
            ClientFrame::Pong { nonce: 8 },
        ];
        // The protocol lists its frame types: every one must be tried here.
        let missing = tidings_protocol::kinds_missing::<_, ClientFrameType>(&frames);
        assert!(
            missing.is_empty(),
            "frame types not tried here: {missing:?}"
        );
        for frame in frames {
            assert_eq!(client_frame(&frame), serde_json::to_string(&frame).unwrap());
        }
    }

    #[test]
    fn request_bodies_are_written_as_serde_writes_them() {
        let full = CreateVisitorRequest {
            name: Some("Grace \"G\"".into()),
            email: Some("g@example.com".into()),
            page_url: Some("https://shop.test/?a=1&b=2".into()),
        };
        for request in [full, CreateVisitorRequest::default()] {
            let expected = serde_json::to_string(&request).unwrap();
            assert_eq!(create_visitor_request(&request), expected);
            let update = UpdateVisitorRequest {
                name: request.name,
                email: request.email,
                page_url: request.page_url,
                ..Default::default()
            };
            assert_eq!(update_visitor_request(&update), expected);
        }
        let signed = UpdateVisitorRequest {
            name: Some("Ada".into()),
            user_id: Some("user-\"42\"".into()),
            user_hash: Some("bf55beba".into()),
            ..Default::default()
        };
        let only_id = UpdateVisitorRequest {
            user_id: Some("7".into()),
            ..Default::default()
        };
        let zoned = UpdateVisitorRequest {
            page_url: Some("https://shop.test/".into()),
            time_zone: Some("Europe/Berlin".into()),
            ..Default::default()
        };
        for update in [signed, only_id, zoned] {
            assert_eq!(
                update_visitor_request(&update),
                serde_json::to_string(&update).unwrap()
            );
        }
        for feedback in [None, Some("Great\nthanks".to_string())] {
            let rating = RatingRequest {
                rating: 5,
                feedback,
            };
            let expected = serde_json::to_string(&rating).unwrap();
            assert_eq!(rating_request(&rating), expected);
        }
    }

    #[test]
    fn a_transcript_request_is_written_as_serde_writes_it() {
        for email in [
            None,
            Some("vera@example.com".to_string()),
            Some("a\"b".into()),
        ] {
            let request = TranscriptRequest { email };
            let expected = serde_json::to_string(&request).unwrap();
            assert_eq!(transcript_request(&request), expected);
        }
    }
}
