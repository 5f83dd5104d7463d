//! Parsed policies, kept between requests. A bucket policy is looked up in the store's
//! configuration cache on every request and parsed again only when the stored document
//! changed, so a policy put, deleted, or gone with its bucket takes effect at once. A user's
//! own policy comes from the configuration and never changes while the server runs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use ossemu_policy::Policy;
use ossemu_store::Meta;

use crate::access::Identity;
use crate::error::{ApiError, ApiResult};
use crate::state::ApiConfig;

/// The configuration kind a bucket policy is stored under (the document as it was put).
pub const KIND: &str = "policy";

/// Each bucket's policy as last read: the stored document (the store's cached copy, compared
/// by address first) and what it parses to.
type ByBucket = HashMap<String, (Arc<[u8]>, Arc<Policy>)>;

/// Parsed bucket and user policies.
#[derive(Default)]
pub struct PolicyCache {
    buckets: RwLock<ByBucket>,
    users: Mutex<HashMap<String, Option<Arc<Policy>>>>,
}

impl std::fmt::Debug for PolicyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PolicyCache")
    }
}

impl PolicyCache {
    /// The bucket's policy, if it has one.
    pub fn bucket(&self, meta: &Meta, bucket: &str) -> ApiResult<Option<Arc<Policy>>> {
        let Some(raw) = meta.shared_config(bucket, KIND)? else {
            if self.read().contains_key(bucket) {
                self.write().remove(bucket);
            }
            return Ok(None);
        };
        if let Some((seen, parsed)) = self.read().get(bucket)
            && Arc::ptr_eq(seen, &raw)
        {
            return Ok(Some(parsed.clone()));
        }
        // A new document, or the same bytes cached anew: parse (cheap next to a change).
        let parsed = Arc::new(Policy::parse(&raw, bucket).map_err(ApiError::internal)?);
        self.write()
            .insert(bucket.to_string(), (raw, parsed.clone()));
        Ok(Some(parsed))
    }

    /// The requester's own policy: only users (IAM/RAM) have one.
    pub fn identity(&self, config: &ApiConfig, who: &Identity) -> Option<Arc<Policy>> {
        let Identity::User {
            access_key,
            user: Some(_),
            ..
        } = who
        else {
            return None;
        };
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        users
            .entry(access_key.clone())
            .or_insert_with(|| {
                let doc = config.credential(access_key)?.policy.as_deref()?;
                // The configuration was checked at start-up (`ossemu_policy::Policy::parse_identity`).
                Policy::parse_identity(doc.as_bytes()).ok().map(Arc::new)
            })
            .clone()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, ByBucket> {
        self.buckets.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, ByBucket> {
        self.buckets.write().unwrap_or_else(|e| e.into_inner())
    }
}
