//! Each node's email sender: wakes when an email is enqueued here or every poll interval
//! (for rows enqueued by other nodes, postponed, or due for a retry), claims due rows one
//! at a time and sends them. A claim is exclusive (see [`super::outbox::claim`]), so nodes
//! share the work without sending anything twice.

use std::time::Duration;

use tidings_protocol::Millis;

use super::compose::{compose, Decision};
use super::outbox::{self, Entry};
use super::{EmailSettings, CLAIM_FOR, MAX_ATTEMPTS};
use crate::error::Result;
use crate::store::now_millis;
use crate::AppState;

/// Starts the sender if email is configured.
pub fn start(state: &AppState) {
    let Some(settings) = state.settings.email.clone() else {
        return;
    };
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = run_due(&state, &settings).await {
                tracing::warn!(error = %e, "sending due emails failed");
            }
            tokio::select! {
                _ = state.email_wake.notified() => {}
                _ = tokio::time::sleep(settings.poll_every) => {}
            }
            if state.pool.is_closed() {
                return;
            }
        }
    });
}

/// Claims and handles every row due now.
pub async fn run_due(state: &AppState, settings: &EmailSettings) -> Result<()> {
    let now = now_millis();
    for id in outbox::due(&state.pool, now, 50).await? {
        let until = now_millis() + CLAIM_FOR.as_millis() as Millis;
        let Some(entry) = outbox::claim(&state.pool, id, now_millis(), until).await? else {
            continue; // another node (or an earlier pass) has it
        };
        handle(state, settings, &entry).await?;
    }
    Ok(())
}

async fn handle(state: &AppState, settings: &EmailSettings, entry: &Entry) -> Result<()> {
    match compose(state, entry).await? {
        Decision::Skip(reason) => outbox::finish(&state.pool, entry.id, reason, None).await,
        Decision::Later(at) => outbox::retry_at(&state.pool, entry.id, at, None, true).await,
        Decision::Send(email) => match settings.smtp.send(&email).await {
            Ok(()) => {
                tracing::info!(kind = entry.kind.as_str(), to = %email.to, "email sent");
                outbox::finish(&state.pool, entry.id, "sent", None).await
            }
            Err(error) if entry.attempts >= MAX_ATTEMPTS => {
                tracing::warn!(%error, to = %email.to, "email given up");
                outbox::finish(&state.pool, entry.id, "failed", Some(&error)).await
            }
            Err(error) => {
                tracing::info!(%error, to = %email.to, attempt = entry.attempts, "email failed; will retry");
                let at = now_millis() + backoff(settings.retry_base, entry.attempts);
                outbox::retry_at(&state.pool, entry.id, at, Some(&error), false).await
            }
        },
    }
}

/// The wait after the `attempts`-th failure: the base, doubled per further failure, at most
/// an hour.
fn backoff(base: Duration, attempts: u64) -> Millis {
    let factor = 1u64 << attempts.saturating_sub(1).min(10);
    (base.as_millis() as u64)
        .saturating_mul(factor)
        .min(3_600_000) as Millis
}
