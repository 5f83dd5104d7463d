//! `put`: PutObject of a new key per operation, streaming the shared payload.

use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::bail;
use bytes::Bytes;

use super::{BoxFut, CLEANUP_MIN_SIZE, Ctx, Outcome, Setup, Workload};

/// PUTs `put-{size}/{seq}`.
struct Put {
    size: u64,
    payload: Bytes,
    /// One past the highest `seq` attempted.
    attempted: AtomicU64,
}

/// Builds the workload.
pub(super) fn build(setup: &Setup) -> Box<dyn Workload> {
    Box::new(Put {
        size: setup.size,
        payload: setup.payload.clone(),
        attempted: AtomicU64::new(0),
    })
}

impl Put {
    fn key(&self, seq: u64) -> String {
        format!("put-{}/{seq:08}", self.size)
    }
}

impl Workload for Put {
    fn prepare<'a>(&'a self, _cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }

    fn op<'a>(&'a self, cx: &'a Ctx, seq: u64) -> BoxFut<'a, Outcome> {
        Box::pin(async move {
            self.attempted.fetch_max(seq + 1, Ordering::Relaxed);
            cx.put(&self.key(seq), self.payload.clone()).await
        })
    }

    fn validate<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            // The first and the last written objects read back whole.
            let last = self.attempted.load(Ordering::Relaxed);
            for seq in [0, last.saturating_sub(1)] {
                if let Outcome::Err(e) = cx.get(&self.key(seq), self.size).await {
                    bail!("reading back a PUT object: {e}");
                }
            }
            Ok(())
        })
    }

    fn cleanup<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if self.size < CLEANUP_MIN_SIZE {
                return Ok(());
            }
            let n = self.attempted.load(Ordering::Relaxed);
            cx.delete_keys((0..n).map(|i| self.key(i))).await
        })
    }
}
