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
//!
//! A full disk: writes that add data are refused with [`StoreError::NoSpace`] before they
//! write anything once the free space would drop below a floor, deletes always find room
//! (a reserve file is given back for them), and a metadata engine that failed anyway is
//! reopened from what is durable, each write in doubt learning whether it made it. See
//! `space.rs`.

mod blob;
pub mod engine;
mod error;
mod faults;
mod list;
mod meta;
mod model;
mod space;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use blob::{
    BlobWriter, BodyHasher, BodyStream, NewBlob, READ_CHUNK, TempBody, TempReader, crc64,
    crc64_combine,
};
pub use error::{Result, StoreError, TxError, TxResult, is_no_space};
pub use faults::Faults;
pub use list::{
    ListEntry, ListPage, ListQuery, VersionItem, VersionPage, VersionQuery, list_objects,
    list_versions,
};
pub use meta::{
    Deleted, Finished, Meta, ObjectCheck, ObjectEdit, ObjectIter, ObjectUpdate, PartUpdate, Queued,
    RecordIter, ScanFrom, Source, VersionEntry, is_version_id, parse_version_id,
};
pub use model::{
    AclGrant, AclGrantee, AclPermission, BlobId, BucketRecord, DeleteMarker, NULL_VERSION,
    ObjectAttrs, ObjectKind, ObjectOwnership, ObjectRecord, PartRecord, PublicAccessBlock, Restore,
    Retention, RetentionMode, Segment, Sse, UploadRecord, Version, Versioning, now_ms,
    slice_segments,
};
pub use space::{FLOOR, RESERVE, SpaceReport};

use blob::{Blobs, PinGuard};
use engine::{Fate, Ticket};
use meta::Applied;
use space::Space;

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

/// Why a store is degraded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Degraded {
    /// Writes that add data are refused: `free` bytes are free on the data directory's
    /// filesystem and they need `needed`. Reads and deletes work.
    NoSpace {
        /// Free bytes.
        free: u64,
        /// Free bytes writes need.
        needed: u64,
    },
    /// The metadata store failed and could not be reopened yet.
    Metadata(String),
}

impl std::fmt::Display for Degraded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Degraded::NoSpace { free, needed } => write!(
                f,
                "the data directory's filesystem is full: {free} bytes free, writes need {needed}; reads and deletes work"
            ),
            Degraded::Metadata(m) => write!(f, "the metadata store failed: {m}"),
        }
    }
}

struct Inner {
    meta: Meta,
    blobs: Arc<Blobs>,
    /// The data directory; `None` in memory mode.
    root: Option<PathBuf>,
    /// Its space guard; `None` in memory mode.
    space: Option<Arc<Space>>,
}

/// Handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

/// A queue write applied and not yet known to be durable ([`Store::queue_apply`]).
pub struct QueueWrite(Applied<()>);

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
        Self::open_inner(opts, None)
    }

    /// Opens the store as [`Store::open`] does, with the failures `faults` injects into a data
    /// directory (for tests; a store in memory ignores them).
    pub fn open_with_faults(opts: &StoreOptions, faults: Arc<Faults>) -> Result<Self> {
        Self::open_inner(opts, Some(faults))
    }

    fn open_inner(opts: &StoreOptions, faults: Option<Arc<Faults>>) -> Result<Self> {
        let (engine, blobs, space): (Arc<dyn engine::Engine>, _, _) = match &opts.data_dir {
            Some(root) => {
                std::fs::create_dir_all(root)?;
                let space = Space::new(root, faults.clone());
                // sled writes while it opens (up to one 512 KiB log segment): on a full disk
                // it gets the reserve.
                space.make_room_if_low();
                let room = space.clone();
                let engine = engine::SledEngine::open_with(
                    &root.join("meta"),
                    faults,
                    Some(Box::new(move || room.release())),
                )?;
                let blobs = Blobs::open(root, true, Some(space.clone()))?;
                space.restore();
                (Arc::new(engine), blobs, Some(space))
            }
            None => (Arc::new(engine::MemoryEngine::new()), Blobs::memory(), None),
        };
        Ok(Self {
            inner: Arc::new(Inner {
                meta: Meta::new(engine),
                blobs,
                root: opts.data_dir.clone(),
                space,
            }),
        })
    }

    /// The free space of the data directory's filesystem as the store sees it (`None` in
    /// memory mode, or when it cannot be known).
    pub fn space(&self) -> Option<SpaceReport> {
        self.inner.space.as_ref().and_then(|s| s.report())
    }

    /// `Ok` when the store serves reads and writes; else why not. Reopens a failed metadata
    /// store and takes the reserve again when it can.
    pub fn health(&self) -> std::result::Result<(), Degraded> {
        if let Err(e) = self.inner.meta.engine().ready() {
            return Err(match e {
                StoreError::NoSpace => {
                    Degraded::Metadata("the disk is full and it has no room to reopen".into())
                }
                e => Degraded::Metadata(e.to_string()),
            });
        }
        match self.space() {
            Some(r) if !r.writable => Err(Degraded::NoSpace {
                free: r.free,
                needed: r.needed,
            }),
            _ => Ok(()),
        }
    }

    /// Whether a body of `bytes` would be accepted now ([`StoreError::NoSpace`] if not), so
    /// that a write can be refused before its body is read.
    pub fn room_for(&self, bytes: u64) -> Result<()> {
        match &self.inner.space {
            Some(s) => s.claim(bytes).map(drop).map_err(StoreError::from),
            None => Ok(()),
        }
    }

    /// Refuses a write that adds data when the disk has no room for it.
    fn room(&self) -> Result<()> {
        match &self.inner.space {
            Some(s) => s.claim(0).map(drop).map_err(StoreError::from),
            None => Ok(()),
        }
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
        tokio::task::spawn_blocking(move || store.inner.meta.flush().map(drop))
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))?
    }

    /// Makes an applied write durable, then unlinks the bodies it stopped referencing (in
    /// this order a crash in between leaves unreferenced files, removed by the start-up
    /// sweep, never a durable record whose body is gone) and keeps `blob`, the new body the
    /// write references. When the write turns out lost (the metadata store failed before it
    /// was durable and was reopened without it), `blob` is removed and the error returned:
    /// the write changed nothing. When its fate cannot be known yet, `blob` is kept for the
    /// start-up sweep to judge.
    /// Runs as a task of its own, so a caller that is cancelled (a client that hangs up)
    /// cannot leave the freed bodies behind.
    async fn settle<T: Send + 'static>(
        &self,
        applied: Applied<T>,
        blob: Option<NewBlob>,
    ) -> Result<T> {
        let store = self.clone();
        tokio::spawn(async move {
            let Applied {
                value,
                freed,
                ticket,
            } = applied;
            let outcome = match ticket {
                Some(t) if store.is_durable() => store.durability(t).await,
                _ => Ok(()),
            };
            match outcome {
                Ok(()) => {
                    if let Some(b) = blob {
                        b.keep();
                    }
                    store.inner.blobs.release(freed);
                    Ok(value)
                }
                Err((e, Fate::Lost { .. })) => {
                    drop(blob);
                    Err(e)
                }
                Err((e, _)) => {
                    if let Some(b) = blob {
                        b.keep();
                    }
                    Err(e)
                }
            }
        })
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))?
    }

    /// Flushes the batch of `t`; if that fails, reopens the metadata store and finds out
    /// whether the batch made it.
    async fn durability(&self, t: Ticket) -> std::result::Result<(), (StoreError, Fate)> {
        let store = self.clone();
        let judged = tokio::task::spawn_blocking(move || {
            let engine = store.inner.meta.engine();
            let failed = match store.inner.meta.flush() {
                Ok(g) if g == t.generation => return Ok(()),
                Ok(_) => None,
                Err(e) => {
                    // Reopening makes the engine tell the batch's fate; its error is the
                    // next request's.
                    let _ = engine.ready();
                    Some(e)
                }
            };
            match engine.fate(t) {
                Fate::Durable => Ok(()),
                fate => Err((lost_error(failed, fate), fate)),
            }
        })
        .await;
        judged.unwrap_or_else(|e| Err((StoreError::Io(std::io::Error::other(e)), Fate::Unknown)))
    }

    /// Applies and settles a write that adds data, refusing it first when the disk has no
    /// room.
    async fn write<T: Send + 'static>(&self, op: impl FnOnce() -> Result<Applied<T>>) -> Result<T> {
        self.room()?;
        self.settle(op()?, None).await
    }

    /// Applies and settles a delete. It never needs free space: when the disk is nearly full
    /// the reserve is given back first, and a delete refused because the disk filled up or the
    /// metadata store was reopened under it is tried once more.
    async fn erase<T: Send + 'static>(&self, op: impl Fn() -> Result<Applied<T>>) -> Result<T> {
        let op = || op().map_err(TxError::<std::convert::Infallible>::Store);
        match self.erase_or_refuse(op).await {
            Ok(v) => Ok(v),
            Err(TxError::Store(e)) => Err(e),
            Err(TxError::Abort(never)) => match never {},
        }
    }

    /// [`Store::erase`] for a delete that its caller's check may refuse.
    async fn erase_or_refuse<T: Send + 'static, E>(
        &self,
        op: impl Fn() -> TxResult<Applied<T>, E>,
    ) -> TxResult<T, E> {
        if let Some(s) = &self.inner.space {
            s.make_room_if_low();
        }
        let first = match op() {
            Ok(a) => self.settle(a, None).await.map_err(TxError::Store),
            Err(e) => Err(e),
        };
        match first {
            Err(TxError::Store(StoreError::NoSpace | StoreError::Unavailable(_))) => {
                if let Some(s) = &self.inner.space {
                    s.release();
                }
                Ok(self.settle(op()?, None).await?)
            }
            done => done,
        }
    }

    /// Creates a bucket; `BucketExists` if the name is taken.
    pub async fn create_bucket(&self, rec: &BucketRecord) -> Result<()> {
        self.write(|| self.inner.meta.create_bucket(rec)).await
    }

    /// Replaces an existing bucket record (`NoSuchBucket` otherwise), keeping its versioning
    /// state (see [`Store::set_versioning`]).
    pub async fn update_bucket(&self, rec: &BucketRecord) -> Result<()> {
        self.write(|| self.inner.meta.update_bucket(rec)).await
    }

    /// Sets a bucket's versioning state (`Enabled` or `Suspended`; never back to off).
    pub async fn set_versioning(&self, name: &str, state: Versioning) -> Result<()> {
        self.write(|| self.inner.meta.set_versioning(name, state))
            .await
    }

    /// Enables Object Lock on a bucket whose versioning is enabled
    /// (`VersioningNotEnabled` otherwise).
    pub async fn enable_object_lock(&self, name: &str) -> Result<()> {
        self.write(|| self.inner.meta.enable_object_lock(name))
            .await
    }

    /// Whether a bucket holds any object, version or delete marker.
    pub fn has_objects(&self, name: &str) -> Result<bool> {
        self.inner.meta.has_objects(name)
    }

    /// Deletes an empty bucket with its configuration documents and domain bindings.
    pub async fn delete_bucket(&self, name: &str) -> Result<()> {
        let done = self.erase(|| self.inner.meta.delete_bucket(name)).await;
        if done.is_err() {
            self.inner.meta.forget_configs();
        }
        done
    }

    /// Sets (`Some`) or removes (`None`) a bucket configuration document. Setting the
    /// document the bucket has (as start-up does with its configuration file) writes nothing,
    /// so it needs no free space.
    pub async fn put_config(&self, bucket: &str, kind: &str, doc: Option<&[u8]>) -> Result<()> {
        let op = || self.inner.meta.put_config(bucket, kind, doc);
        let done = match doc {
            Some(d) if self.inner.meta.shared_config(bucket, kind)?.as_deref() == Some(d) => Ok(()),
            Some(_) => self.write(op).await,
            None => self.erase(op).await,
        };
        if done.is_err() {
            // Applied but perhaps never durable: read it from the engine again.
            self.inner.meta.forget_configs();
        }
        done
    }

    /// Adds messages to queues kept beside the records (`(queue, sequence number, bytes)`)
    /// and removes others, in one batch applied before this returns (later reads see it). It
    /// is durable once [`Store::queue_settle`] returned, or else within about a second (the
    /// metadata engine's own flush), which suits removals of delivered messages (one lost to
    /// a crash delivers its message again). Additions are refused when the disk has no room.
    pub fn queue_apply(
        &self,
        add: &[(&str, u64, &[u8])],
        remove: &[(&str, u64)],
    ) -> Result<QueueWrite> {
        if !add.is_empty() {
            self.room()?;
        }
        Ok(QueueWrite(self.inner.meta.queue_write(add, remove)?))
    }

    /// Makes a queue write durable (see [`Store::queue_apply`]).
    pub async fn queue_settle(&self, w: QueueWrite) -> Result<()> {
        self.settle(w.0, None).await
    }

    /// Binds a custom domain to a bucket; `DomainTaken` if it is bound to another one. A
    /// binding that exists already writes nothing.
    pub async fn bind_domain(&self, domain: &str, bucket: &str, when_ms: i64) -> Result<()> {
        if self.inner.meta.get_domain(domain)?.as_deref() == Some(bucket) {
            return Ok(());
        }
        self.write(|| self.inner.meta.bind_domain(domain, bucket, when_ms))
            .await
    }

    /// Unbinds a domain from a bucket; false if it was not bound to it.
    pub async fn unbind_domain(&self, domain: &str, bucket: &str) -> Result<bool> {
        self.erase(|| self.inner.meta.unbind_domain(domain, bucket))
            .await
    }

    /// Records a new multipart upload.
    pub async fn create_upload(&self, bucket: &str, rec: &UploadRecord) -> Result<()> {
        self.write(|| self.inner.meta.create_upload(bucket, rec))
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
        source: Option<Source<'_>>,
        blob: Option<NewBlob>,
        update: ObjectUpdate<'_, E>,
    ) -> TxResult<Written, E> {
        self.commit_object(bucket, key, source, false, blob, update)
            .await
    }

    /// Like [`Store::update_object`], but an existing object keeps its version id in a
    /// versioned bucket (AppendObject adds to the current version).
    pub async fn update_in_place<E>(
        &self,
        bucket: &str,
        key: &str,
        blob: Option<NewBlob>,
        update: ObjectUpdate<'_, E>,
    ) -> TxResult<Written, E> {
        self.commit_object(bucket, key, None, true, blob, update)
            .await
    }

    async fn commit_object<E>(
        &self,
        bucket: &str,
        key: &str,
        source: Option<Source<'_>>,
        in_place: bool,
        blob: Option<NewBlob>,
        update: ObjectUpdate<'_, E>,
    ) -> TxResult<Written, E> {
        self.room()?;
        let applied = self
            .inner
            .meta
            .update_object(bucket, key, source, in_place, update)?;
        let c = self.settle(applied, blob).await?;
        Ok(Written {
            old: c.old,
            new: c.new,
            source_version: c.source_version,
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

    /// Deletes an object, a version of it (`version_id`), or adds a delete marker made by
    /// `owner` (a versioned bucket, no version named). See [`Deleted`].
    pub async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        owner: &str,
    ) -> Result<Deleted> {
        let accept = |_: Option<&ObjectRecord>| Ok::<(), std::convert::Infallible>(());
        match self
            .delete_checked(bucket, key, version_id, owner, &accept)
            .await
        {
            Ok(d) => Ok(d),
            Err(TxError::Store(e)) => Err(e),
            Err(TxError::Abort(never)) => match never {},
        }
    }

    /// [`Store::delete_object`], if `check` accepts the object version it would remove for
    /// good (retention rules); a refusal comes back as [`TxError::Abort`].
    pub async fn delete_checked<E>(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        owner: &str,
        check: ObjectCheck<'_, E>,
    ) -> TxResult<Deleted, E> {
        // A delete marker is a small record: like every delete it may use the reserve, so
        // that a full disk never stops deletes.
        self.erase_or_refuse(|| {
            self.inner
                .meta
                .delete_object(bucket, key, version_id, owner, check, None)
        })
        .await
    }

    /// Deletes the current object of `key` (a delete marker in a versioned bucket), if
    /// `current` accepts the object as it is at the moment of the delete and `check` the
    /// version it would remove for good: lifecycle expiration, which must not remove an
    /// object written after it decided.
    pub async fn expire_current<E>(
        &self,
        bucket: &str,
        key: &str,
        owner: &str,
        current: ObjectCheck<'_, E>,
        check: ObjectCheck<'_, E>,
    ) -> TxResult<Deleted, E> {
        self.erase_or_refuse(|| {
            self.inner
                .meta
                .delete_object(bucket, key, None, owner, check, Some(current))
        })
        .await
    }

    /// Changes one version of an object in place (its ACL or tags; the latest when
    /// `version_id` is `None`). A refusal by `edit` comes back as [`TxError::Abort`].
    pub async fn edit_object<E>(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        edit: ObjectEdit<'_, E>,
    ) -> TxResult<ObjectRecord, E> {
        self.room()?;
        let applied = self.inner.meta.edit_object(bucket, key, version_id, edit)?;
        Ok(self.settle(applied, None).await?)
    }

    /// Pins the body files of a record that is not stored (yet), such as the object an
    /// upload's parts will make. The caller checks afterwards that what references the
    /// files still does.
    pub fn open_segments(&self, rec: ObjectRecord) -> OpenObject {
        let pin = self.inner.blobs.pin(&rec.segments);
        OpenObject {
            rec,
            blobs: self.inner.blobs.clone(),
            pin,
        }
    }

    /// Looks an object up and pins its body files.
    pub fn open_object(&self, bucket: &str, key: &str) -> Result<Option<OpenObject>> {
        self.open_version(bucket, key, None)
    }

    /// Looks a version up (the object when `version_id` is `None`) and pins its body files;
    /// a delete marker comes back as itself.
    pub fn open_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<Option<OpenObject>> {
        let meta = &self.inner.meta;
        // Pin, then check the record did not change meanwhile: a writer that replaced it
        // before the pin may already have unlinked the old files. The second read is
        // compared as bytes, not decoded again.
        for _ in 0..8 {
            let Some(raw) = meta.version_bytes(bucket, key, version_id)? else {
                return Ok(None);
            };
            let rec: ObjectRecord = match version_id {
                None => meta::dec(&raw)?,
                Some(_) => match meta::dec::<Version>(&raw)? {
                    Version::Object(o) => *o,
                    Version::Marker(_) => return Ok(None),
                },
            };
            let pin = self.inner.blobs.pin(&rec.segments);
            match meta.version_bytes(bucket, key, version_id)? {
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
        source: Option<Source<'_>>,
        blob: Option<NewBlob>,
        make: PartUpdate<'_, E>,
    ) -> TxResult<PartRecord, E> {
        self.room()?;
        let applied = self
            .inner
            .meta
            .put_part(bucket, key, upload_id, source, make)?;
        Ok(self.settle(applied, blob).await?)
    }

    /// Drops an upload and frees its parts.
    pub async fn abort_upload(&self, bucket: &str, key: &str, upload_id: &str) -> Result<()> {
        let op = || {
            let done = self
                .inner
                .meta
                .finish_upload::<std::convert::Infallible>(bucket, key, upload_id, None, None);
            match done {
                Ok(a) => Ok(Applied {
                    value: (),
                    freed: a.freed,
                    ticket: a.ticket,
                }),
                Err(TxError::Store(e)) => Err(e),
                Err(TxError::Abort(never)) => match never {},
            }
        };
        self.erase(op).await
    }

    /// Ends an upload, committing `object` as the key's new object when given, if its check
    /// accepts the current object. With `parts_version`, fails with `PartsChanged` if a part
    /// was written since the caller read the upload at that version. Returns the replaced
    /// object and the committed one.
    pub async fn finish_upload<E>(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts_version: Option<u64>,
        object: Option<(&ObjectRecord, Option<ObjectCheck<'_, E>>)>,
    ) -> TxResult<Finished, E> {
        if object.is_some() {
            self.room()?;
        }
        let applied =
            self.inner
                .meta
                .finish_upload(bucket, key, upload_id, parts_version, object)?;
        Ok(self.settle(applied, None).await?)
    }
}

/// The error of a write whose batch is not known durable: the flush's own error, else a full
/// disk or a reopened metadata store.
fn lost_error(flush_error: Option<StoreError>, fate: Fate) -> StoreError {
    match (flush_error, fate) {
        (Some(e), _) => e,
        (None, Fate::Lost { no_space: true }) => StoreError::NoSpace,
        (None, _) => StoreError::Unavailable(
            "the metadata store was reopened before this write was durable".into(),
        ),
    }
}

/// A committed object write: the record it replaced and the new one.
#[derive(Clone, Debug)]
pub struct Written {
    /// The replaced record, if there was one.
    pub old: Option<ObjectRecord>,
    /// The new record.
    pub new: ObjectRecord,
    /// The version id of the copy source the write read (`None` for an object written while
    /// versioning was off, or no source).
    pub source_version: Option<String>,
}
