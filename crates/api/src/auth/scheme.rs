//! Which scheme a request uses ([`detect_scheme`]), its parsed parameters ([`ParsedAuth`]) and
//! the verifier flow over them: [`parse_auth`] → [`ParsedAuth::check_time`] →
//! [`ParsedAuth::verify`]. On a mismatch the error carries the server's `StringToSign` (and
//! `CanonicalRequest` for the V4 schemes) for the error body.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::aws_v4::{self, AWS4_ALGORITHM};
use super::hmac_v1::{self, HmacV1Auth};
use super::mac::hmac_sha1;
use super::oss_v2::{self, OSS2_ALGORITHM, OssV2Auth};
use super::oss_v4::{self, OSS4_ALGORITHM};
use super::request::{AuthError, Request, Target};
use super::v4::{self, V4Auth};
use crate::subresource;

/// The authentication scheme of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `Authorization: OSS ak:sig`.
    OssV1Header,
    /// `?OSSAccessKeyId=&Expires=&Signature=`.
    OssV1Query,
    /// `Authorization: OSS2 AccessKeyId:…,Signature:…`.
    OssV2Header,
    /// `?x-oss-signature-version=OSS2&x-oss-access-key-id=…`.
    OssV2Query,
    /// `Authorization: OSS4-HMAC-SHA256 Credential=…`.
    OssV4Header,
    /// `?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=…`.
    OssV4Query,
    /// `Authorization: AWS4-HMAC-SHA256 Credential=…`.
    AwsV4Header,
    /// `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…`.
    AwsV4Query,
    /// `Authorization: AWS ak:sig`.
    AwsV2Header,
    /// `?AWSAccessKeyId=&Expires=&Signature=`.
    AwsV2Query,
}

impl Scheme {
    /// Whether the scheme belongs to the OSS dialect.
    pub fn is_oss(self) -> bool {
        matches!(
            self,
            Self::OssV1Header
                | Self::OssV1Query
                | Self::OssV2Header
                | Self::OssV2Query
                | Self::OssV4Header
                | Self::OssV4Query
        )
    }

    /// Whether the signature travels in the query string (presigned URL).
    pub fn is_presigned(self) -> bool {
        matches!(
            self,
            Self::OssV1Query
                | Self::OssV2Query
                | Self::OssV4Query
                | Self::AwsV4Query
                | Self::AwsV2Query
        )
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Self::OssV1Header => "OSS V1 header",
            Self::OssV1Query => "OSS V1 presigned URL",
            Self::OssV2Header => "OSS V2 header",
            Self::OssV2Query => "OSS V2 presigned URL",
            Self::OssV4Header => "OSS V4 header",
            Self::OssV4Query => "OSS V4 presigned URL",
            Self::AwsV4Header => "AWS SigV4 header",
            Self::AwsV4Query => "AWS SigV4 presigned URL",
            Self::AwsV2Header => "AWS SigV2 header",
            Self::AwsV2Query => "AWS SigV2 presigned URL",
        };
        f.write_str(s)
    }
}

/// Tells which scheme a request uses; `Ok(None)` for an anonymous request.
pub fn detect_scheme(req: &Request<'_>) -> Result<Option<Scheme>, AuthError> {
    let header = match req.authorization() {
        None => None,
        Some(v) => Some(header_scheme(v)?),
    };
    let query = query_scheme(req)?;
    match (header, query) {
        (Some(_), Some(_)) => Err(AuthError::MixedAuth),
        (h, q) => Ok(h.or(q)),
    }
}

fn header_scheme(value: &str) -> Result<Scheme, AuthError> {
    let value = value.trim_start();
    let (algo, _) = value.split_once(' ').unwrap_or((value, ""));
    match algo {
        OSS4_ALGORITHM => Ok(Scheme::OssV4Header),
        "OSS" => Ok(Scheme::OssV1Header),
        OSS2_ALGORITHM => Ok(Scheme::OssV2Header),
        AWS4_ALGORITHM => Ok(Scheme::AwsV4Header),
        "AWS" => Ok(Scheme::AwsV2Header),
        other => Err(AuthError::Unsupported(other.to_owned())),
    }
}

fn query_scheme(req: &Request<'_>) -> Result<Option<Scheme>, AuthError> {
    let mut found = Vec::new();
    if let Some(v) = req.query_param("x-oss-signature-version") {
        match v {
            OSS4_ALGORITHM => found.push(Scheme::OssV4Query),
            OSS2_ALGORITHM => found.push(Scheme::OssV2Query),
            _ => return Err(AuthError::Unsupported(v.to_owned())),
        }
    } else if req.has_query("x-oss-credential") || req.has_query("x-oss-signature") {
        found.push(Scheme::OssV4Query);
    }
    if req.has_query("X-Amz-Algorithm")
        || req.has_query("X-Amz-Credential")
        || req.has_query("X-Amz-Signature")
    {
        found.push(Scheme::AwsV4Query);
    }
    if req.has_query("OSSAccessKeyId") {
        found.push(Scheme::OssV1Query);
    }
    if req.has_query("AWSAccessKeyId") {
        found.push(Scheme::AwsV2Query);
    }
    if found.is_empty() && req.has_query("Signature") {
        // `Signature`/`Expires` without an access key id: report it as the OSS form, whose
        // parser then names the missing parameter.
        found.push(Scheme::OssV1Query);
    }
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        _ => Err(AuthError::MixedAuth),
    }
}

/// A request's parsed authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedAuth {
    /// OSS V1 or AWS SigV2.
    HmacV1(HmacV1Auth),
    /// OSS V2.
    OssV2(OssV2Auth),
    /// OSS V4 or AWS SigV4.
    V4(V4Auth),
}

/// Whether a query parameter is part of what `scheme` signs (presigned and header forms
/// alike). V4 schemes sign the whole query; the HMAC-SHA1 schemes only their sub-resources.
pub fn signs_query_param(scheme: Scheme, name: &str) -> bool {
    match scheme {
        Scheme::OssV1Header | Scheme::OssV1Query => {
            subresource::oss_v1_signed(name) || name.starts_with("x-oss-")
        }
        Scheme::AwsV2Header | Scheme::AwsV2Query => subresource::aws_v2_signed(name),
        Scheme::OssV2Header | Scheme::OssV2Query => name != "x-oss-signature",
        Scheme::OssV4Header | Scheme::OssV4Query | Scheme::AwsV4Header | Scheme::AwsV4Query => true,
    }
}

/// Whether a header is part of what the parsed signature signs. `signed` is the V4
/// SignedHeaders (AWS) or AdditionalHeaders (OSS) list. OSS V1 signs every `x-oss-*` header,
/// AWS V2 every `x-amz-*` one, OSS V4 every `x-oss-*` one plus its list, AWS V4 its list.
pub fn signs_header(scheme: Scheme, signed: &[String], name: &str) -> bool {
    let listed = signed.iter().any(|h| h.eq_ignore_ascii_case(name));
    match scheme {
        Scheme::OssV1Header | Scheme::OssV1Query => name.starts_with("x-oss-"),
        Scheme::AwsV2Header | Scheme::AwsV2Query => name.starts_with("x-amz-"),
        Scheme::OssV2Header | Scheme::OssV2Query => name.starts_with("x-oss-") || listed,
        Scheme::OssV4Header | Scheme::OssV4Query => name.starts_with("x-oss-") || listed,
        Scheme::AwsV4Header | Scheme::AwsV4Query => listed,
    }
}

/// Detects the scheme and parses its parameters; `Ok(None)` for an anonymous request.
pub fn parse_auth(req: &Request<'_>) -> Result<Option<ParsedAuth>, AuthError> {
    let Some(scheme) = detect_scheme(req)? else {
        return Ok(None);
    };
    let parsed = match scheme {
        Scheme::OssV1Header | Scheme::AwsV2Header => {
            ParsedAuth::HmacV1(hmac_v1::parse_header(req, scheme)?)
        }
        Scheme::OssV1Query => {
            ParsedAuth::HmacV1(hmac_v1::parse_query(req, scheme, "OSSAccessKeyId")?)
        }
        Scheme::AwsV2Query => {
            ParsedAuth::HmacV1(hmac_v1::parse_query(req, scheme, "AWSAccessKeyId")?)
        }
        Scheme::OssV4Header | Scheme::AwsV4Header => ParsedAuth::V4(v4::parse_header(req, scheme)?),
        Scheme::OssV2Header => ParsedAuth::OssV2(oss_v2::parse_header(req)?),
        Scheme::OssV2Query => ParsedAuth::OssV2(oss_v2::parse_query(req)?),
        Scheme::OssV4Query => ParsedAuth::V4(oss_v4::parse_query(req)?),
        Scheme::AwsV4Query => ParsedAuth::V4(aws_v4::parse_query(req)?),
    };
    Ok(Some(parsed))
}

/// What the server signs for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    /// V4 CanonicalRequest; `None` for the HMAC-SHA1 schemes, which sign the string directly.
    pub canonical_request: Option<String>,
    /// The StringToSign.
    pub string_to_sign: String,
}

impl ParsedAuth {
    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        match self {
            Self::HmacV1(a) => a.scheme,
            Self::OssV2(a) => a.scheme,
            Self::V4(a) => a.scheme,
        }
    }

    /// Access key id the client claims.
    pub fn access_key_id(&self) -> &str {
        match self {
            Self::HmacV1(a) => &a.access_key_id,
            Self::OssV2(a) => &a.access_key_id,
            Self::V4(a) => &a.credential.access_key_id,
        }
    }

    /// Signature as sent (base64 for V1/V2, hex for V4).
    pub fn signature(&self) -> &str {
        match self {
            Self::HmacV1(a) => &a.signature,
            Self::OssV2(a) => &a.signature,
            Self::V4(a) => &a.signature,
        }
    }

    /// The server's canonical forms: the standard one first, then variants it also
    /// accepts (a raw versus re-encoded path, `x-oss-date` versus `Date`, …). Never empty.
    pub fn canonical_forms(
        &self,
        req: &Request<'_>,
        target: &Target<'_>,
    ) -> Result<Vec<Canonical>, AuthError> {
        match self {
            Self::HmacV1(a) if a.scheme.is_oss() => Ok(hmac_v1::oss_v1_forms(a, req, target)),
            Self::HmacV1(a) => Ok(hmac_v1::aws_v2_forms(a, req, target)),
            Self::OssV2(a) => Ok(a.canonical_forms(req, target)),
            Self::V4(a) if a.scheme.is_oss() => oss_v4::canonical_forms(a, req, target),
            Self::V4(a) => aws_v4::canonical_forms(a, req),
        }
    }

    /// The standard canonical form (the first of [`Self::canonical_forms`]).
    pub fn canonical(
        &self,
        req: &Request<'_>,
        target: &Target<'_>,
    ) -> Result<Canonical, AuthError> {
        self.canonical_forms(req, target)?
            .into_iter()
            .next()
            .ok_or_else(|| AuthError::MalformedAuthorization("no canonical form".to_owned()))
    }

    /// Signature for `canonical` under `secret`, encoded as the scheme sends it.
    pub fn sign(&self, canonical: &Canonical, secret: &str) -> String {
        match self {
            Self::HmacV1(_) => {
                BASE64.encode(hmac_sha1(secret.as_bytes(), &canonical.string_to_sign))
            }
            Self::OssV2(_) => OssV2Auth::sign(canonical, secret),
            Self::V4(a) => hex::encode(a.signing_key(secret).sign(&canonical.string_to_sign)),
        }
    }

    /// Recomputes the signature with `secret` and compares it in constant time against
    /// every accepted canonical form. Does not check the time; see [`Self::check_time`].
    pub fn verify(
        &self,
        req: &Request<'_>,
        target: &Target<'_>,
        secret: &str,
    ) -> Result<(), AuthError> {
        let forms = self.canonical_forms(req, target)?;
        let matched = match self {
            Self::HmacV1(a) => a.matches_any(&forms, secret),
            Self::OssV2(a) => a.matches_any(&forms, secret),
            Self::V4(a) => a.matches_any(&forms, secret),
        };
        match (matched, forms.into_iter().next()) {
            (true, _) => Ok(()),
            (false, Some(standard)) => Err(AuthError::SignatureDoesNotMatch(Box::new(standard))),
            (false, None) => Err(AuthError::MalformedAuthorization(
                "no canonical form".to_owned(),
            )),
        }
    }

    /// Request-time checks against `now` (Unix seconds): clock skew for header
    /// authentication, validity window for presigned URLs.
    pub fn check_time(&self, req: &Request<'_>, now: i64, max_skew: i64) -> Result<(), AuthError> {
        match self {
            Self::HmacV1(a) => a.check_time(req, now, max_skew),
            Self::OssV2(a) => a.check_time(req, now, max_skew),
            Self::V4(a) => a.check_time(now, max_skew),
        }
    }
}

#[cfg(test)]
mod tests;
