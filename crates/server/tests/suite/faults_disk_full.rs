//! A full disk: sends are refused with a clear, passing error (`overloaded`, saying that
//! nothing was stored) and stay in the client's outbox, other writes (a new visitor) say the
//! same, `/healthz` answers 503 while writes fail, nothing acknowledged is lost, and once there is room again the same server takes
//! the outboxes' messages, each once, in order, and `/healthz` is healthy again.
//!
//! The disk fills without privileges: the server binary runs with SIGXFSZ ignored, and the
//! test lowers the process's file-size limit (`RLIMIT_FSIZE`, through `prlimit`) to the
//! size of its write-ahead log, so no file of the process can grow any more (a write past
//! the limit fails with `EFBIG`, as one past the end of a full disk fails with `ENOSPC`),
//! and raises it again to free the space, without a restart.

use crate::common;

use std::process::Command;

use common::faults::{audit_url, Wire};
use common::process::{socket_url, spawn_prepared, wait_for_exit, BIN};
use serde_json::{json, Value};
use tidings_client::outbox::is_transient;
use tidings_client::{MemoryStorage, Outbox};
use tidings_protocol::{ErrorCode, ServerFrame};
use uuid::Uuid;

const VISITORS: usize = 3;
/// Messages each visitor has acknowledged before the disk fills.
const BEFORE: usize = 5;
/// Messages each visitor writes while the disk is full.
const DURING: usize = 4;
/// Times each visitor tries its first queued message while the disk is full.
const TRIES: usize = 3;

struct Visitor {
    wire: Wire,
    outbox: Outbox<MemoryStorage>,
    conversation_id: Option<Uuid>,
    /// (id, conversation, seq) of every ack.
    acked: Vec<(Uuid, Uuid, u64)>,
    order: i64,
}

impl Visitor {
    fn write(&mut self, body: String) -> Uuid {
        let id = Uuid::new_v4();
        self.order += 1;
        self.outbox
            .enqueue(id, self.conversation_id, body, self.order)
            .unwrap();
        id
    }

    /// Sends the outbox's next entry; its ack's seq, or the refusal.
    async fn flush_one(&mut self) -> Result<u64, (ErrorCode, String)> {
        let entry = self.outbox.next_to_send().expect("something to send");
        let mut frame = json!({"type": "send", "id": entry.id, "body": entry.body});
        if let Some(c) = entry.conversation_id.or(self.conversation_id) {
            frame["conversation_id"] = json!(c);
        }
        assert!(self.wire.send(&frame).await);
        loop {
            match self.wire.next().await.expect("an answer") {
                ServerFrame::Ack {
                    id,
                    conversation_id,
                    seq,
                    ..
                } if id == entry.id => {
                    self.outbox.acknowledge(id);
                    self.conversation_id = Some(conversation_id);
                    self.acked.push((id, conversation_id, seq));
                    return Ok(seq);
                }
                ServerFrame::Error {
                    code,
                    message,
                    id: Some(id),
                    ..
                } if id == entry.id => {
                    if is_transient(code) {
                        // What the browser's delivery does with a passing refusal: keep the
                        // entry and try it again later.
                        self.outbox.connection_lost();
                    }
                    return Err((code, message));
                }
                _ => {}
            }
        }
    }
}

async fn health(address: &str) -> (u16, Value) {
    let response = reqwest::get(format!("{address}/healthz")).await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Sets the server process's file-size limit (soft; the hard limit stays unlimited).
fn set_file_size_limit(pid: u32, bytes: u64) {
    rlimit::prlimit(
        pid as i32,
        rlimit::Resource::FSIZE,
        Some((bytes, rlimit::INFINITY)),
        None,
    )
    .expect("prlimit on our own child");
}

fn stored(path: &std::path::Path, id: Uuid) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(
        "SELECT COUNT(*) FROM messages WHERE id = ?1",
        [id.to_string()],
        |row| row.get(0),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_sends_clearly_reports_unhealthy_and_recovers_when_freed() {
    let dir = tempfile::TempDir::new().unwrap();
    let db_path = dir.path().join("tidings.db");
    let database_url = format!("sqlite://{}", db_path.display());
    // SIGXFSZ ignored (inherited through exec), so a write past the limit is an error the
    // server sees, not the end of the process.
    let mut command = Command::new("sh");
    command
        .args(["-c", "trap '' XFSZ; exec \"$0\" \"$@\"", BIN])
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            &database_url,
            "--rate-per-second",
            "100000",
            "--rate-burst",
            "100000",
        ]);
    let (mut child, address) = spawn_prepared(command);
    let url = socket_url(&address);

    let mut visitors = Vec::new();
    for v in 0..VISITORS {
        let (_, token) = common::create_visitor(&address).await;
        let (wire, _) = Wire::connect(&url, &token).await.expect("connected");
        let mut visitor = Visitor {
            wire,
            outbox: Outbox::new(MemoryStorage::default(), "tidings.outbox."),
            conversation_id: None,
            acked: Vec::new(),
            order: 0,
        };
        for n in 0..BEFORE {
            visitor.write(format!("v{v} before {n}"));
            assert_eq!(visitor.flush_one().await, Ok(n as u64 + 1));
        }
        visitors.push(visitor);
    }
    let (status, _) = health(&address).await;
    assert_eq!(status, 200, "healthy before the disk fills");

    // The disk is full: no file of the server's may grow past its write-ahead log's size.
    let wal = dir.path().join("tidings.db-wal");
    let full_at = std::fs::metadata(&wal).expect("the write-ahead log").len();
    set_file_size_limit(child.id(), full_at);

    let mut refusals = Vec::new();
    let mut refused_ids = Vec::new();
    for (v, visitor) in visitors.iter_mut().enumerate() {
        for n in 0..DURING {
            visitor.write(format!("v{v} during {n}"));
        }
        for _ in 0..TRIES {
            let first = visitor.outbox.entries()[0].id;
            let refusal = visitor.flush_one().await.expect_err("refused while full");
            assert!(
                is_transient(refusal.0),
                "a full disk is a passing refusal the outbox retries: {refusal:?}"
            );
            assert_eq!(
                visitor.outbox.entries().len(),
                DURING,
                "the refused message stays in the outbox"
            );
            assert_eq!(
                stored(&db_path, first),
                0,
                "a refused message is not stored"
            );
            if refused_ids.last() != Some(&first) {
                refused_ids.push(first);
            }
            refusals.push(refusal);
        }
    }
    let (code, message) = &refusals[0];
    eprintln!("disk full: refused with {code:?}: {message:?}");
    assert_eq!(*code, ErrorCode::Overloaded);
    assert!(
        message.contains("nothing was stored") && message.contains("storage"),
        "the refusal says what happened: {message}"
    );
    // A write outside the writer (a new visitor, on the pool) says the same.
    let response = reqwest::Client::new()
        .post(format!("{address}/v1/visitors"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let new_visitor = (
        response.status().as_u16(),
        response.json::<Value>().await.unwrap(),
    );
    eprintln!(
        "disk full: POST /v1/visitors {} {}",
        new_visitor.0, new_visitor.1
    );
    assert_eq!(new_visitor.0, 503);
    assert_eq!(new_visitor.1["code"], "overloaded");
    assert_eq!(new_visitor.1["message"].as_str(), Some(message.as_str()));
    let (status_full, body_full) = health(&address).await;
    eprintln!("disk full: /healthz {status_full} {body_full}");
    assert_eq!(status_full, 503, "unhealthy while writes fail: {body_full}");
    // Still full: asking again does not make it healthy.
    assert_eq!(health(&address).await.0, 503);

    // Room again, the same process: health recovers without any client's help, and every
    // outbox drains, each message once, in order.
    set_file_size_limit(child.id(), rlimit::INFINITY);
    let (status_freed, body_freed) = health(&address).await;
    eprintln!("space freed: /healthz {status_freed} {body_freed}");
    assert_eq!(status_freed, 200);
    let mut acked_after = 0;
    for visitor in &mut visitors {
        let mut expected = BEFORE as u64;
        while !visitor.outbox.entries().is_empty() {
            expected += 1;
            assert_eq!(visitor.flush_one().await, Ok(expected), "in order, once");
            acked_after += 1;
        }
    }
    // A new visitor is served too.
    let (_, token) = common::create_visitor(&address).await;
    let (mut newcomer, _) = Wire::connect(&url, &token).await.expect("connected");
    assert!(
        newcomer
            .send(
                &json!({"type": "send", "id": Uuid::new_v4(), "body": "after the disk was freed"})
            )
            .await
    );
    loop {
        match newcomer.next().await.expect("an answer") {
            ServerFrame::Ack { .. } => break,
            ServerFrame::Error { code, message, .. } => panic!("{code:?}: {message}"),
            _ => {}
        }
    }

    // A clean stop, then the audit of the file.
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = wait_for_exit(&mut child, std::time::Duration::from_secs(30));
    assert!(status.success(), "graceful exit: {status:?}");
    let acked: Vec<_> = visitors.iter().flat_map(|v| v.acked.clone()).collect();
    let audited = audit_url(&database_url, &acked).await;
    let refused_not_once = refused_ids
        .iter()
        .filter(|id| stored(&db_path, **id) != 1)
        .count();
    eprintln!(
        "disk full: {} acked before, {} refusals while full ({} distinct ids), {acked_after} \
         acked after the space was freed; lost {}, duplicated {}, gaps {}, refused ids not \
         stored exactly once in the end {refused_not_once}",
        VISITORS * BEFORE,
        refusals.len(),
        refused_ids.len(),
        audited.lost,
        audited.duplicated,
        audited.gaps
    );
    audited.assert_clean();
    assert_eq!(refused_not_once, 0);
    assert_eq!(audited.messages, VISITORS * (BEFORE + DURING) + 1);
}
