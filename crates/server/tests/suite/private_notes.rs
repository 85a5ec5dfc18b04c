//! Private notes: an agent's note takes the conversation's next seq and reaches every
//! agent following it, and a visitor never receives it on any path they can read: the
//! live socket, a resume or a fresh sync, history pages, the conversation's preview and
//! unread count. The visitor's stream stays gap-free from their side: a hidden seq arrives
//! as the `synced` frame that covers it. Runs on SQLite, and on PostgreSQL with
//! `TIDINGS_TEST_BACKEND=postgres`.

use crate::common;

use common::{ack_fields, Client, TestServer};
use reqwest::StatusCode;
use serde_json::json;
use tidings_protocol::http::{ConversationList, HistoryPage};
use tidings_protocol::{Conversation, ErrorCode, Message, Sender, ServerFrame};
use uuid::Uuid;

/// What the note's body says: no frame or answer a visitor gets may contain it.
const SECRET: &str = "NOTE-ONLY-FOR-AGENTS refund approved by Ops";

/// Posts a note as the agent with `token`; returns the response.
async fn post_note(
    server: &TestServer,
    token: &str,
    conversation_id: Uuid,
    id: Uuid,
    body: &str,
) -> reqwest::Response {
    server
        .post(
            &format!("/v1/conversations/{conversation_id}/notes"),
            token,
            json!({"id": id, "body": body}),
        )
        .await
}

/// Subscribes and reads the replay up to `synced`: (every frame, the synced last_seq).
async fn replay(ws: &mut Client, conversation_id: Uuid, after_seq: u64) -> (Vec<ServerFrame>, u64) {
    ws.send(
        json!({"type": "subscribe", "conversation_id": conversation_id, "after_seq": after_seq}),
    )
    .await;
    let mut frames = Vec::new();
    loop {
        match ws.next().await {
            ServerFrame::Synced {
                conversation_id: c,
                last_seq,
                ..
            } if c == conversation_id => return (frames, last_seq),
            frame => frames.push(frame),
        }
    }
}

/// The seqs of the message frames among `frames`.
fn message_seqs(frames: &[ServerFrame]) -> Vec<u64> {
    frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::Message { message } => Some(message.seq),
            _ => None,
        })
        .collect()
}

/// Fails if anything a visitor received says what the note says or is a note.
fn assert_no_note(frames: &[ServerFrame]) {
    for frame in frames {
        let text = serde_json::to_string(frame).unwrap();
        assert!(!text.contains("NOTE-ONLY"), "a visitor received {text}");
        assert!(
            !matches!(frame, ServerFrame::Message { message } if message.sender == Sender::Note),
            "a visitor received a note: {text}"
        );
    }
}

/// Reads the visitor's live frames up to (and with) the message at `seq`.
async fn live_until(ws: &mut Client, seq: u64) -> Vec<ServerFrame> {
    let mut frames = Vec::new();
    loop {
        let frame = ws.next().await;
        let done = matches!(&frame, ServerFrame::Message { message } if message.seq == seq);
        frames.push(frame);
        if done {
            return frames;
        }
    }
}

#[tokio::test]
async fn a_note_reaches_agents_and_never_the_visitor_on_any_path() {
    let server = TestServer::start().await;
    let (_, visitor_token) = server.visitor().await;
    let (_, ada_token) = server.agent("Ada", false).await;
    let (mut visitor, _) = Client::connect(&server, &visitor_token).await;
    let (conversation_id, _) = ack_fields(
        &visitor
            .send_message(Uuid::new_v4(), None, "my parcel is late")
            .await,
    );
    let (mut ada, _) = Client::connect(&server, &ada_token).await;
    // Ada's reply claims it: seq 2 is the "joined" notice, 3 the reply.
    let reply = ada
        .send_message(Uuid::new_v4(), Some(conversation_id), "let me check")
        .await;
    assert_eq!(ack_fields(&reply).1, 3);
    let (frames, synced) = replay(&mut ada, conversation_id, 0).await;
    assert_eq!(message_seqs(&frames), [1, 2, 3]);
    assert_eq!(synced, 3);
    // The visitor's socket (subscribed when it started the chat) has everything so far.
    live_until(&mut visitor, 3).await;

    // Ada writes a note: seq 4, answered as a note.
    let note_id = Uuid::new_v4();
    let answer = post_note(&server, &ada_token, conversation_id, note_id, SECRET).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let note: Message = answer.json().await.unwrap();
    assert_eq!(
        (note.id, note.seq, note.sender, note.body.as_str()),
        (note_id, 4, Sender::Note, SECRET)
    );
    assert_eq!(note.author_name.as_deref(), Some("Ada"));
    // The same id again is the same note, stored once.
    let again: Message = post_note(&server, &ada_token, conversation_id, note_id, SECRET)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, note);

    // Ada's console gets it live, with its seq.
    let live = ada
        .expect(|f| matches!(f, ServerFrame::Message { .. }))
        .await;
    assert!(
        matches!(&live, ServerFrame::Message { message } if *message == note),
        "{live:?}"
    );
    let after = ada
        .send_message(Uuid::new_v4(), Some(conversation_id), "it ships today")
        .await;
    assert_eq!(ack_fields(&after).1, 5);

    // Live: the visitor gets `synced` for seq 4 in its place, then seq 5.
    let frames = live_until(&mut visitor, 5).await;
    assert_no_note(&frames);
    assert_eq!(message_seqs(&frames), [5]);
    let synced_at: Vec<(u64, u64)> = frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::Synced {
                after_seq,
                last_seq,
                ..
            } => Some((*after_seq, *last_seq)),
            _ => None,
        })
        .collect();
    // (The `synced` ending the visitor's first replay may come along too.) It covers the
    // hidden seq alone: a tab missing seq 3 does not move its resume point past it.
    assert_eq!(
        synced_at.last(),
        Some(&(3, 4)),
        "the hidden seq is covered before seq 5 arrives"
    );

    // A second note at the end: the latest seq is one the visitor may not read.
    let last_note = post_note(&server, &ada_token, conversation_id, Uuid::new_v4(), SECRET).await;
    assert_eq!(last_note.status(), StatusCode::OK);

    // Resume and fresh sync on a new socket: everything but the notes, and `synced` says
    // the visitor holds all up to the last seq (6), so it never asks for 4 or 6 again.
    let (mut fresh, _) = Client::connect(&server, &visitor_token).await;
    let (frames, synced) = replay(&mut fresh, conversation_id, 0).await;
    assert_no_note(&frames);
    assert_eq!(message_seqs(&frames), [1, 2, 3, 5]);
    assert_eq!(synced, 6);
    let (frames, synced) = replay(&mut fresh, conversation_id, 3).await;
    assert_no_note(&frames);
    assert_eq!(message_seqs(&frames), [5]);
    assert_eq!(synced, 6);
    let (frames, synced) = replay(&mut fresh, conversation_id, 5).await;
    assert_no_note(&frames);
    assert_eq!(message_seqs(&frames), Vec::<u64>::new());
    assert_eq!(synced, 6);

    // History pages: the visitor's leave the notes out (also when paging across them),
    // an agent's hold them.
    let path = format!("/v1/conversations/{conversation_id}/messages");
    let page: HistoryPage = server.get_json(&path, &visitor_token).await;
    assert_eq!(
        page.messages.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [1, 2, 3, 5]
    );
    assert!(page.messages.iter().all(|m| m.sender != Sender::Note));
    let page: HistoryPage = server
        .get_json(&format!("{path}?before_seq=6&limit=2"), &visitor_token)
        .await;
    assert_eq!(
        page.messages.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [3, 5]
    );
    assert!(page.has_more);
    let raw = server
        .get(&path, &visitor_token)
        .await
        .text()
        .await
        .unwrap();
    assert!(!raw.contains("NOTE-ONLY"), "{raw}");
    let page: HistoryPage = server.get_json(&path, &ada_token).await;
    assert_eq!(
        page.messages.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(page.messages[3].sender, Sender::Note);

    // The preview and unread count are those of what the visitor may read, for the
    // visitor and in the agents' lists alike.
    let mine: Conversation = server
        .get_json(
            &format!("/v1/conversations/{conversation_id}"),
            &visitor_token,
        )
        .await;
    assert_eq!(mine.last_message_preview.as_deref(), Some("it ships today"));
    assert_eq!(mine.unread, 2, "Ada's two replies, not her notes");
    let list: ConversationList = server
        .get_json("/v1/visitor/conversations", &visitor_token)
        .await;
    let raw = serde_json::to_string(&list).unwrap();
    assert!(!raw.contains("NOTE-ONLY"), "{raw}");
    let theirs: Conversation = server
        .get_json(&format!("/v1/conversations/{conversation_id}"), &ada_token)
        .await;
    assert_eq!(
        theirs.last_message_preview.as_deref(),
        Some("it ships today")
    );

    // The visitor's first socket, still live: a message after the last note comes after
    // the `synced` covering it, and nothing on the way is a note.
    let next = ada
        .send_message(Uuid::new_v4(), Some(conversation_id), "anything else?")
        .await;
    assert_eq!(ack_fields(&next).1, 7);
    let frames = live_until(&mut visitor, 7).await;
    assert_no_note(&frames);
    assert_eq!(message_seqs(&frames), [7]);
    server.stop().await;
}

#[tokio::test]
async fn only_an_agent_who_sees_the_conversation_may_write_a_note() {
    let server = TestServer::start().await;
    let (_, visitor_token) = server.visitor().await;
    let (_, ada_token) = server.agent("Ada", false).await;
    let (_, bob_token) = server.agent("Bob", false).await;
    let (_, root_token) = server.agent("Root", true).await;
    let (mut visitor, _) = Client::connect(&server, &visitor_token).await;
    let (conversation_id, _) =
        ack_fields(&visitor.send_message(Uuid::new_v4(), None, "hello").await);

    // A waiting chat: any agent may note it (it stays waiting: a note claims nothing).
    let waiting = post_note(&server, &bob_token, conversation_id, Uuid::new_v4(), "vip").await;
    assert_eq!(waiting.status(), StatusCode::OK);
    let conversation: Conversation = server
        .get_json(&format!("/v1/conversations/{conversation_id}"), &bob_token)
        .await;
    assert_eq!(
        conversation.status,
        tidings_protocol::ConversationStatus::Waiting
    );

    // Once Ada holds it, Bob no longer sees it: not found, as for any hidden conversation.
    let claimed = server
        .post(
            &format!("/v1/conversations/{conversation_id}/claim"),
            &ada_token,
            json!({}),
        )
        .await;
    assert_eq!(claimed.status(), StatusCode::OK);
    let refused = post_note(&server, &bob_token, conversation_id, Uuid::new_v4(), "x").await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    // An admin may; a visitor's token may not.
    let admin = post_note(&server, &root_token, conversation_id, Uuid::new_v4(), "ok").await;
    assert_eq!(admin.status(), StatusCode::OK);
    let by_visitor = post_note(
        &server,
        &visitor_token,
        conversation_id,
        Uuid::new_v4(),
        "x",
    )
    .await;
    assert_eq!(by_visitor.status(), StatusCode::FORBIDDEN);

    // Bodies are checked like messages; a message's id cannot be reused for a note.
    let empty = post_note(&server, &ada_token, conversation_id, Uuid::new_v4(), "  ").await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
    let error: tidings_protocol::http::ApiError = empty.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::EmptyMessage);
    let long = "x".repeat(4_001);
    let too_long = post_note(&server, &ada_token, conversation_id, Uuid::new_v4(), &long).await;
    assert_eq!(too_long.status(), StatusCode::BAD_REQUEST);
    let message_id = Uuid::new_v4();
    visitor
        .send_message(message_id, Some(conversation_id), "one more thing")
        .await;
    let reused = post_note(&server, &ada_token, conversation_id, message_id, "x").await;
    assert_eq!(reused.status(), StatusCode::CONFLICT);
    let unknown = post_note(&server, &ada_token, Uuid::new_v4(), Uuid::new_v4(), "x").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    server.stop().await;
}
