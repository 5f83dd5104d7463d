//! PutBucketWebsite, GetBucketWebsite, DeleteBucketWebsite, and what a GET or HEAD that would
//! fail turns into through the bucket's website configuration: the first matching routing rule
//! (by RuleNumber), then the index document, then the error document.
//!
//! Redirects are answered only through a custom domain or an S3 website host; through the
//! standard endpoint a matching redirect rule answers 400 ExternalRedirectForbidden (with the
//! `Location` it would have sent), as OSS does. Every response a rule produced carries
//! `x-ossemu-rule: <RuleNumber>`.

use http::{HeaderValue, Response, StatusCode};
use md5::{Digest, Md5};
use ossemu_rules::{Action, Protocol, RequestFacts, Rule, Website, site};
use ossemu_store::BucketRecord;
use ossemu_xml::website as wx;

use super::object::serve_object;
use super::{no_body, parse_content_md5, set, xml_ok};
use crate::access;
use crate::body::{Body, ReqStream, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::host::Addressing;
use crate::request::Ctx;
use crate::website_convert::{model_to_oss, model_to_s3, oss_to_model, s3_to_model};

/// Configuration document kind in the store.
const KIND: &str = "website";

/// Our header naming the rule that produced a response.
pub const RULE_HEADER: &str = "x-ossemu-rule";

/// The bucket's website configuration, if any.
pub fn load(cx: &Ctx, bucket: &str) -> ApiResult<Option<Website>> {
    match cx.store().meta().get_config(bucket, KIND)? {
        None => Ok(None),
        Some(doc) => serde_json::from_slice(&doc)
            .map(Some)
            .map_err(ApiError::internal),
    }
}

fn config_error(e: ossemu_rules::ConfigError) -> ApiError {
    let code = match e.code() {
        ossemu_rules::ErrorCode::MalformedXml => Code::MalformedXML,
        ossemu_rules::ErrorCode::InvalidArgument => Code::InvalidArgument,
    };
    ApiError::msg(code, e.to_string())
}

/// PutBucketWebsite: validates and replaces the whole configuration.
pub async fn put_bucket_website(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let limit = match cx.dialect {
        Dialect::Oss => wx::MAX_BODY_BYTES,
        Dialect::S3 => wx::S3_MAX_BODY_BYTES,
    };
    if cx.content_length()?.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    let want_md5 = parse_content_md5(cx)?;
    let raw = read_small(body, limit).await.map_err(|e| {
        if e.code == Code::MaxMessageLengthExceeded {
            too_large(limit)
        } else {
            e
        }
    })?;
    if want_md5.is_some_and(|m| <[u8; 16]>::from(Md5::digest(&raw)) != m) {
        return Err(super::digest_mismatch(cx.dialect));
    }
    let mut website = if cx.dialect == Dialect::S3 || wx::declares_s3_namespace(&raw) {
        s3_to_model(wx::parse_s3(&raw)?).map_err(config_error)?
    } else {
        oss_to_model(wx::parse_oss(&raw)?).map_err(config_error)?
    };
    keep_masked_secrets(&mut website, load(cx, &bucket.name)?.as_ref());
    store(cx.store(), &bucket.name, &website).await?;
    Ok(no_body(StatusCode::OK))
}

/// Stores a validated website configuration, replacing the bucket's.
pub async fn store(store: &ossemu_store::Store, bucket: &str, website: &Website) -> ApiResult<()> {
    let doc = serde_json::to_vec(website).map_err(ApiError::internal)?;
    store.put_config(bucket, KIND, Some(&doc)).await?;
    Ok(())
}

/// Parses and validates a website configuration document of either dialect (S3 when it
/// declares the S3 namespace).
pub fn parse(raw: &[u8]) -> ApiResult<Website> {
    if raw.len() > wx::S3_MAX_BODY_BYTES {
        return Err(too_large(wx::S3_MAX_BODY_BYTES));
    }
    if wx::declares_s3_namespace(raw) {
        s3_to_model(wx::parse_s3(raw)?).map_err(config_error)
    } else {
        oss_to_model(wx::parse_oss(raw)?).map_err(config_error)
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::msg(
        Code::MaxMessageLengthExceeded,
        format!("The website configuration may be at most {limit} bytes."),
    )
}

/// A configuration read back shows MirrorAuth secrets masked; putting it back keeps the
/// stored secret of the same rule instead of storing the mask.
fn keep_masked_secrets(new: &mut Website, old: Option<&Website>) {
    let Some(old) = old else { return };
    for rule in &mut new.rules {
        let Some(auth) = rule.redirect.as_mut().and_then(|r| r.mirror.auth.as_mut()) else {
            continue;
        };
        if auth.access_key_secret.as_deref() != Some(wx::MASKED_SECRET) {
            continue;
        }
        auth.access_key_secret = old
            .rules
            .iter()
            .find(|r| r.number == rule.number)
            .and_then(|r| r.redirect.as_ref())
            .and_then(|r| r.mirror.auth.as_ref())
            .and_then(|a| a.access_key_secret.clone());
    }
}

/// GetBucketWebsite, in the request's dialect.
pub async fn get_bucket_website(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let website =
        load(cx, &bucket.name)?.ok_or_else(|| ApiError::new(Code::NoSuchWebsiteConfiguration))?;
    let xml = match cx.dialect {
        Dialect::Oss => model_to_oss(&website).to_response_xml(),
        Dialect::S3 => model_to_s3(&website).to_response_xml(),
    }
    .map_err(ApiError::internal)?;
    Ok(xml_ok(xml))
}

/// DeleteBucketWebsite: 204, also when nothing was configured.
pub async fn delete_bucket_website(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    cx.store().put_config(&bucket.name, KIND, None).await?;
    Ok(no_body(StatusCode::NO_CONTENT))
}

/// Query parameters that authenticate a request; they are never carried into a Location or
/// an origin request.
fn is_auth_param(name: &str) -> bool {
    matches!(
        name,
        "OSSAccessKeyId" | "Expires" | "Signature" | "security-token" | "AWSAccessKeyId"
    ) || name.starts_with("X-Amz-")
        || matches!(
            name,
            "x-oss-signature-version"
                | "x-oss-credential"
                | "x-oss-date"
                | "x-oss-expires"
                | "x-oss-signature"
                | "x-oss-additional-headers"
                | "x-oss-security-token"
        )
}

/// The raw query without authentication parameters.
pub fn passable_query(raw: &str) -> String {
    raw.split('&')
        .filter(|p| {
            let name = p.split('=').next().unwrap_or_default();
            !p.is_empty()
                && !is_auth_param(&percent_encoding::percent_decode_str(name).decode_utf8_lossy())
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Whether 3xx answers may be sent (custom domain or S3 website host).
fn redirects_allowed(cx: &Ctx) -> bool {
    matches!(
        cx.addressing,
        Addressing::CustomDomain(_) | Addressing::S3Website(_)
    )
}

/// Request facts for rule evaluation, built once per failed read.
pub struct Facts {
    headers: Vec<(String, String)>,
    query: String,
}

impl Facts {
    /// Collects what rules look at from the request.
    pub fn new(cx: &Ctx) -> Self {
        Self {
            headers: cx
                .headers
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
                .collect(),
            query: passable_query(&cx.query.raw),
        }
    }

    /// The borrowed view for `key` and `status`.
    pub fn view<'a>(
        &'a self,
        cx: &'a Ctx,
        key: &'a str,
        status: u16,
        headers: &'a [(&'a str, &'a str)],
    ) -> RequestFacts<'a> {
        RequestFacts {
            key,
            status,
            headers,
            query: &self.query,
            protocol: Protocol::Http,
            host: &cx.host_header,
        }
    }

    /// Header pairs borrowed for [`Facts::view`].
    pub fn header_refs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
}

fn tag_rule(resp: &mut Response<Body>, rule: &Rule) {
    set(resp.headers_mut(), RULE_HEADER, &rule.number.to_string());
}

fn redirect_response(
    cx: &Ctx,
    status: u16,
    location: &str,
    rule: Option<&Rule>,
) -> ApiResult<Response<Body>> {
    if !redirects_allowed(cx) {
        let mut err = ApiError::new(Code::ExternalRedirectForbidden)
            .field("EC", "0048-00000300")
            .field(
                "RecommendDoc",
                "https://help.aliyun.com/zh/oss/support/0048-00000300",
            )
            .header(http::header::LOCATION, location);
        if let Some(rule) = rule {
            err = err.header(
                http::HeaderName::from_static(RULE_HEADER),
                &rule.number.to_string(),
            );
        }
        return Err(err);
    }
    let mut r = no_body(StatusCode::from_u16(status).unwrap_or(StatusCode::MOVED_PERMANENTLY));
    match HeaderValue::from_str(location) {
        Ok(v) => {
            r.headers_mut().insert(http::header::LOCATION, v);
        }
        Err(_) => return Err(ApiError::internal("unrepresentable Location")),
    }
    if let Some(rule) = rule {
        tag_rule(&mut r, rule);
    }
    Ok(r)
}

/// Serves another object of the bucket (index, error page, Internal rule) if it exists and
/// the requester may read it; `status` replaces 200 (error pages).
fn serve_other(
    cx: &Ctx,
    bucket: &BucketRecord,
    key: &str,
    status: Option<StatusCode>,
) -> ApiResult<Option<Response<Body>>> {
    let Some(obj) = cx.store().open_object(&bucket.name, key)? else {
        return Ok(None);
    };
    if !access::may_read(&cx.identity, bucket, Some(&obj.rec)) {
        return Ok(None);
    }
    let mut r = serve_object(cx, obj, status.is_some())?;
    if let Some(s) = status {
        *r.status_mut() = s;
    }
    Ok(Some(r))
}

/// S3 website hosts, before the object lookup: RedirectAllRequestsTo, and rules without an
/// error-code condition (they redirect even when the object exists).
pub fn before_lookup(cx: &Ctx, website: &Website, key: &str) -> ApiResult<Option<Response<Body>>> {
    if !matches!(cx.addressing, Addressing::S3Website(_)) {
        return Ok(None);
    }
    let facts = Facts::new(cx);
    let headers = facts.header_refs();
    let view = facts.view(cx, key, 200, &headers);
    if let Some(all) = &website.redirect_all {
        let r = ossemu_rules::redirect_all_location(all, &view);
        return redirect_response(cx, r.status, &r.location, None).map(Some);
    }
    if let Some(rule) = ossemu_rules::pre_lookup_match(&website.rules, &view)
        && let Action::Redirect(r) = ossemu_rules::action(rule, &view)
    {
        return redirect_response(cx, r.status, &r.location, Some(rule)).map(Some);
    }
    Ok(None)
}

/// What a GET/HEAD of a missing or unreadable `key` turns into; `status` is what the request
/// would otherwise get (404, or 403). `None` when the configuration has nothing for it.
pub async fn after_miss(
    cx: &Ctx,
    bucket: &BucketRecord,
    website: &Website,
    key: &str,
    status: u16,
) -> ApiResult<Option<Response<Body>>> {
    let facts = Facts::new(cx);
    let headers = facts.header_refs();
    let view = facts.view(cx, key, status, &headers);
    let mut origin_said_404 = false;
    if let Some(rule) = ossemu_rules::first_match(&website.rules, &view) {
        match ossemu_rules::action(rule, &view) {
            Action::Redirect(r) => {
                return redirect_response(cx, r.status, &r.location, Some(rule)).map(Some);
            }
            Action::Internal(target) => {
                // Served once: the rewritten key is not evaluated against the rules again.
                if let Some(mut r) = serve_other(cx, bucket, &target, None)? {
                    tag_rule(&mut r, rule);
                    return Ok(Some(r));
                }
            }
            Action::Mirror(origin) if super::mirror::applies(cx, rule) => {
                match super::mirror::mirror(cx, bucket, key, rule, origin).await? {
                    Some(r) => return Ok(Some(r)),
                    // The origin does not have it either: on to the error document.
                    None => origin_said_404 = true,
                }
            }
            Action::Mirror(_) | Action::None => {}
        }
    }
    if status != 404 {
        return Ok(None);
    }
    if let Some(index) = website.index_document.as_ref().filter(|_| !origin_said_404) {
        if let Some(index_key) = site::index_key(index, key)
            && let Some(r) = serve_other(cx, bucket, &index_key, None)?
        {
            return Ok(Some(r));
        }
        match site::missing_key_plan(index, key) {
            site::MissingKeyPlan::NotFound => {}
            site::MissingKeyPlan::RedirectIfExists {
                probe_key,
                location,
            } => {
                if cx
                    .store()
                    .meta()
                    .get_object(&bucket.name, &probe_key)?
                    .is_some()
                {
                    let mut r = no_body(StatusCode::FOUND);
                    set(r.headers_mut(), "location", &location);
                    return Ok(Some(r));
                }
            }
            site::MissingKeyPlan::ServeIfExists { probe_key } => {
                if let Some(r) = serve_other(cx, bucket, &probe_key, None)? {
                    return Ok(Some(r));
                }
            }
        }
    }
    if let Some(error) = &website.error_document
        && let Some((page, code)) = site::error_page(error)
    {
        let code = StatusCode::from_u16(code).unwrap_or(StatusCode::NOT_FOUND);
        return serve_other(cx, bucket, page, Some(code));
    }
    Ok(None)
}

/// The bucket root through a website: the index page for anonymous requests and S3 website
/// hosts (a signed GET of the root lists objects, as in OSS).
pub async fn root_index(cx: &Ctx, bucket: &BucketRecord) -> ApiResult<Option<Response<Body>>> {
    let website_host = matches!(cx.addressing, Addressing::S3Website(_));
    if cx.identity.owner().is_some() && !website_host {
        return Ok(None);
    }
    let Some(website) = load(cx, &bucket.name)? else {
        return Ok(None);
    };
    if let Some(r) = before_lookup(cx, &website, "")? {
        return Ok(Some(r));
    }
    let Some(index_key) = website
        .index_document
        .as_ref()
        .and_then(|i| site::index_key(i, ""))
    else {
        return Ok(None);
    };
    // An index that exists is served (or refused) as an object; only a missing one goes on to
    // the routing rules and the error document.
    match cx.store().open_object(&bucket.name, &index_key)? {
        Some(obj) if access::may_read(&cx.identity, bucket, Some(&obj.rec)) => {
            serve_object(cx, obj, false).map(Some)
        }
        Some(_) => Err(access::denied(&cx.identity)),
        None => after_miss(cx, bucket, &website, &index_key, 404).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_parameters_are_not_passed() {
        assert_eq!(
            passable_query(
                "a=1&OSSAccessKeyId=k&Expires=5&Signature=s&b=2&X-Amz-Date=x&x-oss-process=image"
            ),
            "a=1&b=2&x-oss-process=image"
        );
        assert_eq!(passable_query(""), "");
    }
}
