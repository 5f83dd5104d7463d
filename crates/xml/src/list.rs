//! Object listings: ListObjects (v1), ListObjectsV2 and ListObjectVersions.

use serde::Serialize;

use crate::bucket::Owner;

/// One `<Contents>` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Contents {
    /// Object key (url-encoded when `encoding-type=url`).
    #[serde(rename = "Key")]
    pub key: String,
    /// Last-Modified, ISO 8601 with milliseconds.
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    /// Quoted ETag.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// Object type (OSS only).
    #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Size in bytes.
    #[serde(rename = "Size")]
    pub size: u64,
    /// Storage class.
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
    /// Owner, when listed.
    #[serde(rename = "Owner", skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
}

/// One `<CommonPrefixes>` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CommonPrefix {
    /// The rolled-up prefix.
    #[serde(rename = "Prefix")]
    pub prefix: String,
}

/// ListObjects / ListObjectsV2 response, root `ListBucketResult`. v1-only and v2-only elements
/// are `None` in the other version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListBucketResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// Bucket name.
    #[serde(rename = "Name")]
    pub name: String,
    /// Echoed prefix.
    #[serde(rename = "Prefix")]
    pub prefix: String,
    /// Echoed marker (v1).
    #[serde(rename = "Marker", skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    /// Echoed continuation token (v2).
    #[serde(rename = "ContinuationToken", skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    /// Echoed start-after (v2).
    #[serde(rename = "StartAfter", skip_serializing_if = "Option::is_none")]
    pub start_after: Option<String>,
    /// Echoed max-keys.
    #[serde(rename = "MaxKeys")]
    pub max_keys: usize,
    /// Echoed delimiter.
    #[serde(rename = "Delimiter", skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// `url` when names are encoded.
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    /// More entries follow.
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    /// Where the next v1 page starts.
    #[serde(rename = "NextMarker", skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// Token for the next v2 page.
    #[serde(
        rename = "NextContinuationToken",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_continuation_token: Option<String>,
    /// Number of keys and prefixes returned (v2).
    #[serde(rename = "KeyCount", skip_serializing_if = "Option::is_none")]
    pub key_count: Option<usize>,
    /// Objects.
    #[serde(rename = "Contents")]
    pub contents: Vec<Contents>,
    /// Common prefixes.
    #[serde(rename = "CommonPrefixes")]
    pub common_prefixes: Vec<CommonPrefix>,
}

/// One `<Version>` of ListObjectVersions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Version {
    /// Object key.
    #[serde(rename = "Key")]
    pub key: String,
    /// Always `null`: buckets are unversioned.
    #[serde(rename = "VersionId")]
    pub version_id: String,
    /// Always true.
    #[serde(rename = "IsLatest")]
    pub is_latest: bool,
    /// Last-Modified, ISO 8601.
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    /// Quoted ETag.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// Object type (OSS only).
    #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Size.
    #[serde(rename = "Size")]
    pub size: u64,
    /// Storage class.
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
    /// Owner.
    #[serde(rename = "Owner")]
    pub owner: Owner,
}

/// ListObjectVersions response, root `ListVersionsResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListVersionsResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// Bucket name.
    #[serde(rename = "Name")]
    pub name: String,
    /// Echoed prefix.
    #[serde(rename = "Prefix")]
    pub prefix: String,
    /// Echoed key-marker.
    #[serde(rename = "KeyMarker")]
    pub key_marker: String,
    /// Echoed version-id-marker.
    #[serde(rename = "VersionIdMarker")]
    pub version_id_marker: String,
    /// Next key-marker when truncated.
    #[serde(rename = "NextKeyMarker", skip_serializing_if = "Option::is_none")]
    pub next_key_marker: Option<String>,
    /// Next version-id-marker when truncated.
    #[serde(
        rename = "NextVersionIdMarker",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_version_id_marker: Option<String>,
    /// Echoed max-keys.
    #[serde(rename = "MaxKeys")]
    pub max_keys: usize,
    /// Echoed delimiter.
    #[serde(rename = "Delimiter", skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// `url` when names are encoded.
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    /// More entries follow.
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    /// Versions (one per object).
    #[serde(rename = "Version")]
    pub versions: Vec<Version>,
    /// Common prefixes.
    #[serde(rename = "CommonPrefixes")]
    pub common_prefixes: Vec<CommonPrefix>,
}
