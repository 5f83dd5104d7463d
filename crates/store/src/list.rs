//! Object listing with prefix, delimiter and marker, served by range scans.
//!
//! Keys are visited in byte order. When a key rolls up into a common prefix, the scan jumps
//! past every key under that prefix instead of walking them.

use crate::error::Result;
use crate::meta::{Meta, ScanFrom};
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
