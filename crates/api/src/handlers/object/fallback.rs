//! Carries out what [`website`] decided for a GET or HEAD that would fail: a redirect, another
//! key of the bucket, a mirror fetch (whose [`mirror::Outcome`] is rendered here), the index
//! document, the error document. Every response a rule produced carries the rule's number as
//! a [`MatchedRule`] fact (the finish stage turns it into `x-ossemu-rule`).

use http::{HeaderValue, Response, StatusCode};
use ossemu_rules::{Rule, Website};
use ossemu_store::BucketRecord;

use super::serve_object;
use crate::body::{Body, full};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::handlers::mirror::{self, Outcome};
use crate::handlers::website::{self, Fallback, IndexStep, RedirectTo, RuleStep, WebRequest};
use crate::handlers::{http_date, no_body, set};
use crate::request::{Ctx, MatchedRule};

/// Marks a response as produced by a rule.
fn tag(mut r: Response<Body>, rule: Option<u32>) -> Response<Body> {
    if let Some(n) = rule {
        r.extensions_mut().insert(MatchedRule(n));
    }
    r
}

/// The answer to a redirect decision: the 3xx, or on the standard endpoint 400
/// ExternalRedirectForbidden carrying the `Location` it would have sent.
pub(super) fn redirect(r: RedirectTo) -> ApiResult<Response<Body>> {
    if !r.allowed {
        let mut err = ApiError::new(Code::ExternalRedirectForbidden)
            .field("EC", "0048-00000300")
            .field(
                "RecommendDoc",
                "https://help.aliyun.com/zh/oss/support/0048-00000300",
            )
            .header(http::header::LOCATION, &r.location);
        if let Some(n) = r.rule {
            err = err.rule(n);
        }
        return Err(err);
    }
    let mut resp = no_body(StatusCode::from_u16(r.status).unwrap_or(StatusCode::MOVED_PERMANENTLY));
    let location = HeaderValue::from_str(&r.location)
        .map_err(|_| ApiError::internal("unrepresentable Location"))?;
    resp.headers_mut().insert(http::header::LOCATION, location);
    Ok(tag(resp, r.rule))
}

/// Serves another object of the bucket (index, error page, Internal rule) if it exists and
/// the requester may read it; `status` replaces 200 (error pages, served whole).
fn serve_other(
    cx: &Ctx,
    bucket: &BucketRecord,
    key: &str,
    status: Option<StatusCode>,
) -> ApiResult<Option<Response<Body>>> {
    let Some(obj) = cx.store().open_object(&bucket.name, key)? else {
        return Ok(None);
    };
    if crate::authz::read(cx, bucket, key, Some(&obj.rec)).is_err() {
        return Ok(None);
    }
    let mut r = serve_object(cx, obj, status.is_some())?;
    if let Some(s) = status {
        *r.status_mut() = s;
    }
    Ok(Some(r))
}

/// What a GET/HEAD of a missing or unreadable `key` turns into; `status` is what the request
/// would otherwise get (404, or 403). `None` when the configuration has nothing for it.
pub(super) async fn after_miss(
    cx: &Ctx,
    bucket: &BucketRecord,
    site: &Website,
    key: &str,
    status: u16,
) -> ApiResult<Option<Response<Body>>> {
    let Fallback {
        rule,
        index,
        error_page,
    } = website::fallback(&WebRequest::of(cx), site, key, status);
    let mut origin_said_404 = false;
    match rule {
        Some(RuleStep::Redirect(r)) => return redirect(r).map(Some),
        Some(RuleStep::Internal { key, rule }) => {
            // Served once: the rewritten key is not evaluated against the rules again.
            if let Some(r) = serve_other(cx, bucket, &key, None)? {
                return Ok(Some(tag(r, Some(rule))));
            }
        }
        Some(RuleStep::Mirror { rule, origin }) => {
            match mirror::fetch(cx, bucket, key, &rule, origin).await? {
                // The origin does not have it either: on to the error document.
                Outcome::NotFound => origin_said_404 = true,
                outcome => return render_mirror(cx, bucket, key, &rule, outcome).map(Some),
            }
        }
        None => {}
    }
    if !origin_said_404 && let Some(r) = try_index(cx, bucket, &index)? {
        return Ok(Some(r));
    }
    match error_page {
        Some((page, code)) => serve_other(cx, bucket, &page, Some(code)),
        None => Ok(None),
    }
}

/// The index document steps, in order; the first that finds its key answers.
fn try_index(
    cx: &Ctx,
    bucket: &BucketRecord,
    steps: &[IndexStep],
) -> ApiResult<Option<Response<Body>>> {
    for step in steps {
        match step {
            IndexStep::Serve(key) => {
                if let Some(r) = serve_other(cx, bucket, key, None)? {
                    return Ok(Some(r));
                }
            }
            IndexStep::RedirectIfExists { probe, location } => {
                if cx.store().meta().get_object(&bucket.name, probe)?.is_some() {
                    let mut r = no_body(StatusCode::FOUND);
                    set(r.headers_mut(), "location", location);
                    return Ok(Some(r));
                }
            }
        }
    }
    Ok(None)
}

/// The response for a mirror fetch's outcome, with the rule's MirrorReturnHeaders.
fn render_mirror(
    cx: &Ctx,
    bucket: &BucketRecord,
    key: &str,
    rule: &Rule,
    outcome: Outcome,
) -> ApiResult<Response<Body>> {
    let mut resp = match outcome {
        // The object is (now) stored: served like any other, with the same read check.
        Outcome::Stored => match cx.store().open_object(&bucket.name, key)? {
            Some(obj) => {
                crate::authz::read(cx, bucket, key, Some(&obj.rec))?;
                serve_object(cx, obj, false)?
            }
            None => {
                return Err(ApiError::msg(
                    Code::MirrorFailed,
                    "The mirrored object was removed before it could be served.",
                ));
            }
        },
        Outcome::Streaming { head, body } => {
            let mut r = Response::new(crate::body::stream(body));
            streaming_headers(cx, &head, &mut r);
            r
        }
        Outcome::NotFound => return Err(ApiError::new(Code::NoSuchKey)),
        // The origin's 3xx with MirrorFollowRedirect off: OSS "returns 302 and passes through
        // Location", a 3xx a rule produced like any other, so the standard endpoint refuses
        // it with 400 ExternalRedirectForbidden as it does a redirect rule's.
        Outcome::Redirect(location) => redirect(RedirectTo {
            status: 302,
            location,
            rule: Some(rule.number),
            allowed: website::redirects_allowed(&WebRequest::of(cx)),
        })?,
        Outcome::Transparent {
            status,
            content_type,
            body,
        } => transparent(cx, status, content_type, body),
        Outcome::Failed(message) => {
            return Err(ApiError::msg(Code::MirrorFailed, message)
                .field("EC", "0041-00000101")
                .rule(rule.number));
        }
    };
    for (k, v) in mirror::return_headers(rule) {
        set(resp.headers_mut(), &k, &v);
    }
    Ok(tag(resp, Some(rule.number)))
}

/// An origin answer passed through (TransparentMirrorResponseCodes).
fn transparent(
    cx: &Ctx,
    status: u16,
    content_type: Option<String>,
    body: bytes::Bytes,
) -> Response<Body> {
    let len = body.len();
    let mut r = Response::new(if cx.method == http::Method::HEAD {
        crate::body::empty()
    } else {
        full(body)
    });
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    r.headers_mut()
        .insert(http::header::CONTENT_LENGTH, HeaderValue::from(len));
    if let Some(ct) = content_type {
        set(r.headers_mut(), "content-type", &ct);
    }
    r
}

/// Headers of a response streamed while the object is being fetched (its ETag is not known
/// yet: the body has not all arrived).
fn streaming_headers(cx: &Ctx, head: &ossemu_mirror::Head, r: &mut Response<Body>) {
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
        set(
            h,
            "x-oss-storage-class",
            &crate::handlers::storage_class(cx),
        );
    }
    if let Some(n) = head.content_length {
        h.insert(http::header::CONTENT_LENGTH, HeaderValue::from(n));
    }
}

/// The bucket root through a website: the index page for anonymous requests and S3 website
/// hosts (a signed GET of the root lists objects, as in OSS). `None`: list the bucket.
pub async fn serve_root_index(
    cx: &Ctx,
    bucket: &BucketRecord,
) -> ApiResult<Option<Response<Body>>> {
    let req = WebRequest::of(cx);
    if !website::serves_root(&req) {
        return Ok(None);
    }
    let Some(site) = website::load(cx, &bucket.name)? else {
        return Ok(None);
    };
    if let Some(r) = website::before_lookup(&req, &site, "") {
        return redirect(r).map(Some);
    }
    let Some(index_key) = website::root_index_key(&site) else {
        return Ok(None);
    };
    // An index that exists is served (or refused) as an object; only a missing one goes on to
    // the routing rules and the error document.
    match cx.store().open_object(&bucket.name, &index_key)? {
        Some(obj) => {
            crate::authz::read(cx, bucket, &index_key, Some(&obj.rec))?;
            serve_object(cx, obj, false).map(Some)
        }
        None => after_miss(cx, bucket, &site, &index_key, 404).await,
    }
}
