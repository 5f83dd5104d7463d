//! The action names a request goes by in bucket policies: `s3:<Action>` as S3's "Actions,
//! resources, and condition keys for Amazon S3" lists them, and `oss:<Action>` as OSS's
//! RAM policy action list does. Most are the operation's own name in both namespaces.

use crate::request::Ctx;
use crate::router::Op;

/// The S3 and OSS names of `op`, as the request makes it (a GET or DELETE of a version is
/// `s3:GetObjectVersion` / `s3:DeleteObjectVersion`).
pub fn names(op: Op, cx: &Ctx) -> [String; 2] {
    let version = cx.query.get("versionId").is_some();
    let (s3, oss) = match op {
        Op::GetObject | Op::HeadObject | Op::GetObjectMeta | Op::GetSymlink if version => {
            ("GetObjectVersion", "GetObjectVersion")
        }
        Op::GetObject | Op::HeadObject | Op::GetObjectMeta | Op::GetSymlink => {
            ("GetObject", "GetObject")
        }
        Op::DeleteObject if version => ("DeleteObjectVersion", "DeleteObjectVersion"),
        Op::GetObjectAcl if version => ("GetObjectVersionAcl", "GetObjectAcl"),
        Op::PutObjectAcl if version => ("PutObjectVersionAcl", "PutObjectAcl"),
        Op::GetObjectTagging if version => ("GetObjectVersionTagging", "GetObjectTagging"),
        Op::PutObjectTagging if version => ("PutObjectVersionTagging", "PutObjectTagging"),
        Op::DeleteObjectTagging if version => ("DeleteObjectVersionTagging", "DeleteObjectTagging"),
        Op::PutObject
        | Op::PostObject
        | Op::CopyObject
        | Op::AppendObject
        | Op::PutSymlink
        | Op::InitiateMultipartUpload
        | Op::UploadPart
        | Op::UploadPartCopy
        | Op::CompleteMultipartUpload => ("PutObject", "PutObject"),
        Op::DeleteObjects => ("DeleteObject", "DeleteObject"),
        Op::ListObjects | Op::ListObjectsV2 | Op::HeadBucket => ("ListBucket", "ListObjects"),
        Op::ListObjectVersions => ("ListBucketVersions", "ListObjectVersions"),
        Op::ListMultipartUploads => ("ListBucketMultipartUploads", "ListMultipartUploads"),
        Op::ListParts => ("ListMultipartUploadParts", "ListParts"),
        Op::GetBucketLifecycle => ("GetLifecycleConfiguration", "GetBucketLifecycle"),
        Op::DeleteBucketLifecycle => ("PutLifecycleConfiguration", "DeleteBucketLifecycle"),
        Op::PutBucketLifecycle => ("PutLifecycleConfiguration", "PutBucketLifecycle"),
        Op::GetBucketCors => ("GetBucketCORS", "GetBucketCors"),
        Op::PutBucketCors | Op::DeleteBucketCors => ("PutBucketCORS", op.name()),
        Op::PutBucketEncryption | Op::DeleteBucketEncryption => {
            ("PutEncryptionConfiguration", op.name())
        }
        Op::GetBucketEncryption => ("GetEncryptionConfiguration", "GetBucketEncryption"),
        Op::PutObjectLockConfiguration => (
            "PutBucketObjectLockConfiguration",
            "PutObjectLockConfiguration",
        ),
        Op::GetObjectLockConfiguration => (
            "GetBucketObjectLockConfiguration",
            "GetObjectLockConfiguration",
        ),
        Op::DeleteBucketTagging => ("PutBucketTagging", "DeleteBucketTagging"),
        Op::DeleteBucketWebsite => ("DeleteBucketWebsite", "DeleteBucketWebsite"),
        Op::DeleteBucketPolicy => ("DeleteBucketPolicy", "DeleteBucketPolicy"),
        Op::DeleteBucketPublicAccessBlock => (
            "PutBucketPublicAccessBlock",
            "DeleteBucketPublicAccessBlock",
        ),
        Op::DeleteBucketOwnershipControls => (
            "PutBucketOwnershipControls",
            "DeleteBucketOwnershipControls",
        ),
        _ => (op.name(), op.name()),
    };
    [format!("s3:{s3}"), format!("oss:{oss}")]
}

/// Put/Get/DeleteBucketPolicy: the bucket owner may always run them, whatever the policy
/// says (S3's way out of a policy that locks everyone out).
pub fn manages_policy(op: Op) -> bool {
    matches!(
        op,
        Op::PutBucketPolicy | Op::GetBucketPolicy | Op::DeleteBucketPolicy
    )
}
