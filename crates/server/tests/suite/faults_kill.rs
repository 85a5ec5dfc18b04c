//! `kill -9` of the server binary while 50 sockets write concurrently (pipelined sends, as
//! an outbox flushing after a reconnect does): after a restart on the same database file,
//! every acknowledged id is stored exactly once under the seq its ack named, no
//! conversation has a seq gap, and every client resumes by seq with no gap and no repeat;
//! sending its unacknowledged messages again with the same ids then leaves each
//! conversation holding every message once, in the order sent.

use crate::common;

use std::time::Instant;

use common::faults::{audit_url, Flood, FLOOD_FLAGS};
use common::process::{socket_url, spawn_server_with};

const WRITERS: usize = 50;
/// Sends per writer after its first message; far more than get through before the kill.
const SENDS: usize = 200;
/// Acks received (across all writers) before the process is killed.
const KILL_AFTER: usize = 2_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_under_50_concurrent_writers_loses_and_repeats_nothing() {
    let db = common::TestDb::new().await;
    let database_url = db.url.clone();
    let (mut child, address) = spawn_server_with(&database_url, FLOOD_FLAGS);
    let flood = Flood::until_acked(&address, WRITERS, SENDS, KILL_AFTER).await;
    // The crash: no shutdown, no checkpoint, while every writer still has sends under way.
    child.kill().unwrap();
    child.wait().unwrap();
    let flooders = flood.ended().await;

    let acked_before: Vec<_> = flooders
        .iter()
        .flat_map(|f| {
            f.acked
                .iter()
                .map(|(id, seq)| (*id, f.conversation_id, *seq))
        })
        .collect();
    let sent: usize = flooders.iter().map(|f| f.sent.len()).sum();
    let unacked: usize = flooders.iter().map(|f| f.unacked().len()).sum();
    let still_writing = flooders
        .iter()
        .filter(|f| f.sent.len() < SENDS + 1 || !f.unacked().is_empty())
        .count();
    assert!(
        acked_before.len() < WRITERS * (SENDS + 1),
        "the kill came while writes were under way"
    );
    for flooder in &flooders {
        assert_eq!(
            (flooder.timeline.gaps, flooder.timeline.repeats),
            (0, 0),
            "{}: live delivery before the crash had no gap and no repeat",
            flooder.name
        );
    }

    // The database as the crash left it (opening it recovers the WAL).
    let after_crash = audit_url(&database_url, &acked_before).await;
    eprintln!(
        "kill -9: {WRITERS} writers, {sent} sent, {} acked before the kill, {unacked} unacked \
         ({still_writing} writers still under way); stored after the crash: {} messages in {} \
         conversations; lost {}, duplicated {}, gaps {}",
        acked_before.len(),
        after_crash.messages,
        after_crash.conversations,
        after_crash.lost,
        after_crash.duplicated,
        after_crash.gaps
    );
    after_crash.assert_clean();

    // Restart; every client resumes by seq and sends what its outbox still holds.
    let (mut child, address) = spawn_server_with(&database_url, FLOOD_FLAGS);
    let url = socket_url(&address);
    let started = Instant::now();
    let (mut resumed, mut committed_unacked) = (0, 0);
    let mut resumes = Vec::new();
    for mut flooder in flooders {
        let url = url.clone();
        resumes.push(tokio::spawn(async move {
            let figures = flooder.resume_and_retry(&url).await;
            flooder.check_complete();
            (flooder, figures)
        }));
    }
    let mut flooders = Vec::new();
    for resume in resumes {
        let (flooder, (r, c)) = resume.await.unwrap();
        resumed += r;
        committed_unacked += c;
        flooders.push(flooder);
    }
    let (gaps, repeats): (usize, usize) = flooders.iter().fold((0, 0), |(g, r), f| {
        (g + f.timeline.gaps, r + f.timeline.repeats)
    });
    let acked_all: Vec<_> = flooders
        .iter()
        .flat_map(|f| {
            f.acked
                .iter()
                .map(|(id, seq)| (*id, f.conversation_id, *seq))
        })
        .collect();
    let finally = audit_url(&database_url, &acked_all).await;
    eprintln!(
        "after restart: {resumed} messages came back on resume ({:?} for all {WRITERS}), gaps \
         {gaps}, repeats {repeats}; of {unacked} retried ids {committed_unacked} had been \
         stored before the kill (ack lost with the socket) and were answered with their \
         original seq; finally {} acked, {} stored, lost {}, duplicated {}, gaps {}",
        started.elapsed(),
        acked_all.len(),
        finally.messages,
        finally.lost,
        finally.duplicated,
        finally.gaps
    );
    assert_eq!((gaps, repeats), (0, 0), "resumed with no gap and no repeat");
    finally.assert_clean();
    assert_eq!(
        acked_all.len(),
        sent,
        "every message sent is acknowledged in the end"
    );
    assert_eq!(finally.messages, sent, "and stored once");
    child.kill().unwrap();
    child.wait().unwrap();
}
