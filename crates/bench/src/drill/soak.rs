//! The soak drill: the `mixed` workload (45% GET, 30% HEAD, 15% PUT, 10% DELETE, every
//! status exact) for a long time with many clients, watching the server's memory.
//!
//! Passes when no operation failed and the server's resident memory at the end is at most
//! `--rss-tolerance` percent above its resident memory after the warm-up (the first minute).
//! Each of the two RSS figures is the median of the 1-second samples of the 10 seconds before
//! its mark, so a single allocation spike does not decide. Only growth fails the drill: a
//! smaller RSS at the end is not a leak.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use clap::Args;

use super::{Common, Node, count_files, dir_bytes, keep_on_failure, s3};
use crate::body::Payloads;
use crate::cli::{parse_duration, parse_size};
use crate::metrics::{process_tree, status_kib};
use crate::stats::{Percentiles, Tally};
use crate::workload::{Ctx, Outcome, Setup, StopRule};

/// The bucket the drill uses.
const BUCKET: &str = "soak-drill";
/// A slower operation counts as an error.
const OP_LIMIT: Duration = Duration::from_secs(60);
/// Width of the window an RSS figure is the median of.
const RSS_WINDOW: Duration = Duration::from_secs(10);

/// `drill soak` options.
#[derive(Debug, Args)]
pub struct SoakArgs {
    /// Common drill options.
    #[command(flatten)]
    pub common: Common,

    /// How long the workload runs.
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub duration: Duration,

    /// When the reference RSS is taken ("after the first minute").
    #[arg(long, default_value = "1m", value_parser = parse_duration)]
    pub warmup: Duration,

    /// Smoke mode: `--duration 1m --warmup 20s` (whatever those say).
    #[arg(long)]
    pub short: bool,

    /// Concurrent clients.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub clients: u32,

    /// Object size of the mixed workload.
    #[arg(long, default_value = "4k", value_parser = parse_size)]
    pub size: u64,

    /// Allowed growth of the RSS from the warm-up mark to the end, percent.
    #[arg(long, default_value_t = 20.0)]
    pub rss_tolerance: f64,

    /// As many PUTs as DELETEs (45% GET, 30% HEAD, 12.5% PUT, 12.5% DELETE): the number of
    /// objects stays flat, so memory that grows is not explained by a growing data set.
    #[arg(long)]
    pub steady: bool,

    /// Extra argument for the started ossemu, repeatable (e.g. `--ossemu-arg=--memory`).
    #[arg(long = "ossemu-arg", value_name = "ARG", allow_hyphen_values = true)]
    pub ossemu_args: Vec<String>,
}

/// Runs the drill.
pub async fn run(args: SoakArgs) -> anyhow::Result<()> {
    let dir = args.common.data_dir("soak")?;
    let result = drill(&args, dir.path()).await;
    keep_on_failure(result, dir)
}

/// The median of the samples taken in `(end - RSS_WINDOW, end]`, KiB.
fn window_median(samples: &[(Duration, u64)], end: Duration) -> Option<u64> {
    let start = end.saturating_sub(RSS_WINDOW);
    let mut v: Vec<u64> = samples
        .iter()
        .filter(|(t, _)| *t > start && *t <= end)
        .map(|&(_, k)| k)
        .collect();
    v.sort_unstable();
    v.get(v.len() / 2).copied()
}

async fn drill(args: &SoakArgs, data: &std::path::Path) -> anyhow::Result<()> {
    let (duration, warmup) = if args.short {
        (Duration::from_secs(60), Duration::from_secs(20))
    } else {
        (args.duration, args.warmup)
    };
    ensure!(
        warmup + RSS_WINDOW <= duration,
        "the warm-up ({warmup:?}) must end at least {RSS_WINDOW:?} before the end ({duration:?})"
    );
    let node = Node::start(&args.common, data, &args.ossemu_args).await?;
    let pid = node.pid();
    eprintln!(
        "soak drill: mixed{} {} B objects, {} clients, {duration:?} (RSS reference at \
         {warmup:?}), server pid {pid}, data {}",
        if args.steady { " (steady)" } else { "" },
        args.size,
        args.clients,
        data.display()
    );
    s3::create_bucket(&node.client, BUCKET).await?;
    let payloads = Arc::new(Payloads::generate([args.size])?);
    let cx = Arc::new(Ctx::new(
        node.new_client()?,
        BUCKET.into(),
        payloads.clone(),
    ));
    let setup = Setup {
        size: args.size,
        concurrency: args.clients as usize,
        payload: payloads.get(args.size)?,
        stop: StopRule::Duration(duration),
        fixture_objects: 1000,
        list_keys: 0,
        origin: Default::default(),
        mirror_fanout: 1,
        mirror_large_size: 0,
    };
    let workload: Arc<dyn crate::workload::Workload> = Arc::from(if args.steady {
        crate::workload::mixed::build_steady(&setup)
    } else {
        crate::workload::mixed::build(&setup)
    });
    workload
        .prepare(&cx)
        .await
        .context("preparing the mixed workload")?;

    let ops = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let seq = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..args.clients {
        let (cx, workload, seq, ops, errors) = (
            cx.clone(),
            workload.clone(),
            seq.clone(),
            ops.clone(),
            errors.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            while Instant::now() < deadline {
                let n = seq.fetch_add(1, Ordering::Relaxed);
                let t0 = Instant::now();
                match tokio::time::timeout(OP_LIMIT, workload.op(&cx, n)).await {
                    Ok(Outcome::Ok { bytes, ttfb }) => {
                        tally.ok(t0.elapsed(), bytes, ttfb);
                        ops.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Outcome::Err(e)) => {
                        tally.error(e);
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Outcome::Exhausted) => break,
                    Err(_) => {
                        tally.error(format!("operation timed out after {OP_LIMIT:?}"));
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            tally
        }));
    }

    // RSS every second; progress every minute (every 10 s in short mode).
    let report_every = if args.short { 10 } else { 60 };
    let mut samples: Vec<(Duration, u64)> = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    let mut second = 0u64;
    while Instant::now() < deadline {
        tick.tick().await;
        second += 1;
        let rss = status_kib(&process_tree(pid), "VmRSS");
        if rss == 0 {
            bail!("the server (pid {pid}) is gone");
        }
        samples.push((started.elapsed(), rss));
        if second.is_multiple_of(report_every) {
            eprintln!(
                "  {:>5} s: {} ops, {} errors, RSS {:.1} MiB; {} body files, metadata {:.1} MiB",
                second,
                ops.load(Ordering::Relaxed),
                errors.load(Ordering::Relaxed),
                rss as f64 / 1024.0,
                count_files(&data.join("blobs")),
                dir_bytes(&data.join("meta")) as f64 / (1024.0 * 1024.0),
            );
        }
    }
    let mut total = Tally::default();
    for w in workers {
        total.merge(w.await.context("a client panicked")?);
    }
    let elapsed = started.elapsed();
    samples.push((elapsed, status_kib(&process_tree(pid), "VmRSS")));
    let validated = workload.validate(&cx).await;

    let n = total.ops();
    let lat = Percentiles::of(&mut total.latencies_ns);
    let warm = window_median(&samples, warmup).context("no RSS sample in the warm-up window")?;
    let end = window_median(&samples, elapsed).context("no RSS sample at the end")?;
    let peak = samples.iter().map(|&(_, k)| k).max().unwrap_or(0);
    let growth = (end as f64 / warm.max(1) as f64 - 1.0) * 100.0;
    eprintln!(
        "{n} ops in {:.0} s ({:.0} ops/s), p50 {} ms, p99 {} ms, {} errors; server RSS {:.1} MiB \
         after {warmup:?}, {:.1} MiB at the end ({growth:+.1}%), peak {:.1} MiB",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        lat.map_or("-".into(), |p| format!("{:.2}", p.p50_ms)),
        lat.map_or("-".into(), |p| format!("{:.2}", p.p99_ms)),
        total.errors,
        warm as f64 / 1024.0,
        end as f64 / 1024.0,
        peak as f64 / 1024.0,
    );
    if total.errors > 0 {
        bail!(
            "{} unexpected errors, first: {}",
            total.errors,
            total.error_samples.first().map_or("?", String::as_str)
        );
    }
    ensure!(n > 0, "no operation succeeded");
    validated.context("after the soak")?;
    ensure!(
        growth <= args.rss_tolerance,
        "server RSS grew {growth:.1}% from {:.1} MiB after {warmup:?} to {:.1} MiB at the end \
         (allowed {}%)",
        warm as f64 / 1024.0,
        end as f64 / 1024.0,
        args.rss_tolerance
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_windows() {
        let s: Vec<(Duration, u64)> = (1..=30)
            .map(|i| (Duration::from_secs(i), if i == 20 { 1000 } else { i }))
            .collect();
        // (10, 20]: 11..=19 and a spike of 1000 at 20: the median ignores the spike.
        assert_eq!(window_median(&s, Duration::from_secs(20)), Some(16));
        assert_eq!(window_median(&s, Duration::from_secs(100)), None);
    }
}
