//! Public access blocks: S3 Put/Get/DeletePublicAccessBlock and OSS
//! Put/Get/DeleteBucketPublicAccessBlock (`?publicAccessBlock`), one stored setting for both
//! dialects ([`BucketRecord::public_access_block`]). OSS's single `BlockPublicAccess` sets (and
//! reads as) all four of S3's settings. Enforced here: BlockPublicAcls (a request setting a
//! public ACL is refused, [`check_acl`]) and, in [`crate::access`], IgnorePublicAcls. The
//! policy settings (BlockPublicPolicy, RestrictPublicBuckets) are for the policy decision.

use http::{Response, StatusCode};
use ossemu_store::{BucketRecord, PublicAccessBlock};
use serde::{Deserialize, Serialize};

use super::bucket::SMALL_BODY;
use super::{no_body, xml_ok};
use crate::body::{Body, ReqStream, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// S3's `<PublicAccessBlockConfiguration>` (an absent setting is `false`).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct S3Configuration {
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    xmlns: Option<String>,
    #[serde(default)]
    block_public_acls: Option<bool>,
    #[serde(default)]
    ignore_public_acls: Option<bool>,
    #[serde(default)]
    block_public_policy: Option<bool>,
    #[serde(default)]
    restrict_public_buckets: Option<bool>,
}

/// OSS's `<PublicAccessBlockConfiguration>`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OssConfiguration {
    #[serde(default)]
    block_public_access: Option<bool>,
}

/// The root element of both dialects' documents.
const ROOT: &str = "PublicAccessBlockConfiguration";

/// The public access block in force on a bucket record (all `false` without one).
pub fn of(bucket: &BucketRecord) -> PublicAccessBlock {
    bucket.public_access_block.unwrap_or_default()
}

/// OSS's `BlockPublicAccess` of a bucket, as GetBucketInfo and GetBucketPublicAccessBlock
/// report it: with a setting, whether it blocks everything; without, OSS's default for a
/// new bucket (blocked, `alibabacloud-oss-v2`'s `test_get_bucket_info` expects `true` for a
/// new private bucket) unless its ACL is public, which on OSS means the block was lifted
/// first.
pub fn oss_blocks(bucket: &BucketRecord) -> bool {
    match bucket.public_access_block {
        Some(p) => {
            p.block_public_acls
                && p.ignore_public_acls
                && p.block_public_policy
                && p.restrict_public_buckets
        }
        None => !bucket.acl.starts_with("public-"),
    }
}

/// Refuses (403 AccessDenied) a request that sets a public ACL (`public`) on a bucket whose
/// public access block has BlockPublicAcls.
pub fn check_acl(bucket: &BucketRecord, public: bool) -> ApiResult<()> {
    if public && of(bucket).block_public_acls {
        return Err(ApiError::msg(
            Code::AccessDenied,
            "Access Denied: the bucket's public access block does not allow public ACLs.",
        ));
    }
    Ok(())
}

/// Put(Bucket)PublicAccessBlock: 200.
pub async fn put(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let mut bucket = cx.load_bucket()?;
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let setting = match cx.dialect {
        Dialect::S3 => {
            let c: S3Configuration = ossemu_xml::from_xml(&raw, ROOT, SMALL_BODY)?;
            PublicAccessBlock {
                block_public_acls: c.block_public_acls.unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls.unwrap_or(false),
                block_public_policy: c.block_public_policy.unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets.unwrap_or(false),
            }
        }
        Dialect::Oss => {
            let c: OssConfiguration = ossemu_xml::from_xml(&raw, ROOT, SMALL_BODY)?;
            let all = c.block_public_access.ok_or_else(|| {
                ApiError::msg(Code::MalformedXML, "BlockPublicAccess is missing.")
            })?;
            PublicAccessBlock {
                block_public_acls: all,
                ignore_public_acls: all,
                block_public_policy: all,
                restrict_public_buckets: all,
            }
        }
    };
    bucket.public_access_block = Some(setting);
    cx.store().update_bucket(&bucket).await?;
    Ok(no_body(StatusCode::OK))
}

/// Get(Bucket)PublicAccessBlock. S3 answers 404 NoSuchPublicAccessBlockConfiguration without
/// a setting; OSS reports [`oss_blocks`].
pub async fn get(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let xml = match cx.dialect {
        Dialect::S3 => {
            let p = bucket
                .public_access_block
                .ok_or_else(|| ApiError::new(Code::NoSuchPublicAccessBlockConfiguration))?;
            let doc = S3Configuration {
                xmlns: cx.dialect.xmlns().map(str::to_string),
                block_public_acls: Some(p.block_public_acls),
                ignore_public_acls: Some(p.ignore_public_acls),
                block_public_policy: Some(p.block_public_policy),
                restrict_public_buckets: Some(p.restrict_public_buckets),
            };
            ossemu_xml::to_xml_as(ROOT, &doc)
        }
        Dialect::Oss => ossemu_xml::to_xml_as(
            ROOT,
            &OssConfiguration {
                block_public_access: Some(oss_blocks(&bucket)),
            },
        ),
    };
    Ok(xml_ok(xml))
}

/// Delete(Bucket)PublicAccessBlock: 204, with or without a setting.
pub async fn delete(cx: &Ctx) -> ApiResult<Response<Body>> {
    let mut bucket = cx.load_bucket()?;
    if bucket.public_access_block.take().is_some() {
        cx.store().update_bucket(&bucket).await?;
    }
    Ok(no_body(StatusCode::NO_CONTENT))
}
