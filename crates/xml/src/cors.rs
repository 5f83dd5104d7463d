//! CORS configuration (`CORSConfiguration`), shared by both dialects. The same type is the
//! stored form (as JSON).

use serde::{Deserialize, Serialize};

/// One `<CORSRule>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CorsRule {
    /// Optional rule id (S3).
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Allowed origins; each may contain one `*`.
    #[serde(rename = "AllowedOrigin", default)]
    pub allowed_origins: Vec<String>,
    /// Allowed methods: GET, PUT, POST, DELETE, HEAD.
    #[serde(rename = "AllowedMethod", default)]
    pub allowed_methods: Vec<String>,
    /// Allowed request headers; each may contain one `*`.
    #[serde(rename = "AllowedHeader", default)]
    pub allowed_headers: Vec<String>,
    /// Response headers the browser may expose.
    #[serde(rename = "ExposeHeader", default)]
    pub expose_headers: Vec<String>,
    /// How long a preflight answer may be cached. Read as any integer so that a negative
    /// one is refused by name (OSS: InvalidArgument) rather than as malformed XML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_seconds: Option<i64>,
}

/// PutBucketCors body and GetBucketCors response, root `CORSConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CorsConfiguration {
    /// S3 namespace on output, or none.
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<String>,
    /// Rules, in order.
    #[serde(rename = "CORSRule", default)]
    pub rules: Vec<CorsRule>,
    /// OSS: send `Vary: Origin` (`true`/`false`; GetBucketCors answers `false` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_vary: Option<String>,
}
