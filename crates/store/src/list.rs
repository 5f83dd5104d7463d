//! Object listing with prefix, delimiter and marker, served by range scans.
//!
//! Keys are visited in byte order. When a key rolls up into a common prefix, the scan jumps
//! past every key under that prefix instead of walking them.

use crate::error::Result;
use crate::meta::{Meta, ScanFrom, VersionEntry};
use crate::model::ObjectRecord;

/// What to list.
#[derive(Clone, Debug, Default)]
pub struct ListQuery<'a> {
    /// Only keys starting with this.
    pub prefix: &'a str,
    /// Roll keys up to the first occurrence of this after the prefix (empty: no roll-up).
    pub delimiter: &'a str,
    /// Only entries strictly after this key (v1 marker, v2 start-after or continuation).
    pub after: &'a str,
    /// At most this many entries (objects plus common prefixes).
    pub max: usize,
}

/// One listing entry.
#[derive(Clone, Debug, PartialEq)]
pub enum ListEntry {
    /// An object.
    Object(String, Box<ObjectRecord>),
    /// A common prefix (ends with the delimiter).
    Prefix(String),
}

impl ListEntry {
    /// The key or prefix.
    pub fn name(&self) -> &str {
        match self {
            ListEntry::Object(k, _) | ListEntry::Prefix(k) => k,
        }
    }
}

/// A page of a listing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListPage {
    /// Objects and common prefixes in key order.
    pub entries: Vec<ListEntry>,
    /// More entries follow the last one.
    pub truncated: bool,
}

impl ListPage {
    /// The name to continue after, when truncated.
    pub fn next_marker(&self) -> Option<&str> {
        if self.truncated {
            self.entries.last().map(ListEntry::name)
        } else {
            None
        }
    }
}

/// Lists one page of `bucket`.
pub fn list_objects(meta: &Meta, bucket: &str, q: &ListQuery<'_>) -> Result<ListPage> {
    let mut page = ListPage::default();
    // Start at the later of the prefix and the marker; a marker that is itself a rolled-up
    // prefix continues past everything under it.
    let from = if q.prefix > q.after {
        ScanFrom::At(q.prefix)
    } else if !q.delimiter.is_empty()
        && let Some(rest) = q.after.strip_prefix(q.prefix)
        && rest.find(q.delimiter) == Some(rest.len().wrapping_sub(q.delimiter.len()))
    {
        ScanFrom::PastPrefix(q.after)
    } else {
        ScanFrom::After(q.after)
    };
    if q.max == 0 {
        return Ok(page);
    }
    let mut it = meta.scan_objects(bucket, from);
    while let Some(item) = it.next() {
        let (key, rec) = item?;
        if !key.starts_with(q.prefix) {
            break;
        }
        let rest = &key[q.prefix.len()..];
        let common = if q.delimiter.is_empty() {
            None
        } else {
            rest.find(q.delimiter)
                .map(|i| key[..q.prefix.len() + i + q.delimiter.len()].to_string())
        };
        match common {
            Some(cp) => {
                if cp.as_str() > q.after {
                    if page.entries.len() == q.max {
                        page.truncated = true;
                        break;
                    }
                    page.entries.push(ListEntry::Prefix(cp.clone()));
                }
                it = meta.scan_objects(bucket, ScanFrom::PastPrefix(&cp));
            }
            None => {
                if page.entries.len() == q.max {
                    page.truncated = true;
                    break;
                }
                page.entries.push(ListEntry::Object(key, Box::new(rec)));
            }
        }
    }
    Ok(page)
}

/// What to list of a bucket's versions.
#[derive(Clone, Debug, Default)]
pub struct VersionQuery<'a> {
    /// Only keys starting with this.
    pub prefix: &'a str,
    /// Roll keys up to the first occurrence of this after the prefix (empty: no roll-up).
    pub delimiter: &'a str,
    /// Only keys after this one, or with `version_marker`, only this key's versions older
    /// than that one and the keys after it.
    pub key_marker: &'a str,
    /// See `key_marker`.
    pub version_marker: &'a str,
    /// At most this many entries (versions, delete markers and common prefixes).
    pub max: usize,
}

/// One entry of a version listing.
#[derive(Clone, Debug, PartialEq)]
pub enum VersionItem {
    /// A version or delete marker.
    Version(VersionEntry),
    /// A common prefix (ends with the delimiter).
    Prefix(String),
}

/// A page of a version listing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VersionPage {
    /// Entries in key order, newest first per key.
    pub entries: Vec<VersionItem>,
    /// More entries follow the last one.
    pub truncated: bool,
}

impl VersionPage {
    /// The key marker and version id marker to continue after, when truncated: the last
    /// entry's (a common prefix has no version).
    pub fn next_markers(&self) -> Option<(&str, Option<&str>)> {
        if !self.truncated {
            return None;
        }
        match self.entries.last()? {
            VersionItem::Version(v) => Some((&v.key, Some(v.version.version_id()))),
            VersionItem::Prefix(p) => Some((p, None)),
        }
    }
}

/// Lists one page of the versions of `bucket`.
pub fn list_versions(meta: &Meta, bucket: &str, q: &VersionQuery<'_>) -> Result<VersionPage> {
    let mut page = VersionPage::default();
    if q.max == 0 {
        return Ok(page);
    }
    // The marker key's versions up to and including the marker version are skipped, by
    // place, so that a marker version deleted since the last page still counts.
    let newest_kept = match q.version_marker {
        "" => None,
        id => meta.version_seq(bucket, q.key_marker, id)?,
    };
    let start = q.prefix.max(q.key_marker);
    let mut it = meta.scan_versions(bucket, start, false);
    while let Some(item) = it.next() {
        let entry = item?;
        let key = entry.key.as_str();
        if !key.starts_with(q.prefix) {
            if key > q.prefix {
                break;
            }
            continue;
        }
        if key == q.key_marker && newest_kept.is_none_or(|s| entry.seq >= s) {
            continue;
        }
        let rest = &key[q.prefix.len()..];
        let common = match q.delimiter {
            "" => None,
            d => rest
                .find(d)
                .map(|i| key[..q.prefix.len() + i + d.len()].to_string()),
        };
        if page.entries.len() == q.max {
            page.truncated = true;
            break;
        }
        match common {
            Some(cp) => {
                if cp.as_str() > q.key_marker {
                    page.entries.push(VersionItem::Prefix(cp.clone()));
                }
                it = meta.scan_versions(bucket, &cp, true);
            }
            None => page.entries.push(VersionItem::Version(entry)),
        }
    }
    Ok(page)
}
