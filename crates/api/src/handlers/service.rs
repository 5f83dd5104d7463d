//! ListBuckets (GetService).

use http::Response;
use ossemu_xml::bucket::{BucketEntry, Buckets, ListAllMyBucketsResult};

use super::{iso8601, max_param, owner, xml_ok};
use crate::body::Body;
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// One bucket of the listing, in the dialect's form.
fn entry(cx: &Ctx, b: &ossemu_store::BucketRecord) -> BucketEntry {
    match cx.dialect {
        Dialect::Oss => {
            let endpoint = cx.endpoint_host();
            BucketEntry {
                creation_date: iso8601(b.created_ms),
                extranet_endpoint: Some(endpoint.clone()),
                intranet_endpoint: Some(endpoint),
                location: Some(b.location.clone()),
                name: b.name.clone(),
                region: Some(
                    b.location
                        .strip_prefix("oss-")
                        .unwrap_or(&b.location)
                        .to_string(),
                ),
                storage_class: Some(b.storage_class.clone()),
            }
        }
        Dialect::S3 => BucketEntry {
            creation_date: iso8601(b.created_ms),
            name: b.name.clone(),
            region: Some(if b.location.is_empty() {
                cx.state.config.region.clone()
            } else {
                b.location.clone()
            }),
            ..BucketEntry::default()
        },
    }
}

/// Lists the requester's buckets. OSS pages with `prefix`/`marker`/`max-keys`; S3 with
/// `prefix`/`continuation-token`/`max-buckets`.
pub async fn list_buckets(cx: &Ctx) -> ApiResult<Response<Body>> {
    let Some(me) = cx.identity.owner() else {
        return Err(ApiError::msg(
            Code::AccessDenied,
            "Anonymous users cannot list buckets.",
        ));
    };
    let prefix = cx.query.get("prefix").unwrap_or("");
    let (marker, limit_name) = match cx.dialect {
        Dialect::Oss => (cx.query.get("marker").unwrap_or(""), "max-keys"),
        Dialect::S3 => (
            cx.query.get("continuation-token").unwrap_or(""),
            "max-buckets",
        ),
    };
    let paged = cx.query.has(limit_name);
    let max = max_param(
        cx,
        limit_name,
        usize::MAX,
        if paged { 1000 } else { usize::MAX },
    )?;
    let mut mine = cx
        .store()
        .meta()
        .list_buckets()?
        .into_iter()
        .filter(|b| b.owner == me && b.name.starts_with(prefix) && b.name.as_str() > marker);
    let page: Vec<_> = mine.by_ref().take(max).collect();
    let truncated = mine.next().is_some();
    let next = truncated
        .then(|| page.last().map(|b| b.name.clone()))
        .flatten();
    let entries = page.iter().map(|b| entry(cx, b)).collect();
    let oss = cx.dialect == Dialect::Oss;
    let doc = ListAllMyBucketsResult {
        xmlns: cx.dialect.xmlns(),
        prefix: (oss && cx.query.has("prefix")).then(|| prefix.to_string()),
        marker: (oss && cx.query.has("marker")).then(|| marker.to_string()),
        max_keys: (oss && paged).then_some(max),
        is_truncated: (oss && paged).then_some(truncated),
        next_marker: if oss { next.clone() } else { None },
        owner: owner(cx, me),
        buckets: Buckets { bucket: entries },
        continuation_token: if oss { None } else { next },
    };
    Ok(xml_ok(ossemu_xml::to_xml_as(
        "ListAllMyBucketsResult",
        &doc,
    )))
}
