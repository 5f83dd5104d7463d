//! ossemu's storage: metadata records over a key-value engine (sled for data directories,
//! an in-memory map for `--memory`), object bodies as files named by random ids (in memory
//! for `--memory`: then nothing is kept on disk).
//!
//! Layers, bottom up: [`engine`] (get, ordered range scan, atomic batch, flush), [`Meta`]
//! (records, blob reference counts, uploads, listings, written once over any engine), and
//! [`Store`], the facade every write goes through: it applies the change, makes it durable,
//! then unlinks the bodies it stopped referencing.
//!
//! Write path: [`Store::writer`] streams a body into `tmp/` while hashing it,
//! [`BlobWriter::finish`] fsyncs and renames it into `blobs/`, and a commit method
//! ([`Store::put_object`] and friends) records the metadata in one batch and flushes it
//! before returning. A crash at any point leaves either the old object or the new one; the
//! start-up sweep removes temp files and bodies no record references.

mod blob;
pub mod engine;
mod error;
mod list;
mod meta;
mod model;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use blob::{
    BlobWriter, BodyHasher, BodyStream, NewBlob, READ_CHUNK, TempBody, TempReader, crc64,
    crc64_combine,
};
pub use error::{Result, StoreError, TxError, TxResult};
pub use list::{ListEntry, ListPage, ListQuery, list_objects};
pub use meta::{Meta, ObjectCheck, ObjectIter, ObjectUpdate, PartUpdate, RecordIter, ScanFrom};
pub use model::{
    BlobId, BucketRecord, ObjectAttrs, ObjectKind, ObjectRecord, PartRecord, Segment, Sse,
    UploadRecord, now_ms, slice_segments,
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
    meta: Meta,
    blobs: Arc<Blobs>,
    /// The data directory; `None` in memory mode.
    root: Option<PathBuf>,
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
    /// Opens the store: in a data directory (creating its layout; sled metadata, body files),
    /// or with `data_dir: None` entirely in memory (nothing on disk).
    pub fn open(opts: &StoreOptions) -> Result<Self> {
        let (engine, blobs): (Arc<dyn engine::Engine>, _) = match &opts.data_dir {
            Some(root) => {
                std::fs::create_dir_all(root)?;
                (
                    Arc::new(engine::SledEngine::open(&root.join("meta"))?),
                    Blobs::open(root, true)?,
                )
            }
            None => (Arc::new(engine::MemoryEngine::new()), Blobs::memory()),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                meta: Meta::new(engine),
                blobs,
                root: opts.data_dir.clone(),
            }),
        })
    }

    /// The data directory; `None` in memory mode.
    pub fn root(&self) -> Option<&Path> {
        self.inner.root.as_deref()
    }

    /// True when writes are fsynced (not in memory mode).
    pub fn is_durable(&self) -> bool {
        self.inner.root.is_some()
    }

    /// How many bodies are published (body files in a data directory).
    pub fn blob_count(&self) -> Result<usize> {
        let mut n = 0;
        self.inner.blobs.for_each_blob(|_| {
            n += 1;
            Ok(())
        })?;
        Ok(n)
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

    /// The metadata records, read-only: every write goes through a method of [`Store`] that
    /// makes it durable.
    pub fn meta(&self) -> &Meta {
        &self.inner.meta
    }

    /// A writer for a new body.
    pub fn writer(&self) -> BlobWriter {
        BlobWriter::new(self.inner.blobs.clone())
    }

    /// Makes committed metadata durable (no-op in memory mode).
    pub async fn flush(&self) -> Result<()> {
        if !self.is_durable() {
            return Ok(());
        }
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.inner.meta.flush())
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

    /// Makes a metadata change that freed nothing durable.
    async fn durable<T>(&self, applied: Result<T>) -> Result<T> {
        let value = applied?;
        self.commit(Vec::new()).await?;
        Ok(value)
    }

    /// Creates a bucket; `BucketExists` if the name is taken.
    pub async fn create_bucket(&self, rec: &BucketRecord) -> Result<()> {
        self.durable(self.inner.meta.create_bucket(rec)).await
    }

    /// Replaces an existing bucket record (`NoSuchBucket` otherwise).
    pub async fn update_bucket(&self, rec: &BucketRecord) -> Result<()> {
        self.durable(self.inner.meta.update_bucket(rec)).await
    }

    /// Deletes an empty bucket with its configuration documents and domain bindings.
    pub async fn delete_bucket(&self, name: &str) -> Result<()> {
        self.durable(self.inner.meta.delete_bucket(name)).await
    }

    /// Sets (`Some`) or removes (`None`) a bucket configuration document.
    pub async fn put_config(&self, bucket: &str, kind: &str, doc: Option<&[u8]>) -> Result<()> {
        self.durable(self.inner.meta.put_config(bucket, kind, doc))
            .await
    }

    /// Binds a custom domain to a bucket; `DomainTaken` if it is bound to another one.
    pub async fn bind_domain(&self, domain: &str, bucket: &str, when_ms: i64) -> Result<()> {
        self.durable(self.inner.meta.bind_domain(domain, bucket, when_ms))
            .await
    }

    /// Unbinds a domain from a bucket; false if it was not bound to it.
    pub async fn unbind_domain(&self, domain: &str, bucket: &str) -> Result<bool> {
        self.durable(self.inner.meta.unbind_domain(domain, bucket))
            .await
    }

    /// Records a new multipart upload.
    pub async fn create_upload(&self, bucket: &str, rec: &UploadRecord) -> Result<()> {
        self.durable(self.inner.meta.create_upload(bucket, rec))
            .await
    }

    /// Commits an object write built by `update` from the current record and, when `source`
    /// names one, the copy source (`NoSuchKey` if it is missing). `blob` is the new body the
    /// record references, if any; it is kept only if the commit succeeds. A refusal by
    /// `update` comes back unchanged as [`TxError::Abort`].
    pub async fn update_object<E>(
        &self,
        bucket: &str,
        key: &str,
        source: Option<(&str, &str)>,
        blob: Option<NewBlob>,
        update: ObjectUpdate<'_, E>,
    ) -> TxResult<Written, E> {
        let c = self.inner.meta.update_object(bucket, key, source, update)?;
        if let Some(b) = blob {
            b.keep();
        }
        self.commit(c.freed).await?;
        Ok(Written {
            old: c.old,
            new: c.new,
        })
    }

    /// Stores `blob` as the whole body of `key` with the attributes in `template`, if `check`
    /// accepts the current object.
    pub async fn put_object<E>(
        &self,
        bucket: &str,
        key: &str,
        template: ObjectRecord,
        blob: NewBlob,
        check: ObjectCheck<'_, E>,
    ) -> TxResult<ObjectRecord, E> {
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
        let written = self
            .update_object(bucket, key, None, Some(blob), &update)
            .await?;
        Ok(written.new)
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
        // before the pin may already have unlinked the old files. The second read is
        // compared as bytes, not decoded again.
        for _ in 0..8 {
            let Some(raw) = meta.object_bytes(bucket, key)? else {
                return Ok(None);
            };
            let rec: ObjectRecord = meta::dec(&raw)?;
            let pin = self.inner.blobs.pin(&rec.segments);
            match meta.object_bytes(bucket, key)? {
                Some(again) if again == raw => {
                    return Ok(Some(OpenObject {
                        rec,
                        blobs: self.inner.blobs.clone(),
                        pin,
                    }));
                }
                Some(_) => continue,
                None => return Ok(None),
            }
        }
        Err(StoreError::Busy)
    }

    /// Lists one page of a bucket.
    pub fn list(&self, bucket: &str, q: &ListQuery<'_>) -> Result<ListPage> {
        list_objects(&self.inner.meta, bucket, q)
    }

    /// Stores a part built by `make` from the copy source (when `source` names one),
    /// replacing one with the same number. A refusal by `make` comes back as
    /// [`TxError::Abort`].
    pub async fn put_part<E>(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        source: Option<(&str, &str)>,
        blob: Option<NewBlob>,
        make: PartUpdate<'_, E>,
    ) -> TxResult<PartRecord, E> {
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

    /// Drops an upload and frees its parts.
    pub async fn abort_upload(&self, bucket: &str, key: &str, upload_id: &str) -> Result<()> {
        let done = self
            .finish_upload::<std::convert::Infallible>(bucket, key, upload_id, None, None)
            .await;
        match done {
            Ok(_) => Ok(()),
            Err(TxError::Store(e)) => Err(e),
            Err(TxError::Abort(never)) => match never {},
        }
    }

    /// Ends an upload, committing `object` as the key's new object when given, if its check
    /// accepts the current object. With `parts_version`, fails with `PartsChanged` if a part
    /// was written since the caller read the upload at that version. Returns the replaced
    /// object.
    pub async fn finish_upload<E>(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts_version: Option<u64>,
        object: Option<(&ObjectRecord, Option<ObjectCheck<'_, E>>)>,
    ) -> TxResult<Option<ObjectRecord>, E> {
        let (old, freed) =
            self.inner
                .meta
                .finish_upload(bucket, key, upload_id, parts_version, object)?;
        self.commit(freed).await?;
        Ok(old)
    }
}

/// A committed object write: the record it replaced and the new one.
#[derive(Clone, Debug)]
pub struct Written {
    /// The replaced record, if there was one.
    pub old: Option<ObjectRecord>,
    /// The new record.
    pub new: ObjectRecord,
}
