//! Index and error document decisions, after the routing rules found nothing.
//!
//! For a key that is empty (the bucket root) or ends in `/`, [`index_key`] names the object to
//! serve. For a missing key without a trailing `/`, [`missing_key_plan`] says what
//! `SupportSubDir`/`Type` want checked. When both give nothing, [`error_page`] names the error
//! page and its status.

use crate::model::{ErrorDocument, IndexDocument, IndexType};
use crate::path::encode_key;

/// The index object for `key` (empty or ending in `/`): `key` + Suffix with SupportSubDir,
/// otherwise the root index (Suffix). `None` when there is no Suffix or `key` is neither empty
/// nor ends in `/`.
pub fn index_key(index: &IndexDocument, key: &str) -> Option<String> {
    if index.suffix.is_empty() || !(key.is_empty() || key.ends_with('/')) {
        return None;
    }
    if index.supports_sub_dir() {
        Some(format!("{key}{}", index.suffix))
    } else {
        Some(index.suffix.clone())
    }
}

/// What to do for a missing key that does not end in `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MissingKeyPlan {
    /// Go on to the error document (Type 1, SupportSubDir off, or no index configured).
    NotFound,
    /// Type 0: if `probe_key` exists, answer 302 with `location`; otherwise not found.
    RedirectIfExists {
        /// `key/` + Suffix.
        probe_key: String,
        /// `/key/`, percent-encoded per segment (a path relative to the request's host).
        location: String,
    },
    /// Type 2: if `probe_key` exists, serve it; otherwise not found.
    ServeIfExists {
        /// `key/` + Suffix.
        probe_key: String,
    },
}

/// The `SupportSubDir`/`Type` plan for a missing `key` (applies only when SupportSubDir is
/// true and `key` is not empty and does not end in `/`).
pub fn missing_key_plan(index: &IndexDocument, key: &str) -> MissingKeyPlan {
    if index.suffix.is_empty() || !index.supports_sub_dir() || key.is_empty() || key.ends_with('/')
    {
        return MissingKeyPlan::NotFound;
    }
    let probe_key = format!("{key}/{}", index.suffix);
    match index.index_type.unwrap_or(IndexType::RedirectToDir) {
        IndexType::RedirectToDir => MissingKeyPlan::RedirectIfExists {
            probe_key,
            location: format!("/{}/", encode_key(key)),
        },
        IndexType::NotFound => MissingKeyPlan::NotFound,
        IndexType::ServeDirIndex => MissingKeyPlan::ServeIfExists { probe_key },
    }
}

/// The error page key and the status to send it with (`HttpStatus`, default 404); `None` when
/// no Key is configured.
pub fn error_page(error: &ErrorDocument) -> Option<(&str, u16)> {
    (!error.key.is_empty()).then(|| (error.key.as_str(), error.status()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(suffix: &str, sub_dir: Option<bool>, t: Option<IndexType>) -> IndexDocument {
        IndexDocument {
            suffix: suffix.to_owned(),
            support_sub_dir: sub_dir,
            index_type: t,
        }
    }

    #[test]
    fn index_for_directories() {
        let root_only = index("index.html", None, None);
        assert_eq!(index_key(&root_only, ""), Some("index.html".to_owned()));
        assert_eq!(index_key(&root_only, "dir/"), Some("index.html".to_owned()));
        assert_eq!(index_key(&root_only, "dir"), None);
        let sub = index("index.html", Some(true), None);
        assert_eq!(index_key(&sub, ""), Some("index.html".to_owned()));
        assert_eq!(index_key(&sub, "a/b/"), Some("a/b/index.html".to_owned()));
        assert_eq!(index_key(&index("", Some(true), None), "a/"), None);
    }

    #[test]
    fn missing_key_types() {
        let t0 = index("index.html", Some(true), None);
        assert_eq!(
            missing_key_plan(&t0, "abc"),
            MissingKeyPlan::RedirectIfExists {
                probe_key: "abc/index.html".to_owned(),
                location: "/abc/".to_owned(),
            }
        );
        assert_eq!(
            missing_key_plan(&t0, "a b/中"),
            MissingKeyPlan::RedirectIfExists {
                probe_key: "a b/中/index.html".to_owned(),
                location: "/a%20b/%E4%B8%AD/".to_owned(),
            }
        );
        let t1 = index("index.html", Some(true), Some(IndexType::NotFound));
        assert_eq!(missing_key_plan(&t1, "abc"), MissingKeyPlan::NotFound);
        let t2 = index("index.html", Some(true), Some(IndexType::ServeDirIndex));
        assert_eq!(
            missing_key_plan(&t2, "abc"),
            MissingKeyPlan::ServeIfExists {
                probe_key: "abc/index.html".to_owned()
            }
        );
        // Type only applies with SupportSubDir, and not to names ending in `/`.
        let off = index("index.html", Some(false), Some(IndexType::ServeDirIndex));
        assert_eq!(missing_key_plan(&off, "abc"), MissingKeyPlan::NotFound);
        assert_eq!(missing_key_plan(&t2, "abc/"), MissingKeyPlan::NotFound);
    }

    #[test]
    fn error_pages() {
        let e = ErrorDocument {
            key: "404.html".to_owned(),
            http_status: None,
        };
        assert_eq!(error_page(&e), Some(("404.html", 404)));
        let spa = ErrorDocument {
            key: "index.html".to_owned(),
            http_status: Some(200),
        };
        assert_eq!(error_page(&spa), Some(("index.html", 200)));
        assert_eq!(error_page(&ErrorDocument::default()), None);
    }
}
