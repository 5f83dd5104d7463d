//! Resources declared in a configuration file, ensured at start-up: buckets (owner, ACL),
//! custom domains, website (back-to-origin), CORS and event notification configurations, and
//! objects seeded from a
//! directory (`seed.rs`). Applying the same declarations again changes nothing.

mod seed;

pub use seed::{Seeded, content_type, seed};

use ossemu_rules::Website;
use ossemu_store::{BucketRecord, Store, StoreError, now_ms};
use ossemu_xml::cors::CorsConfiguration;

use crate::dialect::Dialect;
use crate::error::{ApiError, Code};
use crate::handlers::{BUCKET_ACLS, cname, cors, website};
use crate::pipeline::classify::valid_bucket_name;

/// One declared bucket.
#[derive(Clone, Debug, Default)]
pub struct BucketSpec {
    /// Bucket name.
    pub name: String,
    /// Owner access key.
    pub owner: String,
    /// Canned ACL.
    pub acl: String,
    /// Custom domains bound to it.
    pub cnames: Vec<String>,
    /// Website configuration to set (left as is when `None`).
    pub website: Option<Website>,
    /// CORS configuration to set (left as is when `None`).
    pub cors: Option<CorsConfiguration>,
    /// Directory whose files are uploaded as objects when their keys are missing.
    pub seed: Option<std::path::PathBuf>,
    /// Event notification configuration to set (left as is when `None`).
    pub notifications: Option<crate::notify::NotificationConfiguration>,
}

/// Why the declarations could not be applied.
#[derive(Debug)]
pub enum ApplyError {
    /// The disk is full: a declaration that needed a write was not applied (the message says
    /// which). The store still serves what it has.
    NoSpace(String),
    /// Anything else, with what went wrong.
    Refused(String),
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplyError::NoSpace(m) | ApplyError::Refused(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ApplyError {}

/// A store failure while applying `what`.
fn store_error(what: String, e: StoreError) -> ApplyError {
    match e {
        StoreError::NoSpace => ApplyError::NoSpace(format!("{what}: {e}")),
        e => ApplyError::Refused(format!("{what}: {e}")),
    }
}

fn message(e: ApiError) -> String {
    match e.message {
        Some(m) => format!("{}: {m}", e.code.as_str()),
        None => format!("{}: {}", e.code.as_str(), e.code.default_message()),
    }
}

/// A handler's refusal while applying `what`.
fn api_error(what: String, e: ApiError) -> ApplyError {
    let no_space = e.code == Code::InsufficientStorage;
    let text = format!("{what}: {}", message(e));
    if no_space {
        ApplyError::NoSpace(text)
    } else {
        ApplyError::Refused(text)
    }
}

/// Checks a bucket name.
pub fn check_bucket_name(name: &str) -> Result<(), String> {
    if valid_bucket_name(name) {
        Ok(())
    } else {
        Err(format!(
            "invalid bucket name {name:?}: 3-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen"
        ))
    }
}

/// Checks a canned bucket ACL.
pub fn check_acl(acl: &str) -> Result<(), String> {
    if BUCKET_ACLS.contains(&acl) {
        Ok(())
    } else {
        Err(format!(
            "invalid ACL {acl:?}: one of {}",
            BUCKET_ACLS.join(", ")
        ))
    }
}

/// Checks a custom domain (not an endpoint domain, DNS labels).
pub fn check_domain(domain: &str, endpoint_domains: &[String]) -> Result<(), String> {
    if cname::domain_ok(domain, endpoint_domains) {
        Ok(())
    } else {
        Err(format!(
            "{domain:?} is not a domain that can be bound to a bucket"
        ))
    }
}

/// Parses and validates a website configuration (OSS, or S3 with its namespace).
pub fn parse_website(xml: &str) -> Result<Website, String> {
    website::parse(xml.as_bytes()).map_err(message)
}

/// Parses and validates a CORS configuration.
pub fn parse_cors(xml: &str) -> Result<CorsConfiguration, String> {
    cors::parse(xml.as_bytes(), Dialect::Oss).map_err(message)
}

/// Ensures the declared buckets exist with their owner, ACL, domains and configurations.
/// Declarations that already hold write nothing.
pub async fn apply(store: &Store, region: &str, specs: &[BucketSpec]) -> Result<(), ApplyError> {
    for b in specs {
        ensure_bucket(store, region, b).await?;
        for d in &b.cnames {
            store
                .bind_domain(d, &b.name, now_ms())
                .await
                .map_err(|e| match e {
                    StoreError::DomainTaken => ApplyError::Refused(format!(
                        "domain {d} is already bound to another bucket than {}",
                        b.name
                    )),
                    e => store_error(format!("domain {d}"), e),
                })?;
        }
        if let Some(w) = &b.website {
            website::store(store, &b.name, w)
                .await
                .map_err(|e| api_error(format!("website of bucket {}", b.name), e))?;
        }
        if let Some(c) = &b.cors {
            cors::store(store, &b.name, c)
                .await
                .map_err(|e| api_error(format!("CORS of bucket {}", b.name), e))?;
        }
        if let Some(n) = &b.notifications {
            crate::notify::store(store, &b.name, (!n.is_empty()).then_some(n))
                .await
                .map_err(|e| store_error(format!("notifications of bucket {}", b.name), e))?;
        }
        if let Some(dir) = &b.seed {
            let done = seed(store, &b.name, &b.owner, dir).await?;
            tracing::info!(
                bucket = %b.name,
                uploaded = done.uploaded,
                present = done.present,
                "seeded from {}",
                dir.display()
            );
        }
    }
    Ok(())
}

/// Creates the declared bucket, or checks its owner and sets its ACL.
async fn ensure_bucket(store: &Store, region: &str, b: &BucketSpec) -> Result<(), ApplyError> {
    let rec = BucketRecord {
        name: b.name.clone(),
        owner: b.owner.clone(),
        acl: b.acl.clone(),
        created_ms: now_ms(),
        storage_class: "Standard".into(),
        location: region.to_string(),
        versioning: Default::default(),
        object_lock: false,
        data_redundancy: None,
        ..Default::default()
    };
    let what = || format!("bucket {}", b.name);
    match store
        .meta()
        .get_bucket(&b.name)
        .map_err(|e| store_error(what(), e))?
    {
        None => match store.create_bucket(&rec).await {
            Ok(()) | Err(StoreError::BucketExists) => {}
            Err(e) => return Err(store_error(what(), e)),
        },
        Some(cur) if cur.owner != b.owner => {
            return Err(ApplyError::Refused(format!(
                "bucket {} already exists and belongs to {}, not {}",
                b.name, cur.owner, b.owner
            )));
        }
        Some(cur) if cur.acl != b.acl => {
            store
                .update_bucket(&BucketRecord {
                    acl: b.acl.clone(),
                    grants: None,
                    ..cur
                })
                .await
                .map_err(|e| store_error(what(), e))?;
        }
        Some(_) => {}
    }
    Ok(())
}
