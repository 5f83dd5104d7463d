//! One fetch from the origin and the clients following it.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use base64::Engine;
use bytes::Bytes;
use futures_util::{FutureExt, StreamExt};
use ossemu_store::{BodyStream, ObjectRecord, READ_CHUNK, TxError, now_ms};
use tokio::sync::watch;

use crate::{FetchPlan, Mirror, tag_value};

/// Largest object a mirror stores (as PutObject).
const MAX_OBJECT: u64 = 5 << 30;
/// Largest body passed through for a TransparentMirrorResponseCodes status.
const MAX_TRANSPARENT_BODY: usize = 1 << 20;

/// Standard headers kept from the origin response and stored with the object.
const KEPT_HEADERS: &[&str] = &[
    "content-encoding",
    "content-disposition",
    "cache-control",
    "expires",
    "content-language",
    "access-control-allow-origin",
];

/// What a client sees of the origin response before the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// Content-Type.
    pub content_type: String,
    /// The kept standard headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// The origin's Content-Length, when it sent one (else the body is chunked).
    pub content_length: Option<u64>,
    /// The `x-oss-tag` value.
    pub tag: String,
    /// The URL the body came from.
    pub url: String,
    /// Last-Modified of the stored object, milliseconds since the epoch.
    pub modified_ms: i64,
}

/// Why a fetch failed: the OSS `MirrorFailed` message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The message for the 424 body.
    pub message: String,
    /// The origin's status (0 when it could not be reached).
    pub origin_status: u16,
    /// The body had started, so clients already got a head: they see an aborted transfer.
    pub after_head: bool,
}

/// Where a fetch stands.
#[derive(Clone, Debug)]
pub enum State {
    /// Waiting for the origin's response head.
    Connecting,
    /// The object was already stored when the fetch would have started: serve it.
    Present,
    /// The body is arriving; `written` bytes of it are in `tmp`.
    Streaming {
        /// Response head.
        head: Arc<Head>,
        /// Temp file being written.
        tmp: PathBuf,
        /// Bytes in it so far.
        written: u64,
    },
    /// The body is complete: stored (`stored`), or, with MirrorProxyPass, still in `tmp`.
    Complete {
        /// Response head.
        head: Arc<Head>,
        /// Body length.
        size: u64,
        /// Committed to the store (by this fetch, or by a client that wrote the key meanwhile).
        stored: bool,
        /// ETag of the object this fetch committed; `None` when a client's write won.
        etag: Option<String>,
        /// Temp file (only meaningful when not stored).
        tmp: PathBuf,
    },
    /// The origin answered 404.
    NotFound,
    /// The origin answered 3xx and MirrorFollowRedirect is off: pass its Location on.
    Redirect(String),
    /// A TransparentMirrorResponseCodes status: passed through, not stored.
    Transparent {
        /// Origin status.
        status: u16,
        /// Origin Content-Type.
        content_type: Option<String>,
        /// Origin body (at most 1 MiB).
        body: Bytes,
    },
    /// The fetch failed.
    Failed(Failure),
}

/// A fetch in flight, shared by the clients that asked for the same key.
pub struct Flight {
    rx: watch::Receiver<State>,
    bucket: String,
    key: String,
}

impl Flight {
    pub(crate) fn new(bucket: String, key: String) -> (Arc<Self>, watch::Sender<State>) {
        let (tx, rx) = watch::channel(State::Connecting);
        (Arc::new(Self { rx, bucket, key }), tx)
    }

    /// Waits until the response head is known, or until an outcome that has none.
    pub async fn head(&self) -> State {
        self.wait(|s| !matches!(s, State::Connecting)).await
    }

    /// Waits until the fetch has ended (complete, failed, or an outcome without a body).
    pub async fn finished(&self) -> State {
        self.wait(|s| !matches!(s, State::Connecting | State::Streaming { .. }))
            .await
    }

    async fn wait(&self, done: impl Fn(&State) -> bool) -> State {
        let mut rx = self.rx.clone();
        loop {
            let s = rx.borrow_and_update().clone();
            if done(&s) {
                return s;
            }
            if rx.changed().await.is_err() {
                return rx.borrow().clone();
            }
        }
    }

    /// The body from its first byte, as it arrives. Ends with an error (aborting the client's
    /// connection) if the fetch fails midway.
    pub fn body(&self, mirror: &Mirror) -> BodyStream {
        let follow = Follow {
            rx: self.rx.clone(),
            file: None,
            pos: 0,
            store: mirror.store.clone(),
            bucket: self.bucket.clone(),
            key: self.key.clone(),
            rest: None,
        };
        Box::pin(futures_util::stream::unfold(follow, |mut f| async move {
            let item = f.next().await?;
            if item.is_err() {
                f.rest = Some(Box::pin(futures_util::stream::empty()));
            }
            Some((item, f))
        }))
    }
}

/// One client following a flight.
struct Follow {
    rx: watch::Receiver<State>,
    file: Option<Arc<File>>,
    pos: u64,
    store: ossemu_store::Store,
    bucket: String,
    key: String,
    rest: Option<BodyStream>,
}

impl Follow {
    async fn next(&mut self) -> Option<io::Result<Bytes>> {
        loop {
            if let Some(rest) = &mut self.rest {
                return rest.next().await;
            }
            let state = self.rx.borrow_and_update().clone();
            match state {
                State::Streaming { head, tmp, written } => {
                    // The last byte of a body with a Content-Length (the end of a chunked
                    // one) is held back until the body has passed its checks and is committed:
                    // if they fail, the client is left short, which it sees as an aborted
                    // transfer rather than a complete body; once it has the whole body, the
                    // object is in the store for its next request.
                    let limit = match head.content_length {
                        Some(n) => written.min(n.saturating_sub(1)),
                        None => written,
                    };
                    // `None`: the file was renamed into the store meanwhile; the next state
                    // says so.
                    if self.pos < limit
                        && let Some(r) = self.read(&tmp, limit).await
                    {
                        return Some(r);
                    }
                    if self.rx.changed().await.is_err() {
                        return Some(Err(io::Error::other("the mirror fetch ended unexpectedly")));
                    }
                }
                State::Complete {
                    size,
                    stored,
                    tmp,
                    etag,
                    ..
                } => {
                    if self.pos >= size {
                        return None;
                    }
                    if self.file.is_some() || !stored {
                        return match self.read(&tmp, size).await {
                            Some(r) => Some(r),
                            None => Some(Err(io::Error::other("mirrored body vanished"))),
                        };
                    }
                    // Only the object this fetch stored: never one a client wrote meanwhile.
                    let obj = match self.store.open_object(&self.bucket, &self.key) {
                        Ok(Some(o))
                            if o.rec.size == size
                                && etag.as_deref() == Some(o.rec.etag.as_str()) =>
                        {
                            o
                        }
                        Ok(_) => {
                            return Some(Err(io::Error::other(
                                "the mirrored object changed before it was read",
                            )));
                        }
                        Err(e) => return Some(Err(io::Error::other(e.to_string()))),
                    };
                    self.rest = Some(obj.body(self.pos, size - self.pos));
                }
                State::Failed(f) => return Some(Err(io::Error::other(f.message))),
                State::Connecting => {
                    if self.rx.changed().await.is_err() {
                        return Some(Err(io::Error::other("the mirror fetch ended unexpectedly")));
                    }
                }
                State::Present
                | State::NotFound
                | State::Redirect(_)
                | State::Transparent { .. } => {
                    return Some(Err(io::Error::other("the mirror fetch has no body")));
                }
            }
        }
    }

    /// Reads the next chunk from the temp file (opened on first use); `None` if the file is
    /// gone before it could be opened.
    async fn read(&mut self, tmp: &Path, limit: u64) -> Option<io::Result<Bytes>> {
        let file = self.file.clone();
        let path = tmp.to_path_buf();
        let (pos, want) = (self.pos, (limit - self.pos).min(READ_CHUNK as u64));
        let res = tokio::task::spawn_blocking(move || -> io::Result<Option<(Arc<File>, Bytes)>> {
            let file = match file {
                Some(f) => f,
                None => match File::open(&path) {
                    Ok(f) => Arc::new(f),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(e),
                },
            };
            let mut buf = vec![0u8; want as usize];
            let mut got = 0;
            while got < buf.len() {
                let n = file.read_at(&mut buf[got..], pos + got as u64)?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            buf.truncate(got);
            Ok(Some((file, Bytes::from(buf))))
        })
        .await
        .map_err(io::Error::other)
        .and_then(|r| r);
        match res {
            Ok(None) => None,
            Ok(Some((file, bytes))) => {
                self.file = Some(file);
                self.pos += bytes.len() as u64;
                if bytes.is_empty() {
                    return Some(Err(io::Error::other(
                        "mirror temp file is shorter than announced",
                    )));
                }
                Some(Ok(bytes))
            }
            Err(e) => Some(Err(e)),
        }
    }
}

fn failure(message: impl Into<String>, origin_status: u16, after_head: bool) -> State {
    State::Failed(Failure {
        message: message.into(),
        origin_status,
        after_head,
    })
}

const GENERIC: &str = "Mirroring failed, please check your mirror configuration";

/// Runs one fetch to its end, publishing its progress.
pub(crate) async fn run(
    mirror: Arc<Mirror>,
    plan: FetchPlan,
    tx: watch::Sender<State>,
    id: Option<(String, String)>,
) {
    let started = Instant::now();
    // Removes the single-flight entry however this task ends (a panic included), so later
    // requests never join a dead fetch.
    let _entry = Entry(mirror.clone(), id.clone());
    let already = plan.store
        && matches!(
            mirror.store.meta().get_object(&plan.bucket, &plan.key),
            Ok(Some(_))
        );
    let (end, origin_status, url, proxied) = if already {
        (State::Present, 0, plan.url.clone(), None)
    } else {
        fetch(&mirror, &plan, &tx).await
    };
    let (outcome, bytes) = match &end {
        State::Present => ("present", 0),
        State::Complete { size, stored, .. } => (if *stored { "stored" } else { "proxied" }, *size),
        State::NotFound => ("not-found", 0),
        State::Redirect(_) => ("redirect", 0),
        State::Transparent { body, .. } => ("transparent", body.len() as u64),
        State::Failed(_) => ("failed", 0),
        State::Connecting | State::Streaming { .. } => ("interrupted", 0),
    };
    mirror.stats.outcome(outcome, bytes);
    match &end {
        State::Failed(f) => tracing::warn!(
            rule = plan.rule,
            origin = %url,
            status = origin_status,
            ms = started.elapsed().as_millis() as u64,
            outcome,
            reason = %f.message,
            "mirror fetch"
        ),
        _ => tracing::info!(
            rule = plan.rule,
            origin = %url,
            status = origin_status,
            bytes,
            ms = started.elapsed().as_millis() as u64,
            outcome,
            "mirror fetch"
        ),
    }
    tx.send_replace(end);
    drop(_entry);
    if let Some(writer) = proxied {
        // A proxied body lives in its temp file until every follower is done with it;
        // dropping the writer then removes the file.
        tx.closed().await;
        drop(writer);
    }
}

/// The commit found an object a client wrote while the fetch ran; that object wins.
struct WrittenMeanwhile;

/// Removes a flight from the single-flight map when dropped.
struct Entry(Arc<Mirror>, Option<(String, String)>);

impl Drop for Entry {
    fn drop(&mut self) {
        if let Some(id) = &self.1 {
            self.0.finished(id);
        }
    }
}

/// The end of a fetch: final state, origin status, origin URL, and for MirrorProxyPass the
/// writer whose temp file holds the body.
type Fetched = (State, u16, String, Option<ossemu_store::BlobWriter>);

/// Which origin answered and how.
async fn fetch(mirror: &Mirror, plan: &FetchPlan, tx: &watch::Sender<State>) -> Fetched {
    let asked = Instant::now();
    let answered = request(mirror, plan).await;
    mirror.stats.origin_latency(asked.elapsed().as_secs_f64());
    let (resp, url) = match answered {
        Ok(r) => r,
        Err((f, url)) => return (f, 0, url, None),
    };
    let status = resp.status().as_u16();
    let mut proxied = None;
    let state = if plan.transparent_codes.contains(&status) {
        transparent(resp, status).await
    } else {
        match status {
            200 | 206 => {
                let (state, writer) = stream(mirror, plan, tx, resp, &url).await;
                proxied = writer;
                state
            }
            404 => State::NotFound,
            301 | 302 | 303 | 307 | 308 if !plan.follow_redirects => State::Redirect(
                resp.headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string(),
            ),
            s => failure(
                format!("Error status : {s} from mirror host, should return 200 OK"),
                s,
                false,
            ),
        }
    };
    (state, status, url, proxied)
}

fn fails_over(plan: &FetchPlan, status: u16) -> bool {
    status >= 500
        || (plan.switch_all_errors && ![200, 206, 301, 302, 303, 307, 404].contains(&status))
}

/// Sends the request to the primary origin, and to the secondary when the primary fails.
async fn request(
    mirror: &Mirror,
    plan: &FetchPlan,
) -> Result<(reqwest::Response, String), (State, String)> {
    let primary = send(mirror, plan, &plan.url).await;
    let failed = match &primary {
        Ok(r) => fails_over(plan, r.status().as_u16()),
        Err(_) => true,
    };
    match (&plan.slave_url, failed) {
        (Some(slave), true) => {
            tracing::info!(rule = plan.rule, primary = %plan.url, secondary = %slave, "mirror failing over to the secondary origin");
            send(mirror, plan, slave)
                .await
                .map(|r| (r, slave.clone()))
                .map_err(|f| (f, slave.clone()))
        }
        _ => primary
            .map(|r| (r, plan.url.clone()))
            .map_err(|f| (f, plan.url.clone())),
    }
}

async fn send(mirror: &Mirror, plan: &FetchPlan, url: &str) -> Result<reqwest::Response, State> {
    let client = if plan.follow_redirects {
        &mirror.follow
    } else {
        &mirror.no_follow
    };
    let mut req = client.get(url);
    for (k, v) in &plan.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    req.send().await.map_err(|e| {
        tracing::debug!(error = %e, %url, "origin request failed");
        if e.is_redirect() {
            failure(GENERIC, 0, false)
        } else {
            failure(
                "Error status : 0 from mirror host, should return 200 OK",
                0,
                false,
            )
        }
    })
}

async fn transparent(resp: reqwest::Response, status: u16) -> State {
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut body = Vec::new();
    let mut s = resp.bytes_stream();
    while let Some(chunk) = s.next().await {
        match chunk {
            Ok(c) if body.len() + c.len() <= MAX_TRANSPARENT_BODY => body.extend_from_slice(&c),
            Ok(_) => break,
            Err(_) => {
                return failure(
                    "Read body from mirror host failed, please check your mirror host",
                    status,
                    false,
                );
            }
        }
    }
    State::Transparent {
        status,
        content_type,
        body: Bytes::from(body),
    }
}

fn header(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Streams a 200 body into the temp file, publishing progress, then commits it.
async fn stream(
    mirror: &Mirror,
    plan: &FetchPlan,
    tx: &watch::Sender<State>,
    resp: reqwest::Response,
    url: &str,
) -> (State, Option<ossemu_store::BlobWriter>) {
    match stream_inner(mirror, plan, tx, resp, url).await {
        Ok((state, writer)) => (state, writer),
        Err(state) => (state, None),
    }
}

async fn stream_inner(
    mirror: &Mirror,
    plan: &FetchPlan,
    tx: &watch::Sender<State>,
    resp: reqwest::Response,
    url: &str,
) -> Result<(State, Option<ossemu_store::BlobWriter>), State> {
    let status = resp.status().as_u16();
    let content_length = header(&resp, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
    if content_length.is_some_and(|n| n > MAX_OBJECT) {
        return Err(failure(GENERIC, status, false));
    }
    let origin_md5 = header(&resp, "content-md5").and_then(|v| {
        base64::engine::general_purpose::STANDARD
            .decode(v.trim())
            .ok()
    });
    let modified_ms = plan
        .keep_last_modified
        .then(|| header(&resp, "last-modified"))
        .flatten()
        .and_then(|v| httpdate::parse_http_date(&v).ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_millis() as i64)
        .unwrap_or_else(now_ms);
    let head = Arc::new(Head {
        content_type: header(&resp, "content-type")
            .unwrap_or_else(|| "application/octet-stream".to_string()),
        headers: KEPT_HEADERS
            .iter()
            .filter_map(|h| header(&resp, h).map(|v| (h.to_string(), v)))
            .collect(),
        content_length,
        tag: tag_value(mirror.config.tag, url),
        url: url.to_string(),
        modified_ms,
    });
    let mut w = mirror.store.writer();
    let tmp = w.temp_path();
    let publish = |w: &ossemu_store::BlobWriter| {
        tx.send_replace(State::Streaming {
            head: head.clone(),
            tmp: tmp.clone(),
            written: w.flushed(),
        });
    };
    publish(&w);
    let read_failed = |got: u64| -> State {
        let message = match content_length {
            Some(n) if got < n => "Bytes read is not equal to expected",
            _ => "Read body from mirror host failed, please check your mirror host",
        };
        failure(message, status, true)
    };
    let mut body = resp.bytes_stream();
    let mut published = 0;
    loop {
        // Write what is buffered whenever the origin has nothing more right now, so that
        // followers see bytes as soon as they arrive; while data keeps coming, the writer
        // batches and overlaps disk writes with reading the origin.
        let next = match body.next().now_or_never() {
            Some(n) => n,
            None => {
                if w.len() > w.flushed() {
                    if w.flush().await.is_err() {
                        return Err(failure(GENERIC, status, true));
                    }
                    publish(&w);
                    published = w.flushed();
                }
                body.next().await
            }
        };
        match next {
            None => break,
            Some(Ok(chunk)) => {
                if w.len() + chunk.len() as u64 > MAX_OBJECT {
                    return Err(failure(GENERIC, status, true));
                }
                if w.write(chunk).await.is_err() {
                    return Err(failure(GENERIC, status, true));
                }
                if w.flushed() > published {
                    publish(&w);
                    published = w.flushed();
                }
            }
            Some(Err(e)) => {
                tracing::debug!(error = %e, %url, "origin body failed");
                return Err(read_failed(w.len()));
            }
        }
    }
    if w.flush().await.is_err() {
        return Err(failure(GENERIC, status, true));
    }
    publish(&w);
    let size = w.len();
    if content_length.is_some_and(|n| n != size) {
        return Err(failure("Bytes read is not equal to expected", status, true));
    }
    if plan.check_md5
        && let Some(m) = &origin_md5
        && m.as_slice() != w.digest().0
    {
        return Err(failure(
            "MD5 in header() is not equal to MD5 calculated",
            status,
            true,
        ));
    }
    if !plan.store {
        // Proxy pass: the temp file stays until the followers are done (see `run`).
        return Ok((
            State::Complete {
                head,
                size,
                stored: false,
                etag: None,
                tmp,
            },
            Some(w),
        ));
    }
    let blob = match w.finish().await {
        Ok(b) => b,
        Err(_) => return Err(failure(GENERIC, status, true)),
    };
    if plan.check_md5
        && let Some(m) = &origin_md5
        && m.as_slice() != blob.md5
    {
        return Err(failure(
            "MD5 in header() is not equal to MD5 calculated",
            status,
            true,
        ));
    }
    let template = ObjectRecord {
        content_type: head.content_type.clone(),
        headers: head.headers.clone(),
        owner: plan.owner.clone(),
        tag: Some(head.tag.clone()),
        tagging: plan.taggings.clone(),
        modified_ms: head.modified_ms,
        ..ObjectRecord::default()
    };
    // An object written meanwhile by a client wins; the mirrored copy is not stored over it.
    let check = |cur: Option<&ObjectRecord>| match cur {
        Some(_) => Err(WrittenMeanwhile),
        None => Ok(()),
    };
    match mirror
        .store
        .put_object(&plan.bucket, &plan.key, template, blob, &check)
        .await
    {
        Ok(rec) => Ok((
            State::Complete {
                head,
                size,
                stored: true,
                etag: Some(rec.etag),
                tmp,
            },
            None,
        )),
        Err(TxError::Abort(WrittenMeanwhile)) => Ok((
            State::Complete {
                head,
                size,
                stored: true,
                etag: None,
                tmp,
            },
            None,
        )),
        Err(TxError::Store(e)) => {
            tracing::error!(error = %e, "storing a mirrored object failed");
            Err(failure(GENERIC, status, true))
        }
    }
}
