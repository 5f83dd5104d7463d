//! Service- and bucket-level documents: ListBuckets, CreateBucketConfiguration, GetBucketInfo,
//! GetBucketLocation, ACLs and the empty ListLiveChannel.

use serde::{Deserialize, Serialize};

/// `<Owner>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Owner {
    /// Owner id.
    #[serde(rename = "ID")]
    pub id: String,
    /// Display name.
    pub display_name: String,
}

/// One `<Bucket>` of ListBuckets. OSS-only elements are `None` in the S3 dialect.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketEntry {
    /// Creation time, ISO 8601 with milliseconds.
    pub creation_date: String,
    /// Public endpoint host (OSS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extranet_endpoint: Option<String>,
    /// Internal endpoint host (OSS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intranet_endpoint: Option<String>,
    /// Region id such as `oss-cn-hangzhou` (OSS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Bucket name.
    pub name: String,
    /// Region without the `oss-` prefix (OSS); the bucket's region (S3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Storage class (OSS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
    /// Resource group the bucket belongs to (OSS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_group_id: Option<String>,
}

/// `<Buckets>` wrapper.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Buckets {
    /// The buckets.
    #[serde(default)]
    pub bucket: Vec<BucketEntry>,
}

/// ListBuckets (GetService) response, root `ListAllMyBucketsResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAllMyBucketsResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// Echoed `prefix` (OSS, when given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Echoed `marker` (OSS, when given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    /// Echoed `max-keys` (OSS, when given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_keys: Option<usize>,
    /// More buckets follow (OSS, when paging).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_truncated: Option<bool>,
    /// Marker for the next page (OSS, when truncated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// The requester.
    pub owner: Owner,
    /// The buckets.
    pub buckets: Buckets,
    /// S3 ListBuckets continuation token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
}

/// PutBucket request body, root `CreateBucketConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateBucketConfiguration {
    /// OSS storage class.
    pub storage_class: Option<String>,
    /// S3 region constraint.
    pub location_constraint: Option<String>,
    /// OSS redundancy type.
    pub data_redundancy_type: Option<String>,
}

/// GetBucketLocation response, root `LocationConstraint`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LocationConstraint {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// The region (empty for S3 `us-east-1`).
    #[serde(rename = "$text")]
    pub location: String,
}

/// `<AccessControlList>` in the OSS form: a single canned grant.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OssAccessControlList {
    /// `private`, `public-read`, `public-read-write` (or `default` for objects).
    pub grant: String,
}

/// `<BucketPolicy>` of GetBucketInfo (logging target).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketPolicy {
    /// Log bucket.
    pub log_bucket: String,
    /// Log prefix.
    pub log_prefix: String,
}

/// `<ServerSideEncryptionRule>` of GetBucketInfo.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SseRule {
    /// `AES256`, `KMS`, `SM4`, or `None` without a default.
    #[serde(rename = "SSEAlgorithm")]
    pub sse_algorithm: String,
    /// The KMS key of a `KMS` default, when one was named.
    #[serde(rename = "KMSMasterKeyID", skip_serializing_if = "Option::is_none")]
    pub kms_master_key_id: Option<String>,
    /// The data algorithm of a `KMS` default (`SM4`), when one was named.
    #[serde(rename = "KMSDataEncryption", skip_serializing_if = "Option::is_none")]
    pub kms_data_encryption: Option<String>,
}

/// `<Bucket>` of GetBucketInfo.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketInfoBucket {
    /// `Disabled`.
    pub access_monitor: String,
    /// Creation time, ISO 8601.
    pub creation_date: String,
    /// Public endpoint host.
    pub extranet_endpoint: String,
    /// Internal endpoint host.
    pub intranet_endpoint: String,
    /// Region id.
    pub location: String,
    /// Storage class.
    pub storage_class: String,
    /// `Disabled`.
    pub transfer_acceleration: String,
    /// `Disabled`.
    pub cross_region_replication: String,
    /// `LRS`.
    pub data_redundancy_type: String,
    /// Bucket name.
    pub name: String,
    /// Resource group (the account's default one).
    pub resource_group_id: String,
    /// `Enabled` or `Suspended`; absent while versioning was never configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versioning: Option<String>,
    /// Owner.
    pub owner: Owner,
    /// Canned ACL.
    #[serde(rename = "AccessControlList")]
    pub acl: OssAccessControlList,
    /// Comment (empty).
    pub comment: String,
    /// Whether public access to the bucket is blocked.
    pub block_public_access: bool,
    /// Logging target (empty).
    pub bucket_policy: BucketPolicy,
    /// The default encryption.
    #[serde(rename = "ServerSideEncryptionRule")]
    pub sse: SseRule,
}

/// GetBucketInfo response, root `BucketInfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketInfo {
    /// The bucket.
    pub bucket: BucketInfoBucket,
}

/// OSS GetBucketAcl/GetObjectAcl response and PutBucketAcl body, root `AccessControlPolicy`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OssAccessControlPolicy {
    /// Owner.
    pub owner: Owner,
    /// The canned grant.
    #[serde(rename = "AccessControlList")]
    pub acl: OssAccessControlList,
}

/// ListLiveChannel response (always empty here), root `ListLiveChannelResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListLiveChannelResult {
    /// Echoed prefix.
    pub prefix: String,
    /// Echoed marker.
    pub marker: String,
    /// Echoed max-keys.
    pub max_keys: usize,
    /// Always false.
    pub is_truncated: bool,
    /// Empty.
    pub next_marker: String,
}

/// PutBucketVersioning request and GetBucketVersioning answer, root `VersioningConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VersioningConfiguration {
    /// Namespace of an answer (S3); ignored in a request.
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<String>,
    /// `Enabled` or `Suspended`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// S3 MFA delete (`Enabled` or `Disabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_delete: Option<String>,
}

/// PutObjectLockConfiguration request and GetObjectLockConfiguration answer, root
/// `ObjectLockConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ObjectLockConfiguration {
    /// Namespace of an answer (S3); ignored in a request.
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<String>,
    /// `Enabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_lock_enabled: Option<String>,
    /// The default retention of new versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<ObjectLockRule>,
}

/// `<Rule>` of an Object Lock configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ObjectLockRule {
    /// The default retention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_retention: Option<DefaultRetention>,
}

/// `<DefaultRetention>`: a mode and either days or years.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DefaultRetention {
    /// `GOVERNANCE` or `COMPLIANCE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Days (as sent; checked by the handler).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<String>,
    /// Years (as sent; checked by the handler).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<String>,
}

/// PutObjectRetention request and GetObjectRetention answer, root `Retention`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetentionConfiguration {
    /// Namespace of an answer (S3); ignored in a request.
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<String>,
    /// `GOVERNANCE` or `COMPLIANCE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// ISO 8601 retain-until date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_until_date: Option<String>,
}

/// PutObjectLegalHold request and GetObjectLegalHold answer, root `LegalHold`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LegalHold {
    /// Namespace of an answer (S3); ignored in a request.
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<String>,
    /// `ON` or `OFF`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// InitiateBucketWorm and ExtendBucketWorm requests, roots `InitiateWormConfiguration` and
/// `ExtendWormConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WormDays {
    /// Retention period in days (as sent; checked by the handler).
    pub retention_period_in_days: Option<String>,
}

/// GetBucketWorm answer, root `WormConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WormConfiguration {
    /// The policy's id.
    pub worm_id: String,
    /// `InProgress` or `Locked`.
    pub state: String,
    /// Retention period in days.
    pub retention_period_in_days: i64,
    /// When it was initiated, ISO 8601.
    pub creation_date: String,
    /// When an InProgress policy lapses, ISO 8601.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
}

/// GetBucketPolicyStatus response, root `PolicyStatus`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyStatus {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// Whether the bucket is public.
    pub is_public: bool,
}
