//! OSS access tracking: PutBucketAccessMonitor and GetBucketAccessMonitor (`?accessmonitor`),
//! the last access time it keeps per object (`x-oss-last-access-time`), which lifecycle
//! transitions with `IsAccessTime` count from, and the return to Standard on a read that
//! `ReturnToStdWhenVisit` asks for.
//!
//! A read records its time at most once a day per object (lifecycle rules count whole
//! days), so a hot object costs one metadata write a day, not one per GET. An object not
//! read since tracking began counts from then, or from its last modification if later.

use http::{HeaderMap, Response, StatusCode};
use ossemu_store::{BucketRecord, ObjectRecord};
use serde::{Deserialize, Serialize};

use super::bucket::SMALL_BODY;
use super::{DAY_MS, http_date, no_body, set, storage, xml_ok};
use crate::body::{Body, ReqStream, read_small};
use crate::error::{ApiError, ApiResult, Code};
use crate::lifecycle::run;
use crate::request::Ctx;

/// The configuration document kind holding a bucket's tracking state.
const KIND: &str = "accessMonitor";

/// A bucket's access tracking, while enabled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monitor {
    /// When tracking was enabled, ms since the epoch (GetBucketLifecycle's `AtimeBase`).
    pub since_ms: i64,
}

impl Monitor {
    /// The last access time of `rec`.
    pub fn last_access(&self, rec: &ObjectRecord) -> i64 {
        rec.accessed_ms
            .unwrap_or_else(|| rec.modified_ms.max(self.since_ms))
    }
}

/// `<AccessMonitorConfiguration>`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AccessMonitorConfiguration {
    #[serde(default)]
    status: String,
}

/// The bucket's tracking, if enabled.
pub fn load(meta: &ossemu_store::Meta, bucket: &str) -> ApiResult<Option<Monitor>> {
    super::load_config(meta, bucket, KIND)
}

/// PutBucketAccessMonitor: `Enabled` or `Disabled` (else MalformedXML). Tracking cannot be
/// turned off while a lifecycle rule counts from access times.
pub async fn put(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let conf: AccessMonitorConfiguration =
        ossemu_xml::from_xml(&raw, "AccessMonitorConfiguration", SMALL_BODY)?;
    let current = load(cx.store().meta(), &bucket.name)?;
    let doc = match (conf.status.as_str(), current) {
        ("Enabled", Some(_)) => return Ok(no_body(StatusCode::OK)),
        ("Enabled", None) => Some(Monitor {
            since_ms: cx.state.clock.now_ms(),
        }),
        ("Disabled", _) => {
            if uses_access_time(cx, &bucket.name)? {
                return Err(ApiError::msg(
                    Code::InvalidArgument,
                    "Access tracking cannot be disabled while a lifecycle rule of the bucket counts from last access times (IsAccessTime).",
                ));
            }
            None
        }
        _ => {
            return Err(ApiError::msg(
                Code::MalformedXML,
                "The access monitor Status must be Enabled or Disabled.",
            ));
        }
    };
    super::save_config(cx, &bucket.name, KIND, doc.as_ref()).await?;
    Ok(no_body(StatusCode::OK))
}

fn uses_access_time(cx: &Ctx, bucket: &str) -> ApiResult<bool> {
    let conf = run::load(cx.store().meta(), bucket)?;
    Ok(conf.is_some_and(|c| crate::lifecycle::plan(&c).uses_access_time()))
}

/// GetBucketAccessMonitor.
pub async fn get(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let doc = AccessMonitorConfiguration {
        status: status(cx, &bucket.name)?.into(),
    };
    Ok(xml_ok(ossemu_xml::to_xml_as(
        "AccessMonitorConfiguration",
        &doc,
    )))
}

/// `Enabled` or `Disabled`, as GetBucketAccessMonitor and GetBucketInfo say it.
pub fn status(cx: &Ctx, bucket: &str) -> ApiResult<&'static str> {
    Ok(match load(cx.store().meta(), bucket)? {
        Some(_) => "Enabled",
        None => "Disabled",
    })
}

/// `x-oss-last-access-time` on a read of an object of a tracked bucket (OSS dialect).
pub fn set_headers(cx: &Ctx, h: &mut HeaderMap, rec: &ObjectRecord) {
    if cx.dialect != crate::dialect::Dialect::Oss {
        return;
    }
    let Ok(bucket) = cx.bucket() else { return };
    if let Ok(Some(m)) = load(cx.store().meta(), bucket) {
        set(h, "x-oss-last-access-time", &http_date(m.last_access(rec)));
    }
}

/// A GET reached `rec`, the version of `key` it served: in a tracked bucket, record the
/// access (once a day at most) and, when a rule says so, move an object its access-time
/// rule made colder back to Standard. A failure here never fails the read.
pub async fn visited(cx: &Ctx, bucket: &BucketRecord, key: &str, rec: &ObjectRecord) {
    let meta = cx.store().meta();
    let Ok(Some(monitor)) = load(meta, &bucket.name) else {
        return;
    };
    let now = cx.state.clock.now_ms();
    // Only an object in a colder class than Standard can go back; the rules are read for
    // those alone, not on every GET.
    let class = storage::of(bucket, rec);
    let back = crate::lifecycle::rank(&class) > 0
        && matches!(run::load(meta, &bucket.name), Ok(Some(conf))
            if crate::lifecycle::plan(&conf).returns_on_visit(key, rec, &class));
    if !back && now - monitor.last_access(rec) < DAY_MS {
        return;
    }
    let edit = |cur: &ObjectRecord| {
        if cur.etag != rec.etag || cur.modified_ms != rec.modified_ms {
            return Err(());
        }
        let mut new = cur.clone();
        new.accessed_ms = Some(now);
        if back {
            new.attrs.storage_class = Some("Standard".into());
        }
        Ok(new)
    };
    let version = rec.version_id.as_deref();
    if let Err(e) = cx
        .store()
        .edit_object(&bucket.name, key, version, &edit)
        .await
    {
        tracing::debug!(bucket = %bucket.name, key, "access time not recorded: {e:?}");
    }
}
