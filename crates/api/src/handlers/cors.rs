//! CORS: PutBucketCors, GetBucketCors, DeleteBucketCors, the OPTIONS preflight, and the CORS
//! headers added to actual requests that carry an `Origin`.

use http::{HeaderMap, Response, StatusCode};
use md5::{Digest, Md5};
use ossemu_xml::cors::{CorsConfiguration, CorsRule};

use super::{no_body, parse_content_md5, set, xml_ok};
use crate::body::{Body, ReqStream, read_small};
use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::request::Ctx;

const KIND: &str = "cors";
const MAX_BODY: usize = 64 * 1024;
const METHODS: &[&str] = &["GET", "PUT", "POST", "DELETE", "HEAD"];

/// Whether `pattern` (at most one `*`) matches `value`; headers compare case-insensitively.
fn wildcard(pattern: &str, value: &str, case_insensitive: bool) -> bool {
    let (p, v) = if case_insensitive {
        (pattern.to_ascii_lowercase(), value.to_ascii_lowercase())
    } else {
        (pattern.to_string(), value.to_string())
    };
    match p.split_once('*') {
        None => p == v,
        Some((pre, post)) => {
            v.len() >= pre.len() + post.len() && v.starts_with(pre) && v.ends_with(post)
        }
    }
}

/// The bucket's CORS configuration, if any.
pub fn load(cx: &Ctx, bucket: &str) -> ApiResult<Option<CorsConfiguration>> {
    match cx.store().meta().get_config(bucket, KIND)? {
        None => Ok(None),
        Some(raw) => serde_json::from_slice(&raw)
            .map(Some)
            .map_err(ApiError::internal),
    }
}

fn validate(c: &CorsConfiguration, d: Dialect) -> ApiResult<()> {
    let max = match d {
        Dialect::Oss => 10,
        Dialect::S3 => 100,
    };
    if c.rules.is_empty() || c.rules.len() > max {
        return Err(ApiError::msg(
            Code::MalformedXML,
            format!(
                "A CORS configuration has 1 to {max} CORSRule elements; this one has {}.",
                c.rules.len()
            ),
        ));
    }
    for (i, r) in c.rules.iter().enumerate() {
        let n = i + 1;
        if r.allowed_origins.is_empty() || r.allowed_methods.is_empty() {
            return Err(ApiError::msg(
                Code::MalformedXML,
                format!("CORSRule {n}: AllowedOrigin and AllowedMethod are required."),
            ));
        }
        if let Some(m) = r
            .allowed_methods
            .iter()
            .find(|m| !METHODS.contains(&m.as_str()))
        {
            return Err(ApiError::msg(
                Code::InvalidRequest,
                format!(
                    "CORSRule {n}: Found unsupported HTTP method in CORS config. Unsupported method is {m}"
                ),
            ));
        }
        if let Some(o) = r
            .allowed_origins
            .iter()
            .chain(&r.allowed_headers)
            .find(|o| o.matches('*').count() > 1)
        {
            return Err(ApiError::msg(
                Code::InvalidArgument,
                format!("CORSRule {n}: {o:?} can not have more than one wildcard."),
            ));
        }
    }
    Ok(())
}

/// PutBucketCors: replaces the configuration.
pub async fn put_bucket_cors(cx: &Ctx, body: ReqStream) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let want_md5 = parse_content_md5(cx)?;
    let raw = read_small(body, MAX_BODY, &cx.state.buffers).await?;
    if want_md5.is_some_and(|m| <[u8; 16]>::from(Md5::digest(&raw)) != m) {
        return Err(super::digest_mismatch(cx.dialect));
    }
    let conf = parse(&raw, cx.dialect)?;
    store(cx.store(), &bucket.name, &conf).await?;
    Ok(no_body(StatusCode::OK))
}

/// Parses and validates a CORS configuration document, in the form dialect `d` stores it.
/// OSS (as its GetBucketCors shows) keeps allowed headers lower-cased and `ResponseVary` as
/// `true`/`false`, and refuses a negative MaxAgeSeconds; S3 takes any integer there.
pub fn parse(raw: &[u8], d: Dialect) -> ApiResult<CorsConfiguration> {
    let mut conf: CorsConfiguration = ossemu_xml::from_xml(raw, "CORSConfiguration", MAX_BODY)?;
    conf.xmlns = None;
    validate(&conf, d)?;
    if d == Dialect::Oss {
        oss_form(&mut conf)?;
    }
    Ok(conf)
}

/// The OSS form of a configuration (see [`parse`]).
fn oss_form(conf: &mut CorsConfiguration) -> ApiResult<()> {
    for r in &mut conf.rules {
        if let Some(age) = r.max_age_seconds.filter(|a| *a < 0) {
            return Err(ApiError::msg(
                Code::InvalidArgument,
                "MaxAgeSeconds must be a non-negative integer.",
            )
            .field("ArgumentName", "MaxAgeSeconds")
            .field("ArgumentValue", age.to_string()));
        }
        for h in &mut r.allowed_headers {
            *h = h.to_ascii_lowercase();
        }
    }
    if let Some(v) = &mut conf.response_vary {
        *v = match v.trim() {
            t if t.eq_ignore_ascii_case("true") => "true".into(),
            t if t.eq_ignore_ascii_case("false") => "false".into(),
            _ => {
                return Err(ApiError::msg(
                    Code::MalformedXML,
                    "ResponseVary must be true or false.",
                ));
            }
        };
    }
    Ok(())
}

/// Stores a CORS configuration, replacing the bucket's.
pub async fn store(
    store: &ossemu_store::Store,
    bucket: &str,
    conf: &CorsConfiguration,
) -> ApiResult<()> {
    let doc = serde_json::to_vec(conf).map_err(ApiError::internal)?;
    store.put_config(bucket, KIND, Some(&doc)).await?;
    Ok(())
}

/// GetBucketCors, 404 NoSuchCORSConfiguration when none.
pub async fn get_bucket_cors(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let mut conf =
        load(cx, &bucket.name)?.ok_or_else(|| ApiError::new(Code::NoSuchCORSConfiguration))?;
    conf.xmlns = cx.dialect.xmlns().map(str::to_string);
    // OSS always answers ResponseVary (false when it was not put); S3 has no such element.
    conf.response_vary = match cx.dialect {
        Dialect::Oss => Some(conf.response_vary.unwrap_or_else(|| "false".into())),
        Dialect::S3 => None,
    };
    Ok(xml_ok(ossemu_xml::to_xml_as("CORSConfiguration", &conf)))
}

/// DeleteBucketCors: 204, also when none.
pub async fn delete_bucket_cors(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    cx.store().put_config(&bucket.name, KIND, None).await?;
    Ok(no_body(StatusCode::NO_CONTENT))
}

fn allow_origin(rule: &CorsRule, origin: &str) -> String {
    if rule.allowed_origins.iter().any(|o| o == "*") {
        "*".to_string()
    } else {
        origin.to_string()
    }
}

/// Added to any `Vary` already there (a compressed object read's `Accept-Encoding`).
fn vary(h: &mut HeaderMap) {
    h.append(
        http::header::VARY,
        http::HeaderValue::from_static(
            "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
        ),
    );
}

fn forbidden(message: &str) -> ApiError {
    ApiError::msg(Code::AccessForbidden, format!("CORSResponse: {message}"))
}

/// The OPTIONS preflight for a bucket or object.
pub async fn preflight(cx: &Ctx) -> ApiResult<Response<Body>> {
    let bucket = cx.load_bucket()?;
    let Some(origin) = cx.header("origin") else {
        return Err(ApiError::msg(
            Code::InvalidRequest,
            "Insufficient information. Origin request header needed.",
        ));
    };
    let Some(method) = cx.header("access-control-request-method") else {
        return Err(ApiError::msg(
            Code::InvalidRequest,
            "Invalid Access-Control-Request-Method: null",
        ));
    };
    let requested: Vec<String> = cx
        .header("access-control-request-headers")
        .map(|h| {
            h.split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let Some(conf) = load(cx, &bucket.name)? else {
        return Err(forbidden("CORS is not enabled for this bucket."));
    };
    let rule = conf.rules.iter().find(|r| {
        r.allowed_origins.iter().any(|o| wildcard(o, origin, false))
            && r.allowed_methods.iter().any(|m| m == method)
            && requested
                .iter()
                .all(|h| r.allowed_headers.iter().any(|a| wildcard(a, h, true)))
    });
    let Some(rule) = rule else {
        return Err(forbidden(
            "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
        ));
    };
    let mut r = no_body(StatusCode::OK);
    let h = r.headers_mut();
    set(
        h,
        "access-control-allow-origin",
        &allow_origin(rule, origin),
    );
    set(
        h,
        "access-control-allow-methods",
        &rule.allowed_methods.join(", "),
    );
    if !requested.is_empty() {
        set(h, "access-control-allow-headers", &requested.join(", "));
    }
    if !rule.expose_headers.is_empty() {
        set(
            h,
            "access-control-expose-headers",
            &rule.expose_headers.join(", "),
        );
    }
    if let Some(age) = rule.max_age_seconds {
        set(h, "access-control-max-age", &age.to_string());
    }
    if !rule.allowed_origins.iter().any(|o| o == "*") {
        set(h, "access-control-allow-credentials", "true");
    }
    vary(h);
    Ok(r)
}

/// Adds CORS headers to the response of an actual request that carries an `Origin` and
/// matches a rule of the addressed bucket.
pub fn decorate(cx: &Ctx, h: &mut HeaderMap) {
    let (Some(origin), Some(bucket)) = (cx.header("origin"), cx.bucket.as_deref()) else {
        return;
    };
    let Ok(Some(conf)) = load(cx, bucket) else {
        return;
    };
    let method = cx.method.as_str();
    let Some(rule) = conf.rules.iter().find(|r| {
        r.allowed_origins.iter().any(|o| wildcard(o, origin, false))
            && r.allowed_methods.iter().any(|m| m == method)
    }) else {
        return;
    };
    set(
        h,
        "access-control-allow-origin",
        &allow_origin(rule, origin),
    );
    set(
        h,
        "access-control-allow-methods",
        &rule.allowed_methods.join(", "),
    );
    if !rule.expose_headers.is_empty() {
        set(
            h,
            "access-control-expose-headers",
            &rule.expose_headers.join(", "),
        );
    }
    if !rule.allowed_origins.iter().any(|o| o == "*") {
        set(h, "access-control-allow-credentials", "true");
    }
    vary(h);
}

#[cfg(test)]
mod tests {
    use super::wildcard;

    #[test]
    fn wildcards() {
        assert!(wildcard("*", "http://a.example", false));
        assert!(wildcard(
            "http://*.example.com",
            "http://app.example.com",
            false
        ));
        assert!(!wildcard(
            "http://*.example.com",
            "https://app.example.com",
            false
        ));
        assert!(!wildcard(
            "http://*.example.com",
            "http://example.com",
            false
        ));
        assert!(wildcard("x-amz-*", "X-Amz-Date", true));
        assert!(!wildcard("x-amz-*", "x-oss-date", true));
        assert!(wildcard(
            "http://localhost:3000",
            "http://localhost:3000",
            false
        ));
    }
}
