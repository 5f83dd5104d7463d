//! `get`: GetObject over the shared read fixture; the body is read, counted and discarded.

use super::{BoxFut, Ctx, Outcome, Setup, Workload, fixture_count, fixture_key, fixture_prefix};

/// GETs `obj-{size}/{seq mod n}`.
struct Get {
    size: u64,
    objects: usize,
}

/// Builds the workload.
pub(super) fn build(setup: &Setup) -> Box<dyn Workload> {
    Box::new(Get {
        size: setup.size,
        objects: fixture_count(setup.size, setup.fixture_objects),
    })
}

impl Workload for Get {
    fn prepare<'a>(&'a self, cx: &'a Ctx) -> BoxFut<'a, anyhow::Result<()>> {
        Box::pin(cx.ensure_objects(fixture_prefix(self.size), self.objects, self.size))
    }

    fn op<'a>(&'a self, cx: &'a Ctx, seq: u64) -> BoxFut<'a, Outcome> {
        Box::pin(async move {
            let key = fixture_key(self.size, seq % self.objects as u64);
            cx.get(&key, self.size).await
        })
    }
}
