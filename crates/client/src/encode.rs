//! Writing the frames and request bodies a client sends, byte for byte as serde_json
//! writes them (the tests compare every variant), without serde_json's per-type
//! serializer code in the wasm. The writers are the [`tidings_wire::ToJson`] impls `#[derive(Wire)]`
//! generates from the protocol types' own declarations; these functions name them.

use tidings_protocol::http::{
    CreateVisitorRequest, RatingRequest, TranscriptRequest, UpdateVisitorRequest,
};
use tidings_protocol::ClientFrame;
use tidings_wire::to_string;

/// One `ClientFrame` as socket text: `{"type":…, fields in declaration order}`.
pub fn client_frame(frame: &ClientFrame) -> String {
    to_string(frame)
}

/// `POST /v1/visitors` body.
pub fn create_visitor_request(request: &CreateVisitorRequest) -> String {
    to_string(request)
}

/// `PATCH /v1/visitor` body: the details, then `user_id`, `user_hash` and `time_zone` only
/// when given (as serde skips them).
pub fn update_visitor_request(request: &UpdateVisitorRequest) -> String {
    to_string(request)
}

/// `POST /v1/conversations/{id}/rating` body.
pub fn rating_request(request: &RatingRequest) -> String {
    to_string(request)
}

/// `POST /v1/conversations/{id}/transcript` body: `{}`, or `{"email":…}` when given.
pub fn transcript_request(request: &TranscriptRequest) -> String {
    to_string(request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tidings_protocol::frame::ClientFrameType;
    use tidings_protocol::PresenceStatus;
    use uuid::Uuid;

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
