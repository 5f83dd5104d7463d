//! Multipart upload documents.

use serde::{Deserialize, Serialize};

use crate::bucket::Owner;
use crate::list::CommonPrefix;

/// InitiateMultipartUpload response, root `InitiateMultipartUploadResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// Bucket.
    pub bucket: String,
    /// Key (url-encoded when requested).
    pub key: String,
    /// The new upload id.
    pub upload_id: String,
    /// `url` when the key is encoded (OSS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
}

/// One `<Part>` of a CompleteMultipartUpload request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompletePart {
    /// Part number.
    pub part_number: u32,
    /// The part's ETag as returned by UploadPart (quoted or not).
    #[serde(rename = "ETag", default)]
    pub etag: String,
}

/// CompleteMultipartUpload request, root `CompleteMultipartUpload`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompleteMultipartUpload {
    /// Parts in ascending order.
    #[serde(rename = "Part", default)]
    pub parts: Vec<CompletePart>,
}

/// CompleteMultipartUpload response, root `CompleteMultipartUploadResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompleteResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// `url` when the key is encoded (OSS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    /// URL of the object.
    pub location: String,
    /// Bucket.
    pub bucket: String,
    /// Key.
    pub key: String,
    /// Quoted multipart ETag.
    #[serde(rename = "ETag")]
    pub etag: String,
}

/// One `<Part>` of ListParts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PartEntry {
    /// Part number.
    pub part_number: u32,
    /// Upload time, ISO 8601.
    pub last_modified: String,
    /// Quoted ETag.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// CRC-64 of the part (OSS).
    #[serde(rename = "HashCrc64ecma", skip_serializing_if = "Option::is_none")]
    pub crc64: Option<String>,
    /// Size.
    pub size: u64,
}

/// ListParts response, root `ListPartsResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPartsResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// `url` when the key is encoded (OSS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    /// Bucket.
    pub bucket: String,
    /// Key.
    pub key: String,
    /// Upload id.
    pub upload_id: String,
    /// Echoed marker.
    pub part_number_marker: u32,
    /// Where the next page starts.
    pub next_part_number_marker: u32,
    /// Echoed max-parts.
    pub max_parts: usize,
    /// More parts follow.
    pub is_truncated: bool,
    /// Storage class.
    pub storage_class: String,
    /// Initiator (S3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiator: Option<Owner>,
    /// Owner (S3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// Parts.
    #[serde(rename = "Part")]
    pub parts: Vec<PartEntry>,
}

/// One `<Upload>` of ListMultipartUploads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UploadEntry {
    /// Key.
    pub key: String,
    /// Upload id.
    pub upload_id: String,
    /// Initiation time, ISO 8601.
    pub initiated: String,
    /// Storage class.
    pub storage_class: String,
    /// Initiator (S3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiator: Option<Owner>,
    /// Owner (S3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
}

/// ListMultipartUploads response, root `ListMultipartUploadsResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUploadsResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// `url` when names are encoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    /// Bucket.
    pub bucket: String,
    /// Echoed key-marker.
    pub key_marker: String,
    /// Echoed upload-id-marker.
    pub upload_id_marker: String,
    /// Next key-marker (always present; empty when not truncated).
    pub next_key_marker: String,
    /// Next upload-id-marker (always present; empty when not truncated).
    pub next_upload_id_marker: String,
    /// Echoed delimiter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// Echoed prefix.
    pub prefix: String,
    /// Echoed max-uploads.
    pub max_uploads: usize,
    /// More uploads follow.
    pub is_truncated: bool,
    /// Uploads.
    #[serde(rename = "Upload")]
    pub uploads: Vec<UploadEntry>,
    /// Rolled-up key prefixes.
    pub common_prefixes: Vec<CommonPrefix>,
}
