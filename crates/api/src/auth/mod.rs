//! Request authentication: one module per signature scheme, POST policy signatures, the
//! request-time checks and the aws-chunked body decoder.
//!
//! Everything here is pure: the caller hands in the parsed request ([`Request`]), the decoded
//! bucket and key ([`Target`]), the secret and the current time. The verifier flow is
//! [`parse_auth`] → [`ParsedAuth::check_time`] → [`ParsedAuth::verify`]; on a mismatch the
//! error carries the server's `StringToSign` (and `CanonicalRequest` for the V4 schemes) for
//! the error body.
//!
//! - `request`: the request as signatures see it, URI encodings, [`AuthError`];
//! - `scheme`: scheme detection, [`ParsedAuth`] and the verify/check-time dispatch;
//! - `hmac_v1`: OSS V1 and AWS SigV2 (HMAC-SHA1), header and presigned;
//! - `v4`: what OSS V4 and AWS SigV4 share (credential scope, signing key, header parser);
//! - `oss_v2`: OSS V2 (HMAC-SHA256 over all query parameters), header and presigned;
//! - `oss_v4`: OSS V4; `aws_v4`: AWS SigV4 and the aws-chunked [`ChunkSigner`];
//! - `post_policy`: the signatures of POST forms (PostObject) over their policy;
//! - `time`: dates, clock skew and expiry;
//! - [`chunked`]: the aws-chunked body decoder.

mod aws_v4;
pub mod chunked;
mod hmac_v1;
mod mac;
mod oss_v2;
mod oss_v4;
mod post_policy;
mod request;
mod scheme;
#[cfg(test)]
mod test_support;
mod time;
mod v4;

pub use aws_v4::{ChunkSigner, EMPTY_SHA256};
pub use hmac_v1::HmacV1Auth;
pub use oss_v2::OssV2Auth;
pub use post_policy::{PolicyFormError, PolicySignature};
pub use request::{AuthError, Request, Target, decode_path, decode_query, uri_encode};
pub use scheme::{
    Canonical, ParsedAuth, Scheme, detect_scheme, parse_auth, signs_header, signs_query_param,
};
pub use time::{DEFAULT_MAX_SKEW_SECS, format_iso8601_basic, parse_http_date, parse_iso8601_basic};
pub use v4::{
    Credential, MAX_PRESIGN_EXPIRES, PayloadHash, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER,
    STREAMING_UNSIGNED_TRAILER, SigningKey, UNSIGNED_PAYLOAD, V4Auth,
};
