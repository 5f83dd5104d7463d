//! Condition keys, normalized across the S3 (`aws:`/`s3:`) and OSS (`acs:`/`oss:`) spellings.

/// A condition key as [`crate::Context`] is asked for it. Names are case-insensitive;
/// `aws:X` ≡ `acs:X` for the global keys, and the `s3:`/`oss:` twins map to one variant
/// (`s3:prefix` ≡ `oss:Prefix`, `s3:x-amz-acl` ≡ `oss:x-oss-object-acl`, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CondKey {
    /// `aws:SourceIp` / `acs:SourceIp`: the client address.
    SourceIp,
    /// `aws:Referer` / `acs:Referer`.
    Referer,
    /// `aws:SecureTransport` / `acs:SecureTransport`: `"true"` over TLS.
    SecureTransport,
    /// `aws:CurrentTime` / `acs:CurrentTime` (ISO 8601 or epoch seconds).
    CurrentTime,
    /// `aws:EpochTime` / `acs:EpochTime`.
    EpochTime,
    /// `aws:UserAgent` / `acs:UserAgent`.
    UserAgent,
    /// `s3:prefix` / `oss:Prefix` (listings).
    Prefix,
    /// `s3:delimiter` / `oss:Delimiter` (listings).
    Delimiter,
    /// `s3:max-keys` / `oss:MaxKeys` (listings).
    MaxKeys,
    /// `s3:x-amz-acl` / `oss:x-oss-object-acl`: the canned ACL the request sets.
    Acl,
    /// `s3:ExistingObjectTag/<key>` / `oss:ExistingObjectTag/<key>`; the tag key keeps its case.
    ExistingObjectTag(String),
    /// `s3:RequestObjectTag/<key>` / `oss:RequestObjectTag/<key>`; the tag key keeps its case.
    RequestObjectTag(String),
    /// `s3:RequestObjectTagKeys` / `oss:RequestObjectTagKeys` (multi-valued).
    RequestObjectTagKeys,
    /// `s3:VersionId` / `oss:VersionId`.
    VersionId,
    /// `s3:x-amz-copy-source` / `oss:x-oss-copy-source`.
    CopySource,
    /// `s3:x-amz-metadata-directive` / `oss:x-oss-metadata-directive`.
    MetadataDirective,
    /// `s3:x-amz-grant-full-control`.
    GrantFullControl,
    /// `s3:x-amz-grant-read`.
    GrantRead,
    /// `s3:x-amz-grant-write`.
    GrantWrite,
    /// `s3:x-amz-grant-read-acp`.
    GrantReadAcp,
    /// `s3:x-amz-grant-write-acp`.
    GrantWriteAcp,
    /// `s3:x-amz-server-side-encryption` / `oss:x-oss-server-side-encryption`.
    ServerSideEncryption,
    /// `s3:x-amz-storage-class` / `oss:x-oss-storage-class`.
    StorageClass,
    /// Any other key, lower-cased, namespace kept (e.g. `aws:sourcevpc`,
    /// `s3:x-amz-server-side-encryption-customer-algorithm`).
    Other(String),
}

impl CondKey {
    /// Normalizes a key as written in a policy.
    pub fn parse(name: &str) -> CondKey {
        let lower = name.to_ascii_lowercase();
        let (ns, rest) = lower.split_once(':').unwrap_or(("", lower.as_str()));
        let original_rest = &name[ns.len() + usize::from(!ns.is_empty())..];
        match ns {
            "aws" | "acs" => global(rest),
            "s3" | "oss" => service(rest, original_rest),
            _ => None,
        }
        .unwrap_or(CondKey::Other(lower))
    }
}

fn global(rest: &str) -> Option<CondKey> {
    Some(match rest {
        "sourceip" => CondKey::SourceIp,
        "referer" => CondKey::Referer,
        "securetransport" => CondKey::SecureTransport,
        "currenttime" => CondKey::CurrentTime,
        "epochtime" => CondKey::EpochTime,
        "useragent" => CondKey::UserAgent,
        _ => return None,
    })
}

fn service(rest: &str, original_rest: &str) -> Option<CondKey> {
    if let Some((kind, tag)) = original_rest.split_once('/') {
        return match kind.to_ascii_lowercase().as_str() {
            "existingobjecttag" => Some(CondKey::ExistingObjectTag(tag.to_string())),
            "requestobjecttag" => Some(CondKey::RequestObjectTag(tag.to_string())),
            _ => None,
        };
    }
    let header = rest
        .strip_prefix("x-amz-")
        .or_else(|| rest.strip_prefix("x-oss-"));
    if let Some(h) = header {
        return Some(match h {
            "acl" | "object-acl" => CondKey::Acl,
            "copy-source" => CondKey::CopySource,
            "metadata-directive" => CondKey::MetadataDirective,
            "grant-full-control" => CondKey::GrantFullControl,
            "grant-read" => CondKey::GrantRead,
            "grant-write" => CondKey::GrantWrite,
            "grant-read-acp" => CondKey::GrantReadAcp,
            "grant-write-acp" => CondKey::GrantWriteAcp,
            "server-side-encryption" => CondKey::ServerSideEncryption,
            "storage-class" => CondKey::StorageClass,
            _ => return None,
        });
    }
    Some(match rest {
        "prefix" => CondKey::Prefix,
        "delimiter" => CondKey::Delimiter,
        "max-keys" | "maxkeys" => CondKey::MaxKeys,
        "requestobjecttagkeys" => CondKey::RequestObjectTagKeys,
        "versionid" => CondKey::VersionId,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twins_normalize_to_one_key() {
        let pairs = [
            ("aws:SourceIp", "acs:SourceIp", CondKey::SourceIp),
            ("aws:referer", "ACS:Referer", CondKey::Referer),
            (
                "aws:SecureTransport",
                "acs:SecureTransport",
                CondKey::SecureTransport,
            ),
            ("aws:CurrentTime", "acs:CurrentTime", CondKey::CurrentTime),
            ("aws:EpochTime", "acs:EpochTime", CondKey::EpochTime),
            ("aws:UserAgent", "acs:UserAgent", CondKey::UserAgent),
            ("s3:prefix", "oss:Prefix", CondKey::Prefix),
            ("s3:delimiter", "oss:Delimiter", CondKey::Delimiter),
            ("s3:max-keys", "oss:MaxKeys", CondKey::MaxKeys),
            ("s3:x-amz-acl", "oss:x-oss-object-acl", CondKey::Acl),
            ("s3:VersionId", "oss:VersionId", CondKey::VersionId),
            (
                "s3:x-amz-copy-source",
                "oss:x-oss-copy-source",
                CondKey::CopySource,
            ),
            (
                "s3:RequestObjectTagKeys",
                "oss:RequestObjectTagKeys",
                CondKey::RequestObjectTagKeys,
            ),
            (
                "s3:x-amz-server-side-encryption",
                "oss:x-oss-server-side-encryption",
                CondKey::ServerSideEncryption,
            ),
        ];
        for (s3, oss, key) in pairs {
            assert_eq!(CondKey::parse(s3), key, "{s3}");
            assert_eq!(CondKey::parse(oss), key, "{oss}");
        }
    }

    #[test]
    fn tags_keep_their_case() {
        assert_eq!(
            CondKey::parse("s3:ExistingObjectTag/Security"),
            CondKey::ExistingObjectTag("Security".into())
        );
        assert_eq!(
            CondKey::parse("OSS:requestobjecttag/k"),
            CondKey::RequestObjectTag("k".into())
        );
    }

    #[test]
    fn grants_and_others() {
        assert_eq!(
            CondKey::parse("s3:x-amz-grant-full-control"),
            CondKey::GrantFullControl
        );
        assert_eq!(
            CondKey::parse("s3:x-amz-grant-read-acp"),
            CondKey::GrantReadAcp
        );
        assert_eq!(
            CondKey::parse("s3:x-amz-storage-class"),
            CondKey::StorageClass
        );
        assert_eq!(
            CondKey::parse("s3:x-amz-server-side-encryption-customer-algorithm"),
            CondKey::Other("s3:x-amz-server-side-encryption-customer-algorithm".into())
        );
        assert_eq!(
            CondKey::parse("aws:SourceVpc"),
            CondKey::Other("aws:sourcevpc".into())
        );
        assert_eq!(
            CondKey::parse("NoNamespace"),
            CondKey::Other("nonamespace".into())
        );
        assert_eq!(
            CondKey::parse("ec2:Foo/Bar"),
            CondKey::Other("ec2:foo/bar".into())
        );
    }
}
