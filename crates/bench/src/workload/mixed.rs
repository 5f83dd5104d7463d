//! `mixed`: 45% GET and 30% HEAD over the shared read fixture, 15% PUT of new keys and
//! 10% DELETE of keys this cell PUT (oldest first).
//!
//! Reads only touch objects nobody writes, and deletes only take keys whose PUT has been
//! acknowledged, so every expected status is exact under any concurrency: a 404 on a read
//! or a delete is an error, not bad luck.

use std::collections::VecDeque;
use std::sync::Mutex;

use anyhow::bail;
use bytes::Bytes;

use super::{
    BoxFut, CLEANUP_MIN_SIZE, Ctx, Outcome, Setup, Workload, fixture_count, fixture_key,
    fixture_prefix,
};
use crate::rng::mix;

/// Operation shares in per mille: GET, HEAD, PUT; DELETE takes the rest.
const GET_PM: u64 = 450;
const HEAD_PM: u64 = 300;
const PUT_PM: u64 = 150;
/// PUT share of the steady variant: as many PUTs as DELETEs, so the object count stays flat.
const STEADY_PUT_PM: u64 = 125;

/// Keys PUT before the cell so the first deletes have something to take.
const BACKLOG: usize = 50;

/// The kind of the `seq`th operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Get,
    Head,
    Put,
    Delete,
}

fn kind(seq: u64, put_pm: u64) -> Kind {
    match mix(seq) % 1000 {
        r if r < GET_PM => Kind::Get,
        r if r < GET_PM + HEAD_PM => Kind::Head,
        r if r < GET_PM + HEAD_PM + put_pm => Kind::Put,
        _ => Kind::Delete,
    }
}

/// The mixed workload of one size.
struct Mixed {
    size: u64,
    payload: Bytes,
    objects: usize,
    /// PUT share in per mille (DELETE gets 250 minus it).
    put_pm: u64,
    /// Keys PUT (and acknowledged) and not yet deleted, oldest first.
    churn: Mutex<VecDeque<String>>,
}

/// Builds the workload.
pub fn build(setup: &Setup) -> Box<dyn Workload> {
    build_with(setup, PUT_PM)
}

/// Builds the steady variant: 45% GET, 30% HEAD, 12.5% PUT, 12.5% DELETE, so the number of
/// objects stays flat (for telling a leak from a growing data set in the soak drill).
pub fn build_steady(setup: &Setup) -> Box<dyn Workload> {
    build_with(setup, STEADY_PUT_PM)
}

fn build_with(setup: &Setup, put_pm: u64) -> Box<dyn Workload> {
    Box::new(Mixed {
        size: setup.size,
        payload: setup.payload.clone(),
        objects: fixture_count(setup.size, setup.fixture_objects),
        put_pm,
        churn: Mutex::new(VecDeque::new()),
    })
}

impl Mixed {
    fn churn(&self) -> std::sync::MutexGuard<'_, VecDeque<String>> {
        match self.churn.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    async fn put_new(&self, cx: &Ctx, key: String) -> Outcome {
        let out = cx.put(&key, self.payload.clone()).await;
        if matches!(out, Outcome::Ok { .. }) {
            self.churn().push_back(key);
        }
        out
    }
}

impl Workload for Mixed {
    fn prepare<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            cx.ensure_objects(fixture_prefix(self.size), self.objects, self.size)
                .await?;
            for i in 0..BACKLOG.min(self.objects) {
                let key = format!("mixed-{}/pre{i:06}", self.size);
                if let Outcome::Err(e) = self.put_new(cx, key).await {
                    bail!("preparing the mixed workload: {e}");
                }
            }
            Ok(())
        })
    }

    fn op<'a>(&'a self, cx: &'a Ctx, seq: u64) -> BoxFut<'a, Outcome> {
        Box::pin(async move {
            let pick = mix(seq ^ 0xa5a5_a5a5_a5a5_a5a5) % self.objects as u64;
            match kind(seq, self.put_pm) {
                Kind::Get => cx.get(&fixture_key(self.size, pick), self.size).await,
                Kind::Head => cx.head(&fixture_key(self.size, pick), self.size).await,
                Kind::Put => {
                    self.put_new(cx, format!("mixed-{}/{seq:08}", self.size))
                        .await
                }
                Kind::Delete => {
                    let victim = self.churn().pop_front();
                    match victim {
                        Some(key) => cx.delete(&key, false).await,
                        // Deletes outran puts: write instead, keeping the cell going.
                        None => {
                            self.put_new(cx, format!("mixed-{}/{seq:08}", self.size))
                                .await
                        }
                    }
                }
            }
        })
    }

    fn validate<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if let Outcome::Err(e) = cx.get(&fixture_key(self.size, 0), self.size).await {
                bail!("after the mixed cell: {e}");
            }
            let newest = self.churn().back().cloned();
            if let Some(key) = newest
                && let Outcome::Err(e) = cx.get(&key, self.size).await
            {
                bail!("after the mixed cell: {e}");
            }
            Ok(())
        })
    }

    fn cleanup<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if self.size < CLEANUP_MIN_SIZE {
                return Ok(());
            }
            let keys: Vec<String> = self.churn().drain(..).collect();
            cx.delete_keys(keys).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_match_the_spec() {
        let n = 100_000u64;
        for (put_pm, want) in [
            (PUT_PM, [45.0, 30.0, 15.0, 10.0]),
            (STEADY_PUT_PM, [45.0, 30.0, 12.5, 12.5]),
        ] {
            let mut counts = [0u64; 4];
            for seq in 0..n {
                counts[kind(seq, put_pm) as usize] += 1;
            }
            let pct = |c: u64| c as f64 * 100.0 / n as f64;
            for (c, want) in counts.iter().zip(want) {
                assert!((pct(*c) - want).abs() < 0.5, "{counts:?}");
            }
        }
    }
}
