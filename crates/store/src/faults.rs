//! Failures a test can inject into a store on a data directory ([`crate::Store::open_with_faults`]),
//! so that a full disk can be played without one: the free space the store sees, and ENOSPC
//! from body writes and from the metadata engine.

use std::io;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// Injected failures; every one is off until a test turns it on.
#[derive(Debug, Default)]
pub struct Faults {
    free_space: Mutex<Option<u64>>,
    body_writes: AtomicU32,
    engine_applies: AtomicU32,
    engine_flushes: AtomicU32,
}

impl Faults {
    /// No failures yet.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Makes the store see `bytes` free on its filesystem (`None`: the real figure).
    pub fn set_free_space(&self, bytes: Option<u64>) {
        *self.free_space.lock().unwrap_or_else(|e| e.into_inner()) = bytes;
    }

    /// The next `n` body writes fail with ENOSPC.
    pub fn fail_body_writes(&self, n: u32) {
        self.body_writes.store(n, Ordering::SeqCst);
    }

    /// The next `n` metadata batches fail with ENOSPC before they are applied. The engine then
    /// counts as failed, as sled does after an I/O error, until it is reopened.
    pub fn fail_engine_applies(&self, n: u32) {
        self.engine_applies.store(n, Ordering::SeqCst);
    }

    /// The next `n` metadata flushes fail with ENOSPC after their batches were applied; the
    /// engine counts as failed until it is reopened.
    pub fn fail_engine_flushes(&self, n: u32) {
        self.engine_flushes.store(n, Ordering::SeqCst);
    }

    pub(crate) fn free_space(&self) -> Option<u64> {
        *self.free_space.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn body_write_fails(&self) -> bool {
        take(&self.body_writes)
    }

    pub(crate) fn engine_apply_fails(&self) -> bool {
        take(&self.engine_applies)
    }

    pub(crate) fn engine_flush_fails(&self) -> bool {
        take(&self.engine_flushes)
    }
}

/// Counts one down; true when it was above zero.
fn take(n: &AtomicU32) -> bool {
    n.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| v.checked_sub(1))
        .is_ok()
}

/// The error a full filesystem gives.
pub(crate) fn enospc() -> io::Error {
    io::Error::from_raw_os_error(libc::ENOSPC)
}
