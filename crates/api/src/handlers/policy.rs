//! Bucket policies (`?policy`) and their public status (`?policyStatus`), in both dialects:
//! PutBucketPolicy checks the document with [`ossemu_policy::Policy::parse`] and keeps it as
//! sent (GetBucketPolicy answers it byte for byte); the decision that enforces it is
//! [`crate::authz`]. A public policy is refused under BlockPublicPolicy.

use http::{Response, StatusCode};
use ossemu_policy::{MAX_POLICY_BYTES, Policy};

use super::{no_body, set, xml_ok};
use crate::body::{Body, ReqStream, full, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

const KIND: &str = crate::authz::POLICY_KIND;

/// PutBucketPolicy: 204 in S3, 200 in OSS.
pub async fn put(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let raw = read_small(body, 4 * MAX_POLICY_BYTES, &cx.state.buffers).await?;
    let policy = Policy::parse(&raw, &bucket.name)
        .map_err(|e| ApiError::msg(Code::MalformedPolicy, e.to_string()))?;
    if policy.is_public() && super::public_access::of(&bucket).block_public_policy {
        return Err(ApiError::msg(
            Code::AccessDenied,
            "Access Denied: the bucket's public access block (BlockPublicPolicy) refuses a public policy.",
        ));
    }
    cx.store()
        .put_config(&bucket.name, KIND, Some(&raw))
        .await?;
    Ok(no_body(match cx.dialect {
        Dialect::S3 => StatusCode::NO_CONTENT,
        Dialect::Oss => StatusCode::OK,
    }))
}

/// GetBucketPolicy: the document as it was put, or 404 NoSuchBucketPolicy.
pub async fn get(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let Some(raw) = cx.store().meta().get_config(&bucket.name, KIND)? else {
        return Err(ApiError::new(Code::NoSuchBucketPolicy));
    };
    let mut r = Response::new(full(raw));
    set(r.headers_mut(), "content-type", "application/json");
    Ok(r)
}

/// DeleteBucketPolicy: 204, whether or not there was one.
pub async fn delete(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    cx.store().put_config(&bucket.name, KIND, None).await?;
    Ok(no_body(StatusCode::NO_CONTENT))
}

/// GetBucketPolicyStatus: `IsPublic` is true when the bucket policy is public, or (as RGW
/// and ceph's s3-tests have it) when the bucket's ACL grants anyone or any signed-in user
/// access and public ACLs are not ignored.
pub async fn status(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let by_policy = cx
        .state
        .policies
        .bucket(cx.store().meta(), &bucket.name)?
        .is_some_and(|p| p.is_public());
    let by_acl = crate::access::acl_is_public(&bucket)
        && !super::public_access::of(&bucket).ignore_public_acls;
    let doc = ossemu_xml::bucket::PolicyStatus {
        xmlns: cx.dialect.xmlns(),
        is_public: by_policy || by_acl,
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("PolicyStatus", &doc)))
}
