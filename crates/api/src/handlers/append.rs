//! AppendObject (`POST /key?append&position=N`): each append adds a segment to an Appendable
//! object; the CRC-64 is combined, never recomputed.

use http::{Response, StatusCode};
use md5::{Digest, Md5};
use ossemu_store::{ObjectKind, ObjectRecord, crc64_combine, now_ms};

use super::object::{MAX_PUT_SIZE, check_declared_length, receive};
use super::{ObjectAttrs, attrs_from_request, digest_mismatch, no_body, parse_content_md5, set};
use crate::attrs;
use crate::body::{Body, ReqStream};
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// Largest appendable object (5 GiB, as in OSS).
const MAX_APPENDABLE: u64 = 5 << 30;

/// A refused append, worded as OSS words it on the wire (no final period: the ali-oss SDK's
/// tests compare the message exactly, and the Go SDK's recorded response carries EC
/// 0026-00000016 for PositionNotEqualToLength), with the position to append at next.
fn position_error(code: Code, current: u64) -> ApiError {
    let e = match code {
        Code::PositionNotEqualToLength => {
            ApiError::msg(code, "Position is not equal to file length").field("EC", "0026-00000016")
        }
        Code::ObjectNotAppendable => ApiError::msg(code, "The object is not appendable"),
        _ => ApiError::new(code),
    };
    e.header(
        http::HeaderName::from_static("x-oss-next-append-position"),
        &current.to_string(),
    )
}

/// Appends the body at `position`, which must equal the current length.
pub async fn append_object(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let key = cx.key()?;
    let position: u64 = cx
        .query
        .get("position")
        .and_then(|p| p.trim().parse().ok())
        .ok_or_else(|| {
            ApiError::msg(
                Code::InvalidArgument,
                "position must be a non-negative integer",
            )
            .field("ArgumentName", "position")
        })?;
    check_declared_length(cx, MAX_PUT_SIZE)?;
    let attrs = append_attrs(cx, position)?;
    let want_md5 = parse_content_md5(cx)?;
    // Refuse early, before reading the body, when the position is already wrong.
    if let Some(cur) = cx.store().meta().get_object(&bucket.name, key)? {
        check_position(&cur, position)?;
    } else if position != 0 {
        return Err(position_error(Code::PositionNotEqualToLength, 0));
    }
    let blob = receive(cx, body, MAX_APPENDABLE).await?;
    if want_md5.is_some_and(|m| m != blob.md5) {
        return Err(digest_mismatch(cx.dialect));
    }
    let owner = super::new_object_owner(cx, &attrs)?;
    let (added, add_len, add_crc) = (blob.segments(), blob.len, blob.crc64);
    let now = now_ms();
    let update = |cur: Option<&ObjectRecord>, _: Option<&ObjectRecord>| {
        let mut rec = match cur {
            Some(c) => {
                check_position(c, position)?;
                c.clone()
            }
            None if position == 0 => ObjectRecord {
                kind: ObjectKind::Appendable,
                ..ObjectRecord::new(attrs.clone(), &owner, now)
            },
            None => return Err(position_error(Code::PositionNotEqualToLength, 0)),
        };
        if rec.size + add_len > MAX_APPENDABLE {
            return Err(ApiError::new(Code::EntityTooLarge));
        }
        rec.crc64 = crc64_combine(rec.crc64, add_crc, add_len);
        rec.size += add_len;
        rec.segments.extend_from_slice(&added);
        rec.modified_ms = now;
        // Appendable objects have no MD5 ETag; this one changes with every append.
        rec.etag = hex::encode(Md5::digest(format!("{}:{}", rec.crc64, rec.size)));
        Ok(rec)
    };
    let rec = cx
        .store()
        .update_in_place(&bucket.name, key, Some(blob), &update)
        .await?
        .new;
    crate::notify::object_created(cx, &bucket, key, &rec, crate::notify::Kind::Put).await;
    let mut r = no_body(StatusCode::OK);
    let h = r.headers_mut();
    set(h, "etag", &cx.dialect.etag(&rec.etag));
    set(h, "x-oss-next-append-position", &rec.size.to_string());
    set(h, "x-oss-hash-crc64ecma", &rec.crc64.to_string());
    crate::sse::set_headers(cx.dialect, rec.attrs.sse.as_ref(), h);
    super::versioning::set_written(cx, h, &rec);
    Ok(r)
}

/// The attributes of an append. Only the first append (position 0) sets tags: OSS ignores
/// `x-oss-tagging` on every later one, without checking it (oss2's
/// `test_append_object_with_tagging_wrong_num` appends 15 tags at a position > 0 and expects
/// 200).
fn append_attrs(cx: &Ctx, position: u64) -> ApiResult<ObjectAttrs> {
    if position == 0 {
        return attrs_from_request(cx);
    }
    let mut headers = cx.headers.clone();
    headers.remove("x-oss-tagging");
    headers.remove("x-amz-tagging");
    attrs::parse(&attrs::Source::Headers {
        headers: &headers,
        dialect: cx.dialect,
    })
}

fn check_position(cur: &ObjectRecord, position: u64) -> ApiResult<()> {
    if cur.kind != ObjectKind::Appendable {
        return Err(position_error(Code::ObjectNotAppendable, cur.size));
    }
    if cur.size != position {
        return Err(position_error(Code::PositionNotEqualToLength, cur.size));
    }
    Ok(())
}
