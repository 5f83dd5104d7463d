//! OSS's HTTP compression of object reads: a GET or HEAD of a whole object of at least 1 KiB
//! whose Content-Type is one of the web text types OSS names, sent with
//! `Accept-Encoding: gzip`, is answered gzip-compressed (`Content-Encoding: gzip`,
//! `Vary: Accept-Encoding`, chunked, without `Content-Length`, `ETag` and `Accept-Ranges`),
//! as OSS documents it (FAQ "How do I compress objects that I download from OSS in the GZIP
//! format?"). The body is compressed as it streams, chunk by chunk.

use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use futures_util::Stream;
use http::HeaderMap;

/// The smallest object OSS compresses.
pub const MIN_SIZE: u64 = 1024;

/// The media types OSS compresses.
const TYPES: &[&str] = &[
    "text/cache-manifest",
    "text/xml",
    "text/css",
    "text/html",
    "text/plain",
    "application/javascript",
    "application/x-javascript",
    "application/rss+xml",
    "application/json",
    "text/json",
];

/// Whether `Accept-Encoding` accepts gzip (listed, and not with `q=0`).
pub fn accepted(h: &HeaderMap) -> bool {
    h.get_all(http::header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            coding.eq_ignore_ascii_case("gzip") && !refused
        })
}

/// Whether an object of `content_type` and `size` is compressed.
pub fn compressible(content_type: &str, size: u64) -> bool {
    let media = content_type.split(';').next().unwrap_or_default().trim();
    size >= MIN_SIZE && TYPES.iter().any(|t| t.eq_ignore_ascii_case(media))
}

/// `inner` gzip-compressed as it is read.
pub struct Gzip<S> {
    inner: S,
    enc: Option<GzEncoder<Vec<u8>>>,
}

impl<S> Gzip<S> {
    /// Compresses `inner`.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            enc: Some(GzEncoder::new(Vec::new(), Compression::default())),
        }
    }
}

impl<S> Stream for Gzip<S>
where
    S: Stream<Item = std::io::Result<Bytes>> + Unpin,
{
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            let Some(enc) = this.enc.as_mut() else {
                return Poll::Ready(None);
            };
            match ready!(Pin::new(&mut this.inner).poll_next(cx)) {
                Some(Ok(chunk)) => {
                    if let Err(e) = enc.write_all(&chunk) {
                        return Poll::Ready(Some(Err(e)));
                    }
                    if !enc.get_ref().is_empty() {
                        let out = std::mem::take(enc.get_mut());
                        return Poll::Ready(Some(Ok(Bytes::from(out))));
                    }
                }
                Some(Err(e)) => {
                    this.enc = None;
                    return Poll::Ready(Some(Err(e)));
                }
                None => {
                    let enc = this.enc.take().expect("checked above");
                    return Poll::Ready(Some(enc.finish().map(Bytes::from)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::io::Read;

    #[test]
    fn negotiation_and_types() {
        let mut h = HeaderMap::new();
        assert!(!accepted(&h));
        h.insert("accept-encoding", "deflate, GZIP;q=0.5".parse().unwrap());
        assert!(accepted(&h));
        h.insert("accept-encoding", "gzip;q=0, br".parse().unwrap());
        assert!(!accepted(&h));
        assert!(compressible("text/plain; charset=utf-8", 1024));
        assert!(!compressible("text/plain", 1023));
        assert!(!compressible("image/png", 1 << 20));
    }

    #[tokio::test]
    async fn round_trip() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 7) as u8).collect();
        let chunks: Vec<std::io::Result<Bytes>> = data
            .chunks(65536)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let mut out = Vec::new();
        let mut s = Gzip::new(futures_util::stream::iter(chunks));
        while let Some(c) = s.next().await {
            out.extend_from_slice(&c.unwrap());
        }
        assert!(out.len() < data.len() / 10);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(out.as_slice())
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, data);
    }
}
