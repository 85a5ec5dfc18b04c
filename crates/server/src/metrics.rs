//! Hand-written Prometheus counters (connections, messages, errors, latencies), rendered
//! as the text exposition format on `/metrics`. Atomics keep the hot paths lock-free.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use tidings_protocol::ErrorCode;

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

/// A cumulative latency histogram.
#[derive(Default)]
pub struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            let n = bucket.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {n}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {count}");
    }
}

/// Every metric the server exports.
#[derive(Default)]
pub struct Metrics {
    pub connections_open: AtomicI64,
    pub connections_total: AtomicU64,
    pub messages_stored: AtomicU64,
    pub messages_duplicate: AtomicU64,
    pub frames_received: AtomicU64,
    pub slow_consumers_closed: AtomicU64,
    pub http_requests: AtomicU64,
    /// Transactions the writer committed (or tried to), and the writes they carried.
    pub write_groups: AtomicU64,
    pub write_group_items: AtomicU64,
    /// Writes refused because the writer's queue was full.
    pub writes_refused_overloaded: AtomicU64,
    pub message_store_latency: Histogram,
    pub write_group_latency: Histogram,
    pub http_latency: Histogram,
    errors: Mutex<Vec<(ErrorCode, u64)>>,
}

/// The process-wide metrics.
pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::default)
}

impl Metrics {
    pub fn record_error(&self, code: ErrorCode) {
        let mut errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        match errors.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => errors.push((code, 1)),
        }
    }

    /// The Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, kind: &str, help: &str, v: String| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}"
            );
        };
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed).to_string();
        let open = self.connections_open.load(Ordering::Relaxed).to_string();
        counter(
            &mut out,
            "tidings_connections_open",
            "gauge",
            "Open WebSocket connections.",
            open,
        );
        counter(
            &mut out,
            "tidings_connections_total",
            "counter",
            "WebSocket connections accepted.",
            load(&self.connections_total),
        );
        counter(
            &mut out,
            "tidings_messages_stored_total",
            "counter",
            "Messages committed.",
            load(&self.messages_stored),
        );
        counter(
            &mut out,
            "tidings_messages_duplicate_total",
            "counter",
            "Sends of an already stored message id (acked again, not stored).",
            load(&self.messages_duplicate),
        );
        counter(
            &mut out,
            "tidings_frames_received_total",
            "counter",
            "WebSocket frames received.",
            load(&self.frames_received),
        );
        counter(
            &mut out,
            "tidings_slow_consumers_closed_total",
            "counter",
            "Connections closed for not draining their queue.",
            load(&self.slow_consumers_closed),
        );
        counter(
            &mut out,
            "tidings_http_requests_total",
            "counter",
            "HTTP requests served.",
            load(&self.http_requests),
        );
        counter(
            &mut out,
            "tidings_write_groups_total",
            "counter",
            "Write transactions (one commit and one fsync each).",
            load(&self.write_groups),
        );
        counter(
            &mut out,
            "tidings_write_group_items_total",
            "counter",
            "Writes carried by those transactions (items / groups = average group size).",
            load(&self.write_group_items),
        );
        counter(
            &mut out,
            "tidings_writes_overloaded_total",
            "counter",
            "Writes refused with `overloaded` because the write queue was full.",
            load(&self.writes_refused_overloaded),
        );
        let _ = writeln!(out, "# HELP tidings_errors_total Errors reported to clients, by code.\n# TYPE tidings_errors_total counter");
        let errors = self
            .errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for (code, n) in errors {
            let code = serde_json::to_value(code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ = writeln!(out, "tidings_errors_total{{code=\"{code}\"}} {n}");
        }
        self.message_store_latency.render(
            &mut out,
            "tidings_message_store_seconds",
            "Time from receiving a send to its commit.",
        );
        self.write_group_latency.render(
            &mut out,
            "tidings_write_group_seconds",
            "Time to apply and commit one write group.",
        );
        self.http_latency.render(
            &mut out,
            "tidings_http_request_seconds",
            "HTTP request handling time.",
        );
        out
    }
}
