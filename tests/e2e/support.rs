//! Test support: an in-process server on a free loopback port, and a small HTTP client that
//! shows status, headers and body exactly as a client receives them.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use ossemu_api::{ApiConfig, AppState, AuthMode, Credential};
use ossemu_store::{Faults, Store, StoreOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The default credential the server is started with.
pub const AK: &str = "ossemu";
/// Its secret.
pub const SK: &str = "ossemu-secret";

/// A running in-process server.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its shared state (for looking at the store directly).
    pub state: Arc<AppState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// The data directory (kept alive for the server's lifetime).
    pub dir: tempfile::TempDir,
}

impl Server {
    /// Starts a server with a fresh data directory.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts a server whose mirror fetcher uses `mirror`.
    pub async fn start_with_mirror(mirror: ossemu_mirror::MirrorConfig) -> Self {
        Self::start_full(|_| {}, mirror).await
    }

    /// Starts a server after letting `f` adjust the configuration.
    pub async fn start_with(f: impl FnOnce(&mut ApiConfig)) -> Self {
        Self::start_full(f, ossemu_mirror::MirrorConfig::default()).await
    }

    /// Starts a server whose store is in memory (`--memory`); `dir` stays empty.
    pub async fn start_in_memory() -> Self {
        Self::start_store(|_| {}, ossemu_mirror::MirrorConfig::default(), false).await
    }

    async fn start_full(
        f: impl FnOnce(&mut ApiConfig),
        mirror: ossemu_mirror::MirrorConfig,
    ) -> Self {
        Self::start_store(f, mirror, true).await
    }

    /// Starts a server on a fresh data directory whose store sees the failures `faults`
    /// injects (a full disk without one).
    pub async fn start_with_faults(faults: Arc<Faults>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let opts = StoreOptions {
            data_dir: Some(dir.path().to_path_buf()),
        };
        let store = Store::open_with_faults(&opts, faults).unwrap();
        Self::serve(store, dir, |_| {}, ossemu_mirror::MirrorConfig::default()).await
    }

    async fn start_store(
        f: impl FnOnce(&mut ApiConfig),
        mirror: ossemu_mirror::MirrorConfig,
        on_disk: bool,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&StoreOptions {
            data_dir: on_disk.then(|| dir.path().to_path_buf()),
        })
        .unwrap();
        Self::serve(store, dir, f, mirror).await
    }

    async fn serve(
        store: Store,
        dir: tempfile::TempDir,
        f: impl FnOnce(&mut ApiConfig),
        mirror: ossemu_mirror::MirrorConfig,
    ) -> Self {
        let mut config = ApiConfig {
            credentials: vec![
                Credential {
                    display_name: "main".into(),
                    ..Credential::new(AK, SK)
                },
                Credential::new("alt", "alt-secret"),
            ],
            auth: AuthMode::On,
            ..ApiConfig::default()
        };
        f(&mut config);
        let state = AppState::new(store, config, mirror);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let task = tokio::spawn(async move {
            ossemu_api::serve(listener, st, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Server {
            addr,
            state,
            stop: Some(tx),
            task: Some(task),
            dir,
        }
    }

    /// A handle for building requests to a server running elsewhere (e.g. a child process).
    pub fn detached(addr: SocketAddr) -> Detached {
        Detached { addr }
    }

    /// A request builder for `method` and `path` (path style, already percent-encoded).
    pub fn req(&self, method: &str, path: &str) -> Req {
        Req {
            addr: self.addr,
            method: method.to_string(),
            path: path.to_string(),
            host: self.addr.to_string(),
            headers: Vec::new(),
            body: Bytes::new(),
            sign: Sign::None,
            bucket_from_host: None,
        }
    }

    /// Creates a bucket with the default credential (OSS dialect), asserting success.
    pub async fn bucket(&self, name: &str) {
        let r = self.req("PUT", &format!("/{name}")).oss().send().await;
        assert_eq!(r.status, 200, "create bucket {name}: {}", r.text());
    }

    /// Sets a bucket's versioning (`Enabled` or `Suspended`), asserting success.
    pub async fn set_versioning(&self, bucket: &str, status: &str) {
        let r = self
            .req("PUT", &format!("/{bucket}?versioning"))
            .s3()
            .body(versioning_xml(status))
            .send()
            .await;
        assert_eq!(r.status, 200, "versioning of {bucket}: {}", r.text());
    }

    /// Stores an object (OSS dialect), asserting success.
    pub async fn put(&self, bucket: &str, key: &str, body: impl Into<Bytes>) -> Resp {
        let r = self
            .req("PUT", &format!("/{bucket}/{}", enc(key)))
            .oss()
            .body(body)
            .send()
            .await;
        assert_eq!(r.status, 200, "put {bucket}/{key}: {}", r.text());
        r
    }

    /// Stops the server gracefully, waits for it, and hands back its data directory.
    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
        drop(self.state);
        self.dir
    }
}

/// Request builder for a server that is not in this process.
pub struct Detached {
    addr: SocketAddr,
}

impl Detached {
    /// A request builder for `method` and `path`.
    pub fn req(&self, method: &str, path: &str) -> Req {
        Req {
            addr: self.addr,
            method: method.to_string(),
            path: path.to_string(),
            host: self.addr.to_string(),
            headers: Vec::new(),
            body: Bytes::new(),
            sign: Sign::None,
            bucket_from_host: None,
        }
    }
}

/// A fixture file's contents (`fixtures/<path>`).
pub fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Percent-encodes a key for a path, keeping `/`.
pub fn enc(key: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'/');
    percent_encoding::utf8_percent_encode(key, SET).to_string()
}

/// How a request is authorized.
#[derive(Clone, Debug)]
pub enum Sign {
    /// Anonymous.
    None,
    /// OSS dialect with this access key and secret.
    Oss(String, String),
    /// S3 dialect with this access key and secret.
    S3(String, String),
}

/// A request under construction.
pub struct Req {
    addr: SocketAddr,
    method: String,
    path: String,
    host: String,
    headers: Vec<(String, String)>,
    body: Bytes,
    sign: Sign,
    bucket_from_host: Option<String>,
}

/// A response as the client saw it.
#[derive(Debug)]
pub struct Resp {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: http::HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

impl Resp {
    /// A header value (panics if it is not text).
    pub fn h(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The text of the first `<name>` element of the body.
    pub fn xml(&self, name: &str) -> Option<String> {
        xml_values(&self.text(), name).into_iter().next()
    }

    /// The texts of every `<name>` element of the body.
    pub fn xml_all(&self, name: &str) -> Vec<String> {
        xml_values(&self.text(), name)
    }

    /// Asserts an error response with this status and code, and returns the body text.
    pub fn assert_error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status, status, "body: {}", self.text());
        assert_eq!(self.h("content-type"), Some("application/xml"));
        assert_eq!(
            self.xml("Code").as_deref(),
            Some(code),
            "body: {}",
            self.text()
        );
        assert!(self.xml("Message").is_some_and(|m| !m.is_empty()));
        assert!(self.xml("RequestId").is_some_and(|m| m.len() == 24));
        self.text()
    }
}

/// Values of `<name>...</name>` in an XML text (test helper: flat documents only).
pub fn xml_values(text: &str, name: &str) -> Vec<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let empty = format!("<{name}/>");
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let o = rest.find(&open);
        let e = rest.find(&empty);
        match (o, e) {
            (Some(i), e) if e.is_none_or(|e| i < e) => {
                let after = &rest[i + open.len()..];
                let Some(j) = after.find(&close) else { break };
                out.push(unescape(&after[..j]));
                rest = &after[j + close.len()..];
            }
            (_, Some(e)) => {
                out.push(String::new());
                rest = &rest[e + empty.len()..];
            }
            _ => break,
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

impl Req {
    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets the Host header. A `<bucket>.<domain>` host (not an IP, not `localhost`) is signed
    /// as virtual-host style for the first label; see [`Req::host_bucket`] for custom domains.
    pub fn host(mut self, host: &str) -> Self {
        self.host = host.to_string();
        let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
        let endpoint = name == "localhost"
            || name.parse::<std::net::IpAddr>().is_ok()
            || !name.contains('.')
            || name.starts_with("oss-")
            || name.starts_with("s3.")
            || name.starts_with("s3-")
            || name == "ossemu.test";
        self.bucket_from_host =
            (!endpoint).then(|| name.split('.').next().unwrap_or_default().to_string());
        self
    }

    /// Signs as if the Host addressed `bucket` (a custom domain bound to it).
    pub fn host_bucket(mut self, bucket: &str) -> Self {
        self.bucket_from_host = Some(bucket.to_string());
        self
    }

    /// Signs as path style whatever the Host (an unknown host name is path style).
    pub fn path_style(mut self) -> Self {
        self.bucket_from_host = None;
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Signs as the default credential in the OSS dialect.
    pub fn oss(self) -> Self {
        self.oss_as(AK, SK)
    }

    /// Signs as the default credential in the S3 dialect.
    pub fn s3(self) -> Self {
        self.s3_as(AK, SK)
    }

    /// Signs with the given credential in the OSS dialect.
    pub fn oss_as(mut self, ak: &str, sk: &str) -> Self {
        self.sign = Sign::Oss(ak.into(), sk.into());
        self
    }

    /// Signs with the given credential in the S3 dialect.
    pub fn s3_as(mut self, ak: &str, sk: &str) -> Self {
        self.sign = Sign::S3(ak.into(), sk.into());
        self
    }

    /// Signs the request: OSS V1 for [`Sign::Oss`], SigV4 (signed payload) for [`Sign::S3`].
    /// It signs with the server's own canonicalization; the SDK suites and the signature
    /// vectors check that canonicalization against real clients.
    fn authorize(&mut self) {
        use ossemu_api::auth as sign;
        if self.headers.iter().any(|(k, _)| k == "authorization") {
            return;
        }
        let (ak, sk, oss) = match &self.sign {
            Sign::None => return,
            Sign::Oss(ak, sk) => (ak.clone(), sk.clone(), true),
            Sign::S3(ak, sk) => (ak.clone(), sk.clone(), false),
        };
        let now = std::time::SystemTime::now();
        let unix = now.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let placeholder = if oss {
            self.headers
                .push(("date".into(), httpdate::fmt_http_date(now)));
            format!("OSS {ak}:AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        } else {
            use sha2::Digest;
            let amz_date = sign::format_iso8601_basic(unix);
            self.headers.push(("x-amz-date".into(), amz_date.clone()));
            if !self
                .headers
                .iter()
                .any(|(k, _)| k == "x-amz-content-sha256")
            {
                let hash = hex::encode(sha2::Sha256::digest(&self.body));
                self.headers.push(("x-amz-content-sha256".into(), hash));
            }
            let mut signed: Vec<String> = vec!["host".into()];
            for (k, _) in &self.headers {
                let k = k.to_ascii_lowercase();
                if (k.starts_with("x-amz-")
                    || k.starts_with("x-oss-")
                    || k == "content-md5"
                    || k == "content-type")
                    && !signed.contains(&k)
                {
                    signed.push(k);
                }
            }
            signed.sort();
            format!(
                "AWS4-HMAC-SHA256 Credential={ak}/{}/us-east-1/s3/aws4_request, SignedHeaders={}, Signature={}",
                &amz_date[..8],
                signed.join(";"),
                "0".repeat(64)
            )
        };
        let (raw_path, raw_query) = self.path.split_once('?').unwrap_or((&self.path, ""));
        let query = sign::decode_query(raw_query);
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        headers.push(("host".into(), self.host.clone()));
        headers.push(("authorization".into(), placeholder));
        let decoded = sign::decode_path(raw_path);
        let path = decoded.strip_prefix('/').unwrap_or(&decoded).to_string();
        let (bucket, key) = match &self.bucket_from_host {
            Some(b) => (Some(b.clone()), path),
            None => {
                let (b, k) = path.split_once('/').unwrap_or((&path, ""));
                ((!b.is_empty()).then(|| b.to_string()), k.to_string())
            }
        };
        let req = sign::Request {
            method: &self.method,
            raw_path,
            query: &query,
            headers: &headers,
        };
        let target = sign::Target {
            bucket: bucket.as_deref(),
            key: (!key.is_empty()).then_some(key.as_str()),
            virtual_host: self.bucket_from_host.is_some(),
        };
        let parsed = sign::parse_auth(&req).unwrap().unwrap();
        let canonical = parsed.canonical(&req, &target).unwrap();
        let signature = parsed.sign(&canonical, &sk);
        let auth = if oss {
            format!("OSS {ak}:{signature}")
        } else {
            let placeholder = headers
                .iter()
                .find(|(k, _)| k == "authorization")
                .unwrap()
                .1
                .clone();
            placeholder.replace(&"0".repeat(64), &signature)
        };
        self.headers.push(("authorization".into(), auth));
    }

    /// Signs the request as SigV4 `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` (plus a CRC32 trailer
    /// when `trailer` is given: `Some(value)` sends that base64 value) and frames `chunks`
    /// as an aws-chunked body with chunk signatures chained from the seed. `corrupt_chunk`
    /// flips a byte of that chunk's signature.
    pub fn aws_chunked(
        mut self,
        chunks: &[Vec<u8>],
        trailer: Option<&str>,
        corrupt_chunk: Option<usize>,
    ) -> Self {
        use ossemu_api::auth as sign;
        use sha2::Digest;
        let total: usize = chunks.iter().map(Vec::len).sum();
        let mode = if trailer.is_some() {
            sign::STREAMING_SIGNED_TRAILER
        } else {
            sign::STREAMING_SIGNED
        };
        self.headers
            .push(("x-amz-content-sha256".into(), mode.into()));
        self.headers
            .push(("content-encoding".into(), "aws-chunked".into()));
        self.headers
            .push(("x-amz-decoded-content-length".into(), total.to_string()));
        if trailer.is_some() {
            self.headers
                .push(("x-amz-trailer".into(), "x-amz-checksum-crc32".into()));
        }
        self.authorize();
        let Sign::S3(_, sk) = self.sign.clone() else {
            panic!("aws_chunked needs s3()");
        };
        self.sign = Sign::None;
        let auth = self
            .headers
            .iter()
            .rev()
            .find(|(k, _)| k == "authorization")
            .unwrap()
            .1
            .clone();
        let date = self
            .headers
            .iter()
            .find(|(k, _)| k == "x-amz-date")
            .unwrap()
            .1
            .clone();
        let hdrs = vec![
            ("authorization".to_string(), auth),
            ("x-amz-date".to_string(), date),
            ("x-amz-content-sha256".to_string(), mode.to_string()),
        ];
        let req = sign::Request {
            method: "PUT",
            raw_path: "/",
            query: &[],
            headers: &hdrs,
        };
        let Some(sign::ParsedAuth::V4(v4)) = sign::parse_auth(&req).unwrap() else {
            unreachable!()
        };
        let mut signer = v4.chunk_signer(&sk);
        let mut body = Vec::new();
        let mut frame = |data: &[u8], i: usize, body: &mut Vec<u8>| {
            let hash: [u8; 32] = sha2::Sha256::digest(data).into();
            let sig = signer.sign_chunk(&hash);
            signer.advance(&sig);
            let mut sent = sig.clone();
            if corrupt_chunk == Some(i) {
                let flipped = if sent.starts_with('0') { "1" } else { "0" };
                sent.replace_range(0..1, flipped);
            }
            body.extend_from_slice(
                format!("{:x};chunk-signature={sent}\r\n", data.len()).as_bytes(),
            );
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        };
        for (i, c) in chunks.iter().enumerate() {
            frame(c, i, &mut body);
        }
        frame(&[], chunks.len(), &mut body);
        let body = match trailer {
            None => body,
            Some(value) => {
                // Drop the final chunk's CRLF; the trailer section follows it.
                body.truncate(body.len() - 2);
                let line = format!("x-amz-checksum-crc32:{value}\n");
                let hash: [u8; 32] = sha2::Sha256::digest(line.as_bytes()).into();
                let tsig = signer.sign_trailer(&hash);
                body.extend_from_slice(
                    format!(
                        "x-amz-checksum-crc32:{value}\r\nx-amz-trailer-signature:{tsig}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body
            }
        };
        self.body = Bytes::from(body);
        self
    }

    /// Turns `OSSAccessKeyId`/`Expires`/`Signature` query parameters into a real presigned
    /// OSS V1 URL signed with `secret`.
    pub fn presign_oss(mut self, secret: &str) -> Self {
        use ossemu_api::auth as sign;
        let (raw_path, raw_query) = self.path.split_once('?').unwrap();
        let query = sign::decode_query(raw_query);
        let headers = vec![("host".to_string(), self.host.clone())];
        let req = sign::Request {
            method: &self.method,
            raw_path,
            query: &query,
            headers: &headers,
        };
        let decoded = sign::decode_path(raw_path);
        let path = decoded.trim_start_matches('/');
        let (b, k) = path.split_once('/').unwrap_or((path, ""));
        let target = sign::Target {
            bucket: Some(b),
            key: (!k.is_empty()).then_some(k),
            virtual_host: false,
        };
        let parsed = sign::parse_auth(&req).unwrap().unwrap();
        let sig = parsed.sign(&parsed.canonical(&req, &target).unwrap(), secret);
        let enc = percent_encoding::utf8_percent_encode(&sig, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
        self.path = self
            .path
            .replace("Signature=x", &format!("Signature={enc}"));
        self
    }

    /// Signs the request now; later changes are not covered by the signature (tampering tests).
    pub fn sign_now(mut self) -> Self {
        self.authorize();
        self.sign = Sign::None;
        self
    }

    /// Replaces every value of a header (after [`Req::sign_now`], a tampered header).
    pub fn replace_header(mut self, name: &str, value: &str) -> Self {
        for (k, v) in &mut self.headers {
            if k.eq_ignore_ascii_case(name) {
                *v = value.to_string();
            }
        }
        self
    }

    /// Signs for this path, then sends the request to `path` instead (tampering tests).
    pub async fn send_with_path(mut self, path: &str) -> Resp {
        self.authorize();
        self.sign = Sign::None;
        self.path = path.to_string();
        self.send().await
    }

    /// The signed request head (`Host`, auth headers and any added headers) as raw HTTP/1.1
    /// text up to and including the blank line, for tests that write bytes themselves.
    pub fn raw_head(mut self) -> String {
        self.authorize();
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\n",
            self.method, self.path, self.host
        );
        for (k, v) in &self.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        head
    }

    /// Sends the request and returns as soon as the response head arrives; the body is read
    /// chunk by chunk from the returned value.
    pub async fn send_streaming(mut self) -> Streamed {
        self.authorize();
        let stream = TcpStream::connect(self.addr).await.unwrap();
        let (mut sender, conn) = http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream))
            .await
            .unwrap();
        let conn = tokio::spawn(conn);
        let mut b = http::Request::builder()
            .method(self.method.as_str())
            .uri(&self.path)
            .header("host", &self.host);
        for (k, v) in &self.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let resp = sender
            .send_request(b.body(Full::new(self.body.clone())).unwrap())
            .await
            .unwrap();
        Streamed {
            status: resp.status().as_u16(),
            headers: resp.headers().clone(),
            body: resp.into_body(),
            conn,
        }
    }

    /// Sends the request on a new connection and reads the whole response.
    pub async fn send(mut self) -> Resp {
        self.authorize();
        let stream = TcpStream::connect(self.addr).await.unwrap();
        let (mut sender, conn) = http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(conn);
        let mut b = http::Request::builder()
            .method(self.method.as_str())
            .uri(&self.path)
            .header("host", &self.host);
        for (k, v) in &self.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let req = b.body(Full::new(self.body.clone())).unwrap();
        let resp = sender.send_request(req).await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            headers,
            body,
        }
    }
}

/// A response whose body is read incrementally.
pub struct Streamed {
    /// Status.
    pub status: u16,
    /// Headers.
    pub headers: http::HeaderMap,
    /// The body.
    pub body: hyper::body::Incoming,
    conn: tokio::task::JoinHandle<Result<(), hyper::Error>>,
}

impl Streamed {
    /// The next data chunk; `None` at a clean end; `Err` when the transfer was aborted.
    pub async fn chunk(&mut self) -> Option<Result<Bytes, hyper::Error>> {
        loop {
            match self.body.frame().await? {
                Ok(f) => {
                    if let Ok(d) = f.into_data() {
                        return Some(Ok(d));
                    }
                }
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// Reads the rest of the body; `Err` if the transfer was aborted.
    pub async fn rest(mut self) -> Result<Vec<u8>, hyper::Error> {
        let mut out = Vec::new();
        while let Some(c) = self.chunk().await {
            out.extend_from_slice(&c?);
        }
        Ok(out)
    }

    /// Closes the connection without reading further (a client that goes away).
    pub fn hang_up(self) {
        self.conn.abort();
    }
}

/// Writes raw bytes on a new connection and returns everything read until `done` says the
/// response is complete or the server closes.
pub async fn raw(addr: SocketAddr, request: &[u8], done: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let read = tokio::time::timeout(std::time::Duration::from_secs(10), s.read(&mut buf)).await;
        match read {
            Ok(Ok(0)) | Err(_) | Ok(Err(_)) => break,
            Ok(Ok(n)) => {
                out.extend_from_slice(&buf[..n]);
                if done(&out) {
                    break;
                }
            }
        }
    }
    out
}

/// Number of files under a directory, recursively.
pub fn count_files(dir: &std::path::Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.map(|e| {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            count_files(&e.path())
        } else {
            1
        }
    })
    .sum()
}

/// Base64 MD5 of bytes, for `Content-MD5`.
pub fn md5_b64(data: &[u8]) -> String {
    use base64::Engine;
    use md5::Digest;
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(data))
}

/// Lower-case hex MD5 of bytes.
pub fn md5_hex(data: &[u8]) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(data))
}

/// Polls `cond` until it holds (panics after 20 s: a hang, not a timing assertion).
pub async fn wait_until(mut cond: impl FnMut() -> bool) {
    for _ in 0..2000 {
        if cond() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("condition not reached within 20 s");
}

/// The real `ossemu` binary running as a child process.
pub struct Binary {
    /// The child.
    pub child: std::process::Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its log lines so far.
    pub log: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Binary {
    /// Starts the binary with `args` and extra environment, and waits for its listening line.
    /// Panics with the log if it exits first.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Self {
        match Self::try_start(args, env) {
            Ok(b) => b,
            Err(log) => panic!("ossemu exited before listening:\n{log}"),
        }
    }

    /// Like [`Binary::start`], but returns the output when it exits instead of listening.
    pub fn try_start(args: &[&str], env: &[(&str, &str)]) -> Result<Self, String> {
        use std::io::{BufRead, BufReader};
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ossemu"));
        cmd.args(args)
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for (k, _) in std::env::vars() {
            if k.starts_with("OSSEMU_") {
                cmd.env_remove(k);
            }
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn ossemu");
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let err_log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                err_log.lock().unwrap().push(line);
            }
        });
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    log.lock().unwrap().push(line.clone());
                    if let Some(rest) = line.split("listening on http://").nth(1) {
                        break rest
                            .split(|c: char| c.is_whitespace() || c == '"')
                            .next()
                            .unwrap()
                            .parse()
                            .unwrap();
                    }
                }
                _ => {
                    let _ = child.wait();
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    return Err(log.lock().unwrap().join("\n"));
                }
            }
        };
        let out_log = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                out_log.lock().unwrap().push(line);
            }
        });
        Ok(Self { child, addr, log })
    }

    /// Request builder for this server.
    pub fn req(&self, method: &str, path: &str) -> Req {
        Server::detached(self.addr).req(method, path)
    }

    /// Sends SIGKILL and waits.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM (graceful shutdown) without waiting.
    pub fn terminate(&self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit; returns whether it exited successfully.
    pub fn wait(mut self) -> bool {
        self.child.wait().map(|s| s.success()).unwrap_or(false)
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A PutBucketVersioning body.
pub fn versioning_xml(status: &str) -> String {
    format!("<VersioningConfiguration><Status>{status}</Status></VersioningConfiguration>")
}
