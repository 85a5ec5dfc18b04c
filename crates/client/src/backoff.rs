//! Reconnect delays: exponential from 0.5 s, capped at 10 s, with jitter (SPEC 4.6).
//!
//! Jitter spreads thousands of widgets that lost the same server over time instead of
//! having them all knock at once when it comes back. The random number is passed in so
//! the schedule is testable; the browser glue feeds `Math.random()`.

/// First delay after a failure, in milliseconds.
pub const BASE_MS: u64 = 500;
/// Longest delay between attempts, in milliseconds.
pub const CAP_MS: u64 = 10_000;

/// The reconnect schedule of one connection.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    pub fn new() -> Self {
        Self::default()
    }

    /// The un-jittered delay before the next attempt: 0.5 s, 1 s, 2 s, … up to 10 s.
    pub fn ceiling_ms(&self) -> u64 {
        let exp = self.failures.min(16);
        (BASE_MS << exp).min(CAP_MS)
    }

    /// Records a failed attempt (or a lost connection) and returns how long to wait
    /// before the next one. `random` is uniform in `[0, 1)`; the delay is drawn from the
    /// upper half of the ceiling ("equal jitter"), so it never collapses to zero.
    pub fn next_delay_ms(&mut self, random: f64) -> u64 {
        let ceiling = self.ceiling_ms();
        self.failures = self.failures.saturating_add(1);
        let half = ceiling / 2;
        half + (random.clamp(0.0, 1.0) * half as f64) as u64
    }

    /// Consecutive failures since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// A connection succeeded: the next failure starts from 0.5 s again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_half_a_second_and_caps_at_ten() {
        let mut b = Backoff::new();
        let ceilings: Vec<u64> = (0..8)
            .map(|_| {
                let c = b.ceiling_ms();
                b.next_delay_ms(0.0);
                c
            })
            .collect();
        assert_eq!(
            ceilings,
            [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]
        );
    }

    #[test]
    fn jitter_stays_within_the_upper_half_of_the_ceiling() {
        for random in [0.0, 0.25, 0.5, 0.999, 1.0, -3.0, 7.0] {
            let mut b = Backoff::new();
            for _ in 0..4 {
                b.next_delay_ms(0.0);
            }
            let delay = b.next_delay_ms(random);
            assert!((4000..=8000).contains(&delay), "{random} gave {delay}");
        }
    }

    #[test]
    fn reset_starts_over_and_many_failures_do_not_overflow() {
        let mut b = Backoff::new();
        for _ in 0..1000 {
            b.next_delay_ms(0.5);
        }
        assert_eq!(b.ceiling_ms(), CAP_MS);
        b.reset();
        assert_eq!(b.failures(), 0);
        assert_eq!(b.next_delay_ms(1.0), 500);
    }
}
