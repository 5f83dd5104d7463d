//! ListBuckets (GetService).

use http::Response;
use ossemu_xml::bucket::{BucketEntry, Buckets, ListAllMyBucketsResult};

use super::bucket::{DEFAULT_RESOURCE_GROUP, DEFAULT_RESOURCE_GROUP_ALIAS};
use super::tagging::load_bucket_tags;
use super::{MAX_PAGE, iso8601, max_param, owner, page_size, xml_ok};
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
                resource_group_id: Some(DEFAULT_RESOURCE_GROUP.into()),
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

/// The OSS filters of a listing besides prefix and marker: bucket tags (`tag-key` with an
/// optional `tag-value`, or `tagging` with `"k1":"v1","k2":"v2"`, every pair required) and
/// the resource group (`x-oss-resource-group-id`).
#[derive(Debug, Default)]
struct Filter {
    /// Tags a bucket must have; a `None` value matches any value of the key.
    tags: Vec<(String, Option<String>)>,
    /// A resource group other than the default one was asked for: no bucket is in it.
    other_group: bool,
}

fn invalid(name: &'static str, value: &str, message: &'static str) -> ApiError {
    ApiError::msg(Code::InvalidArgument, message)
        .field("ArgumentName", name)
        .field("ArgumentValue", value)
}

impl Filter {
    /// Reads the filters of an OSS request; S3 has none of them.
    fn of(cx: &Ctx) -> ApiResult<Self> {
        if cx.dialect == Dialect::S3 {
            return Ok(Self::default());
        }
        let key = cx.query.get("tag-key");
        let value = cx.query.get("tag-value");
        let tags = match (cx.query.get("tagging"), key, value) {
            (Some(t), None, None) => parse_tagging(t)?,
            (Some(t), _, _) => {
                return Err(invalid(
                    "tagging",
                    t,
                    "The tagging parameter cannot be used with tag-key or tag-value.",
                ));
            }
            (None, Some(k), v) => vec![(k.to_string(), v.map(str::to_string))],
            (None, None, Some(v)) => {
                return Err(invalid(
                    "tag-value",
                    v,
                    "The tag-value parameter needs a tag-key.",
                ));
            }
            (None, None, None) => Vec::new(),
        };
        let other_group = cx.header("x-oss-resource-group-id").is_some_and(|g| {
            !g.is_empty() && g != DEFAULT_RESOURCE_GROUP && g != DEFAULT_RESOURCE_GROUP_ALIAS
        });
        Ok(Self { tags, other_group })
    }

    /// Whether `bucket` passes the filters.
    fn keeps(&self, cx: &Ctx, bucket: &str) -> ApiResult<bool> {
        if self.other_group {
            return Ok(false);
        }
        if self.tags.is_empty() {
            return Ok(true);
        }
        let have = load_bucket_tags(cx, bucket)?.unwrap_or_default();
        Ok(self.tags.iter().all(|(k, v)| {
            have.iter()
                .any(|(hk, hv)| hk == k && v.as_ref().is_none_or(|v| v == hv))
        }))
    }
}

/// The `tagging` filter, `"k1":"v1","k2":"v2"` (a JSON object without its braces).
fn parse_tagging(raw: &str) -> ApiResult<Vec<(String, Option<String>)>> {
    let bad = || {
        invalid(
            "tagging",
            raw,
            "The tagging parameter must be of the form \"key1\":\"value1\",\"key2\":\"value2\".",
        )
    };
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&format!("{{{raw}}}")).map_err(|_| bad())?;
    map.into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(v) => Ok((k, Some(v))),
            _ => Err(bad()),
        })
        .collect()
}

/// Lists the requester's buckets. OSS pages with `prefix`/`marker`/`max-keys` (100 by
/// default, 1 to 1000) and names the page (Prefix, Marker, MaxKeys, IsTruncated,
/// NextMarker) only when it is not the whole list; S3 with
/// `prefix`/`continuation-token`/`max-buckets` (everything by default).
pub async fn list_buckets(cx: &Ctx) -> ApiResult<Response<Body>> {
    let Some(me) = cx.identity.owner() else {
        return Err(ApiError::msg(
            Code::AccessDenied,
            "Anonymous users cannot list buckets.",
        ));
    };
    let prefix = cx.query.get("prefix").unwrap_or("");
    let oss = cx.dialect == Dialect::Oss;
    let (marker, max) = if oss {
        (
            cx.query.get("marker").unwrap_or(""),
            page_size(cx, "max-keys", 100, Some("0017-00000289"))?,
        )
    } else {
        let paged = cx.query.has("max-buckets");
        (
            cx.query.get("continuation-token").unwrap_or(""),
            max_param(
                cx,
                "max-buckets",
                usize::MAX,
                if paged { MAX_PAGE } else { usize::MAX },
            )?,
        )
    };
    let filter = Filter::of(cx)?;
    let mut kept = Vec::new();
    for b in cx.store().meta().list_buckets()? {
        if b.owner == me
            && b.name.starts_with(prefix)
            && b.name.as_str() > marker
            && filter.keeps(cx, &b.name)?
        {
            kept.push(b);
        }
    }
    let mut mine = kept.into_iter();
    let page: Vec<_> = mine.by_ref().take(max).collect();
    let truncated = mine.next().is_some();
    let next = truncated
        .then(|| page.last().map(|b| b.name.clone()))
        .flatten();
    let entries = page.iter().map(|b| entry(cx, b)).collect();
    let partial = oss && truncated;
    let doc = ListAllMyBucketsResult {
        xmlns: cx.dialect.xmlns(),
        prefix: partial.then(|| prefix.to_string()),
        marker: partial.then(|| marker.to_string()),
        max_keys: partial.then_some(max),
        is_truncated: partial.then_some(true),
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
