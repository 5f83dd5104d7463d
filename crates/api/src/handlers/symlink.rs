//! OSS symlinks: PutSymlink and GetSymlink, and reads through a symlink. A symlink is an
//! object without a body that names its target key; GET and HEAD of it serve the target's
//! current version with the symlink's own metadata. It has versions, ACLs and tags like any
//! object.

use http::{Response, StatusCode};
use md5::{Digest, Md5};
use ossemu_store::{BucketRecord, ObjectKind, ObjectRecord, OpenObject};
use percent_encoding::percent_decode_str;

use super::object::WriteCondition;
use super::{attrs_from_request, http_date, maybe_encode, no_body, set, versioning};
use crate::body::Body;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

const TARGET: &str = "x-oss-symlink-target";

/// PutSymlink (`PUT /key?symlink`, target in `x-oss-symlink-target`): a new object (a new
/// version in a versioned bucket) with the request's metadata, ACL and tags.
pub async fn put_symlink(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let key = cx.key()?;
    let raw = cx.header(TARGET).ok_or_else(|| {
        ApiError::msg(Code::InvalidArgument, "x-oss-symlink-target is missing.")
            .field("ArgumentName", TARGET)
    })?;
    let target = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| ApiError::msg(Code::InvalidArgument, "The symlink target is not UTF-8."))?
        .into_owned();
    if target.is_empty() {
        return Err(
            ApiError::msg(Code::InvalidArgument, "The symlink target is empty.")
                .field("ArgumentName", TARGET),
        );
    }
    crate::pipeline::classify::check_key(&target, cx.dialect)?;
    let attrs = attrs_from_request(cx)?;
    let condition = WriteCondition::from_request(cx, &bucket)?;
    let owner = super::new_object_owner(cx, &attrs)?;
    let rec = ObjectRecord {
        kind: ObjectKind::Symlink,
        etag: hex::encode(Md5::digest(target.as_bytes())),
        symlink_target: Some(target),
        ..ObjectRecord::new(attrs, &owner, ossemu_store::now_ms())
    };
    let update = |cur: Option<&ObjectRecord>, _: Option<&ObjectRecord>| {
        condition.check(cur)?;
        Ok(rec.clone())
    };
    let written = cx
        .store()
        .update_object(&bucket.name, key, None, None, &update)
        .await?;
    let mut r = no_body(StatusCode::OK);
    set(r.headers_mut(), "etag", &cx.dialect.etag(&written.new.etag));
    versioning::set_written(cx, r.headers_mut(), &written.new);
    Ok(r)
}

/// GetSymlink (`GET /key?symlink`, `versionId` allowed): the target in
/// `x-oss-symlink-target`, with the symlink's ETag, Last-Modified and metadata.
pub async fn get_symlink(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let key = cx.key()?;
    let (rec, _) = super::acl::target_version(cx, &bucket)?;
    crate::authz::read(cx, &bucket, key, rec.as_ref())?;
    let rec = rec.ok_or_else(|| versioning::no_such_key(cx, &bucket, key))?;
    let Some(target) = &rec.symlink_target else {
        return Err(ApiError::msg(
            Code::NotSymlink,
            "The specified object is not a symlink.",
        ));
    };
    let mut r = no_body(StatusCode::OK);
    let h = r.headers_mut();
    set(h, TARGET, &maybe_encode(target, true));
    set(h, "etag", &cx.dialect.etag(&rec.etag));
    set(h, "last-modified", &http_date(rec.modified_ms));
    for (k, v) in &rec.attrs.user_meta {
        super::set_stored(h, &format!("{}{k}", cx.dialect.meta_prefix()), v);
    }
    versioning::set_served(cx, h, &bucket, &rec);
    Ok(r)
}

/// What a read of `link` serves: its target's current version, body and standard headers,
/// with the symlink's user metadata, ACL-checked like any read.
pub fn resolve(cx: &Ctx, bucket: &BucketRecord, link: &ObjectRecord) -> ApiResult<OpenObject> {
    let target = link.symlink_target.as_deref().unwrap_or_default();
    let obj = cx.store().open_object(&bucket.name, target)?;
    crate::authz::read(cx, bucket, target, obj.as_ref().map(|o| &o.rec))?;
    let mut obj = obj.ok_or_else(|| {
        ApiError::msg(
            Code::SymlinkTargetNotExist,
            "The symbolic link's target object does not exist.",
        )
    })?;
    if obj.rec.kind == ObjectKind::Symlink {
        return Err(ApiError::msg(
            Code::InvalidTargetType,
            "The symbolic link's target is a symbolic link.",
        ));
    }
    obj.rec.attrs.user_meta.clone_from(&link.attrs.user_meta);
    obj.rec.version_id.clone_from(&link.version_id);
    obj.rec.kind = ObjectKind::Symlink;
    Ok(obj)
}
