//! [`Engine`] in memory: a sorted map behind a lock, for `--memory`. Nothing reaches disk.

use std::collections::{BTreeMap, VecDeque};
use std::ops::Bound;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::{Batch, Engine, Fate, KvIter, Ticket};
use crate::error::Result;

/// Pairs a range scan copies out per lock acquisition.
const SCAN_BATCH: usize = 64;

/// The engine for `--memory`.
#[derive(Default)]
pub struct MemoryEngine {
    map: RwLock<BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl MemoryEngine {
    /// An empty engine.
    pub fn new() -> Self {
        Self::default()
    }

    // The lock guards no invariant beyond the map's own, and `apply` runs no user code, so a
    // poisoned lock is taken over as is.
    fn read(&self) -> RwLockReadGuard<'_, BTreeMap<Vec<u8>, Vec<u8>>> {
        self.map.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, BTreeMap<Vec<u8>, Vec<u8>>> {
        self.map.write().unwrap_or_else(|e| e.into_inner())
    }
}

fn owned(b: Bound<&[u8]>) -> Bound<Vec<u8>> {
    match b {
        Bound::Included(k) => Bound::Included(k.to_vec()),
        Bound::Excluded(k) => Bound::Excluded(k.to_vec()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// A scan that copies a few pairs at a time, so it holds no lock between items.
struct Scan<'a> {
    engine: &'a MemoryEngine,
    from: Bound<Vec<u8>>,
    to: Bound<Vec<u8>>,
    buf: VecDeque<(Vec<u8>, Vec<u8>)>,
    done: bool,
}

impl Scan<'_> {
    fn refill(&mut self) {
        let empty = match (&self.from, &self.to) {
            (Bound::Included(a), Bound::Included(b)) => a > b,
            (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => {
                a >= b
            }
            _ => false,
        };
        if empty {
            self.done = true;
            return;
        }
        let map = self.engine.read();
        let range = (self.from.clone(), self.to.clone());
        self.buf.extend(
            map.range::<Vec<u8>, _>(range)
                .take(SCAN_BATCH)
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        drop(map);
        match self.buf.back() {
            Some((k, _)) if self.buf.len() == SCAN_BATCH => self.from = Bound::Excluded(k.clone()),
            _ => self.done = true,
        }
    }
}

impl Iterator for Scan<'_> {
    type Item = Result<(Vec<u8>, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.buf.is_empty() && !self.done {
            self.refill();
        }
        self.buf.pop_front().map(Ok)
    }
}

impl Engine for MemoryEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.read().get(key).cloned())
    }

    fn range(&self, from: Bound<&[u8]>, to: Bound<&[u8]>) -> KvIter<'_> {
        Box::new(Scan {
            engine: self,
            from: owned(from),
            to: owned(to),
            buf: VecDeque::new(),
            done: false,
        })
    }

    fn ready(&self) -> Result<u64> {
        Ok(0)
    }

    fn apply(&self, batch: Batch, _generation: u64) -> Result<Ticket> {
        let mut map = self.write();
        for (k, v) in batch.into_ops() {
            match v {
                Some(v) => map.insert(k, v),
                None => map.remove(&k),
            };
        }
        Ok(Ticket {
            generation: 0,
            seq: 0,
        })
    }

    fn flush(&self) -> Result<u64> {
        Ok(0)
    }

    fn fate(&self, _ticket: Ticket) -> Fate {
        // Nothing is ever lost that was applied: there is no disk to fail.
        Fate::Durable
    }
}
