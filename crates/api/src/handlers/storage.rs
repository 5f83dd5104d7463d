//! Storage classes of objects and RestoreObject. A write may name its object's class
//! (`x-oss-storage-class`, `x-amz-storage-class`); otherwise an object has its bucket's. Archive-class
//! objects (Archive, ColdArchive, DeepColdArchive) are read only after a RestoreObject has
//! finished, for the days it asked for. A restore finishes `--restore-delay` after it was
//! asked for, on the server's clock (which in-process tests move).

use http::{Response, StatusCode};
use ossemu_store::{BucketRecord, ObjectRecord, Restore};
use serde::Deserialize;

use super::bucket::{OSS_STORAGE_CLASSES, SMALL_BODY};
use super::{http_date, no_body, set, versioning};
use crate::body::{Body, ReqStream, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

use super::DAY_MS;

/// An OSS storage class as OSS spells it; InvalidArgument for one OSS does not have.
pub fn oss_class(name: &str) -> ApiResult<String> {
    OSS_STORAGE_CLASSES
        .iter()
        .find(|c| c.eq_ignore_ascii_case(name.trim()))
        .map(|c| c.to_string())
        .ok_or_else(|| {
            ApiError::msg(
                Code::InvalidArgument,
                format!("The storage class {name:?} is not one of {OSS_STORAGE_CLASSES:?}."),
            )
            .field("ArgumentName", "x-oss-storage-class")
            .field("ArgumentValue", name)
        })
}

/// The object's storage class (OSS spelling): its own, else its bucket's.
pub fn of(bucket: &BucketRecord, rec: &ObjectRecord) -> String {
    rec.attrs
        .storage_class
        .clone()
        .unwrap_or_else(|| bucket.storage_class.clone())
}

/// The storage classes an S3 object can have.
const S3_STORAGE_CLASSES: &[&str] = &[
    "STANDARD",
    "REDUCED_REDUNDANCY",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "GLACIER_IR",
    "OUTPOSTS",
    "SNOW",
    "EXPRESS_ONEZONE",
];

/// An S3 storage class; 400 InvalidStorageClass for one S3 does not have.
pub fn s3_class(name: &str) -> ApiResult<String> {
    S3_STORAGE_CLASSES
        .iter()
        .find(|c| **c == name.trim())
        .map(|c| c.to_string())
        .ok_or_else(|| {
            ApiError::msg(
                Code::InvalidStorageClass,
                "The storage class you specified is not valid",
            )
            .field("StorageClassRequested", name)
        })
}

/// The class as the dialect reports it. A class is kept as it was written (OSS or S3
/// names); the other dialect sees its nearest equivalent.
pub fn reported(d: Dialect, class: &str) -> String {
    let mapped = match (d, class) {
        (Dialect::Oss, "STANDARD" | "REDUCED_REDUNDANCY" | "OUTPOSTS" | "SNOW") => "Standard",
        (Dialect::Oss, "EXPRESS_ONEZONE") => "Standard",
        (Dialect::Oss, "STANDARD_IA" | "ONEZONE_IA" | "INTELLIGENT_TIERING" | "GLACIER_IR") => "IA",
        (Dialect::Oss, "GLACIER") => "Archive",
        (Dialect::Oss, "DEEP_ARCHIVE") => "ColdArchive",
        (Dialect::S3, "Standard") => "STANDARD",
        (Dialect::S3, "IA") => "STANDARD_IA",
        (Dialect::S3, "Archive") => "GLACIER",
        (Dialect::S3, "ColdArchive" | "DeepColdArchive") => "DEEP_ARCHIVE",
        _ => class,
    };
    mapped.to_string()
}

/// Whether objects of `class` must be restored before they are read.
pub fn is_archive(class: &str) -> bool {
    matches!(
        class,
        "Archive" | "ColdArchive" | "DeepColdArchive" | "GLACIER" | "DEEP_ARCHIVE"
    )
}

/// `x-oss-restore` / `x-amz-restore` and the listing's `RestoreInfo`: in progress, or done
/// with its expiry date.
pub fn restore_info(restore: &Restore, now_ms: i64) -> String {
    if now_ms < restore.ready_ms {
        "ongoing-request=\"true\"".into()
    } else {
        format!(
            "ongoing-request=\"false\", expiry-date=\"{}\"",
            http_date(restore.expiry_ms)
        )
    }
}

/// Refuses to read the body of an archived object that is not restored now.
pub fn check_readable(cx: &Ctx, bucket: &BucketRecord, rec: &ObjectRecord) -> ApiResult<()> {
    if !is_archive(&of(bucket, rec)) {
        return Ok(());
    }
    let now = cx.state.clock.now_ms();
    match &rec.restore {
        Some(r) if r.ready_ms <= now && now < r.expiry_ms => Ok(()),
        _ => Err(ApiError::msg(
            Code::InvalidObjectState,
            "The operation is not valid for the object's state",
        )),
    }
}

/// The restore headers of a read.
pub fn set_headers(cx: &Ctx, h: &mut http::HeaderMap, rec: &ObjectRecord) {
    if let Some(r) = &rec.restore {
        let now = cx.state.clock.now_ms();
        if now < r.expiry_ms {
            set(h, &cx.dialect.header("restore"), &restore_info(r, now));
        }
    }
}

/// `<RestoreRequest>`: days and (ColdArchive) a priority.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RestoreRequest {
    days: Option<String>,
    job_parameters: Option<JobParameters>,
    /// S3's priority, `<GlacierJobParameters><Tier>`.
    glacier_job_parameters: Option<JobParameters>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JobParameters {
    tier: Option<String>,
}

/// The days and tier a RestoreObject request asks for, checked against the object's class.
async fn requested(cx: &Ctx, body: ReqStream, class: &str) -> ApiResult<(i64, Option<String>)> {
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let req: RestoreRequest = if raw.iter().all(u8::is_ascii_whitespace) {
        RestoreRequest::default()
    } else {
        ossemu_xml::from_xml(&raw, "RestoreRequest", SMALL_BODY)?
    };
    let days = match req.days.as_deref().map(str::trim) {
        None => 1,
        Some(d) => d
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=365).contains(d))
            .ok_or_else(|| ApiError::msg(Code::InvalidArgument, "Days must be 1 to 365."))?,
    };
    let job = req.job_parameters.or(req.glacier_job_parameters);
    let tier = match job {
        None => None,
        // OSS: Archive objects take no priority.
        Some(_) if cx.dialect == Dialect::Oss && class == "Archive" => {
            return Err(ApiError::msg(
                Code::MalformedXML,
                "JobParameters apply to ColdArchive and DeepColdArchive objects only.",
            ));
        }
        Some(j) => match j.tier.as_deref() {
            Some(t @ ("Expedited" | "Standard" | "Bulk")) => Some(t.to_string()),
            _ => {
                return Err(ApiError::msg(
                    Code::InvalidArgument,
                    "Tier must be Expedited, Standard or Bulk.",
                ));
            }
        },
    };
    Ok((days, tier))
}

/// RestoreObject (`POST /key?restore`, `versionId` allowed): 202 when a restore starts, 200
/// when the object is restored already (its expiry moves), 409 RestoreAlreadyInProgress while
/// one is under way; objects that are not archived cannot be restored.
pub async fn restore_object(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let key = cx.key()?;
    let (rec, version) = super::acl::target_version(cx, &bucket)?;
    let rec = rec.ok_or_else(|| versioning::no_such_key(cx, &bucket, key))?;
    let class = of(&bucket, &rec);
    if !is_archive(&class) {
        return Err(ApiError::msg(
            Code::OperationNotSupported,
            "The operation is not supported for this resource",
        ));
    }
    let (days, tier) = requested(cx, body, &class).await?;
    let now = cx.state.clock.now_ms();
    let delay = i64::try_from(cx.state.config.restore_delay.as_millis()).unwrap_or(i64::MAX);
    if rec.restore.as_ref().is_some_and(|r| now < r.ready_ms) {
        return Err(ApiError::msg(
            Code::RestoreAlreadyInProgress,
            "The restore operation is in progress.",
        ));
    }
    let restored = rec.restore.as_ref().is_some_and(|r| now < r.expiry_ms);
    let edit = |cur: &ObjectRecord| -> ApiResult<ObjectRecord> {
        let restore = match (&cur.restore, restored) {
            (Some(r), true) => Restore {
                expiry_ms: now + days * DAY_MS,
                ..r.clone()
            },
            _ => Restore {
                ready_ms: now.saturating_add(delay),
                expiry_ms: now.saturating_add(delay).saturating_add(days * DAY_MS),
                tier: tier.clone(),
            },
        };
        Ok(ObjectRecord {
            restore: Some(restore),
            ..cur.clone()
        })
    };
    let done = cx
        .store()
        .edit_object(&bucket.name, key, version, &edit)
        .await?;
    let mut r = no_body(if restored {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    });
    if let Some(t) = &tier {
        set(r.headers_mut(), "x-oss-object-restore-priority", t);
    }
    versioning::set_served(cx, r.headers_mut(), &bucket, &done);
    Ok(r)
}
