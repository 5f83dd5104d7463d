//! Get/Put/DeleteObjectTagging (`?tagging` on an object), and the tag limits shared with the
//! `x-oss-tagging` / `x-amz-tagging` header of the write requests.

use http::{Response, StatusCode};
use md5::{Digest, Md5};
use ossemu_store::{ObjectRecord, StoreError};
use ossemu_xml::S3_NS;
use ossemu_xml::tagging::Tagging;

use super::{no_body, parse_content_md5, xml_ok};
use crate::access;
use crate::body::{Body, ReqStream, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::handlers::bucket::SMALL_BODY;
use crate::request::Ctx;

/// Tags an object may carry.
const MAX_TAGS: usize = 10;
/// Characters in a tag key.
const MAX_KEY: usize = 128;
/// Characters in a tag value.
const MAX_VALUE: usize = 256;

/// Checks a tag set against the OSS/S3 limits: at most 10 tags, keys of 1 to 128 and values
/// of up to 256 characters, no key twice.
pub fn check_tags(tags: &[(String, String)]) -> ApiResult<()> {
    let invalid = |m: String| Err(ApiError::msg(Code::InvalidTag, m));
    if tags.len() > MAX_TAGS {
        return invalid(format!("Object tags cannot be greater than {MAX_TAGS}"));
    }
    for (i, (k, v)) in tags.iter().enumerate() {
        if k.is_empty() {
            return invalid("The TagKey you have provided is invalid".into());
        }
        if k.chars().count() > MAX_KEY {
            return invalid(format!(
                "The TagKey you have provided is too long, max {MAX_KEY}"
            ));
        }
        if v.chars().count() > MAX_VALUE {
            return invalid(format!(
                "The TagValue you have provided is too long, max {MAX_VALUE}"
            ));
        }
        if tags[..i].iter().any(|(other, _)| other == k) {
            return invalid("Cannot provide multiple Tags with the same key".into());
        }
    }
    Ok(())
}

/// GetObjectTagging: the object's tags, readable by whoever may read the object.
pub async fn get_object_tagging(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let rec = cx.store().meta().get_object(&bucket.name, cx.key()?)?;
    if !access::may_read(&cx.identity, &bucket, rec.as_ref()) {
        return Err(access::denied(&cx.identity));
    }
    let rec = rec.ok_or_else(|| ApiError::new(Code::NoSuchKey))?;
    let xmlns = (cx.dialect == Dialect::S3).then_some(S3_NS);
    Ok(xml_ok(ossemu_xml::to_xml_as(
        "Tagging",
        &Tagging::new(&rec.tagging, xmlns),
    )))
}

/// PutObjectTagging: replaces the object's tags; the body, ETag and Last-Modified stay.
pub async fn put_object_tagging(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let want_md5 = parse_content_md5(cx)?;
    let raw = read_small(body, SMALL_BODY).await?;
    if want_md5.is_some_and(|m| <[u8; 16]>::from(Md5::digest(&raw)) != m) {
        return Err(super::digest_mismatch(cx.dialect));
    }
    let tags = ossemu_xml::from_xml::<Tagging>(&raw, "Tagging", SMALL_BODY)?
        .pairs()
        .ok_or_else(|| ApiError::msg(Code::MalformedXML, "Tagging has no TagSet."))?;
    check_tags(&tags)?;
    set_tags(cx, &bucket.name, tags).await?;
    Ok(no_body(StatusCode::OK))
}

/// DeleteObjectTagging: removes every tag (204).
pub async fn delete_object_tagging(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    set_tags(cx, &bucket.name, Vec::new()).await?;
    Ok(no_body(StatusCode::NO_CONTENT))
}

async fn set_tags(cx: &Ctx, bucket: &str, tags: Vec<(String, String)>) -> ApiResult<()> {
    let update = |cur: Option<&ObjectRecord>, _: Option<&ObjectRecord>| {
        let cur = cur.ok_or(StoreError::NoSuchKey)?;
        Ok(ObjectRecord {
            tagging: tags.clone(),
            ..cur.clone()
        })
    };
    cx.store()
        .update_object(bucket, cx.key()?, None, None, &update)
        .await?;
    Ok(())
}
