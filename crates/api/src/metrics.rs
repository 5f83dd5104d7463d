//! Request metrics, rendered in the Prometheus text format for `/_ossemu/metrics`
//! ([`crate::handlers::internal`]).

use crate::budget::Budget;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds (seconds) of the request latency histogram.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; 12],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.counts[i] += 1;
            }
        }
        self.count += 1;
        self.sum += secs;
    }
}

/// Counters kept by the server.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, &'static str, u16), u64>>,
    latency: Mutex<BTreeMap<&'static str, Histogram>>,
    redirects: Mutex<BTreeMap<(String, String), u64>>,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
}

impl Metrics {
    /// Records a finished request head: operation, dialect, status and time to the head.
    pub fn request(&self, op: &'static str, dialect: &'static str, status: u16, secs: f64) {
        *self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((op, dialect, status))
            .or_default() += 1;
        self.latency
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(op)
            .or_default()
            .observe(secs);
    }

    /// Records a 3xx produced by a routing rule.
    pub fn redirect(&self, bucket: &str, rule: &str) {
        *self
            .redirects
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((bucket.to_string(), rule.to_string()))
            .or_default() += 1;
    }

    /// Adds request body bytes received.
    pub fn bytes_in(&self, n: u64) {
        self.bytes_in.fetch_add(n, Ordering::Relaxed);
    }

    /// Adds response body bytes sent.
    pub fn bytes_out(&self, n: u64) {
        self.bytes_out.fetch_add(n, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self, mirror: &ossemu_mirror::Mirror, buffers: &Budget) -> String {
        let mut out = String::with_capacity(4096);
        self.render_requests(&mut out);
        self.render_bytes_and_redirects(&mut out);
        render_mirror(&mut out, mirror);
        for (name, help, n) in [
            (
                "ossemu_buffered_request_bytes",
                "Request bytes held in memory now (upload buffers, form fields, XML bodies).",
                buffers.used(),
            ),
            (
                "ossemu_buffer_budget_bytes",
                "The most request bytes all requests together may hold in memory.",
                buffers.limit(),
            ),
        ] {
            family(&mut out, name, "gauge", help);
            let _ = writeln!(out, "{name} {n}");
        }
        out
    }

    fn render_requests(&self, out: &mut String) {
        family(
            out,
            "ossemu_requests_total",
            "counter",
            "Requests by operation, dialect and status.",
        );
        for ((op, dialect, status), n) in lock(&self.requests).iter() {
            let _ = writeln!(
                out,
                "ossemu_requests_total{{operation=\"{op}\",dialect=\"{dialect}\",status=\"{status}\"}} {n}"
            );
        }
        family(
            out,
            "ossemu_request_duration_seconds",
            "histogram",
            "Time from request to response head, by operation.",
        );
        for (op, h) in lock(&self.latency).iter() {
            let name = "ossemu_request_duration_seconds";
            for (b, c) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(out, "{name}_bucket{{operation=\"{op}\",le=\"{b}\"}} {c}");
            }
            let _ = writeln!(
                out,
                "{name}_bucket{{operation=\"{op}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "{name}_sum{{operation=\"{op}\"}} {}", h.sum);
            let _ = writeln!(out, "{name}_count{{operation=\"{op}\"}} {}", h.count);
        }
    }

    fn render_bytes_and_redirects(&self, out: &mut String) {
        let bytes = [
            (
                "ossemu_received_bytes_total",
                "Request body bytes received.",
                &self.bytes_in,
            ),
            (
                "ossemu_sent_bytes_total",
                "Response body bytes sent.",
                &self.bytes_out,
            ),
        ];
        for (name, help, n) in bytes {
            family(out, name, "counter", help);
            let _ = writeln!(out, "{name} {}", n.load(Ordering::Relaxed));
        }
        family(
            out,
            "ossemu_redirects_total",
            "counter",
            "3xx answers produced by routing rules, by bucket and RuleNumber.",
        );
        for ((bucket, rule), n) in lock(&self.redirects).iter() {
            let _ = writeln!(
                out,
                "ossemu_redirects_total{{bucket=\"{bucket}\",rule=\"{rule}\"}} {n}"
            );
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The `# HELP` and `# TYPE` lines of a metric family.
fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn render_mirror(out: &mut String, mirror: &ossemu_mirror::Mirror) {
    let m = mirror.stats().snapshot();
    family(
        out,
        "ossemu_mirror_fetches_total",
        "counter",
        "Origin fetches by outcome.",
    );
    for (outcome, n) in &m.outcomes {
        let _ = writeln!(
            out,
            "ossemu_mirror_fetches_total{{outcome=\"{outcome}\"}} {n}"
        );
    }
    let name = "ossemu_mirror_origin_seconds";
    family(
        out,
        name,
        "histogram",
        "Time until the origin's response head.",
    );
    for (b, c) in &m.latency_buckets {
        let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {c}");
    }
    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", m.latency_count);
    let _ = writeln!(out, "{name}_sum {}", m.latency_sum);
    let _ = writeln!(out, "{name}_count {}", m.latency_count);
    family(
        out,
        "ossemu_mirror_received_bytes_total",
        "counter",
        "Body bytes received from origins.",
    );
    let _ = writeln!(out, "ossemu_mirror_received_bytes_total {}", m.bytes);
    family(
        out,
        "ossemu_mirror_in_flight",
        "gauge",
        "Origin fetches running now.",
    );
    let _ = writeln!(out, "ossemu_mirror_in_flight {}", mirror.in_flight());
}
