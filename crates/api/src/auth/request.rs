//! The request as signatures see it ([`Request`], [`Target`]), the URI encodings they use,
//! and why authentication fails ([`AuthError`]).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use super::scheme::Canonical;

/// Everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded (RFC 3986 unreserved).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// [`UNRESERVED`] that also keeps `/`.
const UNRESERVED_SLASH: &AsciiSet = &UNRESERVED.remove(b'/');

/// The parts of an HTTP request that signatures cover.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// HTTP method, upper case (`GET`).
    pub method: &'a str,
    /// Request path exactly as sent, still percent-encoded, without the query (`/b/a%20b`).
    pub raw_path: &'a str,
    /// Decoded query pairs in wire order; the value is empty for a bare name (`?acl`).
    pub query: &'a [(String, String)],
    /// Headers as `(lower-case name, value)`; a repeated header appears once per value.
    pub headers: &'a [(String, String)],
}

impl<'a> Request<'a> {
    /// First value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All values of a header, trimmed and joined with `,` (how signers fold repeats).
    pub(super) fn header_joined(&self, name: &str) -> Option<String> {
        let mut out: Option<String> = None;
        for (n, v) in self.headers {
            if n.eq_ignore_ascii_case(name) {
                match out.as_mut() {
                    Some(s) => {
                        s.push(',');
                        s.push_str(v.trim());
                    }
                    None => out = Some(v.trim().to_owned()),
                }
            }
        }
        out
    }

    /// First value of a query parameter (name compared exactly).
    pub fn query_param(&self, name: &str) -> Option<&'a str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether a query parameter is present (name compared exactly).
    pub(super) fn has_query(&self, name: &str) -> bool {
        self.query.iter().any(|(n, _)| n == name)
    }

    /// The `Authorization` header, unless absent or blank.
    pub(super) fn authorization(&self) -> Option<&'a str> {
        self.header("authorization")
            .filter(|v| !v.trim().is_empty())
    }
}

/// Where the request points, as the server resolved it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Target<'a> {
    /// Decoded bucket name; `None` for service-level requests (ListBuckets).
    pub bucket: Option<&'a str>,
    /// Decoded object key; `None` or empty for bucket-level requests.
    pub key: Option<&'a str>,
    /// The bucket came from the Host header (virtual-hosted style or a custom domain), so
    /// the path does not contain it. Only S3 SigV2 needs this.
    pub virtual_host: bool,
}

/// Splits a raw query string (`a=1&b&c=x%20y`) into decoded pairs. `+` decodes to a space,
/// as in HTML forms and as the SDKs that send `+` mean it; empty segments are skipped.
pub fn decode_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|s| !s.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_query_component(k), decode_query_component(v))
        })
        .collect()
}

fn decode_query_component(s: &str) -> String {
    let plus_as_space = s.replace('+', " ");
    percent_decode_str(&plus_as_space)
        .decode_utf8_lossy()
        .into_owned()
}

/// Percent-decodes a request path or path segment (`+` stays a plus).
pub fn decode_path(raw: &str) -> String {
    percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

/// RFC 3986 percent-encoding (`A-Z a-z 0-9 - _ . ~` kept), optionally keeping `/`.
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    let set = if keep_slash {
        UNRESERVED_SLASH
    } else {
        UNRESERVED
    };
    utf8_percent_encode(s, set).to_string()
}

/// Re-encodes a raw path segment by segment, so that escapes become canonical
/// (`%7e` → `~`, `!` → `%21`) while an encoded `%2F` stays distinct from `/`.
pub(super) fn normalize_raw_path(raw: &str) -> String {
    raw.split('/')
        .map(|seg| {
            let bytes: Vec<u8> = percent_decode_str(seg).collect();
            percent_encoding::percent_encode(&bytes, UNRESERVED).to_string()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A presigned parameter that must be present and not empty.
pub(super) fn required<'a>(req: &Request<'a>, name: &'static str) -> Result<&'a str, AuthError> {
    req.query_param(name)
        .filter(|v| !v.is_empty())
        .ok_or(AuthError::MissingQueryParam(name))
}

/// `k=v` pairs joined with `&`, in the given order; `bare_empty` writes `k` for an empty value.
pub(super) fn join_pairs(
    pairs: impl Iterator<Item = (String, String)>,
    bare_empty: bool,
) -> String {
    pairs
        .map(|(k, v)| {
            if bare_empty && v.is_empty() {
                k
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Why a request's authentication was rejected. The server maps each to an OSS or S3 code.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    /// Header authentication and presigned query parameters in one request
    /// (OSS: 400 InvalidArgument; S3: 400 InvalidArgument "Only one auth mechanism allowed").
    #[error("only one authentication mechanism is allowed: header or query string")]
    MixedAuth,
    /// An `Authorization` scheme or signature version this server does not verify.
    #[error("unsupported authorization type: {0}")]
    Unsupported(String),
    /// The `Authorization` header does not parse.
    #[error("malformed Authorization header: {0}")]
    MalformedAuthorization(String),
    /// A presigned URL lacks a required parameter.
    #[error("query-string authentication requires the {0} parameter")]
    MissingQueryParam(&'static str),
    /// A presigned URL parameter has an invalid value.
    #[error("invalid query-string parameter {name}: {reason}")]
    MalformedQueryParam {
        /// Parameter name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The credential is not `AK/yyyymmdd/region/service/terminator`.
    #[error("malformed credential: {0}")]
    MalformedCredential(String),
    /// The credential's terminator or service does not fit the scheme.
    #[error("credential scope {0} is not valid for this signature scheme")]
    InvalidScope(String),
    /// The credential date differs from the request date.
    #[error("credential date {scope_date} does not match request date {request_date}")]
    ScopeDateMismatch {
        /// Date in the credential scope.
        scope_date: String,
        /// Date of `x-amz-date` / `x-oss-date`.
        request_date: String,
    },
    /// No usable `Date`, `x-amz-date` or `x-oss-date`.
    #[error("the request has no Date, x-amz-date or x-oss-date header")]
    MissingDate,
    /// A date header or parameter does not parse.
    #[error("invalid date: {0}")]
    MalformedDate(String),
    /// SigV4 header authentication without `x-amz-content-sha256` (S3 400 InvalidRequest).
    #[error("missing required header x-amz-content-sha256")]
    MissingContentSha256,
    /// `x-amz-content-sha256` / `x-oss-content-sha256` is neither a hex SHA-256 nor a known mode.
    #[error("invalid content sha256 value: {0}")]
    InvalidContentSha256(String),
    /// A header named in SignedHeaders / AdditionalHeaders is not in the request.
    #[error("signed header {0} is not present in the request")]
    MissingSignedHeader(String),
    /// SigV4 SignedHeaders does not include `host`.
    #[error("the host header must be signed")]
    HostNotSigned,
    /// Presigned validity above [`MAX_PRESIGN_EXPIRES`](super::MAX_PRESIGN_EXPIRES) or zero.
    #[error("presigned validity of {0} seconds is out of range (1..=604800)")]
    ExpiresOutOfRange(u64),
    /// Request date too far from the server's clock (403 RequestTimeTooSkewed).
    #[error("the difference between the request time and the server's time is too large")]
    RequestTimeTooSkewed {
        /// Request time, Unix seconds.
        request_time: i64,
        /// Server time, Unix seconds.
        server_time: i64,
    },
    /// A presigned URL is past its expiry (403 AccessDenied "Request has expired").
    #[error("request has expired")]
    Expired {
        /// Expiry, Unix seconds.
        expires_at: i64,
        /// Server time, Unix seconds.
        server_time: i64,
    },
    /// A presigned URL dated in the future beyond the allowed skew (403 AccessDenied).
    #[error("request is not valid yet")]
    NotYetValid {
        /// Signing time, Unix seconds.
        request_time: i64,
        /// Server time, Unix seconds.
        server_time: i64,
    },
    /// The recomputed signature differs (403 SignatureDoesNotMatch); carries what the
    /// server signed.
    #[error("the request signature we calculated does not match the signature you provided")]
    SignatureDoesNotMatch(Box<Canonical>),
}

#[cfg(test)]
mod tests;
