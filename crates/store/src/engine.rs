//! The key-value engine seam: ordered byte keys, atomic batches, durability on request.
//!
//! Everything the store keeps in metadata (records, reference counts, uploads, listings) is
//! written once, in [`crate::meta`], against this small trait. Two engines implement it:
//! [`SledEngine`] for data directories and [`MemoryEngine`] for `--memory`. The conformance
//! suite in `engine/suite.rs` runs against both.
//!
//! An engine that fails (sled stops for good after an I/O error such as ENOSPC) is reopened
//! from what is durable by [`Engine::ready`], which every write calls first, and by its reads.
//! Each reopening starts a new *generation*. A batch applied in one generation is refused in
//! another (its reads may have seen changes that were lost), and [`Engine::fate`] tells, for a
//! batch whose flush failed, whether it turned out durable.

mod memory;
mod sled;
#[cfg(test)]
mod suite;

use std::ops::Bound;

pub use self::memory::MemoryEngine;
pub use self::sled::SledEngine;
use crate::error::Result;

/// `(key, value)` pairs in ascending key order.
pub type KvIter<'a> = Box<dyn Iterator<Item = Result<(Vec<u8>, Vec<u8>)>> + Send + 'a>;

/// Changes applied together by [`Engine::apply`]: all of them or none, also across a crash.
/// When a key appears twice, the later change wins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    ops: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

impl Batch {
    /// Sets `key` to `value`.
    pub fn insert(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.ops.push((key, Some(value)));
    }

    /// Removes `key` (nothing happens if it is absent).
    pub fn remove(&mut self, key: Vec<u8>) {
        self.ops.push((key, None));
    }

    /// True when the batch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The changes in the order they were added.
    pub fn into_ops(self) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
        self.ops
    }
}

/// An applied batch: the engine generation it was applied in and its place in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket {
    /// The generation (see [`Engine::ready`]).
    pub generation: u64,
    /// Its number among the engine's batches, increasing in log order.
    pub seq: u64,
}

/// What became of a batch whose flush failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// It is durable.
    Durable,
    /// It is not: the reopened engine does not have it. `no_space`: the failure that ended
    /// its generation was a full disk.
    Lost {
        /// The engine failed for lack of space.
        no_space: bool,
    },
    /// Not known yet: the engine has not been reopened since.
    Unknown,
}

/// An ordered key-value store.
///
/// Reads see every batch applied before them. A batch is atomic: readers and a crash see all
/// of it or none of it. Only [`Engine::flush`] makes applied batches durable.
pub trait Engine: Send + Sync {
    /// The value of `key`.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;
    /// The pairs with keys between `from` and `to`, in ascending order. The scan is not a
    /// snapshot: it sees batches applied while it runs for the keys it has not reached yet.
    fn range(&self, from: Bound<&[u8]>, to: Bound<&[u8]>) -> KvIter<'_>;
    /// Reopens the engine if it failed; returns the generation a write's reads and its batch
    /// belong to.
    fn ready(&self) -> Result<u64>;
    /// Applies every change of `batch` atomically, unless the engine was reopened since
    /// `generation` (the batch was built from reads that may no longer hold: then
    /// [`crate::StoreError::Unavailable`]).
    fn apply(&self, batch: Batch, generation: u64) -> Result<Ticket>;
    /// Makes every applied batch durable (a no-op for engines that keep nothing on disk);
    /// returns the generation whose batches it flushed.
    fn flush(&self) -> Result<u64>;
    /// For a batch whose flush failed or came from an older generation: whether it is
    /// durable, as far as the engine knows.
    fn fate(&self, ticket: Ticket) -> Fate;
    /// Whether any key starts with `prefix`.
    fn has_prefix(&self, prefix: &[u8]) -> Result<bool> {
        match self.range(Bound::Included(prefix), Bound::Unbounded).next() {
            Some(kv) => Ok(kv?.0.starts_with(prefix)),
            None => Ok(false),
        }
    }
}

/// The first key after every key that starts with `prefix` (`None`: no such key, the
/// prefix is all `0xff`).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// The pairs whose keys start with `prefix`.
pub fn scan_prefix<'a>(engine: &'a dyn Engine, prefix: &[u8]) -> KvIter<'a> {
    let end = prefix_end(prefix);
    let to = match &end {
        Some(e) => Bound::Excluded(e.as_slice()),
        None => Bound::Unbounded,
    };
    engine.range(Bound::Included(prefix), to)
}
