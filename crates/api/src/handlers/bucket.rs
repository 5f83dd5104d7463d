//! PutBucket, DeleteBucket, HeadBucket, GetBucketInfo, GetBucketLocation,
//! and the empty ListLiveChannel.

use http::{Response, StatusCode};
use ossemu_store::{BucketRecord, ObjectOwnership, StoreError, now_ms};
use ossemu_xml::bucket::{
    BucketInfo, BucketInfoBucket, BucketPolicy, CreateBucketConfiguration, ListLiveChannelResult,
    LocationConstraint, OssAccessControlList, SseRule,
};

use super::acl::grants::Requested;
use super::{acl_refused, canned_acl_ok, iso8601, max_param, no_body, owner, set, xml_ok};
use crate::body::{Body, ReqStream, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// Limit for small configuration bodies.
pub const SMALL_BODY: usize = 64 * 1024;

/// The resource group every bucket belongs to: OSS puts a bucket in the account's default
/// group (an id of the form `rg-…`) unless told otherwise, and ossemu has only that one.
pub const DEFAULT_RESOURCE_GROUP: &str = "rg-ossemudefault";

/// What OSS's ListBuckets takes in `x-oss-resource-group-id` for the default group.
pub const DEFAULT_RESOURCE_GROUP_ALIAS: &str = "rg-default-id";

/// The requester's owner id; anonymous requests cannot create buckets.
pub fn creator(cx: &Ctx) -> ApiResult<&str> {
    cx.identity
        .owner()
        .ok_or_else(|| ApiError::msg(Code::AccessDenied, "Anonymous users cannot create buckets."))
}

/// A name a new bucket may have in the request's dialect (OSS names have no dots).
pub fn check_new_name(cx: &Ctx, name: &str) -> ApiResult<()> {
    if cx.dialect == Dialect::Oss && name.contains('.') {
        return Err(ApiError::msg(
            Code::InvalidBucketName,
            "OSS bucket names contain only lowercase letters, digits and hyphens.",
        )
        .field("BucketName", name));
    }
    Ok(())
}

/// The bucket ACL a request asks for: a canned one from `x-oss-acl` / `x-amz-acl`, checked, or
/// (S3) the `x-amz-grant-*` headers' grants. `owner` will own the bucket.
pub fn requested_bucket_acl(cx: &Ctx, owner: &str) -> ApiResult<Option<Requested>> {
    if let Some(req) = super::acl::grants::header_acl(cx, owner, owner, false)? {
        return Ok(Some(req));
    }
    let Some(acl) = cx.dheader("acl") else {
        return Ok(None);
    };
    if !canned_acl_ok(cx.dialect, false, acl) {
        return Err(acl_refused(
            cx.dialect,
            false,
            &cx.dialect.header("acl"),
            acl,
        ));
    }
    Ok(Some(Requested::canned(acl)))
}

/// A new bucket's ACL and Object Ownership (`x-amz-object-ownership`): with
/// `BucketOwnerEnforced`, an ACL that grants anyone but the owner anything is 400
/// InvalidBucketAclWithObjectOwnership.
fn access_settings(cx: &Ctx, me: &str) -> ApiResult<(Option<Requested>, Option<ObjectOwnership>)> {
    let acl = requested_bucket_acl(cx, me)?;
    let ownership = super::ownership::from_header(cx)?;
    if let Some(a) = &acl {
        super::ownership::check_enforceable(ownership, me, &a.grants_for(me, me))?;
    }
    Ok((acl, ownership))
}

/// The 200 answer to a bucket creation: `Location: /<bucket>`.
fn created(name: &str) -> Response<Body> {
    let mut r = no_body(StatusCode::OK);
    set(r.headers_mut(), "location", &format!("/{name}"));
    r
}

/// A new bucket record for the requester in the server's region.
pub fn new_bucket(cx: &Ctx, name: &str, owner: &str, acl: Option<String>) -> BucketRecord {
    BucketRecord {
        name: name.to_string(),
        owner: owner.to_string(),
        acl: acl.unwrap_or_else(|| "private".into()),
        created_ms: now_ms(),
        storage_class: "Standard".into(),
        location: cx.state.config.region.clone(),
        versioning: Default::default(),
        object_lock: false,
        data_redundancy: None,
        ..Default::default()
    }
}

/// PutBucket: creates a bucket owned by the requester, with an optional canned ACL and
/// CreateBucketConfiguration.
pub async fn create_bucket(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let name = cx.bucket()?.to_string();
    let me = creator(cx)?;
    check_new_name(cx, &name)?;
    let (acl, ownership) = access_settings(cx, me)?;
    let sse = super::encryption::from_headers(cx)?;
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let conf: CreateBucketConfiguration = if raw.iter().all(u8::is_ascii_whitespace) {
        CreateBucketConfiguration::default()
    } else {
        ossemu_xml::from_xml(&raw, "CreateBucketConfiguration", raw.len())?
    };
    let (storage_class, data_redundancy) = match cx.dialect {
        Dialect::Oss => (oss_configuration(&conf)?, redundancy(&conf)?),
        Dialect::S3 => (conf.storage_class.clone(), None),
    };
    let requested_location = conf.location_constraint.clone().filter(|l| !l.is_empty());
    let rec = BucketRecord {
        storage_class: storage_class.unwrap_or_else(|| "Standard".into()),
        data_redundancy,
        location: requested_location
            .clone()
            .unwrap_or_else(|| cx.state.config.region.clone()),
        grants: acl.as_ref().and_then(|a| a.grants.clone()),
        ownership,
        ..new_bucket(cx, &name, me, acl.as_ref().map(|a| a.canned.clone()))
    };
    // S3 Object Lock is enabled at creation, and with it versioning.
    let locked = cx.dialect == Dialect::S3
        && cx
            .header("x-amz-bucket-object-lock-enabled")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let rec = BucketRecord {
        object_lock: locked,
        versioning: if locked {
            ossemu_store::Versioning::Enabled
        } else {
            rec.versioning
        },
        ..rec
    };
    match cx.store().create_bucket(&rec).await {
        Ok(()) => {
            if let Some(rule) = &sse {
                super::encryption::save(cx, &name, Some(rule)).await?;
            }
            Ok(created(&name))
        }
        Err(StoreError::BucketExists) => {
            let existing = cx
                .store()
                .meta()
                .get_bucket(&name)?
                .ok_or_else(|| ApiError::new(Code::BucketAlreadyExists))?;
            match cx.dialect {
                Dialect::Oss => recreate_oss(cx, existing, me, acl, &conf).await,
                Dialect::S3 => recreate_s3(cx, &existing, me, &rec, requested_location),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// The storage classes an OSS bucket can have.
pub(crate) const OSS_STORAGE_CLASSES: &[&str] = &[
    "Standard",
    "IA",
    "Archive",
    "ColdArchive",
    "DeepColdArchive",
];

/// OSS's data redundancy types.
const OSS_REDUNDANCY_TYPES: &[&str] = &["LRS", "ZRS"];

/// The data redundancy type of an OSS CreateBucketConfiguration, spelt as OSS spells it:
/// `None` for LRS (the default), 400 InvalidArgument for a type OSS does not have.
fn redundancy(conf: &CreateBucketConfiguration) -> ApiResult<Option<String>> {
    let Some(t) = &conf.data_redundancy_type else {
        return Ok(None);
    };
    match OSS_REDUNDANCY_TYPES
        .iter()
        .find(|k| k.eq_ignore_ascii_case(t.trim()))
    {
        Some(&"LRS") => Ok(None),
        Some(k) => Ok(Some(k.to_string())),
        None => Err(ApiError::msg(
            Code::InvalidArgument,
            format!("The data redundancy type {t:?} is not one of LRS, ZRS."),
        )),
    }
}

/// Checks an OSS CreateBucketConfiguration and returns its storage class, spelt as OSS spells
/// it. A storage class OSS does not have is 400 InvalidArgument (OSS's code for an invalid
/// storage class; the messages are ossemu's).
fn oss_configuration(conf: &CreateBucketConfiguration) -> ApiResult<Option<String>> {
    let known = |list: &[&'static str], v: &str| {
        list.iter()
            .find(|k| k.eq_ignore_ascii_case(v.trim()))
            .copied()
    };
    conf.storage_class
        .as_deref()
        .map(|c| {
            known(OSS_STORAGE_CLASSES, c)
                .map(str::to_string)
                .ok_or_else(|| {
                    ApiError::msg(
                        Code::InvalidArgument,
                        format!(
                            "The storage class {c:?} is not one of {}.",
                            OSS_STORAGE_CLASSES.join(", ")
                        ),
                    )
                })
        })
        .transpose()
}

/// OSS: the owner re-creating a bucket gets 200 (and a new ACL when it sends one); another
/// storage class is refused, as is another owner's bucket.
async fn recreate_oss(
    cx: &Ctx,
    mut existing: BucketRecord,
    me: &str,
    acl: Option<Requested>,
    conf: &CreateBucketConfiguration,
) -> ApiResult<Response<Body>> {
    if existing.owner != me {
        return Err(ApiError::new(Code::BucketAlreadyExists));
    }
    if conf
        .storage_class
        .as_deref()
        .is_some_and(|c| !c.eq_ignore_ascii_case(&existing.storage_class))
    {
        return Err(ApiError::msg(
            Code::BucketAlreadyExists,
            "Cannot modify existing bucket's storage class",
        ));
    }
    if let Some(acl) = acl
        && (acl.canned != existing.acl || acl.grants != existing.grants)
    {
        existing.acl = acl.canned;
        existing.grants = acl.grants;
        cx.store().update_bucket(&existing).await?;
    }
    Ok(created(&existing.name))
}

/// S3 in us-east-1 (a request without LocationConstraint) answers 200 to the owner
/// re-creating a bucket; every other region says BucketAlreadyOwnedByYou. A re-create that
/// asks for another ACL is refused with BucketAlreadyExists (as RGW does) rather than
/// silently changing who may read the bucket.
fn recreate_s3(
    cx: &Ctx,
    existing: &BucketRecord,
    me: &str,
    rec: &BucketRecord,
    requested_location: Option<String>,
) -> ApiResult<Response<Body>> {
    let us_east_1 = requested_location
        .as_deref()
        .is_none_or(|l| l == "us-east-1");
    let default_region = |l: &str| l == "us-east-1" || l == cx.state.config.region;
    let mine = existing.owner == me;
    let recreate = mine && us_east_1 && default_region(&existing.location);
    if recreate && existing.acl == rec.acl && existing.grants == rec.grants {
        Ok(created(&existing.name))
    } else if mine && !recreate {
        Err(ApiError::new(Code::BucketAlreadyOwnedByYou))
    } else {
        Err(ApiError::new(Code::BucketAlreadyExists))
    }
}

/// DeleteBucket: 204, or 409 BucketNotEmpty. OSS refuses while multipart uploads are in
/// progress; S3 discards them (and their parts) when the bucket holds no object.
pub async fn delete_bucket(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    if cx.dialect == Dialect::S3 && !cx.store().has_objects(&bucket.name)? {
        let uploads: Vec<_> = cx
            .store()
            .meta()
            .scan_uploads(&bucket.name, None)
            .collect::<Result<_, _>>()?;
        for u in uploads {
            match cx
                .store()
                .abort_upload(&bucket.name, &u.key, &u.upload_id)
                .await
            {
                Ok(_) | Err(StoreError::NoSuchUpload) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    cx.store().delete_bucket(&bucket.name).await?;
    Ok(no_body(StatusCode::NO_CONTENT))
}

/// HeadBucket: 200 with the bucket's region.
pub async fn head_bucket(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let mut r = no_body(StatusCode::OK);
    set(
        r.headers_mut(),
        &cx.dialect.header("bucket-region"),
        &bucket.location,
    );
    Ok(r)
}

/// GetBucketInfo (OSS).
pub async fn get_bucket_info(cx: &Ctx) -> ApiResult<Response<Body>> {
    let b = cx.load_bucket()?;
    let endpoint = cx.endpoint_host();
    let doc = BucketInfo {
        bucket: BucketInfoBucket {
            access_monitor: super::access_monitor::status(cx, &b.name)?.into(),
            creation_date: iso8601(b.created_ms),
            extranet_endpoint: endpoint.clone(),
            intranet_endpoint: endpoint,
            location: b.location.clone(),
            storage_class: b.storage_class.clone(),
            transfer_acceleration: "Disabled".into(),
            cross_region_replication: "Disabled".into(),
            data_redundancy_type: b.data_redundancy.clone().unwrap_or_else(|| "LRS".into()),
            name: b.name.clone(),
            resource_group_id: DEFAULT_RESOURCE_GROUP.into(),
            versioning: super::versioning::status_name(b.versioning).map(str::to_string),
            owner: owner(cx, &b.owner),
            acl: OssAccessControlList {
                grant: b.acl.clone(),
            },
            comment: String::new(),
            block_public_access: super::public_access::oss_blocks(&b),
            bucket_policy: log_target(cx, &b.name)?,
            sse: sse_rule(cx, &b.name)?,
        },
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("BucketInfo", &doc)))
}

/// GetBucketInfo's `<BucketPolicy>`: where the bucket's access logs go, empty while off.
fn log_target(cx: &Ctx, bucket: &str) -> ApiResult<BucketPolicy> {
    Ok(match super::logging::load(cx.store().meta(), bucket)? {
        Some(t) => BucketPolicy {
            log_bucket: t.target_bucket,
            log_prefix: t.target_prefix,
        },
        None => BucketPolicy::default(),
    })
}

/// GetBucketInfo's `<ServerSideEncryptionRule>`: the bucket's default, else `None`.
fn sse_rule(cx: &Ctx, bucket: &str) -> ApiResult<SseRule> {
    Ok(match super::encryption::load(cx.store().meta(), bucket)? {
        Some(r) => SseRule {
            sse_algorithm: r.sse_algorithm,
            kms_master_key_id: r.kms_master_key_id,
            kms_data_encryption: r.kms_data_encryption,
        },
        None => SseRule {
            sse_algorithm: "None".into(),
            ..SseRule::default()
        },
    })
}

/// GetBucketLocation. S3 reports `us-east-1` as an empty constraint.
pub async fn get_bucket_location(cx: &Ctx) -> ApiResult<Response<Body>> {
    let b = cx.load_bucket()?;
    let location = if cx.dialect == Dialect::S3 && b.location == "us-east-1" {
        String::new()
    } else {
        b.location
    };
    let doc = LocationConstraint {
        xmlns: cx.dialect.xmlns(),
        location,
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("LocationConstraint", &doc)))
}

/// ListLiveChannel: live channels are not supported, so the list is always empty.
pub async fn list_live_channel(cx: &Ctx) -> ApiResult<Response<Body>> {
    cx.load_bucket()?;
    let doc = ListLiveChannelResult {
        prefix: cx.query.get("prefix").unwrap_or("").to_string(),
        marker: cx.query.get("marker").unwrap_or("").to_string(),
        max_keys: max_param(cx, "max-keys", 100, 1000)?,
        is_truncated: false,
        next_marker: String::new(),
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("ListLiveChannelResult", &doc)))
}
