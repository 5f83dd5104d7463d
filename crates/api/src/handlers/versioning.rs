//! PutBucketVersioning and GetBucketVersioning, and what requests and answers say about
//! versions: the `versionId` a request names, the version headers of an answer, and the
//! errors for a delete marker.

use http::{HeaderName, Response, StatusCode};
use ossemu_store::{
    BucketRecord, DeleteMarker, NULL_VERSION, ObjectRecord, Versioning, is_version_id,
};
use ossemu_xml::bucket::VersioningConfiguration;

use super::bucket::SMALL_BODY;
use super::{http_date, no_body, set, xml_ok};
use crate::body::{Body, ReqStream, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// PutBucketVersioning: `Enabled` or `Suspended`. A bucket never goes back to unversioned;
/// any other status is malformed (oss2's suite expects MalformedXML for `Disabled`).
pub async fn put_bucket_versioning(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let conf: VersioningConfiguration =
        ossemu_xml::from_xml(&raw, "VersioningConfiguration", SMALL_BODY)?;
    let state = match conf.status.as_deref() {
        Some("Enabled") => Versioning::Enabled,
        Some("Suspended") => Versioning::Suspended,
        _ => {
            return Err(ApiError::msg(
                Code::MalformedXML,
                "The versioning Status must be Enabled or Suspended.",
            ));
        }
    };
    match conf.mfa_delete.as_deref() {
        None | Some("Disabled") => {}
        Some("Enabled") => {
            return Err(ApiError::msg(
                Code::InvalidRequest,
                "MFA delete cannot be enabled: this server has no MFA devices.",
            ));
        }
        Some(_) => {
            return Err(ApiError::msg(
                Code::MalformedXML,
                "MfaDelete must be Enabled or Disabled.",
            ));
        }
    }
    cx.store().set_versioning(&bucket.name, state).await?;
    Ok(no_body(StatusCode::OK))
}

/// GetBucketVersioning: no `Status` until versioning was first configured.
pub async fn get_bucket_versioning(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let doc = VersioningConfiguration {
        xmlns: cx.dialect.xmlns().map(str::to_string),
        status: status_name(bucket.versioning).map(str::to_string),
        mfa_delete: None,
    };
    Ok(xml_ok(ossemu_xml::to_xml_as(
        "VersioningConfiguration",
        &doc,
    )))
}

/// `Enabled` or `Suspended`; `None` for a bucket never versioned.
pub fn status_name(v: Versioning) -> Option<&'static str> {
    match v {
        Versioning::Off => None,
        Versioning::Enabled => Some("Enabled"),
        Versioning::Suspended => Some("Suspended"),
    }
}

/// The version a request names with `?versionId=`, `None` when it names none. An empty or
/// malformed id is refused (a well-formed one that names nothing is the handler's 404).
pub fn requested(cx: &Ctx) -> ApiResult<Option<&str>> {
    cx.query
        .get("versionId")
        .map(|v| check_id("versionId", v))
        .transpose()
}

/// `v` if it can be a version id (`null` or one ossemu makes), else InvalidArgument naming
/// the parameter `name` it came in.
pub fn check_id<'v>(name: &'static str, v: &'v str) -> ApiResult<&'v str> {
    if is_version_id(v) {
        return Ok(v);
    }
    let message = if v.is_empty() {
        "Version id cannot be the empty string"
    } else {
        "Invalid version id specified"
    };
    Err(ApiError::msg(Code::InvalidArgument, message)
        .field("ArgumentName", name)
        .field("ArgumentValue", v))
}

/// The version id a read of `rec` reports: its own, or `null` for an object written before
/// versioning was enabled; none in a bucket never versioned.
pub fn served_id<'a>(bucket: &BucketRecord, rec: &'a ObjectRecord) -> Option<&'a str> {
    match &rec.version_id {
        Some(v) => Some(v),
        None if !bucket.versioning.is_off() => Some(NULL_VERSION),
        None => None,
    }
}

/// Changes one version of an object in place (the one `version` names, else the current
/// one) with `edit`, and answers `status` naming that version.
pub async fn edit_version(
    cx: &Ctx,
    bucket: &BucketRecord,
    version: Option<&str>,
    status: StatusCode,
    edit: ossemu_store::ObjectEdit<'_, ApiError>,
) -> ApiResult<Response<Body>> {
    let done = cx
        .store()
        .edit_object(&bucket.name, cx.key()?, version, edit)
        .await?;
    let mut r = no_body(status);
    set_served(cx, r.headers_mut(), bucket, &done);
    Ok(r)
}

/// Sets `x-*-version-id` of the version a read served.
pub fn set_served(cx: &Ctx, h: &mut http::HeaderMap, bucket: &BucketRecord, rec: &ObjectRecord) {
    if let Some(v) = served_id(bucket, rec) {
        set(h, &cx.dialect.header("version-id"), v);
    }
}

/// Sets `x-*-version-id` of the version a write made (S3 names none in a suspended bucket,
/// where the write made the `null` version; OSS says `null`), and S3's `x-amz-expiration`.
pub fn set_written(cx: &Ctx, h: &mut http::HeaderMap, rec: &ObjectRecord) {
    if let Some(v) = &rec.version_id
        && !(cx.dialect == Dialect::S3 && v == NULL_VERSION)
    {
        set(h, &cx.dialect.header("version-id"), v);
    }
    super::lifecycle::set_expiration(cx, h, rec);
}

/// `x-*-delete-marker` and `x-*-version-id` of the request's dialect.
fn marker_headers(cx: &Ctx) -> (HeaderName, HeaderName) {
    let (marker, version) = match cx.dialect {
        Dialect::Oss => ("x-oss-delete-marker", "x-oss-version-id"),
        Dialect::S3 => ("x-amz-delete-marker", "x-amz-version-id"),
    };
    (
        HeaderName::from_static(marker),
        HeaderName::from_static(version),
    )
}

/// The answer to a read that reached a delete marker: 404 NoSuchKey when it is the key's
/// latest version and no version was named, 405 MethodNotAllowed when the request named it.
/// Both say `x-*-delete-marker: true` and name the marker.
pub fn marker_error(cx: &Ctx, m: &DeleteMarker, named: bool) -> ApiError {
    let e = if named {
        ApiError::new(Code::MethodNotAllowed)
            .field("Method", cx.method.as_str().to_string())
            .field("ResourceType", "DeleteMarker")
            .header(http::header::ALLOW, "DELETE")
            .header(http::header::LAST_MODIFIED, &http_date(m.modified_ms))
    } else {
        ApiError::new(Code::NoSuchKey)
    };
    let (marker, version) = marker_headers(cx);
    e.header(marker, "true").header(version, &m.version_id)
}

/// The answer to a read of a version that does not exist, or is a delete marker.
pub fn missing_version(cx: &Ctx, bucket: &str, key: &str, version_id: &str) -> ApiError {
    match cx.store().meta().get_version(bucket, key, Some(version_id)) {
        Ok(Some(ossemu_store::Version::Marker(m))) => marker_error(cx, &m, true),
        _ => ApiError::new(Code::NoSuchVersion)
            .field("Key", key.to_string())
            .field("VersionId", version_id.to_string()),
    }
}

/// The answer to a read of a key with no current object: NoSuchKey, with the delete-marker
/// headers when its latest version is one.
pub fn no_such_key(cx: &Ctx, bucket: &BucketRecord, key: &str) -> ApiError {
    if !bucket.versioning.is_off()
        && let Ok(Some(m)) = cx.store().meta().latest_marker(&bucket.name, key)
    {
        return marker_error(cx, &m, false);
    }
    ApiError::new(Code::NoSuchKey)
}
