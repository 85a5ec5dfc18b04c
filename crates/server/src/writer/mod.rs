//! The write path: one writer task per database stores every message, receipt and
//! conversation change, in groups.
//!
//! Callers (socket handlers, HTTP handlers) put a [`Write`] on a bounded queue and wait for
//! its answer. The writer task ([`group`]) takes everything queued, applies it in one
//! transaction and commits once, so one fsync carries every write that arrived while the
//! previous group was committing. Only after the commit does it fan the new messages out
//! and answer each caller, so an `ack` always means "committed". Reads do not go through
//! here: they use the pool, concurrently with the writer (SQLite's WAL lets readers see the
//! last commit while a write is under way).
//!
//! Past saturation, the queue is full and [`Writer::submit`] refuses at once with
//! `overloaded` (a passing refusal that clients retry) instead of queueing without bound:
//! latency stays bounded by the queue's length over the writer's throughput, and memory by
//! the queue's length.
//!
//! The writer has its own connection to the database, used from its own thread: SQLite
//! ([`sqlite`]) or PostgreSQL ([`postgres`]), both behind the [`tx::Tx`] trait, so the
//! grouping, acks and fan-out ([`group`]) and the rules ([`ops`]) are written once. SQLite
//! allows one writer at a time, so the few writes that stay on the pool (visitor creation
//! and last-seen times, agent sessions) briefly wait for the writer's lock through the busy
//! timeout. With PostgreSQL, every node has its own writer, and the database's row locks
//! keep them from allocating the same seq (see `postgres.rs`).

mod group;
mod notes;
mod ops;
mod postgres;
mod sqlite;
mod tx;

pub use group::MAX_GROUP;
pub use ops::{Applied, SentNews, Write, Written};
pub use tx::{parse_sender, preview};

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tidings_protocol::ErrorCode;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::db::{Backend, Database};
use crate::error::{Error, Result};
use crate::hub::Hub;

/// A write waiting in the queue, with where its answer goes.
pub(crate) struct Job {
    write: Write,
    reply: oneshot::Sender<Result<Written>>,
    /// When it was queued (the writer logs how long its groups waited, at debug level).
    queued: std::time::Instant,
}

/// The handle every handler shares: the queue's sending side.
pub struct Writer {
    queue: Mutex<Option<mpsc::Sender<Job>>>,
    /// Resolves when the writer thread has closed its connection.
    done: Mutex<Option<oneshot::Receiver<()>>>,
    /// Writes the writer has taken into its current group and not yet committed.
    in_group: Arc<AtomicUsize>,
    /// Set while the database cannot store writes (disk full or failing, no connection).
    failing: Arc<AtomicBool>,
}

/// What `overloaded` tells the client.
const OVERLOADED: &str = "the server is busy; nothing was stored, send it again in a moment";

impl Writer {
    /// Starts the writer thread on its own connection to the database, with room for
    /// `capacity` queued writes. `node` names this node in its notifications to the others
    /// (PostgreSQL only).
    pub fn start(db: &Database, hub: Arc<Hub>, capacity: usize, node: Uuid) -> Writer {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let (done_tx, done_rx) = oneshot::channel();
        let backend = db.backend.clone();
        let in_group = Arc::new(AtomicUsize::new(0));
        let taken = in_group.clone();
        let failing = Arc::new(AtomicBool::new(false));
        let failed_flag = failing.clone();
        let spawned = std::thread::Builder::new()
            .name("tidings-writer".into())
            .spawn(move || {
                let failed = match &backend {
                    Backend::Sqlite { path } => {
                        match sqlite::SqliteTx::open(path, crate::db::BUSY_TIMEOUT) {
                            Ok(tx) => {
                                group::run(tx, rx, hub, &taken, &failed_flag);
                                None
                            }
                            Err(e) => Some((e, rx)),
                        }
                    }
                    Backend::Postgres { url } => match postgres::PgTx::open(url, node) {
                        Ok(tx) => {
                            group::run(tx, rx, hub, &taken, &failed_flag);
                            None
                        }
                        Err(e) => Some((e, rx)),
                    },
                };
                if let Some((e, rx)) = failed {
                    tracing::error!(error = %e, "the writer cannot open the database");
                    failed_flag.store(true, Ordering::Release);
                    fail_all(rx, &e.to_string());
                }
                let _ = done_tx.send(());
            });
        if let Err(e) = spawned {
            // Without a thread the queue's receiver is gone: every write is refused.
            tracing::error!(error = %e, "cannot start the writer thread");
            failing.store(true, Ordering::Release);
        }
        Writer {
            queue: Mutex::new(Some(tx)),
            done: Mutex::new(Some(done_rx)),
            in_group,
            failing,
        }
    }

    fn sender(&self) -> Option<mpsc::Sender<Job>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Queues a write and waits until it is committed (or refused). A full queue refuses
    /// at once with `overloaded`; nothing was stored then.
    pub async fn submit(&self, write: Write) -> Result<Written> {
        let Some(queue) = self.sender() else {
            return Err(Error::client(
                ErrorCode::Overloaded,
                "the server is stopping",
            ));
        };
        let (reply, answer) = oneshot::channel();
        match queue.try_send(Job {
            write,
            reply,
            queued: std::time::Instant::now(),
        }) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                crate::metrics::global()
                    .writes_refused_overloaded
                    .fetch_add(1, Ordering::Relaxed);
                return Err(Error::client(ErrorCode::Overloaded, OVERLOADED));
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                return Err(Error::client(
                    ErrorCode::Overloaded,
                    "the server is stopping",
                ))
            }
        }
        answer
            .await
            .unwrap_or_else(|_| Err(Error::internal("the writer stopped")))
    }

    /// Writes waiting in the queue, and writes in the group being committed.
    pub fn pending(&self) -> (usize, usize) {
        let queued = self.sender().map_or(0, |s| s.max_capacity() - s.capacity());
        (queued, self.in_group.load(Ordering::Acquire))
    }

    /// Whether the last write that had to reach the disk failed (disk full or failing, or
    /// the writer has no database connection): writes are being refused.
    pub fn storage_failing(&self) -> bool {
        self.failing.load(Ordering::Acquire)
    }

    /// Commits a write that changes nothing but has to reach the disk: `Ok` once the
    /// database stores writes (and [`Writer::storage_failing`] is false again).
    pub async fn probe(&self) -> Result<()> {
        self.submit(Write::Probe).await.map(|_| ())
    }

    /// Stops taking writes, lets the writer commit what is queued, and waits for it to
    /// close its connection.
    pub async fn close(&self) {
        drop(self.queue.lock().unwrap_or_else(|p| p.into_inner()).take());
        let done = self.done.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(done) = done {
            let _ = done.await;
        }
    }
}

/// Without a connection, every write fails (as an internal error the client retries).
fn fail_all(mut rx: mpsc::Receiver<Job>, why: &str) {
    while let Some(job) = rx.blocking_recv() {
        let _ = job.reply.send(Err(Error::internal(format!(
            "no database connection: {why}"
        ))));
    }
}
