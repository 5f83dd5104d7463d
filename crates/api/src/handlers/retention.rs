//! S3 Object Lock: the bucket's configuration (default retention), a version's retention
//! and legal hold, the lock headers of writes and reads, and the rule that keeps a locked
//! version from being deleted. Time comes from the server's [`crate::clock::Clock`].

use http::{HeaderMap, Response, StatusCode};
use ossemu_store::{BucketRecord, ObjectRecord, Retention, RetentionMode};
use ossemu_xml::bucket::{
    DefaultRetention, LegalHold, ObjectLockConfiguration, ObjectLockRule, RetentionConfiguration,
};
use serde::{Deserialize, Serialize};

use super::bucket::SMALL_BODY;
use super::{no_body, set, versioning, xml_ok};
use crate::body::{Body, ReqStream, read_small};
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// The configuration document kind holding a bucket's default retention.
const KIND: &str = "object-lock";

use super::DAY_MS;

/// A bucket's default retention, applied to versions written without one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultRule {
    /// Retention mode.
    pub mode: RetentionMode,
    /// Period in days (`years` given: 365 per year).
    pub days: i64,
    /// Whether the period was given in years (reported back that way).
    pub in_years: bool,
}

fn missing_lock() -> ApiError {
    ApiError::msg(
        Code::InvalidRequest,
        "Bucket is missing Object Lock Configuration",
    )
}

fn malformed(why: &str) -> ApiError {
    ApiError::msg(Code::MalformedXML, why.to_string())
}

/// PutObjectLockConfiguration: enables Object Lock (on a bucket whose versioning is enabled)
/// and sets or clears its default retention.
pub async fn put_configuration(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let conf: ObjectLockConfiguration =
        ossemu_xml::from_xml(&raw, "ObjectLockConfiguration", SMALL_BODY)?;
    if conf.object_lock_enabled.as_deref() != Some("Enabled") {
        return Err(malformed("ObjectLockEnabled must be Enabled."));
    }
    let rule = match conf.rule.map(|r| r.default_retention) {
        None => None,
        Some(None) => return Err(malformed("A Rule needs a DefaultRetention.")),
        Some(Some(d)) => Some(default_rule(&d)?),
    };
    if !bucket.object_lock {
        // The store refuses it while versioning is not enabled.
        cx.store().enable_object_lock(&bucket.name).await?;
    }
    let doc = rule.map(|r| serde_json::to_vec(&r)).transpose();
    let doc = doc.map_err(|e| ApiError::msg(Code::InternalError, e.to_string()))?;
    cx.store()
        .put_config(&bucket.name, KIND, doc.as_deref())
        .await?;
    Ok(no_body(StatusCode::OK))
}

/// A `<DefaultRetention>`: a mode and a positive number of days or years, not both.
fn default_rule(d: &ossemu_xml::bucket::DefaultRetention) -> ApiResult<DefaultRule> {
    let mode = d
        .mode
        .as_deref()
        .and_then(RetentionMode::parse)
        .ok_or_else(|| malformed("Mode must be GOVERNANCE or COMPLIANCE."))?;
    let number = |s: &str| {
        s.trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                ApiError::msg(
                    Code::InvalidRetentionPeriod,
                    "Default retention period must be a positive integer value.",
                )
            })
    };
    match (d.days.as_deref(), d.years.as_deref()) {
        (Some(days), None) => Ok(DefaultRule {
            mode,
            days: number(days)?,
            in_years: false,
        }),
        (None, Some(years)) => Ok(DefaultRule {
            mode,
            days: number(years)?.saturating_mul(365),
            in_years: true,
        }),
        _ => Err(malformed("DefaultRetention takes either Days or Years.")),
    }
}

/// The bucket's default retention, if it has one.
pub fn load_default(cx: &Ctx, bucket: &str) -> ApiResult<Option<DefaultRule>> {
    match cx.store().meta().get_config(bucket, KIND)? {
        None => Ok(None),
        Some(raw) => serde_json::from_slice(&raw)
            .map(Some)
            .map_err(|e| ApiError::msg(Code::InternalError, e.to_string())),
    }
}

/// GetObjectLockConfiguration.
pub async fn get_configuration(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    if !bucket.object_lock {
        return Err(ApiError::new(Code::ObjectLockConfigurationNotFoundError)
            .field("BucketName", bucket.name.clone()));
    }
    let rule = load_default(cx, &bucket.name)?.map(|r| ObjectLockRule {
        default_retention: Some(DefaultRetention {
            mode: Some(r.mode.as_str().to_string()),
            days: (!r.in_years).then(|| r.days.to_string()),
            years: r.in_years.then(|| (r.days / 365).to_string()),
        }),
    });
    let doc = ObjectLockConfiguration {
        xmlns: Some(ossemu_xml::S3_NS.to_string()),
        object_lock_enabled: Some("Enabled".into()),
        rule,
    };
    Ok(xml_ok(ossemu_xml::to_xml_as(
        "ObjectLockConfiguration",
        &doc,
    )))
}

/// The retention and legal hold a write in `bucket` gives its new version: the request's
/// `x-amz-object-lock-*` headers, else the bucket's default retention.
pub fn for_write(cx: &Ctx, bucket: &BucketRecord) -> ApiResult<(Option<Retention>, bool)> {
    let (retention, hold) = from_headers(cx, bucket)?;
    let retention = match retention {
        Some(r) => Some(r),
        None => default_retention(cx, bucket)?,
    };
    Ok((retention, hold))
}

/// The retention a new version gets from the bucket's default rule, counted from now.
pub fn default_retention(cx: &Ctx, bucket: &BucketRecord) -> ApiResult<Option<Retention>> {
    if !bucket.object_lock {
        return Ok(None);
    }
    Ok(load_default(cx, &bucket.name)?.map(|r| Retention {
        mode: r.mode,
        until_ms: cx.state.clock.now_ms().saturating_add(r.days * DAY_MS),
    }))
}

/// The retention and legal hold the request's `x-amz-object-lock-*` headers ask for
/// (checked; a bucket without Object Lock takes none).
pub fn from_headers(cx: &Ctx, bucket: &BucketRecord) -> ApiResult<(Option<Retention>, bool)> {
    let mode = cx.header("x-amz-object-lock-mode");
    let until = cx.header("x-amz-object-lock-retain-until-date");
    let hold = cx.header("x-amz-object-lock-legal-hold");
    if (mode.is_some() || until.is_some() || hold.is_some()) && !bucket.object_lock {
        return Err(missing_lock());
    }
    let legal_hold = match hold {
        None | Some("OFF") => false,
        Some("ON") => true,
        Some(_) => {
            return Err(ApiError::msg(
                Code::InvalidArgument,
                "Legal Hold must be either of 'ON' or 'OFF'",
            ));
        }
    };
    let retention = match (mode, until) {
        (None, None) => None,
        (Some(m), Some(u)) => Some(requested(cx, m, u)?),
        _ => {
            return Err(ApiError::msg(
                Code::InvalidArgument,
                "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
            ));
        }
    };
    Ok((retention, legal_hold))
}

/// A retention given as a mode and a date, which must be in the future.
fn requested(cx: &Ctx, mode: &str, until: &str) -> ApiResult<Retention> {
    let mode = RetentionMode::parse(mode)
        .ok_or_else(|| ApiError::msg(Code::InvalidArgument, "Unknown wormMode directive."))?;
    let until_ms = parse_date(until)?;
    if until_ms <= cx.state.clock.now_ms() {
        return Err(ApiError::msg(
            Code::InvalidArgument,
            "The retain until date must be in the future!",
        ));
    }
    Ok(Retention { mode, until_ms })
}

fn parse_date(s: &str) -> ApiResult<i64> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .map(|d| d.timestamp_millis())
        .map_err(|_| {
            ApiError::msg(
                Code::InvalidArgument,
                "The retain until date must be an ISO 8601 date and time.",
            )
        })
}

/// The Object Lock headers of a read (S3).
pub fn set_headers(h: &mut HeaderMap, rec: &ObjectRecord) {
    if let Some(r) = &rec.retention {
        set(h, "x-amz-object-lock-mode", r.mode.as_str());
        set(
            h,
            "x-amz-object-lock-retain-until-date",
            &super::iso8601_ms(r.until_ms),
        );
    }
    if rec.legal_hold {
        set(h, "x-amz-object-lock-legal-hold", "ON");
    }
}

/// Whether Object Lock lets `rec` be deleted for good now: not under legal hold, and past its
/// retention (a GOVERNANCE one may be bypassed with `x-amz-bypass-governance-retention`).
pub fn check_delete(cx: &Ctx, rec: &ObjectRecord) -> ApiResult<()> {
    if rec.legal_hold {
        return Err(ApiError::msg(
            Code::AccessDenied,
            "Access Denied because object protected by object lock.",
        ));
    }
    match &rec.retention {
        Some(r) if r.until_ms > cx.state.clock.now_ms() => {
            let bypass = r.mode == RetentionMode::Governance && bypasses_governance(cx);
            if bypass {
                Ok(())
            } else {
                Err(ApiError::msg(
                    Code::AccessDenied,
                    "Access Denied because object protected by object lock.",
                ))
            }
        }
        _ => Ok(()),
    }
}

fn bypasses_governance(cx: &Ctx) -> bool {
    cx.header("x-amz-bypass-governance-retention")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The object version a retention or legal-hold request addresses, readable by the caller.
fn target(cx: &Ctx, bucket: &BucketRecord) -> ApiResult<(ObjectRecord, Option<String>)> {
    if !bucket.object_lock {
        return Err(missing_lock());
    }
    let (rec, version) = super::acl::target_version(cx, bucket)?;
    let key = cx.key()?;
    crate::authz::read(cx, bucket, key, rec.as_ref())?;
    let rec = rec.ok_or_else(|| versioning::no_such_key(cx, bucket, key))?;
    Ok((rec, version.map(str::to_string)))
}

/// PutObjectRetention: sets a version's retention. Extending is always allowed; shortening
/// or removing a GOVERNANCE retention needs the bypass header, a COMPLIANCE one never.
pub async fn put_retention(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let (_, version) = target(cx, &bucket)?;
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let conf: RetentionConfiguration = ossemu_xml::from_xml(&raw, "Retention", SMALL_BODY)?;
    let new = match (conf.mode.as_deref(), conf.retain_until_date.as_deref()) {
        (Some(m), _) if RetentionMode::parse(m).is_none() => {
            return Err(malformed("Mode must be GOVERNANCE or COMPLIANCE."));
        }
        (Some(m), Some(u)) => Some(requested(cx, m, u)?),
        (None, None) => None,
        _ => return Err(malformed("Retention needs both Mode and RetainUntilDate.")),
    };
    let bypass = bypasses_governance(cx);
    let now = cx.state.clock.now_ms();
    let edit = |cur: &ObjectRecord| -> ApiResult<ObjectRecord> {
        if let Some(old) = cur.retention.filter(|r| r.until_ms > now)
            && weakens(&old, new.as_ref())
            && !(old.mode == RetentionMode::Governance && bypass)
        {
            return Err(ApiError::msg(
                Code::AccessDenied,
                "Access Denied because object protected by object lock.",
            ));
        }
        Ok(ObjectRecord {
            retention: new,
            ..cur.clone()
        })
    };
    versioning::edit_version(cx, &bucket, version.as_deref(), StatusCode::OK, &edit).await
}

/// Whether replacing `old` by `new` is more than an extension: removing it, shortening it,
/// or changing its mode (either way, as S3 has it).
fn weakens(old: &Retention, new: Option<&Retention>) -> bool {
    match new {
        None => true,
        Some(n) => n.until_ms < old.until_ms || n.mode != old.mode,
    }
}

/// GetObjectRetention.
pub async fn get_retention(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let (rec, _) = target(cx, &bucket)?;
    let r = rec.retention.ok_or_else(|| {
        ApiError::msg(
            Code::NoSuchObjectLockConfiguration,
            "The specified object does not have a ObjectLock configuration",
        )
    })?;
    let doc = RetentionConfiguration {
        xmlns: Some(ossemu_xml::S3_NS.to_string()),
        mode: Some(r.mode.as_str().to_string()),
        retain_until_date: Some(super::iso8601_ms(r.until_ms)),
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("Retention", &doc)))
}

/// PutObjectLegalHold: `ON` or `OFF`.
pub async fn put_legal_hold(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let (_, version) = target(cx, &bucket)?;
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let conf: LegalHold = ossemu_xml::from_xml(&raw, "LegalHold", SMALL_BODY)?;
    let on = match conf.status.as_deref() {
        Some("ON") => true,
        Some("OFF") => false,
        _ => return Err(malformed("Status must be ON or OFF.")),
    };
    let edit = |cur: &ObjectRecord| -> ApiResult<ObjectRecord> {
        Ok(ObjectRecord {
            legal_hold: on,
            ..cur.clone()
        })
    };
    versioning::edit_version(cx, &bucket, version.as_deref(), StatusCode::OK, &edit).await
}

/// GetObjectLegalHold.
pub async fn get_legal_hold(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let (rec, _) = target(cx, &bucket)?;
    let doc = LegalHold {
        xmlns: Some(ossemu_xml::S3_NS.to_string()),
        status: Some(if rec.legal_hold { "ON" } else { "OFF" }.to_string()),
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("LegalHold", &doc)))
}
