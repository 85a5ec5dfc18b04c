//! A diagnostic for latency work: with `RUST_LOG=tidings::timing=debug`, a task asks to be
//! woken every 5 ms and logs each time the runtime woke it more than 4 ms late, which shows
//! when the node's worker threads were stalled (blocking work on them, or the machine's
//! cores busy elsewhere). The writer's groups and the notes heard from other nodes log
//! their timings on the same target. Off (nothing spawned) unless that target is enabled.

use std::time::Duration;

use tokio::time::Instant;

/// How often the watching task asks to be woken, and how late counts as stalled.
const PERIOD: Duration = Duration::from_millis(5);
const LATE: Duration = Duration::from_millis(4);

/// Starts the watching task if `tidings::timing` is logged at debug level.
pub fn start() {
    if !tracing::enabled!(target: "tidings::timing", tracing::Level::DEBUG) {
        return;
    }
    tokio::spawn(async {
        loop {
            let due = Instant::now() + PERIOD;
            tokio::time::sleep_until(due).await;
            let late = Instant::now().saturating_duration_since(due);
            if late > LATE {
                tracing::debug!(target: "tidings::timing", late_us = late.as_micros() as u64, "runtime late");
            }
        }
    });
}
