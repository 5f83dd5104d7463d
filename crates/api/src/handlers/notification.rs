//! S3 event notification configuration: PutBucketNotificationConfiguration and
//! GetBucketNotificationConfiguration (`?notification`). Destinations name webhook targets
//! declared in the configuration file; [`crate::notify`] sends the messages.

use http::{Response, StatusCode};

use super::bucket::SMALL_BODY;
use super::{no_body, xml_ok};
use crate::body::{Body, ReqStream, read_small};
use crate::error::ApiResult;
use crate::notify::{KIND, NotificationConfiguration};
use crate::request::Ctx;

/// PutBucketNotificationConfiguration: every destination must name a declared webhook target
/// (unless `x-amz-skip-destination-validation: true`) and known events, and no two may
/// overlap; an empty configuration turns notifications off.
pub async fn put(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let mut conf: NotificationConfiguration =
        ossemu_xml::from_xml(&raw, "NotificationConfiguration", SMALL_BODY)?;
    let targets = cx.state.notify.targets();
    // S3's header for a destination that is not there yet: its events go nowhere until a
    // target of that name is declared.
    let skip = cx
        .header("x-amz-skip-destination-validation")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    conf.validate((!skip).then_some(targets.as_slice()))?;
    conf.xmlns = None;
    let doc = (!conf.is_empty()).then_some(&conf);
    super::save_config(cx, &bucket.name, KIND, doc).await?;
    Ok(no_body(StatusCode::OK))
}

/// GetBucketNotificationConfiguration: what was stored, or an empty
/// `<NotificationConfiguration/>`.
pub async fn get(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let mut conf: NotificationConfiguration =
        super::load_config(cx.store().meta(), &bucket.name, KIND)?.unwrap_or_default();
    conf.xmlns = cx.dialect.xmlns().map(str::to_string);
    Ok(xml_ok(ossemu_xml::to_xml_as(
        "NotificationConfiguration",
        &conf,
    )))
}
