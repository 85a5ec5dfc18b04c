//! The writer thread: takes whatever is queued (up to [`MAX_GROUP`]), applies it in one
//! transaction, commits once (one WAL fsync with `synchronous = FULL`), then fans the
//! committed messages out and answers each caller. While a group commits, new writes queue
//! up and form the next group, so the busier the server, the more each fsync carries.
//!
//! It is a plain thread, not a task: a group is SQLite work from start to commit with
//! nothing to wait for but the disk, and running it without yielding keeps each write
//! to a few microseconds (no hand-off between threads per statement, no waiting for a
//! busy runtime to poll it again).
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

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use rusqlite::Connection;
use tokio::sync::mpsc;

use super::ops::{self, Applied};
use super::sql::exec;
use super::Job;
use crate::error::{Error, Result};
use crate::hub::Hub;

/// Most writes in one transaction: bounds how long one commit holds the write lock and how
/// long the first write of a big group waits for the last.
pub const MAX_GROUP: usize = 512;

/// Runs until the queue is closed and drained.
/// `in_group` counts the writes taken and not yet committed (see `Writer::pending`).
pub fn run(
    conn: Connection,
    mut queue: mpsc::Receiver<Job>,
    hub: Arc<Hub>,
    in_group: &AtomicUsize,
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
        let results = apply_group(&conn, &jobs);
        let metrics = crate::metrics::global();
        metrics.write_groups.fetch_add(1, Ordering::Relaxed);
        metrics
            .write_group_items
            .fetch_add(jobs.len() as u64, Ordering::Relaxed);
        metrics.write_group_latency.observe(started.elapsed());
        // Reset before answering: whoever has an answer sees the group as done.
        in_group.store(0, Ordering::Release);
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
    }
    if let Err((_, e)) = conn.close() {
        tracing::warn!(error = %e, "closing the writer's connection failed");
    }
}

/// Applies and commits a group; one result per job, in order.
fn apply_group(conn: &Connection, jobs: &[Job]) -> Vec<Result<Applied>> {
    match attempt(conn, jobs, false) {
        Ok(results) => results,
        Err(first) => {
            tracing::warn!(error = %first, writes = jobs.len(), "a write group failed; applying it again with a savepoint per write");
            match attempt(conn, jobs, true) {
                Ok(results) => results,
                Err(e) => {
                    tracing::error!(error = %e, writes = jobs.len(), "a write group could not commit");
                    jobs.iter()
                        .map(|_| Err(Error::internal(format!("the write was not stored: {e}"))))
                        .collect()
                }
            }
        }
    }
}

/// One pass over the group in one transaction. Without savepoints, a database error in any
/// write aborts the pass (`Err`, rolled back); with them, it fails that write alone.
fn attempt(conn: &Connection, jobs: &[Job], savepoints: bool) -> Result<Vec<Result<Applied>>> {
    // IMMEDIATE: take the write lock now (waiting for it up to the busy timeout while a
    // rare write outside the writer holds it) rather than fail when upgrading later.
    exec(conn, "BEGIN IMMEDIATE")?;
    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        if savepoints {
            if let Err(e) = exec(conn, "SAVEPOINT write") {
                return abort(conn, e);
            }
        }
        let result = ops::apply(conn, &job.write);
        let broken = matches!(
            result,
            Err(Error::Database(_) | Error::Storage(_) | Error::Internal(_))
        );
        if savepoints {
            let undo = if broken {
                exec(conn, "ROLLBACK TO write")
            } else {
                Ok(())
            };
            if let Err(e) = undo.and_then(|()| exec(conn, "RELEASE write")) {
                return abort(conn, e);
            }
        } else if broken {
            let Err(e) = result else {
                unreachable!("broken means an error")
            };
            return abort(conn, e);
        }
        results.push(result);
    }
    match exec(conn, "COMMIT") {
        Ok(()) => Ok(results),
        Err(e) => abort(conn, e),
    }
}

/// Rolls the open transaction back (unless SQLite already has) and returns `e`.
fn abort<T>(conn: &Connection, e: Error) -> Result<T> {
    if !conn.is_autocommit() {
        let _ = exec(conn, "ROLLBACK");
    }
    Err(e)
}
