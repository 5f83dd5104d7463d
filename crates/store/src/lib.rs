//! ossemu's storage: bucket and object metadata in sled (behind [`MetaStore`]), object bodies as
//! files named by random ids.
//!
//! Write path: [`Store::writer`] streams a body into `tmp/` while hashing it,
//! [`BlobWriter::finish`] fsyncs and renames it into `blobs/`, and a commit method
//! ([`Store::put_object`] and friends) records the metadata in one transaction and flushes it
//! before returning. A crash at any point leaves either the old object or the new one; the
//! start-up sweep removes temp files and bodies no record references.

mod blob;
mod error;
mod list;
mod meta;
mod model;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use blob::{BlobWriter, BodyHasher, BodyStream, NewBlob, READ_CHUNK, crc64, crc64_combine};
pub use error::{Result, StoreError};
pub use list::{ListEntry, ListPage, ListQuery, list_objects};
pub use meta::{MetaStore, ObjectCheck, ObjectUpdate, PartUpdate, ScanFrom, SledMeta, Written};
pub use model::{
    BlobId, BucketRecord, ObjectKind, ObjectRecord, PartRecord, Segment, UploadRecord, now_ms,
    slice_segments,
};

use blob::{Blobs, PinGuard};

/// Where and how to keep data.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// Data directory; `None` keeps everything in a temp directory removed on drop.
    pub data_dir: Option<PathBuf>,
}

/// What the start-up sweep removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepStats {
    /// Files left in `tmp/` by interrupted writes.
    pub temp_files: usize,
    /// Body files no record referenced.
    pub orphan_blobs: usize,
    /// Body files kept.
    pub live_blobs: usize,
}

struct Inner {
    meta: Arc<dyn MetaStore>,
    blobs: Arc<Blobs>,
    durable: bool,
    root: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

/// Handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

/// An object whose body files are pinned until this is dropped or its body is read.
pub struct OpenObject {
    /// The record as of opening.
    pub rec: ObjectRecord,
    blobs: Arc<Blobs>,
    pin: PinGuard,
}

impl OpenObject {
    /// Streams `len` bytes from `start`.
    pub fn body(self, start: u64, len: u64) -> BodyStream {
        blob::read_range(self.blobs, &self.rec.segments, start, len, self.pin)
    }
}

impl Store {
    /// Opens the store (creating the directory layout), then sweeps leftovers of a crash.
    pub fn open(opts: &StoreOptions) -> Result<Self> {
        let (root, temp, durable) = match &opts.data_dir {
            Some(dir) => (dir.clone(), None, true),
            None => {
                let t = tempfile::Builder::new().prefix("ossemu-").tempdir()?;
                (t.path().to_path_buf(), Some(t), false)
            }
        };
        std::fs::create_dir_all(&root)?;
        let meta = SledMeta::open(&root.join("meta"), !durable)?;
        let blobs = Blobs::open(&root, durable)?;
        Ok(Self {
            inner: Arc::new(Inner {
                meta: Arc::new(meta),
                blobs,
                durable,
                root,
                _temp: temp,
            }),
        })
    }

    /// The data directory (a temp directory in memory mode).
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// True when writes are fsynced (not in memory mode).
    pub fn is_durable(&self) -> bool {
        self.inner.durable
    }

    /// Removes temp files and unreferenced bodies; `progress` is called every 10,000 files.
    pub fn sweep(&self, mut progress: impl FnMut(usize)) -> Result<SweepStats> {
        let mut stats = SweepStats {
            temp_files: self.inner.blobs.clear_tmp()?,
            ..SweepStats::default()
        };
        let meta = &self.inner.meta;
        let blobs = &self.inner.blobs;
        let mut seen = 0usize;
        blobs.for_each_blob(|id| {
            seen += 1;
            if seen.is_multiple_of(10_000) {
                progress(seen);
            }
            match meta.blob_referenced(id) {
                Ok(true) => stats.live_blobs += 1,
                Ok(false) => {
                    blobs.remove_now(id);
                    stats.orphan_blobs += 1;
                }
                Err(e) => return Err(std::io::Error::other(e.to_string())),
            }
            Ok(())
        })?;
        Ok(stats)
    }

    /// The metadata store.
    pub fn meta(&self) -> &dyn MetaStore {
        self.inner.meta.as_ref()
    }

    /// A writer for a new body.
    pub fn writer(&self) -> BlobWriter {
        BlobWriter::new(self.inner.blobs.clone())
    }

    /// Makes committed metadata durable (no-op in memory mode).
    pub async fn flush(&self) -> Result<()> {
        if !self.inner.durable {
            return Ok(());
        }
        let meta = self.inner.meta.clone();
        tokio::task::spawn_blocking(move || meta.flush())
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))?
    }

    /// Makes a metadata change durable, then unlinks the bodies it stopped referencing. In
    /// this order a crash in between leaves unreferenced files (removed by the start-up
    /// sweep), never a durable record whose body is gone.
    /// Runs as a task of its own, so a caller that is cancelled (a client that hangs up)
    /// cannot leave the freed bodies behind.
    async fn commit(&self, freed: Vec<BlobId>) -> Result<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let flushed = store.flush().await;
            if flushed.is_ok() {
                store.inner.blobs.release(freed);
            }
            flushed
        })
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))?
    }

    /// Commits an object write built by `update` (see [`MetaStore::update_object`]). `blob` is
    /// the new body the record references, if any; it is kept only if the commit succeeds.
    pub async fn update_object(
        &self,
        bucket: &str,
        key: &str,
        source: Option<(&str, &str)>,
        blob: Option<NewBlob>,
        update: ObjectUpdate<'_>,
    ) -> Result<Written> {
        let written = self.inner.meta.update_object(bucket, key, source, update)?;
        if let Some(b) = blob {
            b.keep();
        }
        self.commit(written.2.clone()).await?;
        Ok(written)
    }

    /// Stores `blob` as the whole body of `key` with the attributes in `template`, if `check`
    /// accepts the current object.
    pub async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        template: ObjectRecord,
        blob: NewBlob,
        check: &(dyn Fn(Option<&ObjectRecord>) -> Result<()> + Sync),
    ) -> Result<ObjectRecord> {
        let rec = ObjectRecord {
            size: blob.len,
            etag: blob.md5_hex(),
            crc64: blob.crc64,
            kind: ObjectKind::Normal,
            segments: blob.segments(),
            ..template
        };
        let update = |cur: Option<&ObjectRecord>, _: Option<&ObjectRecord>| {
            check(cur)?;
            Ok(rec.clone())
        };
        let (_, new, _) = self
            .update_object(bucket, key, None, Some(blob), &update)
            .await?;
        Ok(new)
    }

    /// Deletes an object; false when it did not exist.
    pub async fn delete_object(&self, bucket: &str, key: &str) -> Result<bool> {
        match self.inner.meta.delete_object(bucket, key)? {
            Some(freed) => {
                self.commit(freed).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Looks an object up and pins its body files.
    pub fn open_object(&self, bucket: &str, key: &str) -> Result<Option<OpenObject>> {
        let meta = &self.inner.meta;
        // Pin, then check the record did not change meanwhile: a writer that replaced it
        // before the pin may already have unlinked the old files.
        for _ in 0..8 {
            let Some(rec) = meta.get_object(bucket, key)? else {
                return Ok(None);
            };
            let pin = self.inner.blobs.pin(&rec.segments);
            match meta.get_object(bucket, key)? {
                Some(again) if again.segments == rec.segments => {
                    return Ok(Some(OpenObject {
                        rec: again,
                        blobs: self.inner.blobs.clone(),
                        pin,
                    }));
                }
                Some(_) => continue,
                None => return Ok(None),
            }
        }
        Err(StoreError::Conflict(
            "object is being rewritten too fast to read".into(),
        ))
    }

    /// Lists one page of a bucket.
    pub fn list(&self, bucket: &str, q: &ListQuery<'_>) -> Result<ListPage> {
        list_objects(self.inner.meta.as_ref(), bucket, q)
    }

    /// Stores a part built by `make` (see [`MetaStore::put_part`]).
    pub async fn put_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        source: Option<(&str, &str)>,
        blob: Option<NewBlob>,
        make: PartUpdate<'_>,
    ) -> Result<PartRecord> {
        let (part, freed) = self
            .inner
            .meta
            .put_part(bucket, key, upload_id, source, make)?;
        if let Some(b) = blob {
            b.keep();
        }
        self.commit(freed).await?;
        Ok(part)
    }

    /// Ends an upload, committing `object` as the key's new object when given (see
    /// [`MetaStore::finish_upload`] for `parts_version`).
    pub async fn finish_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts_version: Option<u64>,
        object: Option<(&ObjectRecord, Option<ObjectCheck<'_>>)>,
    ) -> Result<Option<ObjectRecord>> {
        let (old, freed) =
            self.inner
                .meta
                .finish_upload(bucket, key, upload_id, parts_version, object)?;
        self.commit(freed).await?;
        Ok(old)
    }
}
