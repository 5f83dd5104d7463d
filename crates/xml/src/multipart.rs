//! Multipart upload documents.

use serde::{Deserialize, Serialize};

use crate::bucket::Owner;
use crate::list::CommonPrefix;

/// InitiateMultipartUpload response, root `InitiateMultipartUploadResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InitiateResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// Bucket.
    #[serde(rename = "Bucket")]
    pub bucket: String,
    /// Key (url-encoded when requested).
    #[serde(rename = "Key")]
    pub key: String,
    /// The new upload id.
    #[serde(rename = "UploadId")]
    pub upload_id: String,
    /// `url` when the key is encoded (OSS).
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
}

/// One `<Part>` of a CompleteMultipartUpload request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct CompletePart {
    /// Part number.
    #[serde(rename = "PartNumber")]
    pub part_number: u32,
    /// The part's ETag as returned by UploadPart (quoted or not).
    #[serde(rename = "ETag", default)]
    pub etag: String,
}

/// CompleteMultipartUpload request, root `CompleteMultipartUpload`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct CompleteMultipartUpload {
    /// Parts in ascending order.
    #[serde(rename = "Part", default)]
    pub parts: Vec<CompletePart>,
}

/// CompleteMultipartUpload response, root `CompleteMultipartUploadResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CompleteResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// `url` when the key is encoded (OSS).
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    /// URL of the object.
    #[serde(rename = "Location")]
    pub location: String,
    /// Bucket.
    #[serde(rename = "Bucket")]
    pub bucket: String,
    /// Key.
    #[serde(rename = "Key")]
    pub key: String,
    /// Quoted multipart ETag.
    #[serde(rename = "ETag")]
    pub etag: String,
}

/// One `<Part>` of ListParts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PartEntry {
    /// Part number.
    #[serde(rename = "PartNumber")]
    pub part_number: u32,
    /// Upload time, ISO 8601.
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    /// Quoted ETag.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// CRC-64 of the part (OSS).
    #[serde(rename = "HashCrc64ecma", skip_serializing_if = "Option::is_none")]
    pub crc64: Option<String>,
    /// Size.
    #[serde(rename = "Size")]
    pub size: u64,
}

/// ListParts response, root `ListPartsResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListPartsResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// Bucket.
    #[serde(rename = "Bucket")]
    pub bucket: String,
    /// Key.
    #[serde(rename = "Key")]
    pub key: String,
    /// Upload id.
    #[serde(rename = "UploadId")]
    pub upload_id: String,
    /// Echoed marker.
    #[serde(rename = "PartNumberMarker")]
    pub part_number_marker: u32,
    /// Where the next page starts.
    #[serde(rename = "NextPartNumberMarker")]
    pub next_part_number_marker: u32,
    /// Echoed max-parts.
    #[serde(rename = "MaxParts")]
    pub max_parts: usize,
    /// More parts follow.
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    /// Storage class.
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
    /// Initiator (S3).
    #[serde(rename = "Initiator", skip_serializing_if = "Option::is_none")]
    pub initiator: Option<Owner>,
    /// Owner (S3).
    #[serde(rename = "Owner", skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// Parts.
    #[serde(rename = "Part")]
    pub parts: Vec<PartEntry>,
}

/// One `<Upload>` of ListMultipartUploads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UploadEntry {
    /// Key.
    #[serde(rename = "Key")]
    pub key: String,
    /// Upload id.
    #[serde(rename = "UploadId")]
    pub upload_id: String,
    /// Initiation time, ISO 8601.
    #[serde(rename = "Initiated")]
    pub initiated: String,
    /// Storage class.
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
    /// Initiator (S3).
    #[serde(rename = "Initiator", skip_serializing_if = "Option::is_none")]
    pub initiator: Option<Owner>,
    /// Owner (S3).
    #[serde(rename = "Owner", skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
}

/// ListMultipartUploads response, root `ListMultipartUploadsResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListUploadsResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// `url` when names are encoded.
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    /// Bucket.
    #[serde(rename = "Bucket")]
    pub bucket: String,
    /// Echoed key-marker.
    #[serde(rename = "KeyMarker")]
    pub key_marker: String,
    /// Echoed upload-id-marker.
    #[serde(rename = "UploadIdMarker")]
    pub upload_id_marker: String,
    /// Next key-marker (always present; empty when not truncated).
    #[serde(rename = "NextKeyMarker")]
    pub next_key_marker: String,
    /// Next upload-id-marker (always present; empty when not truncated).
    #[serde(rename = "NextUploadIdMarker")]
    pub next_upload_id_marker: String,
    /// Echoed delimiter.
    #[serde(rename = "Delimiter", skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// Echoed prefix.
    #[serde(rename = "Prefix")]
    pub prefix: String,
    /// Echoed max-uploads.
    #[serde(rename = "MaxUploads")]
    pub max_uploads: usize,
    /// More uploads follow.
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    /// Uploads.
    #[serde(rename = "Upload")]
    pub uploads: Vec<UploadEntry>,
    /// Rolled-up key prefixes.
    #[serde(rename = "CommonPrefixes")]
    pub common_prefixes: Vec<CommonPrefix>,
}
