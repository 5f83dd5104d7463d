//! Get/PutBucketAcl and Get/PutObjectAcl: canned ACLs (OSS `x-oss-acl`, `x-oss-object-acl`;
//! S3 `x-amz-acl`) and S3 grants (`x-amz-grant-*` or an `AccessControlPolicy` body, see
//! [`grants`]), checked against the bucket's Object Ownership and public access block.

pub mod grants;

use http::{Response, StatusCode};
use ossemu_store::{AclGrant, AclGrantee, AclPermission, BucketRecord, ObjectRecord, Version};
use ossemu_xml::acl::{AccessControlPolicy, GrantTo, oss_policy, s3_grants_policy};

use self::grants::Requested;
use super::ownership::{self, AclTarget};
use super::{acl_refused, bucket, canned_acl_ok, no_body, owner, set, versioning, xml_ok};
use crate::access;
use crate::body::{Body, ReqStream, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::handlers::bucket::SMALL_BODY;
use crate::request::Ctx;

/// The ACL document of a resource owned by `owner_id`: OSS shows its canned ACL, S3 its
/// grants as given, group grants first (as RGW lists them, and RGW-compatible clients such as
/// s3-tests' `check_grants` expect).
fn policy(cx: &Ctx, owner_id: &str, canned: &str, grants: &[AclGrant]) -> Response<Body> {
    let o = owner(cx, owner_id);
    let mut grants = grants.to_vec();
    grants.sort_by_key(|g| matches!(g.grantee, AclGrantee::User(_)));
    xml_ok(match cx.dialect {
        Dialect::Oss => oss_policy(&o.id, &o.display_name, canned),
        Dialect::S3 => {
            let names: Vec<(&AclGrant, &str)> = grants
                .iter()
                .map(|g| match &g.grantee {
                    AclGrantee::User(id) => (g, cx.state.config.display_name(id)),
                    AclGrantee::Group(_) => (g, ""),
                })
                .collect();
            let list: Vec<(GrantTo<'_>, &str)> = names
                .iter()
                .map(|(g, name)| {
                    let to = match &g.grantee {
                        AclGrantee::User(id) => GrantTo::User(id, name),
                        AclGrantee::Group(uri) => GrantTo::Group(uri),
                    };
                    (to, g.permission.as_str())
                })
                .collect();
            s3_grants_policy((&o.id, &o.display_name), &list)
        }
    })
}

/// The only grant while ACLs are disabled: the bucket owner's FULL_CONTROL.
fn owner_only(bucket_owner: &str) -> Vec<AclGrant> {
    vec![AclGrant {
        grantee: AclGrantee::User(bucket_owner.to_string()),
        permission: AclPermission::FullControl,
    }]
}

/// The ACL a Put*Acl request asks for: the canned header, else (S3) the `x-amz-grant-*`
/// headers, else (S3) the grant body, its grants resolved by [`grants::resolve`] for a
/// resource of `owner` in a bucket of `bucket_owner`.
async fn requested_acl(
    cx: &Ctx,
    body: ReqStream,
    header: &str,
    object: bool,
    (owner_id, bucket_owner): (&str, &str),
) -> ApiResult<Requested> {
    let from_grants = grants::header_acl(cx, owner_id, bucket_owner, object)?;
    let acl = match (cx.header(header), from_grants) {
        (Some(v), _) => v.to_string(),
        (None, Some(req)) => return Ok(req),
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
            let given = grants::resolve(cx, &grants::from_policy(&p)?)?;
            return Ok(grants::requested(given, owner_id, bucket_owner, object));
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
    Ok(Requested::canned(&acl))
}

/// GetBucketAcl: its grants (while ACLs are disabled, the owner's FULL_CONTROL only).
pub async fn get_bucket_acl(cx: &Ctx) -> ApiResult<Response<Body>> {
    let b = cx.load_bucket()?;
    let grants = if access::acls_disabled(&b) {
        owner_only(&b.owner)
    } else {
        access::bucket_grants(&b)
    };
    Ok(policy(cx, &b.owner, &b.acl, &grants))
}

/// PutBucketAcl: the owner (or a WRITE_ACP grantee) sets the bucket's ACL. OSS creates the
/// bucket, owned by the requester, when it does not exist yet.
pub async fn put_bucket_acl(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let header = cx.dialect.header("acl");
    let existing = cx.store().meta().get_bucket(cx.bucket()?)?;
    let mut r = no_body(StatusCode::OK);
    match existing {
        Some(mut b) => {
            crate::authz::decide(
                cx,
                crate::authz::Ask {
                    who: &cx.identity,
                    op: cx.op,
                    bucket: &b,
                    key: None,
                    obj: None,
                    acl: access::may_write_bucket_acp(&cx.identity, &b),
                },
            )?;
            let owner = b.owner.clone();
            let req = requested_acl(cx, body, &header, false, (&owner, &owner)).await?;
            ownership::check_acl(&b, &req, &owner, AclTarget::BucketAcl)?;
            b.acl = req.canned;
            b.grants = req.grants;
            cx.store().update_bucket(&b).await?;
        }
        None if cx.dialect == Dialect::Oss => {
            let me = bucket::creator(cx)?;
            bucket::check_new_name(cx, cx.bucket()?)?;
            let req = requested_acl(cx, body, &header, false, (me, me)).await?;
            let rec = BucketRecord {
                grants: req.grants,
                ..bucket::new_bucket(cx, cx.bucket()?, me, Some(req.canned))
            };
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
/// object's grants (`private`'s without an ACL of its own; the bucket owner's FULL_CONTROL
/// only while ACLs are disabled). With `versionId`, of that version.
pub async fn get_object_acl(cx: &Ctx) -> ApiResult<Response<Body>> {
    let b = cx.load_bucket()?;
    let (rec, _) = target_version(cx, &b)?;
    let rec = manageable(cx, &b, rec, AclPermission::ReadAcp)?;
    let canned = match (&rec.attrs.acl, cx.dialect) {
        (Some(a), _) => a.clone(),
        (None, Dialect::Oss) => "default".into(),
        (None, Dialect::S3) => "private".into(),
    };
    let owner_id = access::object_owner(&b, &rec).to_string();
    let grants = if access::acls_disabled(&b) {
        owner_only(&b.owner)
    } else {
        access::object_grants(&b, &rec)
            .unwrap_or_else(|| access::canned_grants("private", &owner_id, &b.owner))
    };
    let mut r = policy(cx, &owner_id, &canned, &grants);
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
        _ if version.is_some()
            && let Err(e) = crate::authz::read(cx, b, key, None) =>
        {
            Err(e)
        }
        _ => match version {
            Some(v) => Err(versioning::missing_version(cx, &b.name, key, v)),
            None => Ok((None, None)),
        },
    }
}

/// The object, if the caller has `perm` (READ_ACP or WRITE_ACP) on it by its ACL or the
/// policies; a missing key is 404 for those who would have it (the bucket owner) and 403 for
/// anyone else.
fn manageable(
    cx: &Ctx,
    b: &BucketRecord,
    rec: Option<ObjectRecord>,
    perm: AclPermission,
) -> ApiResult<ObjectRecord> {
    let owner_view = ObjectRecord::default();
    let view = rec.as_ref().unwrap_or(&owner_view);
    let acl = match cx.dialect {
        Dialect::S3 => access::s3_object_acp_allows(&cx.identity, b, view, perm),
        Dialect::Oss => access::object_acl_allows(&cx.identity, b, view, perm),
    };
    crate::authz::decide(
        cx,
        crate::authz::Ask {
            who: &cx.identity,
            op: cx.op,
            bucket: b,
            key: Some(cx.key()?),
            obj: rec.as_ref(),
            acl,
        },
    )?;
    rec.ok_or_else(|| ApiError::new(Code::NoSuchKey))
}

/// PutObjectAcl (of the version `versionId` names, else the current one).
pub async fn put_object_acl(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let b = cx.load_bucket()?;
    let (rec, version) = target_version(cx, &b)?;
    let rec = manageable(cx, &b, rec, AclPermission::WriteAcp)?;
    let header = match cx.dialect {
        Dialect::Oss => "x-oss-object-acl".to_string(),
        Dialect::S3 => "x-amz-acl".to_string(),
    };
    let owner = access::object_owner(&b, &rec).to_string();
    let req = requested_acl(cx, body, &header, true, (&owner, &b.owner)).await?;
    ownership::check_acl(&b, &req, &owner, AclTarget::ObjectAcl)?;
    let acl = (req.canned != "default").then_some(req.canned);
    let edit = |cur: &ObjectRecord| -> ApiResult<ObjectRecord> {
        let mut rec = cur.clone();
        rec.attrs.acl = acl.clone();
        rec.attrs.grants = req.grants.clone();
        Ok(rec)
    };
    versioning::edit_version(cx, &b, version, StatusCode::OK, &edit).await
}
