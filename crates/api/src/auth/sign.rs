//! Request signatures: OSS V1, OSS V4 (`OSS4-HMAC-SHA256`), AWS SigV4 and AWS SigV2.
//!
//! Everything here is pure: the caller hands in the parsed request ([`Request`]), the
//! decoded bucket and key ([`Target`]), the secret and the current time. The verifier
//! flow is [`parse_auth`] → [`ParsedAuth::check_time`] → [`ParsedAuth::verify`]; on a
//! mismatch the error carries the server's `StringToSign` (and `CanonicalRequest` for
//! the V4 schemes) for the error body.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha1::Sha1;
use sha2::{Digest, Sha256};

type HmacSha1 = Hmac<Sha1>;
type HmacSha256 = Hmac<Sha256>;

/// Hex SHA-256 of the empty string.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// Largest presigned validity both S3 (`X-Amz-Expires`) and OSS V4 (`x-oss-expires`) accept: 7 days.
pub const MAX_PRESIGN_EXPIRES: u64 = 604_800;
/// Default allowed clock difference between client and server: 15 minutes.
pub const DEFAULT_MAX_SKEW_SECS: i64 = 900;

/// `x-amz-content-sha256` / `x-oss-content-sha256` value for an unsigned payload.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// Signed aws-chunked payload without trailers.
pub const STREAMING_SIGNED: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
/// Signed aws-chunked payload with a signed trailer.
pub const STREAMING_SIGNED_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
/// Unsigned aws-chunked payload with an unsigned trailer.
pub const STREAMING_UNSIGNED_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

const AWS4_ALGORITHM: &str = "AWS4-HMAC-SHA256";
const OSS4_ALGORITHM: &str = "OSS4-HMAC-SHA256";

/// Everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded (RFC 3986 unreserved).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// [`UNRESERVED`] that also keeps `/`.
const UNRESERVED_SLASH: &AsciiSet = &UNRESERVED.remove(b'/');

/// Query parameters OSS V1 puts into the CanonicalizedResource: the union of the OSS
/// documentation list, oss2's `_subresource_key_set` and the Go/Python v2 SDK lists.
/// Any parameter whose name starts with `x-oss-` is signed as well.
const OSS_V1_SUBRESOURCES: &[&str] = &[
    "accessPoint",
    "accessPointPolicy",
    "acl",
    "append",
    "asyncFetch",
    "bucketArchiveDirectRead",
    "bucketInfo",
    "callback",
    "callback-var",
    "cloudboxes",
    "cname",
    "comp",
    "continuation-token",
    "cors",
    "delete",
    "encryption",
    "endTime",
    "group",
    "httpsConfig",
    "img",
    "inventory",
    "inventoryId",
    "lifecycle",
    "link",
    "live",
    "location",
    "logging",
    "metaQuery",
    "objectInfo",
    "objectMeta",
    "partNumber",
    "policy",
    "position",
    "publicAccessBlock",
    "qos",
    "qosInfo",
    "qosRequester",
    "redundancyTransition",
    "referer",
    "regionList",
    "replication",
    "replicationLocation",
    "replicationProgress",
    "requestPayment",
    "requesterQosInfo",
    "resourceGroup",
    "resourcePool",
    "resourcePoolBuckets",
    "resourcePoolInfo",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "security-token",
    "sequential",
    "startTime",
    "stat",
    "status",
    "style",
    "styleName",
    "symlink",
    "tagging",
    "transferAcceleration",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "vod",
    "website",
    "worm",
    "wormExtend",
    "wormId",
    "x-oss-ac-forward-allow",
    "x-oss-ac-source-ip",
    "x-oss-ac-subnet-mask",
    "x-oss-ac-vpc-id",
    "x-oss-access-point-name",
    "x-oss-async-process",
    "x-oss-process",
    "x-oss-redundancy-transition-taskid",
    "x-oss-request-payer",
    "x-oss-target-redundancy-type",
    "x-oss-traffic-limit",
    "x-oss-write-get-object-response",
];

/// Query parameters S3 SigV2 puts into the CanonicalizedResource (AWS docs and botocore's
/// `HmacV1Auth.QSAOfInterest`).
const AWS_V2_SUBRESOURCES: &[&str] = &[
    "accelerate",
    "acl",
    "analytics",
    "cors",
    "defaultObjectAcl",
    "delete",
    "inventory",
    "lifecycle",
    "location",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "partNumber",
    "policy",
    "replication",
    "requestPayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "select",
    "select-type",
    "storageClass",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
];

// ---------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------

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
    fn header_joined(&self, name: &str) -> Option<String> {
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

    fn has_query(&self, name: &str) -> bool {
        self.query.iter().any(|(n, _)| n == name)
    }

    fn authorization(&self) -> Option<&'a str> {
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
fn normalize_raw_path(raw: &str) -> String {
    raw.split('/')
        .map(|seg| {
            let bytes: Vec<u8> = percent_decode_str(seg).collect();
            percent_encoding::percent_encode(&bytes, UNRESERVED).to_string()
        })
        .collect::<Vec<_>>()
        .join("/")
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

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
    /// Presigned validity above [`MAX_PRESIGN_EXPIRES`] or zero.
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

// ---------------------------------------------------------------------------------------
// Scheme detection and parsing
// ---------------------------------------------------------------------------------------

/// The authentication scheme of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `Authorization: OSS ak:sig`.
    OssV1Header,
    /// `?OSSAccessKeyId=&Expires=&Signature=`.
    OssV1Query,
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
            Self::OssV1Header | Self::OssV1Query | Self::OssV4Header | Self::OssV4Query
        )
    }

    /// Whether the signature travels in the query string (presigned URL).
    pub fn is_presigned(self) -> bool {
        matches!(
            self,
            Self::OssV1Query | Self::OssV4Query | Self::AwsV4Query | Self::AwsV2Query
        )
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Self::OssV1Header => "OSS V1 header",
            Self::OssV1Query => "OSS V1 presigned URL",
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
        AWS4_ALGORITHM => Ok(Scheme::AwsV4Header),
        "AWS" => Ok(Scheme::AwsV2Header),
        other => Err(AuthError::Unsupported(other.to_owned())),
    }
}

fn query_scheme(req: &Request<'_>) -> Result<Option<Scheme>, AuthError> {
    let mut found = Vec::new();
    if let Some(v) = req.query_param("x-oss-signature-version") {
        if v != OSS4_ALGORITHM {
            return Err(AuthError::Unsupported(v.to_owned()));
        }
        found.push(Scheme::OssV4Query);
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

/// The credential of a V4 signature: `AK/yyyymmdd/region/service/terminator`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// Access key id.
    pub access_key_id: String,
    /// Scope date, `yyyymmdd`.
    pub date: String,
    /// Region (`us-east-1`, `cn-hangzhou`).
    pub region: String,
    /// Service or product (`s3`, `oss`).
    pub service: String,
    /// `aws4_request` or `aliyun_v4_request`.
    pub terminator: String,
}

impl Credential {
    /// Parses `AK/yyyymmdd/region/service/terminator`.
    pub fn parse(s: &str) -> Result<Self, AuthError> {
        let malformed = || AuthError::MalformedCredential(s.to_owned());
        let mut parts = s.rsplitn(5, '/');
        let terminator = parts.next().ok_or_else(malformed)?;
        let service = parts.next().ok_or_else(malformed)?;
        let region = parts.next().ok_or_else(malformed)?;
        let date = parts.next().ok_or_else(malformed)?;
        let access_key_id = parts.next().ok_or_else(malformed)?;
        if access_key_id.is_empty()
            || service.is_empty()
            || terminator.is_empty()
            || date.len() != 8
            || !date.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(malformed());
        }
        Ok(Self {
            access_key_id: access_key_id.to_owned(),
            date: date.to_owned(),
            region: region.to_owned(),
            service: service.to_owned(),
            terminator: terminator.to_owned(),
        })
    }

    /// `yyyymmdd/region/service/terminator`.
    pub fn scope(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.date, self.region, self.service, self.terminator
        )
    }
}

/// What the payload hash header (`x-amz-content-sha256`, `x-oss-content-sha256`) announces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadHash {
    /// The body's SHA-256; the server must check it after reading the body.
    Sha256([u8; 32]),
    /// `UNSIGNED-PAYLOAD` (also the implied value of presigned URLs).
    Unsigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: aws-chunked body with chunk signatures.
    StreamingSigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks and a signed trailer.
    StreamingSignedTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: plain chunks and an unsigned trailer.
    StreamingUnsignedTrailer,
}

impl PayloadHash {
    /// Parses a payload hash header value.
    pub fn parse(value: &str) -> Result<Self, AuthError> {
        match value {
            UNSIGNED_PAYLOAD => Ok(Self::Unsigned),
            STREAMING_SIGNED => Ok(Self::StreamingSigned),
            STREAMING_SIGNED_TRAILER => Ok(Self::StreamingSignedTrailer),
            STREAMING_UNSIGNED_TRAILER => Ok(Self::StreamingUnsignedTrailer),
            hex_value => {
                let mut out = [0u8; 32];
                if hex_value.len() == 64 && hex::decode_to_slice(hex_value, &mut out).is_ok() {
                    Ok(Self::Sha256(out))
                } else {
                    Err(AuthError::InvalidContentSha256(value.to_owned()))
                }
            }
        }
    }

    /// Whether the body is aws-chunked encoded.
    pub fn is_streaming(&self) -> bool {
        matches!(
            self,
            Self::StreamingSigned | Self::StreamingSignedTrailer | Self::StreamingUnsignedTrailer
        )
    }
}

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

/// A parsed V4 signature (OSS `OSS4-HMAC-SHA256` or AWS `AWS4-HMAC-SHA256`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V4Auth {
    /// [`Scheme::OssV4Header`], [`Scheme::OssV4Query`], [`Scheme::AwsV4Header`] or [`Scheme::AwsV4Query`].
    pub scheme: Scheme,
    /// Access key and scope.
    pub credential: Credential,
    /// AWS: SignedHeaders. OSS: AdditionalHeaders. Lower-case, sorted.
    pub signed_headers: Vec<String>,
    /// Hex signature as sent.
    pub signature: String,
    /// Signing time, `yyyymmddThhmmssZ`.
    pub datetime: String,
    /// Presigned validity in seconds (`X-Amz-Expires`, `x-oss-expires`).
    pub expires: Option<u64>,
    /// The payload hash value that goes into the canonical request.
    pub payload_hash: String,
}

/// A request's parsed authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedAuth {
    /// OSS V1 or AWS SigV2.
    HmacV1(HmacV1Auth),
    /// OSS V4 or AWS SigV4.
    V4(V4Auth),
}

/// Whether a query parameter is part of what `scheme` signs (presigned and header forms
/// alike). V4 schemes sign the whole query; the HMAC-SHA1 schemes only their sub-resources.
pub fn signs_query_param(scheme: Scheme, name: &str) -> bool {
    match scheme {
        Scheme::OssV1Header | Scheme::OssV1Query => {
            OSS_V1_SUBRESOURCES.contains(&name) || name.starts_with("x-oss-")
        }
        Scheme::AwsV2Header | Scheme::AwsV2Query => AWS_V2_SUBRESOURCES.contains(&name),
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
            ParsedAuth::HmacV1(parse_v1_header(req, scheme)?)
        }
        Scheme::OssV1Query => ParsedAuth::HmacV1(parse_v1_query(req, scheme, "OSSAccessKeyId")?),
        Scheme::AwsV2Query => ParsedAuth::HmacV1(parse_v1_query(req, scheme, "AWSAccessKeyId")?),
        Scheme::OssV4Header | Scheme::AwsV4Header => ParsedAuth::V4(parse_v4_header(req, scheme)?),
        Scheme::OssV4Query => ParsedAuth::V4(parse_oss_v4_query(req)?),
        Scheme::AwsV4Query => ParsedAuth::V4(parse_aws_v4_query(req)?),
    };
    Ok(Some(parsed))
}

fn parse_v1_header(req: &Request<'_>, scheme: Scheme) -> Result<HmacV1Auth, AuthError> {
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

fn required<'a>(req: &Request<'a>, name: &'static str) -> Result<&'a str, AuthError> {
    req.query_param(name)
        .filter(|v| !v.is_empty())
        .ok_or(AuthError::MissingQueryParam(name))
}

fn parse_v1_query(
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

fn parse_header_list(value: &str) -> Vec<String> {
    let mut names: Vec<String> = value
        .split(';')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// V4 signatures are 64 lower-case hex digits.
fn check_signature_hex(sig: &str, malformed: impl Fn() -> AuthError) -> Result<(), AuthError> {
    if sig.len() == 64 && sig.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(malformed())
    }
}

fn check_datetime(dt: &str) -> Result<(), AuthError> {
    parse_iso8601_basic(dt).map(|_| ())
}

fn check_scope(cred: &Credential, scheme: Scheme, datetime: &str) -> Result<(), AuthError> {
    let terminator = if scheme.is_oss() {
        "aliyun_v4_request"
    } else {
        "aws4_request"
    };
    if cred.terminator != terminator {
        return Err(AuthError::InvalidScope(cred.scope()));
    }
    let request_date = datetime.get(..8).unwrap_or_default();
    if cred.date != request_date {
        return Err(AuthError::ScopeDateMismatch {
            scope_date: cred.date.clone(),
            request_date: request_date.to_owned(),
        });
    }
    Ok(())
}

/// Signing time of a V4 header-authenticated request: `x-amz-date`/`x-oss-date`, or for
/// SigV4 an HTTP `Date` header converted to `yyyymmddThhmmssZ` (botocore signs that way
/// when the request already carries `Date`).
fn v4_header_datetime(req: &Request<'_>, scheme: Scheme) -> Result<String, AuthError> {
    let own = if scheme.is_oss() {
        "x-oss-date"
    } else {
        "x-amz-date"
    };
    if let Some(v) = req.header(own) {
        let v = v.trim();
        check_datetime(v)?;
        return Ok(v.to_owned());
    }
    if scheme == Scheme::AwsV4Header
        && let Some(d) = req.header("date")
    {
        return Ok(format_iso8601_basic(parse_http_date(d)?));
    }
    Err(AuthError::MissingDate)
}

fn parse_v4_header(req: &Request<'_>, scheme: Scheme) -> Result<V4Auth, AuthError> {
    let value = req.authorization().unwrap_or_default().trim();
    let malformed = || AuthError::MalformedAuthorization(value.to_owned());
    let rest = value
        .split_once(' ')
        .map(|(_, r)| r)
        .ok_or_else(malformed)?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    let list_key = if scheme.is_oss() {
        "AdditionalHeaders"
    } else {
        "SignedHeaders"
    };
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=').ok_or_else(malformed)?;
        let slot = match k.trim() {
            "Credential" => &mut credential,
            "Signature" => &mut signature,
            k if k == list_key => &mut signed,
            _ => return Err(malformed()),
        };
        if slot.replace(v.trim()).is_some() {
            return Err(malformed());
        }
    }
    let credential = Credential::parse(credential.ok_or_else(malformed)?)?;
    let signature = signature.ok_or_else(malformed)?;
    check_signature_hex(signature, malformed)?;
    let signed_headers = match signed {
        Some(list) => parse_header_list(list),
        None if scheme.is_oss() => Vec::new(),
        None => return Err(malformed()),
    };
    if scheme == Scheme::AwsV4Header && !signed_headers.iter().any(|h| h == "host") {
        return Err(AuthError::HostNotSigned);
    }
    let datetime = v4_header_datetime(req, scheme)?;
    check_scope(&credential, scheme, &datetime)?;
    let payload_hash = if scheme.is_oss() {
        let v = req
            .header("x-oss-content-sha256")
            .unwrap_or(UNSIGNED_PAYLOAD)
            .trim();
        PayloadHash::parse(v)?;
        v.to_owned()
    } else {
        let v = req
            .header("x-amz-content-sha256")
            .ok_or(AuthError::MissingContentSha256)?
            .trim();
        PayloadHash::parse(v)?;
        v.to_owned()
    };
    Ok(V4Auth {
        scheme,
        credential,
        signed_headers,
        signature: signature.to_owned(),
        datetime,
        expires: None,
        payload_hash,
    })
}

fn parse_expires(value: &str, name: &'static str) -> Result<u64, AuthError> {
    // A negative validity is a URL that expired before it was made: reported like 0.
    if value
        .strip_prefix('-')
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(AuthError::ExpiresOutOfRange(0));
    }
    let n = value
        .parse::<u64>()
        .map_err(|e| AuthError::MalformedQueryParam {
            name,
            reason: e.to_string(),
        })?;
    if n == 0 || n > MAX_PRESIGN_EXPIRES {
        return Err(AuthError::ExpiresOutOfRange(n));
    }
    Ok(n)
}

fn presigned_payload_hash(req: &Request<'_>, header: &str) -> Result<String, AuthError> {
    match req.header(header) {
        Some(v) => {
            let v = v.trim();
            PayloadHash::parse(v)?;
            Ok(v.to_owned())
        }
        None => Ok(UNSIGNED_PAYLOAD.to_owned()),
    }
}

fn parse_aws_v4_query(req: &Request<'_>) -> Result<V4Auth, AuthError> {
    let algorithm = required(req, "X-Amz-Algorithm")?;
    if algorithm != AWS4_ALGORITHM {
        return Err(AuthError::Unsupported(algorithm.to_owned()));
    }
    let credential = Credential::parse(required(req, "X-Amz-Credential")?)?;
    let datetime = required(req, "X-Amz-Date")?;
    check_datetime(datetime).map_err(|_| AuthError::MalformedQueryParam {
        name: "X-Amz-Date",
        reason: datetime.to_owned(),
    })?;
    let expires = parse_expires(required(req, "X-Amz-Expires")?, "X-Amz-Expires")?;
    let signed_headers = parse_header_list(required(req, "X-Amz-SignedHeaders")?);
    if !signed_headers.iter().any(|h| h == "host") {
        return Err(AuthError::HostNotSigned);
    }
    let signature = required(req, "X-Amz-Signature")?;
    check_signature_hex(signature, || AuthError::MalformedQueryParam {
        name: "X-Amz-Signature",
        reason: "not 64 hex digits".to_owned(),
    })?;
    check_scope(&credential, Scheme::AwsV4Query, datetime)?;
    Ok(V4Auth {
        scheme: Scheme::AwsV4Query,
        credential,
        signed_headers,
        signature: signature.to_owned(),
        datetime: datetime.to_owned(),
        expires: Some(expires),
        payload_hash: presigned_payload_hash(req, "x-amz-content-sha256")?,
    })
}

fn parse_oss_v4_query(req: &Request<'_>) -> Result<V4Auth, AuthError> {
    let version = required(req, "x-oss-signature-version")?;
    if version != OSS4_ALGORITHM {
        return Err(AuthError::Unsupported(version.to_owned()));
    }
    let credential = Credential::parse(required(req, "x-oss-credential")?)?;
    let datetime = required(req, "x-oss-date")?;
    check_datetime(datetime).map_err(|_| AuthError::MalformedQueryParam {
        name: "x-oss-date",
        reason: datetime.to_owned(),
    })?;
    let expires = parse_expires(required(req, "x-oss-expires")?, "x-oss-expires")?;
    let signature = required(req, "x-oss-signature")?;
    check_signature_hex(signature, || AuthError::MalformedQueryParam {
        name: "x-oss-signature",
        reason: "not 64 hex digits".to_owned(),
    })?;
    let signed_headers = req
        .query_param("x-oss-additional-headers")
        .map(parse_header_list)
        .unwrap_or_default();
    check_scope(&credential, Scheme::OssV4Query, datetime)?;
    Ok(V4Auth {
        scheme: Scheme::OssV4Query,
        credential,
        signed_headers,
        signature: signature.to_owned(),
        datetime: datetime.to_owned(),
        expires: Some(expires),
        payload_hash: presigned_payload_hash(req, "x-oss-content-sha256")?,
    })
}

// ---------------------------------------------------------------------------------------
// Canonicalization
// ---------------------------------------------------------------------------------------

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
            Self::V4(a) => a.scheme,
        }
    }

    /// Access key id the client claims.
    pub fn access_key_id(&self) -> &str {
        match self {
            Self::HmacV1(a) => &a.access_key_id,
            Self::V4(a) => &a.credential.access_key_id,
        }
    }

    /// Signature as sent (base64 for V1/V2, hex for V4).
    pub fn signature(&self) -> &str {
        match self {
            Self::HmacV1(a) => &a.signature,
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
            Self::HmacV1(a) if a.scheme.is_oss() => Ok(oss_v1_forms(a, req, target)),
            Self::HmacV1(a) => Ok(aws_v2_forms(a, req, target)),
            Self::V4(a) if a.scheme.is_oss() => oss_v4_forms(a, req, target),
            Self::V4(a) => aws_v4_forms(a, req),
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
            Self::HmacV1(a) => match BASE64.decode(a.signature.as_bytes()) {
                Ok(provided) => forms.iter().any(|c| {
                    let mut mac = new_mac::<HmacSha1>(secret.as_bytes());
                    mac.update(c.string_to_sign.as_bytes());
                    mac.verify_slice(&provided).is_ok()
                }),
                Err(_) => false,
            },
            Self::V4(a) => match hex::decode(&a.signature) {
                Ok(provided) => {
                    let key = a.signing_key(secret);
                    forms
                        .iter()
                        .any(|c| key.verify(&c.string_to_sign, &provided))
                }
                Err(_) => false,
            },
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
            Self::HmacV1(a) => match a.expires {
                Some(expires_at) => check_expiry(expires_at, now),
                None => {
                    let t = hmac_v1_request_time(req, a.scheme)?;
                    check_skew(t, now, max_skew)
                }
            },
            Self::V4(a) => {
                let t = parse_iso8601_basic(&a.datetime)?;
                match a.expires {
                    None => check_skew(t, now, max_skew),
                    Some(expires) => {
                        if t - now > max_skew {
                            return Err(AuthError::NotYetValid {
                                request_time: t,
                                server_time: now,
                            });
                        }
                        let expires = i64::try_from(expires).unwrap_or(i64::MAX);
                        check_expiry(t.saturating_add(expires), now)
                    }
                }
            }
        }
    }
}

fn hmac_v1_request_time(req: &Request<'_>, scheme: Scheme) -> Result<i64, AuthError> {
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

fn check_skew(request_time: i64, now: i64, max_skew: i64) -> Result<(), AuthError> {
    if (request_time - now).abs() > max_skew {
        Err(AuthError::RequestTimeTooSkewed {
            request_time,
            server_time: now,
        })
    } else {
        Ok(())
    }
}

fn check_expiry(expires_at: i64, now: i64) -> Result<(), AuthError> {
    if now > expires_at {
        Err(AuthError::Expired {
            expires_at,
            server_time: now,
        })
    } else {
        Ok(())
    }
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

fn oss_v1_forms(a: &HmacV1Auth, req: &Request<'_>, target: &Target<'_>) -> Vec<Canonical> {
    let mut resource = String::from("/");
    if let Some(bucket) = target.bucket {
        resource.push_str(bucket);
        resource.push('/');
        resource.push_str(target.key.unwrap_or_default());
    }
    // Standard: the listed names plus every `x-oss-*` name (oss2, Go v2 SDK). Variants:
    // listed names only, and no `x-oss-*` name at all (alibabacloud-oss-v2 signs V1
    // requests without `x-oss-process`).
    let listed = |name: &str| OSS_V1_SUBRESOURCES.contains(&name);
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

fn aws_v2_forms(a: &HmacV1Auth, req: &Request<'_>, target: &Target<'_>) -> Vec<Canonical> {
    // Presigned SigV2 URLs carry x-amz-*, Content-Type and Content-MD5 in the query when
    // botocore generated them; they are signed as headers.
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
    let view = Request {
        headers: &headers,
        ..*req
    };
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
    let subresources = subresource_string(
        req.query
            .iter()
            .filter(|(k, _)| AWS_V2_SUBRESOURCES.contains(&k.as_str())),
    );
    let mut paths = vec![req.raw_path.to_owned()];
    let normalized = normalize_raw_path(req.raw_path);
    if normalized != req.raw_path {
        paths.push(normalized);
    }
    let amz = prefixed_headers(&view, "x-amz-");
    // A bucket-level request signs `/bucket/` whether the path-style request line says
    // `/bucket` or `/bucket/` (botocore's auth_path); the path as sent is a variant.
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
    let mut forms = Vec::new();
    for resource in &resources {
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

/// Sorted `k=v` list with both sides RFC 3986 encoded; `bare_empty` writes `k` instead of
/// `k=` for an empty value (OSS V4) while SigV4 always keeps the `=`.
fn canonical_query(req: &Request<'_>, skip: &str, bare_empty: bool) -> String {
    let mut pairs: Vec<(String, String)> = req
        .query
        .iter()
        .filter(|(k, _)| k != skip)
        .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
        .collect();
    pairs.sort();
    join_pairs(pairs.into_iter(), bare_empty)
}

/// `k=v` pairs joined with `&`, in the given order; `bare_empty` writes `k` for an empty value.
fn join_pairs(pairs: impl Iterator<Item = (String, String)>, bare_empty: bool) -> String {
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

/// SigV4 header value: trimmed, runs of whitespace collapsed to one space.
fn trim_all(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn aws_v4_forms(a: &V4Auth, req: &Request<'_>) -> Result<Vec<Canonical>, AuthError> {
    let mut headers = String::new();
    for name in &a.signed_headers {
        let values: Vec<String> = req
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| trim_all(v))
            .collect();
        if values.is_empty() {
            return Err(AuthError::MissingSignedHeader(name.clone()));
        }
        headers.push_str(name);
        headers.push(':');
        headers.push_str(&values.join(","));
        headers.push('\n');
    }
    let query = canonical_query(req, "X-Amz-Signature", false);
    let signed = a.signed_headers.join(";");
    let mut paths = vec![req.raw_path.to_owned()];
    let normalized = normalize_raw_path(req.raw_path);
    if normalized != req.raw_path {
        paths.push(normalized);
    }
    let scope = a.credential.scope();
    Ok(paths
        .into_iter()
        .map(|path| {
            let creq = format!(
                "{}\n{}\n{}\n{}\n{}\n{}",
                req.method, path, query, headers, signed, a.payload_hash
            );
            let sts = v4_string_to_sign(AWS4_ALGORITHM, &a.datetime, &scope, &creq);
            Canonical {
                canonical_request: Some(creq),
                string_to_sign: sts,
            }
        })
        .collect())
}

fn oss_v4_forms(
    a: &V4Auth,
    req: &Request<'_>,
    target: &Target<'_>,
) -> Result<Vec<Canonical>, AuthError> {
    let mut uri = String::from("/");
    if let Some(bucket) = target.bucket {
        uri.push_str(bucket);
        uri.push('/');
        uri.push_str(target.key.unwrap_or_default());
    }
    let uri = uri_encode(&uri, true);
    let query = canonical_query(req, "x-oss-signature", true);
    let signed = |n: &str| {
        n.starts_with("x-oss-")
            || n == "content-type"
            || n == "content-md5"
            || a.signed_headers.iter().any(|h| h == n)
    };
    let mut names: Vec<String> = req
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| signed(n))
        .collect();
    names.sort();
    names.dedup();
    let mut headers = String::new();
    for name in names {
        headers.push_str(&name);
        headers.push(':');
        headers.push_str(&req.header_joined(&name).unwrap_or_default());
        headers.push('\n');
    }
    let creq = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method,
        uri,
        query,
        headers,
        a.signed_headers.join(";"),
        a.payload_hash
    );
    let sts = v4_string_to_sign(OSS4_ALGORITHM, &a.datetime, &a.credential.scope(), &creq);
    Ok(vec![Canonical {
        canonical_request: Some(creq),
        string_to_sign: sts,
    }])
}

fn v4_string_to_sign(algorithm: &str, datetime: &str, scope: &str, creq: &str) -> String {
    format!(
        "{algorithm}\n{datetime}\n{scope}\n{}",
        hex::encode(Sha256::digest(creq.as_bytes()))
    )
}

// ---------------------------------------------------------------------------------------
// Keys and MACs
// ---------------------------------------------------------------------------------------

fn new_mac<M: KeyInit + Mac>(key: &[u8]) -> M {
    // HMAC accepts keys of every length, so this never fails.
    match <M as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

fn hmac_sha1(key: &[u8], msg: &str) -> [u8; 20] {
    let mut mac = new_mac::<HmacSha1>(key);
    mac.update(msg.as_bytes());
    mac.finalize().into_bytes().into()
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = new_mac::<HmacSha256>(key);
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// A derived V4 signing key (`kSigning`).
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey([u8; 32]);

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

impl SigningKey {
    /// AWS: HMAC chain from `"AWS4" + secret` over date, region, service, `aws4_request`.
    pub fn aws(secret: &str, date: &str, region: &str, service: &str) -> Self {
        Self::derive(
            &format!("AWS4{secret}"),
            date,
            region,
            service,
            "aws4_request",
        )
    }

    /// OSS: HMAC chain from `"aliyun_v4" + secret` over date, region, product, `aliyun_v4_request`.
    pub fn oss(secret: &str, date: &str, region: &str, product: &str) -> Self {
        Self::derive(
            &format!("aliyun_v4{secret}"),
            date,
            region,
            product,
            "aliyun_v4_request",
        )
    }

    fn derive(seed: &str, date: &str, region: &str, service: &str, terminator: &str) -> Self {
        let k = hmac_sha256(seed.as_bytes(), date.as_bytes());
        let k = hmac_sha256(&k, region.as_bytes());
        let k = hmac_sha256(&k, service.as_bytes());
        Self(hmac_sha256(&k, terminator.as_bytes()))
    }

    /// HMAC-SHA256 of `string_to_sign` under this key.
    pub fn sign(&self, string_to_sign: &str) -> [u8; 32] {
        hmac_sha256(&self.0, string_to_sign.as_bytes())
    }

    /// Constant-time comparison of `provided` (raw bytes) with the signature of `string_to_sign`.
    pub fn verify(&self, string_to_sign: &str, provided: &[u8]) -> bool {
        let mut mac = new_mac::<HmacSha256>(&self.0);
        mac.update(string_to_sign.as_bytes());
        mac.verify_slice(provided).is_ok()
    }
}

impl V4Auth {
    /// The signing key for this request's scope.
    pub fn signing_key(&self, secret: &str) -> SigningKey {
        let c = &self.credential;
        if self.scheme.is_oss() {
            SigningKey::oss(secret, &c.date, &c.region, &c.service)
        } else {
            SigningKey::aws(secret, &c.date, &c.region, &c.service)
        }
    }

    /// Parsed payload hash mode.
    pub fn payload(&self) -> Result<PayloadHash, AuthError> {
        PayloadHash::parse(&self.payload_hash)
    }

    /// Chunk signer seeded with this request's signature, for a signed aws-chunked body.
    /// Call only after [`ParsedAuth::verify`] succeeded.
    pub fn chunk_signer(&self, secret: &str) -> ChunkSigner {
        ChunkSigner::new(
            self.signing_key(secret),
            &self.datetime,
            &self.credential.scope(),
            &self.signature,
        )
    }
}

/// Signs and checks the chunk and trailer signatures of a signed aws-chunked body. Each
/// accepted signature becomes the "previous signature" of the next one.
#[derive(Debug, Clone)]
pub struct ChunkSigner {
    key: SigningKey,
    datetime: String,
    scope: String,
    previous: String,
}

impl ChunkSigner {
    /// A signer whose chain starts at `seed_signature` (the request's hex signature).
    pub fn new(key: SigningKey, datetime: &str, scope: &str, seed_signature: &str) -> Self {
        Self {
            key,
            datetime: datetime.to_owned(),
            scope: scope.to_owned(),
            previous: seed_signature.to_ascii_lowercase(),
        }
    }

    /// The signature the next chunk or trailer must chain from (lower-case hex).
    pub fn previous_signature(&self) -> &str {
        &self.previous
    }

    /// `AWS4-HMAC-SHA256-PAYLOAD` string to sign for a chunk with the given SHA-256.
    pub fn chunk_string_to_sign(&self, chunk_sha256: &[u8; 32]) -> String {
        format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{}\n{}\n{}\n{EMPTY_SHA256}\n{}",
            self.datetime,
            self.scope,
            self.previous,
            hex::encode(chunk_sha256)
        )
    }

    /// `AWS4-HMAC-SHA256-TRAILER` string to sign for the canonical trailer bytes' SHA-256.
    pub fn trailer_string_to_sign(&self, trailer_sha256: &[u8; 32]) -> String {
        format!(
            "AWS4-HMAC-SHA256-TRAILER\n{}\n{}\n{}\n{}",
            self.datetime,
            self.scope,
            self.previous,
            hex::encode(trailer_sha256)
        )
    }

    /// Hex signature of a chunk (for producing test streams).
    pub fn sign_chunk(&self, chunk_sha256: &[u8; 32]) -> String {
        hex::encode(self.key.sign(&self.chunk_string_to_sign(chunk_sha256)))
    }

    /// Hex signature of a trailer (for producing test streams).
    pub fn sign_trailer(&self, trailer_sha256: &[u8; 32]) -> String {
        hex::encode(self.key.sign(&self.trailer_string_to_sign(trailer_sha256)))
    }

    /// Checks a chunk's hex signature in constant time; on success it becomes the previous one.
    pub fn verify_chunk(&mut self, chunk_sha256: &[u8; 32], provided_hex: &str) -> bool {
        let sts = self.chunk_string_to_sign(chunk_sha256);
        self.accept(&sts, provided_hex)
    }

    /// Checks the trailer's hex signature in constant time; on success it becomes the previous one.
    pub fn verify_trailer(&mut self, trailer_sha256: &[u8; 32], provided_hex: &str) -> bool {
        let sts = self.trailer_string_to_sign(trailer_sha256);
        self.accept(&sts, provided_hex)
    }

    /// Moves the chain on to `signature` without checking it (for producing test streams).
    pub fn advance(&mut self, signature: &str) {
        self.previous = signature.to_ascii_lowercase();
    }

    fn accept(&mut self, sts: &str, provided_hex: &str) -> bool {
        let Ok(provided) = hex::decode(provided_hex) else {
            return false;
        };
        if self.key.verify(sts, &provided) {
            self.previous = provided_hex.to_ascii_lowercase();
            true
        } else {
            false
        }
    }
}

// ---------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------

/// Parses `yyyymmddThhmmssZ` (`x-amz-date`, `x-oss-date`) to Unix seconds.
pub fn parse_iso8601_basic(s: &str) -> Result<i64, AuthError> {
    if s.len() != 16 {
        return Err(AuthError::MalformedDate(s.to_owned()));
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ")
        .map(|t| t.and_utc().timestamp())
        .map_err(|_| AuthError::MalformedDate(s.to_owned()))
}

/// Formats Unix seconds as `yyyymmddThhmmssZ`.
pub fn format_iso8601_basic(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

/// Parses an HTTP date (IMF-fixdate, RFC 850 or asctime) to Unix seconds.
pub fn parse_http_date(s: &str) -> Result<i64, AuthError> {
    if let Ok(t) = httpdate::parse_http_date(s.trim())
        && let Ok(d) = t.duration_since(std::time::UNIX_EPOCH)
    {
        return i64::try_from(d.as_secs()).map_err(|_| AuthError::MalformedDate(s.to_owned()));
    }
    lenient_http_date(s).ok_or_else(|| AuthError::MalformedDate(s.to_owned()))
}

/// IMF-fixdate as clients actually send it: the weekday is not checked (the date decides),
/// and the zone may be `GMT`, `UTC`, `Z`, `+0000` or `-0000` (Python's `formatdate()`).
fn lenient_http_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let rest = s.split_once(", ").map_or(s, |(_, r)| r);
    let (stamp, zone) = rest.rsplit_once(' ')?;
    if !matches!(zone, "GMT" | "UTC" | "Z" | "+0000" | "-0000") {
        return None;
    }
    chrono::NaiveDateTime::parse_from_str(stamp, "%d %b %Y %H:%M:%S")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn dates_clients_send() {
        let want = 1_278_504_000; // 2010-07-07T12:00:00Z, a Wednesday
        assert_eq!(
            parse_http_date("Wed, 07 Jul 2010 12:00:00 GMT").unwrap(),
            want
        );
        assert_eq!(
            parse_http_date("Tue, 07 Jul 2010 12:00:00 GMT").unwrap(),
            want,
            "wrong weekday"
        );
        assert_eq!(
            parse_http_date("Wed, 07 Jul 2010 12:00:00 -0000").unwrap(),
            want
        );
        assert_eq!(
            parse_http_date("Wed, 07 Jul 2010 12:00:00 +0000").unwrap(),
            want
        );
        assert!(parse_http_date("Wed, 07 Jul 2010 12:00:00 +0200").is_err());
        assert!(parse_http_date("yesterday").is_err());
    }

    #[test]
    fn negative_expiry_is_expired() {
        assert_eq!(
            parse_expires("-7", "X-Amz-Expires"),
            Err(AuthError::ExpiresOutOfRange(0))
        );
        assert!(matches!(
            parse_expires("x7", "X-Amz-Expires"),
            Err(AuthError::MalformedQueryParam { .. })
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    #[test]
    fn decode_query_handles_bare_plus_and_escapes() {
        assert_eq!(
            decode_query("acl&a=1&b=x+y%2Bz&&c=%E4%B8%AD&d="),
            hs(&[
                ("acl", ""),
                ("a", "1"),
                ("b", "x y+z"),
                ("c", "中"),
                ("d", "")
            ])
        );
    }

    #[test]
    fn uri_encode_keeps_only_unreserved() {
        assert_eq!(
            uri_encode("a b/c~d!*'()+=&中", true),
            "a%20b/c~d%21%2A%27%28%29%2B%3D%26%E4%B8%AD"
        );
        assert_eq!(uri_encode("a/b", false), "a%2Fb");
    }

    #[test]
    fn normalize_raw_path_keeps_encoded_slash() {
        assert_eq!(normalize_raw_path("/b/a%2fb/%7e!x"), "/b/a%2Fb/~%21x");
        assert_eq!(normalize_raw_path("/"), "/");
    }

    #[test]
    fn detects_each_scheme() {
        type Pairs<'a> = &'a [(&'a str, &'a str)];
        let cases: &[(Pairs<'_>, Pairs<'_>, Option<Scheme>)] = &[
            (&[], &[], None),
            (
                &[("authorization", "OSS ak:sig")],
                &[],
                Some(Scheme::OssV1Header),
            ),
            (
                &[("authorization", "OSS4-HMAC-SHA256 Credential=x")],
                &[],
                Some(Scheme::OssV4Header),
            ),
            (
                &[("authorization", "AWS4-HMAC-SHA256 Credential=x")],
                &[],
                Some(Scheme::AwsV4Header),
            ),
            (
                &[("authorization", "AWS ak:sig")],
                &[],
                Some(Scheme::AwsV2Header),
            ),
            (
                &[],
                &[
                    ("OSSAccessKeyId", "a"),
                    ("Expires", "1"),
                    ("Signature", "s"),
                ],
                Some(Scheme::OssV1Query),
            ),
            (
                &[],
                &[
                    ("AWSAccessKeyId", "a"),
                    ("Expires", "1"),
                    ("Signature", "s"),
                ],
                Some(Scheme::AwsV2Query),
            ),
            (
                &[],
                &[("X-Amz-Algorithm", "AWS4-HMAC-SHA256")],
                Some(Scheme::AwsV4Query),
            ),
            (
                &[],
                &[("x-oss-signature-version", "OSS4-HMAC-SHA256")],
                Some(Scheme::OssV4Query),
            ),
        ];
        for (headers, query, want) in cases {
            let (h, q) = (hs(headers), hs(query));
            let req = Request {
                method: "GET",
                raw_path: "/",
                query: &q,
                headers: &h,
            };
            assert_eq!(detect_scheme(&req), Ok(*want), "{headers:?} {query:?}");
        }
    }

    #[test]
    fn mixed_and_unsupported_schemes_are_errors() {
        let h = hs(&[("authorization", "OSS ak:sig")]);
        let q = hs(&[
            ("OSSAccessKeyId", "ak"),
            ("Expires", "1"),
            ("Signature", "x"),
        ]);
        let req = Request {
            method: "GET",
            raw_path: "/",
            query: &q,
            headers: &h,
        };
        assert_eq!(detect_scheme(&req), Err(AuthError::MixedAuth));

        let q2 = hs(&[("X-Amz-Credential", "x"), ("OSSAccessKeyId", "y")]);
        let req = Request {
            method: "GET",
            raw_path: "/",
            query: &q2,
            headers: &[],
        };
        assert_eq!(detect_scheme(&req), Err(AuthError::MixedAuth));

        let h = hs(&[("authorization", "OSS2 AccessKeyId:a,Signature:b")]);
        let req = Request {
            method: "GET",
            raw_path: "/",
            query: &[],
            headers: &h,
        };
        assert_eq!(
            detect_scheme(&req),
            Err(AuthError::Unsupported("OSS2".to_owned()))
        );

        let q = hs(&[("x-oss-signature-version", "OSS2")]);
        let req = Request {
            method: "GET",
            raw_path: "/",
            query: &q,
            headers: &[],
        };
        assert_eq!(
            detect_scheme(&req),
            Err(AuthError::Unsupported("OSS2".to_owned()))
        );
    }

    #[test]
    fn parses_v4_header_with_both_separators() {
        let sig = "a".repeat(64);
        for auth in [
            format!(
                "OSS4-HMAC-SHA256 Credential=ak/20240315/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=range;Host,Signature={sig}"
            ),
            format!(
                "OSS4-HMAC-SHA256 Credential=ak/20240315/cn-hangzhou/oss/aliyun_v4_request, Signature={sig}, AdditionalHeaders=range;host"
            ),
        ] {
            let h = hs(&[("authorization", &auth), ("x-oss-date", "20240315T123456Z")]);
            let req = Request {
                method: "GET",
                raw_path: "/",
                query: &[],
                headers: &h,
            };
            let Ok(Some(ParsedAuth::V4(a))) = parse_auth(&req) else {
                panic!("no V4 auth for {auth}");
            };
            assert_eq!(a.scheme, Scheme::OssV4Header);
            assert_eq!(a.credential.access_key_id, "ak");
            assert_eq!(
                a.credential.scope(),
                "20240315/cn-hangzhou/oss/aliyun_v4_request"
            );
            assert_eq!(
                a.signed_headers,
                vec!["host".to_owned(), "range".to_owned()]
            );
            assert_eq!(a.signature, sig);
            assert_eq!(a.payload_hash, UNSIGNED_PAYLOAD);
        }
    }

    #[test]
    fn malformed_headers_are_reported() {
        let sig = "0".repeat(64);
        let cases = [
            ("OSS akonly".to_owned(), "malformed"),
            ("OSS :sig".to_owned(), "malformed"),
            (format!("AWS4-HMAC-SHA256 Credential=ak/20130524/us-east-1/s3/aws4_request, Signature={sig}"), "malformed"),
            (format!("AWS4-HMAC-SHA256 Credential=ak/2013/us-east-1/s3/aws4_request, SignedHeaders=host, Signature={sig}"), "credential"),
            ("AWS4-HMAC-SHA256 Credential=ak/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=xyz".to_owned(), "malformed"),
            (format!("AWS4-HMAC-SHA256 Credential=ak/20130524/us-east-1/s3/aws4_request, SignedHeaders=range, Signature={sig}"), "host"),
            (format!("AWS4-HMAC-SHA256 Credential=ak/20130525/us-east-1/s3/aws4_request, SignedHeaders=host, Signature={sig}"), "date"),
            (format!("AWS4-HMAC-SHA256 Credential=ak/20130524/us-east-1/s3/aliyun_v4_request, SignedHeaders=host, Signature={sig}"), "scope"),
            (format!("AWS4-HMAC-SHA256 Credential=ak/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature={sig}, Foo=bar"), "malformed"),
        ];
        for (auth, kind) in cases {
            let h = hs(&[
                ("authorization", &auth),
                ("x-amz-date", "20130524T000000Z"),
                ("x-amz-content-sha256", UNSIGNED_PAYLOAD),
            ]);
            let req = Request {
                method: "GET",
                raw_path: "/",
                query: &[],
                headers: &h,
            };
            let err = parse_auth(&req).err();
            let ok = matches!(
                (kind, &err),
                ("malformed", Some(AuthError::MalformedAuthorization(_)))
                    | ("credential", Some(AuthError::MalformedCredential(_)))
                    | ("host", Some(AuthError::HostNotSigned))
                    | ("date", Some(AuthError::ScopeDateMismatch { .. }))
                    | ("scope", Some(AuthError::InvalidScope(_)))
            );
            assert!(ok, "{auth}: {err:?}");
        }
    }

    #[test]
    fn sigv4_header_requires_content_sha256_and_date() {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=ak/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature={}",
            "0".repeat(64)
        );
        let h = hs(&[("authorization", &auth), ("x-amz-date", "20130524T000000Z")]);
        let req = Request {
            method: "GET",
            raw_path: "/",
            query: &[],
            headers: &h,
        };
        assert_eq!(parse_auth(&req), Err(AuthError::MissingContentSha256));
        let h = hs(&[("authorization", &auth), ("x-amz-content-sha256", "abc")]);
        let req = Request { headers: &h, ..req };
        assert_eq!(parse_auth(&req), Err(AuthError::MissingDate));
        let h = hs(&[
            ("authorization", &auth),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-content-sha256", "abc"),
        ]);
        let req = Request { headers: &h, ..req };
        assert_eq!(
            parse_auth(&req),
            Err(AuthError::InvalidContentSha256("abc".to_owned()))
        );
    }

    #[test]
    fn presigned_parameters_are_checked() {
        let base = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "ak/20130524/us-east-1/s3/aws4_request"),
            ("X-Amz-Date", "20130524T000000Z"),
            ("X-Amz-Expires", "604801"),
            ("X-Amz-SignedHeaders", "host"),
            (
                "X-Amz-Signature",
                "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
            ),
        ];
        let q = hs(&base);
        let req = Request {
            method: "GET",
            raw_path: "/",
            query: &q,
            headers: &[],
        };
        assert_eq!(parse_auth(&req), Err(AuthError::ExpiresOutOfRange(604_801)));
        let q: Vec<(String, String)> = hs(&base)
            .into_iter()
            .filter(|(k, _)| k != "X-Amz-Expires")
            .collect();
        let req = Request { query: &q, ..req };
        assert_eq!(
            parse_auth(&req),
            Err(AuthError::MissingQueryParam("X-Amz-Expires"))
        );

        let q = hs(&[("OSSAccessKeyId", "ak"), ("Signature", "x")]);
        let req = Request { query: &q, ..req };
        assert_eq!(
            parse_auth(&req),
            Err(AuthError::MissingQueryParam("Expires"))
        );
        let q = hs(&[("Expires", "1"), ("Signature", "x")]);
        let req = Request { query: &q, ..req };
        assert_eq!(
            parse_auth(&req),
            Err(AuthError::MissingQueryParam("OSSAccessKeyId"))
        );
        let q = hs(&[
            ("OSSAccessKeyId", "ak"),
            ("Signature", "x"),
            ("Expires", "soon"),
        ]);
        let req = Request { query: &q, ..req };
        assert!(matches!(
            parse_auth(&req),
            Err(AuthError::MalformedQueryParam {
                name: "Expires",
                ..
            })
        ));
    }

    #[test]
    fn dates_parse_and_format() {
        assert_eq!(parse_iso8601_basic("20130524T000000Z"), Ok(1_369_353_600));
        assert_eq!(format_iso8601_basic(1_369_353_600), "20130524T000000Z");
        assert_eq!(
            parse_http_date("Fri, 24 May 2013 00:00:00 GMT"),
            Ok(1_369_353_600)
        );
        assert!(parse_iso8601_basic("2013-05-24T00:00:00Z").is_err());
        assert!(parse_iso8601_basic("20130524T000000").is_err());
        assert!(parse_http_date("yesterday").is_err());
    }

    fn aws_get_example() -> Vec<(String, String)> {
        hs(&[
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            ),
            ("host", "examplebucket.s3.amazonaws.com"),
            ("range", "bytes=0-9"),
            ("x-amz-content-sha256", EMPTY_SHA256),
            ("x-amz-date", "20130524T000000Z"),
        ])
    }

    #[test]
    fn aws_get_object_example_canonical_request() {
        let h = aws_get_example();
        let req = Request {
            method: "GET",
            raw_path: "/test.txt",
            query: &[],
            headers: &h,
        };
        let Ok(Some(auth)) = parse_auth(&req) else {
            panic!("no auth");
        };
        let target = Target::default();
        let c = auth.canonical(&req, &target).expect("canonical");
        assert_eq!(
            c.canonical_request.as_deref(),
            Some(
                "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            )
        );
        assert_eq!(
            c.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
        );
        assert_eq!(
            auth.sign(&c, AWS_SECRET),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        assert_eq!(auth.verify(&req, &target, AWS_SECRET), Ok(()));
        assert_eq!(auth.check_time(&req, 1_369_353_600 + 900, 900), Ok(()));
        assert_eq!(
            auth.check_time(&req, 1_369_353_600 + 901, 900),
            Err(AuthError::RequestTimeTooSkewed {
                request_time: 1_369_353_600,
                server_time: 1_369_354_501
            })
        );
        match auth.verify(&req, &target, "wrong") {
            Err(AuthError::SignatureDoesNotMatch(c2)) => assert_eq!(*c2, c),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sigv4_missing_signed_header_is_an_error() {
        let mut h = aws_get_example();
        h.retain(|(n, _)| n != "range");
        let req = Request {
            method: "GET",
            raw_path: "/test.txt",
            query: &[],
            headers: &h,
        };
        let Ok(Some(auth)) = parse_auth(&req) else {
            panic!("no auth");
        };
        assert_eq!(
            auth.verify(&req, &Target::default(), AWS_SECRET),
            Err(AuthError::MissingSignedHeader("range".to_owned()))
        );
    }

    #[test]
    fn sigv4_header_values_are_trimmed_and_collapsed() {
        let mut h = aws_get_example();
        for (n, v) in &mut h {
            if n == "range" {
                *v = "  bytes=0-9  ".to_owned();
            }
        }
        h.push(("x-other".to_owned(), "a   b".to_owned()));
        let req = Request {
            method: "GET",
            raw_path: "/test.txt",
            query: &[],
            headers: &h,
        };
        let Ok(Some(auth)) = parse_auth(&req) else {
            panic!("no auth");
        };
        assert_eq!(auth.verify(&req, &Target::default(), AWS_SECRET), Ok(()));
        assert_eq!(trim_all(" a \t  b  c "), "a b c");
    }

    #[test]
    fn sigv4_accepts_normalized_path_as_variant() {
        // A client that signed `/a%21b` but whose HTTP stack sent `/a!b` still verifies.
        let h = hs(&[
            ("host", "h"),
            ("x-amz-content-sha256", UNSIGNED_PAYLOAD),
            ("x-amz-date", "20130524T000000Z"),
        ]);
        let signer_req = Request {
            method: "GET",
            raw_path: "/a%21b",
            query: &[],
            headers: &h,
        };
        let creq = format!(
            "GET\n/a%21b\n\nhost:h\nx-amz-content-sha256:{UNSIGNED_PAYLOAD}\nx-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n{UNSIGNED_PAYLOAD}"
        );
        let sts = v4_string_to_sign(
            AWS4_ALGORITHM,
            "20130524T000000Z",
            "20130524/us-east-1/s3/aws4_request",
            &creq,
        );
        let sig =
            hex::encode(SigningKey::aws(AWS_SECRET, "20130524", "us-east-1", "s3").sign(&sts));
        let mut h2 = h.clone();
        h2.push((
            "authorization".to_owned(),
            format!("AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={sig}"),
        ));
        for raw_path in ["/a%21b", "/a!b"] {
            let req = Request {
                raw_path,
                headers: &h2,
                ..signer_req
            };
            let Ok(Some(auth)) = parse_auth(&req) else {
                panic!("no auth");
            };
            assert_eq!(
                auth.verify(&req, &Target::default(), AWS_SECRET),
                Ok(()),
                "{raw_path}"
            );
        }
        let req = Request {
            raw_path: "/a%2521b",
            headers: &h2,
            ..signer_req
        };
        let Ok(Some(auth)) = parse_auth(&req) else {
            panic!("no auth");
        };
        assert!(auth.verify(&req, &Target::default(), AWS_SECRET).is_err());
    }

    #[test]
    fn sigv4_date_header_fallback() {
        // botocore signs with the ISO form of an existing Date header and sends no x-amz-date.
        let h = hs(&[
            ("date", "Fri, 24 May 2013 00:00:00 GMT"),
            ("host", "h"),
            ("x-amz-content-sha256", UNSIGNED_PAYLOAD),
        ]);
        let creq = format!(
            "GET\n/\n\ndate:Fri, 24 May 2013 00:00:00 GMT\nhost:h\n\ndate;host\n{UNSIGNED_PAYLOAD}"
        );
        let sts = v4_string_to_sign(
            AWS4_ALGORITHM,
            "20130524T000000Z",
            "20130524/us-east-1/s3/aws4_request",
            &creq,
        );
        let sig =
            hex::encode(SigningKey::aws(AWS_SECRET, "20130524", "us-east-1", "s3").sign(&sts));
        let mut h2 = h.clone();
        h2.push((
            "authorization".to_owned(),
            format!("AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request, SignedHeaders=date;host, Signature={sig}"),
        ));
        let req = Request {
            method: "GET",
            raw_path: "/",
            query: &[],
            headers: &h2,
        };
        let Ok(Some(ParsedAuth::V4(a))) = parse_auth(&req) else {
            panic!("no auth");
        };
        assert_eq!(a.datetime, "20130524T000000Z");
        assert_eq!(
            ParsedAuth::V4(a).verify(&req, &Target::default(), AWS_SECRET),
            Ok(())
        );
    }

    #[test]
    fn oss_v1_string_to_sign_rules() {
        let h = hs(&[
            ("authorization", "OSS ak:x"),
            ("content-md5", "eB5eJF1ptWaXm4bijSPyxw=="),
            ("content-type", "text/html"),
            ("date", "Wed, 28 Dec 2022 10:27:41 GMT"),
            ("x-oss-meta-magic", "abracadabra"),
            ("X-OSS-Meta-Author", " alice "),
            ("x-oss-meta-multi", "a"),
            ("x-oss-meta-multi", "b"),
            ("host", "examplebucket.oss-cn-hangzhou.aliyuncs.com"),
        ]);
        let q = hs(&[
            ("acl", ""),
            ("x-oss-process", "image/resize,w_100"),
            ("prefix", "not-signed"),
            ("uploadId", "u"),
            ("response-content-type", "text/plain; charset=utf-8"),
        ]);
        let req = Request {
            method: "PUT",
            raw_path: "/nelson",
            query: &q,
            headers: &h,
        };
        let target = Target {
            bucket: Some("examplebucket"),
            key: Some("nel son+/中"),
            virtual_host: true,
        };
        let Ok(Some(auth)) = parse_auth(&req) else {
            panic!("no auth");
        };
        let forms = auth.canonical_forms(&req, &target).expect("forms");
        assert_eq!(
            forms[0].string_to_sign,
            "PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\nx-oss-meta-multi:a,b\n/examplebucket/nel son+/中?acl&response-content-type=text/plain; charset=utf-8&uploadId=u&x-oss-process=image/resize,w_100"
        );
        assert_eq!(forms[0].canonical_request, None);
        // The only variant drops x-oss-* parameters (x-oss-process is listed, so "listed
        // only" equals the standard form).
        assert_eq!(forms.len(), 2);
        assert!(
            forms[1]
                .string_to_sign
                .ends_with("/中?acl&response-content-type=text/plain; charset=utf-8&uploadId=u")
        );
    }

    #[test]
    fn oss_v4_canonical_request_rules() {
        // oss2 lists additional headers in the Authorization header sorted by first
        // character only and even when absent; the canonical request sorts them fully and
        // signs only the headers present. x-oss-*, content-type and content-md5 are always
        // signed; the query is fully encoded, bare names stay bare.
        let sig = "0".repeat(64);
        let auth = format!(
            "OSS4-HMAC-SHA256 Credential=ak/20240315/cn-hangzhou/oss/aliyun_v4_request, Signature={sig}, AdditionalHeaders=range;if-none-match;accept"
        );
        let h = hs(&[
            ("authorization", &auth),
            ("accept", "*/*"),
            ("content-type", "text/plain"),
            ("host", "b.oss-cn-hangzhou.aliyuncs.com"),
            ("range", "bytes=0-9"),
            ("user-agent", "ua"),
            ("x-oss-content-sha256", UNSIGNED_PAYLOAD),
            ("x-oss-date", "20240315T123456Z"),
            ("x-oss-meta-a", " 1 "),
        ]);
        let q = hs(&[("uploads", ""), ("prefix", "a b/ü"), ("+x", "|")]);
        let req = Request {
            method: "POST",
            raw_path: "/dir%2Fa%20b",
            query: &q,
            headers: &h,
        };
        let target = Target {
            bucket: Some("b"),
            key: Some("dir/a b+~"),
            virtual_host: true,
        };
        let Ok(Some(parsed)) = parse_auth(&req) else {
            panic!("no auth");
        };
        let c = parsed.canonical(&req, &target).expect("canonical");
        assert_eq!(
            c.canonical_request.as_deref(),
            Some(
                "POST\n/b/dir/a%20b%2B~\n%2Bx=%7C&prefix=a%20b%2F%C3%BC&uploads\naccept:*/*\ncontent-type:text/plain\nrange:bytes=0-9\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20240315T123456Z\nx-oss-meta-a:1\n\naccept;if-none-match;range\nUNSIGNED-PAYLOAD"
            )
        );
        assert!(c.string_to_sign.starts_with(
            "OSS4-HMAC-SHA256\n20240315T123456Z\n20240315/cn-hangzhou/oss/aliyun_v4_request\n"
        ));
    }

    #[test]
    fn oss_v1_prefers_x_oss_date_and_tolerates_date() {
        let h = hs(&[
            ("authorization", "OSS ak:x"),
            ("date", "Wed, 28 Dec 2022 10:27:41 GMT"),
            ("x-oss-date", "Wed, 28 Dec 2022 10:27:42 GMT"),
        ]);
        let req = Request {
            method: "GET",
            raw_path: "/",
            query: &[],
            headers: &h,
        };
        let Ok(Some(auth)) = parse_auth(&req) else {
            panic!("no auth");
        };
        let forms = auth
            .canonical_forms(&req, &Target::default())
            .expect("forms");
        let sts: Vec<&str> = forms.iter().map(|c| c.string_to_sign.as_str()).collect();
        assert_eq!(
            sts,
            vec![
                "GET\n\n\nWed, 28 Dec 2022 10:27:42 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:42 GMT\n/",
                "GET\n\n\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:42 GMT\n/",
            ]
        );
        assert_eq!(auth.check_time(&req, 1_672_223_262, 0), Ok(()));
    }

    #[test]
    fn oss_v1_presigned_expiry() {
        let q = hs(&[
            ("OSSAccessKeyId", "ak"),
            ("Expires", "1141889120"),
            ("Signature", "EwaNTn1erJGkimiJ9WmXgwnANLc="),
        ]);
        let req = Request {
            method: "GET",
            raw_path: "/oss-api.pdf",
            query: &q,
            headers: &[],
        };
        let Ok(Some(auth)) = parse_auth(&req) else {
            panic!("no auth");
        };
        assert_eq!(auth.check_time(&req, 1_141_889_120, 900), Ok(()));
        assert_eq!(
            auth.check_time(&req, 1_141_889_121, 900),
            Err(AuthError::Expired {
                expires_at: 1_141_889_120,
                server_time: 1_141_889_121
            })
        );
        let target = Target {
            bucket: Some("oss-example"),
            key: Some("oss-api.pdf"),
            virtual_host: true,
        };
        assert_eq!(
            auth.canonical(&req, &target).map(|c| c.string_to_sign),
            Ok("GET\n\n\n1141889120\n/oss-example/oss-api.pdf".to_owned())
        );
        assert_eq!(
            auth.verify(&req, &target, "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV"),
            Ok(())
        );
    }

    #[test]
    fn v4_presigned_window() {
        let q = hs(&[
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            (
                "X-Amz-Credential",
                "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request",
            ),
            ("X-Amz-Date", "20130524T000000Z"),
            ("X-Amz-Expires", "86400"),
            ("X-Amz-SignedHeaders", "host"),
            (
                "X-Amz-Signature",
                "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
            ),
        ]);
        let h = hs(&[("host", "examplebucket.s3.amazonaws.com")]);
        let req = Request {
            method: "GET",
            raw_path: "/test.txt",
            query: &q,
            headers: &h,
        };
        let Ok(Some(auth)) = parse_auth(&req) else {
            panic!("no auth");
        };
        let t = 1_369_353_600;
        assert_eq!(auth.check_time(&req, t + 86_400, 900), Ok(()));
        assert!(matches!(
            auth.check_time(&req, t + 86_401, 900),
            Err(AuthError::Expired { .. })
        ));
        assert_eq!(auth.check_time(&req, t - 900, 900), Ok(()));
        assert!(matches!(
            auth.check_time(&req, t - 901, 900),
            Err(AuthError::NotYetValid { .. })
        ));
        assert_eq!(auth.verify(&req, &Target::default(), AWS_SECRET), Ok(()));
    }

    #[test]
    fn chunk_signer_matches_aws_example() {
        let key = SigningKey::aws(AWS_SECRET, "20130524", "us-east-1", "s3");
        let mut signer = ChunkSigner::new(
            key,
            "20130524T000000Z",
            "20130524/us-east-1/s3/aws4_request",
            "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
        );
        let chunk: [u8; 32] = Sha256::digest(vec![b'a'; 65_536]).into();
        assert_eq!(
            signer.chunk_string_to_sign(&chunk),
            "AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nbf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a"
        );
        assert!(!signer.verify_chunk(&chunk, &"0".repeat(64)));
        assert!(signer.verify_chunk(
            &chunk,
            "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
        ));
        let chunk2: [u8; 32] = Sha256::digest(vec![b'a'; 1024]).into();
        assert!(signer.verify_chunk(
            &chunk2,
            "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
        ));
        let empty: [u8; 32] = Sha256::digest(b"").into();
        assert_eq!(
            signer.sign_chunk(&empty),
            "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
        );
    }

    #[test]
    fn trailer_signature_matches_aws_example() {
        let key = SigningKey::aws(AWS_SECRET, "20130524", "us-east-1", "s3");
        let mut signer = ChunkSigner::new(
            key,
            "20130524T000000Z",
            "20130524/us-east-1/s3/aws4_request",
            "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
        );
        let trailer: [u8; 32] = Sha256::digest(b"x-amz-checksum-crc32c:sOO8/Q==\n").into();
        assert_eq!(
            signer.trailer_string_to_sign(&trailer),
            "AWS4-HMAC-SHA256-TRAILER\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\n1e376db7e1a34a8ef1c4bcee131a2d60a1cb62503747488624e10995f448d774"
        );
        assert!(signer.verify_trailer(
            &trailer,
            "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
        ));
    }
}
