//! Object-level documents: CopyObject result and DeleteMultipleObjects.

use serde::{Deserialize, Serialize};

/// CopyObject / UploadPartCopy response, roots `CopyObjectResult` / `CopyPartResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CopyResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// Last-Modified of the new object, ISO 8601.
    pub last_modified: String,
    /// Quoted ETag.
    #[serde(rename = "ETag")]
    pub etag: String,
}

/// One `<Object>` of a Delete request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ObjectToDelete {
    /// Key.
    pub key: String,
    /// Version id.
    pub version_id: Option<String>,
}

/// DeleteMultipleObjects request, root `Delete`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Delete {
    /// Report only failures.
    #[serde(default, with = "quiet")]
    pub quiet: bool,
    /// Keys to delete.
    #[serde(rename = "Object", default)]
    pub objects: Vec<ObjectToDelete>,
}

mod quiet {
    use serde::{Deserialize, Deserializer, de::Error};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        let s = String::deserialize(d)?;
        crate::codec::parse_bool(&s).ok_or_else(|| D::Error::custom("Quiet must be true or false"))
    }
}

/// One `<Deleted>` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Deleted {
    /// Key (url-encoded when requested).
    pub key: String,
    /// Echoed version id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// The version removed was a delete marker, or a delete marker was added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_marker: Option<bool>,
    /// The version id of that delete marker.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_marker_version_id: Option<String>,
}

/// One `<Error>` entry of a DeleteResult.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteError {
    /// Key.
    pub key: String,
    /// The version id named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// Error code.
    pub code: String,
    /// Message.
    pub message: String,
}

/// DeleteMultipleObjects response, root `DeleteResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// `url` when keys are encoded (OSS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    /// Deleted keys (omitted in quiet mode).
    pub deleted: Vec<Deleted>,
    /// Keys that failed.
    #[serde(rename = "Error")]
    pub errors: Vec<DeleteError>,
}
