//! [`Engine`] on sled 0.34: one tree, batches through `apply_batch`.

use std::ops::Bound;
use std::path::Path;

use super::{Batch, Engine, KvIter};
use crate::error::{Result, StoreError};

/// The engine for data directories.
pub struct SledEngine {
    db: sled::Db,
}

impl SledEngine {
    /// Opens (or creates) the database in `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(16 << 20)
            .flush_every_ms(Some(1000))
            .open()?;
        // Until this layout, records lived in one tree per kind.
        if db.tree_names().iter().any(|n| n.as_ref() == b"objects") {
            return Err(StoreError::Db(format!(
                "{} holds metadata in the layout of an older ossemu; start with an empty data directory",
                dir.display()
            )));
        }
        Ok(Self { db })
    }
}

fn owned(b: Bound<&[u8]>) -> Bound<Vec<u8>> {
    match b {
        Bound::Included(k) => Bound::Included(k.to_vec()),
        Bound::Excluded(k) => Bound::Excluded(k.to_vec()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

impl Engine for SledEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.db.get(key)?.map(|v| v.to_vec()))
    }

    fn range(&self, from: Bound<&[u8]>, to: Bound<&[u8]>) -> KvIter<'_> {
        let empty = match (from, to) {
            (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => {
                a > b
            }
            _ => false,
        };
        if empty {
            // sled panics on a range whose start is after its end.
            return Box::new(std::iter::empty());
        }
        let range = (owned(from), owned(to));
        Box::new(self.db.range::<Vec<u8>, _>(range).map(|kv| {
            let (k, v) = kv?;
            Ok((k.to_vec(), v.to_vec()))
        }))
    }

    fn apply(&self, batch: Batch) -> Result<()> {
        let mut b = sled::Batch::default();
        for (k, v) in batch.into_ops() {
            match v {
                Some(v) => b.insert(k, v),
                None => b.remove(k),
            }
        }
        self.db.apply_batch(b)?;
        Ok(())
    }

    fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }
}
