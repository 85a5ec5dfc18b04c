//! The writer thread: takes whatever is queued (up to [`MAX_GROUP`]), applies it in one
//! transaction, commits once (one WAL fsync with `synchronous = FULL`), then fans the
//! committed messages out and answers each caller. While a group commits, new writes queue
//! up and form the next group, so the busier the server, the more each fsync carries.
//!
//! It is a plain thread, not a task: a group is SQLite work from start to commit with
//! nothing to wait for but the disk, and running it without yielding keeps each write
//! to a few microseconds (no hand-off between threads per statement, no waiting for a
//! busy runtime to poll it again). With PostgreSQL the same loop runs its statements on
//! the thread's own small runtime (see `postgres.rs`), and each write's news for the other
//! nodes is notified inside the transaction ([`crate::cluster::note::notes_for`]).
//!
//! # Conflicts between nodes
//! On a database that several nodes share, two groups can lock the same rows in opposite
//! orders (a deadlock, which PostgreSQL breaks by failing one of them) or insert the same
//! message id at once (the second fails on the primary key once the first commits). Either
//! failure rolls the whole group back before anything was acknowledged, so the group is
//! simply applied again, up to [`RETRIES`] times: the retry sees the other node's commit
//! (and answers a repeated id with its original ack).
//!
//! # One write's failure does not fail the others
//! Refusals (not found, ended, conflict, ...) happen before a write touches the database
//! (see [`super::ops`]), so they leave the transaction as it was: the group just answers that
//! write with its error and goes on. A database error can strike half-way through a write,
//! though, leaving part of it in the transaction; then the whole transaction is rolled back
//! (nothing of it was committed or announced) and the group is applied again with a
//! savepoint around each write, so the failing one is rolled back alone and the others
//! commit. Savepoints cost two statements per write, so they are only paid for on that
//! rare second pass.
//!
//! If the commit itself fails, every write of the group is answered with the error:
//! nothing was acknowledged, and clients send the same ids again.
//!
//! # A full or failing disk
//! When the database cannot write its files (no space left, a file-size limit, a failing
//! device), the writes are refused with `overloaded` and a sentence saying that storage is
//! failing and nothing was stored: clients keep them and send them again. The writer marks
//! storage as failing (`/healthz` answers 503) until a commit that stored something
//! succeeds again; nothing needs restarting once there is room.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tidings_protocol::ErrorCode;
use tokio::sync::mpsc;

use super::ops::{self, Applied};
use super::tx::Tx;
use super::Job;
use crate::cluster::note::notes_for;
use crate::error::{Error, Result, STORAGE_FAILING};
use crate::hub::Hub;

/// Most writes in one transaction: bounds how long one commit holds the write lock and how
/// long the first write of a big group waits for the last.
pub const MAX_GROUP: usize = 512;

/// Runs until the queue is closed and drained.
/// `in_group` counts the writes taken and not yet committed (see `Writer::pending`);
/// `failing` is set while the disk refuses writes (see `Writer::storage_failing`).
pub fn run<T: Tx>(
    mut tx: T,
    mut queue: mpsc::Receiver<Job>,
    hub: Arc<Hub>,
    in_group: &AtomicUsize,
    failing: &AtomicBool,
) {
    let mut jobs = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = queue.blocking_recv() {
        jobs.push(first);
        while jobs.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        in_group.store(jobs.len(), Ordering::Release);
        let started = Instant::now();
        let waited = jobs
            .iter()
            .map(|j| started.saturating_duration_since(j.queued))
            .max()
            .unwrap_or_default();
        let (results, storage_refused) = apply_group(&mut tx, &jobs);
        let applied = started.elapsed();
        if storage_refused {
            failing.store(true, Ordering::Release);
        } else if results
            .iter()
            .any(|r| matches!(r, Ok(applied) if applied.written.stored_something()))
        {
            // A commit that had something to store reached the disk.
            failing.store(false, Ordering::Release);
        }
        let metrics = crate::metrics::global();
        metrics.write_groups.fetch_add(1, Ordering::Relaxed);
        metrics
            .write_group_items
            .fetch_add(jobs.len() as u64, Ordering::Relaxed);
        metrics.write_group_latency.observe(started.elapsed());
        // Reset before answering: whoever has an answer sees the group as done.
        in_group.store(0, Ordering::Release);
        let results_len = jobs.len();
        // Committed: fan out in commit order (so followers see seqs in order), then answer.
        for (job, result) in jobs.drain(..).zip(results) {
            let answer = result.map(|applied| {
                for message in &applied.publish {
                    hub.publish_message(message);
                }
                applied.written
            });
            // The caller may have gone (its connection closed): its write stands anyway.
            let _ = job.reply.send(answer);
        }
        tracing::debug!(
            target: "tidings::timing",
            writes = results_len,
            waited_us = waited.as_micros() as u64,
            applied_us = applied.as_micros() as u64,
            answered_us = started.elapsed().saturating_sub(applied).as_micros() as u64,
            "group"
        );
    }
    tx.close();
}

/// Whole-group attempts before falling back to a savepoint per write.
const RETRIES: usize = 3;

/// Applies and commits a group; one result per job, in order, and whether the disk
/// refused to store any of it (those writes are answered with `overloaded` and
/// [`STORAGE_FAILING`], see [`Error::is_storage_failure`]).
fn apply_group<T: Tx>(tx: &mut T, jobs: &[Job]) -> (Vec<Result<Applied>>, bool) {
    let mut tries = 0;
    let first = loop {
        match attempt(tx, jobs, false) {
            Ok(results) => return (results, false),
            Err(e) if tries + 1 < RETRIES && e.is_conflict() => tries += 1,
            Err(e) => break e,
        }
    };
    tracing::warn!(error = %first, writes = jobs.len(), "a write group failed; applying it again with a savepoint per write");
    match attempt(tx, jobs, true) {
        Ok(results) => {
            // Writes rolled back alone by their savepoints (their errors tell the client).
            let storage = results
                .iter()
                .any(|r| matches!(r, Err(e) if e.is_storage_failure()));
            (results, storage)
        }
        Err(e) => {
            tracing::error!(error = %e, writes = jobs.len(), "a write group could not commit");
            let storage = e.is_storage_failure();
            let results = jobs
                .iter()
                .map(|_| {
                    Err(if storage {
                        Error::client(ErrorCode::Overloaded, STORAGE_FAILING)
                    } else {
                        Error::internal(format!("the write was not stored: {e}"))
                    })
                })
                .collect();
            (results, storage)
        }
    }
}

/// One pass over the group in one transaction. Without savepoints, a database error in any
/// write aborts the pass (`Err`, rolled back); with them, it fails that write alone.
fn attempt<T: Tx>(tx: &mut T, jobs: &[Job], savepoints: bool) -> Result<Vec<Result<Applied>>> {
    let t0 = Instant::now();
    tx.begin()?;
    let t_begin = t0.elapsed();
    if !savepoints {
        let writes: Vec<_> = jobs.iter().map(|job| &job.write).collect();
        if let Err(e) = tx.prepare(&writes) {
            return abort(tx, e);
        }
    }
    let t_prepare = t0.elapsed();
    let shared = tx.shared();
    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        if savepoints {
            if let Err(e) = tx.savepoint() {
                return abort(tx, e);
            }
        }
        let mut result = ops::apply(tx, &job.write);
        if shared {
            if let Ok(applied) = &result {
                for note in notes_for(&job.write, applied) {
                    if let Err(e) = tx.notify(&note) {
                        result = Err(e);
                        break;
                    }
                }
            }
        }
        let broken = matches!(
            result,
            Err(Error::Database(_) | Error::Storage(_) | Error::Internal(_))
        );
        if savepoints {
            let undo = if broken {
                tx.rollback_to_savepoint()
            } else {
                Ok(())
            };
            if let Err(e) = undo.and_then(|()| tx.release_savepoint()) {
                return abort(tx, e);
            }
        } else if broken {
            let Err(e) = result else {
                unreachable!("broken means an error")
            };
            return abort(tx, e);
        }
        results.push(result);
    }
    let t_ops = t0.elapsed();
    let committed = tx.commit();
    let t_commit = t0.elapsed();
    tracing::debug!(
        target: "tidings::timing",
        begin_us = t_begin.as_micros() as u64,
        prepare_us = (t_prepare - t_begin).as_micros() as u64,
        ops_us = (t_ops - t_prepare).as_micros() as u64,
        commit_us = (t_commit - t_ops).as_micros() as u64,
        "attempt"
    );
    match committed {
        Ok(()) => Ok(results),
        Err(e) => abort(tx, e),
    }
}

/// Rolls the open transaction back (unless the database already has) and returns `e`.
fn abort<T: Tx, R>(tx: &mut T, e: Error) -> Result<R> {
    tx.rollback();
    Err(e)
}
