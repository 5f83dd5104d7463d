//! One module per operation family. Handlers take the request context (and body) and return a
//! response or an [`ApiError`]; shared helpers live here.

pub mod access_monitor;
pub mod acl;
pub mod append;
pub mod bucket;
pub mod cname;
pub mod copy;
pub mod cors;
pub mod delete;
pub mod encryption;
pub mod internal;
pub mod lifecycle;
pub mod list;
pub mod logging;
pub mod mirror;
pub mod multipart;
pub mod notification;
pub mod object;
pub mod ownership;
pub mod policy;
pub mod post_object;
pub mod public_access;
pub mod referer;
pub mod regions;
pub mod retention;
pub mod service;
pub mod stat;
pub mod storage;
pub mod symlink;
pub mod tagging;
pub mod versioning;
pub mod website;
pub mod worm;

use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode};
use ossemu_store::{ObjectKind, ObjectRecord};
use ossemu_xml::bucket::Owner;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::attrs;
pub use crate::attrs::{MAX_USER_META, ObjectAttrs};
use crate::body::{Body, empty, full};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// A bucket configuration document of kind `kind`, stored as JSON, if the bucket has one.
pub fn load_config<T: serde::de::DeserializeOwned>(
    meta: &ossemu_store::Meta,
    bucket: &str,
    kind: &str,
) -> ApiResult<Option<T>> {
    match meta.get_config(bucket, kind)? {
        None => Ok(None),
        Some(raw) => serde_json::from_slice(&raw)
            .map(Some)
            .map_err(ApiError::internal),
    }
}

/// A JSON answer of ossemu's own endpoints (console, explain), never cached.
pub fn json<T: serde::Serialize>(status: StatusCode, v: &T) -> Response<Body> {
    let mut text = serde_json::to_string_pretty(v).unwrap_or_default();
    text.push('\n');
    let mut r = Response::new(full(text));
    *r.status_mut() = status;
    set(r.headers_mut(), "content-type", "application/json");
    set(r.headers_mut(), "cache-control", "no-store");
    r
}

/// The `{"error": ...}` document those endpoints answer a failure with.
pub fn json_error(message: &str) -> serde_json::Value {
    serde_json::json!({ "error": message })
}

/// Stores (`Some`) or removes (`None`) a bucket configuration document of kind `kind`.
pub async fn save_config<T: serde::Serialize>(
    cx: &Ctx,
    bucket: &str,
    kind: &str,
    doc: Option<&T>,
) -> ApiResult<()> {
    let doc = doc.map(serde_json::to_vec).transpose();
    let doc = doc.map_err(ApiError::internal)?;
    cx.store().put_config(bucket, kind, doc.as_deref()).await?;
    Ok(())
}

/// A 200 response carrying an XML document.
pub fn xml_ok(xml: String) -> Response<Body> {
    let mut r = Response::new(full(xml));
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    r
}

/// A bodiless response with `Content-Length: 0`.
pub fn no_body(status: StatusCode) -> Response<Body> {
    let mut r = Response::new(empty());
    *r.status_mut() = status;
    if status != StatusCode::NO_CONTENT && status != StatusCode::NOT_MODIFIED {
        r.headers_mut()
            .insert(http::header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    }
    r
}

/// Sets a header from text, skipping values that are not valid header bytes.
pub fn set(h: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_bytes(value.as_bytes()),
    ) {
        h.insert(n, v);
    }
}

/// ISO 8601 at whole seconds, written with milliseconds as OSS and S3 do
/// (`2023-11-14T22:13:20.000Z`), so it agrees with the HTTP `Last-Modified`.
pub fn iso8601(ms: i64) -> String {
    iso8601_ms(ms - ms.rem_euclid(1000))
}

/// ISO 8601 to the millisecond.
pub fn iso8601_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A day in milliseconds (retention periods, restores).
pub const DAY_MS: i64 = 86_400_000;

/// HTTP date at whole seconds.
pub fn http_date(ms: i64) -> String {
    let secs = ms.max(0) as u64 / 1000;
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

/// The `<Owner>` element for an owner id.
pub fn owner(cx: &Ctx, id: &str) -> Owner {
    Owner {
        id: id.to_string(),
        display_name: cx.state.config.display_name(id).to_string(),
    }
}

/// Characters left as-is by `encoding-type=url`: unreserved ones and `/`.
const URL_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Applies `encoding-type=url` to a name when requested.
pub fn maybe_encode(s: &str, encode: bool) -> String {
    if encode {
        utf8_percent_encode(s, URL_ENCODE).to_string()
    } else {
        s.to_string()
    }
}

/// The URL of an object as CompleteMultipartUpload and PostObject report it:
/// `http://<endpoint>/<bucket>/<key>` with the key percent-encoded (as `encoding-type=url`
/// encodes it), so that any key, control characters included, makes a valid URL.
pub fn object_url(cx: &Ctx, bucket: &str, key: &str) -> String {
    format!(
        "http://{}/{bucket}/{}",
        cx.endpoint_host(),
        maybe_encode(key, true)
    )
}

/// Reads `encoding-type`: only `url` is valid.
pub fn encoding_type(cx: &Ctx) -> ApiResult<bool> {
    match cx.query.get("encoding-type") {
        None | Some("") => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("url") => Ok(true),
        Some(_) => Err(ApiError::new(Code::InvalidEncodingType)),
    }
}

/// Largest page a listing returns.
pub const MAX_PAGE: usize = 1000;

/// Reads a page size (`max-keys`, `max-uploads`) in the request's dialect. OSS takes 1 to
/// 1000 and refuses anything else with InvalidArgument (worded as OSS words it for
/// ListBuckets, "Argument max-keys must be an integer between 1 and 1000."), `ec` being the
/// operation's documented EC where there is one; S3 takes any non-negative number and caps
/// it at 1000 (see [`max_param`]).
pub fn page_size(
    cx: &Ctx,
    name: &'static str,
    default: usize,
    ec: Option<&'static str>,
) -> ApiResult<usize> {
    if cx.dialect == Dialect::S3 {
        return max_param(cx, name, default, MAX_PAGE);
    }
    let Some(raw) = cx.query.get(name).filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    match raw.parse::<usize>() {
        Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        _ => {
            let err = ApiError::msg(
                Code::InvalidArgument,
                format!("Argument {name} must be an integer between 1 and {MAX_PAGE}."),
            )
            .field("ArgumentName", name)
            .field("ArgumentValue", raw);
            Err(match ec {
                Some(ec) => err.field("EC", ec),
                None => err,
            })
        }
    }
}

/// Parses a `max-keys`-style parameter (0..=limit, default `default`).
pub fn max_param(cx: &Ctx, name: &str, default: usize, limit: usize) -> ApiResult<usize> {
    match cx.query.get(name) {
        None | Some("") => Ok(default),
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if n >= 0 => Ok((n as usize).min(limit)),
            _ => Err(ApiError::msg(
                Code::InvalidArgument,
                format!("{name} must be a non-negative integer."),
            )
            .field("ArgumentName", name)
            .field("ArgumentValue", v)),
        },
    }
}

/// Canned ACLs accepted for buckets.
pub const BUCKET_ACLS: &[&str] = &[
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
];

/// S3 canned ACLs for buckets only.
pub const BUCKET_ONLY_ACLS: &[&str] = &["log-delivery-write"];

/// Canned ACLs accepted for objects besides the bucket ones (`default` inherits, OSS).
pub const OBJECT_ONLY_ACLS: &[&str] =
    &["default", "bucket-owner-read", "bucket-owner-full-control"];

/// The canned ACLs OSS has: its references list only these three for buckets, and these and
/// `default` for objects.
pub const OSS_ACLS: &[&str] = &["private", "public-read", "public-read-write"];

/// Whether a bucket (or, with `object`, an object) takes the canned ACL `acl` in dialect `d`:
/// in OSS one of [`OSS_ACLS`] (or `default` for an object), in S3 one of [`BUCKET_ACLS`] (or
/// of [`OBJECT_ONLY_ACLS`] for an object, [`BUCKET_ONLY_ACLS`] for a bucket).
pub fn canned_acl_ok(d: Dialect, object: bool, acl: &str) -> bool {
    match d {
        Dialect::Oss => OSS_ACLS.contains(&acl) || (object && acl == "default"),
        Dialect::S3 => {
            BUCKET_ACLS.contains(&acl)
                || (object && OBJECT_ONLY_ACLS.contains(&acl))
                || (!object && BUCKET_ONLY_ACLS.contains(&acl))
        }
    }
}

/// The refusal of the canned ACL `acl` sent in `header`. OSS's words are "no such bucket
/// access control exists" and "no such object access control exists" (OSS's answers as its
/// SDKs' tests record them), with PutBucket's and PutBucketAcl's EC 0015-00000204 for a
/// bucket.
pub fn acl_refused(d: Dialect, object: bool, header: &str, acl: &str) -> ApiError {
    let what = if object { "object" } else { "bucket" };
    let message = match d {
        Dialect::Oss => format!("no such {what} access control exists"),
        Dialect::S3 => {
            let mut valid = BUCKET_ACLS.to_vec();
            if object {
                valid.extend(OBJECT_ONLY_ACLS);
            } else {
                valid.extend(BUCKET_ONLY_ACLS);
            }
            format!("The {what} ACL {acl:?} is not one of {}.", valid.join(", "))
        }
    };
    let err = ApiError::msg(Code::InvalidArgument, message)
        .field("ArgumentName", header)
        .field("ArgumentValue", acl);
    if d == Dialect::Oss && !object {
        err.field("EC", "0015-00000204")
    } else {
        err
    }
}

/// The bytes of a stored header value, which holds one char per byte as sent (Latin-1); text
/// with characters beyond U+00FF (set by other means) is sent as UTF-8.
pub fn header_bytes(s: &str) -> Vec<u8> {
    if s.chars().all(|c| (c as u32) <= 0xFF) {
        s.chars().map(|c| c as u8).collect()
    } else {
        s.as_bytes().to_vec()
    }
}

/// Sets a stored header value (see [`header_bytes`]).
pub fn set_stored(h: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_bytes(&header_bytes(value)),
    ) {
        h.insert(n, v);
    }
}

/// Reads the object attributes a write request sets through its headers (see [`attrs`]). In
/// S3, `x-amz-grant-*` headers set the ACL (see [`acl::grants`]). The ACL asked for is checked
/// against the bucket's Object Ownership and public access block ([`ownership::check_acl`]).
pub fn attrs_from_request(cx: &Ctx) -> ApiResult<ObjectAttrs> {
    let mut attrs = attrs::parse(&attrs::Source::Headers {
        headers: &cx.headers,
        dialect: cx.dialect,
    })?;
    let bucket = cx.load_bucket()?;
    let writer = cx.identity.owner().unwrap_or(&bucket.owner);
    let canned_header = match cx.dialect {
        Dialect::Oss => "x-oss-object-acl",
        Dialect::S3 => "x-amz-acl",
    };
    let mut given = cx.header(canned_header).is_some();
    if let Some(req) = acl::grants::header_acl(cx, writer, &bucket.owner, true)? {
        attrs.acl = Some(req.canned);
        attrs.grants = req.grants;
        given = true;
    }
    // An S3 object written without an ACL is private: only an ACL the request names is
    // checked.
    if let Some(req) = ownership::requested_of(&attrs).filter(|_| given) {
        ownership::check_acl(&bucket, &req, writer, ownership::AclTarget::NewObject)?;
    }
    if attrs.sse.is_none() {
        attrs.sse = encryption::object_default(cx, &bucket.name)?;
    }
    Ok(attrs)
}

/// The owner of an object the requester writes into the request's bucket with `attrs` (see
/// [`ownership::new_object_owner`]).
pub fn new_object_owner(cx: &Ctx, attrs: &ObjectAttrs) -> ApiResult<String> {
    let bucket = cx.load_bucket()?;
    let writer = cx.identity.owner().unwrap_or(&bucket.owner);
    Ok(ownership::new_object_owner(&bucket, writer, attrs))
}

/// The storage class objects report: in OSS their bucket's (a bucket created with
/// `<StorageClass>IA</StorageClass>` stores IA objects), in S3 `STANDARD`.
pub fn storage_class(cx: &Ctx) -> String {
    match cx.dialect {
        Dialect::Oss => cx
            .load_bucket()
            .map(|b| b.storage_class)
            .unwrap_or_else(|_| "Standard".into()),
        Dialect::S3 => "STANDARD".into(),
    }
}

/// Headers describing a stored object on GET/HEAD/GetObjectMeta.
pub fn object_headers(cx: &Ctx, rec: &ObjectRecord, h: &mut HeaderMap) {
    let d = cx.dialect;
    set(h, "etag", &d.etag(&rec.etag));
    set(h, "last-modified", &http_date(rec.modified_ms));
    set(h, "content-type", &rec.attrs.content_type);
    set(h, "accept-ranges", "bytes");
    for (k, v) in &rec.attrs.headers {
        set_stored(h, k, v);
    }
    for (k, v) in &rec.attrs.user_meta {
        let name = format!("{}{k}", d.meta_prefix());
        match (d, rfc2047(v)) {
            // S3 returns non-ASCII metadata RFC 2047-encoded; OSS returns the bytes as sent.
            (Dialect::S3, Some(encoded)) => set(h, &name, &encoded),
            _ => set_stored(h, &name, v),
        }
    }
    set(h, "x-oss-hash-crc64ecma", &rec.crc64.to_string());
    crate::sse::set_headers(d, rec.attrs.sse.as_ref(), h);
    if d == Dialect::S3 {
        retention::set_headers(h, rec);
        lifecycle::set_expiration(cx, h, rec);
    }
    storage::set_headers(cx, h, rec);
    access_monitor::set_headers(cx, h, rec);
    if let Some(tag) = &rec.tag {
        set(h, "x-oss-tag", tag);
    }
    match d {
        Dialect::Oss => {
            set(h, "x-oss-object-type", rec.kind.as_str());
            let class = match &rec.attrs.storage_class {
                Some(c) => storage::reported(d, c),
                None => storage_class(cx),
            };
            set(h, "x-oss-storage-class", &class);
            if rec.kind == ObjectKind::Appendable {
                set(h, "x-oss-next-append-position", &rec.size.to_string());
            }
            if !rec.attrs.tagging.is_empty() {
                set(
                    h,
                    "x-oss-tagging-count",
                    &rec.attrs.tagging.len().to_string(),
                );
            }
        }
        Dialect::S3 => {
            // S3 names the class of every object but a STANDARD one.
            if let Some(c) = &rec.attrs.storage_class
                && storage::reported(d, c) != "STANDARD"
            {
                set(h, "x-amz-storage-class", &storage::reported(d, c));
            }
            if !rec.attrs.tagging.is_empty() {
                set(
                    h,
                    "x-amz-tagging-count",
                    &rec.attrs.tagging.len().to_string(),
                );
            }
            if rec.kind == ObjectKind::Multipart
                && let Some((_, n)) = rec.etag.rsplit_once('-')
            {
                set(h, "x-amz-mp-parts-count", n);
            }
        }
    }
}

/// A stored header value whose bytes are non-ASCII UTF-8, as an RFC 2047 encoded word.
fn rfc2047(stored: &str) -> Option<String> {
    use base64::Engine;
    let bytes = header_bytes(stored);
    if bytes.is_ascii() {
        return None;
    }
    let text = std::str::from_utf8(&bytes).ok()?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
    Some(format!("=?UTF-8?B?{b64}?="))
}

/// The base64 MD5 of a plain object, or of the whole body of one a sequential multipart
/// upload made, for `Content-MD5`.
pub fn content_md5(rec: &ObjectRecord) -> Option<String> {
    use base64::Engine;
    let whole = rec.whole_md5.as_deref().and_then(|h| hex::decode(h).ok());
    let md5 = match whole {
        Some(m) => Some(m),
        None => (rec.kind == ObjectKind::Normal)
            .then(|| rec.md5())
            .flatten()
            .map(|m| m.to_vec()),
    };
    md5.map(|m| base64::engine::general_purpose::STANDARD.encode(m))
}

/// Parses a `Content-MD5` header: base64 of 16 bytes, else InvalidDigest.
pub fn parse_content_md5(cx: &Ctx) -> ApiResult<Option<[u8; 16]>> {
    use base64::Engine;
    let Some(v) = cx.header("content-md5") else {
        return Ok(None);
    };
    base64::engine::general_purpose::STANDARD
        .decode(v.trim())
        .ok()
        .and_then(|b| <[u8; 16]>::try_from(b).ok())
        .map(Some)
        .ok_or_else(|| ApiError::new(Code::InvalidDigest))
}

/// The error for a body whose MD5 differs from `Content-MD5`.
pub fn digest_mismatch(d: Dialect) -> ApiError {
    match d {
        Dialect::Oss => ApiError::msg(
            Code::InvalidDigest,
            "The Content-MD5 you specified did not match what we received.",
        ),
        Dialect::S3 => ApiError::new(Code::BadDigest),
    }
}

/// The 412 for a failed condition, worded as each provider words it: OSS appends the header
/// to the message (`... did not hold. (condition: If-Unmodified-Since)`, as the ali-oss SDK's
/// tests read it), S3 names it in a `<Condition>` element.
pub fn precondition_failed(d: Dialect, condition: &str) -> ApiError {
    match d {
        Dialect::Oss => ApiError::msg(
            Code::PreconditionFailed,
            format!(
                "At least one of the pre-conditions you specified did not hold. (condition: {condition})"
            ),
        ),
        Dialect::S3 => ApiError::msg(
            Code::PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold",
        )
        .field("Condition", condition),
    }
}

/// The name of a copy-source condition header in dialect `d`
/// (`x-oss-copy-source-if-match`, ...).
pub fn copy_source_condition(d: Dialect, c: crate::range::Condition) -> String {
    d.header(&format!("copy-source-{}", c.name().to_ascii_lowercase()))
}
