//! Object listings: ListObjects (v1), ListObjectsV2 and ListObjectVersions.

use serde::Serialize;

use crate::bucket::Owner;

/// One `<Contents>` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Contents {
    /// Object key (url-encoded when `encoding-type=url`).
    pub key: String,
    /// Last-Modified, ISO 8601 with milliseconds.
    pub last_modified: String,
    /// Quoted ETag.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// Object type (OSS only).
    #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// Storage class.
    pub storage_class: String,
    /// Owner, when listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// The restore state of an archived object (`ongoing-request="true"`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restore_info: Option<String>,
}

/// One `<CommonPrefixes>` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CommonPrefix {
    /// The rolled-up prefix.
    pub prefix: String,
}

/// ListObjects / ListObjectsV2 response, root `ListBucketResult`. v1-only and v2-only elements
/// are `None` in the other version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListBucketResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// Bucket name.
    pub name: String,
    /// Echoed prefix.
    pub prefix: String,
    /// Echoed marker (v1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    /// Echoed continuation token (v2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    /// Echoed start-after (v2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_after: Option<String>,
    /// Echoed max-keys.
    pub max_keys: usize,
    /// Echoed delimiter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// `url` when names are encoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    /// More entries follow.
    pub is_truncated: bool,
    /// Where the next v1 page starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// Token for the next v2 page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_continuation_token: Option<String>,
    /// Number of keys and prefixes returned (v2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_count: Option<usize>,
    /// Objects.
    pub contents: Vec<Contents>,
    /// Common prefixes.
    pub common_prefixes: Vec<CommonPrefix>,
}

/// One `<Version>` of ListObjectVersions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Version {
    /// Object key.
    pub key: String,
    /// Version id (`null` for the null version).
    pub version_id: String,
    /// Whether it is the key's latest version.
    pub is_latest: bool,
    /// Last-Modified, ISO 8601.
    pub last_modified: String,
    /// Quoted ETag.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// Object type (OSS only).
    #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Size.
    pub size: u64,
    /// Storage class.
    pub storage_class: String,
    /// The restore state of an archived object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restore_info: Option<String>,
    /// Owner.
    pub owner: Owner,
}

/// One `<DeleteMarker>` of ListObjectVersions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteMarkerEntry {
    /// Object key.
    pub key: String,
    /// Version id of the marker.
    pub version_id: String,
    /// Whether it is the key's latest version.
    pub is_latest: bool,
    /// When the marker was made, ISO 8601.
    pub last_modified: String,
    /// Owner.
    pub owner: Owner,
}

/// One entry of ListObjectVersions, in key order and newest first per key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum VersionListing {
    /// An object version.
    Version(Version),
    /// A delete marker.
    DeleteMarker(DeleteMarkerEntry),
}

/// ListObjectVersions response, root `ListVersionsResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListVersionsResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// Bucket name.
    pub name: String,
    /// Echoed prefix.
    pub prefix: String,
    /// Echoed key-marker.
    pub key_marker: String,
    /// Echoed version-id-marker.
    pub version_id_marker: String,
    /// Next key-marker when truncated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_key_marker: Option<String>,
    /// Next version-id-marker when truncated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_version_id_marker: Option<String>,
    /// Echoed max-keys.
    pub max_keys: usize,
    /// Echoed delimiter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// `url` when names are encoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    /// More entries follow.
    pub is_truncated: bool,
    /// Versions and delete markers.
    #[serde(rename = "$value")]
    pub versions: Vec<VersionListing>,
    /// Common prefixes.
    pub common_prefixes: Vec<CommonPrefix>,
}
