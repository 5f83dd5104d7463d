//! Body types: the response body, and request bodies as streams of data chunks with an idle
//! timeout (hyper has none for bodies).

use std::pin::Pin;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt, TryStreamExt};
use http_body_util::{BodyExt, Empty, Full, StreamBody, combinators::UnsyncBoxBody};
use hyper::body::{Frame, Incoming};

use crate::error::{ApiError, ApiResult, Code};

/// Response body.
pub type Body = UnsyncBoxBody<Bytes, std::io::Error>;

/// An empty body.
pub fn empty() -> Body {
    BodyExt::boxed_unsync(Empty::new().map_err(|n| match n {}))
}

/// A body held in memory (small documents only).
pub fn full(b: impl Into<Bytes>) -> Body {
    BodyExt::boxed_unsync(Full::new(b.into()).map_err(|n| match n {}))
}

/// A streamed body. An `Err` item aborts the connection, so a truncated body is never
/// mistaken for a complete one.
pub fn stream<S>(s: S) -> Body
where
    S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
{
    BodyExt::boxed_unsync(StreamBody::new(s.map_ok(Frame::data)))
}

/// A request body as data chunks.
pub type ReqStream = Pin<Box<dyn Stream<Item = ApiResult<Bytes>> + Send>>;

/// How slow a request body may be.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimits {
    /// Longest silence between two chunks.
    pub idle: Duration,
    /// Slowest average rate in bytes per second once `grace` has passed (0: none).
    pub min_rate: u64,
    /// How long before the average rate is checked.
    pub grace: Duration,
}

impl BodyLimits {
    /// How long the next chunk may take, given `bytes` received over `elapsed`; `None` when
    /// the body is already too slow.
    fn wait(&self, bytes: u64, elapsed: Duration) -> Option<Duration> {
        if self.min_rate == 0 {
            return Some(self.idle);
        }
        // At rate `min_rate`, `bytes` last until this point since the start.
        let covered = Duration::from_secs_f64(bytes as f64 / self.min_rate as f64);
        let deadline = covered.max(self.grace);
        let left = deadline.checked_sub(elapsed)?;
        Some(left.min(self.idle))
    }
}

/// Turns hyper's body into a chunk stream; a stall longer than `limits.idle`, or a body
/// slower on average than `limits.min_rate`, ends it with `RequestTimeout`, a broken
/// connection with `IncompleteBody`.
pub fn request_stream(body: Incoming, limits: BodyLimits) -> ReqStream {
    let start = std::time::Instant::now();
    Box::pin(futures_util::stream::unfold(
        Some((body, 0u64)),
        move |state| async move {
            let (mut body, mut bytes) = state?;
            loop {
                let Some(wait) = limits.wait(bytes, start.elapsed()) else {
                    return Some((Err(ApiError::new(Code::RequestTimeout)), None));
                };
                match tokio::time::timeout(wait, body.frame()).await {
                    Err(_) => return Some((Err(ApiError::new(Code::RequestTimeout)), None)),
                    Ok(None) => return None,
                    Ok(Some(Err(e))) => {
                        tracing::debug!(error = %e, "request body failed");
                        return Some((Err(ApiError::new(Code::IncompleteBody)), None));
                    }
                    Ok(Some(Ok(frame))) => {
                        if let Ok(data) = frame.into_data() {
                            bytes += data.len() as u64;
                            return Some((Ok(data), Some((body, bytes))));
                        }
                    }
                }
            }
        },
    ))
}

/// Reads a small body (an XML document) whole; more than `limit` bytes is refused. The bytes
/// count against `budget`: when all requests together hold more, the request is refused with
/// 503 (try again later).
pub async fn read_small(
    mut body: ReqStream,
    limit: usize,
    budget: &std::sync::Arc<crate::budget::Budget>,
) -> ApiResult<Bytes> {
    let mut buf = BytesMut::new();
    let mut held = budget.claim();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        if !held.grow(chunk.len()) {
            return Err(ApiError::msg(
                Code::ServiceUnavailable,
                "Please reduce your request rate.",
            ));
        }
        if buf.len() + chunk.len() > limit {
            return Err(ApiError::msg(
                Code::MaxMessageLengthExceeded,
                format!(
                    "Your request was too big: the limit for this request body is {limit} bytes."
                ),
            ));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_body_runs_out_of_time() {
        let l = BodyLimits {
            idle: Duration::from_secs(60),
            min_rate: 1000,
            grace: Duration::from_secs(30),
        };
        // Within the grace period only the idle timeout counts.
        assert_eq!(
            l.wait(0, Duration::from_secs(1)),
            Some(Duration::from_secs(29))
        );
        // 50,000 bytes cover 50 s at 1,000 B/s.
        assert_eq!(
            l.wait(50_000, Duration::from_secs(40)),
            Some(Duration::from_secs(10))
        );
        assert_eq!(l.wait(20_000, Duration::from_secs(40)), None);
        // A fast body waits at most the idle timeout.
        assert_eq!(l.wait(10_000_000, Duration::from_secs(40)), Some(l.idle));
        let none = BodyLimits { min_rate: 0, ..l };
        assert_eq!(none.wait(0, Duration::from_secs(3600)), Some(l.idle));
    }
}
