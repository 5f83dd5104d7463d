//! Stage 3, authorize: the checks that need no body. The bucket name and key shape, the
//! method, the bucket's existence for a sub-resource ossemu does not implement, the
//! permission the operation needs ([`Op::permission`], against the bucket's ACL, widened by
//! an OSS object ACL `public-read-write`) decided together with the bucket and user
//! policies ([`authz::decide`]), and S3's `x-amz-expected-bucket-owner`. Object reads are
//! left to their handlers: they depend on the object's own ACL and on whether it exists.

use ossemu_store::BucketRecord;

use super::classify::check_shape;
use crate::access;
use crate::authz::{self, Ask};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;
use crate::router::{Op, Permission};

/// Refuses the request unless the requester may run `op` on what it addresses.
pub fn authorize(cx: &Ctx, op: Op) -> ApiResult<()> {
    check_shape(cx.bucket.as_deref(), cx.key.as_deref(), cx.dialect)?;
    if op == Op::NotAllowed {
        return Err(ApiError::new(Code::MethodNotAllowed)
            .field("Method", cx.method.as_str())
            .field(
                "ResourceType",
                if cx.key.is_some() { "OBJECT" } else { "BUCKET" },
            ));
    }
    // A sub-resource ossemu does not implement is answered 501 only for a bucket that
    // exists: OSS and S3 look the bucket up first (404 NoSuchBucket). The lookup reads the
    // bucket's record, never its objects.
    if op == Op::Unsupported && cx.bucket.is_some() {
        cx.load_bucket()?;
    }
    if cx.bucket.is_some() && op.permission() != Permission::Handler {
        let bucket = cx.load_bucket()?;
        let acl =
            access::allows(&cx.identity, op, &bucket) || object_acl_grants_write(cx, op, &bucket)?;
        // DeleteObjects is decided key by key in its handler when a policy may allow some.
        if !(op == Op::DeleteObjects && authz::has_policies(cx, &cx.identity, &bucket)?) {
            authz::decide(
                cx,
                Ask {
                    who: &cx.identity,
                    op,
                    bucket: &bucket,
                    key: cx.key.as_deref(),
                    obj: None,
                    acl,
                },
            )?;
        }
    }
    expected_owner(cx)
}

/// S3's `x-amz-expected-bucket-owner`: refused when the bucket belongs to someone else.
fn expected_owner(cx: &Ctx) -> ApiResult<()> {
    if let (Some(expected), Some(_)) = (cx.header("x-amz-expected-bucket-owner"), &cx.bucket)
        && let Ok(b) = cx.load_bucket()
        && b.owner != expected
    {
        return Err(ApiError::msg(
            Code::AccessDenied,
            "The bucket is not owned by the account given in x-amz-expected-bucket-owner.",
        ));
    }
    Ok(())
}

/// OSS: an object whose own ACL is `public-read-write` may be overwritten, appended to or
/// deleted by anyone (PutObject, AppendObject, DeleteObject), whatever the bucket's ACL
/// (unless the bucket ignores public ACLs or has ACLs disabled). Object ACLs only add this
/// permission here; they never narrow the bucket's.
fn object_acl_grants_write(cx: &Ctx, op: Op, bucket: &BucketRecord) -> ApiResult<bool> {
    if cx.dialect != Dialect::Oss
        || !matches!(op, Op::PutObject | Op::AppendObject | Op::DeleteObject)
        || access::may_write(&cx.identity, bucket)
    {
        return Ok(false);
    }
    let Some(key) = &cx.key else { return Ok(false) };
    Ok(cx
        .store()
        .meta()
        .get_object(&bucket.name, key)?
        .is_some_and(|o| {
            !access::acls_disabled(bucket)
                && access::object_grants(bucket, &o).is_some_and(|g| {
                    access::grants_allow(
                        &cx.identity,
                        &g,
                        ossemu_store::AclPermission::Write,
                        crate::handlers::public_access::of(bucket).ignore_public_acls,
                    )
                })
        }))
}

#[cfg(test)]
mod tests;
