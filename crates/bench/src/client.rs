//! A minimal path-style S3 client on hyper: one connection pool per target, requests signed
//! with SigV4 (`UNSIGNED-PAYLOAD`) or sent anonymously.

use std::time::Duration;

use anyhow::{Context, bail};
use bytes::Bytes;
use http::{HeaderValue, Method, Request, StatusCode, Uri, header};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::body::StreamBody;
use crate::sigv4::{self, CanonicalRequest, Signer, UNSIGNED_PAYLOAD};

/// How requests are authenticated.
#[derive(Debug)]
pub enum Auth {
    /// No `Authorization` header (public buckets, servers without authentication).
    Anonymous,
    /// AWS SigV4 header authentication.
    SigV4(Signer),
}

/// A response whose body has not been read yet.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: StatusCode,
    /// Response headers.
    pub headers: http::HeaderMap,
    body: Incoming,
}

impl Response {
    /// Reads the body to the end, discarding it; returns the number of bytes read.
    pub async fn drain(self) -> anyhow::Result<u64> {
        let mut body = self.body;
        let mut n = 0u64;
        while let Some(frame) = body.frame().await {
            let frame = frame.context("reading the response body")?;
            if let Some(data) = frame.data_ref() {
                n += data.len() as u64;
            }
        }
        Ok(n)
    }

    /// Reads at least `n` bytes of the body (fewer if it ends first) and leaves the rest;
    /// returns the bytes read. Dropping the response then hangs up mid-body.
    pub async fn read_at_least(&mut self, n: u64) -> anyhow::Result<u64> {
        let mut read = 0u64;
        while read < n {
            let Some(frame) = self.body.frame().await else {
                break;
            };
            let frame = frame.context("reading the response body")?;
            if let Some(data) = frame.data_ref() {
                read += data.len() as u64;
            }
        }
        Ok(read)
    }

    /// Reads the body to the end, hashing it: its MD5 and length.
    pub async fn md5(self) -> anyhow::Result<([u8; 16], u64)> {
        use md5::Digest as _;
        let mut body = self.body;
        let mut h = md5::Md5::new();
        let mut n = 0u64;
        while let Some(frame) = body.frame().await {
            let frame = frame.context("reading the response body")?;
            if let Some(data) = frame.data_ref() {
                h.update(data);
                n += data.len() as u64;
            }
        }
        Ok((h.finalize().into(), n))
    }

    /// A response header as text (empty when absent or not text).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Reads the whole body into memory (listings, error documents).
    pub async fn bytes(self) -> anyhow::Result<Bytes> {
        Ok(self
            .body
            .collect()
            .await
            .context("reading the response body")?
            .to_bytes())
    }

    /// The `Content-Length` header, when present and numeric.
    pub fn content_length(&self) -> Option<u64> {
        self.headers
            .get(header::CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .parse()
            .ok()
    }

    /// Turns an unexpected response into an error message naming the request, the status and
    /// the S3 error code when the body has one.
    pub async fn unexpected(self, what: &str) -> String {
        let status = self.status;
        let body = self.bytes().await.unwrap_or_default();
        let code = crate::xml::first_text(&body, "Code").unwrap_or_default();
        if code.is_empty() {
            format!("{what}: unexpected {status}")
        } else {
            format!("{what}: unexpected {status} ({code})")
        }
    }
}

/// A client for one S3-compatible endpoint.
#[derive(Debug)]
pub struct S3Client {
    http: Client<HttpConnector, StreamBody>,
    scheme_authority: String,
    host: HeaderValue,
    auth: Auth,
}

impl S3Client {
    /// A client for `endpoint` (`http://host:port`, no path), authenticating with `auth`.
    pub fn new(endpoint: &str, auth: Auth) -> anyhow::Result<Self> {
        let uri: Uri = endpoint
            .parse()
            .with_context(|| format!("parsing the endpoint {endpoint:?}"))?;
        if uri.scheme_str() != Some("http") {
            bail!("endpoint {endpoint:?}: only http:// endpoints are supported");
        }
        if uri.path() != "/" && !uri.path().is_empty() {
            bail!("endpoint {endpoint:?}: give the server root, without a path");
        }
        let Some(authority) = uri.authority() else {
            bail!("endpoint {endpoint:?} has no host");
        };
        let host = HeaderValue::from_str(authority.as_str())
            .with_context(|| format!("endpoint {endpoint:?}: host is not a valid header"))?;
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(Duration::from_secs(10)));
        let http = Client::builder(TokioExecutor::new())
            // Below the usual server keep-alive timeouts (nginx 75 s, hyper servers 60 s+), so
            // the pool drops a connection before the server does.
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Ok(Self {
            http,
            scheme_authority: format!("http://{authority}"),
            host,
            auth,
        })
    }

    /// The endpoint, `http://host:port`.
    pub fn endpoint(&self) -> &str {
        &self.scheme_authority
    }

    /// Sends `method` on `/bucket[/key]` (`path`, not yet encoded) with `query` pairs and
    /// `body`, signing it unless anonymous. Returns once the response head has arrived.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Bytes,
    ) -> anyhow::Result<Response> {
        self.send_with(method, path, query, body, &SendOpts::default())
            .await
    }

    /// [`S3Client::send`] with extra headers, another `Host` or another way of signing.
    pub async fn send_with(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Bytes,
        opts: &SendOpts<'_>,
    ) -> anyhow::Result<Response> {
        let enc_path = sigv4::encode_path(path);
        let canonical_query = sigv4::canonical_query(query);
        let uri = if canonical_query.is_empty() {
            format!("{}{enc_path}", self.scheme_authority)
        } else {
            format!("{}{enc_path}?{canonical_query}", self.scheme_authority)
        };
        let host = match opts.host {
            Some(h) => {
                HeaderValue::from_str(h).context("the Host override is not a valid header")?
            }
            None => self.host.clone(),
        };
        let len = body.len();
        let mut req = Request::builder()
            .method(method.clone())
            .uri(uri)
            .header(header::HOST, host.clone());
        if len > 0 || method == Method::PUT || method == Method::POST {
            req = req.header(header::CONTENT_LENGTH, len);
        }
        for (k, v) in opts.headers {
            req = req.header(*k, *v);
        }
        match (&self.auth, opts.sign) {
            (_, SignAs::Anonymous) | (Auth::Anonymous, SignAs::Default) => {}
            (Auth::SigV4(signer), SignAs::Default) => {
                let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
                let host = host.to_str().unwrap_or_default();
                let authorization = signer.authorization(
                    &CanonicalRequest {
                        method: method.as_str(),
                        path: &enc_path,
                        query: &canonical_query,
                        headers: &[
                            ("host", host),
                            ("x-amz-content-sha256", UNSIGNED_PAYLOAD),
                            ("x-amz-date", &amz_date),
                        ],
                        payload_hash: UNSIGNED_PAYLOAD,
                    },
                    &amz_date,
                );
                req = req
                    .header("x-amz-content-sha256", UNSIGNED_PAYLOAD)
                    .header("x-amz-date", amz_date)
                    .header(header::AUTHORIZATION, authorization);
            }
            (Auth::SigV4(signer), SignAs::OssV1) => {
                let date = chrono::Utc::now()
                    .format("%a, %d %b %Y %H:%M:%S GMT")
                    .to_string();
                let header_of = |name: &str| {
                    opts.headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map_or("", |(_, v)| *v)
                };
                let oss_headers: Vec<(String, String)> = opts
                    .headers
                    .iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_owned()))
                    .filter(|(k, _)| k.starts_with("x-oss-"))
                    .collect();
                let sts = sigv4::oss_v1_string_to_sign(
                    method.as_str(),
                    header_of("content-md5"),
                    header_of("content-type"),
                    &date,
                    &oss_headers,
                    path,
                    query,
                );
                req = req
                    .header(header::DATE, date)
                    .header(header::AUTHORIZATION, signer.oss_v1_authorization(&sts));
            }
            (Auth::Anonymous, SignAs::OssV1) => {
                bail!("an OSS-signed request needs a credential, and this target is anonymous")
            }
        }
        let req = req
            .body(StreamBody::new(body))
            .context("building the request")?;
        let resp = self
            .http
            .request(req)
            .await
            .map_err(|e| anyhow::anyhow!("{}", error_chain(&e)))?;
        let (parts, body) = resp.into_parts();
        Ok(Response {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    /// Whether requests are signed (the target is not anonymous).
    pub fn is_signed(&self) -> bool {
        matches!(self.auth, Auth::SigV4(_))
    }
}

/// How one request is authenticated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SignAs {
    /// As the client does: SigV4, or nothing when anonymous.
    #[default]
    Default,
    /// Unsigned, as a browser sends it (public-read buckets, custom domains).
    Anonymous,
    /// OSS signature V1 with the client's credential: the request is in the OSS dialect
    /// (OSS-only APIs such as a website configuration with Mirror rules, or cnames).
    OssV1,
}

/// Per-request options of [`S3Client::send_with`].
#[derive(Debug, Default)]
pub struct SendOpts<'a> {
    /// Extra request headers.
    pub headers: &'a [(&'a str, &'a str)],
    /// `Host` header instead of the endpoint's (a custom domain on the same server).
    pub host: Option<&'a str>,
    /// How to sign.
    pub sign: SignAs,
}

/// `e` and its sources, joined with `: ` (hyper's top-level errors say little alone).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        cur = inner.source();
    }
    s
}
