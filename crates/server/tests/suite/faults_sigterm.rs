//! SIGTERM while 30 sockets flood their conversations: the server tells every socket to go
//! away (1001), commits what it had taken, exits with status 0 within its shutdown grace
//! period, and every acknowledged message is stored under its seq with no gap; after a
//! restart the clients resume by seq and their unacknowledged sends go through once.

use crate::common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::faults::{audit_url, Flood, FAULT_DEADLINE, FLOOD_FLAGS};
use common::process::{socket_url, spawn_server_with, wait_for_exit};
use tidings_protocol::frame::close;

const WRITERS: usize = 30;
const SENDS: usize = 300;
/// Acks received (across all writers) before the signal.
const SIGNAL_AFTER: usize = 1_500;
/// The server drains sockets for at most 5 s (`serve::DRAIN_TIMEOUT`), then commits what it
/// has taken and exits; the rest is slack for a loaded machine. Well inside the 30 s a
/// service manager (systemd, Kubernetes) waits before it kills.
const GRACE: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_during_a_flood_drains_and_exits_cleanly() {
    let db = common::TestDb::new().await;
    let database_url = db.url.clone();
    let (mut child, address) = spawn_server_with(&database_url, FLOOD_FLAGS);
    let flood = Flood::until_acked(&address, WRITERS, SENDS, SIGNAL_AFTER).await;
    let signalled = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = wait_for_exit(&mut child, FAULT_DEADLINE);
    let took = signalled.elapsed();
    let flooders = flood.ended().await;

    let acked: Vec<_> = flooders
        .iter()
        .flat_map(|f| {
            f.acked
                .iter()
                .map(|(id, seq)| (*id, f.conversation_id, *seq))
        })
        .collect();
    let sent: usize = flooders.iter().map(|f| f.sent.len()).sum();
    let going_away = flooders
        .iter()
        .filter(|f| f.close_code == Some(close::GOING_AWAY))
        .count();
    let audited = audit_url(&database_url, &acked).await;
    eprintln!(
        "SIGTERM: exit {status:?} after {took:?}; {WRITERS} writers, {sent} sent, {} acked \
         before the exit, {} stored ({} committed while draining without an ack reaching \
         its client); {going_away} of {WRITERS} sockets told 1001 going away; lost {}, \
         duplicated {}, gaps {}",
        acked.len(),
        audited.messages,
        audited.messages - acked.len(),
        audited.lost,
        audited.duplicated,
        audited.gaps
    );
    assert!(status.success(), "exit status 0: {status:?}");
    assert!(took < GRACE, "exited within {GRACE:?}: {took:?}");
    assert!(
        acked.len() < WRITERS * (SENDS + 1),
        "the signal came while writes were under way"
    );
    assert_eq!(going_away, WRITERS, "every socket was told to go away");
    audited.assert_clean();
    for flooder in &flooders {
        assert_eq!(
            (flooder.timeline.gaps, flooder.timeline.repeats),
            (0, 0),
            "{}: live delivery had no gap and no repeat",
            flooder.name
        );
    }

    // Back up: every client resumes and its outbox goes through, each message once.
    let (mut child, address) = spawn_server_with(&database_url, FLOOD_FLAGS);
    let url = socket_url(&address);
    let mut resumes = Vec::new();
    for mut flooder in flooders {
        let url = url.clone();
        resumes.push(tokio::spawn(async move {
            let figures = flooder.resume_and_retry(&url).await;
            flooder.check_complete();
            (flooder, figures)
        }));
    }
    let (mut resumed, mut committed_unacked, mut acked_all) = (0, 0, Vec::new());
    for resume in resumes {
        let (flooder, (r, c)) = resume.await.unwrap();
        resumed += r;
        committed_unacked += c;
        acked_all.extend(
            flooder
                .acked
                .iter()
                .map(|(id, seq)| (*id, flooder.conversation_id, *seq)),
        );
        assert_eq!((flooder.timeline.gaps, flooder.timeline.repeats), (0, 0));
    }
    let finally = audit_url(&database_url, &acked_all).await;
    eprintln!(
        "after restart: {resumed} messages came back on resume, {committed_unacked} retried \
         ids answered with their original seq; finally {} acked, {} stored, lost {}, \
         duplicated {}, gaps {}",
        acked_all.len(),
        finally.messages,
        finally.lost,
        finally.duplicated,
        finally.gaps
    );
    finally.assert_clean();
    assert_eq!(finally.messages, sent, "every message sent stored once");
    child.kill().unwrap();
    child.wait().unwrap();
}
