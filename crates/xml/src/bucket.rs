//! Service- and bucket-level documents: ListBuckets, CreateBucketConfiguration, GetBucketInfo,
//! GetBucketLocation, ACLs and the empty ListLiveChannel.

use serde::{Deserialize, Serialize};

/// `<Owner>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// Owner id.
    #[serde(rename = "ID")]
    pub id: String,
    /// Display name.
    #[serde(rename = "DisplayName")]
    pub display_name: String,
}

/// One `<Bucket>` of ListBuckets. OSS-only elements are `None` in the S3 dialect.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BucketEntry {
    /// Creation time, ISO 8601 with milliseconds.
    #[serde(rename = "CreationDate")]
    pub creation_date: String,
    /// Public endpoint host (OSS).
    #[serde(rename = "ExtranetEndpoint", skip_serializing_if = "Option::is_none")]
    pub extranet_endpoint: Option<String>,
    /// Internal endpoint host (OSS).
    #[serde(rename = "IntranetEndpoint", skip_serializing_if = "Option::is_none")]
    pub intranet_endpoint: Option<String>,
    /// Region id such as `oss-cn-hangzhou` (OSS).
    #[serde(rename = "Location", skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Bucket name.
    #[serde(rename = "Name")]
    pub name: String,
    /// Region without the `oss-` prefix (OSS); the bucket's region (S3).
    #[serde(rename = "Region", skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Storage class (OSS).
    #[serde(rename = "StorageClass", skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
}

/// `<Buckets>` wrapper.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Buckets {
    /// The buckets.
    #[serde(rename = "Bucket", default)]
    pub bucket: Vec<BucketEntry>,
}

/// ListBuckets (GetService) response, root `ListAllMyBucketsResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListAllMyBucketsResult {
    /// S3 namespace, or none for OSS.
    #[serde(rename = "@xmlns", skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<&'static str>,
    /// Echoed `prefix` (OSS, when given).
    #[serde(rename = "Prefix", skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Echoed `marker` (OSS, when given).
    #[serde(rename = "Marker", skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    /// Echoed `max-keys` (OSS, when given).
    #[serde(rename = "MaxKeys", skip_serializing_if = "Option::is_none")]
    pub max_keys: Option<usize>,
    /// More buckets follow (OSS, when paging).
    #[serde(rename = "IsTruncated", skip_serializing_if = "Option::is_none")]
    pub is_truncated: Option<bool>,
    /// Marker for the next page (OSS, when truncated).
    #[serde(rename = "NextMarker", skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// The requester.
    #[serde(rename = "Owner")]
    pub owner: Owner,
    /// The buckets.
    #[serde(rename = "Buckets")]
    pub buckets: Buckets,
    /// S3 ListBuckets continuation token.
    #[serde(rename = "ContinuationToken", skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
}

/// PutBucket request body, root `CreateBucketConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct CreateBucketConfiguration {
    /// OSS storage class.
    #[serde(rename = "StorageClass")]
    pub storage_class: Option<String>,
    /// S3 region constraint.
    #[serde(rename = "LocationConstraint")]
    pub location_constraint: Option<String>,
    /// OSS redundancy type.
    #[serde(rename = "DataRedundancyType")]
    pub data_redundancy_type: Option<String>,
}

/// GetBucketLocation response, root `LocationConstraint`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
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
pub struct OssAccessControlList {
    /// `private`, `public-read`, `public-read-write` (or `default` for objects).
    #[serde(rename = "Grant")]
    pub grant: String,
}

/// `<BucketPolicy>` of GetBucketInfo (logging target).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BucketPolicy {
    /// Log bucket.
    #[serde(rename = "LogBucket")]
    pub log_bucket: String,
    /// Log prefix.
    #[serde(rename = "LogPrefix")]
    pub log_prefix: String,
}

/// `<ServerSideEncryptionRule>` of GetBucketInfo.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SseRule {
    /// `None` here.
    #[serde(rename = "SSEAlgorithm")]
    pub sse_algorithm: String,
}

/// `<Bucket>` of GetBucketInfo.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BucketInfoBucket {
    /// `Disabled`.
    #[serde(rename = "AccessMonitor")]
    pub access_monitor: String,
    /// Creation time, ISO 8601.
    #[serde(rename = "CreationDate")]
    pub creation_date: String,
    /// Public endpoint host.
    #[serde(rename = "ExtranetEndpoint")]
    pub extranet_endpoint: String,
    /// Internal endpoint host.
    #[serde(rename = "IntranetEndpoint")]
    pub intranet_endpoint: String,
    /// Region id.
    #[serde(rename = "Location")]
    pub location: String,
    /// Storage class.
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
    /// `Disabled`.
    #[serde(rename = "TransferAcceleration")]
    pub transfer_acceleration: String,
    /// `Disabled`.
    #[serde(rename = "CrossRegionReplication")]
    pub cross_region_replication: String,
    /// `LRS`.
    #[serde(rename = "DataRedundancyType")]
    pub data_redundancy_type: String,
    /// Bucket name.
    #[serde(rename = "Name")]
    pub name: String,
    /// Resource group (empty).
    #[serde(rename = "ResourceGroupId")]
    pub resource_group_id: String,
    /// Owner.
    #[serde(rename = "Owner")]
    pub owner: Owner,
    /// Canned ACL.
    #[serde(rename = "AccessControlList")]
    pub acl: OssAccessControlList,
    /// Comment (empty).
    #[serde(rename = "Comment")]
    pub comment: String,
    /// Logging target (empty).
    #[serde(rename = "BucketPolicy")]
    pub bucket_policy: BucketPolicy,
    /// Encryption (none).
    #[serde(rename = "ServerSideEncryptionRule")]
    pub sse: SseRule,
}

/// GetBucketInfo response, root `BucketInfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BucketInfo {
    /// The bucket.
    #[serde(rename = "Bucket")]
    pub bucket: BucketInfoBucket,
}

/// OSS GetBucketAcl/GetObjectAcl response and PutBucketAcl body, root `AccessControlPolicy`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OssAccessControlPolicy {
    /// Owner.
    #[serde(rename = "Owner")]
    pub owner: Owner,
    /// The canned grant.
    #[serde(rename = "AccessControlList")]
    pub acl: OssAccessControlList,
}

/// ListLiveChannel response (always empty here), root `ListLiveChannelResult`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListLiveChannelResult {
    /// Echoed prefix.
    #[serde(rename = "Prefix")]
    pub prefix: String,
    /// Echoed marker.
    #[serde(rename = "Marker")]
    pub marker: String,
    /// Echoed max-keys.
    #[serde(rename = "MaxKeys")]
    pub max_keys: usize,
    /// Always false.
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    /// Empty.
    #[serde(rename = "NextMarker")]
    pub next_marker: String,
}
