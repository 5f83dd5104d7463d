//! Resources declared in a configuration file, ensured at start-up: buckets (owner, ACL),
//! custom domains, website (back-to-origin) and CORS configurations. Applying the same
//! declarations again changes nothing.

use ossemu_rules::Website;
use ossemu_store::{BucketRecord, Store, StoreError, now_ms};
use ossemu_xml::cors::CorsConfiguration;

use crate::dialect::Dialect;
use crate::error::ApiError;
use crate::handlers::{BUCKET_ACLS, cname, cors, website};
use crate::pipeline::classify::valid_bucket_name;

/// One declared bucket.
#[derive(Clone, Debug)]
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
}

fn message(e: ApiError) -> String {
    match e.message {
        Some(m) => format!("{}: {m}", e.code.as_str()),
        None => format!("{}: {}", e.code.as_str(), e.code.default_message()),
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
pub async fn apply(store: &Store, region: &str, specs: &[BucketSpec]) -> Result<(), String> {
    for b in specs {
        let rec = BucketRecord {
            name: b.name.clone(),
            owner: b.owner.clone(),
            acl: b.acl.clone(),
            created_ms: now_ms(),
            storage_class: "Standard".into(),
            location: region.to_string(),
        };
        match store
            .meta()
            .get_bucket(&b.name)
            .map_err(|e| e.to_string())?
        {
            None => match store.create_bucket(&rec).await {
                Ok(()) | Err(StoreError::BucketExists) => {}
                Err(e) => return Err(format!("bucket {}: {e}", b.name)),
            },
            Some(cur) if cur.owner != b.owner => {
                return Err(format!(
                    "bucket {} already exists and belongs to {}, not {}",
                    b.name, cur.owner, b.owner
                ));
            }
            Some(cur) if cur.acl != b.acl => {
                store
                    .update_bucket(&BucketRecord {
                        acl: b.acl.clone(),
                        ..cur
                    })
                    .await
                    .map_err(|e| e.to_string())?;
            }
            Some(_) => {}
        }
        for d in &b.cnames {
            store
                .bind_domain(d, &b.name, now_ms())
                .await
                .map_err(|e| match e {
                    StoreError::DomainTaken => {
                        format!(
                            "domain {d} is already bound to another bucket than {}",
                            b.name
                        )
                    }
                    e => e.to_string(),
                })?;
        }
        if let Some(w) = &b.website {
            website::store(store, &b.name, w).await.map_err(message)?;
        }
        if let Some(c) = &b.cors {
            cors::store(store, &b.name, c).await.map_err(message)?;
        }
    }
    Ok(())
}
