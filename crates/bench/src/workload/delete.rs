//! `delete`: DeleteObject of prepared objects, each key deleted once.
//!
//! With `--requests N` exactly N objects are prepared. With `--duration D` the preparation
//! PUTs objects for D (at most [`MAX_KEYS`] objects, [`MAX_BYTES`] in all); when the
//! deletions outrun that, the cell ends early and its rate covers the time it ran.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::bail;
use bytes::Bytes;

use super::{BoxFut, CLEANUP_MIN_SIZE, Ctx, Outcome, Setup, StopRule, Workload};

/// Most objects a delete cell prepares.
pub const MAX_KEYS: u64 = 1_000_000;
/// Most bytes a delete cell prepares.
pub const MAX_BYTES: u64 = 16 << 30;

/// DELETEs `del-{size}/{seq}`.
struct Delete {
    size: u64,
    payload: Bytes,
    stop: StopRule,
    /// Objects prepared.
    prepared: AtomicU64,
    /// One past the highest `seq` attempted.
    attempted: AtomicU64,
}

/// Builds the workload.
pub(super) fn build(setup: &Setup) -> Box<dyn Workload> {
    Box::new(Delete {
        size: setup.size,
        payload: setup.payload.clone(),
        stop: setup.stop,
        prepared: AtomicU64::new(0),
        attempted: AtomicU64::new(0),
    })
}

impl Delete {
    fn key(&self, seq: u64) -> String {
        format!("del-{}/{seq:08}", self.size)
    }

    fn cap(&self) -> u64 {
        let by_bytes = MAX_BYTES / self.size.max(1);
        let cap = MAX_KEYS.min(by_bytes).max(1);
        match self.stop {
            StopRule::Requests(n) => n.min(cap),
            StopRule::Duration(_) => cap,
        }
    }
}

impl Workload for Delete {
    fn prepare<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let cap = self.cap();
            let deadline = match self.stop {
                StopRule::Duration(d) => Some(Instant::now() + d),
                StopRule::Requests(_) => None,
            };
            let next = AtomicU64::new(0);
            let worker = || async {
                loop {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Ok(());
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= cap {
                        return Ok(());
                    }
                    if let Outcome::Err(e) = cx.put(&self.key(i), self.payload.clone()).await {
                        bail!("preparing objects to delete: {e}");
                    }
                }
            };
            futures_util::future::try_join_all((0..cx.prep_concurrency).map(|_| worker())).await?;
            self.prepared
                .store(next.load(Ordering::Relaxed).min(cap), Ordering::Relaxed);
            Ok(())
        })
    }

    fn op<'a>(&'a self, cx: &'a Ctx, seq: u64) -> BoxFut<'a, Outcome> {
        Box::pin(async move {
            if seq >= self.prepared.load(Ordering::Relaxed) {
                return Outcome::Exhausted;
            }
            self.attempted.fetch_max(seq + 1, Ordering::Relaxed);
            cx.delete(&self.key(seq), false).await
        })
    }

    fn validate<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let n = self.attempted.load(Ordering::Relaxed);
            if n > 0 {
                cx.expect_absent(&self.key(0)).await?;
                cx.expect_absent(&self.key(n - 1)).await?;
            }
            Ok(())
        })
    }

    fn cleanup<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if self.size < CLEANUP_MIN_SIZE {
                return Ok(());
            }
            let from = self.attempted.load(Ordering::Relaxed);
            let to = self.prepared.load(Ordering::Relaxed);
            cx.delete_keys((from..to).map(|i| self.key(i))).await
        })
    }
}
