//! The per-request context handlers work from.

use std::sync::{Arc, OnceLock};

use http::{HeaderMap, Method};
use ossemu_store::BucketRecord;

use crate::access::Identity;
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::host::Addressing;
pub use crate::query::Query;
use crate::state::AppState;

/// The routing rule that produced a response: a typed fact a handler attaches to its response
/// (as an extension); the finish stage reports it in `x-ossemu-rule`, metrics and the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchedRule(pub u32);

/// Everything known about a request before its body is read.
pub struct Ctx {
    /// Shared state.
    pub state: Arc<AppState>,
    /// Request id (24 upper-case hex characters).
    pub id: String,
    /// Wire dialect.
    pub dialect: Dialect,
    /// HTTP method.
    pub method: Method,
    /// The Host header as sent (with port), used for HostId and endpoint fields.
    pub host_header: String,
    /// How the host addresses the bucket.
    pub addressing: Addressing,
    /// The bucket, from the host or the path.
    pub bucket: Option<String>,
    /// The object key, percent-decoded.
    pub key: Option<String>,
    /// Query parameters.
    pub query: Query,
    /// Request headers.
    pub headers: HeaderMap,
    /// Who is asking.
    pub identity: Identity,
    /// The client's address (`aws:SourceIp` / `acs:SourceIp` of bucket policies).
    pub peer: std::net::SocketAddr,
    /// The operation the router chose.
    pub op: crate::router::Op,
    /// The addressed bucket's record, once loaded.
    pub bucket_rec: OnceLock<BucketRecord>,
    /// The checksum of a verified request body (set when the body ends cleanly).
    pub checksum: crate::payload::ChecksumSlot,
    /// Facts for the request trail gathered on the way (the mirror fetch).
    pub trail: crate::trail::Notes,
}

impl Ctx {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A dialect header (`x-oss-<suffix>` or `x-amz-<suffix>`, either accepted).
    pub fn dheader(&self, suffix: &str) -> Option<&str> {
        crate::dialect::either_header(&self.headers, self.dialect, suffix)
    }

    /// The bucket name (routing guarantees one for bucket operations).
    pub fn bucket(&self) -> ApiResult<&str> {
        self.bucket
            .as_deref()
            .ok_or_else(|| ApiError::new(Code::InvalidBucketName))
    }

    /// The object key (routing guarantees one for object operations).
    pub fn key(&self) -> ApiResult<&str> {
        self.key
            .as_deref()
            .ok_or_else(|| ApiError::new(Code::InvalidObjectName))
    }

    /// The addressed bucket's record, or NoSuchBucket (looked up once per request).
    pub fn load_bucket(&self) -> ApiResult<BucketRecord> {
        if let Some(b) = self.bucket_rec.get() {
            return Ok(b.clone());
        }
        let name = self.bucket()?;
        let rec = self
            .state
            .store
            .meta()
            .get_bucket(name)?
            .ok_or_else(|| ApiError::new(Code::NoSuchBucket))?;
        Ok(self.bucket_rec.get_or_init(|| rec).clone())
    }

    /// The checksum a verified body ended with (`(algorithm, base64)`), taken once.
    pub fn take_checksum(&self) -> Option<(String, String)> {
        self.checksum
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// The store.
    pub fn store(&self) -> &ossemu_store::Store {
        &self.state.store
    }

    /// `Content-Length`, if sent and valid.
    pub fn content_length(&self) -> ApiResult<Option<u64>> {
        match self.header("content-length") {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| {
                ApiError::msg(Code::InvalidArgument, "Content-Length is not a number.")
            }),
        }
    }

    /// The public endpoint host clients used (Host without the bucket label).
    pub fn endpoint_host(&self) -> String {
        match (&self.addressing, &self.bucket) {
            (Addressing::VirtualHost(_), Some(b)) => self
                .host_header
                .strip_prefix(&format!("{b}."))
                .unwrap_or(&self.host_header)
                .to_string(),
            _ => self.host_header.clone(),
        }
    }
}
