//! Counters of mirror fetches, read by the server's metrics endpoint.

use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds (seconds) of the origin-latency histogram buckets.
pub const LATENCY_BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// Outcomes a fetch can end with.
pub const OUTCOMES: [&str; 9] = [
    "stored",
    "proxied",
    "not-found",
    "redirect",
    "transparent",
    "failed",
    "present",
    "too-large",
    "abandoned",
];

/// Fetch counts by outcome and the time to the origin's response head.
#[derive(Default)]
pub struct MirrorStats {
    outcomes: [AtomicU64; OUTCOMES.len()],
    latency_buckets: [AtomicU64; 10],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    bytes: AtomicU64,
}

/// A snapshot of [`MirrorStats`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatsSnapshot {
    /// `(outcome, count)` for every outcome in [`OUTCOMES`].
    pub outcomes: Vec<(&'static str, u64)>,
    /// Cumulative counts per [`LATENCY_BUCKETS`] bound.
    pub latency_buckets: Vec<(f64, u64)>,
    /// Number of latency observations.
    pub latency_count: u64,
    /// Sum of latencies, seconds.
    pub latency_sum: f64,
    /// Body bytes received from origins.
    pub bytes: u64,
}

impl MirrorStats {
    /// Records how a fetch ended.
    pub(crate) fn outcome(&self, outcome: &str, bytes: u64) {
        if let Some(i) = OUTCOMES.iter().position(|o| *o == outcome) {
            self.outcomes[i].fetch_add(1, Ordering::Relaxed);
        }
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Records the time until the origin's response head.
    pub(crate) fn origin_latency(&self, secs: f64) {
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            if secs <= *bound {
                self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros
            .fetch_add((secs * 1e6) as u64, Ordering::Relaxed);
    }

    /// The current values.
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            outcomes: OUTCOMES
                .iter()
                .zip(&self.outcomes)
                .map(|(o, c)| (*o, c.load(Ordering::Relaxed)))
                .collect(),
            latency_buckets: LATENCY_BUCKETS
                .iter()
                .zip(&self.latency_buckets)
                .map(|(b, c)| (*b, c.load(Ordering::Relaxed)))
                .collect(),
            latency_count: self.latency_count.load(Ordering::Relaxed),
            latency_sum: self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6,
            bytes: self.bytes.load(Ordering::Relaxed),
        }
    }
}
