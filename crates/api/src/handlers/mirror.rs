//! Mirroring-based back-to-origin: a GET (or, with MirrorAllowHeadObject, a HEAD) of a missing
//! key that matched a Mirror rule fetches `MirrorURL + key` from the origin through
//! [`ossemu_mirror`], streams it to the client and keeps it.

use http::{HeaderValue, Response, StatusCode};
use ossemu_mirror::{FetchPlan, Head, State};
use ossemu_rules::{OriginRequest, Rule};
use ossemu_store::BucketRecord;

use super::object::serve_object;
use super::website::RULE_HEADER;
use super::{http_date, no_body, set};
use crate::access;
use crate::body::{Body, full};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

/// Whether the rule mirrors this request's method and key. Keys with `.` or `..` segments are
/// never fetched: URL normalisation (even of `%2E%2E`) would let them leave the MirrorURL path.
pub fn applies(cx: &Ctx, rule: &Rule) -> bool {
    if cx
        .key
        .as_deref()
        .is_some_and(|k| k.split('/').any(|seg| seg == "." || seg == ".."))
    {
        return false;
    }
    match cx.method {
        http::Method::GET => true,
        http::Method::HEAD => rule
            .redirect
            .as_ref()
            .is_some_and(|r| r.mirror.allow_head_object == Some(true)),
        _ => false,
    }
}

fn plan(bucket: &BucketRecord, key: &str, rule: &Rule, origin: OriginRequest) -> FetchPlan {
    let m = rule
        .redirect
        .as_ref()
        .map(|r| r.mirror.clone())
        .unwrap_or_default();
    let pairs = |kv: &Option<Vec<ossemu_rules::KeyValue>>| -> Vec<(String, String)> {
        kv.iter()
            .flatten()
            .filter_map(|p| Some((p.key.clone()?, p.value.clone().unwrap_or_default())))
            .collect()
    };
    FetchPlan {
        bucket: bucket.name.clone(),
        key: key.to_string(),
        rule: rule.number,
        url: origin.url,
        slave_url: origin.slave_url,
        headers: origin.headers,
        follow_redirects: m.follows_redirects(),
        check_md5: m.check_md5 == Some(true),
        switch_all_errors: m.switch_all_errors == Some(true),
        store: m.proxy_pass != Some(true),
        transparent_codes: m.transparent_codes(),
        keep_last_modified: m.user_last_modified == Some(true),
        taggings: pairs(&m.taggings),
        owner: bucket.owner.clone(),
    }
}

/// Fetches through the rule. `None` when the origin says 404 (the caller goes on to the error
/// document and the plain 404).
pub async fn mirror(
    cx: &Ctx,
    bucket: &BucketRecord,
    key: &str,
    rule: &Rule,
    origin: OriginRequest,
) -> ApiResult<Option<Response<Body>>> {
    let return_headers: Vec<(String, String)> = rule
        .redirect
        .as_ref()
        .and_then(|r| r.mirror.return_headers.clone())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|kv| Some((kv.key?, kv.value.unwrap_or_default())))
        .collect();
    let flight = cx.state.mirror.fetch(plan(bucket, key, rule, origin));
    // HEAD and Range requests are answered from the stored object once it is complete.
    let whole_first = cx.method == http::Method::HEAD || cx.header("range").is_some();
    let state = if whole_first {
        flight.finished().await
    } else {
        flight.head().await
    };
    let mut resp = match state {
        // The object is (now) stored: served like any other, with the same read check.
        State::Present | State::Complete { stored: true, .. } => {
            match cx.store().open_object(&bucket.name, key)? {
                Some(obj) if access::may_read(&cx.identity, bucket, Some(&obj.rec)) => {
                    serve_object(cx, obj, false)?
                }
                Some(_) => return Err(access::denied(&cx.identity)),
                None => {
                    return Err(ApiError::msg(
                        Code::MirrorFailed,
                        "The mirrored object was removed before it could be served.",
                    ));
                }
            }
        }
        State::Streaming { head, .. } | State::Complete { head, .. } => {
            let mut r = Response::new(crate::body::stream(flight.body(&cx.state.mirror)));
            head_headers(cx, &head, &mut r);
            r
        }
        State::NotFound => return Ok(None),
        State::Redirect(location) => {
            let mut r = no_body(StatusCode::FOUND);
            set(r.headers_mut(), "location", &location);
            r
        }
        State::Transparent {
            status,
            content_type,
            body,
        } => {
            let mut r = Response::new(if cx.method == http::Method::HEAD {
                crate::body::empty()
            } else {
                full(body.clone())
            });
            *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            r.headers_mut()
                .insert(http::header::CONTENT_LENGTH, HeaderValue::from(body.len()));
            if let Some(ct) = content_type {
                set(r.headers_mut(), "content-type", &ct);
            }
            r
        }
        State::Failed(f) => {
            return Err(ApiError::msg(Code::MirrorFailed, f.message)
                .field("EC", "0041-00000101")
                .header(
                    http::HeaderName::from_static(RULE_HEADER),
                    &rule.number.to_string(),
                ));
        }
        State::Connecting => return Err(ApiError::internal("mirror head not ready")),
    };
    let h = resp.headers_mut();
    set(h, RULE_HEADER, &rule.number.to_string());
    for (k, v) in &return_headers {
        set(h, k, v);
    }
    Ok(Some(resp))
}

/// Headers of a response streamed while the object is being fetched (its ETag is not known
/// yet: the body has not all arrived).
fn head_headers(cx: &Ctx, head: &Head, r: &mut Response<Body>) {
    let h = r.headers_mut();
    set(h, "content-type", &head.content_type);
    for (k, v) in &head.headers {
        set(h, k, v);
    }
    set(h, "last-modified", &http_date(head.modified_ms));
    set(h, "x-oss-tag", &head.tag);
    set(h, "accept-ranges", "bytes");
    if cx.dialect == Dialect::Oss {
        set(h, "x-oss-object-type", "Normal");
        set(h, "x-oss-storage-class", "Standard");
    }
    if let Some(n) = head.content_length {
        h.insert(http::header::CONTENT_LENGTH, HeaderValue::from(n));
    }
}
