//! Test support: an in-process server on a free loopback port, and a small HTTP client that
//! shows status, headers and body exactly as a client receives them.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use ossemu_api::{ApiConfig, AppState, AuthMode, Credential};
use ossemu_store::{Store, StoreOptions};
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

    /// Starts a server after letting `f` adjust the configuration.
    pub async fn start_with(f: impl FnOnce(&mut ApiConfig)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&StoreOptions {
            data_dir: Some(dir.path().to_path_buf()),
        })
        .unwrap();
        let mut config = ApiConfig {
            credentials: vec![
                Credential {
                    access_key: AK.into(),
                    secret_key: SK.into(),
                    display_name: "main".into(),
                },
                Credential {
                    access_key: "alt".into(),
                    secret_key: "alt-secret".into(),
                    display_name: "alt".into(),
                },
            ],
            auth: AuthMode::On,
            ..ApiConfig::default()
        };
        f(&mut config);
        let state = Arc::new(AppState { store, config });
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
        }
    }

    /// Creates a bucket with the default credential (OSS dialect), asserting success.
    pub async fn bucket(&self, name: &str) {
        let r = self.req("PUT", &format!("/{name}")).oss().send().await;
        assert_eq!(r.status, 200, "create bucket {name}: {}", r.text());
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
        }
    }
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

    /// Sets the Host header (virtual-host and custom-domain tests).
    pub fn host(mut self, host: &str) -> Self {
        self.host = host.to_string();
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

    fn authorize(&mut self) {
        match &self.sign {
            Sign::None => {}
            Sign::Oss(ak, _sk) => {
                self.headers
                    .push(("authorization".into(), format!("OSS {ak}:unsigned")));
            }
            Sign::S3(ak, _sk) => {
                self.headers.push((
                    "authorization".into(),
                    format!("AWS4-HMAC-SHA256 Credential={ak}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0"),
                ));
                self.headers
                    .push(("x-amz-content-sha256".into(), "UNSIGNED-PAYLOAD".into()));
            }
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
