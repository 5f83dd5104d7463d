//! PutBucketLifecycle (S3: PutBucketLifecycleConfiguration), GetBucketLifecycle and
//! DeleteBucketLifecycle. The rules run in [`crate::lifecycle::run`].

use http::{HeaderMap, Response, StatusCode};
use md5::{Digest, Md5};
use ossemu_store::ObjectRecord;
use ossemu_xml::lifecycle::{LifecycleConfiguration, LifecycleRule};

use super::{access_monitor, http_date, no_body, parse_content_md5, set, xml_ok};
use crate::body::{Body, ReqStream, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::lifecycle::{MAX_BODY, compile, plan, run};
use crate::request::Ctx;

/// OSS's header that lets two rules with overlapping prefixes hold the same action.
const ALLOW_OVERLAP: &str = "x-oss-allow-same-action-overlap";

/// PutBucketLifecycle: validates and replaces the bucket's rules.
pub async fn put_bucket_lifecycle(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let want_md5 = parse_content_md5(cx)?;
    let raw = read_small(body, MAX_BODY, &cx.state.buffers).await?;
    if want_md5.is_some_and(|m| <[u8; 16]>::from(Md5::digest(&raw)) != m) {
        return Err(super::digest_mismatch(cx.dialect));
    }
    let mut conf: LifecycleConfiguration =
        ossemu_xml::from_xml(&raw, "LifecycleConfiguration", MAX_BODY)?;
    let overlap = cx
        .header(ALLOW_OVERLAP)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let tracks_access = access_monitor::load(cx.store().meta(), &bucket.name)?.is_some();
    compile(&mut conf, cx.dialect, overlap, tracks_access)?;
    super::save_config(cx, &bucket.name, run::KIND, Some(&conf)).await?;
    Ok(no_body(StatusCode::OK))
}

/// GetBucketLifecycle: the rules as they were put, in the asking dialect's form; 404
/// NoSuchLifecycle (OSS) or NoSuchLifecycleConfiguration (S3) when there are none.
pub async fn get_bucket_lifecycle(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let Some(mut conf) = run::load(cx.store().meta(), &bucket.name)? else {
        return Err(ApiError::new(match cx.dialect {
            Dialect::Oss => Code::NoSuchLifecycle,
            Dialect::S3 => Code::NoSuchLifecycleConfiguration,
        }));
    };
    conf.xmlns = cx.dialect.xmlns().map(str::to_string);
    let monitor = access_monitor::load(cx.store().meta(), &bucket.name)?;
    for r in &mut conf.rules {
        dialect_form(r, cx.dialect);
        // OSS names when access tracking began, in seconds, while it is on.
        if cx.dialect == Dialect::Oss {
            r.atime_base = monitor.map(|m| m.since_ms / 1000);
        }
    }
    Ok(xml_ok(ossemu_xml::to_xml_as(
        "LifecycleConfiguration",
        &conf,
    )))
}

/// OSS always names a rule's Prefix (empty for a whole-bucket rule); S3 answers the rule
/// as it was put (a Prefix of S3's older form stays one).
fn dialect_form(r: &mut LifecycleRule, d: Dialect) {
    if d == Dialect::Oss && r.prefix.is_none() {
        let filtered = r.filter.as_ref().and_then(|f| f.prefix.clone());
        r.prefix = Some(filtered.unwrap_or_default());
    }
}

/// DeleteBucketLifecycle: 204, also when there are no rules.
pub async fn delete_bucket_lifecycle(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    super::save_config::<LifecycleConfiguration>(cx, &bucket.name, run::KIND, None).await?;
    Ok(no_body(StatusCode::NO_CONTENT))
}

/// S3's `x-amz-expiration` on a write's answer and on GET and HEAD of the current version:
/// when the bucket's rules will expire `rec` (the request's key), and by which rule.
pub fn set_expiration(cx: &Ctx, h: &mut HeaderMap, rec: &ObjectRecord) {
    if cx.dialect != Dialect::S3 || cx.query.get("versionId").is_some() {
        return;
    }
    let (Ok(bucket), Ok(key)) = (cx.bucket(), cx.key()) else {
        return;
    };
    let Ok(Some(conf)) = run::load(cx.store().meta(), bucket) else {
        return;
    };
    if let Some((at, rule)) = plan(&conf).expiry(key, rec) {
        let value = format!("expiry-date=\"{}\", rule-id=\"{rule}\"", http_date(at));
        set(h, "x-amz-expiration", &value);
    }
}
