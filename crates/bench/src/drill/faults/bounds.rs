//! The bounds phase of the origin-fault drill: what a mirror fetch must never do, whatever the
//! origin does.
//!
//! - **Endless origin, abandoned clients**: 8 clients GET a key whose origin streams without
//!   end, read 256 KiB each and hang up. `<data>/tmp/` (sampled every 10 ms) never holds more
//!   than 8 × the mirror limit, is empty again once they are gone, nothing is stored, and the
//!   metrics count 8 abandoned fetches. One more client reads such a key to its end: the
//!   transfer is cut off at the limit (an aborted transfer) and counted too-large.
//! - **Redirect to ossemu itself**: an origin's 302 to `http://<ossemu>/_ossemu/metrics` is
//!   answered 424 and nothing is stored; a 302 to `169.254.169.254` (cloud metadata) too.
//! - **Self-loop**: a public bucket whose MirrorURL is its own URL on the same ossemu answers
//!   424 with the origin's (its own) 424, `Error status : 424`, not a read timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use bytes::Bytes;
use http::{Method, StatusCode};

use crate::client::S3Client;
use crate::drill::{Node, dir_bytes, s3};
use crate::origin::{self, Mode, Origin};
use crate::workload::backorigin::{create_bucket, mirror_website, put_website};

/// Bucket mirroring from the built-in origin, for the bounds phase.
const BUCKET: &str = "fault-drill-bounds";
/// Public bucket mirroring from itself.
const SELF_BUCKET: &str = "fault-drill-self";
/// Clients that hang up on an endless origin.
const ABANDONING: usize = 8;

/// Runs the bounds phase; `limit` is the started ossemu's `--mirror-max-object-size`.
pub async fn run(
    node: &Node,
    origin: &Origin,
    data: &std::path::Path,
    limit: u64,
) -> anyhow::Result<()> {
    create_bucket(&node.client, BUCKET, false).await?;
    put_website(&node.client, BUCKET, &mirror_website(&origin.url(), "")).await?;
    endless(node, data, limit).await?;
    redirects(node).await?;
    self_loop(node).await?;
    let listed = s3::list_objects(&node.client, BUCKET).await?;
    ensure!(
        listed.is_empty(),
        "the bounds phase stored {}",
        listed
            .iter()
            .map(|l| l.key.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// GETs `/{BUCKET}/{key}` and returns the status and the error body (empty for a 2xx).
async fn get_status(client: &S3Client, path: &str) -> anyhow::Result<(StatusCode, String)> {
    let r = client.send(Method::GET, path, &[], Bytes::new()).await?;
    let status = r.status;
    let body = if status.is_success() {
        String::new()
    } else {
        String::from_utf8_lossy(&r.bytes().await.unwrap_or_default()).into_owned()
    };
    Ok((status, body))
}

/// The counter `ossemu_mirror_fetches_total{outcome="…"}` from the metrics page.
async fn fetches(node: &Node, outcome: &str) -> anyhow::Result<u64> {
    let r = node
        .client
        .send(Method::GET, "/_ossemu/metrics", &[], Bytes::new())
        .await?;
    let text = String::from_utf8_lossy(&r.bytes().await?).into_owned();
    let prefix = format!("ossemu_mirror_fetches_total{{outcome=\"{outcome}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|n| n.trim().parse().ok())
        .with_context(|| format!("no {prefix}in the metrics"))
}

/// Endless origin: abandoned clients leave `tmp/` bounded and then empty; an attentive one is
/// cut off at the limit.
async fn endless(node: &Node, data: &std::path::Path, limit: u64) -> anyhow::Result<()> {
    let tmp = data.join("tmp");
    let (abandoned_before, large_before) = (
        fetches(node, "abandoned").await?,
        fetches(node, "too-large").await?,
    );
    let peak = Arc::new(AtomicU64::new(0));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, sampling, tmp) = (peak.clone(), sampling.clone(), tmp.clone());
        tokio::spawn(async move {
            while sampling.load(Ordering::Relaxed) {
                peak.fetch_max(dir_bytes(&tmp), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let started = Instant::now();
    let mut clients = Vec::new();
    for i in 0..ABANDONING {
        let client = node.client.clone();
        let key = origin::key(Mode::Endless, 0, &format!("abandoned-{i}"));
        clients.push(tokio::spawn(async move {
            let mut r = client
                .send(Method::GET, &format!("/{BUCKET}/{key}"), &[], Bytes::new())
                .await?;
            ensure!(r.status == StatusCode::OK, "GET {key}: {}", r.status);
            r.read_at_least(256 * 1024).await
            // The response is dropped here: the client hangs up mid-body.
        }));
    }
    for c in clients {
        c.await.context("a client panicked")??;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while dir_bytes(&tmp) > 0 || fetches(node, "abandoned").await? < abandoned_before + 8 {
        ensure!(
            Instant::now() < deadline,
            "30 s after {ABANDONING} clients hung up on an endless origin, tmp/ holds {} bytes \
             and {} fetches were abandoned",
            dir_bytes(&tmp),
            fetches(node, "abandoned").await? - abandoned_before
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let emptied = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    sampler.await.ok();
    let peak = peak.load(Ordering::Relaxed);
    ensure!(
        peak <= ABANDONING as u64 * limit,
        "tmp/ reached {peak} bytes, over {ABANDONING} × the {limit}-byte limit"
    );

    // A client that reads on gets the limit, then an aborted transfer.
    let key = origin::key(Mode::Endless, 0, "read-to-the-limit");
    let r = node
        .client
        .send(Method::GET, &format!("/{BUCKET}/{key}"), &[], Bytes::new())
        .await?;
    ensure!(r.status == StatusCode::OK, "GET {key}: {}", r.status);
    if let Ok(n) = r.drain().await {
        bail!("GET {key} of an endless origin ended cleanly after {n} bytes");
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while fetches(node, "too-large").await? <= large_before {
        ensure!(
            Instant::now() < deadline,
            "the endless fetch was not counted too-large"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!(
        "  endless origin: {ABANDONING} clients hung up, tmp/ peaked at {:.1} MiB (limit {} MiB \
         per fetch) and was empty {:.2} s after they started; a client reading on was cut off \
         at the limit",
        peak as f64 / f64::from(1 << 20),
        limit >> 20,
        emptied.as_secs_f64()
    );
    Ok(())
}

/// Redirects to ossemu's own metrics page and to a link-local address are refused.
async fn redirects(node: &Node) -> anyhow::Result<()> {
    let me = node.endpoint.trim_start_matches("http://");
    for (target, what) in [
        (format!("{me}/_ossemu/metrics"), "ossemu's own metrics page"),
        (
            "169.254.169.254/latest/meta-data/".to_string(),
            "a link-local address",
        ),
    ] {
        let key = origin::key(Mode::Bounce, 0, &target);
        let (status, body) = get_status(&node.client, &format!("/{BUCKET}/{key}")).await?;
        ensure!(
            status == StatusCode::FAILED_DEPENDENCY && body.contains("MirrorFailed"),
            "a redirect to {what} got {status}: {body}"
        );
        eprintln!("  redirect to {what}: 424 MirrorFailed, nothing stored");
    }
    Ok(())
}

/// A bucket mirroring from itself answers 424 from its own 424, at once.
async fn self_loop(node: &Node) -> anyhow::Result<()> {
    create_bucket(&node.client, SELF_BUCKET, true).await?;
    let url = format!("{}/{SELF_BUCKET}/", node.endpoint);
    put_website(&node.client, SELF_BUCKET, &mirror_website(&url, "")).await?;
    let started = Instant::now();
    let (status, body) = get_status(&node.client, &format!("/{SELF_BUCKET}/missing")).await?;
    let took = started.elapsed();
    ensure!(
        status == StatusCode::FAILED_DEPENDENCY && body.contains("Error status : 424"),
        "a bucket mirroring from itself got {status}: {body}"
    );
    let listed = s3::list_objects(&node.client, SELF_BUCKET).await?;
    ensure!(
        listed.is_empty(),
        "the self-mirroring bucket stored something"
    );
    eprintln!(
        "  self-loop: 424 (the inner request refused as a loop) in {:.0} ms",
        took.as_secs_f64() * 1000.0
    );
    Ok(())
}
