//! Object bodies: written while hashed, published before any record references them, read
//! in ranges. [`media`] keeps them in files (a data directory) or in memory (`--memory`).
//!
//! A body is written to a temp body while its MD5, CRC-64 and length are computed, then
//! published (for files: flushed, fsynced, renamed into `blobs/`, directory fsynced). Only then
//! may the metadata that references it be committed. Readers pin the blobs they stream, so an
//! overwrite that frees a blob defers its removal until the last reader is done.

mod media;

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::Stream;
use md5::{Digest, Md5};

use self::media::{Media, Sink, Source};
pub use self::media::{TempBody, TempReader};
use crate::model::{BlobId, Segment};
use crate::space::Space;

/// Bytes buffered by a writer before they go to the medium in one blocking call.
const WRITE_BATCH: usize = 1 << 20;
/// Size of the chunks a body stream yields.
pub const READ_CHUNK: usize = 256 * 1024;

/// MD5, CRC-64/XZ and length of a byte stream, computed as it passes.
#[derive(Clone)]
pub struct BodyHasher {
    md5: Md5,
    crc: crc_fast::Digest,
    len: u64,
}

impl Default for BodyHasher {
    fn default() -> Self {
        Self {
            md5: Md5::new(),
            crc: crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc64Xz),
            len: 0,
        }
    }
}

impl BodyHasher {
    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.md5.update(data);
        self.crc.update(data);
        self.len += data.len() as u64;
    }

    /// Bytes seen so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when nothing was fed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// MD5 and CRC-64 of everything fed.
    pub fn finish(self) -> ([u8; 16], u64) {
        (self.md5.finalize().into(), self.crc.finalize())
    }
}

/// CRC-64/XZ of `data` (the OSS `x-oss-hash-crc64ecma` algorithm).
pub fn crc64(data: &[u8]) -> u64 {
    crc_fast::checksum(crc_fast::CrcAlgorithm::Crc64Xz, data)
}

/// CRC-64/XZ of `a ++ b` from the CRCs of `a` and `b` and the length of `b`.
pub fn crc64_combine(crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
    if len_b == 0 {
        return crc_a;
    }
    crc_fast::checksum_combine(crc_fast::CrcAlgorithm::Crc64Xz, crc_a, crc_b, len_b)
}

#[derive(Default)]
struct PinState {
    readers: usize,
    doomed: bool,
}

/// The medium holding bodies, the reader pins, and the space guard bodies claim room from.
pub(crate) struct Blobs {
    media: Media,
    pins: Mutex<HashMap<BlobId, PinState>>,
    space: Option<Arc<Space>>,
}

impl Blobs {
    /// Bodies as files under `root` (`tmp/`, `blobs/xx/`), fsynced when `fsync`, each batch
    /// written only after `space` granted room for it.
    pub(crate) fn open(
        root: &Path,
        fsync: bool,
        space: Option<Arc<Space>>,
    ) -> io::Result<Arc<Self>> {
        Ok(Self::with(Media::dir(root, fsync)?, space))
    }

    /// Bodies in memory.
    pub(crate) fn memory() -> Arc<Self> {
        Self::with(Media::memory(), None)
    }

    fn with(media: Media, space: Option<Arc<Space>>) -> Arc<Self> {
        Arc::new(Self {
            media,
            pins: Mutex::new(HashMap::new()),
            space,
        })
    }

    /// Removes every temp body; returns how many were removed.
    pub(crate) fn clear_tmp(&self) -> io::Result<usize> {
        self.media.clear_tmp()
    }

    /// Calls `f` with every published blob id.
    pub(crate) fn for_each_blob(&self, f: impl FnMut(BlobId) -> io::Result<()>) -> io::Result<()> {
        self.media.for_each(f)
    }

    /// Removes a published blob now (start-up sweep, unreferenced new blobs).
    pub(crate) fn remove_now(&self, id: BlobId) {
        self.media.remove(id);
    }

    fn pins(&self) -> std::sync::MutexGuard<'_, HashMap<BlobId, PinState>> {
        self.pins.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Pins blobs against removal while a reader streams them.
    pub(crate) fn pin(self: &Arc<Self>, segments: &[Segment]) -> PinGuard {
        let mut ids: Vec<BlobId> = segments.iter().map(|s| s.blob).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut pins = self.pins();
        for id in &ids {
            pins.entry(*id).or_default().readers += 1;
        }
        drop(pins);
        PinGuard {
            blobs: self.clone(),
            ids,
        }
    }

    /// Removes blobs that no record references any more; pinned ones go when unpinned.
    pub(crate) fn release(&self, ids: Vec<BlobId>) {
        let mut now = Vec::new();
        {
            let mut pins = self.pins();
            for id in ids {
                match pins.get_mut(&id) {
                    Some(p) if p.readers > 0 => p.doomed = true,
                    _ => now.push(id),
                }
            }
        }
        for id in now {
            self.remove_now(id);
        }
    }

    fn unpin(&self, ids: &[BlobId]) {
        let mut doomed = Vec::new();
        {
            let mut pins = self.pins();
            for id in ids {
                if let Some(p) = pins.get_mut(id) {
                    p.readers -= 1;
                    if p.readers == 0 {
                        if p.doomed {
                            doomed.push(*id);
                        }
                        pins.remove(id);
                    }
                }
            }
        }
        for id in doomed {
            self.remove_now(id);
        }
    }
}

/// Keeps blobs from being removed while held.
pub struct PinGuard {
    blobs: Arc<Blobs>,
    ids: Vec<BlobId>,
}

impl Drop for PinGuard {
    fn drop(&mut self) {
        self.blobs.unpin(&self.ids);
    }
}

/// A batch being hashed and written on the blocking pool; it hands the sink and hasher back.
type Inflight = tokio::task::JoinHandle<io::Result<(Sink, BodyHasher)>>;

/// Streams a body into a temp body; [`BlobWriter::finish`] publishes it.
///
/// Chunks are batched; one batch is hashed and written on the blocking pool while the next
/// one is received, so network reads overlap with hashing and disk writes. Dropping an
/// unfinished writer removes the temp body, so an aborted upload leaves nothing.
pub struct BlobWriter {
    blobs: Arc<Blobs>,
    id: BlobId,
    sink: Option<Sink>,
    hasher: Option<BodyHasher>,
    inflight: Option<Inflight>,
    pending: Vec<Bytes>,
    pending_len: usize,
    /// Bytes accepted by `write`.
    accepted: u64,
    /// Bytes known to be in the temp body.
    settled: u64,
    /// A temp body may exist and must be removed unless published.
    touched: bool,
    broken: bool,
}

impl BlobWriter {
    pub(crate) fn new(blobs: Arc<Blobs>) -> Self {
        Self {
            blobs,
            id: BlobId::random(),
            sink: None,
            hasher: Some(BodyHasher::default()),
            inflight: None,
            pending: Vec::new(),
            pending_len: 0,
            accepted: 0,
            settled: 0,
            touched: false,
            broken: false,
        }
    }

    /// Bytes accepted so far.
    pub fn len(&self) -> u64 {
        self.accepted
    }

    /// True when no byte was written.
    pub fn is_empty(&self) -> bool {
        self.accepted == 0
    }

    /// The temp body, for readers that follow it while it is written: they may read up to
    /// [`BlobWriter::flushed`] bytes; a reader opened before [`BlobWriter::finish`] keeps
    /// working after it.
    pub fn temp_body(&mut self) -> TempBody {
        self.touched = true;
        self.blobs.media.temp(self.id)
    }

    /// Bytes known to be in the temp body (after [`BlobWriter::flush`], all of them).
    pub fn flushed(&self) -> u64 {
        self.settled
    }

    /// MD5 and CRC-64 of everything written so far (after a [`BlobWriter::flush`]: of the
    /// whole body), without finishing the writer.
    pub fn digest(&self) -> ([u8; 16], u64) {
        self.hasher.clone().unwrap_or_default().finish()
    }

    /// Writes everything buffered to the temp body now (for readers following it).
    pub async fn flush(&mut self) -> io::Result<()> {
        self.settle().await?;
        self.start_batch()?;
        self.settle().await
    }

    /// Appends a chunk. Chunks are batched and written by the blocking pool.
    pub async fn write(&mut self, chunk: Bytes) -> io::Result<()> {
        if chunk.is_empty() {
            return Ok(());
        }
        self.accepted += chunk.len() as u64;
        self.pending_len += chunk.len();
        self.pending.push(chunk);
        if self.pending_len >= WRITE_BATCH {
            // At most one batch in flight: wait for the previous one, then start this one.
            self.settle().await?;
            self.start_batch()?;
        }
        Ok(())
    }

    /// Waits for the batch in flight, if any.
    async fn settle(&mut self) -> io::Result<()> {
        let Some(task) = self.inflight.take() else {
            return if self.broken {
                Err(io::Error::other("blob writer failed earlier"))
            } else {
                Ok(())
            };
        };
        match task.await.map_err(io::Error::other).and_then(|r| r) {
            Ok((sink, hasher)) => {
                self.settled = hasher.len();
                self.sink = Some(sink);
                self.hasher = Some(hasher);
                Ok(())
            }
            Err(e) => {
                self.broken = true;
                Err(e)
            }
        }
    }

    /// Hands the pending chunks to the blocking pool (no batch may be in flight), once the
    /// disk has room for them (else ENOSPC, and nothing is written).
    fn start_batch(&mut self) -> io::Result<()> {
        if self.broken {
            return Err(io::Error::other("blob writer failed earlier"));
        }
        if self.pending.is_empty() {
            return Ok(());
        }
        let claim = match &self.blobs.space {
            Some(space) => match space.claim(self.pending_len as u64) {
                Ok(c) => Some(c),
                Err(e) => {
                    self.broken = true;
                    return Err(e);
                }
            },
            None => None,
        };
        let chunks = std::mem::take(&mut self.pending);
        self.pending_len = 0;
        self.touched = true;
        let sink = self.sink.take();
        let mut hasher = self.hasher.take().unwrap_or_default();
        let (blobs, id) = (self.blobs.clone(), self.id);
        self.inflight = Some(tokio::task::spawn_blocking(move || {
            // Held until the bytes are written, when the free space shows them.
            let _claim = claim;
            let mut sink = match sink {
                Some(s) => s,
                None => blobs.media.create(id)?,
            };
            for c in &chunks {
                hasher.update(c);
                sink.write_all(c)?;
            }
            Ok((sink, hasher))
        }));
        Ok(())
    }

    /// Writes what is buffered and publishes the body (for files: fsync, rename into
    /// `blobs/`, fsync the directory).
    pub async fn finish(mut self) -> io::Result<NewBlob> {
        self.flush().await?;
        let hasher = self.hasher.take().unwrap_or_default();
        let len = hasher.len();
        let (md5, crc64) = hasher.finish();
        let sink = self.sink.take();
        let blobs = self.blobs.clone();
        let id = self.id;
        let has_body = sink.is_some();
        if has_body {
            let b = blobs.clone();
            let res = tokio::task::spawn_blocking(move || b.media.publish(id, sink))
                .await
                .map_err(io::Error::other)
                .and_then(|r| r);
            if let Err(e) = res {
                self.broken = true;
                // The rename may have happened before the directory fsync failed.
                blobs.remove_now(id);
                return Err(e);
            }
        } else {
            blobs.media.discard_temp(id);
        }
        self.touched = false;
        Ok(NewBlob {
            blobs,
            id,
            has_body,
            len,
            md5,
            crc64,
            kept: false,
        })
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if !self.touched {
            return;
        }
        let (blobs, id) = (self.blobs.clone(), self.id);
        match (self.inflight.take(), tokio::runtime::Handle::try_current()) {
            // A batch still running may create the temp body after a removal here: remove it
            // once that batch is done.
            (Some(task), Ok(rt)) => {
                rt.spawn(async move {
                    let _ = task.await;
                    blobs.media.discard_temp(id);
                });
            }
            _ => blobs.media.discard_temp(id),
        }
    }
}

/// A published body not yet referenced by metadata; dropping it removes the body.
pub struct NewBlob {
    blobs: Arc<Blobs>,
    id: BlobId,
    has_body: bool,
    /// Length in bytes.
    pub len: u64,
    /// MD5 of the body.
    pub md5: [u8; 16],
    /// CRC-64/XZ of the body.
    pub crc64: u64,
    kept: bool,
}

impl NewBlob {
    /// The segments describing this body (none for an empty body).
    pub fn segments(&self) -> Vec<Segment> {
        if self.has_body && self.len > 0 {
            vec![Segment {
                blob: self.id,
                offset: 0,
                len: self.len,
            }]
        } else {
            Vec::new()
        }
    }

    /// Marks the body as referenced by committed metadata.
    pub(crate) fn keep(mut self) {
        self.kept = true;
    }

    /// Lower-case hex MD5.
    pub fn md5_hex(&self) -> String {
        hex::encode(self.md5)
    }
}

impl Drop for NewBlob {
    fn drop(&mut self) {
        if !self.kept && self.has_body {
            self.blobs.remove_now(self.id);
        }
    }
}

/// Reads of at most this many bytes are done without the blocking pool.
const INLINE_READ: u64 = 64 * 1024;

/// Reads exactly `want` bytes at `off` of a body, opening it unless `source` is given.
fn read_piece(
    blobs: &Blobs,
    source: Option<Source>,
    id: BlobId,
    off: u64,
    want: u64,
) -> io::Result<(Source, Bytes)> {
    let source = match source {
        Some(s) => s,
        None => blobs.media.open(id)?,
    };
    let bytes = source.read_at(off, want)?;
    if (bytes.len() as u64) < want {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "body shorter than its metadata",
        ));
    }
    Ok((source, bytes))
}

/// A stream of body bytes over a range of segments, holding their pins.
pub type BodyStream = std::pin::Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

struct ReadState {
    blobs: Arc<Blobs>,
    /// (blob, offset, length) still to read, in order.
    pieces: std::collections::VecDeque<(BlobId, u64, u64)>,
    current: Option<(Source, BlobId)>,
    _pin: PinGuard,
}

/// Streams `len` bytes starting at `start` of the body made of `segments`.
pub(crate) fn read_range(
    blobs: Arc<Blobs>,
    segments: &[Segment],
    start: u64,
    len: u64,
    pin: PinGuard,
) -> BodyStream {
    let pieces = crate::model::slice_segments(segments, start, len)
        .into_iter()
        .map(|s| (s.blob, s.offset, s.len))
        .collect();
    let state = ReadState {
        blobs,
        pieces,
        current: None,
        _pin: pin,
    };
    Box::pin(futures_util::stream::unfold(state, |mut st| async move {
        let (blob, off, remaining) = st.pieces.pop_front()?;
        let want = remaining.min(READ_CHUNK as u64);
        let source = match &st.current {
            Some((s, id)) if *id == blob => Some(s.clone()),
            _ => None,
        };
        // A small piece is read on the spot: from the page cache that takes microseconds,
        // less than handing it to the blocking pool and waking up again (which, measured on
        // 4 KiB GETs, cost more CPU than everything else in the request).
        let res = if want <= INLINE_READ {
            read_piece(&st.blobs, source, blob, off, want)
        } else {
            let blobs = st.blobs.clone();
            tokio::task::spawn_blocking(move || read_piece(&blobs, source, blob, off, want))
                .await
                .map_err(io::Error::other)
                .and_then(|r| r)
        };
        match res {
            Ok((source, bytes)) => {
                if remaining > want {
                    st.pieces.push_front((blob, off + want, remaining - want));
                }
                st.current = Some((source, blob));
                Some((Ok(bytes), st))
            }
            Err(e) => {
                st.pieces.clear();
                Some((Err(e), st))
            }
        }
    }))
}
