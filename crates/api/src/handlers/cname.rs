//! Custom domains: PutCname, DeleteCname, ListCname, CreateCnameToken and GetCnameToken.
//! A bound domain addresses its bucket (see [`crate::host`]); no DNS is checked.

use http::{Response, StatusCode};
use ossemu_store::{StoreError, now_ms};
use ossemu_xml::cname::{BucketCnameConfiguration, CnameInfo, CnameToken, ListCnameResult};

use super::bucket::SMALL_BODY;
use super::{iso8601, no_body, xml_ok};
use crate::body::{Body, ReqStream, read_small};
use crate::error::{ApiError, ApiResult, Code};
use crate::host::is_endpoint;
use crate::request::Ctx;

/// A domain name we accept for binding: DNS labels, at least two, not an endpoint domain.
pub fn valid_domain(cx: &Ctx, d: &str) -> bool {
    domain_ok(d, &cx.state.config.endpoint_domains)
}

/// [`valid_domain`] without a request: `endpoints` are the extra endpoint domains.
pub fn domain_ok(d: &str, endpoints: &[String]) -> bool {
    let labels: Vec<&str> = d.split('.').collect();
    labels.len() >= 2
        && d.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && !is_endpoint(d, endpoints)
        && !labels
            .last()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
}

async fn requested_domain(cx: &Ctx, body: ReqStream) -> ApiResult<String> {
    let raw = read_small(body, SMALL_BODY, &cx.state.buffers).await?;
    let conf: BucketCnameConfiguration =
        ossemu_xml::from_xml(&raw, "BucketCnameConfiguration", raw.len())?;
    let domain = conf.cname.domain.trim().to_ascii_lowercase();
    if !valid_domain(cx, &domain) {
        return Err(ApiError::msg(
            Code::InvalidArgument,
            format!("{domain:?} is not a domain that can be bound to a bucket."),
        )
        .field("ArgumentName", "Domain"));
    }
    Ok(domain)
}

/// PutCname: binds a domain to the bucket; 409 if another bucket has it.
pub async fn put_cname(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let domain = requested_domain(cx, body).await?;
    match cx
        .store()
        .bind_domain(&domain, &bucket.name, now_ms())
        .await
    {
        Err(StoreError::DomainTaken) => {
            return Err(ApiError::msg(
                Code::CnameAlreadyExists,
                format!("The domain {domain} is already bound to another bucket."),
            ));
        }
        other => other?,
    }
    Ok(no_body(StatusCode::OK))
}

/// DeleteCname: unbinds a domain; 404 NoSuchCname when it is not bound to this bucket.
pub async fn delete_cname(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let domain = requested_domain(cx, body).await?;
    if !cx.store().unbind_domain(&domain, &bucket.name).await? {
        return Err(ApiError::new(Code::NoSuchCname).field("Cname", domain));
    }
    Ok(no_body(StatusCode::OK))
}

/// ListCname.
pub async fn list_cname(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let doc = ListCnameResult {
        bucket: bucket.name.clone(),
        owner: bucket.owner.clone(),
        cnames: cx
            .store()
            .meta()
            .list_domains(&bucket.name)?
            .into_iter()
            .map(|(domain, when)| CnameInfo {
                domain,
                last_modified: iso8601(when),
                status: "Enabled".into(),
            })
            .collect(),
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("ListCnameResult", &doc)))
}

fn token_kind(domain: &str) -> String {
    format!("cname-token/{domain}")
}

/// CreateCnameToken: a token valid for 72 hours (ownership is never verified here).
pub async fn create_cname_token(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let domain = requested_domain(cx, body).await?;
    let expires = std::time::SystemTime::now() + std::time::Duration::from_secs(72 * 3600);
    let doc = CnameToken {
        bucket: bucket.name.clone(),
        cname: domain.clone(),
        token: format!("{:032x}", uuid::Uuid::new_v4().as_u128()),
        expire_time: httpdate::fmt_http_date(expires),
    };
    let stored = serde_json::to_vec(&doc).map_err(ApiError::internal)?;
    cx.store()
        .put_config(&bucket.name, &token_kind(&domain), Some(&stored))
        .await?;
    Ok(xml_ok(ossemu_xml::to_xml_as("CnameToken", &doc)))
}

/// GetCnameToken (`GET /?comp=token&cname=<domain>`).
pub async fn get_cname_token(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let domain = cx
        .query
        .get("cname")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let doc: CnameToken = match cx
        .store()
        .meta()
        .get_config(&bucket.name, &token_kind(&domain))?
    {
        Some(raw) => serde_json::from_slice(&raw).map_err(ApiError::internal)?,
        None => {
            return Err(ApiError::msg(
                Code::NoSuchCnameToken,
                "The token for this domain does not exist.",
            ));
        }
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("CnameToken", &doc)))
}
