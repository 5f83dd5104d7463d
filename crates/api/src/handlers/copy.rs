//! CopyObject: a new record that shares the source's body (no bytes are copied).

use http::Response;
use ossemu_store::{NULL_VERSION, ObjectRecord, StoreError, TxError, now_ms};
use ossemu_xml::object::CopyResult;
use percent_encoding::percent_decode_str;

use super::{ObjectAttrs, attrs_from_request, iso8601, set, xml_ok};
use crate::body::Body;
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::range::{Precondition, evaluate};
use crate::request::Ctx;
use crate::router::Op;

/// A copy source: bucket, key and the version named (`None`: the latest).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopySource {
    /// Source bucket.
    pub bucket: String,
    /// Source key.
    pub key: String,
    /// `?versionId=` of the source, if given.
    pub version: Option<String>,
}

impl CopySource {
    /// The store's form of the source.
    pub fn as_store(&self) -> ossemu_store::Source<'_> {
        (&self.bucket, &self.key, self.version.as_deref())
    }
}

/// Parses `x-oss-copy-source` / `x-amz-copy-source`: `/bucket/key` or `bucket/key`,
/// percent-encoded, optionally followed by `?versionId=<id>`.
pub fn copy_source(cx: &Ctx) -> ApiResult<CopySource> {
    let raw = cx.dheader("copy-source").unwrap_or_default();
    let (path, query) = raw.split_once('?').unwrap_or((raw, ""));
    let version = query
        .strip_prefix("versionId=")
        .map(|v| super::versioning::check_id("versionId", v).map(str::to_string))
        .transpose()?;
    let decoded = percent_decode_str(path.trim_start_matches('/'))
        .decode_utf8()
        .map_err(|_| {
            ApiError::msg(
                Code::InvalidArgument,
                "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.",
            )
        })?;
    match decoded.split_once('/') {
        Some((b, k)) if !b.is_empty() && !k.is_empty() && !k.contains('\0') => Ok(CopySource {
            bucket: b.to_string(),
            key: k.to_string(),
            version,
        }),
        _ => Err(ApiError::msg(
            Code::InvalidArgument,
            "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.",
        )
        .field("ArgumentName", cx.dialect.header("copy-source"))),
    }
}

/// A copy source opened for a copy: the object, the version id it reports (in a versioned
/// bucket) and its bucket.
pub struct OpenedSource {
    /// The source object, its body pinned.
    pub obj: ossemu_store::OpenObject,
    /// Its version id, as a read of it reports it.
    pub version_id: Option<String>,
    /// The source bucket.
    pub bucket: ossemu_store::BucketRecord,
}

/// Opens a copy source the requester may read (NoSuchBucket, AccessDenied, NoSuchKey,
/// NoSuchVersion).
pub fn open_source(cx: &Ctx, src: &CopySource) -> ApiResult<OpenedSource> {
    let b =
        cx.store().meta().get_bucket(&src.bucket)?.ok_or_else(|| {
            ApiError::new(Code::NoSuchBucket).field("BucketName", src.bucket.clone())
        })?;
    let obj = cx
        .store()
        .open_version(&src.bucket, &src.key, src.version.as_deref())?;
    crate::authz::read_as(
        cx,
        Op::GetObject,
        &b,
        &src.key,
        obj.as_ref().map(|o| &o.rec),
    )?;
    let obj = obj.ok_or_else(|| {
        let missing = match &src.version {
            Some(v) => match cx
                .store()
                .meta()
                .get_version(&src.bucket, &src.key, Some(v))
            {
                Ok(Some(ossemu_store::Version::Marker(_))) => StoreError::SourceIsDeleteMarker,
                _ => StoreError::NoSuchVersion,
            },
            None => StoreError::NoSuchKey,
        };
        let e = ApiError::from(missing).field("Key", src.key.clone());
        match &src.version {
            Some(v) if e.code == Code::NoSuchVersion => e.field("VersionId", v.clone()),
            _ => e,
        }
    })?;
    let version_id = super::versioning::served_id(&b, &obj.rec).map(str::to_string);
    Ok(OpenedSource {
        obj,
        version_id,
        bucket: b,
    })
}

/// Sets `x-*-copy-source-version-id`: the version of the source that was copied.
pub fn set_source_version(cx: &Ctx, h: &mut http::HeaderMap, id: Option<&str>) {
    if let Some(id) = id {
        set(h, &cx.dialect.header("copy-source-version-id"), id);
    }
}

/// Evaluates the copy-source conditionals against the source object.
fn source_precondition(cx: &Ctx, src: &ObjectRecord) -> Precondition {
    evaluate(
        cx.dheader("copy-source-if-match"),
        cx.dheader("copy-source-if-unmodified-since"),
        cx.dheader("copy-source-if-none-match"),
        cx.dheader("copy-source-if-modified-since"),
        &src.etag,
        src.modified_ms.div_euclid(1000),
    )
}

/// What a CopyObject request asks for besides its source.
struct CopyPlan {
    /// `metadata-directive: REPLACE`: attributes from the request, not the source.
    replace: bool,
    /// An object ACL was given (otherwise the copy inherits again).
    acl_given: bool,
    /// `tagging-directive: REPLACE`.
    tagging_replace: bool,
    /// Refuse to overwrite an existing target.
    forbid: bool,
    /// The target bucket's retention policy (OSS WORM).
    worm: super::worm::OverwriteGuard,
    /// The copy's retention and legal hold (S3 Object Lock).
    lock: (Option<ossemu_store::Retention>, bool),
    /// OSS: a REPLACE without Content-Type keeps the source's, and the client-side
    /// encryption metadata (`x-oss-meta-client-side-encryption-*`) cannot be replaced.
    oss: bool,
    /// The request sent a Content-Type.
    type_given: bool,
    /// Attributes from the request headers.
    attrs: ObjectAttrs,
    /// Owner of the copy.
    owner: String,
    /// Last-Modified of the copy.
    now: i64,
}

/// `x-*-metadata-directive`: COPY (default) or REPLACE.
fn metadata_directive(cx: &Ctx) -> ApiResult<bool> {
    match cx.dheader("metadata-directive") {
        None => Ok(false),
        Some(d) if d.eq_ignore_ascii_case("COPY") => Ok(false),
        Some(d) if d.eq_ignore_ascii_case("REPLACE") => Ok(true),
        Some(d) => Err(ApiError::msg(
            Code::InvalidArgument,
            format!("Unknown metadata directive {d:?}: use COPY or REPLACE."),
        )),
    }
}

impl CopyPlan {
    fn from_request(cx: &Ctx, bucket: &ossemu_store::BucketRecord) -> ApiResult<Self> {
        let attrs = attrs_from_request(cx)?;
        Ok(Self {
            replace: metadata_directive(cx)?,
            acl_given: cx
                .dheader(match cx.dialect {
                    Dialect::Oss => "object-acl",
                    Dialect::S3 => "acl",
                })
                .is_some()
                || super::acl::grants::from_headers(cx)?.is_some(),
            tagging_replace: cx
                .dheader("tagging-directive")
                .is_some_and(|d| d.eq_ignore_ascii_case("REPLACE")),
            forbid: super::object::forbids_overwrite(cx, bucket),
            worm: super::worm::OverwriteGuard::of(cx, bucket)?,
            lock: super::retention::for_write(cx, bucket)?,
            oss: cx.dialect == Dialect::Oss,
            type_given: cx.header("content-type").is_some_and(|v| !v.is_empty()),
            owner: super::new_object_owner(cx, &attrs)?,
            attrs,
            now: now_ms(),
        })
    }

    /// Checks, inside the write, the source as it is now and the target it replaces.
    fn check(
        &self,
        cx: &Ctx,
        (src_bucket, src_key): (&ossemu_store::BucketRecord, &str),
        cur: Option<&ObjectRecord>,
        src: &ObjectRecord,
    ) -> ApiResult<()> {
        crate::authz::read_as(cx, Op::GetObject, src_bucket, src_key, Some(src))?;
        super::storage::check_readable(cx, src_bucket, src)?;
        self.worm.check(cur)?;
        if self.forbid && cur.is_some() {
            return Err(super::object::overwrite_refused(cx.dialect));
        }
        match source_precondition(cx, src) {
            Precondition::Proceed => Ok(()),
            Precondition::NotModified(_) if cx.dialect == Dialect::Oss => {
                Err(ApiError::new(Code::NotModified))
            }
            Precondition::NotModified(c) | Precondition::Failed(c) => {
                Err(super::precondition_failed(
                    cx.dialect,
                    &super::copy_source_condition(cx.dialect, c),
                ))
            }
        }
    }
}

/// CopyObject with metadata directive COPY (default) or REPLACE.
pub async fn copy_object(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let key = cx.key()?.to_string();
    let src = copy_source(cx)?;
    // Checks the source's existence and the requester's read permission; the copy re-reads
    // the source inside its transaction and checks again there.
    let OpenedSource {
        version_id: src_version,
        bucket: src_bucket_rec,
        ..
    } = open_source(cx, &src)?;
    let plan = CopyPlan::from_request(cx, &bucket)?;
    // A copy onto itself must change something: its metadata, or its storage class.
    if cx.dialect == Dialect::S3
        && !plan.replace
        && plan.attrs.storage_class.is_none()
        && src.bucket == bucket.name
        && src.key == key
        && src.version.is_none()
    {
        return Err(ApiError::msg(
            Code::InvalidRequest,
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        ));
    }
    let missing_source = || ApiError::new(Code::NoSuchKey).field("Key", src.key.clone());
    let build = |cur: Option<&ObjectRecord>, from: Option<&ObjectRecord>| {
        let from = from.ok_or_else(missing_source)?;
        plan.check(cx, (&src_bucket_rec, &src.key), cur, from)?;
        Ok(copied(from, &plan))
    };
    let written = cx
        .store()
        .update_object(&bucket.name, &key, Some(src.as_store()), None, &build)
        .await;
    let (rec, copied_version) = match written {
        Ok(w) => (w.new, w.source_version),
        Err(TxError::Store(StoreError::NoSuchKey)) => return Err(missing_source()),
        Err(e) => return Err(e.into()),
    };
    // The version the write copied, which may be newer than the one checked before it.
    crate::notify::object_created(cx, &bucket, &key, &rec, crate::notify::Kind::Copy).await;
    let src_version = copied_version.or(src_version.filter(|v| v == NULL_VERSION));
    let mut r = copy_result(cx, &rec);
    set_source_version(cx, r.headers_mut(), src_version.as_deref());
    super::versioning::set_written(cx, r.headers_mut(), &rec);
    Ok(r)
}

/// The CopyObjectResult answer.
fn copy_result(cx: &Ctx, rec: &ObjectRecord) -> Response<Body> {
    let doc = CopyResult {
        xmlns: cx.dialect.xmlns(),
        last_modified: iso8601(rec.modified_ms),
        etag: cx.dialect.etag(&rec.etag),
    };
    let mut r = xml_ok(ossemu_xml::to_xml_as("CopyObjectResult", &doc));
    let h = r.headers_mut();
    set(h, "x-oss-hash-crc64ecma", &rec.crc64.to_string());
    if cx.dialect == Dialect::Oss {
        set(h, "etag", &cx.dialect.etag(&rec.etag));
    }
    crate::sse::set_headers(cx.dialect, rec.attrs.sse.as_ref(), h);
    r
}

/// Prefix of the OSS client-side encryption metadata (after `x-oss-meta-`).
const CLIENT_SIDE_ENCRYPTION: &str = "client-side-encryption-";

/// OSS REPLACE: the request's user metadata, except that the source's client-side
/// encryption metadata is kept and the request's is ignored (it describes the body, which
/// the copy does not change).
fn replaced_meta(
    src: &[(String, String)],
    requested: &[(String, String)],
) -> Vec<(String, String)> {
    let protected = |(k, _): &&(String, String)| k.starts_with(CLIENT_SIDE_ENCRYPTION);
    requested
        .iter()
        .filter(|kv| !protected(kv))
        .chain(src.iter().filter(protected))
        .cloned()
        .collect()
}

/// The copy's record: the source's body and checksums; metadata from the source (COPY) or
/// the request (REPLACE); encryption from the request; never the mirror tag.
fn copied(src: &ObjectRecord, plan: &CopyPlan) -> ObjectRecord {
    let attrs = &plan.attrs;
    let mut rec = ObjectRecord {
        modified_ms: plan.now,
        owner: plan.owner.clone(),
        tag: None,
        retention: plan.lock.0,
        legal_hold: plan.lock.1,
        restore: None,
        accessed_ms: None,
        ..src.clone()
    };
    // The copy's class is the one the request names, else its bucket's.
    rec.attrs.storage_class.clone_from(&attrs.storage_class);
    (rec.attrs.acl, rec.attrs.grants) = if plan.acl_given {
        (attrs.acl.clone(), attrs.grants.clone())
    } else {
        (None, None)
    };
    // The copy is encrypted as its request asks, whatever the directive (OSS and S3 alike).
    rec.attrs.sse = attrs.sse.clone();
    if plan.replace {
        if plan.type_given || !plan.oss {
            rec.attrs.content_type = attrs.content_type.clone();
        }
        rec.attrs.headers = attrs.headers.clone();
        rec.attrs.user_meta = if plan.oss {
            replaced_meta(&src.attrs.user_meta, &attrs.user_meta)
        } else {
            attrs.user_meta.clone()
        };
    }
    // Tags follow their own directive (COPY by default), whatever the metadata directive.
    if plan.tagging_replace {
        rec.attrs.tagging = attrs.tagging.clone();
    }
    rec
}
