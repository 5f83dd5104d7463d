//! OSS Signature Version 4 (`OSS4-HMAC-SHA256`): the presigned-URL parser and the canonical
//! request (bucket and key in the URI, `x-oss-*`, Content-Type and Content-MD5 always signed).

use super::request::{AuthError, Request, Target, required, uri_encode};
use super::scheme::{Canonical, Scheme};
use super::v4::{
    Credential, V4Auth, canonical_query, check_datetime, check_scope, check_signature_hex,
    parse_expires, parse_header_list, presigned_payload_hash, v4_string_to_sign,
};

/// The OSS V4 algorithm name.
pub(super) const OSS4_ALGORITHM: &str = "OSS4-HMAC-SHA256";

/// Parses `?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=…`.
pub(super) fn parse_query(req: &Request<'_>) -> Result<V4Auth, AuthError> {
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

/// The canonical request and StringToSign (one form).
pub(super) fn canonical_forms(
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

#[cfg(test)]
mod tests;
