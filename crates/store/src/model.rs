//! Records kept in the metadata store.

use serde::{Deserialize, Serialize};

/// Identifier of one body file under `blobs/`. Random, never derived from a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BlobId(pub u128);

impl BlobId {
    /// A fresh random id.
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().as_u128())
    }

    /// The 32-character lower-case hex form used as the file name.
    pub fn hex(self) -> String {
        format!("{:032x}", self.0)
    }

    /// Parses the file-name form back into an id.
    pub fn from_hex(s: &str) -> Option<Self> {
        if s.len() != 32 {
            return None;
        }
        u128::from_str_radix(s, 16).ok().map(Self)
    }
}

/// A byte range of one blob; an object body is the concatenation of its segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// The body file.
    pub blob: BlobId,
    /// First byte of the range inside the file.
    pub offset: u64,
    /// Length of the range.
    pub len: u64,
}

/// The segments covering `len` bytes from `start` of the body made of `segments`.
pub fn slice_segments(segments: &[Segment], start: u64, len: u64) -> Vec<Segment> {
    let (mut pos, end) = (0u64, start.saturating_add(len));
    let mut out = Vec::new();
    for s in segments {
        let (s_start, s_end) = (pos, pos + s.len);
        pos = s_end;
        if s_end <= start || s_start >= end {
            continue;
        }
        let from = start.max(s_start);
        let to = end.min(s_end);
        out.push(Segment {
            blob: s.blob,
            offset: s.offset + (from - s_start),
            len: to - from,
        });
    }
    out
}

/// A bucket.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BucketRecord {
    /// Bucket name.
    pub name: String,
    /// Owner id (the access key id of the creating credential).
    pub owner: String,
    /// Canned ACL: `private`, `public-read` or `public-read-write`.
    pub acl: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_ms: i64,
    /// Storage class given at creation (`Standard` by default).
    pub storage_class: String,
    /// Region the bucket was created in (S3 LocationConstraint, else the server's region).
    #[serde(default)]
    pub location: String,
    /// Versioning state; a bucket never goes back to [`Versioning::Off`].
    #[serde(default, skip_serializing_if = "Versioning::is_off")]
    pub versioning: Versioning,
    /// S3 Object Lock is enabled (for good): versions may carry retention and legal holds,
    /// and versioning stays enabled.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub object_lock: bool,
    /// OSS data redundancy type given at creation (`ZRS`); `None` is `LRS`, OSS's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_redundancy: Option<String>,
    /// S3 grants set one by one (or a grant list no canned ACL stands for), in the order
    /// given; `None`: the grants of the canned [`BucketRecord::acl`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<Vec<AclGrant>>,
    /// S3 Object Ownership; `None` behaves as [`ObjectOwnership::ObjectWriter`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<ObjectOwnership>,
    /// The bucket's public access block (S3 PutPublicAccessBlock, OSS
    /// PutBucketPublicAccessBlock), if one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access_block: Option<PublicAccessBlock>,
}

/// An ACL permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AclPermission {
    /// `READ`: list a bucket, read an object.
    Read,
    /// `WRITE`: write and delete a bucket's objects.
    Write,
    /// `READ_ACP`: read the ACL.
    ReadAcp,
    /// `WRITE_ACP`: change the ACL.
    WriteAcp,
    /// `FULL_CONTROL`: all of the above.
    FullControl,
}

impl AclPermission {
    /// The S3 name (`READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`, `FULL_CONTROL`).
    pub fn as_str(self) -> &'static str {
        match self {
            AclPermission::Read => "READ",
            AclPermission::Write => "WRITE",
            AclPermission::ReadAcp => "READ_ACP",
            AclPermission::WriteAcp => "WRITE_ACP",
            AclPermission::FullControl => "FULL_CONTROL",
        }
    }

    /// Parses an S3 name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            AclPermission::Read,
            AclPermission::Write,
            AclPermission::ReadAcp,
            AclPermission::WriteAcp,
            AclPermission::FullControl,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    /// Whether a grant of `self` gives `needed`.
    pub fn gives(self, needed: AclPermission) -> bool {
        self == needed || self == AclPermission::FullControl
    }
}

/// Whom an ACL grant names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AclGrantee {
    /// An account, by canonical (owner) id; e-mail grantees are stored resolved to it.
    User(String),
    /// A group, by URI (AllUsers, AuthenticatedUsers, LogDelivery).
    Group(String),
}

/// One ACL grant.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AclGrant {
    /// Who.
    pub grantee: AclGrantee,
    /// What.
    pub permission: AclPermission,
}

/// S3 Object Ownership of a bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectOwnership {
    /// ACLs are disabled; the bucket owner owns every object.
    BucketOwnerEnforced,
    /// Objects written with `bucket-owner-full-control` belong to the bucket owner.
    BucketOwnerPreferred,
    /// The writer's account owns what it writes.
    ObjectWriter,
}

impl ObjectOwnership {
    /// The S3 name.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectOwnership::BucketOwnerEnforced => "BucketOwnerEnforced",
            ObjectOwnership::BucketOwnerPreferred => "BucketOwnerPreferred",
            ObjectOwnership::ObjectWriter => "ObjectWriter",
        }
    }

    /// Parses an S3 name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            ObjectOwnership::BucketOwnerEnforced,
            ObjectOwnership::BucketOwnerPreferred,
            ObjectOwnership::ObjectWriter,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// A bucket's public access block: S3's four settings (OSS's `BlockPublicAccess` sets all four).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    /// Refuse requests that set public ACLs.
    pub block_public_acls: bool,
    /// Public ACL grants give nothing.
    pub ignore_public_acls: bool,
    /// Refuse public bucket policies.
    pub block_public_policy: bool,
    /// Public policies give only the bucket owner's account and services access.
    pub restrict_public_buckets: bool,
}

/// How a retention period may be shortened (S3 Object Lock).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RetentionMode {
    /// Users with the bypass permission may shorten or remove it.
    Governance,
    /// Nobody may shorten or remove it before it ends.
    Compliance,
}

impl RetentionMode {
    /// `GOVERNANCE` or `COMPLIANCE`.
    pub fn as_str(self) -> &'static str {
        match self {
            RetentionMode::Governance => "GOVERNANCE",
            RetentionMode::Compliance => "COMPLIANCE",
        }
    }

    /// Parses `GOVERNANCE` or `COMPLIANCE`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "GOVERNANCE" => Some(RetentionMode::Governance),
            "COMPLIANCE" => Some(RetentionMode::Compliance),
            _ => None,
        }
    }
}

/// A version's retention: it may not be deleted before `until_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// Who may shorten it.
    pub mode: RetentionMode,
    /// Retain-until date, milliseconds since the Unix epoch.
    pub until_ms: i64,
}

/// A bucket's versioning state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Versioning {
    /// Never enabled: one object per key, no version records.
    #[default]
    Off,
    /// Every write adds a version with a fresh id; a plain delete adds a delete marker.
    Enabled,
    /// Writes and plain deletes replace the key's `null` version; other versions stay.
    Suspended,
}

impl Versioning {
    /// Whether versioning was never enabled.
    pub fn is_off(&self) -> bool {
        *self == Versioning::Off
    }
}

/// The version id of the version a bucket without versioning (or with it suspended) writes.
pub const NULL_VERSION: &str = "null";

/// A delete marker: the latest version of a key that reads as absent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteMarker {
    /// Its version id.
    pub version_id: String,
    /// When it was made, milliseconds since the Unix epoch.
    pub modified_ms: i64,
    /// Owner id of the deleter.
    pub owner: String,
}

/// One version of a key in a versioned bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Version {
    /// An object version (its `version_id` is set).
    Object(Box<ObjectRecord>),
    /// A delete marker.
    Marker(DeleteMarker),
}

impl Version {
    /// The version id.
    pub fn version_id(&self) -> &str {
        match self {
            Version::Object(o) => o.version_id.as_deref().unwrap_or(NULL_VERSION),
            Version::Marker(m) => &m.version_id,
        }
    }

    /// The body segments it references (none for a marker).
    pub fn segments(&self) -> &[Segment] {
        match self {
            Version::Object(o) => &o.segments,
            Version::Marker(_) => &[],
        }
    }

    /// Last-Modified, milliseconds since the Unix epoch.
    pub fn modified_ms(&self) -> i64 {
        match self {
            Version::Object(o) => o.modified_ms,
            Version::Marker(m) => m.modified_ms,
        }
    }
}

/// How an object was written, as reported in `x-oss-object-type`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectKind {
    /// PutObject, CopyObject or mirroring.
    #[default]
    Normal,
    /// CompleteMultipartUpload.
    Multipart,
    /// AppendObject.
    Appendable,
    /// PutSymlink: no body; reads serve its target.
    Symlink,
}

impl ObjectKind {
    /// The `x-oss-object-type` / listing `Type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Normal => "Normal",
            ObjectKind::Multipart => "Multipart",
            ObjectKind::Appendable => "Appendable",
            ObjectKind::Symlink => "Symlink",
        }
    }
}

/// What a writer sets of an object besides its body: kept with objects and with the uploads
/// that will make them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectAttrs {
    /// Content-Type.
    pub content_type: String,
    /// Other stored standard headers (lower-case names): content-encoding, content-disposition,
    /// cache-control, expires, content-language, access-control-allow-origin.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// User metadata, names lower-case and without the `x-oss-meta-`/`x-amz-meta-` prefix.
    #[serde(default)]
    pub user_meta: Vec<(String, String)>,
    /// Object ACL; `None` inherits the bucket's.
    #[serde(default)]
    pub acl: Option<String>,
    /// S3 grants set one by one, in the order given; `None`: the grants of the canned
    /// [`ObjectAttrs::acl`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<Vec<AclGrant>>,
    /// Tagging (`x-oss-tagging` / `x-amz-tagging`) as url-encoded pairs.
    #[serde(default)]
    pub tagging: Vec<(String, String)>,
    /// The server-side encryption the writer asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sse: Option<Sse>,
    /// OSS storage class the writer asked for (`IA`, `Archive`, ...); `None`: the bucket's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
}

/// A restore of an archived object (RestoreObject): readable from `ready_ms` until
/// `expiry_ms`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restore {
    /// When the restored copy is readable, milliseconds since the Unix epoch.
    pub ready_ms: i64,
    /// When it stops being readable.
    pub expiry_ms: i64,
    /// The priority asked for (`Expedited`, `Standard`, `Bulk`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

/// Server-side encryption a writer asked for (`x-oss-server-side-encryption`,
/// `x-amz-server-side-encryption` and their key headers), as sent. Bodies are stored the same
/// way whatever it says; it is kept to be reported back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sse {
    /// The algorithm: `AES256`, `KMS` or `SM4` (OSS); `AES256`, `aws:kms` or `aws:kms:dsse` (S3).
    pub algorithm: String,
    /// The KMS key the writer named, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// OSS `x-oss-server-side-data-encryption` (`SM4` under KMS), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_encryption: Option<String>,
}

/// One stored object version (the current one; buckets are unversioned).
///
/// Stored as one flat JSON object (the attributes inline). It is decoded through
/// [`ObjectWire`], a flat twin, because serde's `flatten` buffers every field on the way in,
/// which costs a third more on each GET.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "ObjectWire")]
pub struct ObjectRecord {
    /// Body length in bytes.
    pub size: u64,
    /// Lower-case hex MD5 of the body, or `<hex>-<parts>` for multipart objects.
    pub etag: String,
    /// CRC-64/XZ of the body (`x-oss-hash-crc64ecma`).
    pub crc64: u64,
    /// Normal, Multipart or Appendable.
    #[serde(default)]
    pub kind: ObjectKind,
    /// Last-Modified, milliseconds since the Unix epoch.
    pub modified_ms: i64,
    /// Content-Type, stored headers, user metadata, ACL and tags (stored inline).
    #[serde(flatten)]
    pub attrs: ObjectAttrs,
    /// Owner id of the writer.
    #[serde(default)]
    pub owner: String,
    /// Value of `x-oss-tag` (set on mirrored objects).
    #[serde(default)]
    pub tag: Option<String>,
    /// Checksum supplied by an S3 client (`crc32`, `crc32c`, `crc64nvme`, `sha1`, `sha256`) and its
    /// base64 value, echoed as `x-amz-checksum-*`.
    #[serde(default)]
    pub checksum: Option<(String, String)>,
    /// For a completed multipart upload: its id (a repeated CompleteMultipartUpload answers
    /// from it) and the sizes of its parts in order (GetObject `partNumber`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<String>,
    /// See [`ObjectRecord::upload_id`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub part_sizes: Vec<u64>,
    /// Version id in a versioned bucket (`null` for the null version); `None` for an object
    /// written while the bucket had versioning off, which is its null version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// The restore of an archived object, if one was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<Restore>,
    /// The key a symlink points at (its kind is [`ObjectKind::Symlink`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symlink_target: Option<String>,
    /// S3 Object Lock retention of this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<Retention>,
    /// S3 Object Lock legal hold of this version.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub legal_hold: bool,
    /// When a read last reached it while its bucket tracked access (OSS access monitor),
    /// milliseconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessed_ms: Option<i64>,
    /// Lower-case hex MD5 of the whole body where the ETag is not one: an object completed
    /// from a sequential multipart upload (OSS answers it as `Content-MD5`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whole_md5: Option<String>,
    /// The body.
    pub segments: Vec<Segment>,
}

/// The stored form of an [`ObjectRecord`], field for field, for decoding.
#[derive(Deserialize)]
struct ObjectWire {
    size: u64,
    etag: String,
    crc64: u64,
    #[serde(default)]
    kind: ObjectKind,
    modified_ms: i64,
    content_type: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    user_meta: Vec<(String, String)>,
    #[serde(default)]
    acl: Option<String>,
    #[serde(default)]
    grants: Option<Vec<AclGrant>>,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    checksum: Option<(String, String)>,
    #[serde(default)]
    tagging: Vec<(String, String)>,
    #[serde(default)]
    sse: Option<Sse>,
    #[serde(default)]
    storage_class: Option<String>,
    #[serde(default)]
    upload_id: Option<String>,
    #[serde(default)]
    part_sizes: Vec<u64>,
    #[serde(default)]
    version_id: Option<String>,
    #[serde(default)]
    restore: Option<Restore>,
    #[serde(default)]
    symlink_target: Option<String>,
    #[serde(default)]
    retention: Option<Retention>,
    #[serde(default)]
    legal_hold: bool,
    #[serde(default)]
    accessed_ms: Option<i64>,
    #[serde(default)]
    whole_md5: Option<String>,
    segments: Vec<Segment>,
}

impl From<ObjectWire> for ObjectRecord {
    fn from(w: ObjectWire) -> Self {
        Self {
            size: w.size,
            etag: w.etag,
            crc64: w.crc64,
            kind: w.kind,
            modified_ms: w.modified_ms,
            attrs: ObjectAttrs {
                content_type: w.content_type,
                headers: w.headers,
                user_meta: w.user_meta,
                acl: w.acl,
                grants: w.grants,
                tagging: w.tagging,
                sse: w.sse,
                storage_class: w.storage_class,
            },
            owner: w.owner,
            tag: w.tag,
            checksum: w.checksum,
            upload_id: w.upload_id,
            part_sizes: w.part_sizes,
            version_id: w.version_id,
            restore: w.restore,
            symlink_target: w.symlink_target,
            retention: w.retention,
            legal_hold: w.legal_hold,
            accessed_ms: w.accessed_ms,
            whole_md5: w.whole_md5,
            segments: w.segments,
        }
    }
}

impl ObjectRecord {
    /// The MD5 of the body for objects whose ETag is a plain MD5.
    pub fn md5(&self) -> Option<[u8; 16]> {
        if matches!(self.kind, ObjectKind::Appendable | ObjectKind::Symlink) {
            return None;
        }
        let raw = hex::decode(&self.etag).ok()?;
        raw.try_into().ok()
    }

    /// A new object's record: `attrs` set by `owner` at `modified_ms`, no body yet.
    pub fn new(attrs: ObjectAttrs, owner: &str, modified_ms: i64) -> Self {
        Self {
            attrs,
            owner: owner.to_string(),
            modified_ms,
            ..Self::default()
        }
    }

    /// A stored standard header by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.attrs
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A multipart upload in progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UploadRecord {
    /// Upload id.
    pub upload_id: String,
    /// Target key.
    pub key: String,
    /// Initiation time, milliseconds since the Unix epoch.
    pub initiated_ms: i64,
    /// Owner id of the initiator.
    pub owner: String,
    /// The completed object's attributes (stored inline).
    #[serde(flatten)]
    pub attrs: ObjectAttrs,
    /// Checksum algorithm announced at initiation (S3), lower-case.
    #[serde(default)]
    pub checksum_algorithm: Option<String>,
    /// Bumped by every part write, so a completion can tell that the parts it read are
    /// still the current ones.
    #[serde(default)]
    pub parts_version: u64,
    /// S3 Object Lock retention asked for at initiation, for the completed object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<Retention>,
    /// S3 Object Lock legal hold asked for at initiation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub legal_hold: bool,
    /// OSS sequential upload (`?sequential` at initiation): parts come in order, and the
    /// completed object knows the MD5 of its whole body.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sequential: bool,
}

/// One uploaded part.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartRecord {
    /// 1..=10000.
    pub part_number: u32,
    /// Lower-case hex MD5 of the part.
    pub etag: String,
    /// Part length.
    pub size: u64,
    /// CRC-64/XZ of the part.
    pub crc64: u64,
    /// Upload time, milliseconds since the Unix epoch.
    pub modified_ms: i64,
    /// Checksum the client supplied for this part.
    #[serde(default)]
    pub checksum: Option<(String, String)>,
    /// The part's bytes.
    pub segments: Vec<Segment>,
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records written before the attributes had a struct of their own still read back,
    /// and new records keep the same flat layout.
    #[test]
    fn attributes_are_stored_inline() {
        let old = r#"{"size":5,"etag":"5d41402abc4b2a76b9719d911017c592","crc64":1,"kind":"Normal","modified_ms":7,"content_type":"text/plain","headers":[["cache-control","no-cache"]],"user_meta":[["a","b"]],"acl":"public-read","owner":"o","tag":null,"checksum":null,"tagging":[["k","v"]],"segments":[]}"#;
        let rec: ObjectRecord = serde_json::from_str(old).unwrap();
        assert_eq!(rec.attrs.content_type, "text/plain");
        assert_eq!(rec.header("cache-control"), Some("no-cache"));
        assert_eq!(rec.attrs.acl.as_deref(), Some("public-read"));
        assert_eq!(rec.attrs.tagging, vec![("k".to_string(), "v".to_string())]);
        let again: serde_json::Value = serde_json::to_value(&rec).unwrap();
        let flat: serde_json::Value = serde_json::from_str(old).unwrap();
        assert_eq!(again, flat);
        let upload = r#"{"upload_id":"U","key":"k","initiated_ms":1,"owner":"o","content_type":"x/y","parts_version":2}"#;
        let u: UploadRecord = serde_json::from_str(upload).unwrap();
        assert_eq!((u.attrs.content_type.as_str(), u.parts_version), ("x/y", 2));
    }
}
