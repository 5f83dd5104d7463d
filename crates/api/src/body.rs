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

/// Turns hyper's body into a chunk stream; a stall longer than `idle` ends it with
/// `RequestTimeout`, a broken connection with `IncompleteBody`.
pub fn request_stream(body: Incoming, idle: Duration) -> ReqStream {
    Box::pin(futures_util::stream::unfold(
        Some(body),
        move |state| async move {
            let mut body = state?;
            loop {
                match tokio::time::timeout(idle, body.frame()).await {
                    Err(_) => return Some((Err(ApiError::new(Code::RequestTimeout)), None)),
                    Ok(None) => return None,
                    Ok(Some(Err(e))) => {
                        tracing::debug!(error = %e, "request body failed");
                        return Some((Err(ApiError::new(Code::IncompleteBody)), None));
                    }
                    Ok(Some(Ok(frame))) => {
                        if let Ok(data) = frame.into_data() {
                            return Some((Ok(data), Some(body)));
                        }
                    }
                }
            }
        },
    ))
}

/// Reads a small body (an XML document) whole; more than `limit` bytes is refused.
pub async fn read_small(mut body: ReqStream, limit: usize) -> ApiResult<Bytes> {
    let mut buf = BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
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
