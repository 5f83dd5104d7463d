//! Runs one cell (workload × size × concurrency) on one target.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::metrics::{CellProbe, ServerUsage};
use crate::stats::{Percentiles, Tally};
use crate::target::Target;
use crate::workload::{Outcome, StopRule, Workload};

/// The measurements of one cell on one target.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CellResult {
    /// Workload name.
    pub workload: String,
    /// Object size in bytes (0 for size-less workloads).
    pub size: u64,
    /// Concurrent workers.
    pub concurrency: usize,
    /// Target label.
    pub target: String,
    /// Successful operations.
    pub ops: u64,
    /// Failed operations (never counted in `ops`).
    pub errors: u64,
    /// The first distinct error messages.
    pub error_samples: Vec<String>,
    /// Payload bytes moved by successful operations.
    pub bytes: u64,
    /// Measured wall time, seconds.
    pub elapsed_s: f64,
    /// Successful operations per second.
    pub ops_per_s: f64,
    /// Payload MiB per second.
    pub mib_per_s: f64,
    /// Latency of successful operations.
    pub latency: Option<Percentiles>,
    /// Time to the response head, for workloads that report it (GET).
    pub ttfb: Option<Percentiles>,
    /// Server CPU seconds (user + system) per 1,000 successful operations.
    pub server_cpu_s_per_1k_ops: Option<f64>,
    /// Server CPU seconds in the cell.
    pub server_cpu_s: Option<f64>,
    /// Peak resident memory of the server during the cell (100 ms samples), MiB.
    pub server_peak_rss_mib: Option<f64>,
    /// Server `VmHWM` (lifetime peak) at the end of the cell, MiB.
    pub server_hwm_mib: Option<f64>,
    /// Server resident memory when the cell started, MiB (left by earlier cells).
    pub server_start_rss_mib: Option<f64>,
    /// The workload ran out of work before the stop rule (e.g. no keys left to delete).
    pub ended_early: bool,
    /// Why the cell's numbers are not valid (preparation or post-cell validation failed).
    pub invalid: Option<String>,
}

/// Runs `workload` on `target`: prepare, measure, validate, clean up.
pub async fn run_cell(
    target: &Target,
    workload: Arc<dyn Workload>,
    id: (&str, u64, usize),
    stop: StopRule,
    op_timeout: Duration,
    clk_tck: u64,
) -> anyhow::Result<CellResult> {
    let (name, size, concurrency) = id;
    let cx = target.cx.clone();
    if let Err(e) = workload.prepare(&cx).await {
        return Ok(CellResult::failed(
            target,
            id,
            format!("preparation failed: {e:#}"),
        ));
    }

    let seq = Arc::new(AtomicU64::new(0));
    let probe = target.pid.map(CellProbe::start);
    let started = Instant::now();
    let deadline = match stop {
        StopRule::Duration(d) => Some(started + d),
        StopRule::Requests(_) => None,
    };
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (cx, workload, seq) = (cx.clone(), workload.clone(), seq.clone());
        workers.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut exhausted = false;
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let n = seq.fetch_add(1, Ordering::Relaxed);
                if let StopRule::Requests(max) = stop
                    && n >= max
                {
                    break;
                }
                let t0 = Instant::now();
                match tokio::time::timeout(op_timeout, workload.op(&cx, n)).await {
                    Ok(Outcome::Ok { bytes, ttfb }) => tally.ok(t0.elapsed(), bytes, ttfb),
                    Ok(Outcome::Err(e)) => tally.error(e),
                    Ok(Outcome::Exhausted) => {
                        exhausted = true;
                        break;
                    }
                    Err(_) => tally.error(format!("operation timed out after {op_timeout:?}")),
                }
            }
            (tally, exhausted)
        }));
    }
    let mut total = Tally::default();
    let mut ended_early = false;
    for w in workers {
        let (t, exhausted) = w.await.context("a worker panicked")?;
        total.merge(t);
        ended_early |= exhausted;
    }
    let elapsed = started.elapsed();
    let usage: Option<ServerUsage> = probe.map(|p| p.finish(clk_tck));

    let invalid = workload
        .validate(&cx)
        .await
        .err()
        .map(|e| format!("validation failed: {e:#}"));
    if let Err(e) = workload.cleanup(&cx).await {
        eprintln!("warning: {}: cleaning up after {name}: {e:#}", target.name);
    }

    let ops = total.ops();
    let secs = elapsed.as_secs_f64().max(1e-9);
    Ok(CellResult {
        workload: name.to_owned(),
        size,
        concurrency,
        target: target.name.clone(),
        ops,
        errors: total.errors,
        error_samples: total.error_samples.clone(),
        bytes: total.bytes,
        elapsed_s: secs,
        ops_per_s: ops as f64 / secs,
        mib_per_s: total.bytes as f64 / secs / (1024.0 * 1024.0),
        latency: Percentiles::of(&mut total.latencies_ns),
        ttfb: Percentiles::of(&mut total.ttfb_ns),
        server_cpu_s_per_1k_ops: usage
            .filter(|_| ops > 0)
            .map(|u| u.cpu_seconds * 1000.0 / ops as f64),
        server_cpu_s: usage.map(|u| u.cpu_seconds),
        server_peak_rss_mib: usage.map(|u| u.peak_rss_mib),
        server_hwm_mib: usage.map(|u| u.hwm_mib),
        server_start_rss_mib: usage.map(|u| u.start_rss_mib),
        ended_early,
        invalid,
    })
}

impl CellResult {
    /// A cell that could not run.
    fn failed(target: &Target, (name, size, concurrency): (&str, u64, usize), why: String) -> Self {
        Self {
            workload: name.to_owned(),
            size,
            concurrency,
            target: target.name.clone(),
            ops: 0,
            errors: 0,
            error_samples: Vec::new(),
            bytes: 0,
            elapsed_s: 0.0,
            ops_per_s: 0.0,
            mib_per_s: 0.0,
            latency: None,
            ttfb: None,
            server_cpu_s_per_1k_ops: None,
            server_cpu_s: None,
            server_peak_rss_mib: None,
            server_hwm_mib: None,
            server_start_rss_mib: None,
            ended_early: false,
            invalid: Some(why),
        }
    }

    /// Whether the numbers can be compared: it ran, validated and had no errors.
    pub fn is_clean(&self) -> bool {
        self.invalid.is_none() && self.errors == 0 && self.ops > 0
    }
}
