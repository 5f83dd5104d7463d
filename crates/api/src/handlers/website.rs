//! PutBucketWebsite, GetBucketWebsite, DeleteBucketWebsite, and the decision of what a GET or
//! HEAD that would fail turns into through the bucket's website configuration: the first
//! matching routing rule (by RuleNumber), then the index document, then the error document
//! ([`fallback`]). This module only decides; [`super::object`] carries the decision out.
//!
//! Redirects are answered only through a custom domain or an S3 website host; through the
//! standard endpoint a matching redirect rule answers 400 ExternalRedirectForbidden (with the
//! `Location` it would have sent), as OSS does.

use http::{Response, StatusCode};
use md5::{Digest, Md5};
use ossemu_rules::path::{MASK, masked_userinfo};
use ossemu_rules::{
    Action, IndexDocument, OriginRequest, Protocol, RequestFacts, Rule, Website, site,
};
use ossemu_xml::website as wx;

use super::{no_body, parse_content_md5, xml_ok};
use crate::body::{Body, ReqStream, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::host::Addressing;
use crate::request::Ctx;
use crate::website_convert::{model_to_oss, model_to_s3, oss_to_model, s3_to_model};

/// Configuration document kind in the store.
pub const KIND: &str = "website";

/// The bucket's website configuration, if any.
pub fn load(cx: &Ctx, bucket: &str) -> ApiResult<Option<Website>> {
    super::load_config(cx.store().meta(), bucket, KIND)
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
    let raw = read_small(body, limit, &cx.state.buffers)
        .await
        .map_err(|e| {
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
    let mut r = no_body(StatusCode::OK);
    // Accepted as OSS accepts it; a redirect that a rule here redirects again is reported.
    let warnings = crate::explain::redirect_warnings(cx.store().meta(), &bucket.name, &website);
    for w in &warnings {
        tracing::warn!(bucket = %bucket.name, warning = %w, "website rules");
    }
    if !warnings.is_empty() {
        super::set(r.headers_mut(), WARNING_HEADER, &warnings.join("; "));
    }
    Ok(r)
}

/// The response header of PutBucketWebsite that carries redirect-loop warnings.
pub const WARNING_HEADER: &str = "x-ossemu-warning";

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

/// A configuration read back shows MirrorAuth secrets and the passwords of origin URLs
/// masked; putting it back keeps the stored secret or URL of the same rule instead of storing
/// the mask.
fn keep_masked_secrets(new: &mut Website, old: Option<&Website>) {
    let Some(old) = old else { return };
    for rule in &mut new.rules {
        let Some(redirect) = rule.redirect.as_mut() else {
            continue;
        };
        let mut was = old
            .rules
            .iter()
            .find(|r| r.number == rule.number)
            .and_then(|r| r.redirect.clone())
            .map(|r| r.mirror)
            .unwrap_or_default();
        let was_urls = was.urls_mut();
        for url in redirect.mirror.urls_mut() {
            if !url.contains(MASK) {
                continue;
            }
            if let Some(stored) = was_urls.iter().find(|w| masked_userinfo(w) == url.as_str()) {
                *url = (**stored).clone();
            }
        }
        let Some(auth) = redirect.mirror.auth.as_mut() else {
            continue;
        };
        if auth.access_key_secret.as_deref() != Some(wx::MASKED_SECRET) {
            continue;
        }
        auth.access_key_secret = was.auth.and_then(|a| a.access_key_secret);
    }
}

/// The configuration as GetBucketWebsite shows it: origin URL credentials masked (MirrorAuth
/// secrets are masked by the XML form).
fn masked(website: &Website) -> Website {
    let mut out = website.clone();
    for rule in &mut out.rules {
        if let Some(redirect) = rule.redirect.as_mut() {
            for url in redirect.mirror.urls_mut() {
                *url = masked_userinfo(url).into_owned();
            }
        }
    }
    out
}

/// GetBucketWebsite, in the request's dialect.
pub async fn get_bucket_website(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let website =
        load(cx, &bucket.name)?.ok_or_else(|| ApiError::new(Code::NoSuchWebsiteConfiguration))?;
    let website = masked(&website);
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

/// What the website decisions look at of a request.
#[derive(Clone, Copy, Debug)]
pub struct WebRequest<'a> {
    /// GET or HEAD (Mirror rules fetch for GET, and for HEAD only when allowed).
    pub method: &'a http::Method,
    /// Request headers (IncludeHeader conditions, headers passed to an origin).
    pub headers: &'a http::HeaderMap,
    /// The raw query string.
    pub raw_query: &'a str,
    /// The Host header as sent.
    pub host: &'a str,
    /// How the host addressed the bucket.
    pub addressing: &'a Addressing,
    /// Whether the request is signed.
    pub signed: bool,
}

impl<'a> WebRequest<'a> {
    /// The view of a request context.
    pub fn of(cx: &'a Ctx) -> Self {
        Self {
            method: &cx.method,
            headers: &cx.headers,
            raw_query: &cx.query.raw,
            host: &cx.host_header,
            addressing: &cx.addressing,
            signed: cx.identity.owner().is_some(),
        }
    }
}

/// Request facts for rule evaluation, built once per decision.
struct Facts {
    headers: Vec<(String, String)>,
    query: String,
}

impl Facts {
    /// Collects what rules look at from the request.
    fn new(req: &WebRequest<'_>) -> Self {
        Self {
            headers: req
                .headers
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
                .collect(),
            query: passable_query(req.raw_query),
        }
    }

    /// Header pairs borrowed for [`Facts::view`].
    fn header_refs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// The borrowed view for `key` and `status`.
    fn view<'a>(
        &'a self,
        req: &WebRequest<'a>,
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
            host: req.host,
        }
    }
}

/// A 3xx a rule or `RedirectAllRequestsTo` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedirectTo {
    /// The 3xx status.
    pub status: u16,
    /// The `Location`.
    pub location: String,
    /// The rule's number (`None` for `RedirectAllRequestsTo`).
    pub rule: Option<u32>,
    /// Whether a 3xx may be sent: only through a custom domain or an S3 website host. On the
    /// standard endpoint the answer is 400 ExternalRedirectForbidden with this `Location`.
    pub allowed: bool,
}

/// What the first matching routing rule does for a failed read.
#[derive(Clone, Debug)]
pub enum RuleStep {
    /// Answer with a redirect.
    Redirect(RedirectTo),
    /// Serve this key of the bucket once (no further rules), if it exists and may be read.
    Internal {
        /// The rewritten key.
        key: String,
        /// The rule's number.
        rule: u32,
    },
    /// Fetch from the origin through this Mirror rule.
    Mirror {
        /// The matched rule.
        rule: Box<Rule>,
        /// What to fetch.
        origin: OriginRequest,
    },
}

/// What the index document wants checked for a missing key, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexStep {
    /// Serve this key if it exists and may be read.
    Serve(String),
    /// If `probe` exists, answer 302 with `location`.
    RedirectIfExists {
        /// The key whose existence decides.
        probe: String,
        /// The `Location` (a path relative to the request's host).
        location: String,
    },
}

/// How a GET or HEAD that would fail is answered instead, decided from the website
/// configuration alone; [`super::object`] carries it out, trying each part in order.
#[derive(Clone, Debug, Default)]
pub struct Fallback {
    /// The first matching routing rule's step.
    pub rule: Option<RuleStep>,
    /// Index document steps (skipped when a Mirror rule's origin answered 404).
    pub index: Vec<IndexStep>,
    /// The error page and the status to serve it with.
    pub error_page: Option<(String, StatusCode)>,
}

/// Whether 3xx answers may be sent (custom domain or S3 website host).
pub fn redirects_allowed(req: &WebRequest<'_>) -> bool {
    matches!(
        req.addressing,
        Addressing::CustomDomain(_) | Addressing::S3Website(_)
    )
}

/// Each rule, by RuleNumber, with the parts of its Condition that do not hold for a GET/HEAD
/// of `key` that would fail with `status` (what [`fallback`] matches on; for explain).
pub fn condition_report<'w>(
    req: &WebRequest<'_>,
    website: &'w Website,
    key: &str,
    status: u16,
) -> Vec<(&'w Rule, Vec<ossemu_rules::Miss>)> {
    let facts = Facts::new(req);
    let headers = facts.header_refs();
    let view = facts.view(req, key, status, &headers);
    let mut rules: Vec<&Rule> = website.rules.iter().collect();
    rules.sort_by_key(|r| r.number);
    rules
        .into_iter()
        .map(|r| (r, r.condition_misses(&view, true)))
        .collect()
}

/// Whether a Mirror rule fetches for this request's method and key. Keys with `.` or `..`
/// segments are never fetched: URL normalisation (even of `%2E%2E`) would let them leave the
/// MirrorURL path.
pub fn mirror_applies(req: &WebRequest<'_>, key: &str, rule: &Rule) -> bool {
    if key.split('/').any(|seg| seg == "." || seg == "..") {
        return false;
    }
    match *req.method {
        http::Method::GET => true,
        http::Method::HEAD => rule
            .redirect
            .as_ref()
            .is_some_and(|r| r.mirror.allow_head_object == Some(true)),
        _ => false,
    }
}

fn rule_step(
    req: &WebRequest<'_>,
    key: &str,
    rule: &Rule,
    view: &RequestFacts<'_>,
) -> Option<RuleStep> {
    match ossemu_rules::action(rule, view) {
        Action::Redirect(r) => Some(RuleStep::Redirect(RedirectTo {
            status: r.status,
            location: r.location,
            rule: Some(rule.number),
            allowed: redirects_allowed(req),
        })),
        Action::Internal(target) => Some(RuleStep::Internal {
            key: target,
            rule: rule.number,
        }),
        Action::Mirror(origin) if mirror_applies(req, key, rule) => Some(RuleStep::Mirror {
            rule: Box::new(rule.clone()),
            origin,
        }),
        Action::Mirror(_) | Action::None => None,
    }
}

fn index_steps(index: &IndexDocument, key: &str) -> Vec<IndexStep> {
    let mut steps = Vec::new();
    if let Some(k) = site::index_key(index, key) {
        steps.push(IndexStep::Serve(k));
    }
    match site::missing_key_plan(index, key) {
        site::MissingKeyPlan::NotFound => {}
        site::MissingKeyPlan::RedirectIfExists {
            probe_key,
            location,
        } => steps.push(IndexStep::RedirectIfExists {
            probe: probe_key,
            location,
        }),
        site::MissingKeyPlan::ServeIfExists { probe_key } => {
            steps.push(IndexStep::Serve(probe_key))
        }
    }
    steps
}

/// The fallback for a GET/HEAD of `key` that would fail with `status` (404, or 403 when the
/// requester may not read): the first matching rule (by RuleNumber), then, for a 404, the
/// index document and the error document.
pub fn fallback(req: &WebRequest<'_>, website: &Website, key: &str, status: u16) -> Fallback {
    let facts = Facts::new(req);
    let headers = facts.header_refs();
    let view = facts.view(req, key, status, &headers);
    let rule = ossemu_rules::first_match(&website.rules, &view)
        .and_then(|rule| rule_step(req, key, rule, &view));
    if status != 404 {
        return Fallback {
            rule,
            ..Fallback::default()
        };
    }
    let error_page = website.error_document.as_ref().and_then(|e| {
        let (page, code) = site::error_page(e)?;
        let code = StatusCode::from_u16(code).unwrap_or(StatusCode::NOT_FOUND);
        Some((page.to_string(), code))
    });
    Fallback {
        rule,
        index: website
            .index_document
            .as_ref()
            .map(|i| index_steps(i, key))
            .unwrap_or_default(),
        error_page,
    }
}

/// S3 website hosts, before the object lookup: RedirectAllRequestsTo, and rules without an
/// error-code condition (they redirect even when the object exists).
pub fn before_lookup(req: &WebRequest<'_>, website: &Website, key: &str) -> Option<RedirectTo> {
    if !matches!(req.addressing, Addressing::S3Website(_)) {
        return None;
    }
    let facts = Facts::new(req);
    let headers = facts.header_refs();
    let view = facts.view(req, key, 200, &headers);
    if let Some(all) = &website.redirect_all {
        let r = ossemu_rules::redirect_all_location(all, &view);
        return Some(RedirectTo {
            status: r.status,
            location: r.location,
            rule: None,
            allowed: true,
        });
    }
    let rule = ossemu_rules::pre_lookup_match(&website.rules, &view)?;
    match ossemu_rules::action(rule, &view) {
        Action::Redirect(r) => Some(RedirectTo {
            status: r.status,
            location: r.location,
            rule: Some(rule.number),
            allowed: true,
        }),
        _ => None,
    }
}

/// Whether a GET of the bucket root is a website request (anonymous, or through an S3
/// website host) rather than a listing: a signed GET of the root lists objects, as in OSS.
pub fn serves_root(req: &WebRequest<'_>) -> bool {
    !req.signed || matches!(req.addressing, Addressing::S3Website(_))
}

/// The root index key of a website, if it has one.
pub fn root_index_key(website: &Website) -> Option<String> {
    website
        .index_document
        .as_ref()
        .and_then(|i| site::index_key(i, ""))
}

#[cfg(test)]
mod tests;
