//! OSS retention policies (WORM): InitiateBucketWorm, AbortBucketWorm, CompleteBucketWorm,
//! ExtendBucketWorm, GetBucketWorm, and the rule they set: while a policy is in effect, an
//! object can be neither deleted nor overwritten until its retention period, counted from its
//! last modification, is over. An initiated policy not completed within 24 hours lapses.
//! Time comes from the server's [`crate::clock::Clock`].

use http::{Response, StatusCode};
use ossemu_store::ObjectRecord;
use ossemu_xml::bucket::{WormConfiguration, WormDays};
use serde::{Deserialize, Serialize};

use super::bucket::SMALL_BODY;
use super::{no_body, set, xml_ok};
use crate::body::{Body, ReqStream, read_small};
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// The configuration document kind holding a bucket's policy.
const KIND: &str = "worm";

use super::DAY_MS;
/// How long an initiated policy waits for CompleteBucketWorm.
const LAPSE_MS: i64 = DAY_MS;
/// The longest retention period OSS accepts (70 years).
const MAX_DAYS: i64 = 25_550;

/// A bucket's retention policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Worm {
    /// Its id (`x-oss-worm-id`).
    pub id: String,
    /// Completed (`Locked`), or still `InProgress`.
    pub locked: bool,
    /// Retention period in days.
    pub days: i64,
    /// When it was initiated, milliseconds since the Unix epoch.
    pub created_ms: i64,
}

impl Worm {
    /// Refuses the deletion or overwrite of `rec` while its retention period lasts.
    pub fn check(&self, cx: &Ctx, rec: &ObjectRecord) -> ApiResult<()> {
        protect(self.days, cx.state.clock.now_ms(), rec)
    }

    fn state(&self) -> &'static str {
        if self.locked { "Locked" } else { "InProgress" }
    }
}

/// Refuses to delete or replace `rec` before `days` from its last modification are over.
fn protect(days: i64, now_ms: i64, rec: &ObjectRecord) -> ApiResult<()> {
    let until = rec.modified_ms.saturating_add(days.saturating_mul(DAY_MS));
    if until > now_ms {
        Err(ApiError::msg(
            Code::FileImmutable,
            "The object is protected by the bucket's retention policy (WORM) until its retention period is over.",
        ))
    } else {
        Ok(())
    }
}

/// What a write that replaces an object must respect of its bucket's policy; nothing in a
/// versioned bucket, where the old object stays as a version.
#[derive(Clone, Copy, Debug, Default)]
pub struct OverwriteGuard {
    /// The policy's period in days and the time of the request.
    policy: Option<(i64, i64)>,
}

impl OverwriteGuard {
    /// The guard for a write into `bucket`.
    pub fn of(cx: &Ctx, bucket: &ossemu_store::BucketRecord) -> ApiResult<Self> {
        if !bucket.versioning.is_off() {
            return Ok(Self::default());
        }
        Ok(Self {
            policy: active(cx, &bucket.name)?.map(|w| (w.days, cx.state.clock.now_ms())),
        })
    }

    /// Refuses to replace `cur` while the policy protects it.
    pub fn check(&self, cur: Option<&ObjectRecord>) -> ApiResult<()> {
        match (self.policy, cur) {
            (Some((days, now)), Some(cur)) => protect(days, now, cur),
            _ => Ok(()),
        }
    }
}

/// The bucket's policy if one is in effect: locked, or initiated less than 24 hours ago.
pub fn active(cx: &Ctx, bucket: &str) -> ApiResult<Option<Worm>> {
    active_at(cx.store().meta(), bucket, cx.state.clock.now_ms())
}

/// [`active`] at time `now_ms`, for work outside a request (lifecycle runs).
pub fn active_at(meta: &ossemu_store::Meta, bucket: &str, now_ms: i64) -> ApiResult<Option<Worm>> {
    let Some(worm) = super::load_config::<Worm>(meta, bucket, KIND)? else {
        return Ok(None);
    };
    let lapsed = !worm.locked && worm.created_ms + LAPSE_MS <= now_ms;
    Ok((!lapsed).then_some(worm))
}

fn no_policy() -> ApiError {
    ApiError::msg(
        Code::NoSuchWORMConfiguration,
        "The WORM Configuration does not exist.",
    )
}

async fn save(cx: &Ctx, bucket: &str, worm: Option<&Worm>) -> ApiResult<()> {
    super::save_config(cx, bucket, KIND, worm).await
}

/// `RetentionPeriodInDays` of a request body: 1 to 25,550.
async fn days(cx: &Ctx, body: ReqStream, root: &'static str) -> ApiResult<i64> {
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let conf: WormDays = ossemu_xml::from_xml(&raw, root, SMALL_BODY)?;
    let text = conf.retention_period_in_days.unwrap_or_default();
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=MAX_DAYS).contains(d))
        .ok_or_else(|| {
            ApiError::msg(
                Code::InvalidWORMConfiguration,
                format!("RetentionPeriodInDays must be a number of days from 1 to {MAX_DAYS}."),
            )
        })
}

/// InitiateBucketWorm (`POST /?worm`): a policy in the InProgress state; its id is in
/// `x-oss-worm-id`.
pub async fn initiate(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let days = days(cx, body, "InitiateWormConfiguration").await?;
    if active(cx, &bucket.name)?.is_some() {
        return Err(ApiError::msg(
            Code::WORMConfigurationAlreadyExists,
            "The bucket already has a retention policy.",
        ));
    }
    let worm = Worm {
        id: format!("{:032X}", uuid::Uuid::new_v4().as_u128()),
        locked: false,
        days,
        created_ms: cx.state.clock.now_ms(),
    };
    save(cx, &bucket.name, Some(&worm)).await?;
    let mut r = no_body(StatusCode::OK);
    set(r.headers_mut(), "x-oss-worm-id", &worm.id);
    Ok(r)
}

/// AbortBucketWorm (`DELETE /?worm`): only a policy not yet locked.
pub async fn abort(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let worm = active(cx, &bucket.name)?.ok_or_else(no_policy)?;
    if worm.locked {
        return Err(locked());
    }
    save(cx, &bucket.name, None).await?;
    Ok(no_body(StatusCode::NO_CONTENT))
}

fn locked() -> ApiError {
    ApiError::msg(
        Code::WORMConfigurationLocked,
        "The retention policy is locked and cannot be removed.",
    )
}

/// The policy `?wormId=` names, in effect.
fn named(cx: &Ctx, bucket: &str) -> ApiResult<Worm> {
    let worm = active(cx, bucket)?.ok_or_else(no_policy)?;
    match cx.query.get("wormId") {
        Some(id) if id == worm.id => Ok(worm),
        Some(_) => Err(no_policy()),
        None => Err(ApiError::msg(Code::InvalidArgument, "wormId is missing.")
            .field("ArgumentName", "wormId")),
    }
}

/// CompleteBucketWorm (`POST /?wormId=`): locks an InProgress policy.
pub async fn complete(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let mut worm = named(cx, &bucket.name)?;
    if !worm.locked {
        worm.locked = true;
        save(cx, &bucket.name, Some(&worm)).await?;
    }
    Ok(no_body(StatusCode::OK))
}

/// ExtendBucketWorm (`POST /?wormExtend&wormId=`): a locked policy's period, only longer.
pub async fn extend(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let mut worm = named(cx, &bucket.name)?;
    let days = days(cx, body, "ExtendWormConfiguration").await?;
    if !worm.locked {
        return Err(ApiError::msg(
            Code::InvalidWORMConfiguration,
            "Only a locked retention policy can be extended.",
        ));
    }
    if days <= worm.days {
        return Err(ApiError::msg(
            Code::InvalidWORMConfiguration,
            "A retention policy can only be extended to a longer period.",
        ));
    }
    worm.days = days;
    save(cx, &bucket.name, Some(&worm)).await?;
    Ok(no_body(StatusCode::OK))
}

/// GetBucketWorm (`GET /?worm`).
pub async fn get(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let worm = active(cx, &bucket.name)?.ok_or_else(no_policy)?;
    let doc = WormConfiguration {
        worm_id: worm.id.clone(),
        state: worm.state().to_string(),
        retention_period_in_days: worm.days,
        creation_date: super::iso8601(worm.created_ms),
        expiration_date: (!worm.locked).then(|| super::iso8601(worm.created_ms + LAPSE_MS)),
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("WormConfiguration", &doc)))
}
