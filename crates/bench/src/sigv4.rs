//! A small AWS Signature Version 4 signer for header authentication, as S3 clients send it.
//!
//! The benchmark signs every request the way real clients do: path-style addressing,
//! `x-amz-content-sha256: UNSIGNED-PAYLOAD` for bodies, and the signed headers `host`,
//! `x-amz-content-sha256` and `x-amz-date`. The derived signing key is cached per day, as
//! it only depends on the date, region and service.

use std::sync::Mutex;

use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::{Digest, Sha256};

/// `x-amz-content-sha256` value for a body that is not hashed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded (RFC 3986 unreserved).
pub const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// [`UNRESERVED`] that keeps `/`, for object paths.
pub const UNRESERVED_SLASH: &AsciiSet = &UNRESERVED.remove(b'/');

/// Percent-encodes a path (bucket and key) the way SigV4 canonicalizes S3 paths.
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, UNRESERVED_SLASH).to_string()
}

/// Builds the canonical (and sent) query string: pairs encoded, then sorted.
pub fn canonical_query(pairs: &[(&str, &str)]) -> String {
    let mut enc: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| {
            (
                utf8_percent_encode(k, UNRESERVED).to_string(),
                utf8_percent_encode(v, UNRESERVED).to_string(),
            )
        })
        .collect();
    enc.sort();
    let mut out = String::new();
    for (i, (k, v)) in enc.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Signs requests for one credential, region and service.
#[derive(Debug)]
pub struct Signer {
    access_key: String,
    secret_key: String,
    region: String,
    service: String,
    /// `(yyyymmdd, kSigning)` of the last request.
    key_cache: Mutex<Option<(String, [u8; 32])>>,
}

/// The parts of a request that SigV4 covers.
#[derive(Debug)]
pub struct CanonicalRequest<'a> {
    /// HTTP method, e.g. `GET`.
    pub method: &'a str,
    /// Already encoded path, e.g. `/bucket/key` (see [`encode_path`]).
    pub path: &'a str,
    /// Already canonical query string (see [`canonical_query`]), empty when none.
    pub query: &'a str,
    /// Headers to sign as `(lowercase name, value)`; `host`, `x-amz-date` and
    /// `x-amz-content-sha256` must be among them. Any order.
    pub headers: &'a [(&'a str, &'a str)],
    /// Value of `x-amz-content-sha256`.
    pub payload_hash: &'a str,
}

impl Signer {
    /// A signer for `access_key`/`secret_key` in `region` for `service` (`s3`).
    pub fn new(access_key: &str, secret_key: &str, region: &str, service: &str) -> Self {
        Self {
            access_key: access_key.to_owned(),
            secret_key: secret_key.to_owned(),
            region: region.to_owned(),
            service: service.to_owned(),
            key_cache: Mutex::new(None),
        }
    }

    /// The `Authorization` header value for `req` at `amz_date` (`yyyymmddThhmmssZ`).
    pub fn authorization(&self, req: &CanonicalRequest<'_>, amz_date: &str) -> String {
        let date = amz_date.get(..8).unwrap_or(amz_date);
        let mut headers: Vec<(&str, &str)> = req.headers.to_vec();
        headers.sort_by(|a, b| a.0.cmp(b.0));
        let mut creq = format!("{}\n{}\n{}\n", req.method, req.path, req.query);
        for (name, value) in &headers {
            creq.push_str(name);
            creq.push(':');
            creq.push_str(value.trim());
            creq.push('\n');
        }
        creq.push('\n');
        let signed: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
        let signed = signed.join(";");
        creq.push_str(&signed);
        creq.push('\n');
        creq.push_str(req.payload_hash);
        let scope = format!("{date}/{}/{}/aws4_request", self.region, self.service);
        let sts = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            hex::encode(Sha256::digest(creq.as_bytes()))
        );
        let signature = hex::encode(hmac_sha256(&self.signing_key(date), sts.as_bytes()));
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope},SignedHeaders={signed},Signature={signature}",
            self.access_key
        )
    }

    /// The `Authorization` header value of an OSS signature V1 (`OSS AK:base64(HMAC-SHA1)`)
    /// over `string_to_sign` (see [`oss_v1_string_to_sign`]).
    pub fn oss_v1_authorization(&self, string_to_sign: &str) -> String {
        use base64::Engine as _;
        let mut mac =
            match <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(self.secret_key.as_bytes()) {
                Ok(m) => m,
                Err(_) => unreachable!("HMAC accepts keys of any length"),
            };
        mac.update(string_to_sign.as_bytes());
        let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        format!("OSS {}:{sig}", self.access_key)
    }

    fn signing_key(&self, date: &str) -> [u8; 32] {
        let mut cache = match self.key_cache.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some((d, k)) = cache.as_ref()
            && d == date
        {
            return *k;
        }
        let k = hmac_sha256(
            format!("AWS4{}", self.secret_key).as_bytes(),
            date.as_bytes(),
        );
        let k = hmac_sha256(&k, self.region.as_bytes());
        let k = hmac_sha256(&k, self.service.as_bytes());
        let k = hmac_sha256(&k, b"aws4_request");
        *cache = Some((date.to_owned(), k));
        k
    }
}

/// The OSS V1 string to sign: `VERB\nContent-MD5\nContent-Type\nDate\n`, the `x-oss-*`
/// headers (lower-case, sorted, `name:value\n`), then the resource `/bucket/key` (`/bucket/`
/// for a bucket) with every query parameter as a sub-resource, sorted (`?cname&comp=add`).
/// `path` is the path-style path, not encoded; only pass query parameters that OSS signs.
pub fn oss_v1_string_to_sign(
    method: &str,
    content_md5: &str,
    content_type: &str,
    date: &str,
    oss_headers: &[(String, String)],
    path: &str,
    query: &[(&str, &str)],
) -> String {
    let mut headers = oss_headers.to_vec();
    headers.sort();
    let mut s = format!("{method}\n{content_md5}\n{content_type}\n{date}\n");
    for (k, v) in &headers {
        s.push_str(k);
        s.push(':');
        s.push_str(v);
        s.push('\n');
    }
    let trimmed = path.trim_start_matches('/');
    match trimmed.split_once('/') {
        Some(_) => {
            s.push('/');
            s.push_str(trimmed);
        }
        None if trimmed.is_empty() => s.push('/'),
        None => {
            s.push('/');
            s.push_str(trimmed);
            s.push('/');
        }
    }
    let mut q: Vec<(&str, &str)> = query.to_vec();
    q.sort();
    for (i, (k, v)) in q.iter().enumerate() {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(k);
        if !v.is_empty() {
            s.push('=');
            s.push_str(v);
        }
    }
    s
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// AWS S3 API Reference, "Signature Calculations for the Authorization Header", example
    /// "GET Object" (also in `fixtures/sigs/published.json`).
    #[test]
    fn aws_published_get_object() {
        let signer = Signer::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "us-east-1",
            "s3",
        );
        let auth = signer.authorization(
            &CanonicalRequest {
                method: "GET",
                path: &encode_path("/test.txt"),
                query: "",
                headers: &[
                    ("x-amz-date", "20130524T000000Z"),
                    ("range", "bytes=0-9"),
                    ("host", "examplebucket.s3.amazonaws.com"),
                    ("x-amz-content-sha256", EMPTY_SHA256),
                ],
                payload_hash: EMPTY_SHA256,
            },
            "20130524T000000Z",
        );
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,\
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        // A second request on the same day uses the cached key and still matches.
        let again = signer.authorization(
            &CanonicalRequest {
                method: "GET",
                path: "/test.txt",
                query: "",
                headers: &[
                    ("host", "examplebucket.s3.amazonaws.com"),
                    ("range", "bytes=0-9"),
                    ("x-amz-content-sha256", EMPTY_SHA256),
                    ("x-amz-date", "20130524T000000Z"),
                ],
                payload_hash: EMPTY_SHA256,
            },
            "20130524T000000Z",
        );
        assert_eq!(auth, again);
    }

    /// AWS example "GET Bucket (List Objects)": a query string with two parameters.
    #[test]
    fn aws_published_list_objects() {
        let signer = Signer::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "us-east-1",
            "s3",
        );
        let query = canonical_query(&[("prefix", "J"), ("max-keys", "2")]);
        assert_eq!(query, "max-keys=2&prefix=J");
        let auth = signer.authorization(
            &CanonicalRequest {
                method: "GET",
                path: "/",
                query: &query,
                headers: &[
                    ("host", "examplebucket.s3.amazonaws.com"),
                    ("x-amz-content-sha256", EMPTY_SHA256),
                    ("x-amz-date", "20130524T000000Z"),
                ],
                payload_hash: EMPTY_SHA256,
            },
            "20130524T000000Z",
        );
        assert!(
            auth.ends_with(
                "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
            ),
            "{auth}"
        );
    }

    /// OSS documentation example of a V1 signature (PUT with Content-MD5, Content-Type and
    /// `x-oss-` headers; also in `fixtures/sigs/published.json`).
    #[test]
    fn oss_v1_documented_example() {
        let signer = Signer::new(
            "44CF9590006BF252F707",
            "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV",
            "r",
            "s3",
        );
        let sts = oss_v1_string_to_sign(
            "PUT",
            "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=",
            "text/html",
            "Thu, 17 Nov 2005 18:49:58 GMT",
            &[
                ("x-oss-magic".into(), "abracadabra".into()),
                ("x-oss-meta-author".into(), "foo@bar.com".into()),
            ],
            "/oss-example/nelson",
            &[],
        );
        assert_eq!(
            sts,
            "PUT\nODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=\ntext/html\nThu, 17 Nov 2005 18:49:58 GMT\nx-oss-magic:abracadabra\nx-oss-meta-author:foo@bar.com\n/oss-example/nelson"
        );
        assert_eq!(
            signer.oss_v1_authorization(&sts),
            "OSS 44CF9590006BF252F707:26NBxoKdsyly4EDv6inkoDft/yA="
        );
        let sts = oss_v1_string_to_sign(
            "POST",
            "",
            "",
            "d",
            &[],
            "/b",
            &[("comp", "add"), ("cname", "")],
        );
        assert_eq!(sts, "POST\n\n\nd\n/b/?cname&comp=add");
    }

    #[test]
    fn query_and_path_encoding() {
        assert_eq!(
            canonical_query(&[("list-type", "2"), ("delimiter", "/"), ("prefix", "a b+")]),
            "delimiter=%2F&list-type=2&prefix=a%20b%2B"
        );
        assert_eq!(encode_path("/b/dir/k$ 1"), "/b/dir/k%24%201");
    }
}
