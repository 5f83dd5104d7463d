//! ListObjects (v1), ListObjectsV2 and ListObjectVersions.

use base64::Engine;
use http::Response;
use ossemu_store::{
    ListEntry, ListPage, ListQuery, ObjectRecord, Version as StoredVersion, VersionEntry,
    VersionItem, VersionQuery, list_versions,
};
use ossemu_xml::list::{
    CommonPrefix, Contents, DeleteMarkerEntry, ListBucketResult, ListVersionsResult, Version,
    VersionListing,
};

use super::{encoding_type, iso8601, maybe_encode, owner, page_size, storage_class, xml_ok};
use crate::body::Body;
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

const TOKEN: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

struct Common<'a> {
    bucket: String,
    prefix: &'a str,
    delimiter: &'a str,
    encode: bool,
}

fn common(cx: &Ctx) -> ApiResult<Common<'_>> {
    let bucket = cx.load_bucket()?.name;
    Ok(Common {
        bucket,
        prefix: cx.query.get("prefix").unwrap_or(""),
        delimiter: cx.query.get("delimiter").unwrap_or(""),
        encode: encoding_type(cx)?,
    })
}

/// `max-keys` when not given: 100 in OSS (ListObjects, ListObjectsV2 and
/// ListObjectVersions alike), 1000 in S3.
fn default_max(cx: &Ctx) -> usize {
    match cx.dialect {
        Dialect::Oss => 100,
        Dialect::S3 => 1000,
    }
}

/// A listed object's owner: the bucket owner while ACLs are disabled (S3 Object Ownership
/// `BucketOwnerEnforced`), else its writer.
fn listed_owner(cx: &Ctx, rec: &ObjectRecord) -> ossemu_xml::bucket::Owner {
    match cx.load_bucket() {
        Ok(b) if crate::access::acls_disabled(&b) => owner(cx, &b.owner),
        _ => owner(cx, &rec.owner),
    }
}

fn contents(cx: &Ctx, key: &str, rec: &ObjectRecord, encode: bool, with_owner: bool) -> Contents {
    Contents {
        key: maybe_encode(key, encode),
        last_modified: iso8601(rec.modified_ms),
        etag: cx.dialect.etag(&rec.etag),
        kind: (cx.dialect == Dialect::Oss).then(|| rec.kind.as_str().to_string()),
        size: rec.size,
        storage_class: class_of(cx, rec),
        owner: with_owner.then(|| listed_owner(cx, rec)),
        restore_info: restore_info(cx, rec),
    }
}

/// An object's storage class as the dialect reports it in listings.
fn class_of(cx: &Ctx, rec: &ObjectRecord) -> String {
    match (&rec.attrs.storage_class, cx.dialect) {
        (Some(c), d) => super::storage::reported(d, c),
        (None, _) => storage_class(cx),
    }
}

/// `RestoreInfo` of an object whose restore is asked for and not expired.
fn restore_info(cx: &Ctx, rec: &ObjectRecord) -> Option<String> {
    let now = cx.state.clock.now_ms();
    rec.restore
        .as_ref()
        .filter(|r| now < r.expiry_ms)
        .map(|r| super::storage::restore_info(r, now))
}

fn split(
    cx: &Ctx,
    page: &ListPage,
    encode: bool,
    with_owner: bool,
) -> (Vec<Contents>, Vec<CommonPrefix>) {
    let mut objs = Vec::new();
    let mut prefixes = Vec::new();
    for e in &page.entries {
        match e {
            ListEntry::Object(k, rec) => objs.push(contents(cx, k, rec, encode, with_owner)),
            ListEntry::Prefix(p) => prefixes.push(CommonPrefix {
                prefix: maybe_encode(p, encode),
            }),
        }
    }
    (objs, prefixes)
}

fn opt(s: &str, encode: bool) -> Option<String> {
    (!s.is_empty()).then(|| maybe_encode(s, encode))
}

/// ListObjects (v1): prefix, delimiter, marker, max-keys, encoding-type. An anonymous GET of
/// the root of a bucket with an index document gets the index page instead.
pub async fn list_objects_v1(cx: &Ctx) -> ApiResult<Response<Body>> {
    if let Some(r) = super::object::serve_root_index(cx, &cx.load_bucket()?).await? {
        return Ok(r);
    }
    let c = common(cx)?;
    let marker = cx.query.get("marker").unwrap_or("");
    let max = page_size(cx, "max-keys", default_max(cx), Some("0015-00000402"))?;
    let page = cx.store().list(
        &c.bucket,
        &ListQuery {
            prefix: c.prefix,
            delimiter: c.delimiter,
            after: marker,
            max,
        },
    )?;
    let (objs, prefixes) = split(cx, &page, c.encode, true);
    // S3 returns NextMarker only with a delimiter (clients use the last key otherwise).
    let next_marker = page
        .next_marker()
        .filter(|_| cx.dialect == Dialect::Oss || !c.delimiter.is_empty())
        .map(|m| maybe_encode(m, c.encode));
    let doc = ListBucketResult {
        xmlns: cx.dialect.xmlns(),
        name: c.bucket.clone(),
        // S3 v1 echoes the prefix as given (clients do not decode it); OSS encodes it.
        prefix: maybe_encode(c.prefix, c.encode && cx.dialect == Dialect::Oss),
        marker: Some(maybe_encode(marker, c.encode)),
        max_keys: max,
        delimiter: opt(c.delimiter, c.encode),
        encoding_type: c.encode.then(|| "url".to_string()),
        is_truncated: page.truncated,
        next_marker,
        contents: objs,
        common_prefixes: prefixes,
        ..ListBucketResult::default()
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("ListBucketResult", &doc)))
}

/// ListObjectsV2: continuation-token, start-after, fetch-owner, KeyCount.
pub async fn list_objects_v2(cx: &Ctx) -> ApiResult<Response<Body>> {
    let c = common(cx)?;
    let max = page_size(cx, "max-keys", default_max(cx), None)?;
    let start_after = cx.query.get("start-after").unwrap_or("");
    // oss2 sends an empty `continuation-token=` on the first page: it is echoed, and means
    // the first page.
    let echoed_token = cx.query.get("continuation-token");
    let token = echoed_token.filter(|t| !t.is_empty());
    let after = match token {
        Some(t) => TOKEN
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| {
                ApiError::msg(
                    Code::InvalidArgument,
                    "The continuation token provided is incorrect",
                )
                .field("ArgumentName", "continuation-token")
            })?,
        None => start_after.to_string(),
    };
    let fetch_owner = cx
        .query
        .get("fetch-owner")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let page = cx.store().list(
        &c.bucket,
        &ListQuery {
            prefix: c.prefix,
            delimiter: c.delimiter,
            after: &after,
            max,
        },
    )?;
    let (objs, prefixes) = split(cx, &page, c.encode, fetch_owner);
    let doc = ListBucketResult {
        xmlns: cx.dialect.xmlns(),
        name: c.bucket.clone(),
        prefix: maybe_encode(c.prefix, c.encode),
        continuation_token: echoed_token.map(str::to_string),
        start_after: opt(start_after, c.encode),
        max_keys: max,
        delimiter: opt(c.delimiter, c.encode),
        encoding_type: c.encode.then(|| "url".to_string()),
        is_truncated: page.truncated,
        next_continuation_token: page.next_marker().map(|m| TOKEN.encode(m)),
        key_count: Some(objs.len() + prefixes.len()),
        contents: objs,
        common_prefixes: prefixes,
        ..ListBucketResult::default()
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("ListBucketResult", &doc)))
}

/// The listing parameters' length limit (OSS refuses longer ones).
const MAX_PARAM: usize = 1024;

/// ListObjectVersions: the bucket's versions and delete markers, by key and newest first per
/// key, paged by `key-marker` and `version-id-marker`.
pub async fn list_object_versions(cx: &Ctx) -> ApiResult<Response<Body>> {
    let c = common(cx)?;
    let key_marker = cx.query.get("key-marker").unwrap_or("");
    let version_marker = cx.query.get("version-id-marker").unwrap_or("");
    let max = page_size(cx, "max-keys", default_max(cx), Some("0012-00000102"))?;
    check_version_params(cx, &c, key_marker, version_marker)?;
    let page = list_versions(
        cx.store().meta(),
        &c.bucket,
        &VersionQuery {
            prefix: c.prefix,
            delimiter: c.delimiter,
            key_marker,
            version_marker,
            max,
        },
    )?;
    let mut versions = Vec::new();
    let mut prefixes = Vec::new();
    for e in &page.entries {
        match e {
            VersionItem::Version(v) => versions.push(version_listing(cx, v, c.encode)),
            VersionItem::Prefix(p) => prefixes.push(CommonPrefix {
                prefix: maybe_encode(p, c.encode),
            }),
        }
    }
    let next = page.next_markers();
    let oss = cx.dialect == Dialect::Oss;
    let doc = ListVersionsResult {
        xmlns: cx.dialect.xmlns(),
        name: c.bucket.clone(),
        prefix: maybe_encode(c.prefix, c.encode),
        key_marker: maybe_encode(key_marker, c.encode),
        version_id_marker: version_marker.to_string(),
        next_key_marker: next.map(|(k, _)| maybe_encode(k, c.encode)),
        next_version_id_marker: next.map(|(_, v)| v.unwrap_or_default().to_string()),
        max_keys: max,
        // oss2 reads Delimiter as a required element.
        delimiter: if oss {
            Some(maybe_encode(c.delimiter, c.encode))
        } else {
            opt(c.delimiter, c.encode)
        },
        encoding_type: c.encode.then(|| "url".to_string()),
        is_truncated: page.truncated,
        versions,
        common_prefixes: prefixes,
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("ListVersionsResult", &doc)))
}

/// OSS refuses parameters of 1,024 bytes or more; both refuse a version marker without a
/// key marker.
fn check_version_params(
    cx: &Ctx,
    c: &Common<'_>,
    key_marker: &str,
    version_marker: &str,
) -> ApiResult<()> {
    if cx.dialect == Dialect::Oss {
        let params = [
            ("prefix", c.prefix),
            ("delimiter", c.delimiter),
            ("key-marker", key_marker),
            ("version-id-marker", version_marker),
        ];
        if let Some((name, v)) = params.iter().find(|(_, v)| v.len() >= MAX_PARAM) {
            return Err(ApiError::msg(
                Code::InvalidArgument,
                format!("{name} must be shorter than {MAX_PARAM} bytes."),
            )
            .field("ArgumentName", *name)
            .field("ArgumentValue", *v));
        }
    }
    if !version_marker.is_empty() {
        super::versioning::check_id("version-id-marker", version_marker)?;
    }
    if !version_marker.is_empty() && key_marker.is_empty() {
        return Err(ApiError::msg(
            Code::InvalidArgument,
            "A version-id marker cannot be specified without a key marker.",
        )
        .field("ArgumentName", "version-id-marker")
        .field("ArgumentValue", version_marker));
    }
    Ok(())
}

/// One `<Version>` or `<DeleteMarker>`.
fn version_listing(cx: &Ctx, v: &VersionEntry, encode: bool) -> VersionListing {
    let key = maybe_encode(&v.key, encode);
    let version_id = v.version.version_id().to_string();
    match &v.version {
        StoredVersion::Object(rec) => VersionListing::Version(Version {
            key,
            version_id,
            is_latest: v.latest,
            last_modified: iso8601(rec.modified_ms),
            etag: cx.dialect.etag(&rec.etag),
            kind: (cx.dialect == Dialect::Oss).then(|| rec.kind.as_str().to_string()),
            size: rec.size,
            storage_class: class_of(cx, rec),
            restore_info: restore_info(cx, rec),
            owner: listed_owner(cx, rec),
        }),
        StoredVersion::Marker(m) => VersionListing::DeleteMarker(DeleteMarkerEntry {
            key,
            version_id,
            is_latest: v.latest,
            last_modified: iso8601(m.modified_ms),
            owner: owner(cx, &m.owner),
        }),
    }
}
