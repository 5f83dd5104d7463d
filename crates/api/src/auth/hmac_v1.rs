//! The HMAC-SHA1 schemes: OSS V1 (`Authorization: OSS ak:sig`,
//! `?OSSAccessKeyId=&Expires=&Signature=`) and AWS SigV2 (`Authorization: AWS ak:sig`,
//! `?AWSAccessKeyId=&Expires=&Signature=`). Both sign method, Content-MD5, Content-Type, a
//! date, the vendor headers and the CanonicalizedResource, and send the MAC in base64.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::mac::verify_sha1;
use super::request::{AuthError, Request, Target, join_pairs, normalize_raw_path, required};
use super::scheme::{Canonical, Scheme};
use super::time::{check_expiry, check_skew, parse_http_date, parse_iso8601_basic};
use crate::subresource;

/// A parsed HMAC-SHA1 signature (OSS V1 or AWS SigV2), header or presigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HmacV1Auth {
    /// [`Scheme::OssV1Header`], [`Scheme::OssV1Query`], [`Scheme::AwsV2Header`] or [`Scheme::AwsV2Query`].
    pub scheme: Scheme,
    /// Access key id.
    pub access_key_id: String,
    /// Base64 signature as sent.
    pub signature: String,
    /// Presigned expiry, Unix seconds (the `Expires` parameter).
    pub expires: Option<i64>,
}

/// Parses `Authorization: OSS ak:sig` / `AWS ak:sig`.
pub(super) fn parse_header(req: &Request<'_>, scheme: Scheme) -> Result<HmacV1Auth, AuthError> {
    let value = req.authorization().unwrap_or_default().trim();
    let rest = value
        .split_once(' ')
        .map(|(_, r)| r.trim())
        .unwrap_or_default();
    let (ak, sig) = rest
        .rsplit_once(':')
        .ok_or_else(|| AuthError::MalformedAuthorization(value.to_owned()))?;
    let (ak, sig) = (ak.trim(), sig.trim());
    if ak.is_empty() || sig.is_empty() {
        return Err(AuthError::MalformedAuthorization(value.to_owned()));
    }
    Ok(HmacV1Auth {
        scheme,
        access_key_id: ak.to_owned(),
        signature: sig.to_owned(),
        expires: None,
    })
}

/// Parses the presigned form; `ak_param` names the access key parameter.
pub(super) fn parse_query(
    req: &Request<'_>,
    scheme: Scheme,
    ak_param: &'static str,
) -> Result<HmacV1Auth, AuthError> {
    let ak = required(req, ak_param)?;
    let expires = required(req, "Expires")?;
    let signature = required(req, "Signature")?;
    let expires = expires
        .parse::<i64>()
        .map_err(|e| AuthError::MalformedQueryParam {
            name: "Expires",
            reason: e.to_string(),
        })?;
    Ok(HmacV1Auth {
        scheme,
        access_key_id: ak.to_owned(),
        signature: signature.to_owned(),
        expires: Some(expires),
    })
}

impl HmacV1Auth {
    /// Whether the signature matches one of `forms` under `secret` (constant-time compare).
    pub(super) fn matches_any(&self, forms: &[Canonical], secret: &str) -> bool {
        match BASE64.decode(self.signature.as_bytes()) {
            Ok(provided) => forms
                .iter()
                .any(|c| verify_sha1(secret.as_bytes(), c.string_to_sign.as_bytes(), &provided)),
            Err(_) => false,
        }
    }

    /// Presigned: not past `Expires`. Header: the request date within `max_skew` of `now`.
    pub(super) fn check_time(
        &self,
        req: &Request<'_>,
        now: i64,
        max_skew: i64,
    ) -> Result<(), AuthError> {
        match self.expires {
            Some(expires_at) => check_expiry(expires_at, now),
            None => {
                let t = request_time(req, self.scheme)?;
                check_skew(t, now, max_skew)
            }
        }
    }
}

/// The request date: the vendor date header, else `Date`; HTTP date or ISO 8601 basic.
fn request_time(req: &Request<'_>, scheme: Scheme) -> Result<i64, AuthError> {
    let own = if scheme.is_oss() {
        "x-oss-date"
    } else {
        "x-amz-date"
    };
    let value = req
        .header(own)
        .or_else(|| req.header("date"))
        .ok_or(AuthError::MissingDate)?;
    let t = parse_http_date(value).or_else(|e| parse_iso8601_basic(value.trim()).map_err(|_| e))?;
    // A date before the Unix epoch is not a valid date (S3: AccessDenied), not a skewed one.
    if t < 0 {
        return Err(AuthError::MalformedDate(value.to_string()));
    }
    Ok(t)
}

/// Lower-case `name:value\n` lines for every header whose name starts with `prefix`,
/// sorted, values trimmed, repeats joined with `,`.
fn prefixed_headers(req: &Request<'_>, prefix: &str) -> String {
    let mut names: Vec<String> = req
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names.dedup();
    let mut out = String::new();
    for name in names {
        let value = req.header_joined(&name).unwrap_or_default();
        out.push_str(&name);
        out.push(':');
        out.push_str(&value);
        out.push('\n');
    }
    out
}

/// `?k=v&k2` over the chosen query parameters, sorted by name, raw (decoded) values.
fn subresource_string<'q>(params: impl Iterator<Item = &'q (String, String)>) -> String {
    let mut items: Vec<&(String, String)> = params.collect();
    items.sort();
    let joined = join_pairs(items.into_iter().cloned(), true);
    if joined.is_empty() {
        joined
    } else {
        format!("?{joined}")
    }
}

/// OSS V1 StringToSign forms, standard first.
pub(super) fn oss_v1_forms(
    a: &HmacV1Auth,
    req: &Request<'_>,
    target: &Target<'_>,
) -> Vec<Canonical> {
    let mut resource = String::from("/");
    if let Some(bucket) = target.bucket {
        resource.push_str(bucket);
        resource.push('/');
        resource.push_str(target.key.unwrap_or_default());
    }
    // Standard: the listed names plus every `x-oss-*` name (oss2, Go v2 SDK). Variants:
    // listed names only, and no `x-oss-*` name at all (alibabacloud-oss-v2 signs V1
    // requests without `x-oss-process`).
    let listed = subresource::oss_v1_signed;
    let standard = subresource_string(
        req.query
            .iter()
            .filter(|(k, _)| listed(k) || k.starts_with("x-oss-")),
    );
    let listed_only = subresource_string(req.query.iter().filter(|(k, _)| listed(k)));
    let without_oss = subresource_string(
        req.query
            .iter()
            .filter(|(k, _)| listed(k) && !k.starts_with("x-oss-")),
    );

    let mut dates: Vec<String> = Vec::new();
    match a.expires {
        Some(e) => dates.push(e.to_string()),
        None => {
            for name in ["x-oss-date", "date"] {
                if let Some(v) = req.header(name) {
                    let v = v.trim().to_owned();
                    if !dates.contains(&v) {
                        dates.push(v);
                    }
                }
            }
            if dates.is_empty() {
                dates.push(String::new());
            }
        }
    }
    let headers = prefixed_headers(req, "x-oss-");
    let mut forms = Vec::new();
    for subresources in [&standard, &listed_only, &without_oss] {
        for date in &dates {
            let sts = format!(
                "{}\n{}\n{}\n{}\n{}{}{}",
                req.method,
                req.header("content-md5").unwrap_or_default().trim(),
                req.header("content-type").unwrap_or_default().trim(),
                date,
                headers,
                resource,
                subresources
            );
            push_unique(&mut forms, None, sts);
        }
    }
    forms
}

fn push_unique(forms: &mut Vec<Canonical>, canonical_request: Option<String>, sts: String) {
    if !forms.iter().any(|c| c.string_to_sign == sts) {
        forms.push(Canonical {
            canonical_request,
            string_to_sign: sts,
        });
    }
}

/// S3 SigV2 StringToSign forms, standard first.
pub(super) fn aws_v2_forms(
    a: &HmacV1Auth,
    req: &Request<'_>,
    target: &Target<'_>,
) -> Vec<Canonical> {
    let headers = aws_v2_headers(a, req);
    let view = Request {
        headers: &headers,
        ..*req
    };
    let dates = aws_v2_dates(a, &view);
    let subresources = subresource_string(
        req.query
            .iter()
            .filter(|(k, _)| subresource::aws_v2_signed(k)),
    );
    let amz = prefixed_headers(&view, "x-amz-");
    let mut forms = Vec::new();
    for resource in &aws_v2_resources(req, target) {
        for date in &dates {
            let sts = format!(
                "{}\n{}\n{}\n{}\n{}{}{}",
                req.method,
                view.header("content-md5").unwrap_or_default().trim(),
                view.header("content-type").unwrap_or_default().trim(),
                date,
                amz,
                resource,
                subresources
            );
            push_unique(&mut forms, None, sts);
        }
    }
    forms
}

/// The headers SigV2 signs: the request's, and for a presigned URL the `x-amz-*`,
/// Content-Type and Content-MD5 that botocore puts into the query instead.
fn aws_v2_headers(a: &HmacV1Auth, req: &Request<'_>) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = req.headers.to_vec();
    if a.expires.is_some() {
        for (k, v) in req.query {
            let lk = k.to_ascii_lowercase();
            let moved = lk.starts_with("x-amz-") || lk == "content-type" || lk == "content-md5";
            if moved && req.header(&lk).is_none() {
                headers.push((lk, v.clone()));
            }
        }
    }
    headers
}

/// The date lines SigV2 accepts: `Expires` when presigned; else empty when `x-amz-date` is
/// sent, and the `Date` header.
fn aws_v2_dates(a: &HmacV1Auth, view: &Request<'_>) -> Vec<String> {
    let mut dates: Vec<String> = Vec::new();
    match a.expires {
        Some(e) => dates.push(e.to_string()),
        None => {
            if view.header("x-amz-date").is_some() {
                dates.push(String::new());
            }
            if let Some(d) = view.header("date") {
                dates.push(d.trim().to_owned());
            }
            if dates.is_empty() {
                dates.push(String::new());
            }
        }
    }
    dates
}

/// The CanonicalizedResource paths SigV2 accepts. A bucket-level request signs `/bucket/`
/// whether the path-style request line says `/bucket` or `/bucket/` (botocore's auth_path);
/// the path as sent, and its normalized form, are variants.
fn aws_v2_resources(req: &Request<'_>, target: &Target<'_>) -> Vec<String> {
    let mut paths = vec![req.raw_path.to_owned()];
    let normalized = normalize_raw_path(req.raw_path);
    if normalized != req.raw_path {
        paths.push(normalized);
    }
    let mut resources = Vec::new();
    if let Some(bucket) = target.bucket
        && target.key.unwrap_or_default().is_empty()
    {
        resources.push(format!("/{bucket}/"));
    }
    for path in &paths {
        let resource = match target.bucket {
            Some(bucket) if target.virtual_host => format!("/{bucket}{path}"),
            _ => path.clone(),
        };
        if !resources.contains(&resource) {
            resources.push(resource);
        }
    }
    resources
}

#[cfg(test)]
mod tests;
