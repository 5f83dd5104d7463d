//! OSS access logging: a request to a bucket whose logging is on ([`crate::handlers::logging`])
//! becomes one line in OSS's access log format, buffered in memory; a flush (every
//! `--access-log-interval`, on `POST /_ossemu/logs/flush`, and at shutdown) writes each
//! bucket's lines as one object into its target bucket, named
//! `<TargetPrefix><SourceBucket>YYYY-mm-DD-HH-MM-SS-0001`, through the ordinary write path.
//!
//! The buffer holds at most [`MAX_BUFFERED`] bytes; lines beyond that are dropped and counted
//! (OSS does not promise every request a line either).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Response};
use ossemu_store::ObjectRecord;

use crate::body::Body;
use crate::error::{ApiError, ApiResult};
use crate::handlers::logging::{self, LoggingEnabled};
use crate::handlers::{ObjectAttrs, maybe_encode};
use crate::pipeline::finish::Timing;
use crate::request::Ctx;
use crate::router::Op;
use crate::state::AppState;

/// Most bytes of log lines held in memory between flushes.
pub const MAX_BUFFERED: usize = 16 << 20;

/// The lines waiting for one source bucket's next log object.
#[derive(Debug, Default)]
struct Pending {
    target: LoggingEnabled,
    text: String,
}

/// Buffered access log lines, per source bucket.
#[derive(Debug)]
pub struct Buffer {
    pending: std::sync::Mutex<BTreeMap<String, Pending>>,
    bytes: AtomicU64,
    dropped: AtomicU64,
    cap: usize,
}

impl Default for Buffer {
    fn default() -> Self {
        Self::with_cap(MAX_BUFFERED)
    }
}

impl Buffer {
    /// An empty buffer holding at most `cap` bytes.
    pub fn with_cap(cap: usize) -> Self {
        Self {
            pending: Default::default(),
            bytes: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            cap,
        }
    }

    /// Lines dropped because the buffer was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    fn push(&self, bucket: &str, target: LoggingEnabled, line: String) {
        let n = line.len() + 1;
        if self.bytes.load(Ordering::Relaxed) as usize + n > self.cap {
            if self.dropped.fetch_add(1, Ordering::Relaxed) == 0 {
                tracing::warn!("access log buffer full; dropping lines until the next flush");
            }
            return;
        }
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let p = pending.entry(bucket.to_string()).or_default();
        p.target = target;
        p.text.push_str(&line);
        p.text.push('\n');
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
    }

    fn take(&self) -> BTreeMap<String, Pending> {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        self.bytes.store(0, Ordering::Relaxed);
        std::mem::take(&mut *pending)
    }
}

/// A request that is logged: one addressed to a bucket whose logging is on, in either
/// dialect (an S3 request's line has OSS's format too).
fn logged(cx: &Ctx) -> Option<(&str, LoggingEnabled)> {
    let bucket = cx.bucket.as_deref()?;
    let target = logging::load(cx.store().meta(), bucket).ok()??;
    Some((bucket, target))
}

/// Records the request in its bucket's access log, if logging is on. `error` is the error
/// code the response carries.
pub fn record(cx: &Ctx, op: Op, resp: &Response<Body>, error: Option<&str>, timing: &Timing) {
    let Some((bucket, target)) = logged(cx) else {
        return;
    };
    let line = line(cx, op, resp, error, timing);
    cx.state.access_log.push(bucket, target, line);
}

fn quoted(v: &str) -> String {
    let v = if v.is_empty() { "-" } else { v };
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

fn header_len(resp: &Response<Body>, name: http::header::HeaderName) -> Option<u64> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// The object's size: the whole object of a read (a range answer names it in
/// `Content-Range`), the body of a write; `-` otherwise.
fn object_size(cx: &Ctx, op: Op, resp: &Response<Body>, received: u64) -> String {
    let total = resp
        .headers()
        .get(http::header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit_once('/'))
        .and_then(|(_, t)| t.parse::<u64>().ok());
    match op {
        Op::GetObject | Op::HeadObject if resp.status().is_success() => total
            .or_else(|| header_len(resp, http::header::CONTENT_LENGTH))
            .map_or("-".into(), |n| n.to_string()),
        Op::PutObject | Op::AppendObject | Op::UploadPart | Op::PostObject if cx.key.is_some() => {
            received.to_string()
        }
        _ => "-".into(),
    }
}

/// The size of the request: its head (request line and headers) and body.
fn request_length(cx: &Ctx, uri: &str, received: u64) -> u64 {
    let head: usize = cx
        .headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    (cx.method.as_str().len() + uri.len() + 12 + head + 2) as u64 + received
}

/// The user-defined log fields of the bucket, when it has them: the configured headers,
/// then parameters, the request carries, as `name=value&...` (form-encoded; ossemu's own
/// rendering of this field).
fn user_fields(cx: &Ctx, bucket: &str) -> Option<String> {
    let conf = logging::load_fields(cx.store().meta(), bucket).ok()??;
    let mut out = form_urlencoded::Serializer::new(String::new());
    for h in &conf.header_set.headers {
        if let Some(v) = cx.header(&h.to_ascii_lowercase()) {
            out.append_pair(h, v);
        }
    }
    for p in &conf.param_set.parameters {
        if let Some(v) = cx.query.get(p) {
            out.append_pair(p, v);
        }
    }
    Some(out.finish())
}

/// One line of OSS's access log format: Remote IP, two reserved fields, Time, Request-URI,
/// HTTP Status, SentBytes, RequestTime (ms), Referer, User-Agent, HostName, Request ID,
/// LoggingFlag, Requester Aliyun ID, Operation, Bucket, Key, ObjectSize, Server Cost Time
/// (ms), Error Code, Request Length, UserID, Delta DataSize, Sync Request, StorageClass,
/// TargetStorageClass, TransmissionAccelerationAccessPoint, AccessKeyId; then the
/// user-defined fields when the bucket has them. Times are UTC.
fn line(cx: &Ctx, op: Op, resp: &Response<Body>, error: Option<&str>, timing: &Timing) -> String {
    let now = chrono::DateTime::from_timestamp_millis(cx.state.clock.now_ms()).unwrap_or_default();
    let uri = timing.uri.to_string();
    let received = timing.body.bytes.load(Ordering::Relaxed);
    let sent = match cx.method {
        Method::HEAD => 0,
        _ => header_len(resp, http::header::CONTENT_LENGTH).unwrap_or(0),
    };
    let ms = timing.started.elapsed().as_millis().to_string();
    let bucket = cx.bucket.as_deref().unwrap_or_default();
    let key = maybe_encode(cx.key.as_deref().unwrap_or_default(), true);
    let owner = cx.load_bucket().map(|b| b.owner).unwrap_or_default();
    let (requester, access_key) = match &cx.identity {
        crate::access::Identity::User {
            owner_id,
            access_key,
            ..
        } => (owner_id.as_str(), access_key.as_str()),
        crate::access::Identity::Anonymous => ("-", "-"),
    };
    let mut fields = vec![
        timing.peer.ip().to_string(),
        "-".into(),
        "-".into(),
        now.format("[%d/%b/%Y:%H:%M:%S +0000]").to_string(),
        quoted(&format!("{} {uri} HTTP/1.1", cx.method)),
        resp.status().as_u16().to_string(),
        sent.to_string(),
        ms.clone(),
        quoted(cx.header("referer").unwrap_or_default()),
        quoted(cx.header("user-agent").unwrap_or_default()),
        quoted(&cx.host_header),
        quoted(&cx.id),
        quoted("true"),
        quoted(requester),
        quoted(op.name()),
        quoted(bucket),
        quoted(&key),
        object_size(cx, op, resp, received),
        ms,
        quoted(error.unwrap_or_default()),
        request_length(cx, &uri, received).to_string(),
        quoted(&owner),
        "-".into(),
        quoted("-"),
        quoted("-"),
        quoted("-"),
        quoted("-"),
        quoted(access_key),
    ];
    if let Some(extra) = user_fields(cx, bucket) {
        fields.push(quoted(&extra));
    }
    fields.join(" ")
}

/// Writes every buffered bucket's lines as one object into its target bucket (encrypted as
/// its default says); returns the `bucket/key` names written. Lines whose target bucket is gone are dropped (OSS stops
/// delivering to a deleted target too).
pub async fn flush(state: &AppState) -> ApiResult<Vec<String>> {
    let pending = state.access_log.take();
    let mut written = Vec::new();
    for (source, p) in pending {
        let t = &p.target;
        let Some(dest) = state.store.meta().get_bucket(&t.target_bucket)? else {
            tracing::warn!(
                source,
                target = t.target_bucket,
                "access log target bucket is gone"
            );
            continue;
        };
        let key = free_key(state, t, &source)?;
        let mut w = state.store.writer();
        w.write(Bytes::from(p.text))
            .await
            .map_err(ApiError::internal)?;
        let blob = w.finish().await.map_err(ApiError::internal)?;
        let attrs = ObjectAttrs {
            content_type: "text/plain".into(),
            sse: crate::handlers::encryption::default_sse(state.store.meta(), &dest.name)?,
            ..Default::default()
        };
        let template = ObjectRecord::new(attrs, &dest.owner, state.clock.now_ms());
        let none = |_: Option<&ObjectRecord>| Ok::<(), ApiError>(());
        state
            .store
            .put_object(&dest.name, &key, template, blob, &none)
            .await?;
        written.push(format!("{}/{key}", dest.name));
    }
    Ok(written)
}

/// `<TargetPrefix><SourceBucket>YYYY-mm-DD-HH-MM-SS-0001`, the last number counting up when
/// a log object of the same second exists.
fn free_key(state: &AppState, t: &LoggingEnabled, source: &str) -> ApiResult<String> {
    let now = chrono::DateTime::from_timestamp_millis(state.clock.now_ms()).unwrap_or_default();
    let stem = format!(
        "{}{source}{}",
        t.target_prefix,
        now.format("%Y-%m-%d-%H-%M-%S")
    );
    for n in 1..10_000 {
        let key = format!("{stem}-{n:04}");
        if state
            .store
            .meta()
            .get_object(&t.target_bucket, &key)?
            .is_none()
        {
            return Ok(key);
        }
    }
    Ok(format!("{stem}-{}", uuid::Uuid::new_v4().simple()))
}

/// Flushes every `every` (never when zero); the task ends when `state` is the last holder.
pub fn spawn(state: Arc<AppState>, every: Duration) -> Option<tokio::task::JoinHandle<()>> {
    if every.is_zero() {
        return None;
    }
    let weak = Arc::downgrade(&state);
    drop(state);
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        loop {
            tick.tick().await;
            let Some(state) = weak.upgrade() else { return };
            if let Err(e) = flush(&state).await {
                tracing::warn!(error = ?e.code, "access log flush failed");
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> LoggingEnabled {
        LoggingEnabled {
            target_bucket: "logs".into(),
            target_prefix: "p/".into(),
        }
    }

    #[test]
    fn a_full_buffer_drops_lines_until_taken() {
        let b = Buffer::with_cap(10);
        b.push("a", target(), "12345".into());
        b.push("b", target(), "12345".into());
        b.push("a", target(), "x".into());
        assert_eq!(b.dropped(), 1);
        let taken = b.take();
        assert_eq!(taken["a"].text, "12345\nx\n");
        assert!(!taken.contains_key("b"));
        b.push("b", target(), "again".into());
        assert_eq!(b.take()["b"].text, "again\n");
    }
}
