//! Lifecycle configuration (`LifecycleConfiguration`) of both dialects: the union of OSS's
//! and S3's elements. The same type is the stored form (as JSON). Booleans stay text, as
//! clients write them (`True` from oss2 included), and dates stay text; the API validates
//! and normalises both.

use serde::{Deserialize, Serialize};

/// A tag condition (`<Tag><Key/><Value/></Tag>`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleTag {
    /// Tag key.
    #[serde(default)]
    pub key: String,
    /// Tag value.
    #[serde(default)]
    pub value: String,
}

/// OSS `<Not>`: objects with this prefix (and tag, when given) are left out of the rule.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleNot {
    /// Prefix left out.
    #[serde(default)]
    pub prefix: String,
    /// Tag that must also match for an object to be left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<LifecycleTag>,
}

/// S3 `<And>`: every condition inside must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleAnd {
    /// Key prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Tags, all of which must match.
    #[serde(rename = "Tag", default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<LifecycleTag>,
    /// Only objects larger than this many bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_size_greater_than: Option<i64>,
    /// Only objects smaller than this many bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_size_less_than: Option<i64>,
}

/// `<Filter>`: S3's (Prefix, Tag, And, sizes) and OSS's (sizes, Not).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleFilter {
    /// Key prefix (S3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// One tag (S3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<LifecycleTag>,
    /// Several conditions (S3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub and: Option<LifecycleAnd>,
    /// Only objects larger than this many bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_size_greater_than: Option<i64>,
    /// Only objects smaller than this many bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_size_less_than: Option<i64>,
    /// Exclusions (OSS).
    #[serde(rename = "Not", default, skip_serializing_if = "Vec::is_empty")]
    pub not: Vec<LifecycleNot>,
}

/// `<Expiration>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleExpiration {
    /// Days after the last modification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    /// A date from which matching objects expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// OSS: objects last modified before this date expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_before_date: Option<String>,
    /// Remove a delete marker that is a key's only version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_object_delete_marker: Option<String>,
}

/// `<Transition>` and `<NoncurrentVersionTransition>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleTransition {
    /// Days after the last modification (current versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    /// Days after a version stopped being current (non-current versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_days: Option<i64>,
    /// S3: the date from which matching objects move.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// OSS: objects last modified before this date move.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_before_date: Option<String>,
    /// The class to move to.
    #[serde(default)]
    pub storage_class: String,
    /// OSS: count days from the last access instead of the last modification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_access_time: Option<String>,
    /// OSS: an access moves the object back to Standard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_to_std_when_visit: Option<String>,
    /// OSS: move objects under 64 KiB too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_small_file: Option<String>,
    /// S3: how many newer non-current versions to keep untouched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newer_noncurrent_versions: Option<i64>,
}

/// `<NoncurrentVersionExpiration>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NoncurrentExpiration {
    /// Days after a version stopped being current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_days: Option<i64>,
    /// S3: how many newer non-current versions to keep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newer_noncurrent_versions: Option<i64>,
}

/// OSS `<AbortMultipartUpload>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AbortUpload {
    /// Days after the upload was initiated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    /// Uploads initiated before this date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_before_date: Option<String>,
}

/// S3 `<AbortIncompleteMultipartUpload>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AbortIncomplete {
    /// Days after the upload was initiated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_after_initiation: Option<i64>,
}

/// One `<Rule>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleRule {
    /// Rule id; generated when absent.
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Key prefix (OSS, and S3's older form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<LifecycleFilter>,
    /// `Enabled` or `Disabled`.
    #[serde(default)]
    pub status: String,
    /// Expiration of current versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<LifecycleExpiration>,
    /// Transitions of current versions.
    #[serde(rename = "Transition", default, skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<LifecycleTransition>,
    /// OSS: abort of stale multipart uploads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_multipart_upload: Option<AbortUpload>,
    /// S3: abort of stale multipart uploads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_incomplete_multipart_upload: Option<AbortIncomplete>,
    /// OSS: tags, all of which must match.
    #[serde(rename = "Tag", default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<LifecycleTag>,
    /// Expiration of non-current versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_version_expiration: Option<NoncurrentExpiration>,
    /// Transitions of non-current versions.
    #[serde(
        rename = "NoncurrentVersionTransition",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub noncurrent_version_transitions: Vec<LifecycleTransition>,
    /// OSS: when access-time tracking began, seconds since the epoch (output only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atime_base: Option<i64>,
}

/// PutBucketLifecycle body and GetBucketLifecycle response, root `LifecycleConfiguration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleConfiguration {
    /// S3 namespace on output, or none.
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<String>,
    /// Rules, in order.
    #[serde(rename = "Rule", default)]
    pub rules: Vec<LifecycleRule>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_dialects() {
        let oss = r#"<LifecycleConfiguration><Rule><ID>r</ID><Prefix>logs/</Prefix>
            <Status>Enabled</Status><Expiration><Days>3</Days></Expiration>
            <Transition><StorageClass>IA</StorageClass><Days>1</Days></Transition>
            <Transition><StorageClass>Archive</StorageClass><Days>2</Days></Transition>
            <Tag><Key>a</Key><Value>1</Value></Tag>
            <Filter><ObjectSizeGreaterThan>5</ObjectSizeGreaterThan><Not><Prefix>logs/x</Prefix></Not></Filter>
            </Rule></LifecycleConfiguration>"#;
        let c: LifecycleConfiguration =
            crate::from_xml(oss.as_bytes(), "LifecycleConfiguration", 1 << 20).expect("oss");
        let r = &c.rules[0];
        assert_eq!(r.transitions.len(), 2);
        assert_eq!(r.tags[0].key, "a");
        let f = r.filter.as_ref().expect("filter");
        assert_eq!(f.object_size_greater_than, Some(5));
        assert_eq!(f.not[0].prefix, "logs/x");

        let s3 = r#"<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
            <Rule><ID>r</ID><Filter><And><Prefix>p/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag>
            <Tag><Key>k2</Key><Value>v2</Value></Tag></And></Filter><Status>Enabled</Status>
            <NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>
            <AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>
            </Rule></LifecycleConfiguration>"#;
        let c: LifecycleConfiguration =
            crate::from_xml(s3.as_bytes(), "LifecycleConfiguration", 1 << 20).expect("s3");
        let r = &c.rules[0];
        let and = r.filter.as_ref().and_then(|f| f.and.as_ref()).expect("and");
        assert_eq!(and.tags.len(), 2);
        assert_eq!(
            r.abort_incomplete_multipart_upload
                .as_ref()
                .and_then(|a| a.days_after_initiation),
            Some(7)
        );
        let back = crate::to_xml_as("LifecycleConfiguration", &c);
        assert!(
            back.contains("<DaysAfterInitiation>7</DaysAfterInitiation>"),
            "{back}"
        );
    }
}
