//! What OSS V4 (`OSS4-HMAC-SHA256`) and AWS SigV4 (`AWS4-HMAC-SHA256`) share: the credential
//! scope, the payload hash modes, the parsed parameters, the `Authorization` header parser,
//! the presigned validity, the canonical query, the StringToSign and the derived signing key.

use std::fmt;

use hmac::Mac;
use sha2::{Digest, Sha256};

use super::aws_v4::ChunkSigner;
use super::mac::{HmacSha256, hmac_sha256, new_mac};
use super::request::{AuthError, Request, join_pairs, uri_encode};
use super::scheme::{Canonical, Scheme};
use super::time::{
    check_expiry, check_skew, format_iso8601_basic, parse_http_date, parse_iso8601_basic,
};

/// Largest presigned validity both S3 (`X-Amz-Expires`) and OSS V4 (`x-oss-expires`) accept: 7 days.
pub const MAX_PRESIGN_EXPIRES: u64 = 604_800;

/// `x-amz-content-sha256` / `x-oss-content-sha256` value for an unsigned payload.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Signed aws-chunked payload without trailers.
pub const STREAMING_SIGNED: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";

/// Signed aws-chunked payload with a signed trailer.
pub const STREAMING_SIGNED_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";

/// Unsigned aws-chunked payload with an unsigned trailer.
pub const STREAMING_UNSIGNED_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

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

/// A `;`-separated header name list, lower-cased, sorted, without repeats.
pub(super) fn parse_header_list(value: &str) -> Vec<String> {
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
pub(super) fn check_signature_hex(
    sig: &str,
    malformed: impl Fn() -> AuthError,
) -> Result<(), AuthError> {
    if sig.len() == 64 && sig.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(malformed())
    }
}

/// Checks a `yyyymmddThhmmssZ` signing time.
pub(super) fn check_datetime(dt: &str) -> Result<(), AuthError> {
    parse_iso8601_basic(dt).map(|_| ())
}

/// The scope's terminator fits the scheme and its date is the signing date.
pub(super) fn check_scope(
    cred: &Credential,
    scheme: Scheme,
    datetime: &str,
) -> Result<(), AuthError> {
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

/// Parses `Authorization: OSS4-HMAC-SHA256 …` / `AWS4-HMAC-SHA256 …`.
pub(super) fn parse_header(req: &Request<'_>, scheme: Scheme) -> Result<V4Auth, AuthError> {
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

/// A presigned validity in seconds, within `1..=MAX_PRESIGN_EXPIRES`.
pub(super) fn parse_expires(value: &str, name: &'static str) -> Result<u64, AuthError> {
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

/// The payload hash a presigned request signs: the header's value, else `UNSIGNED-PAYLOAD`.
pub(super) fn presigned_payload_hash(req: &Request<'_>, header: &str) -> Result<String, AuthError> {
    match req.header(header) {
        Some(v) => {
            let v = v.trim();
            PayloadHash::parse(v)?;
            Ok(v.to_owned())
        }
        None => Ok(UNSIGNED_PAYLOAD.to_owned()),
    }
}

/// Sorted `k=v` list with both sides RFC 3986 encoded; `bare_empty` writes `k` instead of
/// `k=` for an empty value (OSS V4) while SigV4 always keeps the `=`.
pub(super) fn canonical_query(req: &Request<'_>, skip: &str, bare_empty: bool) -> String {
    let mut pairs: Vec<(String, String)> = req
        .query
        .iter()
        .filter(|(k, _)| k != skip)
        .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
        .collect();
    pairs.sort();
    join_pairs(pairs.into_iter(), bare_empty)
}

/// The V4 StringToSign: algorithm, signing time, scope and the hex SHA-256 of the canonical
/// request, one per line.
pub(super) fn v4_string_to_sign(
    algorithm: &str,
    datetime: &str,
    scope: &str,
    creq: &str,
) -> String {
    format!(
        "{algorithm}\n{datetime}\n{scope}\n{}",
        hex::encode(Sha256::digest(creq.as_bytes()))
    )
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
    /// Call only after [`ParsedAuth::verify`](super::ParsedAuth::verify) succeeded.
    pub fn chunk_signer(&self, secret: &str) -> ChunkSigner {
        ChunkSigner::new(
            self.signing_key(secret),
            &self.datetime,
            &self.credential.scope(),
            &self.signature,
        )
    }

    /// Whether the signature matches one of `forms` under `secret` (constant-time compare).
    pub(super) fn matches_any(&self, forms: &[Canonical], secret: &str) -> bool {
        match hex::decode(&self.signature) {
            Ok(provided) => {
                let key = self.signing_key(secret);
                forms
                    .iter()
                    .any(|c| key.verify(&c.string_to_sign, &provided))
            }
            Err(_) => false,
        }
    }

    /// Header: the signing time within `max_skew` of `now`. Presigned: dated at most
    /// `max_skew` ahead of `now`, and not past its validity.
    pub(super) fn check_time(&self, now: i64, max_skew: i64) -> Result<(), AuthError> {
        let t = parse_iso8601_basic(&self.datetime)?;
        match self.expires {
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

#[cfg(test)]
mod tests;
