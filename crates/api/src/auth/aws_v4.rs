//! AWS Signature Version 4 (`AWS4-HMAC-SHA256`): the presigned-URL parser, the canonical
//! request, and the signer of a signed aws-chunked body's chunks and trailer.

use super::request::{AuthError, Request, normalize_raw_path, required};
use super::scheme::{Canonical, Scheme};
use super::v4::{
    Credential, SigningKey, V4Auth, canonical_query, check_datetime, check_scope,
    check_signature_hex, parse_expires, parse_header_list, presigned_payload_hash,
    v4_string_to_sign,
};

/// The SigV4 algorithm name.
pub(super) const AWS4_ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Hex SHA-256 of the empty string.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Parses `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…`.
pub(super) fn parse_query(req: &Request<'_>) -> Result<V4Auth, AuthError> {
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

/// SigV4 header value: trimmed, runs of whitespace collapsed to one space.
fn trim_all(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The canonical request and StringToSign for the path as sent, then its normalized form.
pub(super) fn canonical_forms(a: &V4Auth, req: &Request<'_>) -> Result<Vec<Canonical>, AuthError> {
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

#[cfg(test)]
mod tests;
