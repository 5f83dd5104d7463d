//! Metadata behind the [`MetaStore`] trait, and its sled implementation.
//!
//! Trees (fixed set, opened once): `buckets` (name → record), `objects` (`bucket\0key` → record),
//! `blobs` (blob id → reference count), `configs` (`bucket\0kind` → document), `domains`
//! (domain → bucket), `uploads` (`bucket\0key\0upload id` → record), `parts` (`upload id\0` +
//! big-endian part number → record). Every record that lists a segment holds one reference on
//! its blob; writes adjust the counts in the same transaction and report blobs that reached
//! zero, which the caller unlinks after the commit.

use std::ops::Bound;
use std::path::Path;

use serde::{Serialize, de::DeserializeOwned};
use sled::Transactional;
use sled::transaction::{
    ConflictableTransactionError, ConflictableTransactionResult, TransactionError,
    TransactionalTree,
};

use crate::error::{Result, StoreError};
use crate::model::{BlobId, BucketRecord, ObjectRecord, PartRecord, Segment, UploadRecord};

/// Builds an object's new record from its current record and, for copies, the source's.
/// Runs inside the write transaction (possibly more than once), so it must be pure.
pub type ObjectUpdate<'a> =
    &'a (dyn Fn(Option<&ObjectRecord>, Option<&ObjectRecord>) -> Result<ObjectRecord> + Sync);

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
    /// Removes an upload and its parts; with `object`, commits it as the key's new object.
    /// With `parts_version`, fails with `Conflict` if a part was written since the caller read
    /// the upload at that version. Returns the replaced object and the blobs freed.
    fn finish_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts_version: Option<u64>,
        object: Option<&ObjectRecord>,
    ) -> Result<(Option<ObjectRecord>, Vec<BlobId>)>;

    /// Makes every committed change durable.
    fn flush(&self) -> Result<()>;
}

fn obj_key(bucket: &str, key: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(bucket.len() + 1 + key.len());
    k.extend_from_slice(bucket.as_bytes());
    k.push(0);
    k.extend_from_slice(key.as_bytes());
    k
}

fn upload_key(bucket: &str, key: &str, upload_id: &str) -> Vec<u8> {
    let mut k = obj_key(bucket, key);
    k.push(0);
    k.extend_from_slice(upload_id.as_bytes());
    k
}

fn part_key(upload_id: &str, part: u32) -> Vec<u8> {
    let mut k = Vec::with_capacity(upload_id.len() + 5);
    k.extend_from_slice(upload_id.as_bytes());
    k.push(0);
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

type Tx<T> = ConflictableTransactionResult<T, StoreError>;

fn abort<T>(e: StoreError) -> Tx<T> {
    Err(ConflictableTransactionError::Abort(e))
}

fn tx_dec<T: DeserializeOwned>(b: &[u8]) -> Tx<T> {
    dec(b).or_else(abort)
}

fn tx_enc<T: Serialize>(v: &T) -> Tx<Vec<u8>> {
    enc(v).or_else(abort)
}

fn tx_result<T>(r: std::result::Result<T, TransactionError<StoreError>>) -> Result<T> {
    r.map_err(|e| match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => e.into(),
    })
}

/// Adds `delta` references to every blob in `segments`; collects blobs that reach zero.
fn adjust_refs(
    blobs: &TransactionalTree,
    segments: &[Segment],
    delta: i64,
    freed: &mut Vec<BlobId>,
) -> Tx<()> {
    for s in segments {
        let k = s.blob.0.to_be_bytes();
        let cur = match blobs.get(k)? {
            Some(v) => u64::from_be_bytes(v.as_ref().try_into().unwrap_or([0; 8])),
            None => 0,
        };
        let next = (cur as i64 + delta).max(0) as u64;
        if next == 0 {
            blobs.remove(&k)?;
            if delta < 0 {
                freed.push(s.blob);
            }
        } else {
            blobs.insert(&k, &next.to_be_bytes())?;
        }
    }
    Ok(())
}

/// [`MetaStore`] on sled 0.34.
pub struct SledMeta {
    db: sled::Db,
    buckets: sled::Tree,
    objects: sled::Tree,
    blobs: sled::Tree,
    configs: sled::Tree,
    domains: sled::Tree,
    uploads: sled::Tree,
    parts: sled::Tree,
}

impl SledMeta {
    /// Opens (or creates) the database in `dir`; a temporary one when `temporary`.
    pub fn open(dir: &Path, temporary: bool) -> Result<Self> {
        let db = sled::Config::new()
            .path(dir)
            .temporary(temporary)
            .cache_capacity(64 << 20)
            .flush_every_ms(Some(1000))
            .open()?;
        Ok(Self {
            buckets: db.open_tree("buckets")?,
            objects: db.open_tree("objects")?,
            blobs: db.open_tree("blobs")?,
            configs: db.open_tree("configs")?,
            domains: db.open_tree("domains")?,
            uploads: db.open_tree("uploads")?,
            parts: db.open_tree("parts")?,
            db,
        })
    }
}

impl MetaStore for SledMeta {
    fn get_bucket(&self, name: &str) -> Result<Option<BucketRecord>> {
        self.buckets.get(name)?.map(|v| dec(&v)).transpose()
    }

    fn create_bucket(&self, rec: &BucketRecord) -> Result<()> {
        let res = self
            .buckets
            .compare_and_swap(&rec.name, None::<&[u8]>, Some(enc(rec)?))?;
        res.map_err(|_| StoreError::BucketExists)
    }

    fn update_bucket(&self, rec: &BucketRecord) -> Result<()> {
        let v = enc(rec)?;
        tx_result(self.buckets.transaction(|b| {
            if b.get(&rec.name)?.is_none() {
                return abort(StoreError::NoSuchBucket);
            }
            b.insert(rec.name.as_bytes(), v.as_slice())?;
            Ok(())
        }))
    }

    fn delete_bucket(&self, name: &str) -> Result<()> {
        // Mark the bucket first, in a transaction: a write committed before the mark is seen
        // by the emptiness check below, and one after it is refused (its transaction reads
        // the bucket record, so sled orders the two).
        let set_deleting = |on: bool| {
            tx_result(self.buckets.transaction(|b| {
                let Some(v) = b.get(name)? else {
                    return abort(StoreError::NoSuchBucket);
                };
                let mut rec: BucketRecord = tx_dec(&v)?;
                if on && rec.deleting {
                    return abort(StoreError::Conflict("the bucket is being deleted".into()));
                }
                rec.deleting = on;
                b.insert(name.as_bytes(), tx_enc(&rec)?)?;
                Ok(())
            }))
        };
        set_deleting(true)?;
        let prefix = obj_key(name, "");
        if self.objects.scan_prefix(&prefix).next().is_some()
            || self.uploads.scan_prefix(&prefix).next().is_some()
        {
            set_deleting(false)?;
            return Err(StoreError::BucketNotEmpty);
        }
        self.buckets.remove(name)?;
        for kv in self.configs.scan_prefix(&prefix) {
            let (k, _) = kv?;
            self.configs.remove(k)?;
        }
        for (domain, _) in self.list_domains(name)? {
            self.domains.remove(domain.as_bytes())?;
        }
        Ok(())
    }

    fn list_buckets(&self) -> Result<Vec<BucketRecord>> {
        self.buckets.iter().map(|kv| dec(&kv?.1)).collect()
    }

    fn get_config(&self, bucket: &str, kind: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.configs.get(obj_key(bucket, kind))?.map(|v| v.to_vec()))
    }

    fn put_config(&self, bucket: &str, kind: &str, doc: Option<&[u8]>) -> Result<()> {
        let k = obj_key(bucket, kind);
        match doc {
            Some(d) => self.configs.insert(k, d)?,
            None => self.configs.remove(k)?,
        };
        Ok(())
    }

    fn get_domain(&self, domain: &str) -> Result<Option<String>> {
        match self.domains.get(domain)? {
            Some(v) => {
                let (bucket, _): (String, i64) = dec(&v)?;
                Ok(Some(bucket))
            }
            None => Ok(None),
        }
    }

    fn bind_domain(&self, domain: &str, bucket: &str, when_ms: i64) -> Result<()> {
        let v = enc(&(bucket, when_ms))?;
        tx_result(self.domains.transaction(|d| {
            if let Some(cur) = d.get(domain)? {
                let (owner, _): (String, i64) = tx_dec(&cur)?;
                if owner != bucket {
                    return abort(StoreError::Conflict(format!(
                        "domain {domain} is bound to another bucket"
                    )));
                }
                return Ok(());
            }
            d.insert(domain.as_bytes(), v.as_slice())?;
            Ok(())
        }))
    }

    fn unbind_domain(&self, domain: &str, bucket: &str) -> Result<bool> {
        tx_result(self.domains.transaction(|d| match d.get(domain)? {
            Some(cur) => {
                let (owner, _): (String, i64) = tx_dec(&cur)?;
                if owner != bucket {
                    return Ok(false);
                }
                d.remove(domain.as_bytes())?;
                Ok(true)
            }
            None => Ok(false),
        }))
    }

    fn list_domains(&self, bucket: &str) -> Result<Vec<(String, i64)>> {
        let mut out = Vec::new();
        for kv in self.domains.iter() {
            let (k, v) = kv?;
            let (owner, when): (String, i64) = dec(&v)?;
            if owner == bucket {
                out.push((String::from_utf8_lossy(&k).into_owned(), when));
            }
        }
        Ok(out)
    }

    fn get_object(&self, bucket: &str, key: &str) -> Result<Option<ObjectRecord>> {
        self.objects
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
        let k = obj_key(bucket, key);
        let sk = source.map(|(b, k)| obj_key(b, k));
        tx_result(
            (&self.buckets, &self.objects, &self.blobs).transaction(|(b, o, refs)| {
                match b.get(bucket)? {
                    None => return abort(StoreError::NoSuchBucket),
                    Some(v) if tx_dec::<BucketRecord>(&v)?.deleting => {
                        return abort(StoreError::NoSuchBucket);
                    }
                    Some(_) => {}
                }
                let old: Option<ObjectRecord> = match o.get(&k)? {
                    Some(v) => Some(tx_dec(&v)?),
                    None => None,
                };
                let src: Option<ObjectRecord> = match &sk {
                    Some(sk) => match o.get(sk)? {
                        Some(v) => Some(tx_dec(&v)?),
                        None => return abort(StoreError::NoSuchKey),
                    },
                    None => None,
                };
                let new = update(old.as_ref(), src.as_ref()).or_else(abort)?;
                let mut freed = Vec::new();
                adjust_refs(refs, &new.segments, 1, &mut freed)?;
                if let Some(old) = &old {
                    adjust_refs(refs, &old.segments, -1, &mut freed)?;
                }
                o.insert(k.as_slice(), tx_enc(&new)?)?;
                Ok((old, new, freed))
            }),
        )
    }

    fn delete_object(&self, bucket: &str, key: &str) -> Result<Option<Vec<BlobId>>> {
        let k = obj_key(bucket, key);
        tx_result((&self.objects, &self.blobs).transaction(|(o, refs)| {
            let Some(v) = o.remove(k.as_slice())? else {
                return Ok(None);
            };
            let old: ObjectRecord = tx_dec(&v)?;
            let mut freed = Vec::new();
            adjust_refs(refs, &old.segments, -1, &mut freed)?;
            Ok(Some(freed))
        }))
    }

    fn scan_objects<'a>(&'a self, bucket: &str, from: ScanFrom<'_>) -> ObjectIter<'a> {
        let prefix_len = bucket.len() + 1;
        let end = prefix_end(&obj_key(bucket, ""));
        let start = match from {
            ScanFrom::At(k) => Bound::Included(obj_key(bucket, k)),
            ScanFrom::After(k) => Bound::Excluded(obj_key(bucket, k)),
            ScanFrom::PastPrefix(p) => Bound::Included(prefix_end(&obj_key(bucket, p))),
        };
        Box::new(
            self.objects
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
        Ok(self.blobs.contains_key(id.0.to_be_bytes())?)
    }

    fn create_upload(&self, bucket: &str, rec: &UploadRecord) -> Result<()> {
        let k = upload_key(bucket, &rec.key, &rec.upload_id);
        let v = enc(rec)?;
        tx_result((&self.buckets, &self.uploads).transaction(|(b, u)| {
            match b.get(bucket)? {
                Some(r) if !tx_dec::<BucketRecord>(&r)?.deleting => {}
                _ => return abort(StoreError::NoSuchBucket),
            }
            u.insert(k.as_slice(), v.as_slice())?;
            Ok(())
        }))
    }

    fn get_upload(&self, bucket: &str, key: &str, upload_id: &str) -> Result<Option<UploadRecord>> {
        self.uploads
            .get(upload_key(bucket, key, upload_id))?
            .map(|v| dec(&v))
            .transpose()
    }

    fn scan_uploads(
        &self,
        bucket: &str,
        after: Option<(&str, &str)>,
    ) -> Box<dyn Iterator<Item = Result<UploadRecord>> + '_> {
        let end = prefix_end(&obj_key(bucket, ""));
        let start = match after {
            Some((k, u)) => Bound::Excluded(upload_key(bucket, k, u)),
            None => Bound::Included(obj_key(bucket, "")),
        };
        Box::new(
            self.uploads
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
        let uk = upload_key(bucket, key, upload_id);
        let sk = source.map(|(b, k)| obj_key(b, k));
        tx_result(
            (&self.uploads, &self.parts, &self.objects, &self.blobs).transaction(
                |(u, p, o, refs)| {
                    let Some(up) = u.get(uk.as_slice())? else {
                        return abort(StoreError::NoSuchUpload);
                    };
                    let mut up: UploadRecord = tx_dec(&up)?;
                    up.parts_version += 1;
                    u.insert(uk.as_slice(), tx_enc(&up)?)?;
                    let src: Option<ObjectRecord> = match &sk {
                        Some(sk) => match o.get(sk)? {
                            Some(v) => Some(tx_dec(&v)?),
                            None => return abort(StoreError::NoSuchKey),
                        },
                        None => None,
                    };
                    let part = make(src.as_ref()).or_else(abort)?;
                    let pk = part_key(upload_id, part.part_number);
                    let mut freed = Vec::new();
                    adjust_refs(refs, &part.segments, 1, &mut freed)?;
                    if let Some(old) = p.insert(pk.as_slice(), tx_enc(&part)?)? {
                        let old: PartRecord = tx_dec(&old)?;
                        adjust_refs(refs, &old.segments, -1, &mut freed)?;
                    }
                    Ok((part, freed))
                },
            ),
        )
    }

    fn scan_parts(
        &self,
        upload_id: &str,
        after: u32,
    ) -> Box<dyn Iterator<Item = Result<PartRecord>> + '_> {
        let end = prefix_end(&part_key(upload_id, 0)[..upload_id.len() + 1]);
        let start = Bound::Excluded(part_key(upload_id, after));
        Box::new(
            self.parts
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
        object: Option<&ObjectRecord>,
    ) -> Result<(Option<ObjectRecord>, Vec<BlobId>)> {
        let uk = upload_key(bucket, key, upload_id);
        let ok = obj_key(bucket, key);
        // Parts are read outside the transaction (no range scans inside one). The upload's
        // version, checked inside it, proves no part was written since they were read.
        let Some(seen) = self.get_upload(bucket, key, upload_id)? else {
            return Err(StoreError::NoSuchUpload);
        };
        if parts_version.is_some_and(|v| v != seen.parts_version) {
            return Err(StoreError::Conflict(
                "a part was written during completion".into(),
            ));
        }
        let parts: Vec<PartRecord> = self.scan_parts(upload_id, 0).collect::<Result<_>>()?;
        let ov = object.map(enc).transpose()?;
        tx_result(
            (&self.uploads, &self.parts, &self.objects, &self.blobs).transaction(
                |(u, p, o, refs)| {
                    let Some(cur) = u.remove(uk.as_slice())? else {
                        return abort(StoreError::NoSuchUpload);
                    };
                    let cur: UploadRecord = tx_dec(&cur)?;
                    if cur.parts_version != seen.parts_version {
                        return abort(StoreError::Conflict(
                            "a part was written during completion".into(),
                        ));
                    }
                    let mut freed = Vec::new();
                    let mut old = None;
                    if let (Some(obj), Some(v)) = (object, &ov) {
                        adjust_refs(refs, &obj.segments, 1, &mut freed)?;
                        if let Some(prev) = o.insert(ok.as_slice(), v.as_slice())? {
                            let prev: ObjectRecord = tx_dec(&prev)?;
                            adjust_refs(refs, &prev.segments, -1, &mut freed)?;
                            old = Some(prev);
                        }
                    }
                    for part in &parts {
                        p.remove(part_key(upload_id, part.part_number))?;
                        adjust_refs(refs, &part.segments, -1, &mut freed)?;
                    }
                    Ok((old, freed))
                },
            ),
        )
    }

    fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }
}
