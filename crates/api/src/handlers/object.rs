//! PutObject, GetObject/HeadObject, GetObjectMeta, DeleteObject. A read that would fail is
//! handed to the bucket's website configuration: [`super::website`] decides, and
//! [`fallback`] carries the decision out.

mod fallback;

pub use fallback::serve_root_index;

use futures_util::StreamExt;
use http::{HeaderValue, Response, StatusCode};
use ossemu_store::{BucketRecord, NewBlob, ObjectRecord, OpenObject, Version};

use super::{
    attrs_from_request, content_md5, digest_mismatch, no_body, object_headers, parse_content_md5,
    precondition_failed, set,
};
use super::{versioning, website};
use crate::authz;
use crate::body::{Body, ReqStream};
use crate::callback::Callback;
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::range::{Precondition, RangeSpec, etag_matches, evaluate, parse_range};
use crate::request::Ctx;

/// Largest object a single PUT may create (5 GiB, as in OSS and S3).
pub const MAX_PUT_SIZE: u64 = 5 << 30;

/// How long a body may pause before what it sent so far is written out of memory.
const STALL: std::time::Duration = std::time::Duration::from_millis(100);

/// The rest of a body refused for lack of space is read and dropped, so that the client
/// reads the 507 instead of finding the connection closed while it sends, when it is at most
/// this long (and the client did not ask to wait with `Expect: 100-continue`).
const DRAIN_LIMIT: u64 = 16 << 20;

/// Streams a request body into a new blob. `limit` bounds its size. A body whose declared
/// length the disk has no room for is refused before it is read (so no `100 Continue`).
///
/// The writer batches chunks in memory; those bytes count against the server's buffer budget.
/// They are written out when the client pauses (a stalled upload holds no memory) and at once
/// whenever the requests together hold more than the budget.
pub async fn receive(cx: &Ctx, mut body: ReqStream, limit: u64) -> ApiResult<NewBlob> {
    let declared = declared_length(cx)?;
    if let Some(n) = declared
        && let Err(e) = cx.store().room_for(n)
    {
        return Err(refuse_unread(cx, body, declared, 0, e.into()).await);
    }
    let mut w = cx.store().writer();
    let mut held = cx.state.buffers.claim();
    loop {
        let next = match tokio::time::timeout(STALL, body.next()).await {
            Ok(next) => next,
            Err(_) => {
                if let Err(e) = w.flush().await {
                    return Err(refuse_unread(cx, body, declared, w.len(), e.into()).await);
                }
                held.set(0);
                body.next().await
            }
        };
        let Some(chunk) = next else { break };
        let chunk = chunk?;
        if w.len() + chunk.len() as u64 > limit {
            return Err(
                ApiError::new(Code::EntityTooLarge).field("MaxSizeAllowed", limit.to_string())
            );
        }
        let read = w.len() + chunk.len() as u64;
        if let Err(e) = w.write(chunk).await {
            return Err(refuse_unread(cx, body, declared, read, e.into()).await);
        }
        held.set((w.len() - w.flushed()) as usize);
        if cx.state.buffers.over() {
            if let Err(e) = w.flush().await {
                return Err(refuse_unread(cx, body, declared, read, e.into()).await);
            }
            held.set(0);
        }
    }
    Ok(w.finish().await?)
}

/// Returns `e`, after reading and dropping the rest of the body first when `e` is a refusal
/// for lack of space and the rest is short (see [`DRAIN_LIMIT`]); `read` bytes were read.
async fn refuse_unread(
    cx: &Ctx,
    mut body: ReqStream,
    declared: Option<u64>,
    read: u64,
    e: ApiError,
) -> ApiError {
    let waits = cx
        .header("expect")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("100-continue"));
    let rest = declared.map_or(DRAIN_LIMIT, |n| n.saturating_sub(read));
    if e.code != Code::InsufficientStorage || (waits && read == 0) || rest > DRAIN_LIMIT {
        return e;
    }
    let mut drained = 0u64;
    while let Some(Ok(chunk)) = body.next().await {
        drained += chunk.len() as u64;
        if drained > DRAIN_LIMIT {
            break;
        }
    }
    e
}

/// The body length the request declares: `x-amz-decoded-content-length` (aws-chunked), else
/// `Content-Length`.
fn declared_length(cx: &Ctx) -> ApiResult<Option<u64>> {
    match cx.header("x-amz-decoded-content-length") {
        Some(v) => Ok(v.trim().parse().ok()),
        None => cx.content_length(),
    }
}

/// Refuses a declared length over `limit` before any byte is read (so no `100 Continue`).
/// S3 requires a length (Content-Length, or x-amz-decoded-content-length for aws-chunked);
/// OSS accepts chunked uploads.
pub fn check_declared_length(cx: &Ctx, limit: u64) -> ApiResult<()> {
    let declared = declared_length(cx)?;
    if declared.is_none() && cx.dialect == Dialect::S3 {
        return Err(ApiError::new(Code::MissingContentLength));
    }
    if let Some(n) = declared
        && n > limit
    {
        return Err(ApiError::new(Code::EntityTooLarge)
            .field("ProposedSize", n.to_string())
            .field("MaxSizeAllowed", limit.to_string()));
    }
    Ok(())
}

/// Whether the request asks not to replace an existing object. OSS's
/// `x-oss-forbid-overwrite` has no effect in a versioned bucket (the old object stays as a
/// version); `If-None-Match: *` always applies.
pub fn forbids_overwrite(cx: &Ctx, bucket: &BucketRecord) -> bool {
    (bucket.versioning.is_off()
        && cx
            .header("x-oss-forbid-overwrite")
            .is_some_and(|v| v.eq_ignore_ascii_case("true")))
        || cx.header("if-none-match").is_some_and(|v| v.trim() == "*")
}

/// What a write requires of the object it replaces: `x-oss-forbid-overwrite` / `If-None-Match:
/// *` (no object), `If-None-Match: <etag>` (not that object), `If-Match` (an object, and with an
/// ETag that one). Checked before the body is read and again atomically at the commit.
pub struct WriteCondition {
    dialect: Dialect,
    worm: super::worm::OverwriteGuard,
    forbid: bool,
    none_match: Option<String>,
    if_match: Option<String>,
}

impl WriteCondition {
    /// The conditions the request carries.
    pub fn from_request(cx: &Ctx, bucket: &BucketRecord) -> ApiResult<Self> {
        Ok(Self {
            dialect: cx.dialect,
            worm: super::worm::OverwriteGuard::of(cx, bucket)?,
            forbid: forbids_overwrite(cx, bucket),
            none_match: cx
                .header("if-none-match")
                .filter(|v| v.trim() != "*")
                .map(str::to_string),
            if_match: cx.header("if-match").map(str::to_string),
        })
    }

    /// Accepts or refuses the write given the current object, with the client's error.
    pub fn check(&self, cur: Option<&ObjectRecord>) -> ApiResult<()> {
        self.worm.check(cur)?;
        if self.forbid && cur.is_some() {
            return Err(overwrite_refused(self.dialect));
        }
        if let (Some(list), Some(cur)) = (&self.none_match, cur)
            && etag_matches(list, &cur.etag)
        {
            return Err(precondition_failed(self.dialect, "If-None-Match"));
        }
        match (&self.if_match, cur) {
            (Some(_), None) => Err(ApiError::new(Code::NoSuchKey)),
            (Some(list), Some(cur)) if !etag_matches(list, &cur.etag) => {
                Err(precondition_failed(self.dialect, "If-Match"))
            }
            _ => Ok(()),
        }
    }
}

/// The error when an overwrite was forbidden.
pub fn overwrite_refused(d: Dialect) -> ApiError {
    match d {
        Dialect::Oss => ApiError::new(Code::FileAlreadyExists),
        Dialect::S3 => precondition_failed(d, "If-None-Match"),
    }
}

/// PutObject: stream the body to disk, verify Content-MD5, commit.
pub async fn put_object(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let key = cx.key()?;
    check_declared_length(cx, MAX_PUT_SIZE)?;
    let attrs = attrs_from_request(cx)?;
    let want_md5 = parse_content_md5(cx)?;
    let callback = Callback::for_dialect(cx)?;
    let condition = WriteCondition::from_request(cx, &bucket)?;
    let current = cx.store().meta().get_object(&bucket.name, key)?;
    condition.check(current.as_ref())?;
    let blob = receive(cx, body, MAX_PUT_SIZE).await?;
    if want_md5.is_some_and(|m| m != blob.md5) {
        return Err(digest_mismatch(cx.dialect));
    }
    let owner = super::new_object_owner(cx, &attrs)?;
    let (retention, legal_hold) = super::retention::for_write(cx, &bucket)?;
    let template = ObjectRecord {
        checksum: cx.take_checksum(),
        retention,
        legal_hold,
        ..ObjectRecord::new(attrs, &owner, ossemu_store::now_ms())
    };
    let check = |cur: Option<&ObjectRecord>| condition.check(cur);
    let rec = cx
        .store()
        .put_object(&bucket.name, key, template, blob, &check)
        .await?;
    crate::notify::object_created(cx, &bucket, key, &rec, crate::notify::Kind::Put).await;
    let answer = write_response(cx, &rec);
    match callback {
        None => Ok(answer),
        Some(cb) => callback_answer(cx, &cb, &bucket.name, key, &rec, answer).await,
    }
}

/// The width, height and format of `key` when its first bytes say it is an image.
async fn image_head(cx: &Ctx, bucket: &str, key: &str) -> Option<(u32, u32, &'static str)> {
    use futures_util::StreamExt;
    let obj = cx.store().open_object(bucket, key).ok()??;
    let len = obj.rec.size.min(crate::callback::IMAGE_HEAD);
    let mut body = obj.body(0, len);
    let mut head = Vec::with_capacity(len as usize);
    while let Some(chunk) = body.next().await {
        head.extend_from_slice(&chunk.ok()?);
    }
    crate::callback::image_info(&head)
}

/// The answer to a write of `rec` that asked for a callback (see [`crate::callback`]).
pub async fn callback_answer(
    cx: &Ctx,
    cb: &Callback,
    bucket: &str,
    key: &str,
    rec: &ObjectRecord,
    stored: Response<Body>,
) -> ApiResult<Response<Body>> {
    let up = crate::callback::Uploaded {
        bucket,
        key,
        etag: &rec.etag.to_ascii_uppercase(),
        size: rec.size,
        mime: &rec.attrs.content_type,
        image: image_head(cx, bucket, key).await,
    };
    crate::callback::answer(cx, cb, &up, stored).await
}

/// The 200 answer to a write: ETag, CRC-64, (OSS) Content-MD5 and the encryption asked for.
pub fn write_response(cx: &Ctx, rec: &ObjectRecord) -> Response<Body> {
    let mut r = no_body(StatusCode::OK);
    let h = r.headers_mut();
    set(h, "etag", &cx.dialect.etag(&rec.etag));
    set(h, "x-oss-hash-crc64ecma", &rec.crc64.to_string());
    if cx.dialect == Dialect::Oss
        && let Some(m) = content_md5(rec)
    {
        set(h, "content-md5", &m);
    }
    if let Some((alg, v)) = &rec.checksum {
        set(h, &format!("x-amz-checksum-{alg}"), v);
    }
    crate::sse::set_headers(cx.dialect, rec.attrs.sse.as_ref(), h);
    versioning::set_written(cx, h, rec);
    r
}

/// GetObject and HeadObject. A requester who may not read the object gets 403; one who may
/// not list the bucket gets 403 for a missing key too (not 404).
pub async fn get_object(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let key = cx.key()?;
    let version = versioning::requested(cx)?;
    if let Some(v) = version {
        return get_version(cx, &bucket, key, v).await;
    }
    if matches!(cx.addressing, crate::host::Addressing::S3Website(_))
        && let Some(site) = website::load(cx, &bucket.name)?
        && let Some(r) = website::before_lookup(&website::WebRequest::of(cx), &site, key)
    {
        return fallback::redirect(r);
    }
    let obj = cx.store().open_object(&bucket.name, key)?;
    let readable = authz::read(cx, &bucket, key, obj.as_ref().map(|o| &o.rec));
    if readable.is_ok()
        && let Some(obj) = obj
    {
        return serve(cx, &bucket, key, obj).await;
    }
    // The read fails; the website configuration (routing rules, index and error documents)
    // may turn it into something else.
    let status = if readable.is_ok() { 404 } else { 403 };
    if let Some(site) = website::load(cx, &bucket.name)?
        && let Some(r) = fallback::after_miss(cx, &bucket, &site, key, status).await?
    {
        return Ok(r);
    }
    Err(match readable {
        Ok(()) => versioning::no_such_key(cx, &bucket, key),
        Err(e) => e,
    })
}

/// GetObject and HeadObject of a named version: a delete marker is 405, a version that does
/// not exist 404 NoSuchVersion. No website rule applies.
async fn get_version(
    cx: &Ctx,
    bucket: &BucketRecord,
    key: &str,
    version: &str,
) -> ApiResult<Response<Body>> {
    let obj = cx.store().open_version(&bucket.name, key, Some(version))?;
    authz::read(cx, bucket, key, obj.as_ref().map(|o| &o.rec))?;
    match obj {
        Some(obj) => serve(cx, bucket, key, obj).await,
        None => Err(versioning::missing_version(cx, &bucket.name, key, version)),
    }
}

/// Serves an object or version of `key` with its version id; a GET counts as an access
/// where the bucket tracks them.
async fn serve(
    cx: &Ctx,
    bucket: &BucketRecord,
    key: &str,
    obj: OpenObject,
) -> ApiResult<Response<Body>> {
    let (obj, key) = if obj.rec.kind == ossemu_store::ObjectKind::Symlink {
        let target = obj.rec.symlink_target.clone().unwrap_or_default();
        (super::symlink::resolve(cx, bucket, &obj.rec)?, target)
    } else {
        (obj, key.to_string())
    };
    if cx.method == http::Method::GET {
        super::storage::check_readable(cx, bucket, &obj.rec)?;
        super::access_monitor::visited(cx, bucket, &key, &obj.rec).await;
    }
    // Taken before the body moves into the answer (only versioned buckets have one).
    let id = versioning::served_id(bucket, &obj.rec).map(str::to_string);
    let mut r = serve_object(cx, obj, false)?;
    if let Some(id) = id {
        set(r.headers_mut(), &cx.dialect.header("version-id"), &id);
    }
    Ok(r)
}

const OVERRIDES: &[(&str, &str)] = &[
    ("response-content-type", "content-type"),
    ("response-content-language", "content-language"),
    ("response-expires", "expires"),
    ("response-cache-control", "cache-control"),
    ("response-content-disposition", "content-disposition"),
    ("response-content-encoding", "content-encoding"),
];

/// The byte range (start, length) of `?partNumber=N` (S3): the N-th part of a multipart
/// object; a single-part object has only part 1, the whole object.
fn part_range(cx: &Ctx, rec: &ObjectRecord) -> ApiResult<Option<(u64, u64)>> {
    let Some(raw) = cx.query.get("partNumber") else {
        return Ok(None);
    };
    let n = match raw.parse::<usize>() {
        Ok(n) if (1..=10_000).contains(&n) => n,
        _ => {
            return Err(ApiError::msg(
                Code::InvalidArgument,
                "Part number must be an integer between 1 and 10000, inclusive",
            )
            .field("ArgumentName", "partNumber")
            .field("ArgumentValue", raw));
        }
    };
    if cx.header("range").is_some() {
        return Err(ApiError::msg(
            Code::InvalidRequest,
            "Cannot specify both Range header and partNumber query parameter",
        ));
    }
    let whole = [rec.size];
    let sizes = if rec.part_sizes.is_empty() {
        &whole[..]
    } else {
        &rec.part_sizes[..]
    };
    if n > sizes.len() {
        return Err(ApiError::new(Code::InvalidPartNumber)
            .field("PartNumberRequested", n.to_string())
            .field("ActualPartCount", sizes.len().to_string()));
    }
    Ok(Some((sizes[..n - 1].iter().sum(), sizes[n - 1])))
}

/// The conditional headers: `Some` answer (304) when the object is not modified, 412 when a
/// condition fails, `None` to go on.
fn preconditions(cx: &Ctx, rec: &ObjectRecord) -> ApiResult<Option<Response<Body>>> {
    let outcome = evaluate(
        cx.header("if-match"),
        cx.header("if-unmodified-since"),
        cx.header("if-none-match"),
        cx.header("if-modified-since"),
        &rec.etag,
        rec.modified_ms.div_euclid(1000),
    );
    match outcome {
        Precondition::Proceed => Ok(None),
        Precondition::NotModified(_) => {
            let mut r = no_body(StatusCode::NOT_MODIFIED);
            set(r.headers_mut(), "etag", &cx.dialect.etag(&rec.etag));
            set(
                r.headers_mut(),
                "last-modified",
                &super::http_date(rec.modified_ms),
            );
            Ok(Some(r))
        }
        Precondition::Failed(c) => Err(precondition_failed(cx.dialect, c.name())),
    }
}

/// The part of the object to send: `Range` (OSS's lenient or S3's strict behaviour) or
/// `?partNumber`.
fn range_spec(cx: &Ctx, rec: &ObjectRecord) -> ApiResult<RangeSpec> {
    let size = rec.size;
    let part = part_range(cx, rec)?;
    let strict = cx.dialect == Dialect::S3
        || cx
            .header("x-oss-range-behavior")
            .is_some_and(|v| v.eq_ignore_ascii_case("standard"));
    Ok(match cx.header("range").map(|h| parse_range(h, size)) {
        None => match part {
            Some((start, len)) if len > 0 => RangeSpec::Partial {
                start,
                end: start + len - 1,
            },
            _ => RangeSpec::Full,
        },
        Some((RangeSpec::Unsatisfiable, _)) if strict => {
            return Err(ApiError::msg(
                Code::InvalidRange,
                "The requested range is not satisfiable",
            )
            .field("RangeRequested", cx.header("range").unwrap_or_default())
            .field("ActualObjectSize", size.to_string())
            .header(http::header::CONTENT_RANGE, &format!("bytes */{size}")));
        }
        Some((RangeSpec::Unsatisfiable, _)) => RangeSpec::Full,
        // OSS's default range behaviour: an end past the object serves the whole object.
        Some((RangeSpec::Partial { .. }, true)) if !strict => RangeSpec::Full,
        Some((spec, _)) => spec,
    })
}

/// Answers a GET or HEAD for an opened object: conditionals, Range, headers, body. `plain`
/// serves the whole object regardless of Range and conditionals (error pages).
pub fn serve_object(cx: &Ctx, obj: OpenObject, plain: bool) -> ApiResult<Response<Body>> {
    let rec = &obj.rec;
    let spec = if plain {
        RangeSpec::Full
    } else {
        if let Some(not_modified) = preconditions(cx, rec)? {
            return Ok(not_modified);
        }
        range_spec(cx, rec)?
    };
    let size = rec.size;
    let mut resp = Response::new(crate::body::empty());
    let h = resp.headers_mut();
    object_headers(cx, rec, h);
    for (param, header) in OVERRIDES {
        if let Some(v) = cx.query.get(param) {
            set(h, header, v);
        }
    }
    let (status, start, len) = match spec {
        RangeSpec::Partial { start, end } => {
            set(h, "content-range", &format!("bytes {start}-{end}/{size}"));
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        _ => {
            whole_object_headers(cx, rec, h);
            (StatusCode::OK, 0, size)
        }
    };
    let gzip = status == StatusCode::OK && compress(cx, rec, h);
    if !gzip {
        h.insert(http::header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    *resp.status_mut() = status;
    if cx.method != http::Method::HEAD && len > 0 {
        let body = obj.body(start, len);
        *resp.body_mut() = if gzip {
            crate::body::stream(crate::gzip::Gzip::new(body))
        } else {
            crate::body::stream(body)
        };
    }
    Ok(resp)
}

/// OSS compresses a whole-object answer the client accepts gzip for, when the object's type
/// and size qualify and nothing else sets its encoding ([`crate::gzip`]): the headers that
/// describe the stored bytes go (`ETag`, `Accept-Ranges`; the caller leaves out
/// `Content-Length`) and the encoding headers come.
fn compress(cx: &Ctx, rec: &ObjectRecord, h: &mut http::HeaderMap) -> bool {
    if cx.dialect != Dialect::Oss
        || h.contains_key(http::header::CONTENT_ENCODING)
        || !crate::gzip::accepted(&cx.headers)
        || !crate::gzip::compressible(&rec.attrs.content_type, rec.size)
    {
        return false;
    }
    h.remove(http::header::ETAG);
    h.remove(http::header::ACCEPT_RANGES);
    set(h, "content-encoding", "gzip");
    set(h, "vary", "Accept-Encoding");
    true
}

/// Headers only a whole-object answer carries: OSS's Content-MD5, S3's checksum on request.
fn whole_object_headers(cx: &Ctx, rec: &ObjectRecord, h: &mut http::HeaderMap) {
    if cx.dialect == Dialect::Oss
        && let Some(m) = content_md5(rec)
    {
        set(h, "content-md5", &m);
    }
    if cx
        .header("x-amz-checksum-mode")
        .is_some_and(|v| v.eq_ignore_ascii_case("enabled"))
        && let Some((alg, v)) = &rec.checksum
    {
        set(h, &format!("x-amz-checksum-{alg}"), v);
    }
}

/// GetObjectMeta (`HEAD ?objectMeta`): ETag, size, Last-Modified (of a version with
/// `versionId`), and the last access time where the bucket tracks it.
pub async fn get_object_meta(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let key = cx.key()?;
    let version = versioning::requested(cx)?;
    let rec = match cx.store().meta().get_version(&bucket.name, key, version)? {
        Some(Version::Object(o)) => Some(*o),
        _ => None,
    };
    authz::read(cx, &bucket, key, rec.as_ref())?;
    let rec = rec.ok_or_else(|| match version {
        Some(v) => versioning::missing_version(cx, &bucket.name, key, v),
        None => versioning::no_such_key(cx, &bucket, key),
    })?;
    let mut r = Response::new(crate::body::empty());
    let h = r.headers_mut();
    set(h, "etag", &cx.dialect.etag(&rec.etag));
    set(h, "last-modified", &super::http_date(rec.modified_ms));
    set(h, "x-oss-hash-crc64ecma", &rec.crc64.to_string());
    versioning::set_served(cx, h, &bucket, &rec);
    super::access_monitor::set_headers(cx, h, &rec);
    h.insert(http::header::CONTENT_LENGTH, HeaderValue::from(rec.size));
    Ok(r)
}

/// DeleteObject: 204 whether or not the object existed. In a versioned bucket a plain delete
/// adds a delete marker and `versionId` removes that version; the answer names either.
pub async fn delete_object(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let key = cx.key()?;
    let version = versioning::requested(cx)?;
    let owner = cx.identity.owner().unwrap_or(&bucket.owner).to_string();
    let check = deletable(cx, &bucket)?;
    let deleted = cx
        .store()
        .delete_checked(&bucket.name, key, version, &owner, &check)
        .await?;
    crate::notify::object_removed(cx, &bucket, key, version, &deleted).await;
    let mut r = no_body(StatusCode::NO_CONTENT);
    let h = r.headers_mut();
    if let Some(v) = deleted.version_id.as_deref().or(version) {
        set(h, &cx.dialect.header("version-id"), v);
    }
    if deleted.delete_marker {
        set(h, &cx.dialect.header("delete-marker"), "true");
    }
    Ok(r)
}

/// What a delete must check of the object version it would remove for good: S3 Object Lock
/// (retention, legal hold) and OSS WORM (the bucket's retention period).
pub fn deletable<'c>(
    cx: &'c Ctx,
    bucket: &BucketRecord,
) -> ApiResult<impl Fn(Option<&ObjectRecord>) -> ApiResult<()> + Sync + 'c> {
    let worm = super::worm::active(cx, &bucket.name)?;
    Ok(move |rec: Option<&ObjectRecord>| match rec {
        None => Ok(()),
        Some(rec) => {
            super::retention::check_delete(cx, rec)?;
            match &worm {
                Some(w) => w.check(cx, rec),
                None => Ok(()),
            }
        }
    })
}
