//! DeleteMultipleObjects (`POST /?delete`).

use base64::Engine;
use http::{Response, StatusCode};
use md5::{Digest, Md5};
use ossemu_xml::object::{Delete, DeleteError, DeleteResult, Deleted};

use super::{encoding_type, maybe_encode, no_body, parse_content_md5, xml_ok};
use crate::body::{Body, ReqStream, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// At most this many keys per request.
const MAX_KEYS: usize = 1000;
/// Largest accepted request body.
const MAX_BODY: usize = 2 << 20;

/// Reads a Delete request body: a Content-MD5 (or S3 checksum) is required and must match;
/// 1 to 1000 objects.
async fn read_request(cx: &Ctx, body: ReqStream) -> ApiResult<Delete> {
    let want_md5 = parse_content_md5(cx)?;
    let has_checksum = cx
        .headers
        .keys()
        .any(|k| k.as_str().starts_with("x-amz-checksum-"));
    if want_md5.is_none() && !has_checksum {
        return Err(ApiError::msg(
            match cx.dialect {
                Dialect::Oss => Code::InvalidDigest,
                Dialect::S3 => Code::InvalidRequest,
            },
            "Missing required header for this request: Content-MD5",
        ));
    }
    let raw = read_small(body, MAX_BODY, &cx.state.buffers).await?;
    if let Some(m) = want_md5
        && <[u8; 16]>::from(Md5::digest(&raw)) != m
    {
        return Err(super::digest_mismatch(cx.dialect));
    }
    if let Some(v) = cx.header("x-amz-checksum-crc32") {
        let got = base64::engine::general_purpose::STANDARD
            .encode(crc_fast::crc32_iso_hdlc(&raw).to_be_bytes());
        if got != v.trim() {
            return Err(ApiError::new(Code::BadDigest));
        }
    }
    let req: Delete = ossemu_xml::from_xml(&raw, "Delete", raw.len())?;
    if req.objects.is_empty() || req.objects.len() > MAX_KEYS {
        return Err(ApiError::msg(
            Code::MalformedXML,
            format!(
                "A Delete request lists 1 to {MAX_KEYS} objects; this one lists {}.",
                req.objects.len()
            ),
        ));
    }
    Ok(req)
}

/// The per-key error for a key or version id that cannot name an object.
fn refused_entry(key: &str, version_id: Option<&str>, encode: bool) -> Option<DeleteError> {
    let bad_version = version_id.is_some_and(|v| !ossemu_store::is_version_id(v));
    let bad_key = key.is_empty() || key.len() > 1023 || key.contains('\0');
    let (code, message) = if bad_version {
        ("NoSuchVersion", "The specified version does not exist.")
    } else if bad_key {
        (
            "InvalidArgument",
            "The object key must be 1 to 1023 bytes long, without NUL.",
        )
    } else {
        return None;
    };
    Some(DeleteError {
        key: maybe_encode(key, encode),
        version_id: version_id.map(str::to_string),
        code: code.into(),
        message: message.into(),
    })
}

/// OSS refuses the whole request when a version id is malformed (S3 reports the key).
fn check_versions(cx: &Ctx, req: &Delete) -> ApiResult<()> {
    if cx.dialect != Dialect::Oss {
        return Ok(());
    }
    match req
        .objects
        .iter()
        .filter_map(|o| o.version_id.as_deref())
        .find(|v| !ossemu_store::is_version_id(v))
    {
        Some(v) => Err(
            ApiError::msg(Code::InvalidArgument, "Invalid version id specified")
                .field("ArgumentName", "VersionId")
                .field("ArgumentValue", v),
        ),
        None => Ok(()),
    }
}

/// The `<Deleted>` entry for what a delete did: the version named, and the delete marker
/// added or removed.
fn deleted_entry(key: String, requested: Option<String>, done: &ossemu_store::Deleted) -> Deleted {
    let marker_id = done
        .delete_marker
        .then(|| done.version_id.clone())
        .flatten();
    Deleted {
        key,
        version_id: requested,
        delete_marker: done.delete_marker.then_some(true),
        delete_marker_version_id: marker_id,
    }
}

/// Whether the requester may delete `key`: DeleteObjects is authorized key by key, as S3
/// does (a policy may allow `s3:DeleteObject` on some keys only).
fn may_delete(cx: &Ctx, bucket: &ossemu_store::BucketRecord, key: &str) -> ApiResult<()> {
    crate::authz::decide(
        cx,
        crate::authz::Ask {
            who: &cx.identity,
            op: crate::router::Op::DeleteObject,
            bucket,
            key: Some(key),
            obj: None,
            acl: crate::access::may_write(&cx.identity, bucket),
        },
    )
}

/// The `<Error>` entry for a key that was not deleted.
fn key_error(key: &str, version_id: Option<String>, encode: bool, e: ApiError) -> DeleteError {
    let message = e.message.as_deref().unwrap_or(e.code.default_message());
    DeleteError {
        key: maybe_encode(key, encode),
        version_id,
        code: e.code.as_str().into(),
        message: message.into(),
    }
}

/// Deletes up to 1000 keys or versions; reports each (only failures when Quiet, and in OSS
/// nothing at all when Quiet and none failed).
pub async fn delete_objects(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let encode = encoding_type(cx)?;
    let req = read_request(cx, body).await?;
    check_versions(cx, &req)?;
    let owner = cx.identity.owner().unwrap_or(&bucket.owner).to_string();
    let check = super::object::deletable(cx, &bucket)?;
    let mut result = DeleteResult {
        xmlns: cx.dialect.xmlns(),
        encoding_type: (encode && cx.dialect == Dialect::Oss).then(|| "url".into()),
        ..DeleteResult::default()
    };
    for o in req.objects {
        if let Some(e) = refused_entry(&o.key, o.version_id.as_deref(), encode) {
            result.errors.push(e);
            continue;
        }
        if let Err(e) = may_delete(cx, &bucket, &o.key) {
            result
                .errors
                .push(key_error(&o.key, o.version_id.clone(), encode, e));
            continue;
        }
        let done = cx
            .store()
            .delete_checked(
                &bucket.name,
                &o.key,
                o.version_id.as_deref(),
                &owner,
                &check,
            )
            .await;
        match done {
            Ok(done) => {
                let version = o.version_id.as_deref();
                crate::notify::object_removed(cx, &bucket, &o.key, version, &done).await;
                if !req.quiet {
                    let key = maybe_encode(&o.key, encode);
                    result.deleted.push(deleted_entry(key, o.version_id, &done));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, key = %o.key, "batch delete failed for a key");
                let e = ApiError::from(e);
                result
                    .errors
                    .push(key_error(&o.key, o.version_id, encode, e));
            }
        }
    }
    // OSS answers a quiet request whose keys all went with no body at all (its reference:
    // in quiet mode, when every deletion succeeds, there is no message body); oss2,
    // alibabacloud-oss-v2 and the Go SDK read an empty body as an empty result. S3 sends an
    // empty DeleteResult, as boto3 expects.
    if req.quiet && result.errors.is_empty() && cx.dialect == Dialect::Oss {
        return Ok(no_body(StatusCode::OK));
    }
    Ok(xml_ok(ossemu_xml::to_xml_as("DeleteResult", &result)))
}
