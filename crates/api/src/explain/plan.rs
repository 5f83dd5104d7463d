//! The answer a request would get, found by the decisions a real request makes, in the order
//! `pipeline::handle` and `handlers::object` (GET/HEAD and the website root) make them;
//! store reads only.

use ossemu_store::BucketRecord;

use super::{Action, Answer, RuleReport};
use crate::access::Authenticated;
use crate::error::{ApiError, ApiResult};
use crate::handlers::website::{self, Fallback, IndexStep, RedirectTo, RuleStep, WebRequest};
use crate::host::Addressing;
use crate::request::Ctx;
use crate::router::Op;
use ossemu_rules::Website;

/// Fills `answer` for the request in `cx`.
pub fn plan(
    cx: &Ctx,
    op: Op,
    problem: Option<ApiError>,
    authn: ApiResult<Authenticated>,
    answer: &mut Answer,
) {
    answer.action = match decide(cx, op, problem, authn, answer) {
        Ok(a) => a,
        Err(e) => error(&e),
    };
}

fn decide(
    cx: &Ctx,
    op: Op,
    problem: Option<ApiError>,
    authn: ApiResult<Authenticated>,
    answer: &mut Answer,
) -> ApiResult<Action> {
    if let Some(e) = problem {
        return Err(e);
    }
    let authn = authn.map_err(|e| crate::pipeline::missing_bucket_first(cx, op, e))?;
    if let Some(b) = &cx.bucket {
        answer.bucket_exists = Some(cx.store().meta().get_bucket(b)?.is_some());
    }
    crate::pipeline::authorize::authorize(cx, op)?;
    crate::handlers::referer::check(cx, &authn)?;
    match (op, cx.key.as_deref()) {
        (Op::GetObject | Op::HeadObject, Some(key)) => object(cx, key, answer),
        (Op::ListObjects, None) if matches!(cx.method, http::Method::GET | http::Method::HEAD) => {
            root(cx, answer)
        }
        _ => Ok(Action {
            kind: "operation".into(),
            message: Some(format!(
                "{} is not a read: explain describes GET and HEAD of objects and website roots",
                op.name()
            )),
            ..Action::default()
        }),
    }
}

/// GET/HEAD of a key (`handlers::object::get_object`).
fn object(cx: &Ctx, key: &str, answer: &mut Answer) -> ApiResult<Action> {
    let bucket = cx.load_bucket()?;
    if cx.query.get("versionId").is_some() {
        return version(cx, &bucket, key, answer);
    }
    let site = website::load(cx, &bucket.name)?;
    let req = WebRequest::of(cx);
    if matches!(cx.addressing, Addressing::S3Website(_))
        && let Some(site) = &site
        && let Some(r) = website::before_lookup(&req, site, key)
    {
        answer
            .warnings
            .extend(super::loops::chain(cx, &bucket.name, key));
        return Ok(redirect(r));
    }
    let obj = cx.store().meta().get_object(&bucket.name, key)?;
    answer.object_exists = Some(obj.is_some());
    let readable = crate::authz::read(cx, &bucket, key, obj.as_ref());
    answer.readable = Some(readable.is_ok());
    if let Err(e) = &readable {
        answer.read_denied = e.message.as_ref().map(|m| m.to_string());
    }
    if readable.is_ok() && obj.is_some() {
        return Ok(served(key, None));
    }
    let status = if readable.is_ok() { 404 } else { 403 };
    match site {
        Some(site) => {
            answer.rules = rules(&req, &site, key, status);
            answer
                .warnings
                .extend(super::loops::chain(cx, &bucket.name, key));
            after_miss(cx, &bucket, &site, key, status)
        }
        None => Err(match readable {
            Ok(()) => crate::handlers::versioning::no_such_key(cx, &bucket, key),
            Err(e) => e,
        }),
    }
}

/// A named version: no website rule applies.
fn version(cx: &Ctx, bucket: &BucketRecord, key: &str, answer: &mut Answer) -> ApiResult<Action> {
    let v = cx.query.get("versionId").unwrap_or_default();
    let obj = cx.store().open_version(&bucket.name, key, Some(v))?;
    answer.object_exists = Some(obj.is_some());
    crate::authz::read(cx, bucket, key, obj.as_ref().map(|o| &o.rec))?;
    answer.readable = Some(true);
    match obj {
        Some(_) => Ok(served(key, None)),
        None => Err(crate::handlers::versioning::missing_version(
            cx,
            &bucket.name,
            key,
            v,
        )),
    }
}

/// The bucket root through a website (`object::fallback::serve_root_index`).
fn root(cx: &Ctx, answer: &mut Answer) -> ApiResult<Action> {
    let bucket = cx.load_bucket()?;
    let req = WebRequest::of(cx);
    let listing = || Action {
        kind: "list".into(),
        status: Some(200),
        ..Action::default()
    };
    if !website::serves_root(&req) {
        return Ok(listing());
    }
    let Some(site) = website::load(cx, &bucket.name)? else {
        return Ok(listing());
    };
    if let Some(r) = website::before_lookup(&req, &site, "") {
        return Ok(redirect(r));
    }
    let Some(index) = website::root_index_key(&site) else {
        return Ok(listing());
    };
    let obj = cx.store().meta().get_object(&bucket.name, &index)?;
    answer.object_exists = Some(obj.is_some());
    if obj.is_some() {
        crate::authz::read(cx, &bucket, &index, obj.as_ref())?;
        answer.readable = Some(true);
        return Ok(Action {
            kind: "index".into(),
            ..served(&index, None)
        });
    }
    answer.rules = rules(&req, &site, &index, 404);
    after_miss(cx, &bucket, &site, &index, 404)
}

/// `object::fallback::after_miss`: the first matching rule's step, the index document, the
/// error document, else the plain error.
fn after_miss(
    cx: &Ctx,
    bucket: &BucketRecord,
    site: &Website,
    key: &str,
    status: u16,
) -> ApiResult<Action> {
    let Fallback {
        rule,
        index,
        error_page,
    } = website::fallback(&WebRequest::of(cx), site, key, status);
    match rule {
        Some(RuleStep::Redirect(r)) => return Ok(redirect(r)),
        Some(RuleStep::Internal { key: other, rule }) if readable(cx, bucket, &other)? => {
            return Ok(served(&other, Some(rule)));
        }
        Some(RuleStep::Mirror { rule, origin }) => {
            let rest = rest(cx, bucket, key, status, &[], error_page)?;
            return Ok(Action {
                kind: "mirror".into(),
                rule: Some(rule.number),
                origin_url: Some(origin.url),
                origin_slave_url: origin.slave_url,
                origin_headers: origin.headers,
                message: Some(
                    "the origin decides: its object is streamed to the client and kept; a 404 goes on as if_origin_404 says; an unreachable origin or an error is 424 MirrorFailed"
                        .into(),
                ),
                if_origin_404: Some(Box::new(rest)),
                ..Action::default()
            });
        }
        // An Internal rewrite that finds nothing goes on with the index and error documents.
        Some(RuleStep::Internal { .. }) | None => {}
    }
    rest(cx, bucket, key, status, &index, error_page)
}

/// The index steps, the error document, the plain error.
fn rest(
    cx: &Ctx,
    bucket: &BucketRecord,
    key: &str,
    status: u16,
    index: &[IndexStep],
    error_page: Option<(String, http::StatusCode)>,
) -> ApiResult<Action> {
    for step in index {
        match step {
            IndexStep::Serve(k) if readable(cx, bucket, k)? => {
                return Ok(Action {
                    kind: "index".into(),
                    ..served(k, None)
                });
            }
            IndexStep::Serve(_) => {}
            IndexStep::RedirectIfExists { probe, location } => {
                if cx.store().meta().get_object(&bucket.name, probe)?.is_some() {
                    return Ok(Action {
                        kind: "redirect".into(),
                        status: Some(302),
                        location: Some(location.clone()),
                        ..Action::default()
                    });
                }
            }
        }
    }
    if let Some((page, code)) = error_page
        && readable(cx, bucket, &page)?
    {
        return Ok(Action {
            kind: "error-document".into(),
            status: Some(code.as_u16()),
            serves: Some(page),
            ..Action::default()
        });
    }
    Err(if status == 404 {
        crate::handlers::versioning::no_such_key(cx, bucket, key)
    } else {
        crate::access::denied(&cx.identity)
    })
}

/// Whether `key` exists and the requester may read it (`fallback::serve_other`).
fn readable(cx: &Ctx, bucket: &BucketRecord, key: &str) -> ApiResult<bool> {
    let Some(obj) = cx.store().meta().get_object(&bucket.name, key)? else {
        return Ok(false);
    };
    Ok(crate::authz::read(cx, bucket, key, Some(&obj)).is_ok())
}

fn served(key: &str, rule: Option<u32>) -> Action {
    Action {
        kind: "serve".into(),
        status: Some(200),
        serves: Some(key.to_string()),
        rule,
        ..Action::default()
    }
}

fn redirect(r: RedirectTo) -> Action {
    if r.allowed {
        return Action {
            kind: "redirect".into(),
            status: Some(r.status),
            location: Some(r.location),
            rule: r.rule,
            ..Action::default()
        };
    }
    Action {
        kind: "error".into(),
        status: Some(400),
        code: Some("ExternalRedirectForbidden".into()),
        message: Some(
            "a 3xx is sent only through a custom domain or an S3 website host; the standard endpoint answers 400 with the Location"
                .into(),
        ),
        location: Some(r.location),
        rule: r.rule,
        ..Action::default()
    }
}

fn error(e: &ApiError) -> Action {
    Action {
        kind: "error".into(),
        status: Some(e.code.status().as_u16()),
        code: Some(e.code.as_str().into()),
        message: Some(
            e.message
                .as_deref()
                .unwrap_or(e.code.default_message())
                .to_string(),
        ),
        ..Action::default()
    }
}

/// Every rule with whether it matches; the chosen one is the lowest-numbered match that acts
/// for this request.
fn rules(req: &WebRequest<'_>, site: &Website, key: &str, status: u16) -> Vec<RuleReport> {
    let mut chosen = false;
    website::condition_report(req, site, key, status)
        .into_iter()
        .map(|(rule, misses)| {
            let kind = rule
                .redirect
                .as_ref()
                .map_or("Lua".to_string(), |r| r.redirect_type.as_str().to_string());
            let matched = misses.is_empty() && rule.redirect.is_some();
            let mut report = RuleReport {
                rule: rule.number,
                kind,
                matched,
                why_not: misses.iter().map(ToString::to_string).collect(),
                ..RuleReport::default()
            };
            if rule.redirect.is_none() {
                report.why_not.push("a rule without a Redirect never matches".into());
            } else if matched && chosen {
                report.note = Some("an earlier rule matched first".into());
            } else if matched && is_idle_mirror(req, key, rule) {
                report.note = Some(
                    "matches, but a Mirror rule fetches for GET (HEAD only with MirrorAllowHeadObject) and never for keys with . or .. segments"
                        .into(),
                );
                chosen = true;
            } else if matched {
                report.chosen = true;
                chosen = true;
            }
            report
        })
        .collect()
}

fn is_idle_mirror(req: &WebRequest<'_>, key: &str, rule: &ossemu_rules::Rule) -> bool {
    rule.redirect
        .as_ref()
        .is_some_and(|r| r.redirect_type == ossemu_rules::RedirectType::Mirror)
        && !website::mirror_applies(req, key, rule)
}
