//! Get/PutBucketAcl and Get/PutObjectAcl with canned ACLs (OSS `x-oss-acl`,
//! `x-oss-object-acl`; S3 `x-amz-acl`, `x-amz-grant-*` or an `AccessControlPolicy` body, the
//! grants taken when equivalent to a canned ACL: see [`grants`]).

pub mod grants;

use http::{Response, StatusCode};
use ossemu_store::{BucketRecord, ObjectRecord, Version};
use ossemu_xml::acl::{AccessControlPolicy, oss_policy, s3_policy};

use super::{acl_refused, bucket, canned_acl_ok, no_body, owner, set, versioning, xml_ok};
use crate::access;
use crate::body::{Body, ReqStream, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::handlers::bucket::SMALL_BODY;
use crate::request::Ctx;

fn policy(cx: &Ctx, owner_id: &str, canned: &str, bucket_owner: &str) -> Response<Body> {
    let o = owner(cx, owner_id);
    let b = owner(cx, bucket_owner);
    xml_ok(match cx.dialect {
        Dialect::Oss => oss_policy(&o.id, &o.display_name, canned),
        Dialect::S3 => s3_policy((&o.id, &o.display_name), canned, (&b.id, &b.display_name)),
    })
}

/// The canned ACL a Put*Acl request asks for: the canned header, else (S3) the
/// `x-amz-grant-*` headers, else (S3) the grant body, each checked by [`grants::canned`]
/// against the resource's `owner` and the bucket's.
async fn requested_acl(
    cx: &Ctx,
    body: ReqStream,
    header: &str,
    object: bool,
    (owner_id, bucket_owner): (&str, &str),
) -> ApiResult<String> {
    let from_grants = grants::header_acl(cx, owner_id, bucket_owner, object)?;
    let acl = match (cx.header(header), from_grants) {
        (Some(v), _) => v.to_string(),
        (None, Some(acl)) => acl,
        (None, None) => {
            let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
            if raw.iter().all(u8::is_ascii_whitespace) {
                return Err(ApiError::msg(
                    Code::MissingSecurityHeader,
                    format!("Your request was missing a required header: {header}."),
                )
                .field("MissingHeaderName", header));
            }
            let p: AccessControlPolicy =
                ossemu_xml::from_xml(&raw, "AccessControlPolicy", raw.len())?;
            grants::canned(
                cx,
                &grants::from_policy(&p)?,
                owner_id,
                bucket_owner,
                object,
            )?
        }
    };
    if !canned_acl_ok(cx.dialect, object, &acl) {
        let err = acl_refused(cx.dialect, object, header, &acl);
        // PutObjectAcl's EC, as OSS's SDK tests record it.
        return Err(if object && cx.dialect == Dialect::Oss {
            err.field("EC", "0017-00000104")
        } else {
            err
        });
    }
    Ok(acl)
}

/// GetBucketAcl.
pub async fn get_bucket_acl(cx: &Ctx) -> ApiResult<Response<Body>> {
    let b = cx.load_bucket()?;
    Ok(policy(cx, &b.owner, &b.acl, &b.owner))
}

/// PutBucketAcl: the owner sets the bucket's canned ACL. OSS creates the bucket, owned by the
/// requester, when it does not exist yet.
pub async fn put_bucket_acl(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let header = cx.dialect.header("acl");
    let existing = cx.store().meta().get_bucket(cx.bucket()?)?;
    let mut r = no_body(StatusCode::OK);
    match existing {
        Some(mut b) => {
            if cx.identity.owner() != Some(b.owner.as_str()) {
                return Err(access::denied(&cx.identity));
            }
            let owner = b.owner.clone();
            b.acl = requested_acl(cx, body, &header, false, (&owner, &owner)).await?;
            cx.store().update_bucket(&b).await?;
        }
        None if cx.dialect == Dialect::Oss => {
            let me = bucket::creator(cx)?;
            bucket::check_new_name(cx, cx.bucket()?)?;
            let acl = requested_acl(cx, body, &header, false, (me, me)).await?;
            let rec = bucket::new_bucket(cx, cx.bucket()?, me, Some(acl));
            match cx.store().create_bucket(&rec).await {
                Ok(()) | Err(ossemu_store::StoreError::BucketExists) => {}
                Err(e) => return Err(e.into()),
            }
        }
        None => return Err(ApiError::new(Code::NoSuchBucket)),
    }
    if cx.dialect == Dialect::Oss {
        set(r.headers_mut(), "location", &format!("/{}", cx.bucket()?));
    }
    Ok(r)
}

/// GetObjectAcl: `default` when the object inherits the bucket's ACL (OSS); S3 reports the
/// effective canned ACL. With `versionId`, of that version.
pub async fn get_object_acl(cx: &Ctx) -> ApiResult<Response<Body>> {
    let b = cx.load_bucket()?;
    let (rec, _) = target_version(cx, &b)?;
    let rec = manageable(cx, &b, rec)?;
    let canned = match (&rec.attrs.acl, cx.dialect) {
        (Some(a), _) => a.clone(),
        (None, Dialect::Oss) => "default".into(),
        (None, Dialect::S3) => "private".into(),
    };
    let owner_id = if rec.owner.is_empty() {
        b.owner.clone()
    } else {
        rec.owner.clone()
    };
    let mut r = policy(cx, &owner_id, &canned, &b.owner);
    versioning::set_served(cx, r.headers_mut(), &b, &rec);
    Ok(r)
}

/// The object version a request addresses (`versionId`, else the current object) and the
/// version named. A version that does not exist, or is a delete marker, is refused here.
pub fn target_version<'c>(
    cx: &'c Ctx,
    b: &BucketRecord,
) -> ApiResult<(Option<ObjectRecord>, Option<&'c str>)> {
    let key = cx.key()?;
    let version = versioning::requested(cx)?;
    match cx.store().meta().get_version(&b.name, key, version)? {
        Some(Version::Object(o)) => Ok((Some(*o), version)),
        // Whether a version exists, or is a delete marker, is told only to those who may
        // list the bucket.
        _ if version.is_some() && !access::may_read(&cx.identity, b, None) => {
            Err(access::denied(&cx.identity))
        }
        _ => match version {
            Some(v) => Err(versioning::missing_version(cx, &b.name, key, v)),
            None => Ok((None, None)),
        },
    }
}

/// The object, if the caller may read and change its ACL (the bucket's or the object's owner);
/// a missing key is 404 for the bucket owner and 403 for anyone else.
fn manageable(cx: &Ctx, b: &BucketRecord, rec: Option<ObjectRecord>) -> ApiResult<ObjectRecord> {
    let owner_view = ObjectRecord::default();
    match rec {
        Some(r) if access::may_manage_object(&cx.identity, b, &r) => Ok(r),
        None if access::may_manage_object(&cx.identity, b, &owner_view) => {
            Err(ApiError::new(Code::NoSuchKey))
        }
        _ => Err(access::denied(&cx.identity)),
    }
}

/// PutObjectAcl (of the version `versionId` names, else the current one).
pub async fn put_object_acl(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let b = cx.load_bucket()?;
    let (rec, version) = target_version(cx, &b)?;
    let rec = manageable(cx, &b, rec)?;
    let header = match cx.dialect {
        Dialect::Oss => "x-oss-object-acl".to_string(),
        Dialect::S3 => "x-amz-acl".to_string(),
    };
    let owner = if rec.owner.is_empty() {
        b.owner.clone()
    } else {
        rec.owner.clone()
    };
    let acl = requested_acl(cx, body, &header, true, (&owner, &b.owner)).await?;
    let acl = (acl != "default").then_some(acl);
    let edit = |cur: &ObjectRecord| -> ApiResult<ObjectRecord> {
        let mut rec = cur.clone();
        rec.attrs.acl = acl.clone();
        Ok(rec)
    };
    versioning::edit_version(cx, &b, version, StatusCode::OK, &edit).await
}
