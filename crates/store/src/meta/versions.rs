//! Versions of a key in a versioned bucket.
//!
//! `v` + `bucket\0key\0` + big-endian `!seq` → [`Version`]: every version of a key, newest
//! first (a larger `seq` is newer). The object record (`o`) stays what a plain read sees: the
//! latest version when it is an object, nothing when it is a delete marker. It references its
//! body as its version record does, so each holds its own blob references.
//!
//! A version id is the hex of its `seq` followed by 16 random hex digits, so a lookup by id is
//! one read. The null version has the id `null` and is found by walking the key's versions.
//! An object written before versioning was enabled (`version_id: None`) is the key's null
//! version; it gets a version record (with `seq` 0, the oldest) the first time a versioned
//! write or delete reaches its key.

use std::ops::Bound;

use crate::engine::{Engine, prefix_end};
use crate::error::{Result, StoreError};
use crate::model::{BlobId, DeleteMarker, NULL_VERSION, ObjectRecord, Version, Versioning, now_ms};

use super::{OBJECT, Writes, dec, enc, obj_key, tagged};

pub(super) const VERSION: u8 = b'v';

/// `v` + `bucket\0key\0`: the prefix of a key's versions.
pub(super) fn versions_prefix(bucket: &str, key: &str) -> Vec<u8> {
    tagged(VERSION, &[bucket.as_bytes(), key.as_bytes(), b""])
}

fn version_key(bucket: &str, key: &str, seq: u64) -> Vec<u8> {
    let mut k = versions_prefix(bucket, key);
    k.extend_from_slice(&(!seq).to_be_bytes());
    k
}

/// The `seq` a version key ends with.
fn seq_of(k: &[u8]) -> u64 {
    let tail: [u8; 8] = k[k.len() - 8..].try_into().unwrap_or([0xff; 8]);
    !u64::from_be_bytes(tail)
}

/// A fresh version id for `seq`.
fn new_version_id(seq: u64) -> String {
    format!("{seq:016x}{:016x}", uuid::Uuid::new_v4().as_u128() as u64)
}

/// The `seq` a version id names, if it is one ossemu made.
pub fn parse_version_id(id: &str) -> Option<u64> {
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(&id[..16], 16).ok()
}

/// Whether `id` is a version id a client may name: `null` or one ossemu makes.
pub fn is_version_id(id: &str) -> bool {
    id == NULL_VERSION || parse_version_id(id).is_some()
}

/// What a delete did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deleted {
    /// Something was removed or a delete marker added.
    pub changed: bool,
    /// The version removed, or the delete marker added (`None` in a bucket with versioning off).
    pub version_id: Option<String>,
    /// The version removed was a delete marker, or a delete marker was added.
    pub delete_marker: bool,
}

/// A key's versions as stored, newest first, with their `seq`.
pub(super) fn key_versions<'a>(
    engine: &'a dyn Engine,
    bucket: &str,
    key: &str,
) -> impl Iterator<Item = Result<(u64, Version)>> + 'a {
    let prefix = versions_prefix(bucket, key);
    let end = prefix_end(&prefix).unwrap_or_default();
    let len = prefix.len() + 8;
    engine
        .range(Bound::Included(&prefix), Bound::Excluded(&end))
        // Only this key's records: never those of a longer key that starts with it and NUL.
        .filter(move |kv| kv.as_ref().map_or(true, |(k, _)| k.len() == len))
        .map(|kv| {
            let (k, v) = kv?;
            Ok((seq_of(&k), dec(&v)?))
        })
}

impl Writes<'_> {
    /// The key's versions as the engine has them (this write's staged changes aside).
    fn versions_of(&self, bucket: &str, key: &str) -> Result<Vec<(u64, Version)>> {
        key_versions(self.engine, bucket, key).collect()
    }

    /// The next `seq` for a key: after its newest version, and at least the current time in
    /// microseconds.
    fn next_seq(&self, bucket: &str, key: &str) -> Result<u64> {
        let newest = key_versions(self.engine, bucket, key)
            .next()
            .transpose()?
            .map_or(0, |(s, _)| s);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64);
        Ok(now.max(newest + 1))
    }

    fn put_version(
        &mut self,
        bucket: &str,
        key: &str,
        seq: u64,
        v: &Version,
        freed: &mut Vec<BlobId>,
    ) -> Result<()> {
        self.adjust_refs(v.segments(), 1, freed)?;
        self.insert(version_key(bucket, key, seq), enc(v)?);
        Ok(())
    }

    fn drop_version(
        &mut self,
        bucket: &str,
        key: &str,
        seq: u64,
        v: &Version,
        freed: &mut Vec<BlobId>,
    ) -> Result<()> {
        self.remove(version_key(bucket, key, seq))?;
        self.adjust_refs(v.segments(), -1, freed)
    }

    /// Gives an object written while versioning was off (`current`, the key's object record)
    /// its version record as the null version, the oldest.
    fn adopt(
        &mut self,
        bucket: &str,
        key: &str,
        current: Option<&ObjectRecord>,
        freed: &mut Vec<BlobId>,
    ) -> Result<()> {
        if let Some(cur) = current.filter(|c| c.version_id.is_none()) {
            let mut null = cur.clone();
            null.version_id = Some(NULL_VERSION.into());
            // The object record becomes the same null version, id and all.
            self.insert(obj_key(bucket, key), enc(&null)?);
            self.put_version(bucket, key, 0, &Version::Object(Box::new(null)), freed)?;
        }
        Ok(())
    }

    /// Removes the key's null version record, if it has one.
    fn drop_null(&mut self, bucket: &str, key: &str, freed: &mut Vec<BlobId>) -> Result<()> {
        for (seq, v) in self.versions_of(bucket, key)? {
            if v.version_id() == NULL_VERSION {
                self.drop_version(bucket, key, seq, &v, freed)?;
            }
        }
        Ok(())
    }

    /// Records `new` as the key's newest version in a bucket with versioning `state` (not
    /// off), giving it its version id; `current` is the key's object record. The caller then
    /// stores `new` as the object record in place of `current`.
    pub(super) fn add_version(
        &mut self,
        bucket: &str,
        key: &str,
        state: Versioning,
        current: Option<&ObjectRecord>,
        new: &mut ObjectRecord,
        freed: &mut Vec<BlobId>,
    ) -> Result<()> {
        let seq = match state {
            Versioning::Off => {
                new.version_id = None;
                return Ok(());
            }
            Versioning::Enabled => {
                let seq = self.next_seq(bucket, key)?;
                self.adopt(bucket, key, current, freed)?;
                new.version_id = Some(new_version_id(seq));
                seq
            }
            Versioning::Suspended => {
                let seq = self.next_seq(bucket, key)?;
                self.drop_null(bucket, key, freed)?;
                new.version_id = Some(NULL_VERSION.into());
                seq
            }
        };
        self.put_version(
            bucket,
            key,
            seq,
            &Version::Object(Box::new(new.clone())),
            freed,
        )
    }

    /// A delete without a version id in a versioned bucket: adds a delete marker (the null
    /// one when suspended) and removes the object record.
    pub(super) fn add_marker(
        &mut self,
        bucket: &str,
        key: &str,
        state: Versioning,
        owner: &str,
        freed: &mut Vec<BlobId>,
    ) -> Result<Deleted> {
        let ok = obj_key(bucket, key);
        let current: Option<ObjectRecord> = self.get_dec(&ok)?;
        let seq = self.next_seq(bucket, key)?;
        let version_id = if state == Versioning::Suspended {
            if current.as_ref().is_some_and(|c| c.version_id.is_none()) {
                // The unversioned object is the null version the marker replaces.
            } else {
                self.drop_null(bucket, key, freed)?;
            }
            NULL_VERSION.to_string()
        } else {
            self.adopt(bucket, key, current.as_ref(), freed)?;
            new_version_id(seq)
        };
        if let Some(cur) = &current {
            self.remove(ok)?;
            self.adjust_refs(&cur.segments, -1, freed)?;
        }
        let marker = Version::Marker(DeleteMarker {
            version_id: version_id.clone(),
            modified_ms: now_ms(),
            owner: owner.to_string(),
        });
        self.put_version(bucket, key, seq, &marker, freed)?;
        Ok(Deleted {
            changed: true,
            version_id: Some(version_id),
            delete_marker: true,
        })
    }

    /// Replaces the record of the version `version_id` with `rec`: its references move from
    /// `old` segments to `rec`'s (the same ones when only its attributes change).
    pub(super) fn move_version(
        &mut self,
        bucket: &str,
        key: &str,
        version_id: &str,
        rec: &ObjectRecord,
        old: &[crate::model::Segment],
        freed: &mut Vec<BlobId>,
    ) -> Result<()> {
        if let Some(seq) = version_seq(self.engine, bucket, key, version_id)? {
            let k = version_key(bucket, key, seq);
            if self.get(&k)?.is_some() {
                if rec.segments != old {
                    self.replace_segments(&rec.segments, Some(old), freed)?;
                }
                self.insert(k, enc(&Version::Object(Box::new(rec.clone())))?);
            }
        }
        Ok(())
    }

    /// Removes one version of a key. When it was the latest, the next one takes its place:
    /// an object becomes the object record again, a delete marker leaves the key absent.
    pub(super) fn remove_version(
        &mut self,
        bucket: &str,
        key: &str,
        version_id: &str,
        freed: &mut Vec<BlobId>,
    ) -> Result<Deleted> {
        let ok = obj_key(bucket, key);
        let current: Option<ObjectRecord> = self.get_dec(&ok)?;
        let gone = Deleted {
            changed: true,
            version_id: Some(version_id.to_string()),
            delete_marker: false,
        };
        // An object written while versioning was off is the null version, unrecorded.
        if version_id == NULL_VERSION
            && let Some(cur) = current.as_ref().filter(|c| c.version_id.is_none())
        {
            self.remove(ok)?;
            self.adjust_refs(&cur.segments, -1, freed)?;
            return Ok(gone);
        }
        let versions = self.versions_of(bucket, key)?;
        let Some(at) = versions
            .iter()
            .position(|(_, v)| v.version_id() == version_id)
        else {
            return Ok(Deleted {
                changed: false,
                version_id: Some(version_id.to_string()),
                delete_marker: false,
            });
        };
        let (seq, v) = &versions[at];
        self.drop_version(bucket, key, *seq, v, freed)?;
        if at == 0 {
            if let Some(cur) = &current {
                self.remove(ok.clone())?;
                self.adjust_refs(&cur.segments, -1, freed)?;
            }
            if let Some((_, Version::Object(next))) = versions.get(1) {
                self.adjust_refs(&next.segments, 1, freed)?;
                self.insert(ok, enc(next.as_ref())?);
            }
        }
        Ok(Deleted {
            delete_marker: matches!(v, Version::Marker(_)),
            ..gone
        })
    }
}

/// Reads a version of a key: `null` is the unrecorded object of a bucket written while
/// versioning was off, or the recorded null version.
pub(super) fn find_version(
    engine: &dyn Engine,
    bucket: &str,
    key: &str,
    version_id: &str,
) -> Result<Option<Version>> {
    if let Some(seq) = parse_version_id(version_id) {
        let Some(raw) = engine.get(&version_key(bucket, key, seq))? else {
            return Ok(None);
        };
        let v: Version = dec(&raw)?;
        return Ok((v.version_id() == version_id).then_some(v));
    }
    if version_id != NULL_VERSION {
        return Ok(None);
    }
    if let Some(raw) = engine.get(&obj_key(bucket, key))? {
        let o: ObjectRecord = dec(&raw)?;
        if o.version_id.is_none() {
            return Ok(Some(Version::Object(Box::new(o))));
        }
    }
    for item in key_versions(engine, bucket, key) {
        let (_, v) = item?;
        if v.version_id() == NULL_VERSION {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

/// The place (`seq`) of the version `version_id` of a key: the one its id names (whether or
/// not it still exists), the null version's, or `None` when there is no such null version.
pub(super) fn version_seq(
    engine: &dyn Engine,
    bucket: &str,
    key: &str,
    version_id: &str,
) -> Result<Option<u64>> {
    if let Some(seq) = parse_version_id(version_id) {
        return Ok(Some(seq));
    }
    for item in key_versions(engine, bucket, key) {
        let (seq, v) = item?;
        if v.version_id() == NULL_VERSION {
            return Ok(Some(seq));
        }
    }
    match engine.get(&obj_key(bucket, key))? {
        Some(raw) if dec::<ObjectRecord>(&raw)?.version_id.is_none() => Ok(Some(0)),
        _ => Ok(None),
    }
}

/// The key's latest version when it is a delete marker.
pub(super) fn latest_marker(
    engine: &dyn Engine,
    bucket: &str,
    key: &str,
) -> Result<Option<DeleteMarker>> {
    match key_versions(engine, bucket, key).next().transpose()? {
        Some((_, Version::Marker(m))) => Ok(Some(m)),
        _ => Ok(None),
    }
}

/// One entry of a version listing.
#[derive(Clone, Debug, PartialEq)]
pub struct VersionEntry {
    /// The object key.
    pub key: String,
    /// Its place among the key's versions: a larger one is newer; 0 for an object written
    /// before versioning was enabled.
    pub seq: u64,
    /// The version (an unrecorded null version is an object with `version_id: None`).
    pub version: Version,
    /// Whether it is the key's latest version.
    pub latest: bool,
}

/// The versions of a bucket, by key, newest first per key, with the unrecorded null versions
/// of objects written while versioning was off, starting at key `from` (with `past`, after
/// every key that starts with `from`).
pub(super) fn scan_versions<'a>(
    engine: &'a dyn Engine,
    bucket: &str,
    from: &str,
    past: bool,
) -> impl Iterator<Item = Result<VersionEntry>> + 'a {
    let vprefix = tagged(VERSION, &[bucket.as_bytes(), b""]);
    let oprefix = tagged(OBJECT, &[bucket.as_bytes(), b""]);
    let start = |tag: u8| {
        let at = tagged(tag, &[bucket.as_bytes(), from.as_bytes()]);
        if past {
            prefix_end(&at).unwrap_or(at)
        } else {
            at
        }
    };
    let (vstart, ostart) = (start(VERSION), start(OBJECT));
    let vend = prefix_end(&vprefix).unwrap_or_default();
    let oend = prefix_end(&oprefix).unwrap_or_default();
    let vlen = vprefix.len();
    let olen = oprefix.len();
    let versions = engine
        .range(Bound::Included(&vstart), Bound::Excluded(&vend))
        .map(move |kv| {
            let (k, v) = kv?;
            if k.len() < vlen + 9 {
                return Err(StoreError::Corrupt("a version key too short".into()));
            }
            let key = utf8(&k[vlen..k.len() - 9])?;
            Ok((key, seq_of(&k), dec::<Version>(&v)?))
        })
        .peekable();
    // Only unrecorded null versions come from the object records; the others duplicate
    // their version records.
    let objects = engine
        .range(Bound::Included(&ostart), Bound::Excluded(&oend))
        .filter_map(move |kv| {
            let parsed = kv.and_then(|(k, v)| Ok((utf8(&k[olen..])?, dec::<ObjectRecord>(&v)?)));
            match parsed {
                Ok((_, o)) if o.version_id.is_some() => None,
                other => Some(other),
            }
        })
        .peekable();
    Merge {
        versions,
        objects,
        last_key: None,
    }
}

fn utf8(b: &[u8]) -> Result<String> {
    String::from_utf8(b.to_vec()).map_err(|e| StoreError::Corrupt(e.to_string()))
}

struct Merge<V: Iterator, O: Iterator> {
    versions: std::iter::Peekable<V>,
    objects: std::iter::Peekable<O>,
    /// The key of the previous version entry (the next one of the same key is not latest).
    last_key: Option<String>,
}

impl<V, O> Iterator for Merge<V, O>
where
    V: Iterator<Item = Result<(String, u64, Version)>>,
    O: Iterator<Item = Result<(String, ObjectRecord)>>,
{
    type Item = Result<VersionEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        let take_object = match (self.versions.peek(), self.objects.peek()) {
            (None, None) => return None,
            (Some(Err(_)), _) | (None, Some(_)) => !matches!(self.versions.peek(), Some(Err(_))),
            (Some(_), Some(Err(_))) => true,
            (Some(Ok((vk, _, _))), Some(Ok((ok, _)))) => ok < vk,
            (Some(Ok(_)), None) => false,
        };
        if take_object {
            return self.objects.next().map(|r| {
                r.map(|(key, o)| VersionEntry {
                    key,
                    seq: 0,
                    version: Version::Object(Box::new(o)),
                    latest: true,
                })
            });
        }
        let item = self.versions.next()?;
        Some(item.map(|(key, seq, version)| {
            let latest = self.last_key.as_deref() != Some(key.as_str());
            self.last_key = Some(key.clone());
            VersionEntry {
                key,
                seq,
                version,
                latest,
            }
        }))
    }
}
