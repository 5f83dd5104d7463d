//! Metadata behind the [`MetaStore`] trait, and its sled implementation.
//!
//! One sled tree; the first byte of a key names the record kind: `b` + bucket → bucket record,
//! `o` + `bucket\0key` → object, `r` + blob id → reference count, `c` + `bucket\0kind` →
//! configuration document, `d` + domain → binding, `u` + `bucket\0key\0upload id` → upload,
//! `p` + `upload id\0` + big-endian part number → part. Every record that lists a segment holds
//! one reference on its blob; writes adjust the counts in the same atomic batch and report blobs
//! that reached zero, which the caller unlinks after the batch is durable.
//!
//! Writes that read before they write hold one process-wide lock, stage their changes and apply
//! them as one sled batch (atomic, also across a crash). Holding the lock makes DeleteBucket's
//! emptiness check and removal one step that no object write can interleave with.

use std::ops::Bound;
use std::path::Path;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use serde::{Serialize, de::DeserializeOwned};

use crate::error::{Result, StoreError};
use crate::model::{BlobId, BucketRecord, ObjectRecord, PartRecord, Segment, UploadRecord};

/// Builds an object's new record from its current record and, for copies, the source's.
/// Runs under the metadata write lock, so it must be quick and must not touch the store.
pub type ObjectUpdate<'a> =
    &'a (dyn Fn(Option<&ObjectRecord>, Option<&ObjectRecord>) -> Result<ObjectRecord> + Sync);

/// Accepts or refuses a write given the current object (conditional writes); pure, like
/// [`ObjectUpdate`].
pub type ObjectCheck<'a> = &'a (dyn Fn(Option<&ObjectRecord>) -> Result<()> + Sync);

/// Builds a part record from the copy source (if any); pure, like [`ObjectUpdate`].
pub type PartUpdate<'a> = &'a (dyn Fn(Option<&ObjectRecord>) -> Result<PartRecord> + Sync);

/// An object write: the previous record, the new one, and the blobs no longer referenced.
pub type Written = (Option<ObjectRecord>, ObjectRecord, Vec<BlobId>);

/// Iterator over `(key, record)` pairs in key order.
pub type ObjectIter<'a> = Box<dyn Iterator<Item = Result<(String, ObjectRecord)>> + 'a>;

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

/// The metadata operations the server needs; sled is the one implementation.
pub trait MetaStore: Send + Sync {
    /// A bucket by name.
    fn get_bucket(&self, name: &str) -> Result<Option<BucketRecord>>;
    /// Creates a bucket; `BucketExists` if the name is taken.
    fn create_bucket(&self, rec: &BucketRecord) -> Result<()>;
    /// Replaces an existing bucket record.
    fn update_bucket(&self, rec: &BucketRecord) -> Result<()>;
    /// Deletes an empty bucket with its configuration documents and domain bindings.
    fn delete_bucket(&self, name: &str) -> Result<()>;
    /// All buckets in name order.
    fn list_buckets(&self) -> Result<Vec<BucketRecord>>;

    /// A bucket configuration document (`website`, `cors`, ...).
    fn get_config(&self, bucket: &str, kind: &str) -> Result<Option<Vec<u8>>>;
    /// Sets (`Some`) or removes (`None`) a configuration document.
    fn put_config(&self, bucket: &str, kind: &str, doc: Option<&[u8]>) -> Result<()>;

    /// The bucket a custom domain is bound to.
    fn get_domain(&self, domain: &str) -> Result<Option<String>>;
    /// Binds a domain to a bucket; `Conflict` if bound to another bucket.
    fn bind_domain(&self, domain: &str, bucket: &str, when_ms: i64) -> Result<()>;
    /// Unbinds a domain from a bucket; false if it was not bound to it.
    fn unbind_domain(&self, domain: &str, bucket: &str) -> Result<bool>;
    /// Domains bound to a bucket with their binding time.
    fn list_domains(&self, bucket: &str) -> Result<Vec<(String, i64)>>;

    /// The current object.
    fn get_object(&self, bucket: &str, key: &str) -> Result<Option<ObjectRecord>>;
    /// Creates or replaces an object with the record `update` builds from the current one and,
    /// when `source` names one, the copy source (`NoSuchKey` if it is missing).
    fn update_object(
        &self,
        bucket: &str,
        key: &str,
        source: Option<(&str, &str)>,
        update: ObjectUpdate<'_>,
    ) -> Result<Written>;
    /// Deletes an object; `None` when it did not exist, else the blobs freed.
    fn delete_object(&self, bucket: &str, key: &str) -> Result<Option<Vec<BlobId>>>;
    /// Objects of a bucket in key order.
    fn scan_objects<'a>(&'a self, bucket: &str, from: ScanFrom<'_>) -> ObjectIter<'a>;
    /// Whether any record references the blob.
    fn blob_referenced(&self, id: BlobId) -> Result<bool>;

    /// Records a new multipart upload.
    fn create_upload(&self, bucket: &str, rec: &UploadRecord) -> Result<()>;
    /// An upload by key and id.
    fn get_upload(&self, bucket: &str, key: &str, upload_id: &str) -> Result<Option<UploadRecord>>;
    /// Uploads of a bucket ordered by key then upload id, starting after `(key, upload_id)`.
    fn scan_uploads(
        &self,
        bucket: &str,
        after: Option<(&str, &str)>,
    ) -> Box<dyn Iterator<Item = Result<UploadRecord>> + '_>;
    /// Stores the part `make` builds (from the copy source when `source` is given), replacing
    /// one with the same number; returns the part and the blobs freed.
    fn put_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        source: Option<(&str, &str)>,
        make: PartUpdate<'_>,
    ) -> Result<(PartRecord, Vec<BlobId>)>;
    /// Parts of an upload in part-number order, after `after`.
    fn scan_parts(
        &self,
        upload_id: &str,
        after: u32,
    ) -> Box<dyn Iterator<Item = Result<PartRecord>> + '_>;
    /// Removes an upload and its parts; with `object`, commits it as the key's new object if
    /// `check` (when given) accepts the current one. With `parts_version`, fails with
    /// `Conflict` if a part was written since the caller read the upload at that version.
    /// Returns the replaced object and the blobs freed.
    fn finish_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts_version: Option<u64>,
        object: Option<(&ObjectRecord, Option<ObjectCheck<'_>>)>,
    ) -> Result<(Option<ObjectRecord>, Vec<BlobId>)>;

    /// Makes every committed change durable.
    fn flush(&self) -> Result<()>;
}

const BUCKET: u8 = b'b';
const OBJECT: u8 = b'o';
const REFS: u8 = b'r';
const CONFIG: u8 = b'c';
const DOMAIN: u8 = b'd';
const UPLOAD: u8 = b'u';
const PART: u8 = b'p';

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

/// The first key after every key that starts with `prefix`.
fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0xff; prefix.len() + 1]
}

fn enc<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec(v)?)
}

fn dec<T: DeserializeOwned>(b: &[u8]) -> Result<T> {
    Ok(serde_json::from_slice(b)?)
}

/// The changes of one write, staged so later reads see earlier writes, applied as one batch.
struct Writes<'a> {
    tree: &'a sled::Tree,
    staged: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl<'a> Writes<'a> {
    fn new(tree: &'a sled::Tree) -> Self {
        Self {
            tree,
            staged: BTreeMap::new(),
        }
    }

    fn get(&self, k: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.staged.get(k) {
            Some(v) => Ok(v.clone()),
            None => Ok(self.tree.get(k)?.map(|v| v.to_vec())),
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

    /// Applies every staged change atomically.
    fn apply(self) -> Result<()> {
        let mut batch = sled::Batch::default();
        for (k, v) in self.staged {
            match v {
                Some(v) => batch.insert(k, v),
                None => batch.remove(k),
            }
        }
        self.tree.apply_batch(batch)?;
        Ok(())
    }
}

/// [`MetaStore`] on sled 0.34.
pub struct SledMeta {
    db: sled::Db,
    /// Serialises every read-modify-write; plain reads do not take it.
    write: Mutex<()>,
}

impl SledMeta {
    /// Opens (or creates) the database in `dir`; a temporary one when `temporary`.
    pub fn open(dir: &Path, temporary: bool) -> Result<Self> {
        let db = sled::Config::new()
            .path(dir)
            .temporary(temporary)
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
        Ok(Self {
            db,
            write: Mutex::new(()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, ()> {
        // The guarded state is sled's, which a panicking writer cannot leave half-applied.
        self.write.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bucket_exists(&self, name: &str) -> Result<bool> {
        Ok(self.db.contains_key(bucket_key(name))?)
    }

    fn has_prefix(&self, prefix: &[u8]) -> Result<bool> {
        Ok(self.db.scan_prefix(prefix).next().transpose()?.is_some())
    }
}

impl MetaStore for SledMeta {
    fn get_bucket(&self, name: &str) -> Result<Option<BucketRecord>> {
        self.db.get(bucket_key(name))?.map(|v| dec(&v)).transpose()
    }

    fn create_bucket(&self, rec: &BucketRecord) -> Result<()> {
        let _w = self.lock();
        if self.bucket_exists(&rec.name)? {
            return Err(StoreError::BucketExists);
        }
        self.db.insert(bucket_key(&rec.name), enc(rec)?)?;
        Ok(())
    }

    fn update_bucket(&self, rec: &BucketRecord) -> Result<()> {
        let _w = self.lock();
        if !self.bucket_exists(&rec.name)? {
            return Err(StoreError::NoSuchBucket);
        }
        self.db.insert(bucket_key(&rec.name), enc(rec)?)?;
        Ok(())
    }

    fn delete_bucket(&self, name: &str) -> Result<()> {
        // Under the write lock no object or upload can be created between the emptiness check
        // and the removal, and none after it (those writes check that the bucket exists).
        let _w = self.lock();
        if !self.bucket_exists(name)? {
            return Err(StoreError::NoSuchBucket);
        }
        let in_bucket = |tag| tagged(tag, &[name.as_bytes(), b""]);
        if self.has_prefix(&in_bucket(OBJECT))? || self.has_prefix(&in_bucket(UPLOAD))? {
            return Err(StoreError::BucketNotEmpty);
        }
        let mut w = Writes::new(&self.db);
        w.remove(bucket_key(name))?;
        for kv in self.db.scan_prefix(in_bucket(CONFIG)) {
            w.remove(kv?.0.to_vec())?;
        }
        for (domain, _) in self.list_domains(name)? {
            w.remove(domain_key(&domain))?;
        }
        w.apply()
    }

    fn list_buckets(&self) -> Result<Vec<BucketRecord>> {
        self.db
            .scan_prefix([BUCKET])
            .map(|kv| dec(&kv?.1))
            .collect()
    }

    fn get_config(&self, bucket: &str, kind: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.db.get(config_key(bucket, kind))?.map(|v| v.to_vec()))
    }

    fn put_config(&self, bucket: &str, kind: &str, doc: Option<&[u8]>) -> Result<()> {
        let _w = self.lock();
        let k = config_key(bucket, kind);
        match doc {
            Some(d) => {
                if !self.bucket_exists(bucket)? {
                    return Err(StoreError::NoSuchBucket);
                }
                self.db.insert(k, d)?
            }
            None => self.db.remove(k)?,
        };
        Ok(())
    }

    fn get_domain(&self, domain: &str) -> Result<Option<String>> {
        match self.db.get(domain_key(domain))? {
            Some(v) => {
                let (bucket, _): (String, i64) = dec(&v)?;
                Ok(Some(bucket))
            }
            None => Ok(None),
        }
    }

    fn bind_domain(&self, domain: &str, bucket: &str, when_ms: i64) -> Result<()> {
        let _w = self.lock();
        let k = domain_key(domain);
        if let Some(cur) = self.db.get(&k)? {
            let (owner, _): (String, i64) = dec(&cur)?;
            if owner != bucket {
                return Err(StoreError::Conflict(format!(
                    "domain {domain} is bound to another bucket"
                )));
            }
            return Ok(());
        }
        if !self.bucket_exists(bucket)? {
            return Err(StoreError::NoSuchBucket);
        }
        self.db.insert(k, enc(&(bucket, when_ms))?)?;
        Ok(())
    }

    fn unbind_domain(&self, domain: &str, bucket: &str) -> Result<bool> {
        let _w = self.lock();
        let k = domain_key(domain);
        let Some(cur) = self.db.get(&k)? else {
            return Ok(false);
        };
        let (owner, _): (String, i64) = dec(&cur)?;
        if owner != bucket {
            return Ok(false);
        }
        self.db.remove(k)?;
        Ok(true)
    }

    fn list_domains(&self, bucket: &str) -> Result<Vec<(String, i64)>> {
        let mut out = Vec::new();
        for kv in self.db.scan_prefix([DOMAIN]) {
            let (k, v) = kv?;
            let (owner, when): (String, i64) = dec(&v)?;
            if owner == bucket {
                out.push((String::from_utf8_lossy(&k[1..]).into_owned(), when));
            }
        }
        Ok(out)
    }

    fn get_object(&self, bucket: &str, key: &str) -> Result<Option<ObjectRecord>> {
        self.db
            .get(obj_key(bucket, key))?
            .map(|v| dec(&v))
            .transpose()
    }

    fn update_object(
        &self,
        bucket: &str,
        key: &str,
        source: Option<(&str, &str)>,
        update: ObjectUpdate<'_>,
    ) -> Result<Written> {
        let _l = self.lock();
        if !self.bucket_exists(bucket)? {
            return Err(StoreError::NoSuchBucket);
        }
        let mut w = Writes::new(&self.db);
        let k = obj_key(bucket, key);
        let old: Option<ObjectRecord> = w.get_dec(&k)?;
        let src: Option<ObjectRecord> = match source {
            Some((b, sk)) => Some(w.get_dec(&obj_key(b, sk))?.ok_or(StoreError::NoSuchKey)?),
            None => None,
        };
        let new = update(old.as_ref(), src.as_ref())?;
        let mut freed = Vec::new();
        w.adjust_refs(&new.segments, 1, &mut freed)?;
        if let Some(old) = &old {
            w.adjust_refs(&old.segments, -1, &mut freed)?;
        }
        w.insert(k, enc(&new)?);
        w.apply()?;
        Ok((old, new, freed))
    }

    fn delete_object(&self, bucket: &str, key: &str) -> Result<Option<Vec<BlobId>>> {
        let _l = self.lock();
        let mut w = Writes::new(&self.db);
        let Some(v) = w.remove(obj_key(bucket, key))? else {
            return Ok(None);
        };
        let old: ObjectRecord = dec(&v)?;
        let mut freed = Vec::new();
        w.adjust_refs(&old.segments, -1, &mut freed)?;
        w.apply()?;
        Ok(Some(freed))
    }

    fn scan_objects<'a>(&'a self, bucket: &str, from: ScanFrom<'_>) -> ObjectIter<'a> {
        let prefix_len = 1 + bucket.len() + 1;
        let end = prefix_end(&obj_key(bucket, ""));
        let start = match from {
            ScanFrom::At(k) => Bound::Included(obj_key(bucket, k)),
            ScanFrom::After(k) => Bound::Excluded(obj_key(bucket, k)),
            ScanFrom::PastPrefix(p) => Bound::Included(prefix_end(&obj_key(bucket, p))),
        };
        Box::new(
            self.db
                .range::<Vec<u8>, _>((start, Bound::Excluded(end)))
                .map(move |kv| {
                    let (k, v) = kv?;
                    let key = String::from_utf8(k[prefix_len..].to_vec())
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    Ok((key, dec(&v)?))
                }),
        )
    }

    fn blob_referenced(&self, id: BlobId) -> Result<bool> {
        Ok(self.db.contains_key(refs_key(id))?)
    }

    fn create_upload(&self, bucket: &str, rec: &UploadRecord) -> Result<()> {
        let _l = self.lock();
        if !self.bucket_exists(bucket)? {
            return Err(StoreError::NoSuchBucket);
        }
        self.db
            .insert(upload_key(bucket, &rec.key, &rec.upload_id), enc(rec)?)?;
        Ok(())
    }

    fn get_upload(&self, bucket: &str, key: &str, upload_id: &str) -> Result<Option<UploadRecord>> {
        self.db
            .get(upload_key(bucket, key, upload_id))?
            .map(|v| dec(&v))
            .transpose()
    }

    fn scan_uploads(
        &self,
        bucket: &str,
        after: Option<(&str, &str)>,
    ) -> Box<dyn Iterator<Item = Result<UploadRecord>> + '_> {
        let prefix = tagged(UPLOAD, &[bucket.as_bytes(), b""]);
        let end = prefix_end(&prefix);
        let start = match after {
            Some((k, u)) => Bound::Excluded(upload_key(bucket, k, u)),
            None => Bound::Included(prefix),
        };
        Box::new(
            self.db
                .range::<Vec<u8>, _>((start, Bound::Excluded(end)))
                .map(|kv| dec(&kv?.1)),
        )
    }

    fn put_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        source: Option<(&str, &str)>,
        make: PartUpdate<'_>,
    ) -> Result<(PartRecord, Vec<BlobId>)> {
        let _l = self.lock();
        let mut w = Writes::new(&self.db);
        let uk = upload_key(bucket, key, upload_id);
        let mut up: UploadRecord = w.get_dec(&uk)?.ok_or(StoreError::NoSuchUpload)?;
        up.parts_version += 1;
        w.insert(uk, enc(&up)?);
        let src: Option<ObjectRecord> = match source {
            Some((b, sk)) => Some(w.get_dec(&obj_key(b, sk))?.ok_or(StoreError::NoSuchKey)?),
            None => None,
        };
        let part = make(src.as_ref())?;
        let pk = part_key(upload_id, part.part_number);
        let mut freed = Vec::new();
        w.adjust_refs(&part.segments, 1, &mut freed)?;
        if let Some(old) = w.get_dec::<PartRecord>(&pk)? {
            w.adjust_refs(&old.segments, -1, &mut freed)?;
        }
        w.insert(pk, enc(&part)?);
        w.apply()?;
        Ok((part, freed))
    }

    fn scan_parts(
        &self,
        upload_id: &str,
        after: u32,
    ) -> Box<dyn Iterator<Item = Result<PartRecord>> + '_> {
        let end = prefix_end(&parts_prefix(upload_id));
        let start = Bound::Excluded(part_key(upload_id, after));
        Box::new(
            self.db
                .range::<Vec<u8>, _>((start, Bound::Excluded(end)))
                .map(|kv| dec(&kv?.1)),
        )
    }

    fn finish_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts_version: Option<u64>,
        object: Option<(&ObjectRecord, Option<ObjectCheck<'_>>)>,
    ) -> Result<(Option<ObjectRecord>, Vec<BlobId>)> {
        let _l = self.lock();
        let mut w = Writes::new(&self.db);
        let Some(cur) = w.remove(upload_key(bucket, key, upload_id))? else {
            return Err(StoreError::NoSuchUpload);
        };
        let cur: UploadRecord = dec(&cur)?;
        if parts_version.is_some_and(|v| v != cur.parts_version) {
            return Err(StoreError::Conflict(
                "a part was written during completion".into(),
            ));
        }
        let mut freed = Vec::new();
        let mut old = None;
        if let Some((obj, check)) = object {
            let ok = obj_key(bucket, key);
            let current: Option<ObjectRecord> = w.get_dec(&ok)?;
            if let Some(check) = check {
                check(current.as_ref())?;
            }
            w.adjust_refs(&obj.segments, 1, &mut freed)?;
            if let Some(prev) = current {
                w.adjust_refs(&prev.segments, -1, &mut freed)?;
                old = Some(prev);
            }
            w.insert(ok, enc(obj)?);
        }
        let parts: Vec<PartRecord> = self.scan_parts(upload_id, 0).collect::<Result<_>>()?;
        for part in &parts {
            w.remove(part_key(upload_id, part.part_number))?;
            w.adjust_refs(&part.segments, -1, &mut freed)?;
        }
        w.apply()?;
        Ok((old, freed))
    }

    fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }
}
