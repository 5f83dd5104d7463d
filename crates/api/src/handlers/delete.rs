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
    let bad_version = version_id.is_some_and(|v| v != "null");
    let bad_key = key.is_empty() || key.len() > 1023;
    let (code, message) = if bad_version {
        ("NoSuchVersion", "The specified version does not exist.")
    } else if bad_key {
        (
            "InvalidArgument",
            "The object key must be 1 to 1023 bytes long.",
        )
    } else {
        return None;
    };
    Some(DeleteError {
        key: maybe_encode(key, encode),
        code: code.into(),
        message: message.into(),
    })
}

/// Deletes up to 1000 keys; reports each (only failures when Quiet, and in OSS nothing at
/// all when Quiet and none failed).
pub async fn delete_objects(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let encode = encoding_type(cx)?;
    let req = read_request(cx, body).await?;
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
        match cx.store().delete_object(&bucket.name, &o.key).await {
            Ok(_) => {
                if !req.quiet {
                    result.deleted.push(Deleted {
                        key: maybe_encode(&o.key, encode),
                        version_id: o.version_id,
                    });
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, key = %o.key, "batch delete failed for a key");
                result.errors.push(DeleteError {
                    key: maybe_encode(&o.key, encode),
                    code: "InternalError".into(),
                    message: Code::InternalError.default_message().into(),
                });
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
