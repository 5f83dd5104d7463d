//! Multipart upload: Initiate, UploadPart, UploadPartCopy, Complete, Abort, ListParts,
//! ListMultipartUploads. Completion concatenates the parts' segment lists; no byte is copied.

use futures_util::StreamExt;
use http::{Response, StatusCode};
use md5::{Digest, Md5};
use ossemu_store::{
    BodyHasher, ObjectKind, ObjectRecord, OpenObject, PartRecord, UploadRecord, crc64_combine,
    now_ms, slice_segments,
};
use ossemu_xml::list::CommonPrefix;
use ossemu_xml::multipart::{
    CompleteMultipartUpload, CompleteResult, InitiateResult, ListPartsResult, ListUploadsResult,
    PartEntry, UploadEntry,
};
use ossemu_xml::object::CopyResult;

use super::copy::copy_source;
use super::object::{MAX_PUT_SIZE, WriteCondition, check_declared_length, receive};
use super::{
    attrs_from_request, digest_mismatch, encoding_type, iso8601, max_param, maybe_encode, no_body,
    owner, page_size, parse_content_md5, set, storage_class, xml_ok,
};
use crate::body::{Body, ReqStream, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::range::{Precondition, RangeSpec, evaluate, parse_range};
use crate::request::Ctx;

/// Highest part number.
pub const MAX_PART_NUMBER: u32 = 10_000;

/// Smallest part, except the last, that CompleteMultipartUpload accepts.
fn min_part_size(d: Dialect) -> u64 {
    match d {
        Dialect::Oss => 100 * 1024,
        Dialect::S3 => 5 << 20,
    }
}

fn upload_id(cx: &Ctx) -> ApiResult<&str> {
    cx.query
        .get("uploadId")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| ApiError::new(Code::NoSuchUpload))
}

fn load_upload(cx: &Ctx, bucket: &str, key: &str) -> ApiResult<UploadRecord> {
    let id = upload_id(cx)?;
    cx.store()
        .meta()
        .get_upload(bucket, key, id)?
        .ok_or_else(|| ApiError::new(Code::NoSuchUpload).field("UploadId", id))
}

fn part_number(cx: &Ctx) -> ApiResult<u32> {
    let raw = cx.query.get("partNumber").unwrap_or_default();
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_PART_NUMBER).contains(&n) => Ok(n),
        _ => Err(ApiError::msg(
            Code::InvalidArgument,
            format!("Part number must be an integer between 1 and {MAX_PART_NUMBER}, inclusive"),
        )
        .field("ArgumentName", "partNumber")
        .field("ArgumentValue", raw)),
    }
}

/// InitiateMultipartUpload: records the attributes the completed object will get.
pub async fn initiate(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let key = cx.key()?;
    let encode = encoding_type(cx)?;
    let attrs = attrs_from_request(cx)?;
    let (retention, legal_hold) = super::retention::from_headers(cx, &bucket)?;
    let id = format!("{:032X}", uuid::Uuid::new_v4().as_u128());
    let rec = UploadRecord {
        retention,
        legal_hold,
        upload_id: id.clone(),
        key: key.to_string(),
        initiated_ms: now_ms(),
        owner: super::new_object_owner(cx, &attrs)?,
        attrs,
        checksum_algorithm: cx
            .header("x-amz-checksum-algorithm")
            .map(|a| a.to_ascii_lowercase()),
        parts_version: 0,
        sequential: cx.query.has("sequential"),
    };
    cx.store().create_upload(&bucket.name, &rec).await?;
    let doc = InitiateResult {
        xmlns: cx.dialect.xmlns(),
        bucket: bucket.name,
        key: maybe_encode(key, encode),
        upload_id: id,
        encoding_type: (encode && cx.dialect == Dialect::Oss).then(|| "url".into()),
    };
    let mut r = xml_ok(ossemu_xml::to_xml_as("InitiateMultipartUploadResult", &doc));
    if let Some(a) = &rec.checksum_algorithm {
        set(
            r.headers_mut(),
            "x-amz-checksum-algorithm",
            &a.to_ascii_uppercase(),
        );
    }
    crate::sse::set_headers(cx.dialect, rec.attrs.sse.as_ref(), r.headers_mut());
    Ok(r)
}

/// In a sequential upload, part `n` must follow the last part stored: an earlier number
/// is 409 PartAlreadyExist, a later one 400 PartNotSequential. Checked before the body is
/// read, and again where the part is stored (the store's write lock is held there, so two
/// parts cannot both pass).
fn check_sequence(cx: &Ctx, upload: &UploadRecord, n: u32) -> ApiResult<()> {
    if !upload.sequential {
        return Ok(());
    }
    let mut last = 0;
    for p in cx.store().meta().scan_parts(&upload.upload_id, 0) {
        last = p?.part_number;
    }
    match n {
        n if n <= last => Err(ApiError::new(Code::PartAlreadyExist)
            .field("PartNumber", n.to_string())
            .field("EC", "0042-00000108")),
        n if n > last + 1 => Err(ApiError::new(Code::PartNotSequential)
            .field("PartNumber", n.to_string())
            .field("NextPartNumber", (last + 1).to_string())),
        _ => Ok(()),
    }
}

/// UploadPart: streams one part to disk.
pub async fn upload_part(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let key = cx.key()?;
    let n = part_number(cx)?;
    let upload = load_upload(cx, &bucket.name, key)?;
    check_sequence(cx, &upload, n)?;
    check_declared_length(cx, MAX_PUT_SIZE)?;
    let want_md5 = parse_content_md5(cx)?;
    let blob = receive(cx, body, MAX_PUT_SIZE).await?;
    if want_md5.is_some_and(|m| m != blob.md5) {
        return Err(digest_mismatch(cx.dialect));
    }
    let part = PartRecord {
        part_number: n,
        etag: blob.md5_hex(),
        size: blob.len,
        crc64: blob.crc64,
        modified_ms: now_ms(),
        checksum: cx.take_checksum(),
        segments: blob.segments(),
    };
    let make = |_: Option<&ObjectRecord>| {
        check_sequence(cx, &upload, n)?;
        Ok::<_, ApiError>(part.clone())
    };
    let part = cx
        .store()
        .put_part(
            &bucket.name,
            key,
            &upload.upload_id,
            None,
            Some(blob),
            &make,
        )
        .await?;
    let mut r = no_body(StatusCode::OK);
    set(r.headers_mut(), "etag", &cx.dialect.etag(&part.etag));
    set(
        r.headers_mut(),
        "x-oss-hash-crc64ecma",
        &part.crc64.to_string(),
    );
    if cx.dialect == Dialect::Oss
        && let Some(md5) = hex::decode(&part.etag).ok()
    {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(md5);
        set(r.headers_mut(), "content-md5", &b64);
    }
    // The SDKs read the verified checksum back and repeat it in CompleteMultipartUpload.
    if let Some((alg, v)) = &part.checksum {
        set(r.headers_mut(), &format!("x-amz-checksum-{alg}"), v);
    }
    Ok(r)
}

/// `x-*-copy-source-range` as `(start, length)` within a source of `size` bytes (the whole
/// source when absent).
///
/// OSS takes the forms GetObject takes (`bytes=a-b`, `bytes=a-` to the end, `bytes=-n`) and
/// copies the whole source for a range that is malformed or outside it, as its UploadPartCopy
/// reference says ("when the specified range does not conform to the specification, the
/// entire source object is copied") and as its GetObject does. S3 requires
/// `bytes=first-last` (InvalidArgument) within the source (InvalidRange).
fn copy_range(cx: &Ctx, size: u64) -> ApiResult<(u64, u64)> {
    let Some(h) = cx.dheader("copy-source-range") else {
        return Ok((0, size));
    };
    if cx.dialect == Dialect::Oss {
        return Ok(match parse_range(h, size) {
            (RangeSpec::Partial { start, end }, false) => (start, end - start + 1),
            _ => (0, size),
        });
    }
    let well_formed = h
        .strip_prefix("bytes=")
        .and_then(|r| r.split_once('-'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        });
    let header = cx.dialect.header("copy-source-range");
    if !well_formed {
        return Err(ApiError::msg(
            Code::InvalidArgument,
            format!("The {header} value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy"),
        )
        .field("ArgumentName", header)
        .field("ArgumentValue", h));
    }
    match parse_range(h, size) {
        (RangeSpec::Partial { start, end }, false) => Ok((start, end - start + 1)),
        _ => Err(ApiError::msg(
            Code::InvalidRange,
            format!("The range {h} in {header} is outside the source object of {size} bytes."),
        )),
    }
}

/// The copied part's ETag and CRC-64: a whole plain object's are its own (`None`: take the
/// source's CRC-64), a range is read once and hashed.
async fn part_digest(src: OpenObject, start: u64, len: u64) -> ApiResult<(String, Option<u64>)> {
    if start == 0 && len == src.rec.size && src.rec.kind == ObjectKind::Normal {
        return Ok((src.rec.etag.clone(), None));
    }
    let mut hasher = BodyHasher::default();
    let mut stream = src.body(start, len);
    while let Some(chunk) = stream.next().await {
        hasher.update(&chunk.map_err(ApiError::internal)?);
    }
    let (md5, crc) = hasher.finish();
    Ok((hex::encode(md5), Some(crc)))
}

/// OSS's UploadPartCopy takes its source only as `/bucket/key` and refuses `bucket/key` (its
/// EC 0042-00000301 describes exactly that request); S3, and OSS's CopyObject as far as its
/// reference says, take both.
fn check_part_copy_source(cx: &Ctx) -> ApiResult<()> {
    let raw = cx.dheader("copy-source").unwrap_or_default();
    if cx.dialect == Dialect::Oss && !raw.starts_with('/') {
        return Err(ApiError::msg(
            Code::InvalidArgument,
            "x-oss-copy-source must be of the form /sourcebucket/sourcekey.",
        )
        .field("ArgumentName", "x-oss-copy-source")
        .field("ArgumentValue", raw)
        .field("EC", "0042-00000301"));
    }
    Ok(())
}

/// UploadPartCopy: the part references (a range of) the source's segments. The range is read
/// once to compute its MD5 and CRC-64; nothing is written.
pub async fn upload_part_copy(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let key = cx.key()?;
    let n = part_number(cx)?;
    let upload = load_upload(cx, &bucket.name, key)?;
    check_sequence(cx, &upload, n)?;
    check_part_copy_source(cx)?;
    let source = copy_source(cx)?;
    let super::copy::OpenedSource {
        obj: src,
        version_id: src_version,
        ..
    } = super::copy::open_source(cx, &source)?;
    match evaluate(
        cx.dheader("copy-source-if-match"),
        cx.dheader("copy-source-if-unmodified-since"),
        cx.dheader("copy-source-if-none-match"),
        cx.dheader("copy-source-if-modified-since"),
        &src.rec.etag,
        src.rec.modified_ms.div_euclid(1000),
    ) {
        Precondition::Proceed => {}
        Precondition::NotModified(c) | Precondition::Failed(c) => {
            return Err(super::precondition_failed(
                cx.dialect,
                &super::copy_source_condition(cx.dialect, c),
            ));
        }
    }
    let (start, len) = copy_range(cx, src.rec.size)?;
    let src_segments = src.rec.segments.clone();
    let (etag, crc64) = part_digest(src, start, len).await?;
    let now = now_ms();
    let make = |src: Option<&ObjectRecord>| {
        let src = src.ok_or_else(|| ApiError::new(Code::NoSuchKey))?;
        check_sequence(cx, &upload, n)?;
        // The source must be the one that was hashed.
        if src.segments != src_segments {
            return Err(ApiError::msg(Code::InternalError, "copy source changed"));
        }
        Ok(PartRecord {
            part_number: n,
            etag: etag.clone(),
            size: len,
            crc64: crc64.unwrap_or(src.crc64),
            modified_ms: now,
            checksum: None,
            segments: slice_segments(&src.segments, start, len),
        })
    };
    let part = cx
        .store()
        .put_part(
            &bucket.name,
            key,
            &upload.upload_id,
            Some(source.as_store()),
            None,
            &make,
        )
        .await?;
    let doc = CopyResult {
        xmlns: cx.dialect.xmlns(),
        last_modified: iso8601(part.modified_ms),
        etag: cx.dialect.etag(&part.etag),
    };
    let mut r = xml_ok(ossemu_xml::to_xml_as("CopyPartResult", &doc));
    if cx.dialect == Dialect::Oss {
        set(r.headers_mut(), "etag", &cx.dialect.etag(&part.etag));
    }
    super::copy::set_source_version(cx, r.headers_mut(), src_version.as_deref());
    Ok(r)
}

/// The parts a completion names (all of them with `x-oss-complete-all: yes`), checked:
/// ascending, known, matching ETags, at least one, each but the last at least the minimum.
async fn chosen_parts<'a>(
    cx: &Ctx,
    body: ReqStream,
    stored: &'a [PartRecord],
) -> ApiResult<Vec<&'a PartRecord>> {
    let complete_all = cx
        .header("x-oss-complete-all")
        .is_some_and(|v| v.eq_ignore_ascii_case("yes"));
    let chosen: Vec<&PartRecord> = if complete_all {
        stored.iter().collect()
    } else {
        let raw = read_small(body, 4 << 20, &cx.state.buffers).await?;
        let req: CompleteMultipartUpload =
            ossemu_xml::from_xml(&raw, "CompleteMultipartUpload", raw.len())?;
        select_parts(&req, stored)?
    };
    if chosen.is_empty() {
        return Err(ApiError::msg(
            Code::MalformedXML,
            "You must specify at least one part",
        ));
    }
    let min = min_part_size(cx.dialect);
    for p in &chosen[..chosen.len() - 1] {
        if p.size < min {
            return Err(ApiError::msg(
                Code::EntityTooSmall,
                format!("Your proposed upload is smaller than the minimum allowed object size: part {} is {} bytes, every part but the last must be at least {min} bytes.", p.part_number, p.size),
            )
            .field("PartNumber", p.part_number.to_string())
            .field("MinSizeAllowed", min.to_string())
            .field("ProposedSize", p.size.to_string()));
        }
    }
    Ok(chosen)
}

/// The object the parts make: their segments in order, the MD5 of their MD5s as
/// `<hex>-<count>`, the combined CRC-64, the upload's attributes.
fn assemble(upload: &UploadRecord, chosen: &[&PartRecord]) -> ObjectRecord {
    let mut md5s = Md5::new();
    let (mut size, mut crc) = (0u64, 0u64);
    let mut segments = Vec::new();
    let mut part_sizes = Vec::with_capacity(chosen.len());
    for p in chosen {
        part_sizes.push(p.size);
        md5s.update(hex::decode(&p.etag).unwrap_or_default());
        crc = crc64_combine(crc, p.crc64, p.size);
        size += p.size;
        segments.extend_from_slice(&p.segments);
    }
    ObjectRecord {
        size,
        etag: format!("{}-{}", hex::encode(md5s.finalize()), chosen.len()),
        crc64: crc,
        kind: ObjectKind::Multipart,
        modified_ms: now_ms(),
        attrs: upload.attrs.clone(),
        owner: upload.owner.clone(),
        tag: None,
        checksum: None,
        upload_id: Some(upload.upload_id.clone()),
        part_sizes,
        version_id: None,
        restore: None,
        symlink_target: None,
        retention: None,
        legal_hold: false,
        accessed_ms: None,
        whole_md5: None,
        segments,
    }
}

/// The MD5 of the body `rec` assembles, read from the parts' files (pinned, with the upload
/// checked unchanged after pinning, so no abort or completion frees them meanwhile).
async fn whole_md5(
    cx: &Ctx,
    bucket: &str,
    key: &str,
    upload: &UploadRecord,
    rec: &ObjectRecord,
) -> ApiResult<String> {
    let open = cx.store().open_segments(rec.clone());
    let now = cx
        .store()
        .meta()
        .get_upload(bucket, key, &upload.upload_id)?;
    if now.is_none_or(|u| u.parts_version != upload.parts_version) {
        return Err(ApiError::new(Code::NoSuchUpload).field("UploadId", &upload.upload_id));
    }
    let mut md5 = Md5::new();
    let mut body = open.body(0, rec.size);
    while let Some(chunk) = body.next().await {
        md5.update(chunk.map_err(ApiError::internal)?);
    }
    Ok(hex::encode(md5.finalize()))
}

/// CompleteMultipartUpload: validates the part list and commits the object.
pub async fn complete(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let key = cx.key()?.to_string();
    let encode = encoding_type(cx)?;
    let upload = match load_upload(cx, &bucket.name, &key) {
        Ok(u) => u,
        Err(e) => {
            // A retried completion of an upload that already made the current object gets
            // the same answer again (S3 is idempotent here).
            let id = upload_id(cx)?;
            return match cx.store().meta().get_object(&bucket.name, &key)? {
                Some(rec) if cx.dialect == Dialect::S3 && rec.upload_id.as_deref() == Some(id) => {
                    Ok(completed(cx, &bucket.name, &key, &rec, encode))
                }
                _ => Err(e),
            };
        }
    };
    let stored: Vec<PartRecord> = cx
        .store()
        .meta()
        .scan_parts(&upload.upload_id, 0)
        .collect::<Result<_, _>>()?;
    let chosen = chosen_parts(cx, body, &stored).await?;
    let callback = crate::callback::Callback::for_dialect(cx)?;
    let condition = WriteCondition::from_request(cx, &bucket)?;
    let current = cx.store().meta().get_object(&bucket.name, &key)?;
    condition.check(current.as_ref())?;
    let mut rec = assemble(&upload, &chosen);
    if upload.sequential {
        rec.whole_md5 = Some(whole_md5(cx, &bucket.name, &key, &upload, &rec).await?);
    }
    // The lock asked for at initiation, else the bucket's default, counted from now.
    rec.retention = match upload.retention {
        Some(r) => Some(r),
        None => super::retention::default_retention(cx, &bucket)?,
    };
    rec.legal_hold = upload.legal_hold;
    // OSS takes the object ACL at completion too (alibabacloud-oss-v2's
    // CompleteMultipartUploadRequest.acl); it replaces the one given at initiation.
    if cx.dialect == Dialect::Oss && cx.header("x-oss-object-acl").is_some() {
        let given = attrs_from_request(cx)?;
        rec.attrs.acl = given.acl;
        rec.attrs.grants = given.grants;
    }
    let check = |cur: Option<&ObjectRecord>| condition.check(cur);
    let finished = cx
        .store()
        .finish_upload(
            &bucket.name,
            &key,
            &upload.upload_id,
            Some(upload.parts_version),
            Some((&rec, Some(&check))),
        )
        .await?;
    if let Some(made) = &finished.committed {
        let kind = crate::notify::Kind::CompleteMultipartUpload;
        crate::notify::object_created(cx, &bucket, &key, made, kind).await;
    }
    let rec = finished.committed.unwrap_or(rec);
    let answer = completed(cx, &bucket.name, &key, &rec, encode);
    match callback {
        None => Ok(answer),
        Some(cb) => super::object::callback_answer(cx, &cb, &bucket.name, &key, &rec, answer).await,
    }
}

/// The CompleteMultipartUploadResult for the object an upload made.
fn completed(
    cx: &Ctx,
    bucket: &str,
    key: &str,
    rec: &ObjectRecord,
    encode: bool,
) -> Response<Body> {
    let doc = CompleteResult {
        xmlns: cx.dialect.xmlns(),
        encoding_type: (encode && cx.dialect == Dialect::Oss).then(|| "url".into()),
        location: super::object_url(cx, bucket, key),
        bucket: bucket.to_string(),
        key: maybe_encode(key, encode),
        etag: cx.dialect.etag(&rec.etag),
    };
    let mut r = xml_ok(ossemu_xml::to_xml_as("CompleteMultipartUploadResult", &doc));
    let h = r.headers_mut();
    set(h, "x-oss-hash-crc64ecma", &rec.crc64.to_string());
    if cx.dialect == Dialect::Oss {
        set(h, "etag", &cx.dialect.etag(&rec.etag));
    }
    crate::sse::set_headers(cx.dialect, rec.attrs.sse.as_ref(), h);
    super::versioning::set_written(cx, h, rec);
    r
}

/// Checks the requested list against the stored parts: ascending numbers, known parts,
/// matching ETags.
fn select_parts<'a>(
    req: &CompleteMultipartUpload,
    stored: &'a [PartRecord],
) -> ApiResult<Vec<&'a PartRecord>> {
    let mut out = Vec::with_capacity(req.parts.len());
    let mut last = 0u32;
    for p in &req.parts {
        if p.part_number <= last {
            return Err(ApiError::new(Code::InvalidPartOrder));
        }
        last = p.part_number;
        let want = p.etag.trim().trim_matches('"');
        let found = stored
            .binary_search_by_key(&p.part_number, |s| s.part_number)
            .ok()
            .map(|i| &stored[i])
            .filter(|s| s.etag.eq_ignore_ascii_case(want));
        match found {
            Some(s) => out.push(s),
            None => {
                return Err(ApiError::new(Code::InvalidPart)
                    .field("PartNumber", p.part_number.to_string())
                    .field("ETag", p.etag.clone()));
            }
        }
    }
    Ok(out)
}

/// AbortMultipartUpload: drops the upload and frees its parts.
pub async fn abort(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let key = cx.key()?;
    let upload = load_upload(cx, &bucket.name, key)?;
    cx.store()
        .abort_upload(&bucket.name, key, &upload.upload_id)
        .await?;
    Ok(no_body(StatusCode::NO_CONTENT))
}

/// ListParts with `part-number-marker` and `max-parts`.
pub async fn list_parts(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let key = cx.key()?;
    let upload = load_upload(cx, &bucket.name, key)?;
    let encode = encoding_type(cx)?;
    let marker: u32 = match cx.query.get("part-number-marker") {
        None | Some("") => 0,
        Some(v) => v.parse().map_err(|_| {
            ApiError::msg(
                Code::InvalidArgument,
                "part-number-marker must be an integer",
            )
        })?,
    };
    let max = max_param(cx, "max-parts", 1000, 1000)?;
    let mut it = cx.store().meta().scan_parts(&upload.upload_id, marker);
    let mut parts = Vec::new();
    for p in it.by_ref().take(max) {
        parts.push(p?);
    }
    // An empty page is never truncated: its marker could not move on (`max-parts=0`).
    let truncated = max > 0 && it.next().is_some();
    let s3 = cx.dialect == Dialect::S3;
    let who = owner(cx, &upload.owner);
    let doc = ListPartsResult {
        xmlns: cx.dialect.xmlns(),
        encoding_type: (encode && !s3).then(|| "url".into()),
        bucket: bucket.name.clone(),
        key: maybe_encode(key, encode),
        upload_id: upload.upload_id.clone(),
        part_number_marker: marker,
        next_part_number_marker: parts.last().map_or(marker, |p| p.part_number),
        max_parts: max,
        is_truncated: truncated,
        storage_class: storage_class(cx),
        initiator: s3.then(|| who.clone()),
        owner: s3.then_some(who),
        parts: parts
            .iter()
            .map(|p| PartEntry {
                part_number: p.part_number,
                last_modified: iso8601(p.modified_ms),
                etag: cx.dialect.etag(&p.etag),
                crc64: (!s3).then(|| p.crc64.to_string()),
                size: p.size,
            })
            .collect(),
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("ListPartsResult", &doc)))
}

/// One page of a ListMultipartUploads.
#[derive(Default)]
struct UploadsPage {
    uploads: Vec<UploadRecord>,
    prefixes: Vec<String>,
    truncated: bool,
    next_key: String,
    next_id: String,
}

/// Scans uploads in key then upload-id order after the markers, rolling keys up to the
/// delimiter, for at most `max` entries.
fn uploads_page(
    cx: &Ctx,
    bucket: &str,
    (prefix, delimiter): (&str, &str),
    (key_marker, id_marker): (&str, &str),
    max: usize,
) -> ApiResult<UploadsPage> {
    // With only a key-marker, uploads of that key are skipped entirely.
    let after = (!key_marker.is_empty()).then_some((
        key_marker,
        if id_marker.is_empty() {
            "\u{10FFFF}"
        } else {
            id_marker
        },
    ));
    let mut page = UploadsPage::default();
    for u in cx.store().meta().scan_uploads(bucket, after) {
        let u = u?;
        if !u.key.starts_with(prefix) {
            if u.key.as_str() > prefix {
                break;
            }
            continue;
        }
        let rolled = (!delimiter.is_empty())
            .then(|| u.key[prefix.len()..].find(delimiter))
            .flatten()
            .map(|i| u.key[..prefix.len() + i + delimiter.len()].to_string());
        // A prefix already listed on this page, or at or before the key-marker (a page that
        // ended with it; its uploads sort after it), is not listed again.
        if let Some(cp) = &rolled
            && (page.prefixes.last() == Some(cp) || cp.as_str() <= key_marker)
        {
            continue;
        }
        if page.uploads.len() + page.prefixes.len() == max {
            // An empty page is never truncated: its markers could not move on.
            page.truncated = max > 0;
            break;
        }
        match rolled {
            Some(cp) => {
                page.next_key = cp.clone();
                page.next_id.clear();
                page.prefixes.push(cp);
            }
            None => {
                page.next_key = u.key.clone();
                page.next_id = u.upload_id.clone();
                page.uploads.push(u);
            }
        }
    }
    Ok(page)
}

/// ListMultipartUploads with prefix, delimiter, key-marker, upload-id-marker, max-uploads.
pub async fn list_uploads(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let encode = encoding_type(cx)?;
    let prefix = cx.query.get("prefix").unwrap_or("");
    let delimiter = cx.query.get("delimiter").unwrap_or("");
    let key_marker = cx.query.get("key-marker").unwrap_or("");
    let id_marker = cx.query.get("upload-id-marker").unwrap_or("");
    let max = page_size(cx, "max-uploads", 1000, None)?;
    let page = uploads_page(
        cx,
        &bucket.name,
        (prefix, delimiter),
        (key_marker, id_marker),
        max,
    )?;
    let s3 = cx.dialect == Dialect::S3;
    // OSS names the page's last upload in NextKeyMarker/NextUploadIdMarker whether or not
    // more follow (alibabacloud-oss-v2's test_multipart_upload_object_encoding_type reads
    // it from a complete listing); the S3 dialect keeps naming it only when truncated.
    let named = page.truncated || !s3;
    let doc = ListUploadsResult {
        xmlns: cx.dialect.xmlns(),
        encoding_type: encode.then(|| "url".into()),
        bucket: bucket.name.clone(),
        key_marker: maybe_encode(key_marker, encode),
        upload_id_marker: id_marker.to_string(),
        next_key_marker: if named {
            maybe_encode(&page.next_key, encode)
        } else {
            String::new()
        },
        next_upload_id_marker: if named { page.next_id } else { String::new() },
        delimiter: (!delimiter.is_empty()).then(|| maybe_encode(delimiter, encode)),
        prefix: maybe_encode(prefix, encode),
        max_uploads: max,
        is_truncated: page.truncated,
        uploads: page
            .uploads
            .iter()
            .map(|u| {
                let who = owner(cx, &u.owner);
                UploadEntry {
                    key: maybe_encode(&u.key, encode),
                    upload_id: u.upload_id.clone(),
                    initiated: iso8601(u.initiated_ms),
                    storage_class: storage_class(cx),
                    initiator: s3.then(|| who.clone()),
                    owner: s3.then_some(who),
                }
            })
            .collect(),
        common_prefixes: page
            .prefixes
            .into_iter()
            .map(|p| CommonPrefix {
                prefix: maybe_encode(&p, encode),
            })
            .collect(),
    };
    Ok(xml_ok(ossemu_xml::to_xml_as(
        "ListMultipartUploadsResult",
        &doc,
    )))
}
