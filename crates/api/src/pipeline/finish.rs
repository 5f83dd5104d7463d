//! Stage 5, finish: an error becomes the dialect's error response; every response gets the
//! request id, `Server`, CORS headers and the matched rule (from the typed [`MatchedRule`]
//! fact, never from a header); the request is counted in the metrics and logged once its body
//! has gone out.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use http::{HeaderName, HeaderValue, Method, Response};

use super::respond::BodyProgress;
use crate::body::Body;
use crate::dialect::Dialect;
use crate::error::{ApiResult, Code};
use crate::handlers;
use crate::request::{Ctx, MatchedRule};
use crate::router::Op;
use crate::state::AppState;
use crate::trail::{MirrorFact, RuleFact, TrailEvent};

/// When and from where the request came, and the body bytes it sent.
pub struct Timing {
    /// When the request arrived.
    pub started: Instant,
    /// The client.
    pub peer: SocketAddr,
    /// What of the request body was read (counted as it arrives).
    pub body: Arc<BodyProgress>,
    /// The request URI as sent (path and query).
    pub uri: http::Uri,
    /// Whether the request goes into the request trail (the console's own requests do not).
    pub trail: bool,
}

/// The response as sent: the handler's, or the error rendered in the request's dialect.
pub fn finish(
    cx: &Ctx,
    op: Op,
    result: ApiResult<Response<Body>>,
    timing: Timing,
) -> Response<Body> {
    let error_code = result.as_ref().err().map(|e| e.code.as_str());
    let mut resp = match result {
        Ok(r) => r,
        Err(mut e) => {
            if e.code == Code::InternalError {
                tracing::error!(request_id = %cx.id, op = op.name(), "internal error");
            }
            if cx.dialect == Dialect::Oss
                && !e.fields.iter().any(|(k, _)| *k == "EC")
                && let Some(ec) = documented_ec(op, e.code)
            {
                e = e.field("EC", ec);
            }
            let head = cx.method == Method::HEAD;
            e.render(
                cx.dialect,
                &cx.id,
                &cx.host_header,
                cx.bucket.as_deref(),
                cx.key.as_deref(),
                head,
            )
        }
    };
    finish_headers(cx, &mut resp);
    declare_length(cx, &mut resp);
    close_if_body_unread(cx, &timing.body, &mut resp);
    crate::access_log::record(cx, op, &resp, error_code, &timing);
    let rule = resp.extensions().get::<MatchedRule>().map(|r| r.0);
    let status = resp.status().as_u16();
    let dialect = cx.dialect.as_str();
    let elapsed = timing.started.elapsed().as_secs_f64();
    cx.state
        .metrics
        .request(op.name(), dialect, status, elapsed);
    if (300..400).contains(&status)
        && let Some(rule) = rule
    {
        let bucket = cx.bucket.as_deref().unwrap_or_default();
        cx.state.metrics.redirect(bucket, &rule.to_string());
    }
    let trail = (timing.trail && cx.state.trail.watched())
        .then(|| trail_draft(cx, op, &resp, rule, dialect));
    // The request line is logged (and the trail event sent) when the response body is done
    // (sent or abandoned), with the bytes that actually went each way and the whole duration.
    let log = (tracing::enabled!(tracing::Level::INFO) || trail.is_some()).then(|| RequestLog {
        id: cx.id.clone(),
        peer: timing.peer,
        dialect: cx.dialect,
        op: op.name(),
        method: cx.method.clone(),
        bucket: cx.bucket.clone().unwrap_or_default(),
        key: cx.key.clone().unwrap_or_default(),
        status,
        rule: rule.map(|r| r.to_string()).unwrap_or_default(),
        received: timing.body.clone(),
        sent: 0,
        started: timing.started,
        trail,
    });
    count_out(cx.state.clone(), resp, log)
}

/// The trail event of a request whose response is ready; its byte counts, duration and
/// mirror facts are filled in when the body is done.
fn trail_draft(
    cx: &Ctx,
    op: Op,
    resp: &Response<Body>,
    rule: Option<u32>,
    dialect: &'static str,
) -> TrailDraft {
    let key = cx.key.clone().unwrap_or_default();
    let rule = rule.map(|n| rule_fact(cx, n, &key));
    let location = resp
        .headers()
        .get(http::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let event = TrailEvent {
        time: String::new(),
        id: cx.id.clone(),
        dialect,
        operation: op.name(),
        method: cx.method.to_string(),
        bucket: cx.bucket.clone().unwrap_or_default(),
        key,
        status: resp.status().as_u16(),
        bytes_in: 0,
        bytes_out: 0,
        duration_ms: 0.0,
        rule,
        location,
        mirror: None,
        owner: bucket_owner(cx),
    };
    TrailDraft {
        state: cx.state.clone(),
        event,
        flight: cx.trail.flight(),
    }
}

/// The addressed bucket's owner (as loaded by the request, else as stored now).
fn bucket_owner(cx: &Ctx) -> Option<String> {
    if let Some(b) = cx.bucket_rec.get() {
        return Some(b.owner.clone());
    }
    let name = cx.bucket.as_deref()?;
    cx.store()
        .meta()
        .get_bucket(name)
        .ok()
        .flatten()
        .map(|b| b.owner)
}

/// Rule `n` of the addressed bucket's website configuration, described.
fn rule_fact(cx: &Ctx, n: u32, key: &str) -> RuleFact {
    let site = cx
        .bucket
        .as_deref()
        .and_then(|b| handlers::website::load(cx, b).ok().flatten());
    match site.and_then(|s| s.rules.into_iter().find(|r| r.number == n)) {
        Some(rule) => crate::trail::describe_rule(&rule, key),
        None => RuleFact {
            number: n,
            why: "the rule is no longer configured".into(),
            action: String::new(),
        },
    }
}

/// A trail event waiting for its response body to end.
struct TrailDraft {
    state: Arc<AppState>,
    event: TrailEvent,
    flight: Option<Arc<ossemu_mirror::FlightInfo>>,
}

/// The EC (`<EC>`, `x-oss-ec`) OSS sends with an error, where it is on record for every
/// operation that raises it: NoSuchBucket's 0015-00000101 (OSS answers recorded by
/// ug0/aliyun_oss for ListObjects and bucket sub-resources, and by a user's upload on
/// developer.aliyun.com) and GetObject's NoSuchKey 0026-00000001 (OSS answers quoted in
/// public reports). Errors raised with their own EC keep it; ECs are never made up.
fn documented_ec(op: Op, code: Code) -> Option<&'static str> {
    match (op, code) {
        (_, Code::NoSuchBucket) => Some("0015-00000101"),
        (Op::GetObject | Op::HeadObject, Code::NoSuchKey) => Some("0026-00000001"),
        _ => None,
    }
}

/// A request whose body was announced but not read to its end leaves the connection unusable
/// (its unread bytes would be taken for the next request), so the response says
/// `Connection: close` rather than having the client find the connection closed under it.
fn close_if_body_unread(cx: &Ctx, body: &BodyProgress, resp: &mut Response<Body>) {
    let declared = cx
        .header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let chunked = cx
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if (declared > 0 || chunked) && !body.done.load(Ordering::Relaxed) {
        resp.headers_mut()
            .insert(http::header::CONNECTION, HeaderValue::from_static("close"));
    }
}

/// A body built in memory (every XML document and error) goes out with `Content-Length`, as
/// OSS and S3 send it. hyper would derive it from the body's exact size, but the byte
/// counting of [`count_out`] hides that size, so it is declared here, before. Streamed bodies
/// (object reads) declare their own length; HEAD, 204 and 304 answers are left as they are.
fn declare_length(cx: &Ctx, resp: &mut Response<Body>) {
    use http_body::Body as _;
    let status = resp.status();
    let h = resp.headers();
    if cx.method == Method::HEAD
        || status.is_informational()
        || status == http::StatusCode::NO_CONTENT
        || status == http::StatusCode::NOT_MODIFIED
        || h.contains_key(http::header::CONTENT_LENGTH)
        || h.contains_key(http::header::TRANSFER_ENCODING)
    {
        return;
    }
    if let Some(n) = resp.body().size_hint().exact() {
        resp.headers_mut()
            .insert(http::header::CONTENT_LENGTH, HeaderValue::from(n));
    }
}

/// The headers every response carries: CORS, request id, server, and the matched rule.
fn finish_headers(cx: &Ctx, resp: &mut Response<Body>) {
    let h = resp.headers_mut();
    handlers::cors::decorate(cx, h);
    let id = HeaderValue::from_str(&cx.id).unwrap_or(HeaderValue::from_static("0"));
    match cx.dialect {
        Dialect::Oss => {
            h.insert(HeaderName::from_static("x-oss-request-id"), id);
        }
        Dialect::S3 => {
            h.insert(HeaderName::from_static("x-amz-request-id"), id.clone());
            h.insert(HeaderName::from_static("x-amz-id-2"), id);
        }
    }
    h.insert(
        http::header::SERVER,
        HeaderValue::from_static(cx.dialect.server()),
    );
    if let Some(rule) = resp.extensions().get::<MatchedRule>() {
        let v = HeaderValue::from(rule.0);
        resp.headers_mut()
            .insert(HeaderName::from_static("x-ossemu-rule"), v);
    }
}

/// What the request log line says; written when dropped, i.e. when the response body ends.
struct RequestLog {
    id: String,
    peer: SocketAddr,
    dialect: Dialect,
    op: &'static str,
    method: Method,
    bucket: String,
    key: String,
    status: u16,
    rule: String,
    received: Arc<BodyProgress>,
    sent: u64,
    started: Instant,
    trail: Option<TrailDraft>,
}

impl Drop for RequestLog {
    fn drop(&mut self) {
        if let Some(TrailDraft {
            state,
            mut event,
            flight,
        }) = self.trail.take()
        {
            let elapsed = self.started.elapsed();
            let arrived = chrono::Utc::now()
                - chrono::Duration::from_std(elapsed).unwrap_or_else(|_| chrono::Duration::zero());
            event.time = arrived.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            event.bytes_in = self.received.bytes.load(Ordering::Relaxed);
            event.bytes_out = self.sent;
            event.duration_ms = elapsed.as_secs_f64() * 1000.0;
            event.mirror = flight.as_deref().map(MirrorFact::of);
            state.trail.publish(event);
        }
        tracing::info!(
            request_id = %self.id,
            peer = %self.peer,
            dialect = ?self.dialect,
            op = self.op,
            method = %self.method,
            bucket = self.bucket.as_str(),
            key = self.key.as_str(),
            status = self.status,
            bytes_in = self.received.bytes.load(Ordering::Relaxed),
            bytes = self.sent,
            rule = self.rule.as_str(),
            ms = self.started.elapsed().as_millis() as u64,
            "request"
        );
    }
}

/// Counts response body bytes as they are sent; `log` goes with the body and is written when
/// hyper drops it.
fn count_out(
    state: Arc<AppState>,
    resp: Response<Body>,
    mut log: Option<RequestLog>,
) -> Response<Body> {
    use http_body_util::BodyExt;
    resp.map(|b| {
        BodyExt::boxed_unsync(b.map_frame(move |f| {
            if let Some(d) = f.data_ref() {
                state.metrics.bytes_out(d.len() as u64);
                if let Some(l) = &mut log {
                    l.sent += d.len() as u64;
                }
            }
            f
        }))
    })
}

#[cfg(test)]
mod tests;
