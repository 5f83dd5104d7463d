//! Request bodies: generated once per size and streamed in zero-copy slices.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

/// Size of the frames a [`StreamBody`] hands to hyper.
pub const FRAME_SIZE: usize = 256 * 1024;

/// A request body that yields `data` in [`FRAME_SIZE`] slices of the same allocation.
///
/// Cloning the payload is a reference-count increment, so every request of a workload
/// streams the one buffer generated at start-up.
#[derive(Debug, Default)]
pub struct StreamBody {
    data: Bytes,
}

impl StreamBody {
    /// A body streaming `data` (a cheap clone of a shared buffer).
    pub fn new(data: Bytes) -> Self {
        Self { data }
    }

    /// An empty body.
    pub fn empty() -> Self {
        Self::default()
    }
}

impl Body for StreamBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.data.is_empty() {
            return Poll::Ready(None);
        }
        let n = self.data.len().min(FRAME_SIZE);
        let chunk = self.data.split_to(n);
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.data.len() as u64)
    }
}

/// The payloads of a run, one per object size, generated before any measurement.
#[derive(Debug, Default)]
pub struct Payloads {
    by_size: BTreeMap<u64, Bytes>,
}

impl Payloads {
    /// Generates one pseudo-random (incompressible) payload for each of `sizes`.
    pub fn generate(sizes: impl IntoIterator<Item = u64>) -> anyhow::Result<Self> {
        let mut by_size = BTreeMap::new();
        for size in sizes {
            if by_size.contains_key(&size) {
                continue;
            }
            let len = usize::try_from(size)
                .map_err(|_| anyhow::anyhow!("object size {size} does not fit in memory"))?;
            let mut buf = Vec::with_capacity(len);
            let mut rng = crate::rng::SplitMix64::new(size ^ 0x5eed);
            while buf.len() < len {
                let word = rng.next_u64().to_le_bytes();
                let take = (len - buf.len()).min(8);
                buf.extend_from_slice(&word[..take]);
            }
            by_size.insert(size, Bytes::from(buf));
        }
        Ok(Self { by_size })
    }

    /// The payload of `size` bytes (empty when `size` was not generated and is 0).
    pub fn get(&self, size: u64) -> anyhow::Result<Bytes> {
        if size == 0 {
            return Ok(Bytes::new());
        }
        self.by_size
            .get(&size)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no payload of {size} bytes was generated"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn streams_every_byte_in_frames() {
        let p = Payloads::generate([FRAME_SIZE as u64 * 2 + 5]).unwrap();
        let data = p.get(FRAME_SIZE as u64 * 2 + 5).unwrap();
        let body = StreamBody::new(data.clone());
        assert_eq!(body.size_hint().exact(), Some(data.len() as u64));
        let collected = body.collect().await.unwrap().to_bytes();
        assert_eq!(collected, data);
        assert!(StreamBody::empty().is_end_stream());
        assert_eq!(p.get(0).unwrap().len(), 0);
        assert!(p.get(7).is_err());
    }
}
