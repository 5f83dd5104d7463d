//! Metadata records over the key-value [`Engine`]: buckets, objects, blob reference counts,
//! configuration documents, domain bindings, uploads and parts.
//!
//! One key space; the first byte of a key names the record kind: `b` + bucket → bucket record,
//! `o` + `bucket\0key` → object, `r` + blob id → reference count, `c` + `bucket\0kind` →
//! configuration document, `d` + domain → binding, `u` + `bucket\0key\0upload id` → upload,
//! `p` + `upload id\0` + big-endian part number → part, `v` + `bucket\0key\0` + big-endian
//! `!seq` → a version of a key in a versioned bucket (see `versions.rs`), `q` + `queue\0` +
//! big-endian number → a queued message (event notifications). Every record that lists a
//! segment holds one reference on its blob; writes adjust the counts in the same atomic
//! batch and report blobs that have no reference left, which the caller unlinks after the batch
//! is durable.
//!
//! Writes hold one process-wide lock, stage their changes (so later reads in the same write see
//! earlier ones) and apply them as one batch. Holding the lock makes DeleteBucket's emptiness
//! check and removal one step that no object write can interleave with. The write methods are
//! crate-private: each returns what it [`Applied`], and [`crate::Store`] makes that durable
//! (or learns that it was lost) before it returns.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Serialize, de::DeserializeOwned};

use crate::engine::{Batch, Engine, Ticket, prefix_end, scan_prefix};
use crate::error::{Result, StoreError, TxError, TxResult};
use crate::model::{
    BlobId, BucketRecord, DeleteMarker, ObjectRecord, PartRecord, Segment, UploadRecord, Version,
    Versioning,
};

mod versions;

pub use versions::{Deleted, VersionEntry, is_version_id, parse_version_id};

/// Builds an object's new record from its current record and, for copies, the source's, or
/// refuses the write with its own error. Runs under the metadata write lock, so it must be
/// quick and must not touch the store.
pub type ObjectUpdate<'a, E> =
    &'a (dyn Fn(Option<&ObjectRecord>, Option<&ObjectRecord>) -> Result<ObjectRecord, E> + Sync);

/// Accepts or refuses a write given the current object (conditional writes); pure, like
/// [`ObjectUpdate`].
pub type ObjectCheck<'a, E> = &'a (dyn Fn(Option<&ObjectRecord>) -> Result<(), E> + Sync);

/// Changes an object version in place (its ACL, its tags): gets the record, returns the new one
/// with the same body, or refuses; pure, like [`ObjectUpdate`].
pub type ObjectEdit<'a, E> = &'a (dyn Fn(&ObjectRecord) -> Result<ObjectRecord, E> + Sync);

/// Builds a part record from the copy source (if any), or refuses; pure, like [`ObjectUpdate`].
pub type PartUpdate<'a, E> = &'a (dyn Fn(Option<&ObjectRecord>) -> Result<PartRecord, E> + Sync);

/// Iterator over `(key, record)` pairs in key order.
pub type ObjectIter<'a> = Box<dyn Iterator<Item = Result<(String, ObjectRecord)>> + Send + 'a>;

/// Iterator over records in key order.
pub type RecordIter<'a, T> = Box<dyn Iterator<Item = Result<T>> + Send + 'a>;

/// Where a scan starts.
#[derive(Clone, Copy, Debug)]
pub enum ScanFrom<'a> {
    /// At this key (inclusive).
    At(&'a str),
    /// Just after this key.
    After(&'a str),
    /// After every key that starts with this prefix.
    PastPrefix(&'a str),
}

/// An object write as committed by the metadata layer: the replaced record and the new one.
pub(crate) struct Committed {
    pub(crate) old: Option<ObjectRecord>,
    pub(crate) new: ObjectRecord,
    /// The copy source's version id, as read by the write.
    pub(crate) source_version: Option<String>,
}

/// A write applied to the engine and not yet known to be durable: its result, the blobs no
/// record references any more (to unlink once it is durable), and its batch's ticket (`None`
/// when it changed nothing).
pub(crate) struct Applied<T> {
    pub(crate) value: T,
    pub(crate) freed: Vec<BlobId>,
    pub(crate) ticket: Option<Ticket>,
}

const BUCKET: u8 = b'b';
const OBJECT: u8 = b'o';
const REFS: u8 = b'r';
const CONFIG: u8 = b'c';
const DOMAIN: u8 = b'd';
const UPLOAD: u8 = b'u';
const PART: u8 = b'p';
/// `q` + queue name + `\0` + big-endian sequence number → a queued message (the event
/// notification queues, see [`crate::Store::queue_apply`]).
const QUEUE: u8 = b'q';

fn tagged(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let len = 1 + parts.iter().map(|p| p.len() + 1).sum::<usize>();
    let mut k = Vec::with_capacity(len);
    k.push(tag);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            k.push(0);
        }
        k.extend_from_slice(p);
    }
    k
}

fn bucket_key(name: &str) -> Vec<u8> {
    tagged(BUCKET, &[name.as_bytes()])
}

fn obj_key(bucket: &str, key: &str) -> Vec<u8> {
    tagged(OBJECT, &[bucket.as_bytes(), key.as_bytes()])
}

/// `tag` + `bucket\0`: the prefix of a bucket's records of one kind.
fn in_bucket(tag: u8, bucket: &str) -> Vec<u8> {
    tagged(tag, &[bucket.as_bytes(), b""])
}

fn config_key(bucket: &str, kind: &str) -> Vec<u8> {
    tagged(CONFIG, &[bucket.as_bytes(), kind.as_bytes()])
}

fn domain_key(domain: &str) -> Vec<u8> {
    tagged(DOMAIN, &[domain.as_bytes()])
}

fn refs_key(id: BlobId) -> Vec<u8> {
    tagged(REFS, &[&id.0.to_be_bytes()])
}

fn upload_key(bucket: &str, key: &str, upload_id: &str) -> Vec<u8> {
    tagged(
        UPLOAD,
        &[bucket.as_bytes(), key.as_bytes(), upload_id.as_bytes()],
    )
}

/// `p` + `upload id\0`: the prefix of an upload's parts.
fn parts_prefix(upload_id: &str) -> Vec<u8> {
    tagged(PART, &[upload_id.as_bytes(), b""])
}

fn part_key(upload_id: &str, part: u32) -> Vec<u8> {
    let mut k = parts_prefix(upload_id);
    k.extend_from_slice(&part.to_be_bytes());
    k
}

fn enc<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec(v)?)
}

pub(crate) fn dec<T: DeserializeOwned>(b: &[u8]) -> Result<T> {
    Ok(serde_json::from_slice(b)?)
}

/// The changes of one write, staged so later reads see earlier writes, applied as one batch.
struct Writes<'a> {
    engine: &'a dyn Engine,
    /// The engine generation the write reads and applies in.
    generation: u64,
    staged: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl<'a> Writes<'a> {
    /// Starts a write (under the write lock), reopening a failed engine first.
    fn new(engine: &'a dyn Engine) -> Result<Self> {
        Ok(Self {
            engine,
            generation: engine.ready()?,
            staged: BTreeMap::new(),
        })
    }

    fn get(&self, k: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.staged.get(k) {
            Some(v) => Ok(v.clone()),
            None => self.engine.get(k),
        }
    }

    fn get_dec<T: DeserializeOwned>(&self, k: &[u8]) -> Result<Option<T>> {
        self.get(k)?.map(|v| dec(&v)).transpose()
    }

    fn insert(&mut self, k: Vec<u8>, v: Vec<u8>) {
        self.staged.insert(k, Some(v));
    }

    /// Removes `k`, returning its value.
    fn remove(&mut self, k: Vec<u8>) -> Result<Option<Vec<u8>>> {
        let old = self.get(&k)?;
        self.staged.insert(k, None);
        Ok(old)
    }

    /// Adds `delta` references to every blob in `segments`; collects blobs that reach zero.
    fn adjust_refs(
        &mut self,
        segments: &[Segment],
        delta: i64,
        freed: &mut Vec<BlobId>,
    ) -> Result<()> {
        for s in segments {
            let k = refs_key(s.blob);
            let cur = match self.get(&k)? {
                Some(v) => u64::from_be_bytes(v.as_slice().try_into().unwrap_or([0; 8])),
                None => 0,
            };
            let next = (cur as i64 + delta).max(0) as u64;
            if next == 0 {
                self.remove(k)?;
                if delta < 0 {
                    freed.push(s.blob);
                }
            } else {
                self.insert(k, next.to_be_bytes().to_vec());
            }
        }
        Ok(())
    }

    /// Moves blob references from a record's `old` segments to its `new` ones.
    fn replace_segments(
        &mut self,
        new: &[Segment],
        old: Option<&[Segment]>,
        freed: &mut Vec<BlobId>,
    ) -> Result<()> {
        self.adjust_refs(new, 1, freed)?;
        if let Some(old) = old {
            self.adjust_refs(old, -1, freed)?;
        }
        Ok(())
    }

    /// Applies every staged change atomically; `None` when nothing was staged.
    fn apply(self) -> Result<Option<Ticket>> {
        if self.staged.is_empty() {
            return Ok(None);
        }
        let mut batch = Batch::default();
        for (k, v) in self.staged {
            match v {
                Some(v) => batch.insert(k, v),
                None => batch.remove(k),
            }
        }
        self.engine.apply(batch, self.generation).map(Some)
    }

    /// Applies every staged change: what `value` and `freed` were applied with. A blob is
    /// freed only if no reference to it is left once every change is staged: a count that
    /// passed through zero on the way (one record dropped before another took it up) keeps
    /// its body.
    fn done<T>(self, value: T, mut freed: Vec<BlobId>) -> Result<Applied<T>> {
        freed.sort_unstable();
        freed.dedup();
        let mut gone = Vec::with_capacity(freed.len());
        for id in freed {
            if self.get(&refs_key(id))?.is_none() {
                gone.push(id);
            }
        }
        Ok(Applied {
            value,
            freed: gone,
            ticket: self.apply()?,
        })
    }
}

/// What a write that changed nothing applied.
fn nothing<T>(value: T) -> Applied<T> {
    Applied {
        value,
        freed: Vec::new(),
        ticket: None,
    }
}

/// Records over an engine. Reads are public; writes go through [`crate::Store`].
pub struct Meta {
    engine: Arc<dyn Engine>,
    /// Serialises every write; plain reads do not take it.
    write: Mutex<()>,
    /// Configuration documents as last read or written, by key (`None`: absent). Requests
    /// read several per bucket (policy, website, logging, ...); this makes each a map lookup.
    /// Filled and changed only under `write`, so a reader never stores what a writer
    /// replaced meanwhile.
    configs: std::sync::RwLock<Configs>,
}

/// Configuration documents by key (`None`: known to be absent).
type Configs = std::collections::HashMap<Vec<u8>, Option<Arc<[u8]>>>;

/// Cached configuration lookups kept before the cache starts over.
const MAX_CACHED_CONFIGS: usize = 100_000;

impl Meta {
    pub(crate) fn new(engine: Arc<dyn Engine>) -> Self {
        Self {
            engine,
            write: Mutex::new(()),
            configs: Default::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ()> {
        // The guarded state is the engine's, which a panicking writer cannot leave
        // half-applied (batches are atomic).
        self.write.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bucket_exists(&self, name: &str) -> Result<bool> {
        Ok(self.engine.get(&bucket_key(name))?.is_some())
    }

    fn require_bucket(&self, name: &str) -> Result<()> {
        if self.bucket_exists(name)? {
            Ok(())
        } else {
            Err(StoreError::NoSuchBucket)
        }
    }

    /// The bucket's versioning state (`NoSuchBucket` if it does not exist).
    fn versioning(&self, name: &str) -> Result<Versioning> {
        self.get_bucket(name)?
            .map(|b| b.versioning)
            .ok_or(StoreError::NoSuchBucket)
    }

    fn decoded<T: DeserializeOwned>(&self, k: &[u8]) -> Result<Option<T>> {
        self.engine.get(k)?.map(|v| dec(&v)).transpose()
    }

    /// Makes every applied change durable; returns the engine generation it flushed.
    pub(crate) fn flush(&self) -> Result<u64> {
        self.engine.flush()
    }

    /// The engine, for the store's durability questions.
    pub(crate) fn engine(&self) -> &dyn Engine {
        self.engine.as_ref()
    }

    /// A bucket by name.
    pub fn get_bucket(&self, name: &str) -> Result<Option<BucketRecord>> {
        self.decoded(&bucket_key(name))
    }

    /// All buckets in name order.
    pub fn list_buckets(&self) -> Result<Vec<BucketRecord>> {
        scan_prefix(self.engine.as_ref(), &[BUCKET])
            .map(|kv| dec(&kv?.1))
            .collect()
    }

    /// Creates a bucket; `BucketExists` if the name is taken.
    pub(crate) fn create_bucket(&self, rec: &BucketRecord) -> Result<Applied<()>> {
        let _w = self.lock();
        let mut w = Writes::new(self.engine.as_ref())?;
        if self.bucket_exists(&rec.name)? {
            return Err(StoreError::BucketExists);
        }
        w.insert(bucket_key(&rec.name), enc(rec)?);
        w.done((), Vec::new())
    }

    /// Replaces an existing bucket record, except its versioning state and Object Lock, which
    /// only [`Meta::set_versioning`] and [`Meta::enable_object_lock`] change (a record read
    /// before such a change must not turn it back).
    pub(crate) fn update_bucket(&self, rec: &BucketRecord) -> Result<Applied<()>> {
        let _w = self.lock();
        let mut w = Writes::new(self.engine.as_ref())?;
        let cur = self
            .get_bucket(&rec.name)?
            .ok_or(StoreError::NoSuchBucket)?;
        let rec = BucketRecord {
            versioning: cur.versioning,
            object_lock: cur.object_lock,
            data_redundancy: cur.data_redundancy,
            ..rec.clone()
        };
        w.insert(bucket_key(&rec.name), enc(&rec)?);
        w.done((), Vec::new())
    }

    /// Enables Object Lock on a bucket (for good; it needs versioning enabled, which then
    /// stays so).
    pub(crate) fn enable_object_lock(&self, name: &str) -> Result<Applied<()>> {
        let _w = self.lock();
        let mut w = Writes::new(self.engine.as_ref())?;
        let mut rec = self.get_bucket(name)?.ok_or(StoreError::NoSuchBucket)?;
        if rec.object_lock {
            return Ok(nothing(()));
        }
        if rec.versioning != Versioning::Enabled {
            return Err(StoreError::VersioningNotEnabled);
        }
        rec.object_lock = true;
        w.insert(bucket_key(name), enc(&rec)?);
        w.done((), Vec::new())
    }

    /// Sets a bucket's versioning state (`Enabled` or `Suspended`; never back to off).
    pub(crate) fn set_versioning(&self, name: &str, state: Versioning) -> Result<Applied<()>> {
        let _w = self.lock();
        let mut w = Writes::new(self.engine.as_ref())?;
        let mut rec = self.get_bucket(name)?.ok_or(StoreError::NoSuchBucket)?;
        if rec.versioning == state || state == Versioning::Off {
            return Ok(nothing(()));
        }
        if rec.object_lock {
            return Err(StoreError::ObjectLocked);
        }
        rec.versioning = state;
        w.insert(bucket_key(name), enc(&rec)?);
        w.done((), Vec::new())
    }

    /// Whether a bucket holds any object, version or delete marker.
    pub fn has_objects(&self, name: &str) -> Result<bool> {
        let engine = self.engine.as_ref();
        Ok(engine.has_prefix(&in_bucket(OBJECT, name))?
            || engine.has_prefix(&in_bucket(versions::VERSION, name))?)
    }

    /// Deletes an empty bucket with its configuration documents and domain bindings.
    pub(crate) fn delete_bucket(&self, name: &str) -> Result<Applied<()>> {
        // Under the write lock no object or upload can be created between the emptiness check
        // and the removal, and none after it (those writes check that the bucket exists).
        let _w = self.lock();
        let engine = self.engine.as_ref();
        let mut w = Writes::new(engine)?;
        self.require_bucket(name)?;
        if self.has_objects(name)? || engine.has_prefix(&in_bucket(UPLOAD, name))? {
            return Err(StoreError::BucketNotEmpty);
        }
        w.remove(bucket_key(name))?;
        for kv in scan_prefix(engine, &in_bucket(CONFIG, name)) {
            w.remove(kv?.0)?;
        }
        for (domain, _) in self.list_domains(name)? {
            w.remove(domain_key(&domain))?;
        }
        let applied = w.done((), Vec::new())?;
        let prefix = in_bucket(CONFIG, name);
        self.configs
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|k, _| !k.starts_with(&prefix));
        Ok(applied)
    }

    /// A bucket configuration document (`website`, `cors`, ...).
    pub fn get_config(&self, bucket: &str, kind: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.shared_config(bucket, kind)?.map(|d| d.to_vec()))
    }

    /// [`Meta::get_config`] without a copy: the cached document itself. The same `Arc` comes
    /// back until the document changes, so a caller can keep what it derived from it.
    pub fn shared_config(&self, bucket: &str, kind: &str) -> Result<Option<Arc<[u8]>>> {
        let k = config_key(bucket, kind);
        if let Some(hit) = self.read_configs().get(&k) {
            return Ok(hit.clone());
        }
        let _w = self.lock();
        let doc = self.engine.get(&k)?;
        Ok(self.cache_config(k, doc.as_deref()))
    }

    fn read_configs(&self) -> std::sync::RwLockReadGuard<'_, Configs> {
        self.configs.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops every cached configuration document: after a write that failed, whose change
    /// may be applied but never made durable (a reopened engine would not have it).
    pub(crate) fn forget_configs(&self) {
        self.configs
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Records a configuration document (call with the write lock held) and returns it.
    fn cache_config(&self, k: Vec<u8>, doc: Option<&[u8]>) -> Option<Arc<[u8]>> {
        let mut configs = self.configs.write().unwrap_or_else(|e| e.into_inner());
        if configs.len() >= MAX_CACHED_CONFIGS {
            configs.clear();
        }
        let doc: Option<Arc<[u8]>> = doc.map(Arc::from);
        configs.insert(k, doc.clone());
        doc
    }

    /// Sets (`Some`) or removes (`None`) a configuration document. Setting the document a
    /// bucket already has, or removing one it does not have, writes nothing.
    pub(crate) fn put_config(
        &self,
        bucket: &str,
        kind: &str,
        doc: Option<&[u8]>,
    ) -> Result<Applied<()>> {
        let _w = self.lock();
        let mut w = Writes::new(self.engine.as_ref())?;
        let k = config_key(bucket, kind);
        if doc.is_some() {
            self.require_bucket(bucket)?;
        }
        if w.get(&k)?.as_deref() == doc {
            return Ok(nothing(()));
        }
        match doc {
            Some(d) => w.insert(k.clone(), d.to_vec()),
            None => {
                w.remove(k.clone())?;
            }
        }
        let applied = w.done((), Vec::new())?;
        self.cache_config(k, doc);
        Ok(applied)
    }

    /// The bucket a custom domain is bound to.
    pub fn get_domain(&self, domain: &str) -> Result<Option<String>> {
        let binding: Option<(String, i64)> = self.decoded(&domain_key(domain))?;
        Ok(binding.map(|(bucket, _)| bucket))
    }

    /// Binds a domain to a bucket; `DomainTaken` if bound to another bucket.
    pub(crate) fn bind_domain(
        &self,
        domain: &str,
        bucket: &str,
        when_ms: i64,
    ) -> Result<Applied<()>> {
        let _w = self.lock();
        let mut w = Writes::new(self.engine.as_ref())?;
        if let Some(owner) = self.get_domain(domain)? {
            return if owner == bucket {
                Ok(nothing(()))
            } else {
                Err(StoreError::DomainTaken)
            };
        }
        self.require_bucket(bucket)?;
        w.insert(domain_key(domain), enc(&(bucket, when_ms))?);
        w.done((), Vec::new())
    }

    /// Unbinds a domain from a bucket; false if it was not bound to it.
    pub(crate) fn unbind_domain(&self, domain: &str, bucket: &str) -> Result<Applied<bool>> {
        let _w = self.lock();
        let mut w = Writes::new(self.engine.as_ref())?;
        if self.get_domain(domain)?.as_deref() != Some(bucket) {
            return Ok(nothing(false));
        }
        w.remove(domain_key(domain))?;
        w.done(true, Vec::new())
    }

    /// Domains bound to a bucket with their binding time.
    pub fn list_domains(&self, bucket: &str) -> Result<Vec<(String, i64)>> {
        let mut out = Vec::new();
        for kv in scan_prefix(self.engine.as_ref(), &[DOMAIN]) {
            let (k, v) = kv?;
            let (owner, when): (String, i64) = dec(&v)?;
            if owner == bucket {
                out.push((String::from_utf8_lossy(&k[1..]).into_owned(), when));
            }
        }
        Ok(out)
    }

    /// The current object.
    pub fn get_object(&self, bucket: &str, key: &str) -> Result<Option<ObjectRecord>> {
        self.decoded(&obj_key(bucket, key))
    }

    /// The current object's stored bytes, to compare two reads without decoding both.
    pub(crate) fn object_bytes(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>> {
        self.engine.get(&obj_key(bucket, key))
    }

    /// Creates or replaces an object with the record `update` builds from the current one and,
    /// when `source` names one, the copy source (`NoSuchKey` if it is missing).
    /// With `in_place`, an existing object keeps its version (AppendObject); otherwise a
    /// versioned bucket gets a new version.
    pub(crate) fn update_object<E>(
        &self,
        bucket: &str,
        key: &str,
        source: Option<Source<'_>>,
        in_place: bool,
        update: ObjectUpdate<'_, E>,
    ) -> TxResult<Applied<Committed>, E> {
        let _l = self.lock();
        let mut w = Writes::new(self.engine.as_ref())?;
        let state = self.versioning(bucket)?;
        let k = obj_key(bucket, key);
        let old: Option<ObjectRecord> = w.get_dec(&k)?;
        let src = match source {
            Some((b, sk, v)) => Some(self.source(&w, b, sk, v)?),
            None => None,
        };
        let mut new = update(old.as_ref(), src.as_ref()).map_err(TxError::Abort)?;
        let mut freed = Vec::new();
        match old.as_ref().filter(|_| in_place) {
            // The current version changes in place (an append): same id, new body.
            Some(cur) => {
                new.version_id.clone_from(&cur.version_id);
                if let Some(id) = &cur.version_id {
                    w.move_version(bucket, key, id, &new, &cur.segments, &mut freed)?;
                }
            }
            None => w.add_version(bucket, key, state, old.as_ref(), &mut new, &mut freed)?,
        }
        let old_segments = old.as_ref().map(|o| o.segments.as_slice());
        w.replace_segments(&new.segments, old_segments, &mut freed)?;
        w.insert(k, enc(&new)?);
        let source_version = src.and_then(|s| s.version_id);
        Ok(w.done(
            Committed {
                old,
                new,
                source_version,
            },
            freed,
        )?)
    }

    /// Deletes an object: with versioning off, the object; in a versioned bucket, the version
    /// named (the latest taking its place), or, when none is named, adds a delete marker.
    /// `check` sees the object version the delete would remove for good (none when it only
    /// adds a delete marker) and may refuse.
    pub(crate) fn delete_object<E>(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        owner: &str,
        check: ObjectCheck<'_, E>,
        current: Option<ObjectCheck<'_, E>>,
    ) -> TxResult<Applied<Deleted>, E> {
        let _l = self.lock();
        let mut w = Writes::new(self.engine.as_ref())?;
        if let Some(current) = current {
            let cur: Option<ObjectRecord> = w.get_dec(&obj_key(bucket, key))?;
            current(cur.as_ref()).map_err(TxError::Abort)?;
        }
        let mut freed = Vec::new();
        let state = match self.get_bucket(bucket)? {
            Some(b) => b.versioning,
            None => Versioning::Off,
        };
        let removed = self.removed_by_delete(bucket, key, version_id, state)?;
        check(removed.as_ref()).map_err(TxError::Abort)?;
        let deleted = match (version_id, state) {
            (Some(v), _) => w.remove_version(bucket, key, v, &mut freed)?,
            (None, Versioning::Off) => {
                let Some(v) = w.remove(obj_key(bucket, key))? else {
                    return Ok(nothing(Deleted::default()));
                };
                let old: ObjectRecord = dec(&v)?;
                w.adjust_refs(&old.segments, -1, &mut freed)?;
                Deleted {
                    changed: true,
                    ..Deleted::default()
                }
            }
            (None, state) => w.add_marker(bucket, key, state, owner, &mut freed)?,
        };
        if !deleted.changed {
            return Ok(nothing(deleted));
        }
        Ok(w.done(deleted, freed)?)
    }

    /// The object version a delete removes for good: the version named, the object of a
    /// bucket with versioning off, the null version a suspended bucket's marker replaces.
    fn removed_by_delete(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        state: Versioning,
    ) -> Result<Option<ObjectRecord>> {
        let named = match (version_id, state) {
            (Some(v), _) => Some(v),
            (None, Versioning::Suspended) => Some(crate::model::NULL_VERSION),
            (None, Versioning::Off) => None,
            (None, Versioning::Enabled) => return Ok(None),
        };
        match self.get_version(bucket, key, named)? {
            Some(Version::Object(o)) => Ok(Some(*o)),
            _ => Ok(None),
        }
    }

    /// Changes one version of an object in place (the latest when `version_id` is `None`):
    /// the object record and its version record alike. `NoSuchKey` when the key has no such
    /// object version (a delete marker included).
    pub(crate) fn edit_object<E>(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        edit: ObjectEdit<'_, E>,
    ) -> TxResult<Applied<ObjectRecord>, E> {
        let _l = self.lock();
        let mut w = Writes::new(self.engine.as_ref())?;
        self.require_bucket(bucket)?;
        let ok = obj_key(bucket, key);
        let current: Option<ObjectRecord> = w.get_dec(&ok)?;
        let target = match version_id {
            None => current.clone(),
            Some(v) => match versions::find_version(self.engine.as_ref(), bucket, key, v)? {
                Some(Version::Object(o)) => Some(*o),
                _ => None,
            },
        };
        let target = target.ok_or(StoreError::NoSuchKey)?;
        let mut new = edit(&target).map_err(TxError::Abort)?;
        new.segments.clone_from(&target.segments);
        new.version_id.clone_from(&target.version_id);
        if current
            .as_ref()
            .is_some_and(|c| c.version_id == target.version_id)
        {
            w.insert(ok, enc(&new)?);
        }
        let mut freed = Vec::new();
        if let Some(id) = &target.version_id {
            w.move_version(bucket, key, id, &new, &target.segments, &mut freed)?;
        }
        Ok(w.done(new, freed)?)
    }

    /// A version of a key: the object record when `version_id` is `None` (a delete marker
    /// then reads as `None`), else the version so named.
    pub fn get_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<Option<Version>> {
        match version_id {
            None => Ok(self
                .get_object(bucket, key)?
                .map(|o| Version::Object(Box::new(o)))),
            Some(v) => versions::find_version(self.engine.as_ref(), bucket, key, v),
        }
    }

    /// The place of a version among its key's versions (see [`VersionEntry::seq`]): the one
    /// its id names, whether or not it still exists; `None` for a null version the key lacks.
    pub fn version_seq(&self, bucket: &str, key: &str, version_id: &str) -> Result<Option<u64>> {
        versions::version_seq(self.engine.as_ref(), bucket, key, version_id)
    }

    /// The key's delete marker, when its latest version is one.
    pub fn latest_marker(&self, bucket: &str, key: &str) -> Result<Option<DeleteMarker>> {
        versions::latest_marker(self.engine.as_ref(), bucket, key)
    }

    /// A version's stored bytes, to compare two reads without decoding both.
    pub(crate) fn version_bytes(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<Option<Vec<u8>>> {
        match version_id {
            None => self.object_bytes(bucket, key),
            Some(v) => Ok(
                versions::find_version(self.engine.as_ref(), bucket, key, v)?
                    .map(|v| enc(&v))
                    .transpose()?,
            ),
        }
    }

    /// Every version of a bucket, by key and newest first per key, from key `from` on (with
    /// `past`, after every key that starts with `from`).
    pub fn scan_versions<'a>(
        &'a self,
        bucket: &str,
        from: &str,
        past: bool,
    ) -> Box<dyn Iterator<Item = Result<VersionEntry>> + Send + 'a> {
        Box::new(versions::scan_versions(
            self.engine.as_ref(),
            bucket,
            from,
            past,
        ))
    }

    /// A copy source: the object, or the version named (`NoSuchKey` or `NoSuchVersion`).
    fn source(
        &self,
        w: &Writes<'_>,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<ObjectRecord> {
        match version_id {
            None => w
                .get_dec(&obj_key(bucket, key))?
                .ok_or(StoreError::NoSuchKey),
            Some(v) => match versions::find_version(self.engine.as_ref(), bucket, key, v)? {
                Some(Version::Object(o)) => Ok(*o),
                Some(Version::Marker(_)) => Err(StoreError::SourceIsDeleteMarker),
                None => Err(StoreError::NoSuchVersion),
            },
        }
    }

    /// Objects of a bucket in key order.
    pub fn scan_objects<'a>(&'a self, bucket: &str, from: ScanFrom<'_>) -> ObjectIter<'a> {
        let prefix_len = 1 + bucket.len() + 1;
        let end = prefix_end(&in_bucket(OBJECT, bucket)).unwrap_or_default();
        let start = match from {
            ScanFrom::At(k) => Bound::Included(obj_key(bucket, k)),
            ScanFrom::After(k) => Bound::Excluded(obj_key(bucket, k)),
            ScanFrom::PastPrefix(p) => match prefix_end(&obj_key(bucket, p)) {
                Some(past) => Bound::Included(past),
                None => Bound::Included(end.clone()),
            },
        };
        let from = match &start {
            Bound::Included(k) => Bound::Included(k.as_slice()),
            Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
            Bound::Unbounded => Bound::Unbounded,
        };
        let iter = self.engine.range(from, Bound::Excluded(&end));
        Box::new(iter.map(move |kv| {
            let (k, v) = kv?;
            let key = String::from_utf8(k[prefix_len..].to_vec())
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok((key, dec(&v)?))
        }))
    }

    /// Whether any record references the blob.
    pub fn blob_referenced(&self, id: BlobId) -> Result<bool> {
        Ok(self.engine.get(&refs_key(id))?.is_some())
    }

    /// Records a new multipart upload.
    pub(crate) fn create_upload(&self, bucket: &str, rec: &UploadRecord) -> Result<Applied<()>> {
        let _l = self.lock();
        let mut w = Writes::new(self.engine.as_ref())?;
        self.require_bucket(bucket)?;
        w.insert(upload_key(bucket, &rec.key, &rec.upload_id), enc(rec)?);
        w.done((), Vec::new())
    }

    /// An upload by key and id.
    pub fn get_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<Option<UploadRecord>> {
        self.decoded(&upload_key(bucket, key, upload_id))
    }

    /// Uploads of a bucket ordered by key then upload id, starting after `(key, upload_id)`.
    pub fn scan_uploads(
        &self,
        bucket: &str,
        after: Option<(&str, &str)>,
    ) -> RecordIter<'_, UploadRecord> {
        let prefix = in_bucket(UPLOAD, bucket);
        let end = prefix_end(&prefix).unwrap_or_default();
        let iter = match after {
            Some((k, u)) => {
                let start = upload_key(bucket, k, u);
                self.engine
                    .range(Bound::Excluded(&start), Bound::Excluded(&end))
            }
            None => self
                .engine
                .range(Bound::Included(&prefix), Bound::Excluded(&end)),
        };
        Box::new(iter.map(|kv| dec(&kv?.1)))
    }

    /// Stores the part `make` builds (from the copy source when `source` is given), replacing
    /// one with the same number.
    pub(crate) fn put_part<E>(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        source: Option<Source<'_>>,
        make: PartUpdate<'_, E>,
    ) -> TxResult<Applied<PartRecord>, E> {
        let _l = self.lock();
        let mut w = Writes::new(self.engine.as_ref())?;
        let uk = upload_key(bucket, key, upload_id);
        let mut up: UploadRecord = w.get_dec(&uk)?.ok_or(StoreError::NoSuchUpload)?;
        up.parts_version += 1;
        w.insert(uk, enc(&up)?);
        let src = match source {
            Some((b, sk, v)) => Some(self.source(&w, b, sk, v)?),
            None => None,
        };
        let part = make(src.as_ref()).map_err(TxError::Abort)?;
        let pk = part_key(upload_id, part.part_number);
        let mut freed = Vec::new();
        let old: Option<PartRecord> = w.get_dec(&pk)?;
        let old_segments = old.as_ref().map(|o| o.segments.as_slice());
        w.replace_segments(&part.segments, old_segments, &mut freed)?;
        w.insert(pk, enc(&part)?);
        Ok(w.done(part, freed)?)
    }

    /// Parts of an upload in part-number order, after `after`.
    pub fn scan_parts(&self, upload_id: &str, after: u32) -> RecordIter<'_, PartRecord> {
        let end = prefix_end(&parts_prefix(upload_id)).unwrap_or_default();
        let start = part_key(upload_id, after);
        let iter = self
            .engine
            .range(Bound::Excluded(&start), Bound::Excluded(&end));
        Box::new(iter.map(|kv| dec(&kv?.1)))
    }

    /// Removes an upload and its parts; with `object`, commits it as the key's new object if
    /// `check` (when given) accepts the current one. With `parts_version`, fails with
    /// `PartsChanged` if a part was written since the caller read the upload at that version.
    /// Applies the replaced object and the one committed.
    pub(crate) fn finish_upload<E>(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts_version: Option<u64>,
        object: Option<(&ObjectRecord, Option<ObjectCheck<'_, E>>)>,
    ) -> TxResult<Applied<Finished>, E> {
        let _l = self.lock();
        let mut w = Writes::new(self.engine.as_ref())?;
        let Some(cur) = w.remove(upload_key(bucket, key, upload_id))? else {
            return Err(StoreError::NoSuchUpload.into());
        };
        let cur: UploadRecord = dec(&cur)?;
        if parts_version.is_some_and(|v| v != cur.parts_version) {
            return Err(StoreError::PartsChanged.into());
        }
        let mut freed = Vec::new();
        let mut old = None;
        let mut committed = None;
        if let Some((obj, check)) = object {
            let state = self.versioning(bucket)?;
            let ok = obj_key(bucket, key);
            let current: Option<ObjectRecord> = w.get_dec(&ok)?;
            if let Some(check) = check {
                check(current.as_ref()).map_err(TxError::Abort)?;
            }
            let mut obj = obj.clone();
            w.add_version(bucket, key, state, current.as_ref(), &mut obj, &mut freed)?;
            let old_segments = current.as_ref().map(|o| o.segments.as_slice());
            w.replace_segments(&obj.segments, old_segments, &mut freed)?;
            old = current;
            w.insert(ok, enc(&obj)?);
            committed = Some(obj);
        }
        for part in self.scan_parts(upload_id, 0) {
            let part = part?;
            w.remove(part_key(upload_id, part.part_number))?;
            w.adjust_refs(&part.segments, -1, &mut freed)?;
        }
        Ok(w.done(Finished { old, committed }, freed)?)
    }
}

/// A message kept in a queue: its queue's name, its sequence number and its bytes.
pub type Queued = (String, u64, Vec<u8>);

fn queue_key(queue: &str, seq: u64) -> Vec<u8> {
    let mut k = tagged(QUEUE, &[queue.as_bytes(), b""]);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

impl Meta {
    /// Every queued message, by queue name and then sequence number.
    pub fn queued(&self) -> Result<Vec<Queued>> {
        let mut out = Vec::new();
        for kv in scan_prefix(self.engine.as_ref(), &[QUEUE]) {
            let (k, v) = kv?;
            let rest = &k[1..];
            let Some(split) = rest.len().checked_sub(9) else {
                continue;
            };
            let (name, tail) = rest.split_at(split);
            let Ok(seq) = <[u8; 8]>::try_from(&tail[1..]) else {
                continue;
            };
            out.push((
                String::from_utf8_lossy(name).into_owned(),
                u64::from_be_bytes(seq),
                v,
            ));
        }
        Ok(out)
    }

    /// Adds and removes queued messages in one batch.
    pub(crate) fn queue_write(
        &self,
        add: &[(&str, u64, &[u8])],
        remove: &[(&str, u64)],
    ) -> Result<Applied<()>> {
        let _w = self.lock();
        let mut w = Writes::new(self.engine.as_ref())?;
        for (queue, seq, msg) in add {
            w.insert(queue_key(queue, *seq), msg.to_vec());
        }
        for (queue, seq) in remove {
            w.staged.insert(queue_key(queue, *seq), None);
        }
        w.done((), Vec::new())
    }
}

/// A copy source: bucket, key and version id (`None`: the latest).
pub type Source<'a> = (&'a str, &'a str, Option<&'a str>);

/// What a finished upload replaced and committed.
#[derive(Clone, Debug, Default)]
pub struct Finished {
    /// The object record replaced.
    pub old: Option<ObjectRecord>,
    /// The object committed (with its version id), if the upload was completed.
    pub committed: Option<ObjectRecord>,
}
