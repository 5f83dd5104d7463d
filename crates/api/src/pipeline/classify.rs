//! Stage 1, classify: what the request line and headers say before anyone is asked who sent
//! it: the dialect, the query, how the host addresses a bucket (a store failure looking up a
//! custom domain is a 500, never "no such domain"), the bucket and key from host and path, and
//! the shape checks on both (which the authorize stage applies).

use http::request::Parts;
use percent_encoding::percent_decode_str;

use crate::dialect::Dialect;
use crate::error::{ApiError, ApiResult, Code};
use crate::host::{Addressing, classify as classify_host, normalize};
use crate::query::Query;
use crate::state::AppState;

/// A request as classified.
pub struct Classified {
    /// Wire dialect.
    pub dialect: Dialect,
    /// Query parameters.
    pub query: Query,
    /// The Host header as sent (with port).
    pub host_header: String,
    /// How the host addresses the bucket (`Path` when the lookup failed).
    pub addressing: Addressing,
    /// The bucket, from the host or the path.
    pub bucket: Option<String>,
    /// The object key, percent-decoded.
    pub key: Option<String>,
    /// Why the request cannot go on (raised before authentication).
    pub problem: Option<ApiError>,
}

/// Classifies a request head.
pub fn classify(state: &AppState, parts: &Parts) -> Classified {
    let query = Query::parse(parts.uri.query().unwrap_or(""));
    let dialect = Dialect::detect(&parts.headers, query.pairs.iter().map(|(k, _)| k.as_str()));
    let host_header = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_default();
    let lookup = |h: &str| state.store.meta().get_domain(h);
    let (addressing, mut problem) = match classify_host(
        &normalize(&host_header),
        &state.config.endpoint_domains,
        lookup,
    ) {
        Ok(a) => (a, None),
        Err(e) => (Addressing::Path, Some(ApiError::from(e))),
    };
    let (bucket, key) = match split_path(parts.uri.path(), &addressing) {
        Ok(target) => target,
        Err(e) => {
            problem.get_or_insert(e);
            (None, None)
        }
    };
    Classified {
        dialect,
        query,
        host_header,
        addressing,
        bucket,
        key,
        problem,
    }
}

/// The bucket name and key shape checks (made after authentication, with the permission).
pub(crate) fn check_shape(
    bucket: Option<&str>,
    key: Option<&str>,
    dialect: Dialect,
) -> ApiResult<()> {
    if let Some(b) = bucket
        && !valid_bucket_name(b)
    {
        return Err(ApiError::new(Code::InvalidBucketName).field("BucketName", b));
    }
    if let Some(k) = key {
        check_key(k, dialect)?;
    }
    Ok(())
}

/// Splits the raw path into bucket and key for the addressing style.
pub(crate) fn split_path(
    raw_path: &str,
    addressing: &Addressing,
) -> ApiResult<(Option<String>, Option<String>)> {
    let decode = |s: &str| -> ApiResult<String> {
        percent_decode_str(s)
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| {
                ApiError::msg(
                    Code::InvalidURI,
                    "The path is not valid UTF-8 after percent-decoding.",
                )
            })
    };
    let path = raw_path.strip_prefix('/').unwrap_or(raw_path);
    let (bucket, key) = match addressing.bucket() {
        Some(b) => (Some(b.to_string()), path),
        None => {
            let (b, k) = path.split_once('/').unwrap_or((path, ""));
            let b = decode(b)?;
            ((!b.is_empty()).then_some(b), k)
        }
    };
    let key = if key.is_empty() {
        None
    } else {
        Some(decode(key)?)
    };
    Ok((bucket, key))
}

/// A name a bucket can have (S3's rules): 3-63 of `[a-z0-9.-]`, starting and ending with a
/// letter or digit, no `..`, not an IPv4 address. OSS names have no dots (checked when a
/// bucket is created through the OSS dialect).
pub fn valid_bucket_name(name: &str) -> bool {
    let edge = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && edge(name.bytes().next())
        && edge(name.bytes().last())
        && !name.contains("..")
        && name.parse::<std::net::Ipv4Addr>().is_err()
}

/// The object key's length and characters.
pub(crate) fn check_key(key: &str, dialect: Dialect) -> ApiResult<()> {
    if key.len() > 1023 {
        let code = match dialect {
            Dialect::Oss => Code::InvalidObjectName,
            Dialect::S3 => Code::KeyTooLongError,
        };
        return Err(ApiError::msg(
            code,
            format!(
                "The object key is {} bytes long; the limit is 1023 bytes.",
                key.len()
            ),
        ));
    }
    // NUL never names an object (the store separates names with it). S3 refuses C1 controls
    // (U+0080..U+009F) with its URI error, word for word; both clouds store C0 controls,
    // which listings then return with `encoding-type=url`.
    let refused =
        |c: char| c == '\0' || (dialect == Dialect::S3 && ('\u{80}'..='\u{9f}').contains(&c));
    if key.chars().any(refused) {
        return Err(match dialect {
            Dialect::Oss => ApiError::msg(
                Code::InvalidObjectName,
                "The object key contains a NUL character.",
            ),
            Dialect::S3 => ApiError::msg(Code::InvalidURI, "Couldn't parse the specified URI."),
        });
    }
    // OSS: "The object name cannot start with a forward slash (/) or a backslash (\)".
    if dialect == Dialect::Oss && (key.starts_with('/') || key.starts_with('\\')) {
        return Err(ApiError::msg(
            Code::InvalidObjectName,
            "The specified object is not valid: it starts with / or \\.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
