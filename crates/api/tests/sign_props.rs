//! Property tests for signature canonicalization (`ossemu_api::auth`).
//!
//! A small client-side signer written here from the published specifications (AWS SigV4 and
//! SigV2, Alibaba OSS V4 and V1; header and presigned forms) signs arbitrary requests: any
//! method, path-style or virtual-hosted addressing, keys with blanks, `+`, `%`, `/` runs and
//! non-ASCII (percent-encoded strictly or leaving sub-delimiters raw, as some clients do),
//! query pairs with the same characters, repeated and blank-padded headers. The request is
//! then seen the way the server sees it (raw path, query decoded by `Query::parse`, trimmed
//! header values) and:
//! - `parse_auth` finds the scheme, and `verify` accepts the signature;
//! - the same request under another secret is refused with `SignatureDoesNotMatch`;
//! - the signature with one character changed is refused (by the parser or by `verify`).
//!
//! Arbitrary Authorization headers, presigned query strings, paths and header sets never make
//! the parser, the canonicalizer, `verify` or `check_time` panic.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use ossemu_api::auth::{
    AuthError, Credential, PayloadHash, Request, Scheme, Target, decode_path, decode_query,
    parse_auth, parse_http_date, parse_iso8601_basic,
};
use ossemu_api::request::Query;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

const AK: &str = "AKIDEXAMPLE";
const DATETIME: &str = "20240102T030405Z";
const DATE: &str = "20240102";
const HTTP_DATE: &str = "Tue, 02 Jan 2024 03:04:05 GMT";
const EXPIRES_AT: &str = "1704165845";

// ---------------------------------------------------------------------------------------
// The client side, from the specifications
// ---------------------------------------------------------------------------------------

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

fn hmac_sha1(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// RFC 3986 encoding: everything but `A-Z a-z 0-9 - _ . ~` (and `/` when asked) as `%XX`.
fn rfc3986(s: &str, keep_slash: bool) -> String {
    let mut out = String::new();
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What some clients send: sub-delimiters, `:` and `@` left raw in the path (valid in a
/// path segment per RFC 3986), everything else encoded as above.
fn lenient_path(s: &str) -> String {
    let mut out = String::new();
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Query string as clients write it: both sides RFC 3986 encoded, a bare name for an empty
/// value.
fn raw_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                rfc3986(k, false)
            } else {
                format!("{}={}", rfc3986(k, false), rfc3986(v, false))
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Name/value pairs (query parameters or headers).
type Pairs = Vec<(String, String)>;

/// The eight schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    AwsV4Header,
    AwsV4Query,
    OssV4Header,
    OssV4Query,
    AwsV2Header,
    AwsV2Query,
    OssV1Header,
    OssV1Query,
}

impl Kind {
    fn scheme(self) -> Scheme {
        match self {
            Kind::AwsV4Header => Scheme::AwsV4Header,
            Kind::AwsV4Query => Scheme::AwsV4Query,
            Kind::OssV4Header => Scheme::OssV4Header,
            Kind::OssV4Query => Scheme::OssV4Query,
            Kind::AwsV2Header => Scheme::AwsV2Header,
            Kind::AwsV2Query => Scheme::AwsV2Query,
            Kind::OssV1Header => Scheme::OssV1Header,
            Kind::OssV1Query => Scheme::OssV1Query,
        }
    }

    fn is_v4(self) -> bool {
        matches!(
            self,
            Kind::AwsV4Header | Kind::AwsV4Query | Kind::OssV4Header | Kind::OssV4Query
        )
    }
}

/// A request as the client builds it, before signing.
#[derive(Debug, Clone)]
struct ClientRequest {
    method: String,
    /// `None`: a service-level request (`GET /`).
    bucket: Option<String>,
    /// `None`: a bucket-level request.
    key: Option<String>,
    virtual_host: bool,
    lenient: bool,
    /// Bucket-level path-style requests: `/bucket/` instead of `/bucket`.
    trailing_slash: bool,
    /// Decoded query pairs, names unique and not used by any scheme.
    query: Vec<(String, String)>,
    /// Lower-case names, values without leading or trailing blanks (as HTTP delivers them).
    headers: Vec<(String, String)>,
    secret: String,
    region: String,
    /// AWS SigV2 header form: date in `x-amz-date` (the Date line is then empty).
    v2_amz_date: bool,
    /// Which of the request's headers a V4 signer adds to the signed set.
    extra_signed: Vec<bool>,
}

/// A signed request as it travels.
#[derive(Debug, Clone)]
struct Wire {
    method: String,
    raw_path: String,
    raw_query: String,
    headers: Vec<(String, String)>,
}

impl ClientRequest {
    fn host(&self) -> String {
        match (&self.bucket, self.virtual_host) {
            (Some(b), true) => format!("{b}.localhost:9000"),
            _ => "127.0.0.1:9000".to_owned(),
        }
    }

    fn raw_path(&self) -> String {
        let key = self.key.as_deref().map(|k| {
            if self.lenient {
                lenient_path(k)
            } else {
                rfc3986(k, true)
            }
        });
        match (&self.bucket, self.virtual_host, key) {
            (None, _, _) => "/".to_owned(),
            (Some(_), true, Some(k)) => format!("/{k}"),
            (Some(_), true, None) => "/".to_owned(),
            (Some(b), false, Some(k)) => format!("/{b}/{k}"),
            (Some(b), false, None) if self.trailing_slash => format!("/{b}/"),
            (Some(b), false, None) => format!("/{b}"),
        }
    }

    /// The target the server resolves from the host and path.
    fn target(&self) -> Target<'_> {
        Target {
            bucket: self.bucket.as_deref(),
            key: self.key.as_deref(),
            virtual_host: self.virtual_host && self.bucket.is_some(),
        }
    }

    /// `/bucket/key` decoded, the OSS resource (V1) and canonical URI (V4, then encoded).
    fn oss_resource(&self) -> String {
        match &self.bucket {
            None => "/".to_owned(),
            Some(b) => format!("/{b}/{}", self.key.as_deref().unwrap_or_default()),
        }
    }

    /// The headers every signed request carries, plus the request's own.
    fn base_headers(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut h = vec![("host".to_owned(), self.host())];
        h.extend(
            extra
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
        );
        h.extend(self.headers.iter().cloned());
        h
    }

    /// Values of `name` in order, each passed through `f`, joined with `,`.
    fn joined(headers: &[(String, String)], name: &str, f: impl Fn(&str) -> String) -> String {
        headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| f(v))
            .collect::<Vec<_>>()
            .join(",")
    }

    fn first<'h>(headers: &'h [(String, String)], name: &str) -> &'h str {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// V4 signed header names: the required ones and the chosen extra ones, sorted, unique.
    fn v4_signed(&self, required: &[&str], never: impl Fn(&str) -> bool) -> Vec<String> {
        let mut names: Vec<String> = required.iter().map(|s| (*s).to_owned()).collect();
        for ((name, _), pick) in self.headers.iter().zip(self.extra_signed.iter()) {
            if *pick && !never(name) {
                names.push(name.clone());
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// Signs with `kind`; the signature goes into the wire form built by [`Self::wire`].
    fn sign(&self, kind: Kind) -> String {
        match kind {
            Kind::AwsV4Header | Kind::AwsV4Query => self.sign_aws_v4(kind),
            Kind::OssV4Header | Kind::OssV4Query => self.sign_oss_v4(kind),
            Kind::AwsV2Header | Kind::AwsV2Query => self.sign_aws_v2(kind),
            Kind::OssV1Header | Kind::OssV1Query => self.sign_oss_v1(kind),
        }
    }

    fn aws_scope(&self) -> String {
        format!("{DATE}/{}/s3/aws4_request", self.region)
    }

    fn oss_scope(&self) -> String {
        format!("{DATE}/{}/oss/aliyun_v4_request", self.region)
    }

    /// The scheme's own query parameters (without the signature) and headers.
    fn auth_parts(&self, kind: Kind) -> (Pairs, Pairs) {
        let p = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        match kind {
            Kind::AwsV4Header => (
                Vec::new(),
                self.base_headers(&[
                    ("x-amz-date", DATETIME),
                    ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
                ]),
            ),
            Kind::AwsV4Query => {
                let signed = self.v4_signed(&["host"], |_| false).join(";");
                (
                    vec![
                        p("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
                        p("X-Amz-Credential", &format!("{AK}/{}", self.aws_scope())),
                        p("X-Amz-Date", DATETIME),
                        p("X-Amz-Expires", "3600"),
                        p("X-Amz-SignedHeaders", &signed),
                    ],
                    self.base_headers(&[]),
                )
            }
            Kind::OssV4Header => (
                Vec::new(),
                self.base_headers(&[
                    ("x-oss-date", DATETIME),
                    ("x-oss-content-sha256", "UNSIGNED-PAYLOAD"),
                ]),
            ),
            Kind::OssV4Query => {
                let additional = self.oss_additional().join(";");
                let mut q = vec![
                    p("x-oss-signature-version", "OSS4-HMAC-SHA256"),
                    p("x-oss-credential", &format!("{AK}/{}", self.oss_scope())),
                    p("x-oss-date", DATETIME),
                    p("x-oss-expires", "3600"),
                ];
                if !additional.is_empty() {
                    q.push(p("x-oss-additional-headers", &additional));
                }
                (q, self.base_headers(&[]))
            }
            Kind::AwsV2Header if self.v2_amz_date => {
                (Vec::new(), self.base_headers(&[("x-amz-date", HTTP_DATE)]))
            }
            Kind::AwsV2Header | Kind::OssV1Header => {
                (Vec::new(), self.base_headers(&[("date", HTTP_DATE)]))
            }
            Kind::AwsV2Query => (
                vec![p("AWSAccessKeyId", AK), p("Expires", EXPIRES_AT)],
                self.base_headers(&[]),
            ),
            Kind::OssV1Query => (
                vec![p("OSSAccessKeyId", AK), p("Expires", EXPIRES_AT)],
                self.base_headers(&[]),
            ),
        }
    }

    /// OSS V4 AdditionalHeaders: `host` when chosen, and chosen headers that are not signed
    /// anyway (`x-oss-*`, Content-Type, Content-MD5).
    fn oss_additional(&self) -> Vec<String> {
        let always = |n: &str| n.starts_with("x-oss-") || n == "content-type" || n == "content-md5";
        let mut names = self.v4_signed(&[], always);
        if self.extra_signed.first().copied().unwrap_or(false) {
            names.push("host".to_owned());
            names.sort();
        }
        names
    }

    fn sign_aws_v4(&self, kind: Kind) -> String {
        let (auth_query, headers) = self.auth_parts(kind);
        let signed = match kind {
            Kind::AwsV4Header => {
                self.v4_signed(&["host", "x-amz-content-sha256", "x-amz-date"], |_| false)
            }
            _ => self.v4_signed(&["host"], |_| false),
        };
        let mut query: Vec<(String, String)> = self
            .query
            .iter()
            .chain(auth_query.iter())
            .map(|(k, v)| (rfc3986(k, false), rfc3986(v, false)))
            .collect();
        query.sort();
        let canonical_query = query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let canonical_headers: String = signed
            .iter()
            .map(|n| {
                let v = Self::joined(&headers, n, |v| {
                    v.split_whitespace().collect::<Vec<_>>().join(" ")
                });
                format!("{n}:{v}\n")
            })
            .collect();
        let creq = format!(
            "{}\n{}\n{}\n{}\n{}\nUNSIGNED-PAYLOAD",
            self.method,
            self.raw_path(),
            canonical_query,
            canonical_headers,
            signed.join(";"),
        );
        let sts = format!(
            "AWS4-HMAC-SHA256\n{DATETIME}\n{}\n{}",
            self.aws_scope(),
            sha256_hex(&creq)
        );
        let mut k = hmac_sha256(format!("AWS4{}", self.secret).as_bytes(), DATE.as_bytes());
        for part in [self.region.as_str(), "s3", "aws4_request"] {
            k = hmac_sha256(&k, part.as_bytes());
        }
        hex::encode(hmac_sha256(&k, sts.as_bytes()))
    }

    fn sign_oss_v4(&self, kind: Kind) -> String {
        let (auth_query, headers) = self.auth_parts(kind);
        let additional = self.oss_additional();
        let mut query: Vec<(String, String)> = self
            .query
            .iter()
            .chain(auth_query.iter())
            .map(|(k, v)| (rfc3986(k, false), rfc3986(v, false)))
            .collect();
        query.sort();
        let canonical_query = join_bare(query.iter());
        let mut names: Vec<String> = headers
            .iter()
            .map(|(n, _)| n.clone())
            .filter(|n| {
                n.starts_with("x-oss-")
                    || n == "content-type"
                    || n == "content-md5"
                    || additional.contains(n)
            })
            .collect();
        names.sort();
        names.dedup();
        let canonical_headers: String = names
            .iter()
            .map(|n| {
                format!(
                    "{n}:{}\n",
                    Self::joined(&headers, n, |v| v.trim().to_owned())
                )
            })
            .collect();
        let creq = format!(
            "{}\n{}\n{}\n{}\n{}\nUNSIGNED-PAYLOAD",
            self.method,
            rfc3986(&self.oss_resource(), true),
            canonical_query,
            canonical_headers,
            additional.join(";"),
        );
        let sts = format!(
            "OSS4-HMAC-SHA256\n{DATETIME}\n{}\n{}",
            self.oss_scope(),
            sha256_hex(&creq)
        );
        let mut k = hmac_sha256(
            format!("aliyun_v4{}", self.secret).as_bytes(),
            DATE.as_bytes(),
        );
        for part in [self.region.as_str(), "oss", "aliyun_v4_request"] {
            k = hmac_sha256(&k, part.as_bytes());
        }
        hex::encode(hmac_sha256(&k, sts.as_bytes()))
    }

    /// `name:value\n` for every header with `prefix`, names sorted, values trimmed and joined.
    fn prefixed(headers: &[(String, String)], prefix: &str) -> String {
        let mut names: Vec<&str> = headers
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| n.starts_with(prefix))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
            .iter()
            .map(|n| {
                format!(
                    "{n}:{}\n",
                    Self::joined(headers, n, |v| v.trim().to_owned())
                )
            })
            .collect()
    }

    /// `?a&b=v` over the sub-resources among the query names, sorted, values decoded.
    fn subresources(&self, signed: impl Fn(&str) -> bool) -> String {
        let mut items: Vec<&(String, String)> =
            self.query.iter().filter(|(k, _)| signed(k)).collect();
        items.sort();
        let joined = join_bare(items.into_iter());
        if joined.is_empty() {
            joined
        } else {
            format!("?{joined}")
        }
    }

    fn sign_aws_v2(&self, kind: Kind) -> String {
        let (_, headers) = self.auth_parts(kind);
        let date = match kind {
            Kind::AwsV2Query => EXPIRES_AT,
            _ if self.v2_amz_date => "",
            _ => HTTP_DATE,
        };
        let resource = match (&self.bucket, self.key.is_some()) {
            (Some(b), false) => format!("/{b}/"),
            (Some(b), true) if self.virtual_host => format!("/{b}{}", self.raw_path()),
            _ => self.raw_path(),
        };
        let sts = format!(
            "{}\n{}\n{}\n{date}\n{}{resource}{}",
            self.method,
            Self::first(&headers, "content-md5"),
            Self::first(&headers, "content-type"),
            Self::prefixed(&headers, "x-amz-"),
            self.subresources(|k| V2_SUBRESOURCES.contains(&k)),
        );
        BASE64.encode(hmac_sha1(self.secret.as_bytes(), sts.as_bytes()))
    }

    fn sign_oss_v1(&self, kind: Kind) -> String {
        let (_, headers) = self.auth_parts(kind);
        let date = match kind {
            Kind::OssV1Query => EXPIRES_AT,
            _ => HTTP_DATE,
        };
        let sts = format!(
            "{}\n{}\n{}\n{date}\n{}{}{}",
            self.method,
            Self::first(&headers, "content-md5"),
            Self::first(&headers, "content-type"),
            Self::prefixed(&headers, "x-oss-"),
            self.oss_resource(),
            self.subresources(|k| OSS_SUBRESOURCES.contains(&k) || k.starts_with("x-oss-")),
        );
        BASE64.encode(hmac_sha1(self.secret.as_bytes(), sts.as_bytes()))
    }

    /// The request as sent, carrying `signature`.
    fn wire(&self, kind: Kind, signature: &str) -> Wire {
        let (auth_query, mut headers) = self.auth_parts(kind);
        let mut query = self.query.clone();
        query.extend(auth_query);
        match kind {
            Kind::AwsV4Header => {
                let signed = self
                    .v4_signed(&["host", "x-amz-content-sha256", "x-amz-date"], |_| false)
                    .join(";");
                headers.push((
                    "authorization".to_owned(),
                    format!(
                        "AWS4-HMAC-SHA256 Credential={AK}/{}, SignedHeaders={signed}, Signature={signature}",
                        self.aws_scope()
                    ),
                ));
            }
            Kind::OssV4Header => {
                let additional = self.oss_additional();
                let list = if additional.is_empty() {
                    String::new()
                } else {
                    format!(",AdditionalHeaders={}", additional.join(";"))
                };
                headers.push((
                    "authorization".to_owned(),
                    format!(
                        "OSS4-HMAC-SHA256 Credential={AK}/{}{list},Signature={signature}",
                        self.oss_scope()
                    ),
                ));
            }
            Kind::AwsV2Header => {
                headers.push(("authorization".to_owned(), format!("AWS {AK}:{signature}")));
            }
            Kind::OssV1Header => {
                headers.push(("authorization".to_owned(), format!("OSS {AK}:{signature}")));
            }
            Kind::AwsV4Query => query.push(("X-Amz-Signature".to_owned(), signature.to_owned())),
            Kind::OssV4Query => query.push(("x-oss-signature".to_owned(), signature.to_owned())),
            Kind::AwsV2Query | Kind::OssV1Query => {
                query.push(("Signature".to_owned(), signature.to_owned()));
            }
        }
        Wire {
            method: self.method.clone(),
            raw_path: self.raw_path(),
            raw_query: raw_query(&query),
            headers,
        }
    }
}

/// Sub-resources S3 SigV2 signs (from the AWS documentation) that the generator uses.
const V2_SUBRESOURCES: &[&str] = &[
    "acl",
    "uploadId",
    "partNumber",
    "response-content-type",
    "tagging",
    "versionId",
];

/// Sub-resources OSS V1 signs (from the OSS documentation) that the generator uses.
const OSS_SUBRESOURCES: &[&str] = &[
    "acl",
    "uploadId",
    "partNumber",
    "response-content-type",
    "tagging",
    "versionId",
];

// ---------------------------------------------------------------------------------------
// The server side
// ---------------------------------------------------------------------------------------

/// Verifies a wire request the way the server does; `Ok` when accepted.
fn server_verify(wire: &Wire, target: &Target<'_>, secret: &str) -> Result<Scheme, AuthError> {
    let query = Query::parse(&wire.raw_query).pairs;
    let req = Request {
        method: &wire.method,
        raw_path: &wire.raw_path,
        query: &query,
        headers: &wire.headers,
    };
    let auth = parse_auth(&req)?.ok_or(AuthError::MissingDate)?;
    auth.verify(&req, target, secret)?;
    Ok(auth.scheme())
}

// ---------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------

fn kind() -> impl Strategy<Value = Kind> {
    prop::sample::select(vec![
        Kind::AwsV4Header,
        Kind::AwsV4Query,
        Kind::OssV4Header,
        Kind::OssV4Query,
        Kind::AwsV2Header,
        Kind::AwsV2Query,
        Kind::OssV1Header,
        Kind::OssV1Query,
    ])
}

/// Key text: blanks, `+`, `%`, sub-delimiters, slash runs, non-ASCII.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 +%/!*'()&=:@,;$~._\\-中é😀]{1,24}",
        "(a|/|//| |\\+|%|%2F|中){1,8}",
    ]
}

fn query_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop::sample::select(vec![
        "acl",
        "uploadId",
        "partNumber",
        "response-content-type",
        "tagging",
        "versionId",
        "x-oss-process",
        "prefix",
        "max-keys",
        "a b",
        "x+y",
        "%",
        "中",
        "k",
    ]);
    let value = prop_oneof![Just(String::new()), "[a-zA-Z0-9 +%/=&?#:~._\\-中]{1,10}",];
    proptest::collection::vec((name, value), 0..5).prop_map(|pairs| {
        let mut seen = std::collections::HashSet::new();
        pairs
            .into_iter()
            .filter(|(k, _)| seen.insert(*k))
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    })
}

/// Header values as HTTP delivers them: visible ASCII, inner runs of blanks, never blank at
/// either end.
fn header_value() -> impl Strategy<Value = String> {
    "[!-~]{1,6}(  ?[!-~]{1,6}){0,3}"
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let repeatable = prop::sample::select(vec![
        "x-amz-meta-a",
        "x-amz-meta-b",
        "x-oss-meta-a",
        "x-oss-meta-b",
        "x-custom",
        "cache-control",
    ]);
    (
        proptest::collection::vec((repeatable, header_value()), 0..5),
        proptest::option::of(header_value()),
        proptest::option::of("[A-Za-z0-9+/]{22}=="),
    )
        .prop_map(|(list, content_type, md5)| {
            let mut h: Vec<(String, String)> =
                list.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
            if let Some(ct) = content_type {
                h.push(("content-type".to_owned(), ct));
            }
            if let Some(md5) = md5 {
                h.push(("content-md5".to_owned(), md5));
            }
            h
        })
}

fn client_request() -> impl Strategy<Value = ClientRequest> {
    (
        (
            prop::sample::select(vec!["GET", "PUT", "HEAD", "DELETE", "POST"]),
            prop_oneof![
                1 => Just(None),
                9 => "[a-z0-9][a-z0-9-]{1,10}[a-z0-9]".prop_map(Some),
            ],
            proptest::option::of(key()),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        (
            query_pairs(),
            headers(),
            "[!-~]{1,40}",
            prop::sample::select(vec!["us-east-1", "cn-hangzhou", "eu-west-1"]),
            any::<bool>(),
            proptest::collection::vec(any::<bool>(), 8),
        ),
    )
        .prop_map(
            |(
                (method, bucket, key, virtual_host, lenient, trailing_slash),
                (query, headers, secret, region, v2_amz_date, extra_signed),
            )| ClientRequest {
                method: method.to_owned(),
                key: bucket.as_ref().and(key),
                bucket,
                virtual_host,
                lenient,
                trailing_slash,
                query,
                headers,
                secret,
                region: region.to_owned(),
                v2_amz_date,
                extra_signed,
            },
        )
}

/// `sig` with the character at `at` replaced by a different one of the same alphabet.
fn flip(sig: &str, v4: bool, at: prop::sample::Index, to: prop::sample::Index) -> String {
    let alphabet: &[u8] = if v4 {
        b"0123456789abcdef"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut bytes = sig.as_bytes().to_vec();
    // Padding `=` is not a signature character.
    let positions: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] != b'=').collect();
    let i = positions[at.index(positions.len())];
    let others: Vec<u8> = alphabet
        .iter()
        .copied()
        .filter(|&c| c != bytes[i])
        .collect();
    bytes[i] = others[to.index(others.len())];
    String::from_utf8(bytes).expect("ASCII")
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// What the client signed, the server accepts; another secret or a changed signature
    /// character it refuses.
    #[test]
    fn verify_accepts_what_the_client_signed(
        c in client_request(),
        kind in kind(),
        at in any::<prop::sample::Index>(),
        to in any::<prop::sample::Index>(),
    ) {
        let target = c.target();
        // The path the server decodes names the key the client meant.
        if let Some(k) = &c.key {
            let raw = c.raw_path();
            let decoded = decode_path(&raw);
            let want = if target.virtual_host { format!("/{k}") } else { format!("/{}/{k}", c.bucket.as_deref().unwrap_or_default()) };
            prop_assert_eq!(decoded, want);
        }
        let sig = c.sign(kind);
        let wire = c.wire(kind, &sig);
        let got = server_verify(&wire, &target, &c.secret);
        prop_assert_eq!(got, Ok(kind.scheme()), "{:#?}", wire);

        let other = format!("{}x", c.secret);
        let refused = server_verify(&wire, &target, &other);
        prop_assert!(matches!(refused, Err(AuthError::SignatureDoesNotMatch(_))), "{:?}", refused);

        let flipped = flip(&sig, kind.is_v4(), at, to);
        let refused = server_verify(&c.wire(kind, &flipped), &target, &c.secret);
        prop_assert!(refused.is_err(), "{} accepted for {}", flipped, sig);
    }

    /// Arbitrary Authorization values (around the real prefixes) never panic anything.
    #[test]
    fn arbitrary_authorization_never_panics(
        prefix in prop::sample::select(vec!["", "AWS4-HMAC-SHA256 ", "OSS4-HMAC-SHA256 ", "AWS ", "OSS ", " OSS4-HMAC-SHA256"]),
        rest in prop_oneof![
            "\\PC{0,80}",
            "((Credential|SignedHeaders|AdditionalHeaders|Signature)=[a-z0-9/;:_\\-]{0,20}[, ]{0,2}){0,5}",
            "[A-Za-z0-9:+/= ]{0,40}",
        ],
        extra in headers(),
        date in prop::sample::select(vec!["x-amz-date", "x-oss-date", "date", "x-other"]),
        date_value in prop_oneof![Just(DATETIME.to_owned()), Just(HTTP_DATE.to_owned()), "\\PC{0,20}"],
        sha in prop_oneof![Just("UNSIGNED-PAYLOAD".to_owned()), "[0-9a-f]{0,64}", "\\PC{0,10}"],
        now in 0i64..(1 << 40),
        path in "\\PC{0,20}",
    ) {
        let mut headers = extra;
        headers.push(("authorization".to_owned(), format!("{prefix}{rest}")));
        headers.push((date.to_owned(), date_value));
        headers.push(("x-amz-content-sha256".to_owned(), sha.clone()));
        headers.push(("x-oss-content-sha256".to_owned(), sha));
        headers.push(("host".to_owned(), "h".to_owned()));
        exercise(&format!("/{path}"), "", &headers, now);
    }

    /// Arbitrary presigned query strings never panic anything.
    #[test]
    fn arbitrary_presigned_query_never_panics(
        params in proptest::collection::vec(
            (
                prop::sample::select(vec![
                    "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                    "X-Amz-SignedHeaders", "X-Amz-Signature", "x-oss-signature-version",
                    "x-oss-credential", "x-oss-date", "x-oss-expires", "x-oss-additional-headers",
                    "x-oss-signature", "OSSAccessKeyId", "AWSAccessKeyId", "Expires", "Signature",
                    "acl", "uploadId",
                ]),
                prop_oneof![
                    Just("AWS4-HMAC-SHA256".to_owned()),
                    Just("OSS4-HMAC-SHA256".to_owned()),
                    Just(format!("{AK}/{DATE}/us-east-1/s3/aws4_request")),
                    Just(format!("{AK}/{DATE}/cn-hangzhou/oss/aliyun_v4_request")),
                    Just(DATETIME.to_owned()),
                    "-?[0-9]{0,20}",
                    "[0-9a-f]{64}",
                    "\\PC{0,24}",
                ],
            ),
            0..9,
        ),
        raw_tail in "[%&=+a-zA-Z0-9]{0,12}",
        headers in headers(),
        now in 0i64..(1 << 40),
    ) {
        let pairs: Vec<(String, String)> = params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let raw = format!("{}&{raw_tail}", raw_query(&pairs));
        let mut headers = headers;
        headers.push(("host".to_owned(), "h".to_owned()));
        exercise("/b/k", &raw, &headers, now);
    }

    /// Arbitrary paths and header sets, with a well-formed signature header of each scheme.
    #[test]
    fn arbitrary_paths_and_headers_never_panic(
        c in client_request(),
        kind in kind(),
        path in prop_oneof!["\\PC{0,40}", "(/|%|%2|%2F|%ff|%E4%B8|a|\\+|\\.\\.){0,12}"],
        junk in proptest::collection::vec(("[a-zA-Z0-9-]{1,12}", "\\PC{0,16}"), 0..6),
        now in 0i64..(1 << 40),
    ) {
        let sig = c.sign(kind);
        let mut wire = c.wire(kind, &sig);
        wire.raw_path = path;
        wire.headers.extend(junk.into_iter().map(|(n, v)| (n.to_ascii_lowercase(), v)));
        exercise(&wire.raw_path, &wire.raw_query, &wire.headers, now);
    }

    /// The small parsers are total.
    #[test]
    fn helpers_never_panic(s in "\\PC{0,64}") {
        let _ = Credential::parse(&s);
        let _ = PayloadHash::parse(&s);
        let _ = parse_http_date(&s);
        let _ = parse_iso8601_basic(&s);
        let _ = decode_query(&s);
        let _ = decode_path(&s);
    }
}

/// Runs everything the server runs on a request's authentication, with every target shape.
fn exercise(raw_path: &str, raw_query: &str, headers: &[(String, String)], now: i64) {
    let query = Query::parse(raw_query).pairs;
    let req = Request {
        method: "GET",
        raw_path,
        query: &query,
        headers,
    };
    let decoded = decode_path(raw_path);
    let (bucket, key) = decoded
        .trim_start_matches('/')
        .split_once('/')
        .unwrap_or((decoded.trim_start_matches('/'), ""));
    let targets = [
        Target::default(),
        Target {
            bucket: Some(bucket),
            key: Some(key),
            virtual_host: false,
        },
        Target {
            bucket: Some("b"),
            key: Some(decoded.as_str()),
            virtual_host: true,
        },
    ];
    if let Ok(Some(auth)) = parse_auth(&req) {
        for target in &targets {
            let _ = auth.canonical_forms(&req, target);
            let _ = auth.verify(&req, target, "secret");
        }
        let _ = auth.check_time(&req, now, 900);
    }
}

/// The reference signer's `k=v&k2` join (an empty value is written bare).
fn join_bare<'a>(pairs: impl Iterator<Item = &'a (String, String)>) -> String {
    pairs
        .map(|(k, v)| {
            if v.is_empty() {
                k.clone()
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}
