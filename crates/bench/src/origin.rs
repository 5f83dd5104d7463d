//! The origin built into the benchmark: a small HTTP/1.1 server on loopback that serves
//! generated objects for the back-to-origin workloads and misbehaves on request for the
//! origin-fault drill. It counts the requests it receives per path.
//!
//! It is written on raw TCP (not hyper) so that it can do what a broken origin does: reset
//! the connection mid-body, stall, announce a length it does not send, send a wrong
//! `Content-MD5`, or redirect to itself. Well-behaved answers keep the connection alive, as a
//! real origin (nginx, a CDN) would, so that a direct GET and a mirror fetch pay the same
//! connection costs.
//!
//! # Paths
//!
//! Everything is in the path, so a Mirror rule with `MirrorURL` = [`Origin::url`] maps the
//! key `MODE/SIZE/NAME` to the origin path `/MODE/SIZE/NAME`:
//!
//! | `MODE` | answer |
//! |---|---|
//! | `ok` | 200, `Content-Length: SIZE`, the object |
//! | `md5` | the same with a correct `Content-MD5` |
//! | `chunked` | 200 with `Transfer-Encoding: chunked` |
//! | `reset` | announces SIZE bytes, sends half, then resets the connection (RST) |
//! | `stall` | announces SIZE bytes, sends half, then stays silent for [`OriginConfig::stall`] and closes |
//! | `short` | announces SIZE bytes, sends half, then closes cleanly (FIN): a lie about the length |
//! | `badmd5` | the object with the `Content-MD5` of other bytes |
//! | `loop` | 302 to its own path, forever |
//! | `endless` | 200, chunked, without end (SIZE is ignored) |
//! | `bounce` | 302 to `http://NAME` (NAME is `host:port/path`), for redirects elsewhere |
//!
//! The origin-fault drill's main phase uses the first eight ([`Mode::ALL`]); `endless` and
//! `bounce` are for its bounds phase ([`Mode::BOUNDS`]). Any other path is a 404. The object of `MODE/SIZE/NAME` is `SIZE` bytes of a fixed
//! pseudo-random 1 MiB block, read cyclically from an offset derived from the whole key
//! (see [`Content`]), so every key has its own bytes and both sides can compute them (and
//! their MD5) without storing anything: a 1 GiB object costs the origin no memory.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use base64::Engine as _;
use bytes::Bytes;
use md5::{Digest, Md5};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Length of the pattern block objects are cut from.
pub const BLOCK: usize = 1 << 20;
/// Largest slice written to the socket at once.
const CHUNK: usize = 256 * 1024;
/// Largest request head accepted.
const MAX_HEAD: usize = 64 * 1024;

/// The generated objects: every object is a cyclic read of one shared block.
#[derive(Debug, Clone)]
pub struct Content {
    block: Bytes,
}

impl Default for Content {
    fn default() -> Self {
        Self::new()
    }
}

impl Content {
    /// The pattern block (deterministic, incompressible).
    pub fn new() -> Self {
        let mut rng = crate::rng::SplitMix64::new(0x0516_0516);
        let mut buf = Vec::with_capacity(BLOCK);
        while buf.len() < BLOCK {
            buf.extend_from_slice(&rng.next_u64().to_le_bytes());
        }
        buf.truncate(BLOCK);
        Self {
            block: Bytes::from(buf),
        }
    }

    /// Where in the block the object `name` starts (FNV-1a of the name).
    fn offset(name: &str) -> usize {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in name.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        (crate::rng::mix(h) % BLOCK as u64) as usize
    }

    /// The object `name` of `size` bytes as zero-copy slices of at most 256 KiB.
    pub fn chunks(&self, name: &str, size: u64) -> Chunks {
        Chunks {
            block: self.block.clone(),
            start: Self::offset(name),
            pos: 0,
            size,
        }
    }

    /// The MD5 of the object `name` of `size` bytes.
    pub fn md5(&self, name: &str, size: u64) -> [u8; 16] {
        let mut h = Md5::new();
        for c in self.chunks(name, size) {
            h.update(&c);
        }
        h.finalize().into()
    }
}

/// Iterator over the slices of one generated object.
#[derive(Debug, Clone)]
pub struct Chunks {
    block: Bytes,
    start: usize,
    pos: u64,
    size: u64,
}

impl Iterator for Chunks {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        if self.pos >= self.size {
            return None;
        }
        let at = ((self.start as u64 + self.pos) % BLOCK as u64) as usize;
        let left = usize::try_from(self.size - self.pos).unwrap_or(usize::MAX);
        let n = CHUNK.min(BLOCK - at).min(left);
        self.pos += n as u64;
        Some(self.block.slice(at..at + n))
    }
}

/// How an origin path behaves (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 200 with `Content-Length`.
    Ok,
    /// 200 with `Content-Length` and a correct `Content-MD5`.
    Md5,
    /// 200, chunked.
    Chunked,
    /// Half the body, then a TCP reset.
    Reset,
    /// Half the body, then silence.
    Stall,
    /// Half the body, then a clean close: `Content-Length` was a lie.
    Short,
    /// A wrong `Content-MD5`.
    BadMd5,
    /// A 302 to itself.
    Loop,
    /// 200, chunked, without end.
    Endless,
    /// A 302 to `http://NAME`.
    Bounce,
}

impl Mode {
    /// Every mode, well-behaved ones first.
    pub const ALL: [Mode; 8] = [
        Mode::Ok,
        Mode::Md5,
        Mode::Chunked,
        Mode::Reset,
        Mode::Stall,
        Mode::Short,
        Mode::BadMd5,
        Mode::Loop,
    ];

    /// The modes of the bounds phase.
    pub const BOUNDS: [Mode; 2] = [Mode::Endless, Mode::Bounce];

    /// The path segment.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Ok => "ok",
            Mode::Md5 => "md5",
            Mode::Chunked => "chunked",
            Mode::Reset => "reset",
            Mode::Stall => "stall",
            Mode::Short => "short",
            Mode::BadMd5 => "badmd5",
            Mode::Loop => "loop",
            Mode::Endless => "endless",
            Mode::Bounce => "bounce",
        }
    }

    /// Parses a path segment.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .chain(Self::BOUNDS)
            .find(|m| m.as_str() == s)
    }

    /// Whether a mirror fetch from this mode can succeed.
    pub fn is_good(self) -> bool {
        matches!(self, Mode::Ok | Mode::Md5 | Mode::Chunked)
    }
}

/// The key (and origin path without its leading `/`) of object `name` of `size` bytes.
pub fn key(mode: Mode, size: u64, name: &str) -> String {
    format!("{}/{size}/{name}", mode.as_str())
}

/// Splits `MODE/SIZE/NAME` (no leading `/`).
pub fn parse_key(key: &str) -> Option<(Mode, u64)> {
    let mut it = key.splitn(3, '/');
    let mode = Mode::parse(it.next()?)?;
    let size = it.next()?.parse().ok()?;
    it.next().filter(|n| !n.is_empty())?;
    Some((mode, size))
}

/// Origin settings.
#[derive(Debug, Clone, Copy)]
pub struct OriginConfig {
    /// Delay before every response head (a distant origin).
    pub latency: Duration,
    /// How long a `stall` answer stays silent before closing.
    pub stall: Duration,
}

impl Default for OriginConfig {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            stall: Duration::from_secs(5),
        }
    }
}

#[derive(Debug, Default)]
struct Counters {
    total: AtomicU64,
    by_path: Mutex<HashMap<String, u64>>,
}

/// The running origin; stops accepting when dropped.
#[derive(Debug)]
pub struct Origin {
    addr: SocketAddr,
    content: Content,
    counters: Arc<Counters>,
    accept: tokio::task::JoinHandle<()>,
}

impl Drop for Origin {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl Origin {
    /// Starts an origin on a free loopback port.
    pub async fn start(config: OriginConfig) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the built-in origin")?;
        let addr = listener.local_addr()?;
        let content = Content::new();
        let counters = Arc::new(Counters::default());
        let (c, k) = (content.clone(), counters.clone());
        let accept = tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    // Out of descriptors or similar: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = sock.set_nodelay(true);
                tokio::spawn(serve(sock, c.clone(), k.clone(), config));
            }
        });
        Ok(Self {
            addr,
            content,
            counters,
            accept,
        })
    }

    /// `http://127.0.0.1:PORT/`, the `MirrorURL` of a rule that mirrors from it.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// `http://127.0.0.1:PORT`, an endpoint for a client.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The object generator (shared with clients that check bodies).
    pub fn content(&self) -> &Content {
        &self.content
    }

    /// Requests received for `key` (origin path without the leading `/`, query ignored).
    pub fn hits(&self, key: &str) -> u64 {
        let map = match self.counters.by_path.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        map.get(key).copied().unwrap_or(0)
    }

    /// Requests received in all.
    pub fn total_hits(&self) -> u64 {
        self.counters.total.load(Ordering::Relaxed)
    }
}

/// One parsed request head.
struct RequestHead {
    method: String,
    path: String,
    body_len: u64,
    keep_alive: bool,
}

fn parse_head(head: &[u8]) -> Option<RequestHead> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split("\r\n");
    let mut parts = lines.next()?.split(' ');
    let method = parts.next()?.to_owned();
    let target = parts.next()?;
    let version = parts.next()?;
    let path = target.split('?').next().unwrap_or("/").to_owned();
    let mut body_len = 0;
    let mut keep_alive = version == "HTTP/1.1";
    for line in lines {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        if k.eq_ignore_ascii_case("content-length") {
            body_len = v.parse().ok()?;
        } else if k.eq_ignore_ascii_case("connection") {
            keep_alive = !v.eq_ignore_ascii_case("close");
        }
    }
    Some(RequestHead {
        method,
        path,
        body_len,
        keep_alive,
    })
}

/// Serves one connection until the client closes it or an answer ends it.
async fn serve(mut sock: TcpStream, content: Content, counters: Arc<Counters>, cfg: OriginConfig) {
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut tmp = vec![0u8; 16 * 1024];
    loop {
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            if buf.len() > MAX_HEAD {
                return;
            }
            match sock.read(&mut tmp).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&tmp[..n]),
            }
        };
        let Some(req) = parse_head(&buf[..head_end]) else {
            return;
        };
        buf.drain(..head_end + 4);
        // Discard a request body (none is expected).
        let mut left = req.body_len;
        let have = (buf.len() as u64).min(left);
        buf.drain(..have as usize);
        left -= have;
        while left > 0 {
            match sock.read(&mut tmp).await {
                Ok(0) | Err(_) => return,
                Ok(n) => left = left.saturating_sub(n as u64),
            }
        }
        let key = req.path.trim_start_matches('/').to_owned();
        counters.total.fetch_add(1, Ordering::Relaxed);
        {
            let mut map = match counters.by_path.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            *map.entry(key.clone()).or_insert(0) += 1;
        }
        if !cfg.latency.is_zero() {
            tokio::time::sleep(cfg.latency).await;
        }
        let head_only = req.method == "HEAD";
        match answer(&mut sock, &content, &key, head_only, cfg).await {
            Ok(true) if req.keep_alive => continue,
            _ => {
                let _ = sock.shutdown().await;
                return;
            }
        }
    }
}

fn head(status: &str, headers: &[(&str, String)]) -> Vec<u8> {
    let mut h = format!("HTTP/1.1 {status}\r\nserver: ossemu-bench-origin\r\n");
    for (k, v) in headers {
        h.push_str(k);
        h.push_str(": ");
        h.push_str(v);
        h.push_str("\r\n");
    }
    h.push_str("\r\n");
    h.into_bytes()
}

async fn write_body(sock: &mut TcpStream, chunks: impl Iterator<Item = Bytes>) -> bool {
    for c in chunks {
        if sock.write_all(&c).await.is_err() {
            return false;
        }
    }
    true
}

/// Answers one request; returns whether the connection may serve another.
async fn answer(
    sock: &mut TcpStream,
    content: &Content,
    key: &str,
    head_only: bool,
    cfg: OriginConfig,
) -> std::io::Result<bool> {
    let Some((mode, size)) = parse_key(key) else {
        let body = b"not here";
        sock.write_all(&head(
            "404 Not Found",
            &[
                ("content-type", "text/plain".into()),
                ("content-length", body.len().to_string()),
            ],
        ))
        .await?;
        if !head_only {
            sock.write_all(body).await?;
        }
        return Ok(true);
    };
    let octets = ("content-type", "application/octet-stream".to_owned());
    let length = ("content-length", size.to_string());
    let b64 = |m: [u8; 16]| base64::engine::general_purpose::STANDARD.encode(m);
    let half = |size: u64| content.chunks(key, size).take_while_bytes(size / 2);
    match mode {
        Mode::Ok | Mode::Md5 | Mode::BadMd5 => {
            let mut hs = vec![octets, length];
            match mode {
                Mode::Md5 => hs.push(("content-md5", b64(content.md5(key, size)))),
                Mode::BadMd5 => hs.push(("content-md5", b64(Md5::digest(key).into()))),
                _ => {}
            }
            sock.write_all(&head("200 OK", &hs)).await?;
            if head_only {
                return Ok(true);
            }
            Ok(write_body(sock, content.chunks(key, size)).await)
        }
        Mode::Chunked => {
            sock.write_all(&head(
                "200 OK",
                &[octets, ("transfer-encoding", "chunked".into())],
            ))
            .await?;
            if head_only {
                return Ok(true);
            }
            for c in content.chunks(key, size) {
                sock.write_all(format!("{:x}\r\n", c.len()).as_bytes())
                    .await?;
                sock.write_all(&c).await?;
                sock.write_all(b"\r\n").await?;
            }
            sock.write_all(b"0\r\n\r\n").await?;
            Ok(true)
        }
        Mode::Reset | Mode::Stall | Mode::Short => {
            sock.write_all(&head("200 OK", &[octets, length])).await?;
            if head_only {
                return Ok(true);
            }
            write_body(sock, half(size)).await;
            sock.flush().await?;
            match mode {
                Mode::Reset => {
                    // SO_LINGER 0: closing sends RST instead of FIN.
                    let _ = sock.set_zero_linger();
                }
                Mode::Stall => tokio::time::sleep(cfg.stall).await,
                _ => {}
            }
            Ok(false)
        }
        Mode::Loop | Mode::Bounce => {
            let location = match mode {
                Mode::Loop => format!("/{key}"),
                _ => format!("http://{}", key.splitn(3, '/').nth(2).unwrap_or_default()),
            };
            sock.write_all(&head(
                "302 Found",
                &[("location", location), ("content-length", "0".into())],
            ))
            .await?;
            Ok(true)
        }
        Mode::Endless => {
            sock.write_all(&head(
                "200 OK",
                &[octets, ("transfer-encoding", "chunked".into())],
            ))
            .await?;
            if head_only {
                return Ok(true);
            }
            // Until the client hangs up.
            for c in content.chunks(key, u64::MAX) {
                sock.write_all(format!("{:x}\r\n", c.len()).as_bytes())
                    .await?;
                sock.write_all(&c).await?;
                sock.write_all(b"\r\n").await?;
            }
            Ok(false)
        }
    }
}

/// Truncation of a chunk iterator to a byte count.
trait TakeBytes: Iterator<Item = Bytes> + Sized {
    fn take_while_bytes(self, n: u64) -> TakeBytesIter<Self> {
        TakeBytesIter {
            inner: self,
            left: n,
        }
    }
}

impl<I: Iterator<Item = Bytes>> TakeBytes for I {}

/// The first `left` bytes of a chunk iterator.
struct TakeBytesIter<I> {
    inner: I,
    left: u64,
}

impl<I: Iterator<Item = Bytes>> Iterator for TakeBytesIter<I> {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        if self.left == 0 {
            return None;
        }
        let mut c = self.inner.next()?;
        if c.len() as u64 > self.left {
            c.truncate(self.left as usize);
        }
        self.left -= c.len() as u64;
        Some(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_deterministic_and_distinct() {
        let c = Content::new();
        let a: Vec<u8> = c.chunks("ok/3000000/a", 3_000_000).flatten().collect();
        let again: Vec<u8> = c.chunks("ok/3000000/a", 3_000_000).flatten().collect();
        assert_eq!(a.len(), 3_000_000);
        assert_eq!(a, again);
        assert_eq!(
            c.md5("ok/3000000/a", 3_000_000),
            <[u8; 16]>::from(Md5::digest(&a))
        );
        assert_ne!(
            c.md5("ok/3000000/b", 3_000_000),
            c.md5("ok/3000000/a", 3_000_000)
        );
        assert!(c.chunks("x", 0).next().is_none());
        assert!(c.chunks("x", 600_000).all(|b| b.len() <= CHUNK));
    }

    #[test]
    fn keys() {
        assert_eq!(key(Mode::Stall, 10, "n/1"), "stall/10/n/1");
        assert_eq!(parse_key("stall/10/n/1"), Some((Mode::Stall, 10)));
        assert_eq!(parse_key("badmd5/0/x"), Some((Mode::BadMd5, 0)));
        assert_eq!(parse_key("nope/10/x"), None);
        assert_eq!(parse_key("ok/x/y"), None);
        assert_eq!(parse_key("ok/10/"), None);
        assert_eq!(parse_key("ok/10"), None);
    }

    #[test]
    fn heads_parse() {
        let h = parse_head(b"GET /ok/1/a?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3").unwrap();
        assert_eq!((h.method.as_str(), h.path.as_str()), ("GET", "/ok/1/a"));
        assert_eq!(h.body_len, 3);
        assert!(h.keep_alive);
        let h = parse_head(b"GET / HTTP/1.1\r\nconnection: Close").unwrap();
        assert!(!h.keep_alive);
        assert!(parse_head(b"GET").is_none());
    }

    #[tokio::test]
    async fn serves_and_counts() {
        let o = Origin::start(OriginConfig::default()).await.unwrap();
        let client =
            crate::client::S3Client::new(&o.endpoint(), crate::client::Auth::Anonymous).unwrap();
        for _ in 0..2 {
            let r = client
                .send(http::Method::GET, "/md5/300000/k", &[], Bytes::new())
                .await
                .unwrap();
            assert_eq!(r.status, 200);
            let md5 = r
                .headers
                .get("content-md5")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let body = r.bytes().await.unwrap();
            assert_eq!(body.len(), 300_000);
            let want = o.content().md5("md5/300000/k", 300_000);
            assert_eq!(<[u8; 16]>::from(Md5::digest(&body)), want);
            assert_eq!(md5, base64::engine::general_purpose::STANDARD.encode(want));
        }
        assert_eq!(o.hits("md5/300000/k"), 2);
        let r = client
            .send(http::Method::GET, "/short/1000/k", &[], Bytes::new())
            .await
            .unwrap();
        assert_eq!(r.status, 200);
        assert!(r.bytes().await.is_err(), "a short body is an error");
        let r = client
            .send(http::Method::GET, "/loop/1/k", &[], Bytes::new())
            .await
            .unwrap();
        assert_eq!(r.status, 302);
        let r = client
            .send(http::Method::GET, "/chunked/700000/c", &[], Bytes::new())
            .await
            .unwrap();
        assert_eq!(r.bytes().await.unwrap().len(), 700_000);
        let r = client
            .send(http::Method::GET, "/elsewhere", &[], Bytes::new())
            .await
            .unwrap();
        assert_eq!(r.status, 404);
        assert_eq!(o.total_hits(), 6);
    }
}
