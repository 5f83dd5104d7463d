//! Per-worker tallies of one cell, merged at its end.

use std::time::Duration;

/// How many distinct error messages a cell keeps (all errors are counted).
pub const MAX_ERROR_SAMPLES: usize = 5;

/// What one worker (or a whole cell, after [`Tally::merge`]) observed.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    /// Latency of every successful operation, nanoseconds.
    pub latencies_ns: Vec<u64>,
    /// Time to the response head of successful operations that report it, nanoseconds.
    pub ttfb_ns: Vec<u64>,
    /// Payload bytes moved by successful operations (sent or received).
    pub bytes: u64,
    /// Failed operations: transport errors, unexpected status codes, short bodies, timeouts.
    pub errors: u64,
    /// The first distinct error messages.
    pub error_samples: Vec<String>,
}

impl Tally {
    /// Records a success.
    pub fn ok(&mut self, latency: Duration, bytes: u64, ttfb: Option<Duration>) {
        self.latencies_ns.push(duration_ns(latency));
        if let Some(t) = ttfb {
            self.ttfb_ns.push(duration_ns(t));
        }
        self.bytes += bytes;
    }

    /// Records a failure.
    pub fn error(&mut self, message: String) {
        self.errors += 1;
        if self.error_samples.len() < MAX_ERROR_SAMPLES && !self.error_samples.contains(&message) {
            self.error_samples.push(message);
        }
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: Tally) {
        self.latencies_ns.extend(other.latencies_ns);
        self.ttfb_ns.extend(other.ttfb_ns);
        self.bytes += other.bytes;
        self.errors += other.errors;
        for m in other.error_samples {
            if self.error_samples.len() < MAX_ERROR_SAMPLES && !self.error_samples.contains(&m) {
                self.error_samples.push(m);
            }
        }
    }

    /// Successful operations.
    pub fn ops(&self) -> u64 {
        self.latencies_ns.len() as u64
    }
}

fn duration_ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
    /// Arithmetic mean.
    pub mean_ms: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles of `samples` (sorted in place); `None` when empty.
    pub fn of(samples: &mut [u64]) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        samples.sort_unstable();
        let at = |q: f64| {
            let rank = (q * samples.len() as f64).ceil() as usize;
            samples[rank.clamp(1, samples.len()) - 1] as f64 / 1e6
        };
        let sum: u128 = samples.iter().map(|&x| u128::from(x)).sum();
        Some(Self {
            p50_ms: at(0.50),
            p90_ms: at(0.90),
            p99_ms: at(0.99),
            max_ms: at(1.0),
            mean_ms: sum as f64 / samples.len() as f64 / 1e6,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let mut v: Vec<u64> = (1..=100).rev().map(|x| x * 1_000_000).collect();
        let p = Percentiles::of(&mut v).unwrap();
        assert_eq!(p.p50_ms, 50.0);
        assert_eq!(p.p90_ms, 90.0);
        assert_eq!(p.p99_ms, 99.0);
        assert_eq!(p.max_ms, 100.0);
        assert_eq!(p.mean_ms, 50.5);
        assert!(Percentiles::of(&mut []).is_none());
        let mut one = [3_000_000];
        assert_eq!(Percentiles::of(&mut one).unwrap().p99_ms, 3.0);
    }

    #[test]
    fn merge_keeps_distinct_samples() {
        let mut a = Tally::default();
        a.ok(Duration::from_millis(1), 10, None);
        a.error("x".into());
        let mut b = Tally::default();
        b.error("x".into());
        b.error("y".into());
        b.ok(Duration::from_millis(2), 5, Some(Duration::from_millis(1)));
        a.merge(b);
        assert_eq!((a.ops(), a.bytes, a.errors), (2, 15, 3));
        assert_eq!(a.error_samples, vec!["x".to_string(), "y".to_string()]);
        assert_eq!(a.ttfb_ns.len(), 1);
    }
}
