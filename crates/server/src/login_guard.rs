//! What a login may cost: argon2 checks run on blocking threads, at most one per core at a
//! time (each takes about 19 MiB and tens of milliseconds of one core), with a bounded
//! number of logins waiting for one; and each account backs off after failed logins.
//!
//! A flood of logins therefore cannot take every core from the sockets, nor grow memory
//! with hashes in progress: past the waiting room, logins are refused with `overloaded`
//! (503, `Retry-After`) without hashing anything. Per-address limits (`ip_limit.rs`) slow a
//! single client down; the per-account backoff slows guessing one account's password from
//! many addresses: after [`FREE_FAILURES`] failures in a row, each further failure closes
//! the account to logins for twice as long as the one before (1 s, 2 s, 4 s, …, at most
//! [`MAX_BACKOFF`]), during which its logins are refused with `rate_limited` (429,
//! `Retry-After`) before any hashing, right password or not. Attempts in progress count
//! too, so a burst of concurrent guesses gets no more tries than a sequence would. A
//! successful login clears the account's record; a record is forgotten [`FORGET_AFTER`]
//! after its last failure.
//!
//! The records are in memory, per node: on several nodes each node counts its own
//! failures, so a guesser spreading attempts over N nodes gets up to N times the tries,
//! and a restart forgets them. Emails are keyed as typed (lowercased), known or not, so
//! the answers reveal nothing about which accounts exist. The price of a backoff is that
//! someone who fails on purpose can keep an agent out for a while (at most
//! [`MAX_BACKOFF`] per failure they are allowed); per-address limits bound how often one
//! address can do that.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tidings_protocol::ErrorCode;
use tokio::sync::Semaphore;

use crate::auth;
use crate::error::Error;

/// Failed logins in a row an account may have before it backs off.
pub const FREE_FAILURES: u32 = 5;
/// The first backoff; each further failure doubles it.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The longest backoff.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// An account's record of failures is forgotten this long after its last failure.
pub const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Logins that may wait for a hashing slot, per slot.
const WAITING_PER_SLOT: usize = 16;
/// Records kept before old ones are pruned; past twice that, new emails are not tracked
/// (their logins are still bounded by the hashing slots and per-address limits).
const PRUNE_ABOVE: usize = 10_000;

/// Why a login was refused before its password was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The account is backing off: try again after this long.
    Backoff(Duration),
    /// Every hashing slot is busy and the waiting room is full.
    Busy,
}

impl Refusal {
    /// How long the client should wait (`Retry-After`).
    pub fn retry_after(&self) -> Duration {
        match self {
            Refusal::Backoff(wait) => *wait,
            Refusal::Busy => Duration::from_secs(1),
        }
    }

    /// The error the client is told.
    pub fn error(&self) -> Error {
        let seconds = self.retry_after().as_secs_f64().ceil().max(1.0) as u64;
        match self {
            Refusal::Backoff(_) => Error::client(
                ErrorCode::RateLimited,
                format!("too many failed logins for this account; try again in {seconds} s"),
            ),
            Refusal::Busy => Error::client(
                ErrorCode::Overloaded,
                "the server is busy with other logins; try again in a moment",
            ),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Account {
    failures: u32,
    in_flight: u32,
    blocked_until: Option<Instant>,
    last_failure: Instant,
}

/// One node's password checks and per-account failure records.
#[derive(Debug)]
pub struct LoginGuard {
    slots: Arc<Semaphore>,
    slot_count: usize,
    waiting: AtomicUsize,
    accounts: Mutex<HashMap<String, Account>>,
}

impl Default for LoginGuard {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        LoginGuard::new(cores)
    }
}

/// A login under way for one account; say how it ended with [`Attempt::finish`]. Dropped
/// unfinished (the client went away), it counts as neither success nor failure.
#[derive(Debug)]
pub struct Attempt<'a> {
    guard: &'a LoginGuard,
    key: Option<String>,
}

impl LoginGuard {
    /// At most `slots` password checks at once.
    pub fn new(slots: usize) -> Self {
        let slots = slots.max(1);
        LoginGuard {
            slots: Arc::new(Semaphore::new(slots)),
            slot_count: slots,
            waiting: AtomicUsize::new(0),
            accounts: Mutex::new(HashMap::new()),
        }
    }

    fn accounts(&self) -> std::sync::MutexGuard<'_, HashMap<String, Account>> {
        self.accounts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Admits a login for `email`, or refuses it while the account backs off (or has as
    /// many attempts in progress as it has failures left).
    pub fn begin(&self, email: &str) -> Result<Attempt<'_>, Refusal> {
        self.begin_at(email, Instant::now())
    }

    /// [`LoginGuard::begin`] at a given instant (tests drive time by hand).
    pub fn begin_at(&self, email: &str, now: Instant) -> Result<Attempt<'_>, Refusal> {
        let key = email.trim().to_lowercase();
        let mut accounts = self.accounts();
        if accounts.len() >= PRUNE_ABOVE {
            accounts.retain(|_, a| {
                a.in_flight > 0
                    || a.blocked_until.is_some_and(|t| t > now)
                    || now.saturating_duration_since(a.last_failure) < FORGET_AFTER
            });
        }
        if !accounts.contains_key(&key) && accounts.len() >= 2 * PRUNE_ABOVE {
            return Ok(Attempt {
                guard: self,
                key: None,
            });
        }
        let account = accounts.entry(key.clone()).or_insert(Account {
            failures: 0,
            in_flight: 0,
            blocked_until: None,
            last_failure: now,
        });
        if account.in_flight == 0
            && now.saturating_duration_since(account.last_failure) >= FORGET_AFTER
        {
            account.failures = 0;
            account.blocked_until = None;
        }
        if let Some(until) = account.blocked_until.filter(|t| *t > now) {
            return Err(Refusal::Backoff(until - now));
        }
        let allowed = FREE_FAILURES.saturating_sub(account.failures).max(1);
        if account.in_flight >= allowed {
            return Err(Refusal::Backoff(FIRST_BACKOFF));
        }
        account.in_flight += 1;
        Ok(Attempt {
            guard: self,
            key: Some(key),
        })
    }

    /// Checks a password against a stored hash (`None`: against [`auth::decoy_hash`], for
    /// an unknown email) on a blocking thread, waiting for one of the hashing slots;
    /// refused at once when too many logins already wait.
    pub async fn verify(
        &self,
        password: String,
        stored_hash: Option<String>,
    ) -> Result<bool, Refusal> {
        let waiting = self.waiting.fetch_add(1, Ordering::AcqRel);
        if waiting >= self.slot_count * WAITING_PER_SLOT {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(Refusal::Busy);
        }
        let permit = self.slots.clone().acquire_owned().await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        let Ok(permit) = permit else {
            return Err(Refusal::Busy);
        };
        // The permit moves into the blocking task: if this request is dropped meanwhile,
        // the slot stays taken until the hash is done, so slots bound the hashing itself.
        let checked = tokio::task::spawn_blocking(move || {
            let ok = match &stored_hash {
                Some(hash) => auth::verify_password(&password, hash),
                None => {
                    let _ = auth::verify_password(&password, auth::decoy_hash());
                    false
                }
            };
            drop(permit);
            ok
        })
        .await;
        Ok(checked.unwrap_or(false))
    }

    /// Password checks running or waiting now (for tests and metrics).
    pub fn hashing(&self) -> usize {
        self.slot_count - self.slots.available_permits()
    }

    fn end(&self, key: &str, success: Option<bool>, now: Instant) {
        let mut accounts = self.accounts();
        let Some(account) = accounts.get_mut(key) else {
            return;
        };
        account.in_flight = account.in_flight.saturating_sub(1);
        match success {
            Some(true) if account.in_flight == 0 => {
                accounts.remove(key);
            }
            Some(true) => {
                account.failures = 0;
                account.blocked_until = None;
            }
            Some(false) => {
                account.failures = account.failures.saturating_add(1);
                account.last_failure = now;
                if account.failures >= FREE_FAILURES {
                    let doublings = (account.failures - FREE_FAILURES).min(16);
                    let wait = (FIRST_BACKOFF * 2u32.pow(doublings)).min(MAX_BACKOFF);
                    account.blocked_until = Some(now + wait);
                }
            }
            None => {}
        }
    }
}

impl Attempt<'_> {
    /// Records how the login ended.
    pub fn finish(self, success: bool) {
        self.finish_at(success, Instant::now());
    }

    /// [`Attempt::finish`] at a given instant.
    pub fn finish_at(mut self, success: bool, now: Instant) {
        if let Some(key) = self.key.take() {
            self.guard.end(&key, Some(success), now);
        }
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.guard.end(&key, None, Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_past_the_free_ones_back_off_doubling_and_success_clears() {
        let guard = LoginGuard::new(2);
        let t0 = Instant::now();
        for _ in 0..FREE_FAILURES {
            guard
                .begin_at("Ada@example.test", t0)
                .unwrap()
                .finish_at(false, t0);
        }
        assert_eq!(
            guard.begin_at("ada@example.test", t0).unwrap_err(),
            Refusal::Backoff(FIRST_BACKOFF)
        );
        // Another account is untouched.
        guard
            .begin_at("bob@example.test", t0)
            .unwrap()
            .finish_at(true, t0);
        let t1 = t0 + FIRST_BACKOFF;
        guard
            .begin_at("ada@example.test", t1)
            .unwrap()
            .finish_at(false, t1);
        assert_eq!(
            guard.begin_at("ada@example.test", t1).unwrap_err(),
            Refusal::Backoff(2 * FIRST_BACKOFF)
        );
        let t2 = t1 + 2 * FIRST_BACKOFF;
        guard
            .begin_at("ada@example.test", t2)
            .unwrap()
            .finish_at(true, t2);
        guard
            .begin_at("ada@example.test", t2)
            .unwrap()
            .finish_at(false, t2);
        assert!(guard.begin_at("ada@example.test", t2).is_ok());
    }

    #[test]
    fn concurrent_attempts_get_no_more_tries_than_the_free_failures() {
        let guard = LoginGuard::new(2);
        let t0 = Instant::now();
        let attempts: Vec<_> = (0..FREE_FAILURES)
            .map(|_| guard.begin_at("ada@example.test", t0).unwrap())
            .collect();
        assert!(guard.begin_at("ada@example.test", t0).is_err());
        // An abandoned attempt gives its place back without counting as a failure.
        drop(attempts);
        assert!(guard.begin_at("ada@example.test", t0).is_ok());
    }

    #[test]
    fn backoff_is_capped_and_forgotten() {
        let guard = LoginGuard::new(1);
        let mut now = Instant::now();
        for _ in 0..40 {
            if let Ok(attempt) = guard.begin_at("x@example.test", now) {
                attempt.finish_at(false, now);
            }
            now += MAX_BACKOFF;
        }
        match guard.begin_at("x@example.test", now - MAX_BACKOFF) {
            Err(Refusal::Backoff(wait)) => assert!(wait <= MAX_BACKOFF),
            other => panic!("{other:?}"),
        }
        let later = now + FORGET_AFTER;
        guard
            .begin_at("x@example.test", later)
            .unwrap()
            .finish_at(false, later);
        assert!(guard.begin_at("x@example.test", later).is_ok());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn password_checks_run_at_most_one_per_slot() {
        let guard = Arc::new(LoginGuard::new(2));
        let hash = auth::hash_password("right password").unwrap();
        let peak = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (guard, hash, peak) = (guard.clone(), hash.clone(), peak.clone());
            tasks.push(tokio::spawn(async move {
                let check = guard.verify("wrong".into(), Some(hash));
                tokio::pin!(check);
                loop {
                    tokio::select! {
                        ok = &mut check => return ok,
                        _ = tokio::time::sleep(Duration::from_millis(1)) => {
                            peak.fetch_max(guard.hashing(), Ordering::Relaxed);
                        }
                    }
                }
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), Ok(false));
        }
        assert!(peak.load(Ordering::Relaxed) <= 2);
        assert_eq!(guard.hashing(), 0);
    }
}
