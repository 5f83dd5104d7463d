//! One client following a flight: the body from its first byte, read from the temp file as
//! the fetch writes it, then from the stored object once the fetch has committed it.

use std::io;

use bytes::Bytes;
use futures_util::StreamExt;
use ossemu_store::{BodyStream, READ_CHUNK, Store, TempBody, TempReader};
use tokio::sync::watch;

use crate::flight::{Head, State};

/// What a follower does next.
enum Step {
    /// Yield this item (or end the body with `None`).
    Yield(Option<io::Result<Bytes>>),
    /// Wait for the fetch to move on.
    Wait,
    /// Go on from the stored object.
    Switch(BodyStream),
}

/// One client following a flight.
pub(crate) struct Follow {
    rx: watch::Receiver<State>,
    reader: Option<TempReader>,
    pos: u64,
    store: Store,
    bucket: String,
    key: String,
    rest: Option<BodyStream>,
}

impl Follow {
    pub(crate) fn new(
        rx: watch::Receiver<State>,
        store: Store,
        bucket: String,
        key: String,
    ) -> Self {
        Self {
            rx,
            reader: None,
            pos: 0,
            store,
            bucket,
            key,
            rest: None,
        }
    }

    /// The body as a stream that ends after its first error.
    pub(crate) fn into_stream(self) -> BodyStream {
        Box::pin(futures_util::stream::unfold(self, |mut f| async move {
            let item = f.next().await?;
            if item.is_err() {
                f.rest = Some(Box::pin(futures_util::stream::empty()));
            }
            Some((item, f))
        }))
    }

    async fn next(&mut self) -> Option<io::Result<Bytes>> {
        loop {
            if let Some(rest) = &mut self.rest {
                return rest.next().await;
            }
            let state = self.rx.borrow_and_update().clone();
            let step = match state {
                State::Streaming { head, tmp, written } => {
                    self.streaming(&head, &tmp, written).await
                }
                State::Complete {
                    size,
                    stored,
                    tmp,
                    etag,
                    ..
                } => self.complete(size, stored, &tmp, etag.as_deref()).await,
                State::Failed(f) => Step::Yield(Some(Err(io::Error::other(f.message)))),
                State::Connecting => Step::Wait,
                State::Present
                | State::NotFound
                | State::Redirect(_)
                | State::Transparent { .. } => {
                    Step::Yield(Some(Err(io::Error::other("the mirror fetch has no body"))))
                }
            };
            match step {
                Step::Yield(item) => return item,
                Step::Switch(rest) => self.rest = Some(rest),
                Step::Wait => {
                    if self.rx.changed().await.is_err() {
                        return Some(Err(io::Error::other("the mirror fetch ended unexpectedly")));
                    }
                }
            }
        }
    }

    /// While the body arrives: bytes up to what is written, holding the last one back.
    async fn streaming(&mut self, head: &Head, tmp: &TempBody, written: u64) -> Step {
        // The last byte of a body with a Content-Length (the end of a chunked one) is held
        // back until the body has passed its checks and is committed: if they fail, the client
        // is left short, which it sees as an aborted transfer rather than a complete body; once
        // it has the whole body, the object is in the store for its next request.
        let limit = match head.content_length {
            Some(n) => written.min(n.saturating_sub(1)),
            None => written,
        };
        // `None`: the temp file was renamed into the store meanwhile; the next state says so.
        if self.pos < limit
            && let Some(r) = self.read(tmp, limit).await
        {
            return Step::Yield(Some(r));
        }
        Step::Wait
    }

    /// Once the body is complete: the rest from the temp file (still open, or not stored),
    /// else from the object this fetch stored.
    async fn complete(
        &mut self,
        size: u64,
        stored: bool,
        tmp: &TempBody,
        etag: Option<&str>,
    ) -> Step {
        if self.pos >= size {
            return Step::Yield(None);
        }
        if self.reader.is_some() || !stored {
            return Step::Yield(match self.read(tmp, size).await {
                Some(r) => Some(r),
                None => Some(Err(io::Error::other("mirrored body vanished"))),
            });
        }
        // Only the object this fetch stored: never one a client wrote meanwhile.
        match self.store.open_object(&self.bucket, &self.key) {
            Ok(Some(o)) if o.rec.size == size && etag == Some(o.rec.etag.as_str()) => {
                Step::Switch(o.body(self.pos, size - self.pos))
            }
            Ok(_) => Step::Yield(Some(Err(io::Error::other(
                "the mirrored object changed before it was read",
            )))),
            Err(e) => Step::Yield(Some(Err(io::Error::other(e.to_string())))),
        }
    }

    /// Reads the next chunk from the temp body (opened on first use); `None` if it is gone
    /// before it could be opened.
    async fn read(&mut self, tmp: &TempBody, limit: u64) -> Option<io::Result<Bytes>> {
        let (reader, tmp) = (self.reader.clone(), tmp.clone());
        let (pos, want) = (self.pos, (limit - self.pos).min(READ_CHUNK as u64));
        let res = tokio::task::spawn_blocking(move || {
            let reader = match reader {
                Some(r) => r,
                None => match tmp.open()? {
                    Some(r) => r,
                    None => return Ok(None),
                },
            };
            let bytes = reader.read_at(pos, want)?;
            Ok(Some((reader, bytes)))
        })
        .await
        .map_err(io::Error::other)
        .and_then(|r| r);
        match res {
            Ok(None) => None,
            Ok(Some((reader, bytes))) => {
                self.reader = Some(reader);
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
