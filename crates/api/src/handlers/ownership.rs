//! S3 Object Ownership: Put/Get/DeleteBucketOwnershipControls (`?ownershipControls`),
//! `x-amz-object-ownership` on CreateBucket, who owns a new object ([`new_object_owner`]) and
//! which ACLs a request may set ([`check_acl`]). A bucket without the setting behaves as
//! `ObjectWriter`. Under `BucketOwnerEnforced` ACLs are disabled: the bucket owner owns every
//! object, grants give nothing ([`crate::access`]), and a request may set no ACL but
//! `bucket-owner-full-control` (400 AccessControlListNotSupported).

use std::collections::BTreeSet;

use http::{Response, StatusCode};
use ossemu_store::{AclGrant, AclGrantee, BucketRecord, ObjectAttrs, ObjectOwnership};
use serde::{Deserialize, Serialize};

use super::acl::grants::Requested;
use super::bucket::SMALL_BODY;
use super::{no_body, xml_ok};
use crate::access;
use crate::body::{Body, ReqStream, read_small};
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// `<Rule>`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Rule {
    #[serde(default)]
    object_ownership: String,
}

/// `<OwnershipControls>`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OwnershipControls {
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    xmlns: Option<String>,
    #[serde(rename = "Rule", default)]
    rules: Vec<Rule>,
}

/// What a write sets on an object of what ACL it asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AclTarget {
    /// A new object (PutObject, CopyObject, CreateMultipartUpload, PostObject).
    NewObject,
    /// PutObjectAcl.
    ObjectAcl,
    /// PutBucketAcl.
    BucketAcl,
}

/// The Object Ownership `x-amz-object-ownership` asks for; a value S3 does not have is 400
/// InvalidArgument.
pub fn from_header(cx: &Ctx) -> ApiResult<Option<ObjectOwnership>> {
    let Some(v) = cx.header("x-amz-object-ownership") else {
        return Ok(None);
    };
    ObjectOwnership::parse(v).map(Some).ok_or_else(|| {
        ApiError::msg(
            Code::InvalidArgument,
            "Invalid x-amz-object-ownership header: use BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter.",
        )
        .field("ArgumentName", "x-amz-object-ownership")
        .field("ArgumentValue", v)
    })
}

/// Whether `req` is `bucket-owner-full-control`: the canned ACL, or grants giving exactly
/// FULL_CONTROL to the bucket owner (and the writer).
fn is_bucket_owner_full_control(req: &Requested, writer: &str, bucket_owner: &str) -> bool {
    match &req.grants {
        None => req.canned == "bucket-owner-full-control",
        Some(g) => {
            let given: BTreeSet<&AclGrant> = g.iter().collect();
            [writer, bucket_owner].into_iter().any(|owner| {
                let want = access::canned_grants("bucket-owner-full-control", owner, bucket_owner);
                want.iter().collect::<BTreeSet<_>>() == given
            })
        }
    }
}

/// The ACL a write asks for, as its attributes hold it (`None`: none given).
pub fn requested_of(attrs: &ObjectAttrs) -> Option<Requested> {
    match (&attrs.grants, &attrs.acl) {
        (Some(g), acl) => Some(Requested {
            canned: acl.clone().unwrap_or_else(|| "private".into()),
            grants: Some(g.clone()),
        }),
        (None, Some(acl)) => Some(Requested::canned(acl)),
        (None, None) => None,
    }
}

/// Checks the ACL a request asks `writer` to set on `bucket` or one of its objects: while
/// ACLs are disabled only `bucket-owner-full-control` on objects (else 400
/// AccessControlListNotSupported); under BlockPublicAcls no public one (403 AccessDenied).
pub fn check_acl(
    bucket: &BucketRecord,
    req: &Requested,
    writer: &str,
    target: AclTarget,
) -> ApiResult<()> {
    if access::acls_disabled(bucket)
        && (target == AclTarget::BucketAcl
            || !is_bucket_owner_full_control(req, writer, &bucket.owner))
    {
        return Err(ApiError::new(Code::AccessControlListNotSupported));
    }
    super::public_access::check_acl(bucket, req.is_public())
}

/// The owner of an object `writer` writes into `bucket` with `attrs`: the bucket owner under
/// `BucketOwnerEnforced`, and under `BucketOwnerPreferred` when written with
/// `bucket-owner-full-control`; else the writer.
pub fn new_object_owner(bucket: &BucketRecord, writer: &str, attrs: &ObjectAttrs) -> String {
    let to_bucket_owner = match bucket.ownership {
        Some(ObjectOwnership::BucketOwnerEnforced) => true,
        Some(ObjectOwnership::BucketOwnerPreferred) => requested_of(attrs)
            .is_some_and(|r| is_bucket_owner_full_control(&r, writer, &bucket.owner)),
        _ => false,
    };
    if to_bucket_owner {
        bucket.owner.clone()
    } else {
        writer.to_string()
    }
}

/// Refuses (400 InvalidBucketAclWithObjectOwnership) to disable ACLs on a bucket of `owner`
/// whose grants give anyone else anything.
pub fn check_enforceable(
    ownership: Option<ObjectOwnership>,
    owner: &str,
    grants: &[AclGrant],
) -> ApiResult<()> {
    let others = grants
        .iter()
        .any(|g| g.grantee != AclGrantee::User(owner.to_string()));
    if ownership == Some(ObjectOwnership::BucketOwnerEnforced) && others {
        return Err(ApiError::new(Code::InvalidBucketAclWithObjectOwnership));
    }
    Ok(())
}

/// PutBucketOwnershipControls: exactly one rule with a known ObjectOwnership (else 400
/// MalformedXML; `BucketOwnerEnforced` on a bucket whose ACL grants others access: 400
/// InvalidBucketAclWithObjectOwnership); 200.
pub async fn put(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let mut bucket = cx.load_bucket()?;
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let doc: OwnershipControls = ossemu_xml::from_xml(&raw, "OwnershipControls", SMALL_BODY)?;
    let [rule] = <[_; 1]>::try_from(doc.rules)
        .map_err(|_| ApiError::msg(Code::MalformedXML, "OwnershipControls holds one Rule."))?;
    let ownership = ObjectOwnership::parse(&rule.object_ownership).ok_or_else(|| {
        ApiError::msg(
            Code::MalformedXML,
            "ObjectOwnership is one of BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter.",
        )
    })?;
    check_enforceable(
        Some(ownership),
        &bucket.owner,
        &access::bucket_grants(&bucket),
    )?;
    bucket.ownership = Some(ownership);
    cx.store().update_bucket(&bucket).await?;
    Ok(no_body(StatusCode::OK))
}

/// GetBucketOwnershipControls; 404 OwnershipControlsNotFoundError without a setting.
pub async fn get(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let o = bucket
        .ownership
        .ok_or_else(|| ApiError::new(Code::OwnershipControlsNotFoundError))?;
    let doc = OwnershipControls {
        xmlns: cx.dialect.xmlns().map(str::to_string),
        rules: vec![Rule {
            object_ownership: o.as_str().to_string(),
        }],
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("OwnershipControls", &doc)))
}

/// DeleteBucketOwnershipControls: back to the default; 204.
pub async fn delete(cx: &Ctx) -> ApiResult<Response<Body>> {
    let mut bucket = cx.load_bucket()?;
    if bucket.ownership.take().is_some() {
        cx.store().update_bucket(&bucket).await?;
    }
    Ok(no_body(StatusCode::NO_CONTENT))
}
